// Lookups of DB cluster snapshots by name that share calls: while a lookup of one account and Region is on
// its way (typically waiting for the call budget's token, when a thousand copies start at once), the lookups
// that arrive meanwhile wait and then go out together as one DescribeDBClusterSnapshots with a
// db-cluster-snapshot-id filter. Every answer is still taken after its lookup was asked (a lookup never
// joins a call already sent), so a guard that re-reads a snapshot before deleting it reads it afresh.
import { asyncLocalStorage } from '@temporalio/activity';
import {
  DescribeDBClusterSnapshotsCommand,
  type DBClusterSnapshot,
  type RDSClient,
} from '@aws-sdk/client-rds';

/** Names in one call: a page of DescribeDBClusterSnapshots holds at most 100 records. */
export const LOOKUPS_PER_CALL = 50;
/** Calls on their way at once per client: one may wait for its token while the next batch fills. */
export const LOOKUP_CALLS_IN_FLIGHT = 2;

interface Pending {
  name: string;
  resolve(snapshot: DBClusterSnapshot | null): void;
  reject(err: unknown): void;
}

function abortError(signal: AbortSignal): Error {
  const err = new Error('Lookup aborted', signal.reason === undefined ? undefined : { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

/** How a batch is asked: one name as the plain identifier, several as a filter (the one and only page). */
export type DescribeByNames = (names: readonly string[]) => Promise<DBClusterSnapshot[]>;

/** The coalescing queue of one client (account, Region, role). */
export class SnapshotLookups {
  private readonly pending: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly describe: DescribeByNames,
    private readonly perCall = LOOKUPS_PER_CALL,
    private readonly callsInFlight = LOOKUP_CALLS_IN_FLIGHT,
  ) {}

  /**
   * The snapshot named `name` in the client's account and Region, or null when there is none. An abort of
   * `signal` (the asking activity's cancellation) rejects at once; the call it may be part of goes on.
   */
  lookup(name: string, signal?: AbortSignal): Promise<DBClusterSnapshot | null> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.pending.indexOf(p);
        if (at >= 0) this.pending.splice(at, 1);
        reject(abortError(signal as AbortSignal));
      };
      const settled = () => signal?.removeEventListener('abort', onAbort);
      const p: Pending = {
        name,
        resolve: (s) => (settled(), resolve(s)),
        reject: (e) => (settled(), reject(e instanceof Error ? e : new Error(String(e)))),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(p);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.callsInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.perCall);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    let found: DBClusterSnapshot[];
    try {
      found = await this.describe([...new Set(batch.map((p) => p.name.toLowerCase()))]);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    // AWS keeps identifiers in lower case and matches them in any case.
    const byName = new Map(found.map((s) => [s.DBClusterSnapshotIdentifier?.toLowerCase(), s]));
    for (const p of batch) p.resolve(byName.get(p.name.toLowerCase()) ?? null);
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
  return (names) =>
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
    });
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
