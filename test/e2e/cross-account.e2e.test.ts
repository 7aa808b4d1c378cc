// End to end with two accounts: the real worker and activities assume roles in the emulator (moto's STS
// gives each role's session its account), the emulator copies only what is shared and checks keys as AWS
// does, and a cross-account cross-Region copy leaves nothing behind — nor any credential in history or logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sourceKeyPolicyStatements } from '../../src/shared/cross-account';
import { defaultWorkflowId, WORKFLOW_TYPE } from '../../src/shared/names';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { CREDENTIALS, startLocalStack, type LocalStack } from '../helpers/local-stack';

// Everything the worker, its workflows and activities log, at DEBUG, is kept to be searched for secrets.
const logs: string[] = [];
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) =>
    logs.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`),
  ),
});

const SOURCE_ACCOUNT = '123456789012'; // the default credentials' account in moto
const TARGET_ACCOUNT = '222222222222';
const SOURCE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/snapcopy-source`;
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/snapcopy-target`;
const EXTERNAL_ID = 'snapcopy-e2e-external';
const FAST = { minPollSeconds: 1, maxPollSeconds: 2 };

let stack: LocalStack;
let sourceArn: string;
let targetKeyArn: string;
let target: { rds: (region: string) => RDSClient; kms: (region: string) => KMSClient };

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 3 });
  // The target account, as an operator sets it up: through a role of its own.
  const credentials = fromTemporaryCredentials({
    masterCredentials: CREDENTIALS,
    params: { RoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/setup`, RoleSessionName: 'setup' },
    clientConfig: { region: 'us-east-1', endpoint: stack.emulator.endpoint },
  });
  const config = (region: string): KMSClientConfig => ({
    region,
    endpoint: stack.emulator.endpoint,
    credentials,
  });
  target = { rds: (r) => new RDSClient(config(r)), kms: (r) => new KMSClient(config(r)) };
  targetKeyArn = (await createKey(target.kms('us-west-2'), 'alias/dr')).keyArn;

  // The source account: a customer managed key whose policy lets the target account use it.
  const kms = stack.kms('us-east-1');
  const sourceKey = await createKey(kms);
  const policy = JSON.parse(
    (await kms.send(new GetKeyPolicyCommand({ KeyId: sourceKey.keyId, PolicyName: 'default' }))).Policy!,
  ) as { Statement: unknown[] };
  policy.Statement.push(...sourceKeyPolicyStatements('aws', TARGET_ACCOUNT));
  await kms.send(
    new PutKeyPolicyCommand({
      KeyId: sourceKey.keyId,
      PolicyName: 'default',
      Policy: JSON.stringify(policy),
    }),
  );
  sourceArn = await createClusterSnapshot(
    stack.rds('us-east-1'),
    'xa-prod',
    'xa-prod-snap',
    sourceKey.keyArn,
  );
});

afterAll(async () => {
  await stack?.stop();
});

async function start(input: CopyDbClusterSnapshotInput): Promise<WorkflowHandle> {
  return stack.env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: defaultWorkflowId(input.TargetRegion, input.TargetDBClusterSnapshotIdentifier!),
    args: [input],
  });
}

async function snapshotsIn(rds: RDSClient): Promise<string[]> {
  const out = await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
  return (out.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier!).sort();
}

/** The sessions the emulator's STS handed out to snapcopy's roles: the secrets that must appear nowhere. */
async function sessions(): Promise<{ secrets: string[]; externalIds: (string | null)[] }> {
  const res = await fetch(`${stack.emulator.endpoint}/snapcopy-emulator/sessions`);
  const { sessions: all } = (await res.json()) as {
    sessions: {
      roleArn: string;
      externalId: string | null;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
    }[];
  };
  const ours = all.filter((r) => r.roleArn === SOURCE_ROLE || r.roleArn === TARGET_ROLE);
  return {
    secrets: ours.flatMap((r) => [r.accessKeyId, r.secretAccessKey, r.sessionToken]),
    externalIds: ours.map((r) => r.externalId),
  };
}

/** A history as text with every payload decoded (payloads are base64 JSON in the history's JSON). */
function readable(history: unknown): string {
  const text = JSON.stringify(history);
  const decoded = [...text.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [text, ...decoded].join('\n');
}

describe('cross-account end to end', () => {
  it('copies an encrypted snapshot into another account and Region in two hops, leaving nothing behind', async () => {
    const before = { source: await snapshotsIn(stack.rds('us-east-1')) };
    const handle = await start({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: 'xa-prod-dr',
      TargetRegion: 'us-west-2',
      SourceRoleArn: SOURCE_ROLE,
      TargetRoleArn: TARGET_ROLE,
      KmsKeyId: 'alias/dr',
      options: { ...FAST, externalId: EXTERNAL_ID },
    });
    const result = (await handle.result()) as CopyDbClusterSnapshotResult;
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
      `arn:aws:rds:us-west-2:${TARGET_ACCOUNT}:cluster-snapshot:xa-prod-dr`,
    );
    expect(result.DBClusterSnapshot?.KmsKeyId).toBe(targetKeyArn);
    expect(result.summary.crossAccount?.hops.map((h) => [h.hop, h.accountId, h.region, h.status])).toEqual([
      ['intermediate', TARGET_ACCOUNT, 'us-east-1', 'deleted'],
      ['final', TARGET_ACCOUNT, 'us-west-2', 'available'],
    ]);

    // Nothing extra in either account, and the source is no longer shared.
    expect(await snapshotsIn(stack.rds('us-east-1'))).toEqual(before.source);
    expect(await snapshotsIn(target.rds('us-east-1'))).toEqual([]);
    expect(await snapshotsIn(target.rds('us-west-2'))).toEqual(['xa-prod-dr']);
    const attrs = await stack
      .rds('us-east-1')
      .send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: 'xa-prod-snap' }));
    const restore = attrs.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.find(
      (a) => a.AttributeName === 'restore',
    );
    expect(restore?.AttributeValues ?? []).not.toContain(TARGET_ACCOUNT);

    // The roles were assumed with the external ID, and no session's key or token is in any history or log.
    const { secrets, externalIds } = await sessions();
    expect(secrets.length).toBeGreaterThanOrEqual(6); // both roles, at least one session each
    expect(new Set(externalIds)).toEqual(new Set([EXTERNAL_ID]));
    const histories = [
      readable(await handle.fetchHistory()),
      readable(await stack.env.client.workflow.getHandle(`${handle.workflowId}-intermediate`).fetchHistory()),
    ].join('\n');
    expect(histories).toContain(TARGET_ROLE); // the histories are really the run's
    expect(logs.length).toBeGreaterThan(0);
    const everything = `${histories}\n${logs.join('\n')}`;
    for (const secret of secrets) expect(everything.includes(secret), 'a credential leaked').toBe(false);
  });
});
