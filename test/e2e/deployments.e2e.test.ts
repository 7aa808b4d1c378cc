// End to end, the three ways a worker is deployed (the emulator's default credentials are the worker's own
// account; other accounts are reached through roles that moto's STS hands out): in the source account with
// only TargetRoleArn, in the destination account with only SourceRoleArn, in a third account with both.
// Also: four copies of one source into one account through a copy limit of 1 keep the share until the last
// ends, and a share the owner added survives snapcopy's copies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { WorkflowHandle } from '@temporalio/client';
import { sourceKeyPolicyStatements } from '../../src/shared/cross-account';
import { defaultWorkflowId, WORKFLOW_TYPE } from '../../src/shared/names';
import { shareWorkflowId } from '../../src/shared/shares';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { CREDENTIALS, startLocalStack, type LocalStack } from '../helpers/local-stack';

const WORKER = '123456789012'; // the default credentials' account in moto
const SOURCE = '111111111111';
const TARGET = '222222222222';
const SOURCE_ROLE = `arn:aws:iam::${SOURCE}:role/snapcopy-source`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/snapcopy-target`;
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST = { minPollSeconds: 1, maxPollSeconds: 2 };

let stack: LocalStack;

interface Account {
  rds: (region: string) => RDSClient;
  kms: (region: string) => KMSClient;
}
const accounts: Record<string, Account> = {};

/** An account as its operator sets it up: the worker's with the default credentials, others through a role. */
function accountOf(id: string): Account {
  if (id === WORKER) return { rds: (r) => stack.rds(r), kms: (r) => stack.kms(r) };
  const credentials = fromTemporaryCredentials({
    masterCredentials: CREDENTIALS,
    params: { RoleArn: `arn:aws:iam::${id}:role/setup`, RoleSessionName: 'setup' },
    clientConfig: { region: EAST, endpoint: stack.emulator.endpoint },
  });
  const config = (region: string) => ({ region, endpoint: stack.emulator.endpoint, credentials });
  return { rds: (r) => new RDSClient(config(r)), kms: (r) => new KMSClient(config(r)) };
}

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 2 });
  for (const id of [WORKER, SOURCE, TARGET]) accounts[id] = accountOf(id);
  // Each account's DR key in both Regions.
  for (const id of [WORKER, TARGET]) {
    for (const region of [EAST, WEST]) await createKey(accounts[id]!.kms(region), 'alias/dr');
  }
});

afterAll(async () => {
  await stack?.stop();
});

/** An encrypted snapshot in `owner`'s account, whose key `reader` may use (the key policy says so). */
async function sourceSnapshot(
  owner: string,
  name: string,
  reader: string,
  encrypted = true,
): Promise<string> {
  const { rds, kms } = accounts[owner]!;
  let keyArn: string | undefined;
  if (encrypted) {
    const key = await createKey(kms(EAST));
    const policy = JSON.parse(
      (await kms(EAST).send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'default' }))).Policy!,
    ) as { Statement: unknown[] };
    policy.Statement.push(...sourceKeyPolicyStatements('aws', reader));
    await kms(EAST).send(
      new PutKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'default', Policy: JSON.stringify(policy) }),
    );
    keyArn = key.keyArn;
  }
  return createClusterSnapshot(rds(EAST), `${name}-cluster`, name, keyArn);
}

async function start(input: CopyDbClusterSnapshotInput): Promise<WorkflowHandle> {
  return stack.env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: defaultWorkflowId(input.TargetRegion, input.TargetDBClusterSnapshotIdentifier!),
    args: [{ ...input, options: { ...FAST, ...input.options } }],
  });
}

async function copied(handle: WorkflowHandle): Promise<CopyDbClusterSnapshotResult> {
  return (await handle.result()) as CopyDbClusterSnapshotResult;
}

async function manualSnapshots(account: string, region: string): Promise<string[]> {
  const out = await accounts[account]!.rds(region).send(
    new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return (out.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier!).sort();
}

async function sharedWith(owner: string, snapshot: string): Promise<string[]> {
  const out = await accounts[owner]!.rds(EAST).send(
    new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: snapshot }),
  );
  const attrs = out.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? [];
  return attrs.find((a) => a.AttributeName === 'restore')?.AttributeValues ?? [];
}

/** Waits until the source's share holder has ended: it takes the share back after the last copy. */
async function holderEnded(owner: string, snapshot: string, account: string): Promise<void> {
  const id = shareWorkflowId({
    sourceAccountId: owner,
    region: EAST,
    identifier: snapshot,
    accountId: account,
  });
  await stack.env.client.workflow.getHandle(id).result();
}

describe('worker deployments end to end', () => {
  it('the worker in the source account (TargetRoleArn only): an encrypted source by name, across Regions in two hops', async () => {
    await sourceSnapshot(WORKER, 'dep-a', TARGET);
    const result = await copied(
      await start({
        SourceDBClusterSnapshotIdentifier: 'dep-a',
        SourceRegion: EAST,
        TargetDBClusterSnapshotIdentifier: 'dep-a-dr',
        TargetRegion: WEST,
        TargetRoleArn: TARGET_ROLE,
        KmsKeyId: 'alias/dr',
      }),
    );
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
      `arn:aws:rds:${WEST}:${TARGET}:cluster-snapshot:dep-a-dr`,
    );
    expect(result.summary.crossAccount?.hops.map((h) => [h.hop, h.accountId, h.status])).toEqual([
      ['intermediate', TARGET, 'deleted'],
      ['final', TARGET, 'available'],
    ]);
    await holderEnded(WORKER, 'dep-a', TARGET);
    expect(await sharedWith(WORKER, 'dep-a')).toEqual([]);
    expect(await manualSnapshots(TARGET, EAST)).toEqual([]);
    expect(await manualSnapshots(TARGET, WEST)).toContain('dep-a-dr');
  });

  it('the worker in the destination account (SourceRoleArn only): an encrypted source by name, across Regions', async () => {
    await sourceSnapshot(SOURCE, 'dep-b', WORKER);
    const result = await copied(
      await start({
        SourceDBClusterSnapshotIdentifier: 'dep-b',
        SourceRegion: EAST,
        TargetDBClusterSnapshotIdentifier: 'dep-b-dr',
        TargetRegion: WEST,
        SourceRoleArn: SOURCE_ROLE,
        KmsKeyId: 'alias/dr',
      }),
    );
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
      `arn:aws:rds:${WEST}:${WORKER}:cluster-snapshot:dep-b-dr`,
    );
    await holderEnded(SOURCE, 'dep-b', WORKER);
    expect(await sharedWith(SOURCE, 'dep-b')).toEqual([]);
    expect(await manualSnapshots(WORKER, EAST)).not.toContain('dep-b-dr-hop1');
    expect(await manualSnapshots(WORKER, WEST)).toContain('dep-b-dr');
  });

  it('the worker in a third account (both roles): an encrypted source by ARN, in its Region', async () => {
    const arn = await sourceSnapshot(SOURCE, 'dep-c', TARGET);
    const result = await copied(
      await start({
        SourceDBClusterSnapshotIdentifier: arn,
        TargetDBClusterSnapshotIdentifier: 'dep-c-dr',
        TargetRegion: EAST,
        SourceRoleArn: SOURCE_ROLE,
        TargetRoleArn: TARGET_ROLE,
        KmsKeyId: 'alias/dr',
      }),
    );
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
      `arn:aws:rds:${EAST}:${TARGET}:cluster-snapshot:dep-c-dr`,
    );
    await holderEnded(SOURCE, 'dep-c', TARGET);
    expect(await sharedWith(SOURCE, 'dep-c')).toEqual([]);
  });

  it('a source of another account without SourceRoleArn, not shared: fails naming SourceRoleArn, creating nothing', async () => {
    const arn = await sourceSnapshot(SOURCE, 'dep-d', TARGET);
    const handle = await start({
      SourceDBClusterSnapshotIdentifier: arn,
      TargetDBClusterSnapshotIdentifier: 'dep-d-dr',
      TargetRegion: EAST,
      TargetRoleArn: TARGET_ROLE,
      KmsKeyId: 'alias/dr',
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => (e as { cause?: { type?: string; message?: string } }).cause,
    );
    expect(err?.type).toBe('InvalidParameterCombination');
    expect(err?.message).toMatch(/^SourceRoleArn: .*account 111111111111/);
    expect(await manualSnapshots(TARGET, EAST)).not.toContain('dep-d-dr');
  });

  it('four copies of one source into one account through a copy limit of 1: all copied, the share kept until the last', async () => {
    await sourceSnapshot(WORKER, 'dep-e', TARGET, false);
    await stack.emulator.configure({ copyLimit: 1 });
    try {
      const targets = ['dep-e-1', 'dep-e-2', 'dep-e-3', 'dep-e-4'];
      const handles = await Promise.all(
        targets.map((t) =>
          start({
            SourceDBClusterSnapshotIdentifier: 'dep-e',
            TargetDBClusterSnapshotIdentifier: t,
            TargetRegion: EAST,
            TargetRoleArn: TARGET_ROLE,
          }),
        ),
      );
      // As each copy ends, the others still need the share: it must be there.
      const pending = new Map(handles.map((h) => [h.workflowId, copied(h).then((r) => ({ h, r }))]));
      while (pending.size > 0) {
        const { h, r } = await Promise.race(pending.values());
        pending.delete(h.workflowId);
        expect(r.summary.outcome).toBe('copied');
        if (pending.size > 0) expect(await sharedWith(WORKER, 'dep-e')).toEqual([TARGET]);
      }
      await holderEnded(WORKER, 'dep-e', TARGET);
      expect(await sharedWith(WORKER, 'dep-e')).toEqual([]);
      expect((await manualSnapshots(TARGET, EAST)).filter((s) => s.startsWith('dep-e-'))).toEqual(targets);
    } finally {
      await stack.emulator.configure({ copyLimit: 5 });
    }
  });

  it("a share the owner added survives snapcopy's copies", async () => {
    await sourceSnapshot(WORKER, 'dep-f', TARGET, false);
    await stack.rds(EAST).send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: 'dep-f',
        AttributeName: 'restore',
        ValuesToAdd: [TARGET],
      }),
    );
    const results = await Promise.all(
      ['dep-f-1', 'dep-f-2'].map(async (t) =>
        copied(
          await start({
            SourceDBClusterSnapshotIdentifier: 'dep-f',
            TargetDBClusterSnapshotIdentifier: t,
            TargetRegion: EAST,
            TargetRoleArn: TARGET_ROLE,
          }),
        ),
      ),
    );
    expect(results.map((r) => [r.summary.outcome, r.summary.crossAccount?.shared])).toEqual([
      ['copied', false],
      ['copied', false],
    ]);
    await holderEnded(WORKER, 'dep-f', TARGET);
    expect(await sharedWith(WORKER, 'dep-f')).toEqual([TARGET]);
  });
});
