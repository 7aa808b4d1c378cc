// What the AWS emulator observes for benchmarks and fault-injection tests (emulator/server.py): AWS calls
// counted by service and action with their error codes, every copy's timeline on the emulator's clock
// (available at created + queueSeconds + copySeconds, however late it is read), copies in flight per
// Region, and moto's reset forgetting all of it.
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../scripts/lib/emulator';
import {
  emulatorCopies,
  emulatorStats,
  resetEmulator,
  resetEmulatorStats,
  type EmulatorCopy,
} from '../../scripts/lib/emulator-api';
import { waitFor } from '../helpers/wait';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const LONG = 3600; // seconds: a copy that will not finish during the test unless the config changes

let emulator: Emulator;
let east: RDSClient;
let west: RDSClient;
let sourceArn: string;

function client<T>(Client: new (cfg: object) => T, region: string): T {
  return new Client({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

function copy(rds: RDSClient, id: string, from = sourceArn) {
  return rds.send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: from,
      TargetDBClusterSnapshotIdentifier: id,
    }),
  );
}

async function copyView(id: string): Promise<EmulatorCopy> {
  const found = (await emulatorCopies(emulator.endpoint)).copies.filter((c) => c.id === id);
  if (found.length !== 1) throw new Error(`${found.length} copies named ${id}`);
  return found[0]!;
}

beforeAll(async () => {
  emulator = await startEmulator({ copySeconds: LONG });
});

// Every test starts from an empty emulator with one unencrypted source snapshot in us-east-1.
beforeEach(async () => {
  await resetEmulator(emulator.endpoint);
  await emulator.configure({ copySeconds: LONG, queueSeconds: 0, copyLimit: 5, snapshotQuota: 100 });
  east = client(RDSClient, EAST);
  west = client(RDSClient, WEST);
  await east.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders',
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'correct-horse-battery',
    }),
  );
  const { DBClusterSnapshot } = await east.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'orders',
      DBClusterSnapshotIdentifier: 'orders-1',
    }),
  );
  sourceArn = DBClusterSnapshot?.DBClusterSnapshotArn ?? '';
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator observation', () => {
  it('counts AWS calls by service and action, errors by code, until the counters are reset', async () => {
    const before = await resetEmulatorStats(emulator.endpoint);
    expect(before).toMatchObject({ calls: {}, errors: {} });

    await emulator.configure({ copyLimit: 1 });
    await copy(west, 'counted-1');
    await expect(copy(west, 'counted-2')).rejects.toMatchObject({ name: 'SnapshotQuotaExceededFault' });
    const kms = client(KMSClient, WEST);
    await kms.send(new CreateKeyCommand({}));
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/absent' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });

    const stats = await emulatorStats(emulator.endpoint);
    expect(stats.since).toBeGreaterThanOrEqual(before.since);
    expect(stats.calls).toEqual({
      rds: { CopyDBClusterSnapshot: 2 },
      kms: { CreateKey: 1, DescribeKey: 1 },
    });
    expect(stats.errors).toEqual({
      rds: { CopyDBClusterSnapshot: { SnapshotQuotaExceeded: 1 } },
      kms: { DescribeKey: { NotFoundException: 1 } },
    });

    const reset = await resetEmulatorStats(emulator.endpoint);
    expect(reset).toMatchObject({ calls: {}, errors: {} });
    expect(reset.since).toBeGreaterThanOrEqual(stats.since);
    expect(await emulatorStats(emulator.endpoint)).toEqual(reset); // reading does not count as a call
  });

  it('records when a copy was created and when it became available, by the clock rather than the read', async () => {
    const copySeconds = 1.5;
    const queueSeconds = 0.5;
    await emulator.configure({ copySeconds, queueSeconds });
    await copy(west, 'Timed-1'); // AWS stores identifiers lowercased

    const created = await copyView('timed-1');
    expect(created).toMatchObject({ region: WEST, status: 'copying' });
    expect(created.accountId).toMatch(/^\d{12}$/);
    expect(created.availableAt).toBeUndefined();

    // Nobody describes the copy: the timeline alone brings it up to date.
    const done = await waitFor('timed-1 never turned available', async () => {
      const view = await copyView('timed-1');
      if (view.status !== 'available') throw new Error(`it is ${view.status}`);
      return view;
    });
    expect(done.createdAt).toBe(created.createdAt);
    expect(done.availableAt).toBe(created.createdAt + 1000 * (queueSeconds + copySeconds));
    expect((await copyView('timed-1')).availableAt).toBe(done.availableAt); // settled: read again, same time
  });

  it('counts copies in flight per Region; a deleted copy leaves the count and keeps its timeline', async () => {
    await copy(west, 'flight-w1');
    await copy(west, 'flight-w2');
    await copy(east, 'flight-e1', 'orders-1');
    const running = await emulatorCopies(emulator.endpoint);
    expect(running.inFlight).toEqual({ [WEST]: 2, [EAST]: 1 });
    expect(running.copies.map((c) => c.id)).toEqual(['flight-w1', 'flight-w2', 'flight-e1']);
    expect(running.now).toBeGreaterThanOrEqual(running.copies[2]!.createdAt);

    await west.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'flight-w1' }));
    const after = await emulatorCopies(emulator.endpoint);
    expect(after.inFlight).toEqual({ [WEST]: 1, [EAST]: 1 });
    const deleted = after.copies.find((c) => c.id === 'flight-w1');
    expect(deleted).toMatchObject({ status: 'copying', createdAt: running.copies[0]!.createdAt });
    expect(deleted?.deletedAt).toBeGreaterThanOrEqual(deleted!.createdAt);
    expect(deleted?.availableAt).toBeUndefined();

    // A deleted copy never turns available, even when the copy time has passed for it.
    await emulator.configure({ copySeconds: 0 });
    const ended = await emulatorCopies(emulator.endpoint);
    expect(ended.inFlight).toEqual({});
    expect(ended.copies.find((c) => c.id === 'flight-w1')).toMatchObject({ status: 'copying' });
    expect(ended.copies.find((c) => c.id === 'flight-w1')?.availableAt).toBeUndefined();
  });

  it('a copy ended by a config change became available at that change, not at its original end', async () => {
    await copy(west, 'shortened');
    const { createdAt } = await copyView('shortened');
    await emulator.configure({ copySeconds: 0 });
    const after = await emulatorCopies(emulator.endpoint);
    const view = after.copies.find((c) => c.id === 'shortened');
    expect(view?.status).toBe('available');
    expect(view?.availableAt).toBeGreaterThanOrEqual(createdAt);
    expect(view?.availableAt).toBeLessThanOrEqual(after.now);
  });

  it('a copy whose source is deleted records when it failed', async () => {
    await east.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'orders',
        DBClusterSnapshotIdentifier: 'doomed',
      }),
    );
    await copy(east, 'doomed-copy', 'doomed');
    await east.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'doomed' }));
    const { inFlight, copies } = await emulatorCopies(emulator.endpoint);
    expect(inFlight).toEqual({});
    const failed = copies.find((c) => c.id === 'doomed-copy');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.failedAt).toBeGreaterThanOrEqual(failed!.createdAt);
  });

  it("moto's reset forgets the copies and the counters", async () => {
    await copy(west, 'forgotten');
    expect((await emulatorCopies(emulator.endpoint)).copies).toHaveLength(1);
    expect((await emulatorStats(emulator.endpoint)).calls.rds).toBeDefined();
    await resetEmulator(emulator.endpoint);
    expect(await emulatorCopies(emulator.endpoint)).toMatchObject({ inFlight: {}, copies: [] });
    expect(await emulatorStats(emulator.endpoint)).toMatchObject({ calls: {}, errors: {} });
  });
});
