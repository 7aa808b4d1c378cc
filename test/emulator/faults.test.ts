// The AWS emulator's fault injection (emulator/server.py) through the real AWS SDK: throttled calls are
// Throttling (RDS, Query XML) / ThrottlingException (KMS, JSON) and the SDK retries them as such, 5xx answers
// are server faults, a lost response leaves the SDK with a network error although the emulator acted, latency
// delays a call, a seed makes the draws reproducible, and the counters add up.
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, emulatorConfig, startEmulator } from '../../scripts/lib/emulator';
import {
  configureFaults,
  emulatorCopies,
  emulatorStats,
  faultCounters,
  resetEmulator,
  resetEmulatorStats,
} from '../../scripts/lib/emulator-api';

const REGION = 'us-east-1';
const DESCRIBE = 'rds:DescribeDBClusterSnapshots';

/** What an SDK call's failure carries: a service error's metadata, or a Node network error's code. */
interface Failure extends Error {
  $fault?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  code?: string;
}

let emulator: Emulator;
let rds: RDSClient; // maxAttempts 1: each call is one request, its first answer is what the test sees
let kms: KMSClient;

function client<T>(Client: new (cfg: object) => T, maxAttempts = 1, endpoint = emulator.endpoint): T {
  return new Client({
    endpoint,
    region: REGION,
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('the call succeeded');
}

function describeSnapshots(id?: string) {
  return rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }));
}

beforeAll(async () => {
  emulator = await startEmulator({ copySeconds: 3600 });
  rds = client(RDSClient);
  kms = client(KMSClient);
});

// Every test starts with no faults and an empty emulator holding one cluster and its snapshot `orders-1`.
beforeEach(async () => {
  await configureFaults(emulator.endpoint, {});
  await resetEmulator(emulator.endpoint);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders',
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'correct-horse-battery',
    }),
  );
  await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'orders',
      DBClusterSnapshotIdentifier: 'orders-1',
    }),
  );
  await resetEmulatorStats(emulator.endpoint);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator fault injection', () => {
  it('throttles one action as AWS does: RDS Throttling, KMS ThrottlingException; other actions are served', async () => {
    await configureFaults(emulator.endpoint, {
      actions: { [DESCRIBE]: { throttle: 1 }, 'kms:DescribeKey': { throttle: 1 } },
    });

    const rdsError = await failure(describeSnapshots());
    expect(rdsError).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client' });
    expect(rdsError.$metadata?.httpStatusCode).toBe(400);
    const { DBClusters } = await rds.send(new DescribeDBClustersCommand({}));
    expect(DBClusters?.map((c) => c.DBClusterIdentifier)).toEqual(['orders']);

    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const kmsError = await failure(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId })));
    expect(kmsError).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $fault: 'client',
    });
    expect(kmsError.$metadata?.httpStatusCode).toBe(400);

    // The SDK takes them for throttling (retryable): with 2 attempts allowed it asks twice, then gives up.
    const retried = await failure(client(RDSClient, 2).send(new DescribeDBClusterSnapshotsCommand({})));
    expect(retried).toMatchObject({ name: 'Throttling', $metadata: { attempts: 2 } });
    const stats = await emulatorStats(emulator.endpoint);
    expect(stats.calls).toEqual({
      rds: { DescribeDBClusterSnapshots: 3, DescribeDBClusters: 1 },
      kms: { CreateKey: 1, DescribeKey: 1 },
    });
    expect(stats.errors).toEqual({
      rds: { DescribeDBClusterSnapshots: { Throttling: 3 } },
      kms: { DescribeKey: { ThrottlingException: 1 } },
    });
  });

  it('answers a 5xx as a server fault (500 InternalFailure or 503 ServiceUnavailable), RDS and KMS', async () => {
    await configureFaults(emulator.endpoint, {
      seed: 7,
      default: { error5xx: 1 },
    });
    const codes = { 500: 'InternalFailure', 503: 'ServiceUnavailable' } as const;
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      for (const err of [
        await failure(describeSnapshots()),
        await failure(kms.send(new CreateKeyCommand({}))),
      ]) {
        const status = err.$metadata?.httpStatusCode as 500 | 503;
        expect([500, 503]).toContain(status);
        expect(err).toMatchObject({ name: codes[status], $fault: 'server' });
        seen.add(status);
      }
    }
    expect([...seen].sort()).toEqual([500, 503]);
    const { faults } = await faultCounters(emulator.endpoint);
    expect(faults).toEqual({
      rds: { DescribeDBClusterSnapshots: { error5xx: 6 } },
      kms: { CreateKey: { error5xx: 6 } },
    });
  });

  it('loses the response to a copy after making it: the SDK sees a network error, the copy exists', async () => {
    await configureFaults(emulator.endpoint, {
      actions: { 'rds:CopyDBClusterSnapshot': { lostResponse: 1 } },
    });
    const lost = await failure(
      rds.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: 'orders-1',
          TargetDBClusterSnapshotIdentifier: 'orders-1-copy',
        }),
      ),
    );
    expect(lost.$metadata?.httpStatusCode).toBeUndefined();
    expect(lost).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' }); // the SDK would retry it

    await configureFaults(emulator.endpoint, {});
    const { DBClusterSnapshots } = await describeSnapshots('orders-1-copy');
    expect(DBClusterSnapshots).toMatchObject([
      { DBClusterSnapshotIdentifier: 'orders-1-copy', Status: 'copying' },
    ]);
    expect((await emulatorCopies(emulator.endpoint)).copies.map((c) => c.id)).toEqual(['orders-1-copy']);
    expect((await faultCounters(emulator.endpoint)).faults).toEqual({
      rds: { CopyDBClusterSnapshot: { lostResponse: 1 } },
    });
  });

  it('loses the response to a delete after deleting: the SDK sees a network error, the snapshot is gone', async () => {
    await configureFaults(emulator.endpoint, {
      actions: { 'rds:DeleteDBClusterSnapshot': { lostResponse: 1 } },
    });
    const lost = await failure(
      rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'orders-1' })),
    );
    expect(lost.$metadata?.httpStatusCode).toBeUndefined();
    expect(lost).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' }); // the SDK would retry it

    await configureFaults(emulator.endpoint, {});
    expect(await failure(describeSnapshots('orders-1'))).toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
  });

  it('delays a call by at least the configured latency', async () => {
    const latencyMs = 400;
    await configureFaults(emulator.endpoint, { actions: { [DESCRIBE]: { latencyMs, jitterMs: 100 } } });
    const started = performance.now();
    await describeSnapshots();
    expect(performance.now() - started).toBeGreaterThanOrEqual(latencyMs - 50); // a generous lower bound
    expect((await faultCounters(emulator.endpoint)).faults).toEqual({
      rds: { DescribeDBClusterSnapshots: { latency: 1 } },
    });
  });

  it('counts every call and every fault, and a seed replays the same sequence of fates', async () => {
    const N = 24;
    const run = async (seed: number): Promise<string[]> => {
      await configureFaults(emulator.endpoint, { seed, actions: { [DESCRIBE]: { throttle: 0.5 } } });
      await resetEmulatorStats(emulator.endpoint);
      const fates: string[] = [];
      for (let i = 0; i < N; i++) {
        fates.push(
          await describeSnapshots().then(
            () => 'ok',
            (err: Error) => err.name,
          ),
        );
      }
      const counters = await faultCounters(emulator.endpoint);
      const throttled = counters.faults.rds?.DescribeDBClusterSnapshots?.throttle ?? 0;
      expect(counters.calls).toEqual({ rds: { DescribeDBClusterSnapshots: N } });
      expect(fates.filter((fate) => fate === 'Throttling')).toHaveLength(throttled);
      expect(throttled + fates.filter((fate) => fate === 'ok').length).toBe(N);
      return fates;
    };

    const first = await run(42);
    expect(new Set(first)).toEqual(new Set(['ok', 'Throttling'])); // both fates drawn
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('validates faults (400 naming the field), keeps its own endpoints unfaulted, and reads them back', async () => {
    const post = (body: unknown) =>
      fetch(new URL('/snapcopy-emulator/config', emulator.endpoint), {
        method: 'POST',
        body: JSON.stringify(body),
      });
    const refused = await post({ faults: { actions: { [DESCRIBE]: { throttle: 1.5 } } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: `faults.actions.${DESCRIBE}.throttle must be a number from 0 to 1`,
    });
    await expect(
      configureFaults(emulator.endpoint, { default: { throttle: 0.6, lostResponse: 0.6 } }),
    ).rejects.toThrow(/\(400\): faults\.default: throttle \+ error5xx \+ lostResponse must be at most 1/);
    await expect(configureFaults(emulator.endpoint, { default: { latencyMs: -1 } })).rejects.toThrow(
      /faults\.default\.latencyMs must be a non-negative number/,
    );
    const unknown = await post({ faults: { default: { throttled: 1 } } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toMatch(/unknown key faults\.default\.throttled/);
    expect(await emulatorConfig(emulator.endpoint)).not.toHaveProperty('faults'); // nothing refused was set

    // Every AWS call faulted: the emulator's own endpoints and moto's reset are no AWS calls, never faulted.
    const faults = { seed: 1, default: { error5xx: 1 } };
    expect(await configureFaults(emulator.endpoint, faults)).toEqual(faults);
    await emulator.configure({ copyLimit: 3 }); // the other settings leave the faults alone
    expect(await emulatorConfig(emulator.endpoint)).toMatchObject({ copyLimit: 3, faults });
    expect(await emulatorCopies(emulator.endpoint)).toMatchObject({ copies: [] });
    expect(await faultCounters(emulator.endpoint)).toMatchObject({ calls: {}, faults: {} });
    await resetEmulator(emulator.endpoint);

    // {} removes them: the config reads as it did before faults existed.
    await configureFaults(emulator.endpoint, {});
    expect(Object.keys(await emulatorConfig(emulator.endpoint)).sort()).toEqual([
      'clusterQuota',
      'copyLimit',
      'copySeconds',
      'deleteSeconds',
      'instanceSeconds',
      'queueSeconds',
      'restoreSeconds',
      'snapshotQuota',
    ]);
    await emulator.configure({ copyLimit: 5 });
  });

  it('takes its faults at start from SNAPCOPY_EMULATOR_FAULTS', async () => {
    const faults = { seed: 3, actions: { 'kms:CreateKey': { throttle: 1 } } };
    process.env.SNAPCOPY_EMULATOR_FAULTS = JSON.stringify(faults);
    let started: Emulator | undefined;
    try {
      started = await startEmulator();
    } finally {
      delete process.env.SNAPCOPY_EMULATOR_FAULTS;
    }
    try {
      expect((await emulatorConfig(started.endpoint)) as object).toMatchObject({ faults });
      const err = await failure(client(KMSClient, 1, started.endpoint).send(new CreateKeyCommand({})));
      expect(err).toMatchObject({ name: 'ThrottlingException' });
    } finally {
      await started.stop();
    }
  });
});
