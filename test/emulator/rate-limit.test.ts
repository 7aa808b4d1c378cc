// RDS request throttling in the AWS emulator (emulator/snapcopy_emulator/throttle.py, `rdsRateLimit`) through
// the real AWS SDK, retries off: one token bucket per account and Region, shared by every caller there and by
// every RDS action, refilled by the clock; a call that finds no token is answered Throttling / Rate exceeded
// and moto never acts on it. KMS, STS and SNS are not throttled. Off by default; a bad value is refused with
// 400 naming the field; setting it or moto's reset fills the buckets; the stats count the refused calls apart
// from the throttles injected as faults.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBClusterCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, emulatorConfig, startEmulator } from '../../scripts/lib/emulator';
import {
  configureFaults,
  emulatorStats,
  resetEmulator,
  throttledCalls,
} from '../../scripts/lib/emulator-api';
import { waitFor } from '../helpers/wait';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ACCOUNT_A = '123456789012'; // moto's account for credentials it did not issue (any access key)
const ACCOUNT_B = '222222222222';
const KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };
const NEVER = 0; // perSecond: a bucket that never refills, so a test decides exactly when it is empty

/** What a failed SDK call carries. */
interface Failure extends Error {
  $fault?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

let emulator: Emulator;

/** maxAttempts 1: each call is one request, its first answer is what the test sees. */
function client<T>(
  Client: new (cfg: object) => T,
  region = EAST,
  credentials: RDSClientConfig['credentials'] = KEYS,
  endpoint = emulator.endpoint,
): T {
  return new Client({ endpoint, region, credentials, maxAttempts: 1 });
}

/** Account B's credentials as an application gets them: STS AssumeRole into a role of B, at the emulator. */
function accountB(): RDSClientConfig['credentials'] {
  return fromTemporaryCredentials({
    masterCredentials: KEYS,
    params: { RoleArn: `arn:aws:iam::${ACCOUNT_B}:role/snapcopy-copier`, RoleSessionName: 'snapcopy' },
    clientConfig: { region: EAST, endpoint: emulator.endpoint },
  });
}

function describeSnapshots(rds: RDSClient) {
  return rds.send(new DescribeDBClusterSnapshotsCommand({}));
}

/** 'ok', or the name of the error the SDK surfaced. */
function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (err: Error) => err.name,
  );
}

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('the call succeeded');
}

/** Makes `n` calls one after the other; answers their outcomes. */
async function calls(n: number, call: () => Promise<unknown>): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) outcomes.push(await outcome(call()));
  return outcomes;
}

const ok = (n: number): string[] => Array<string>(n).fill('ok');

beforeAll(async () => {
  emulator = await startEmulator({ copySeconds: 3600 });
});

// Every test starts with the rate limit off, no faults, an empty emulator and zeroed counters.
beforeEach(async () => {
  await emulator.configure({ rdsRateLimit: null });
  await configureFaults(emulator.endpoint, {});
  await resetEmulator(emulator.endpoint);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator RDS rate limit', () => {
  it('is off by default: more calls than AWS lets through in a burst are all served', async () => {
    expect(await emulatorConfig(emulator.endpoint)).not.toHaveProperty('rdsRateLimit');
    const rds = client(RDSClient);
    const streams = await Promise.all(
      Array.from({ length: 8 }, () => calls(40, () => describeSnapshots(rds))),
    );
    expect(streams.flat()).toEqual(ok(320)); // AWS's bucket holds 300
    const stats = await emulatorStats(emulator.endpoint);
    expect(stats.calls).toEqual({ rds: { DescribeDBClusterSnapshots: 320 } });
    expect(stats.throttled).toEqual({});
  });

  it('serves a burst, then answers Throttling for every RDS action without acting; other services go on', async () => {
    await emulator.configure({ rdsRateLimit: { burst: 3, perSecond: NEVER } });
    const rds = client(RDSClient);
    expect(await calls(3, () => describeSnapshots(rds))).toEqual(ok(3));

    const refused = await failure(describeSnapshots(rds));
    expect(refused).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client' });
    expect(refused.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    // One bucket for every action; a refused call is not acted on: the cluster is never created.
    const create = new CreateDBClusterCommand({
      DBClusterIdentifier: 'refused',
      Engine: 'aurora-postgresql',
      MasterUsername: 'postgres',
      MasterUserPassword: 'correct-horse-battery',
    });
    expect(await outcome(rds.send(create))).toBe('Throttling');

    // KMS, STS and SNS have no bucket here.
    const kms = client(KMSClient);
    expect(await calls(5, () => kms.send(new CreateKeyCommand({})))).toEqual(ok(5));
    expect(await outcome(client(STSClient).send(new GetCallerIdentityCommand({})))).toBe('ok');
    expect(await outcome(client(SNSClient).send(new CreateTopicCommand({ Name: 'events' })))).toBe('ok');

    await emulator.configure({ rdsRateLimit: null });
    const { DBClusters } = await rds.send(new DescribeDBClustersCommand({}));
    expect(DBClusters).toEqual([]);
    expect(await calls(10, () => describeSnapshots(rds))).toEqual(ok(10)); // off again: nothing refused
  });

  it('refills by the clock: polled, calls are served again, never more than the burst plus the refill', async () => {
    const limit = { burst: 3, perSecond: 10 };
    await emulator.configure({ rdsRateLimit: limit });
    const rds = client(RDSClient);
    const started = performance.now();
    // Back to back, calls take tokens far faster than 10 a second: the bucket soon runs dry.
    const drained: string[] = [];
    while (!drained.includes('Throttling') && drained.length < 200)
      drained.push(await outcome(describeSnapshots(rds)));
    expect(drained.at(-1)).toBe('Throttling');
    expect(drained.length).toBeGreaterThan(limit.burst);

    await waitFor('no token came back', () => describeSnapshots(rds), { intervalMs: 20, timeoutMs: 10_000 });
    const seconds = (performance.now() - started) / 1000;

    const stats = await emulatorStats(emulator.endpoint);
    const served = (stats.calls.rds?.DescribeDBClusterSnapshots ?? 0) - throttledCalls(stats);
    expect(throttledCalls(stats)).toBeGreaterThanOrEqual(1);
    expect(served).toBeGreaterThan(limit.burst); // at least one token came back
    expect(served).toBeLessThanOrEqual(limit.burst + limit.perSecond * seconds);
  });

  it('keeps one bucket per account and Region, shared by every caller of that account there', async () => {
    await emulator.configure({ rdsRateLimit: { burst: 2, perSecond: NEVER } });
    const eastA = client(RDSClient);
    const eastA2 = client(RDSClient, EAST, { accessKeyId: 'another-caller', secretAccessKey: 'x' });
    const westA = client(RDSClient, WEST);
    const eastB = client(RDSClient, EAST, accountB());
    const who = await client(STSClient, EAST, accountB()).send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(ACCOUNT_B);
    const another = await client(STSClient, EAST, {
      accessKeyId: 'another-caller',
      secretAccessKey: 'x',
    }).send(new GetCallerIdentityCommand({}));
    expect(another.Account).toBe(ACCOUNT_A);

    // Two callers of account A in us-east-1 share its bucket.
    expect(await calls(1, () => describeSnapshots(eastA))).toEqual(['ok']);
    expect(await calls(2, () => describeSnapshots(eastA2))).toEqual(['ok', 'Throttling']);
    expect(await outcome(describeSnapshots(eastA))).toBe('Throttling');
    // Account A in us-west-2, and account B in us-east-1, have buckets of their own, full.
    expect(await calls(3, () => describeSnapshots(westA))).toEqual(['ok', 'ok', 'Throttling']);
    expect(await calls(3, () => describeSnapshots(eastB))).toEqual(['ok', 'ok', 'Throttling']);

    expect((await emulatorStats(emulator.endpoint)).throttled).toEqual({
      rds: { DescribeDBClusterSnapshots: 4 },
    });
  });

  it("fills every bucket when it is set or on moto's reset; other settings leave the buckets alone", async () => {
    const limit = { burst: 1, perSecond: NEVER };
    await emulator.configure({ rdsRateLimit: limit });
    const rds = client(RDSClient);
    expect(await calls(2, () => describeSnapshots(rds))).toEqual(['ok', 'Throttling']);
    await emulator.configure({ copyLimit: 5 });
    expect(await outcome(describeSnapshots(rds))).toBe('Throttling');

    await emulator.configure({ rdsRateLimit: limit }); // the same figures, set again
    expect(await calls(2, () => describeSnapshots(rds))).toEqual(['ok', 'Throttling']);
    await resetEmulator(emulator.endpoint);
    expect(await calls(2, () => describeSnapshots(rds))).toEqual(['ok', 'Throttling']);
  });

  it('counts refused calls as Throttling errors and apart from the throttles injected as faults', async () => {
    await emulator.configure({ rdsRateLimit: { burst: 2, perSecond: NEVER } });
    await configureFaults(emulator.endpoint, { actions: { 'rds:DescribeDBClusters': { throttle: 1 } } });
    const rds = client(RDSClient);
    // The bucket decides first: the injected throttle takes a token like any call the bucket lets through.
    expect(await outcome(rds.send(new DescribeDBClustersCommand({})))).toBe('Throttling');
    expect(await calls(2, () => describeSnapshots(rds))).toEqual(['ok', 'Throttling']);

    const stats = await emulatorStats(emulator.endpoint);
    expect(stats.calls).toEqual({ rds: { DescribeDBClusters: 1, DescribeDBClusterSnapshots: 2 } });
    expect(stats.errors).toEqual({
      rds: { DescribeDBClusters: { Throttling: 1 }, DescribeDBClusterSnapshots: { Throttling: 1 } },
    });
    expect(stats).toMatchObject({
      faults: { rds: { DescribeDBClusters: { throttle: 1 } } },
      throttled: { rds: { DescribeDBClusterSnapshots: 1 } },
    });
    expect(throttledCalls(stats)).toBe(1);
  });

  it('takes "aws" for AWS\'s figures and refuses a bad value with 400 naming the field', async () => {
    await emulator.configure({ rdsRateLimit: 'aws' });
    expect(await emulatorConfig(emulator.endpoint)).toMatchObject({
      rdsRateLimit: { burst: 300, perSecond: 12 },
    });

    const post = async (rdsRateLimit: unknown): Promise<{ status: number; error: string }> => {
      const res = await fetch(new URL('/snapcopy-emulator/config', emulator.endpoint), {
        method: 'POST',
        body: JSON.stringify({ rdsRateLimit }),
      });
      const { error } = (await res.json()) as { error: string };
      return { status: res.status, error };
    };
    expect(await post({ burst: 0, perSecond: 12 })).toEqual({
      status: 400,
      error: 'rdsRateLimit.burst must be a positive integer (the tokens a full bucket holds)',
    });
    expect(await post({ burst: 2.5, perSecond: 12 })).toMatchObject({ error: /^rdsRateLimit\.burst / });
    expect(await post({ burst: 300, perSecond: -1 })).toMatchObject({
      status: 400,
      error: /^rdsRateLimit\.perSecond must be a non-negative number/,
    });
    expect(await post({ burst: 300 })).toMatchObject({ error: 'rdsRateLimit.perSecond is missing' });
    expect(await post({ burst: 300, perSecond: 12, refill: 1 })).toMatchObject({
      error: /^unknown key rdsRateLimit\.refill/,
    });
    expect(await post('fast')).toMatchObject({ status: 400, error: /^rdsRateLimit must be null/ });
    // Nothing refused was applied; null turns it off and the config reads as before.
    expect(await emulatorConfig(emulator.endpoint)).toMatchObject({
      rdsRateLimit: { burst: 300, perSecond: 12 },
    });
    await emulator.configure({ rdsRateLimit: null });
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
  });

  it('takes its rate limit at start from --rds-rate-limit', async () => {
    const started = await startEmulator({ rdsRateLimit: { burst: 1, perSecond: NEVER } });
    try {
      expect(await emulatorConfig(started.endpoint)).toMatchObject({
        rdsRateLimit: { burst: 1, perSecond: 0 },
      });
      const rds = client(RDSClient, EAST, KEYS, started.endpoint);
      expect(await calls(2, () => describeSnapshots(rds))).toEqual(['ok', 'Throttling']);
    } finally {
      await started.stop();
    }
  });
});
