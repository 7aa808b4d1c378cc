// Real SDK clients against a local HTTP server: endpoint variables, per-Region caching, abort signals.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  activityAbortSignal,
  assumedRoleCredentials,
  createAwsClients,
  ROLE_SESSION_SECONDS,
  sendOptions,
} from '../../src/activities/clients';
import { createActivities } from '../../src/activities';
import { ROLE_SESSION_NAME, type AssumedRole } from '../../src/shared/cross-account';

interface Seen {
  host: string | undefined;
  target: string | undefined;
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let url: string;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      seen.push({ host: req.headers.host, target: req.headers['x-amz-target'] as string | undefined, body });
      if (req.headers['x-amz-target'] === 'TrentService.DescribeKey') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            KeyMetadata: {
              KeyId: 'k1',
              Arn: 'arn:aws:kms:us-west-2:123456789012:key/k1',
              KeyState: 'Enabled',
            },
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">' +
          '<DescribeDBClusterSnapshotsResult><DBClusterSnapshots/></DescribeDBClusterSnapshotsResult>' +
          '<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_RDS',
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ACCOUNT_ID',
] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  seen.length = 0;
});

function useEnv(vars: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', ...vars });
}

describe('createAwsClients', () => {
  it('caches one client per Region per service, with few SDK attempts', async () => {
    const clients = createAwsClients();
    expect(clients.rds('us-east-1')).toBe(clients.rds('us-east-1'));
    expect(clients.rds('us-east-1')).not.toBe(clients.rds('us-west-2'));
    expect(clients.kms('us-east-1')).toBe(clients.kms('us-east-1'));
    await expect(clients.rds('us-east-1').config.region()).resolves.toBe('us-east-1');
    await expect(clients.rds('us-east-1').config.maxAttempts()).resolves.toBe(2);
    await expect(createAwsClients({ maxAttempts: 5 }).kms('eu-west-1').config.maxAttempts()).resolves.toBe(5);
    clients.destroy?.();
  });

  it('takes the account ID from AWS_ACCOUNT_ID', () => {
    useEnv({ AWS_ACCOUNT_ID: '111122223333' });
    expect(createAwsClients().accountId).toBe('111122223333');
    expect(createAwsClients({ accountId: '444455556666' }).accountId).toBe('444455556666');
  });

  it('sends RDS and KMS calls to AWS_ENDPOINT_URL (SDK built-in support)', async () => {
    useEnv({ AWS_ENDPOINT_URL: url });
    const acts = createActivities(createAwsClients());
    await expect(acts.listOwnedCopies({ region: 'us-west-2' })).resolves.toEqual([]);
    await expect(acts.resolveKmsKey({ region: 'us-west-2', keyId: 'alias/x' })).resolves.toMatchObject({
      keyArn: 'arn:aws:kms:us-west-2:123456789012:key/k1',
    });
    expect(seen.map((s) => s.host)).toEqual([url.slice(7), url.slice(7)]);
    expect(seen[0]?.body).toContain('Action=DescribeDBClusterSnapshots');
    expect(seen[1]?.target).toBe('TrentService.DescribeKey');
  });

  it('prefers the per-service AWS_ENDPOINT_URL_RDS / AWS_ENDPOINT_URL_KMS', async () => {
    useEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_RDS: url, AWS_ENDPOINT_URL_KMS: url });
    const acts = createActivities(createAwsClients());
    await acts.listOwnedCopies({ region: 'us-west-2' });
    await acts.resolveKmsKey({ region: 'us-west-2', keyId: 'alias/x' });
    expect(seen).toHaveLength(2);
  });
});

describe('activity abort signal', () => {
  it('is undefined outside an activity', () => {
    expect(activityAbortSignal()).toBeUndefined();
    expect(sendOptions()).toEqual({});
  });

  it("is the activity's cancellation signal inside one", async () => {
    const env = new MockActivityEnvironment();
    const signal = await env.run((): Promise<AbortSignal | undefined> =>
      Promise.resolve(sendOptions().abortSignal),
    );
    expect(signal).toBe(env.context.cancellationSignal);
    env.cancel();
    expect(signal?.aborted).toBe(true);
  });

  it('aborts an in-flight AWS call when the activity is cancelled', async () => {
    // A server that never answers: only the abort can end the call.
    let received!: () => void;
    const requestArrived = new Promise<void>((resolve) => (received = resolve));
    const hang = createServer(() => received());
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    useEnv({ AWS_ENDPOINT_URL: `http://127.0.0.1:${(hang.address() as AddressInfo).port}` });
    const acts = createActivities(createAwsClients());
    const env = new MockActivityEnvironment();
    const call = env.run(() => acts.describeTargetSnapshot({ region: 'us-west-2', identifier: 'copy1' }));
    await requestArrived; // cancel only once the request is on the wire
    env.cancel();
    const err: unknown = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('AbortError');
    hang.closeAllConnections();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
  });
});

describe('assumed roles', () => {
  const ROLE_A = { roleArn: 'arn:aws:iam::111111111111:role/snapcopy-source' };
  const ROLE_B = { roleArn: 'arn:aws:iam::222222222222:role/snapcopy-target' };

  /** Clients whose roles get fake credentials naming the role, its external ID and the Region. */
  function withStub() {
    const assumeRole = vi.fn(
      (role: AssumedRole, region: string) => () =>
        Promise.resolve({
          accessKeyId: `AKID|${role.roleArn}|${role.externalId ?? ''}|${region}`,
          secretAccessKey: 'secret',
        }),
    );
    return { clients: createAwsClients({ assumeRole }), assumeRole };
  }

  it("caches one client per role and Region, with that role's credentials", async () => {
    const { clients, assumeRole } = withStub();
    const first = clients.rds('us-east-1', ROLE_A);
    expect(clients.rds('us-east-1', ROLE_A)).toBe(first);
    expect(clients.rds('us-east-1', { ...ROLE_A })).toBe(first);
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(assumeRole).toHaveBeenCalledWith(ROLE_A, 'us-east-1');
    await expect(first.config.credentials()).resolves.toMatchObject({
      accessKeyId: `AKID|${ROLE_A.roleArn}||us-east-1`,
    });
    await expect(first.config.region()).resolves.toBe('us-east-1');
    clients.destroy?.();
  });

  it('a different Region, role or external ID is another session and another client', async () => {
    const { clients, assumeRole } = withStub();
    const base = clients.rds('us-east-1', ROLE_A);
    const otherRegion = clients.rds('eu-west-1', ROLE_A);
    const otherRole = clients.rds('us-east-1', ROLE_B);
    const withExternalId = clients.rds('us-east-1', { ...ROLE_A, externalId: 'ext-1' });
    const otherExternalId = clients.rds('us-east-1', { ...ROLE_A, externalId: 'ext-2' });
    const all = [base, otherRegion, otherRole, withExternalId, otherExternalId];
    expect(new Set(all).size).toBe(5);
    expect(assumeRole.mock.calls).toEqual([
      [ROLE_A, 'us-east-1'],
      [ROLE_A, 'eu-west-1'],
      [ROLE_B, 'us-east-1'],
      [{ ...ROLE_A, externalId: 'ext-1' }, 'us-east-1'],
      [{ ...ROLE_A, externalId: 'ext-2' }, 'us-east-1'],
    ]);
    await expect(otherRegion.config.credentials()).resolves.toMatchObject({
      accessKeyId: `AKID|${ROLE_A.roleArn}||eu-west-1`,
    });
    await expect(otherExternalId.config.credentials()).resolves.toMatchObject({
      accessKeyId: `AKID|${ROLE_A.roleArn}|ext-2|us-east-1`,
    });
    // Asking again reuses every one of them.
    expect(clients.rds('us-east-1', { ...ROLE_A, externalId: 'ext-1' })).toBe(withExternalId);
    expect(assumeRole).toHaveBeenCalledTimes(5);
    clients.destroy?.();
  });

  it('without a role, no role is assumed and the default client is separate from the role clients', () => {
    const { clients, assumeRole } = withStub();
    const plain = clients.rds('us-east-1');
    clients.kms('us-east-1');
    clients.sts('us-east-1');
    clients.sns('us-east-1');
    expect(assumeRole).not.toHaveBeenCalled();
    expect(clients.rds('us-east-1', ROLE_A)).not.toBe(plain);
    expect(clients.rds('us-east-1')).toBe(plain);
    clients.destroy?.();
  });

  it("a role's RDS, KMS and STS clients in one Region share one session", async () => {
    const { clients, assumeRole } = withStub();
    const rds = clients.rds('us-east-1', ROLE_A);
    const kms = clients.kms('us-east-1', ROLE_A);
    const sts = clients.sts('us-east-1', ROLE_A);
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(new Set<unknown>([rds, kms, sts]).size).toBe(3);
    const provider = assumeRole.mock.results[0]?.value as () => Promise<unknown>;
    expect(provider).toBeTypeOf('function');
    for (const c of [rds, kms, sts]) {
      await expect(c.config.credentials()).resolves.toMatchObject({
        accessKeyId: `AKID|${ROLE_A.roleArn}||us-east-1`,
      });
    }
    clients.destroy?.();
  });

  it('destroy() drops the cached clients and sessions', () => {
    const { clients, assumeRole } = withStub();
    const rds = clients.rds('us-east-1', ROLE_A);
    const kms = clients.kms('us-east-1', ROLE_A);
    clients.destroy?.();
    expect(clients.rds('us-east-1', ROLE_A)).not.toBe(rds);
    expect(clients.kms('us-east-1', ROLE_A)).not.toBe(kms);
    expect(assumeRole).toHaveBeenCalledTimes(2);
    clients.destroy?.();
  });

  it('assumedRoleCredentials returns a provider without calling STS', () => {
    useEnv({ AWS_ENDPOINT_URL: url });
    const provider = assumedRoleCredentials({ ...ROLE_A, externalId: 'ext-42' }, 'us-east-1');
    expect(provider).toBeTypeOf('function');
    expect(seen).toHaveLength(0);
  });

  it("the provider, when called, assumes the role through STS with snapcopy's session", async () => {
    useEnv({ AWS_ENDPOINT_URL: url });
    const provider = assumedRoleCredentials({ ...ROLE_A, externalId: 'ext-42' }, 'us-east-1');
    // The local server answers with no credentials: only the request matters here.
    await expect(provider()).rejects.toBeDefined();
    const assume = seen.find((s) => s.body.includes('Action=AssumeRole'));
    expect(assume).toBeDefined();
    const params = new URLSearchParams(assume?.body);
    expect(params.get('RoleArn')).toBe(ROLE_A.roleArn);
    expect(params.get('RoleSessionName')).toBe(ROLE_SESSION_NAME);
    expect(params.get('DurationSeconds')).toBe(String(ROLE_SESSION_SECONDS));
    expect(params.get('ExternalId')).toBe('ext-42');
  });

  it('the provider sends no ExternalId for a role without one', async () => {
    useEnv({ AWS_ENDPOINT_URL: url });
    await expect(assumedRoleCredentials(ROLE_B, 'us-east-1')()).rejects.toBeDefined();
    const assume = seen.find((s) => s.body.includes('Action=AssumeRole'));
    const params = new URLSearchParams(assume?.body);
    expect(params.get('RoleArn')).toBe(ROLE_B.roleArn);
    expect(params.has('ExternalId')).toBe(false);
  });
});
