// The AWS side of a bench run, all in the emulator: a fresh start with the scenario's settings, the
// source snapshots and keys, and the peer — a plain script as a team would write it without snapcopy.
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  RDSClient,
  waitUntilDBClusterSnapshotAvailable,
} from '@aws-sdk/client-rds';
import type { Emulator } from '../lib/emulator';
import { resetEmulator, resetEmulatorStats } from './emulator-api';
import type { Scenario } from './scenarios';
import { BENCH_CREDENTIALS } from './stack';

export const SOURCE_REGION = 'us-east-1';
export const KEY_ALIAS = 'alias/snapcopy-bench';
const CLUSTER = 'bench-aurora';

export function rds(endpoint: string, region: string): RDSClient {
  return new RDSClient({ endpoint, region, credentials: BENCH_CREDENTIALS });
}

function kms(endpoint: string, region: string): KMSClient {
  return new KMSClient({ endpoint, region, credentials: BENCH_CREDENTIALS });
}

export interface Sources {
  /** ARNs of the source snapshots, one per copy, in us-east-1. */
  arns: string[];
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
  const sourceKey = await kms(endpoint, SOURCE_REGION).send(new CreateKeyCommand({}));
  await east.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: CLUSTER,
      Engine: 'aurora-postgresql',
      MasterUsername: 'bench',
      MasterUserPassword: 'bench-password-1',
      StorageEncrypted: true,
      KmsKeyId: sourceKey.KeyMetadata?.Arn,
    }),
  );
  const arns = await inBatches(
    Array.from({ length: count }, (_, i) => i),
    20,
    async (i) => {
      const { DBClusterSnapshot } = await east.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: CLUSTER,
          DBClusterSnapshotIdentifier: `${CLUSTER}-${String(i).padStart(3, '0')}`,
        }),
      );
      if (!DBClusterSnapshot?.DBClusterSnapshotArn)
        throw new Error('CreateDBClusterSnapshot answered no ARN');
      return DBClusterSnapshot.DBClusterSnapshotArn;
    },
  );
  const targetKms = kms(endpoint, scenario.targetRegion);
  const { KeyMetadata } = await targetKms.send(new CreateKeyCommand({ Description: 'snapcopy bench' }));
  if (!KeyMetadata?.Arn || !KeyMetadata.KeyId) throw new Error('CreateKey answered no key');
  await targetKms.send(new CreateAliasCommand({ AliasName: KEY_ALIAS, TargetKeyId: KeyMetadata.KeyId }));
  east.destroy();
  await resetEmulatorStats(endpoint);
  return { arns, targetKeyArn: KeyMetadata.Arn };
}

/** What the peer script knows of one copy. */
export interface PeerCopy {
  target: string;
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

/**
 * The peer: for one source, CopyDBClusterSnapshot, again every 60 s while it is refused with
 * SnapshotQuotaExceeded, then the SDK's waiter (its defaults: 30 s first, backing off to 30 min).
 * A naive script runs this for every source at once with Promise.all.
 */
export async function peerCopy(
  client: RDSClient,
  sourceArn: string,
  record: PeerCopy,
  targetKeyArn: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    for (;;) {
      try {
        await client.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: sourceArn,
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
