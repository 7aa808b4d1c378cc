// The AWS side of a bench run, all in the emulator: a fresh start with the scenario's settings, the
// source snapshots and keys, and the peer — a plain script as a team would write it without snapcopy.
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
  waitUntilDBClusterSnapshotAvailable,
} from '@aws-sdk/client-rds';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { createCluster, createKey, createSnapshot } from '../lib/aws-fixtures';
import { EMULATOR_CREDENTIALS, type Emulator } from '../lib/emulator';
import { configureRdsRateLimit, resetEmulator, resetEmulatorStats } from '../lib/emulator-api';
import { destinationKey, destinationsOf, type Destination, type Scenario } from './scenarios';

export const SOURCE_REGION = 'us-east-1';
export const KEY_ALIAS = 'alias/snapcopy-bench';
const CLUSTER = 'bench-aurora';

type RoleCredentials = ReturnType<typeof fromTemporaryCredentials>;
type Credentials = typeof EMULATOR_CREDENTIALS | RoleCredentials;

export function rds(
  endpoint: string,
  region: string,
  credentials: Credentials = EMULATOR_CREDENTIALS,
): RDSClient {
  return new RDSClient({ endpoint, region, credentials });
}

function kms(endpoint: string, region: string): KMSClient {
  return new KMSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
}

/** A role's credentials (STS AssumeRole at the emulator, cached and shared by every client given them). */
export function roleCredentials(endpoint: string, roleArn: string, session: string): RoleCredentials {
  return fromTemporaryCredentials({
    masterCredentials: EMULATOR_CREDENTIALS,
    params: { RoleArn: roleArn, RoleSessionName: session },
    clientConfig: { region: SOURCE_REGION, endpoint },
  });
}

export interface Sources {
  /** ARNs of the source snapshots, one per copy, in us-east-1. */
  arns: string[];
  /** Their names, in the same order. */
  names: string[];
  /** Each destination's key ARN (its alias is KEY_ALIAS), by destinationKey; none for unencrypted sources. */
  targetKeyArns: Record<string, string>;
  /**
   * Whether the emulator throttled RDS as the scenario asks: true (on), false (off, as asked), or
   * 'unsupported' (asked, but the emulator does not know rdsRateLimit yet: it ran without).
   */
  rdsRateLimit: boolean | 'unsupported';
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

/**
 * Resets the emulator, applies the scenario's settings and makes `count` source snapshots (encrypted with a
 * key of their own unless the scenario says otherwise) and, for encrypted sources, a key with an alias in
 * every destination; then turns the scenario's RDS throttling on (after the fixtures, which it would
 * only slow) and zeroes the call counters, so that only the side's calls count.
 */
export async function prepareSources(
  emulator: Emulator,
  scenario: Scenario,
  count: number,
): Promise<Sources> {
  const { endpoint } = emulator;
  const encrypted = scenario.encryptedSources ?? true;
  const destinations = destinationsOf(scenario);
  if (encrypted && destinations.some((d) => d.roleArn)) {
    // Each destination's key would be made through its role, and the source key's policy would have to let
    // the accounts use it; and across Regions AWS takes an encrypted shared snapshot only in two hops, which
    // the peer script does not do. No scenario needs it.
    throw new Error(`${scenario.name}: encrypted sources into other accounts are not supported by the bench`);
  }
  await resetEmulator(endpoint);
  await emulator.configure({
    copySeconds: scenario.copySeconds,
    queueSeconds: 0,
    copyLimit: scenario.copyLimit,
    snapshotQuota: scenario.snapshotQuota,
  });
  await configureRdsRateLimit(endpoint, null); // the config outlives moto's reset: off unless asked
  const east = rds(endpoint, SOURCE_REGION);
  const sourceKms = kms(endpoint, SOURCE_REGION);
  const sourceKey = encrypted
    ? await createKey(sourceKms, undefined, { description: 'snapcopy bench source' })
    : undefined;
  await createCluster(east, CLUSTER, sourceKey ? { kmsKeyId: sourceKey.keyArn } : {});
  const names = Array.from({ length: count }, (_, i) => `${CLUSTER}-${String(i).padStart(3, '0')}`);
  const arns = await inBatches(names, 20, (name) => createSnapshot(east, CLUSTER, name));
  const targetKeyArns: Record<string, string> = {};
  if (encrypted) {
    for (const d of destinations) {
      const targetKms = kms(endpoint, d.region);
      targetKeyArns[destinationKey(d)] = (
        await createKey(targetKms, KEY_ALIAS, { description: 'snapcopy bench' })
      ).keyArn;
      targetKms.destroy();
    }
  }
  for (const client of [east, sourceKms]) client.destroy();
  let rdsRateLimit: Sources['rdsRateLimit'] = false;
  if (scenario.rdsRateLimit) {
    rdsRateLimit = (await configureRdsRateLimit(endpoint, scenario.rdsRateLimit)) ? true : 'unsupported';
  }
  await resetEmulatorStats(endpoint);
  return { arns, names, targetKeyArns, rdsRateLimit };
}

/** What the peer script is given as its source: a snapshot's ARN, or its name. */
export interface PeerSource {
  /** The ARN, or the name (in the source Region). */
  identifier: string;
  /**
   * For a name copied across Regions, a client in the source's Region: AWS takes no name for a
   * cross-Region copy, so the script first resolves the ARN there with one DescribeDBClusterSnapshots
   * (once per source, not per retry). Absent: the identifier goes to CopyDBClusterSnapshot as it is.
   */
  resolveIn?: RDSClient;
}

/** What the peer script knows of one copy. */
export interface PeerCopy {
  target: string;
  /** When the source's ARN was resolved from its name (DescribeDBClusterSnapshots), if it was. */
  resolvedAt?: number;
  /** When the source was shared with the destination account (another account only). */
  sharedAt?: number;
  /** When CopyDBClusterSnapshot was first refused (it then retries every 60 s). */
  firstRefusedAt?: number;
  acceptedAt?: number;
  /** When waitUntilDBClusterSnapshotAvailable returned. */
  waiterReturnedAt?: number;
  error?: string;
}

/** Where the peer makes one copy: the destination's client (its Region, its account's role) and key. */
export interface PeerTarget {
  client: RDSClient;
  /** KmsKeyId: the destination's key; none for an unencrypted source. */
  keyArn?: string;
  /**
   * Another account: the script first shares the source with it (ModifyDBClusterSnapshotAttribute
   * `restore`, in the source account) and takes the share back once the copy is available.
   */
  share?: { source: RDSClient; snapshot: string; accountId: string };
}

export const PEER_RETRY_MS = 60_000;
const PEER_MAX_WAIT_SECONDS = 6 * 3600;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** The ARN of the snapshot named `name`, as a script finds it: DescribeDBClusterSnapshots by name. */
async function resolveArn(client: RDSClient, name: string, signal: AbortSignal): Promise<string> {
  const { DBClusterSnapshots } = await client.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: name }),
    { abortSignal: signal },
  );
  const arn = DBClusterSnapshots?.[0]?.DBClusterSnapshotArn;
  if (!arn) throw new Error(`DescribeDBClusterSnapshots answered no ARN for ${name}`);
  return arn;
}

/**
 * The peer: for one source (by name across Regions: its ARN resolved first, see PeerSource; into another
 * account: shared with it first), CopyDBClusterSnapshot, again every 60 s while it is refused with
 * SnapshotQuotaExceeded, then the SDK's waiter (its defaults: 30 s first, backing off to 30 min), then the
 * share taken back. A naive script runs this for every source at once with Promise.all. Throttling is left
 * to the SDK's own retries (its standard mode: 3 attempts), as a script would.
 */
export async function peerCopy(
  source: PeerSource,
  record: PeerCopy,
  target: PeerTarget,
  signal: AbortSignal,
): Promise<void> {
  const { client, keyArn, share } = target;
  const restore = async (change: 'ValuesToAdd' | 'ValuesToRemove') => {
    await share!.source.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: share!.snapshot,
        AttributeName: 'restore',
        [change]: [share!.accountId],
      }),
      { abortSignal: signal },
    );
  };
  try {
    let sourceIdentifier = source.identifier;
    if (source.resolveIn) {
      sourceIdentifier = await resolveArn(source.resolveIn, source.identifier, signal);
      record.resolvedAt = Date.now();
    }
    if (share) {
      await restore('ValuesToAdd');
      record.sharedAt = Date.now();
    }
    for (;;) {
      try {
        await client.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: sourceIdentifier,
            TargetDBClusterSnapshotIdentifier: record.target,
            ...(keyArn ? { KmsKeyId: keyArn } : {}),
          }),
          { abortSignal: signal },
        );
        record.acceptedAt = Date.now();
        break;
      } catch (err) {
        if ((err as Error).name !== 'SnapshotQuotaExceededFault') throw err;
        record.firstRefusedAt ??= Date.now();
        await sleep(PEER_RETRY_MS, signal);
      }
    }
    await waitUntilDBClusterSnapshotAvailable(
      { client, maxWaitTime: PEER_MAX_WAIT_SECONDS, abortSignal: signal },
      { DBClusterSnapshotIdentifier: record.target },
    );
    record.waiterReturnedAt = Date.now();
    if (share) await restore('ValuesToRemove');
  } catch (err) {
    if (!signal.aborted) record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

/**
 * The destinations' clients for the peer: one per destination, one credentials provider per account's role
 * (each client still assumes the role once: the SDK caches credentials per client, as a script gets them).
 */
export function peerClients(endpoint: string, destinations: readonly Destination[]): Map<string, RDSClient> {
  const sessions = new Map<string, RoleCredentials>();
  const clients = new Map<string, RDSClient>();
  for (const d of destinations) {
    let credentials: Credentials = EMULATOR_CREDENTIALS;
    if (d.roleArn) {
      if (!sessions.has(d.roleArn))
        sessions.set(d.roleArn, roleCredentials(endpoint, d.roleArn, 'bench-peer'));
      credentials = sessions.get(d.roleArn)!;
    }
    clients.set(destinationKey(d), rds(endpoint, d.region, credentials));
  }
  return clients;
}
