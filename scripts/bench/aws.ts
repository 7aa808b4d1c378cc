// The AWS side of a bench run, all in the emulator: a fresh start with the scenario's settings, the
// source snapshots and keys, and the peer — a plain script as a team would write it without snapcopy.
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  waitUntilDBClusterSnapshotAvailable,
} from '@aws-sdk/client-rds';
import { createCluster, createKey, createSnapshot } from '../lib/aws-fixtures';
import { EMULATOR_CREDENTIALS, type Emulator } from '../lib/emulator';
import { resetEmulator, resetEmulatorStats } from '../lib/emulator-api';
import type { Scenario } from './scenarios';

export const SOURCE_REGION = 'us-east-1';
export const KEY_ALIAS = 'alias/snapcopy-bench';
const CLUSTER = 'bench-aurora';

export function rds(endpoint: string, region: string): RDSClient {
  return new RDSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
}

function kms(endpoint: string, region: string): KMSClient {
  return new KMSClient({ endpoint, region, credentials: EMULATOR_CREDENTIALS });
}

export interface Sources {
  /** ARNs of the source snapshots, one per copy, in us-east-1. */
  arns: string[];
  /** Their names, in the same order. */
  names: string[];
  /** The destination key's ARN (its alias is KEY_ALIAS). */
  targetKeyArn: string;
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

/**
 * Resets the emulator, applies the scenario's settings and makes `count` encrypted source snapshots and a
 * destination key with an alias; then zeroes the call counters, so that only the side's calls count.
 */
export async function prepareSources(
  emulator: Emulator,
  scenario: Scenario,
  count: number,
): Promise<Sources> {
  const { endpoint } = emulator;
  await resetEmulator(endpoint);
  await emulator.configure({
    copySeconds: scenario.copySeconds,
    queueSeconds: 0,
    copyLimit: scenario.copyLimit,
    snapshotQuota: scenario.snapshotQuota,
  });
  const east = rds(endpoint, SOURCE_REGION);
  const sourceKms = kms(endpoint, SOURCE_REGION);
  const sourceKey = await createKey(sourceKms, undefined, { description: 'snapcopy bench source' });
  await createCluster(east, CLUSTER, { kmsKeyId: sourceKey.keyArn });
  const names = Array.from({ length: count }, (_, i) => `${CLUSTER}-${String(i).padStart(3, '0')}`);
  const arns = await inBatches(names, 20, (name) => createSnapshot(east, CLUSTER, name));
  const targetKms = kms(endpoint, scenario.targetRegion);
  const targetKey = await createKey(targetKms, KEY_ALIAS, { description: 'snapcopy bench' });
  for (const client of [east, sourceKms, targetKms]) client.destroy();
  await resetEmulatorStats(endpoint);
  return { arns, names, targetKeyArn: targetKey.keyArn };
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
  /** When CopyDBClusterSnapshot was first refused (it then retries every 60 s). */
  firstRefusedAt?: number;
  acceptedAt?: number;
  /** When waitUntilDBClusterSnapshotAvailable returned. */
  waiterReturnedAt?: number;
  error?: string;
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
 * The peer: for one source (by name across Regions: its ARN resolved first, see PeerSource),
 * CopyDBClusterSnapshot, again every 60 s while it is refused with SnapshotQuotaExceeded, then the SDK's
 * waiter (its defaults: 30 s first, backing off to 30 min). A naive script runs this for every source at
 * once with Promise.all.
 */
export async function peerCopy(
  client: RDSClient,
  source: PeerSource,
  record: PeerCopy,
  targetKeyArn: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    let sourceIdentifier = source.identifier;
    if (source.resolveIn) {
      sourceIdentifier = await resolveArn(source.resolveIn, source.identifier, signal);
      record.resolvedAt = Date.now();
    }
    for (;;) {
      try {
        await client.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: sourceIdentifier,
            TargetDBClusterSnapshotIdentifier: record.target,
            KmsKeyId: targetKeyArn,
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
  } catch (err) {
    if (!signal.aborted) record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
