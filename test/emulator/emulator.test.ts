// The local AWS emulator (emulator/server.py) through the real AWS SDK: copies progress from `copying` to
// `available`, the in-flight copy limit and the manual-snapshot quota fail as AWS fails them, a copy can
// be deleted while it runs, and a copy whose source is deleted fails.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  type DBClusterSnapshot,
} from '@aws-sdk/client-rds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Emulator,
  type EmulatorConfig,
  emulatorConfig,
  startEmulator,
} from '../../scripts/lib/emulator';
import { waitFor } from '../helpers/wait';

const SOURCE_REGION = 'us-east-1';
const TARGET_REGION = 'us-west-2';
const BASE: EmulatorConfig = { copySeconds: 3, queueSeconds: 0, copyLimit: 5, snapshotQuota: 100 };
// The restore settings' defaults, read back beside BASE.
const RESTORE_DEFAULTS = { restoreSeconds: 20, instanceSeconds: 20, deleteSeconds: 3, clusterQuota: 40 };
const LONG = 3600; // seconds: a copy that will not finish during the test unless the config changes
const PROGRESS_SECONDS = 100; // 0% to 100% at 1% a second: visible progress, far from the end

let emulator: Emulator;
let source: RDSClient; // us-east-1
let target: RDSClient; // us-west-2
let targetKeyArn: string;
let sourceSnapshotArn: string;
let automatedSnapshotId: string; // moto makes an automated `rds:<cluster>-<time>` snapshot with a cluster

function clients(endpoint: string, region: string): { rds: RDSClient; kms: KMSClient } {
  const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return { rds: new RDSClient(config), kms: new KMSClient(config) };
}

async function createKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  if (!KeyMetadata?.Arn) throw new Error('CreateKey answered no key');
  return KeyMetadata.Arn;
}

async function describe1(rds: RDSClient, id: string): Promise<DBClusterSnapshot> {
  const { DBClusterSnapshots } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }),
  );
  const snapshot = DBClusterSnapshots?.[0];
  if (!snapshot) throw new Error(`${id} not described`);
  return snapshot;
}

async function copy(id: string, from = sourceSnapshotArn): Promise<DBClusterSnapshot> {
  const { DBClusterSnapshot } = await target.send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: from,
      TargetDBClusterSnapshotIdentifier: id,
      KmsKeyId: targetKeyArn,
    }),
  );
  if (!DBClusterSnapshot) throw new Error(`copy ${id} answered no snapshot`);
  return DBClusterSnapshot;
}

/** Describes the snapshot until `accept` holds for its description, and answers that description. */
function waitForSnapshot(
  rds: RDSClient,
  id: string,
  what: string,
  accept: (s: DBClusterSnapshot) => boolean,
): Promise<DBClusterSnapshot> {
  return waitFor(
    `${id} ${what}`,
    async () => {
      const snapshot = await describe1(rds, id);
      if (!accept(snapshot)) throw new Error(`it is ${snapshot.Status} at ${snapshot.PercentProgress}%`);
      return snapshot;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
}

function waitForStatus(rds: RDSClient, id: string, status: string): Promise<DBClusterSnapshot> {
  return waitForSnapshot(rds, id, `never turned ${status}`, (s) => s.Status === status);
}

async function manualSnapshotCount(rds: RDSClient): Promise<number> {
  const { DBClusterSnapshots } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return DBClusterSnapshots?.length ?? 0;
}

beforeAll(async () => {
  emulator = await startEmulator(BASE);
  const east = clients(emulator.endpoint, SOURCE_REGION);
  const west = clients(emulator.endpoint, TARGET_REGION);
  source = east.rds;
  target = west.rds;
  targetKeyArn = await createKey(west.kms);
  await source.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders',
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'correct-horse-battery',
      StorageEncrypted: true,
      KmsKeyId: await createKey(east.kms),
    }),
  );
  const { DBClusterSnapshot } = await source.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'orders',
      DBClusterSnapshotIdentifier: 'orders-1',
    }),
  );
  sourceSnapshotArn = DBClusterSnapshot?.DBClusterSnapshotArn ?? '';
  const { DBClusterSnapshots } = await source.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'orders', SnapshotType: 'automated' }),
  );
  automatedSnapshotId = DBClusterSnapshots?.[0]?.DBClusterSnapshotIdentifier ?? '';
});

afterEach(async () => {
  await emulator.configure(BASE);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator', () => {
  it('has a working setup: an available source snapshot and an automated one', () => {
    expect(sourceSnapshotArn).toMatch(/^arn:aws:rds:us-east-1:\d{12}:cluster-snapshot:orders-1$/);
    expect(automatedSnapshotId).toMatch(/^rds:orders-/);
  });

  it('round-trips its config through the control endpoint', async () => {
    expect(await emulatorConfig(emulator.endpoint)).toEqual({ ...BASE, ...RESTORE_DEFAULTS });
    await emulator.configure({ copyLimit: 7, queueSeconds: 1.5 });
    expect(await emulatorConfig(emulator.endpoint)).toEqual({
      ...BASE,
      ...RESTORE_DEFAULTS,
      copyLimit: 7,
      queueSeconds: 1.5,
    });
    await expect(emulator.configure({ copyLimit: -1 })).rejects.toThrow(
      /copyLimit must be a non-negative int/,
    );
    expect((await emulatorConfig(emulator.endpoint)).copyLimit).toBe(7);
  });

  it('copies across Regions: copying at 0%, then available at 100%', async () => {
    const started = await copy('orders-1-west');
    expect(started).toMatchObject({ Status: 'copying', PercentProgress: 0, KmsKeyId: targetKeyArn });
    expect(started.DBClusterSnapshotArn).toMatch(/^arn:aws:rds:us-west-2:/);

    const done = await waitForStatus(target, 'orders-1-west', 'available');
    expect(done).toMatchObject({ Status: 'available', PercentProgress: 100 });
  });

  it('queues at 0%, progresses, and finishes as soon as the copy time allows (same-Region, automated source)', async () => {
    await emulator.configure({ queueSeconds: LONG, copySeconds: 1 });
    const started = await source.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: automatedSnapshotId,
        TargetDBClusterSnapshotIdentifier: 'orders-auto-copy',
      }),
    );
    expect(started.DBClusterSnapshot).toMatchObject({
      Status: 'copying',
      PercentProgress: 0,
      SnapshotType: 'manual',
    });
    expect(await describe1(source, 'orders-auto-copy')).toMatchObject({
      Status: 'copying',
      PercentProgress: 0,
    });

    // Out of the queue, copying at 1% per second: a later read shows a higher percentage, still copying.
    await emulator.configure({ queueSeconds: 0, copySeconds: PROGRESS_SECONDS });
    const running = await describe1(source, 'orders-auto-copy');
    expect(running.Status).toBe('copying');
    expect(running.PercentProgress).toBeGreaterThanOrEqual(0);
    expect(running.PercentProgress).toBeLessThan(100);
    const first = running.PercentProgress!;
    const later = await waitForSnapshot(
      source,
      'orders-auto-copy',
      `never progressed past ${first}%`,
      (s) => s.Status !== 'copying' || s.PercentProgress! > first,
    );
    expect(later.Status).toBe('copying');
    expect(later.PercentProgress).toBeGreaterThan(first);
    expect(later.PercentProgress).toBeLessThan(100);

    await emulator.configure({ copySeconds: 0 });
    expect(await waitForStatus(source, 'orders-auto-copy', 'available')).toMatchObject({
      PercentProgress: 100,
    });
  });

  it('refuses a copy beyond the in-flight limit, and a running copy can be deleted', async () => {
    await emulator.configure({ copySeconds: LONG, copyLimit: 2 });
    await copy('inflight-1');
    await copy('inflight-2');
    await expect(copy('inflight-3')).rejects.toMatchObject({
      name: 'SnapshotQuotaExceededFault',
      message: 'Cannot copy more than 2 snapshots across regions. Please wait until a copy finishes.',
    });

    // Deleting a copy while it is `copying` is how AWS cancels it: it is gone, and frees a slot.
    const { DBClusterSnapshot: deleted } = await target.send(
      new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'inflight-1' }),
    );
    expect(deleted?.DBClusterSnapshotIdentifier).toBe('inflight-1');
    await expect(describe1(target, 'inflight-1')).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
    expect(await copy('inflight-3')).toMatchObject({ Status: 'copying' });

    for (const id of ['inflight-2', 'inflight-3']) {
      await target.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));
    }
  });

  it('refuses copies and snapshots beyond the manual-snapshot quota', async () => {
    const westQuota = await manualSnapshotCount(target);
    await emulator.configure({ snapshotQuota: westQuota });
    await expect(copy('over-quota')).rejects.toMatchObject({
      name: 'SnapshotQuotaExceededFault',
      message: `Cannot create more than ${westQuota} manual snapshots`,
    });

    // Counted per Region, manual snapshots only: us-east-1 also holds an automated snapshot.
    const eastQuota = (await manualSnapshotCount(source)) + 1;
    await emulator.configure({ snapshotQuota: eastQuota });
    const create = (id: string) =>
      source.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: 'orders',
          DBClusterSnapshotIdentifier: id,
        }),
      );
    await create('orders-2');
    await expect(create('orders-3')).rejects.toMatchObject({
      name: 'SnapshotQuotaExceededFault',
      message: `Cannot create more than ${eastQuota} manual snapshots`,
    });
    await source.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'orders-2' }));
  });

  it('fails a running copy whose source is deleted', async () => {
    await source.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'orders',
        DBClusterSnapshotIdentifier: 'doomed',
      }),
    );
    await emulator.configure({ copySeconds: LONG });
    const sourceArn = (await describe1(source, 'doomed')).DBClusterSnapshotArn ?? '';
    expect(await copy('doomed-west', sourceArn)).toMatchObject({ Status: 'copying' });

    await source.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'doomed' }));
    expect(await describe1(target, 'doomed-west')).toMatchObject({ Status: 'failed' });
    await target.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'doomed-west' }));
  });
});
