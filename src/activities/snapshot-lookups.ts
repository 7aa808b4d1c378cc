// Lookups of DB cluster snapshots by name that share calls: while a lookup of one account and Region is on
// its way (typically waiting for the call budget's token, when a thousand copies start at once), the lookups
// that arrive meanwhile wait and then go out together as one DescribeDBClusterSnapshots with a
// db-cluster-snapshot-id filter. Every answer is still taken after its lookup was asked (a lookup never
// joins a call already sent), so a guard that re-reads a snapshot before deleting it reads it afresh.
// Copies being followed ride along: every call also asks for them, and a follow poll that allows it takes
// that recent sighting instead of a call of its own. A local activity's lookups go in calls of their own
// lane, urgent for the budget (clients.ts callIsUrgent).
import { asyncLocalStorage } from '@temporalio/activity';
import {
  DescribeDBClusterSnapshotsCommand,
  type DBClusterSnapshot,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { withUrgency } from './aws-budget';
import { inLocalActivity } from './clients';

/** Names in one call: a page of DescribeDBClusterSnapshots holds at most 100 records. */
export const LOOKUPS_PER_CALL = 50;
/** Calls on their way at once per client: one may wait for its token while the next batch fills. */
export const LOOKUP_CALLS_IN_FLIGHT = 2;

interface Pending {
  name: string;
  /** Asked by a local activity: the call it goes in is urgent for the budget. */
  urgent: boolean;
  resolve(sighting: Sighting): void;
  reject(err: unknown): void;
}

function abortError(signal: AbortSignal): Error {
  const err = new Error('Lookup aborted', signal.reason === undefined ? undefined : { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

/**
 * How a batch is asked: one name as the plain identifier, several as a filter (the one and only page);
 * `urgent`: the call goes ahead of others waiting for the budget (a local activity waits on it).
 */
export type DescribeByNames = (names: readonly string[], urgent: boolean) => Promise<DBClusterSnapshot[]>;

/** What one call saw of a snapshot (null: there was none) and when its answer came (epoch ms). */
export interface Sighting {
  snapshot: DBClusterSnapshot | null;
  at: number;
}

/** How long ago a sighting was made, by the lookups' clock. */
export function ageOf(lookups: SnapshotLookups, sighting: Sighting): number {
  return Math.max(0, lookups.clock() - sighting.at);
}

export interface SightOptions {
  /** The asking activity's cancellation: rejects the sight at once (the call it may be part of goes on). */
  signal?: AbortSignal;
  /** A sighting at most this old (> 0), made by any call of this client, serves without a call of its own. */
  maxAgeMs?: number;
  /**
   * The snapshot is being followed (a copy in progress): every call of this client also asks for it, until it
   * is seen settled or nobody asked for it for WATCH_MS, so that its follower finds a recent sighting.
   */
  follow?: boolean;
}

/** A followed snapshot nobody asked for this long (its copy's worker gone, its run ended) is dropped. */
export const WATCH_MS = 15 * 60_000;

function stillCopying(snapshot: DBClusterSnapshot | null): boolean {
  return snapshot?.Status === 'copying' || snapshot?.Status === 'creating';
}

/** The coalescing queue of one client (account, Region, role), and the sightings of what it follows. */
export class SnapshotLookups {
  private readonly pending: Pending[] = [];
  /** Calls out, urgent ones apart: an urgent lookup never waits for a call stuck behind the budget's others. */
  private readonly inFlight = { urgent: 0, other: 0 };
  /** Followed names (lower case) and when they were last asked for. */
  private readonly watched = new Map<string, number>();
  private readonly sightings = new Map<string, Sighting>();

  constructor(
    private readonly describe: DescribeByNames,
    private readonly perCall = LOOKUPS_PER_CALL,
    private readonly callsInFlight = LOOKUP_CALLS_IN_FLIGHT,
    private readonly now: () => number = Date.now,
  ) {}

  clock(): number {
    return this.now();
  }

  /** The snapshot named `name` in the client's account and Region, or null when there is none. */
  async lookup(name: string, signal?: AbortSignal): Promise<DBClusterSnapshot | null> {
    return (await this.sight(name, signal ? { signal } : {})).snapshot;
  }

  /**
   * A sighting of `name`: a recent one when `maxAgeMs` allows, else one taken by a call sent after this was
   * asked (a sight never joins a call already on its way).
   */
  sight(name: string, options: SightOptions = {}): Promise<Sighting> {
    const { signal, maxAgeMs } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const key = name.toLowerCase();
    if (options.follow) this.watched.set(key, this.now());
    const recent = this.sightings.get(key);
    if (recent && maxAgeMs && this.now() - recent.at <= maxAgeMs) return Promise.resolve(recent);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.pending.indexOf(p);
        if (at >= 0) this.pending.splice(at, 1);
        reject(abortError(signal as AbortSignal));
      };
      const settled = () => signal?.removeEventListener('abort', onAbort);
      const p: Pending = {
        name: key,
        urgent: inLocalActivity(),
        resolve: (s) => (settled(), resolve(s)),
        reject: (e) => (settled(), reject(e instanceof Error ? e : new Error(String(e)))),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(p);
      this.dispatch();
    });
  }

  /**
   * Sends what waits, at most callsInFlight calls out at once, and as many again for urgent lookups: a call
   * with an urgent lookup in it takes the urgent lookups first, then others that fit.
   */
  private dispatch(): void {
    for (;;) {
      const urgent = this.pending.some((p) => p.urgent) && this.inFlight.urgent < this.callsInFlight;
      if (!urgent && (this.pending.length === 0 || this.inFlight.other >= this.callsInFlight)) return;
      const batch = urgent ? this.takeUrgentFirst() : this.pending.splice(0, this.perCall);
      const lane = urgent ? 'urgent' : 'other';
      this.inFlight[lane]++;
      void this.send(batch, urgent).finally(() => {
        this.inFlight[lane]--;
        this.dispatch();
      });
    }
  }

  private takeUrgentFirst(): Pending[] {
    const batch = this.pending.filter((p) => p.urgent).slice(0, this.perCall);
    for (const p of this.pending) if (batch.length < this.perCall && !p.urgent) batch.push(p);
    const taken = new Set(batch);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => !taken.has(p)));
    return batch;
  }

  /** The batch's names, and the followed ones the call can carry besides. */
  private namesFor(batch: Pending[]): string[] {
    const names = new Set(batch.map((p) => p.name));
    const stale = this.now() - WATCH_MS;
    for (const [name, asked] of this.watched) {
      if (asked < stale) this.watched.delete(name);
      else if (names.size < this.perCall) names.add(name);
    }
    for (const [name, { at }] of this.sightings) if (at < stale) this.sightings.delete(name);
    return [...names];
  }

  private async send(batch: Pending[], urgent: boolean): Promise<void> {
    const names = this.namesFor(batch);
    let found: DBClusterSnapshot[];
    try {
      found = await this.describe(names, urgent);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const at = this.now();
    // AWS keeps identifiers in lower case and matches them in any case.
    const byName = new Map(found.map((s) => [s.DBClusterSnapshotIdentifier?.toLowerCase(), s]));
    for (const name of names) {
      if (!this.watched.has(name)) continue;
      const snapshot = byName.get(name) ?? null;
      this.sightings.set(name, { snapshot, at });
      // Settled: no call asks for it any more; its follower may still take this last sighting.
      if (!stillCopying(snapshot)) this.watched.delete(name);
    }
    for (const p of batch) p.resolve({ snapshot: byName.get(p.name) ?? null, at });
  }
}

function awsName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/**
 * One DescribeDBClusterSnapshots for the names: one name by identifier (NotFound: none), several by filter.
 * It runs outside the activity that happened to send it (whose cancellation must not fail the others' lookups),
 * and, for a name of a manual or automated snapshot alike, asks for both types as a plain identifier does.
 */
export function describeByNames(rds: RDSClient): DescribeByNames {
  return (names, urgent) =>
    withUrgency(urgent, () =>
      asyncLocalStorage.exit(async () => {
        if (names.length === 1) {
          try {
            const out = await rds.send(
              new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: names[0] }),
            );
            return out.DBClusterSnapshots ?? [];
          } catch (err) {
            if (awsName(err) === 'DBClusterSnapshotNotFoundFault') return [];
            throw err;
          }
        }
        const found: DBClusterSnapshot[] = [];
        let marker: string | undefined;
        do {
          const out = await rds.send(
            new DescribeDBClusterSnapshotsCommand({
              Filters: [{ Name: 'db-cluster-snapshot-id', Values: [...names] }],
              MaxRecords: 100,
              ...(marker ? { Marker: marker } : {}),
            }),
          );
          found.push(...(out.DBClusterSnapshots ?? []));
          marker = out.Marker;
        } while (marker);
        return found;
      }),
    );
}

const lookupsOf = new WeakMap<RDSClient, SnapshotLookups>();

/** The client's coalescing queue (one per client, so per account, Region and role). */
export function snapshotLookups(rds: RDSClient): SnapshotLookups {
  let lookups = lookupsOf.get(rds);
  if (!lookups) {
    lookups = new SnapshotLookups(describeByNames(rds));
    lookupsOf.set(rds, lookups);
  }
  return lookups;
}
