// `snapcopy iam-policy --cross-account`: the flags' input and every policy a cross-account copy needs. Pure.
import { describe, expect, it } from 'vitest';
import {
  buildAllLayouts,
  buildCrossAccountPolicies,
  type CrossAccountPolicies,
} from '../../src/cli/commands/iam-policy/cross-account';
import {
  crossAccountInputOf,
  policyInputOf,
  type IamPolicyFlags,
} from '../../src/cli/commands/iam-policy/report';
import { buildIamPolicy, type PolicyDocument } from '../../src/cli/commands/iam-policy/policy';
import { UsageError } from '../../src/cli/errors';
import { sourceKeyPolicyStatements } from '../../src/shared/cross-account';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const WORKER = '333333333333';
const SOURCE_ROLE = `arn:aws:iam::${SOURCE}:role/snapcopy/source`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/snapcopy-target`;
const key = (region: string, account: string, n: number) =>
  `arn:aws:kms:${region}:${account}:key/${n}234abcd-12ab-34cd-56ef-1234567890ab`;
const SOURCE_KEY_USE1 = key('us-east-1', SOURCE, 1);
const SOURCE_KEY_EUW1 = key('eu-west-1', SOURCE, 2);
const SHARE_KEY = key('us-east-1', SOURCE, 3);
const DEST_KEY_USW2 = key('us-west-2', TARGET, 4);
const DEST_KEY_USE1 = key('us-east-1', TARGET, 5);

/** Two source Regions, one target Region, source and destination keys, an external ID. */
const FLAGS: IamPolicyFlags = {
  crossAccount: true,
  sourceRegion: ['us-east-1', 'eu-west-1'],
  targetRegion: 'us-west-2',
  sourceRoleArn: SOURCE_ROLE,
  targetRoleArn: TARGET_ROLE,
  sourceKmsKeyArn: [SOURCE_KEY_USE1, SOURCE_KEY_EUW1],
  kmsKeyArn: [DEST_KEY_USW2, DEST_KEY_USE1],
  externalId: 'snapcopy-ext-42',
  account: WORKER,
};

const policiesOf = (flags: IamPolicyFlags, env?: string): CrossAccountPolicies =>
  buildCrossAccountPolicies(crossAccountInputOf(flags, env));

/** What a policy grants (its Allow statements; the Deny statements are the holds', checked on their own). */
const allows = (policy: PolicyDocument) => policy.Statement.filter((s) => s.Effect === 'Allow');
const actionsOf = (policy: PolicyDocument) => [...new Set(allows(policy).flatMap((s) => s.Action))].sort();
const bySid = (policy: PolicyDocument, sid: string) => policy.Statement.find((s) => s.Sid === sid);
const byAction = (policy: PolicyDocument, action: string) => {
  const found = allows(policy).filter((s) => s.Action.includes(action));
  expect(found.length, action).toBeLessThanOrEqual(1);
  return found[0];
};
const snapshots = (account: string, ...regions: string[]) =>
  regions.map((r) => `arn:aws:rds:${r}:${account}:cluster-snapshot:*`);
const clusters = (account: string, ...regions: string[]) =>
  regions.map((r) => `arn:aws:rds:${r}:${account}:cluster:*`);
const via = (...regions: string[]) => regions.map((r) => `rds.${r}.amazonaws.com`);
const MANAGED_DELETE = {
  StringEquals: {
    'aws:ResourceTag/snapcopy:managed': 'true',
    'rds:cluster-snapshot-tag/snapcopy:managed': 'true',
  },
};
const MANAGED_REQUEST = { StringEquals: { 'aws:RequestTag/snapcopy:managed': 'true' } };
/** Restore tests: created only with the throwaway's tags, and changed only while it carries them. */
const THROWAWAY_REQUEST = {
  StringEquals: { 'aws:RequestTag/snapcopy:managed': 'true' },
  Null: { 'aws:RequestTag/snapcopy:verify-of': 'false' },
};
const throwawayTagged = (rdsKey?: string) => ({
  StringEquals: {
    'aws:ResourceTag/snapcopy:managed': 'true',
    ...(rdsKey ? { [`${rdsKey}/snapcopy:managed`]: 'true' } : {}),
  },
  Null: {
    'aws:ResourceTag/snapcopy:verify-of': 'false',
    ...(rdsKey ? { [`${rdsKey}/snapcopy:verify-of`]: 'false' } : {}),
  },
});
const verifyClusters = (account: string, ...regions: string[]) =>
  regions.map((r) => `arn:aws:rds:${r}:${account}:cluster:snapcopy-verify-*`);
const verifyWriters = (account: string, ...regions: string[]) =>
  regions.map((r) => `arn:aws:rds:${r}:${account}:db:snapcopy-verify-*-writer`);
const FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

const HOLD_SIDS = ['NeverDeleteHeldSnapshots', 'NeverDeleteHeldSnapshotsRdsKey', 'NeverTouchTheHoldTag'];

/**
 * Holds: the only Deny statements are the holds', and every policy that may delete or tag cluster snapshots
 * denies, on the same snapshots, deleting one tagged snapcopy:hold (under either condition key) and adding
 * or removing the snapcopy:hold tag.
 */
function expectHoldsProtected(policy: PolicyDocument): void {
  const denies = policy.Statement.filter((s) => s.Effect === 'Deny');
  for (const d of denies) expect(HOLD_SIDS).toContain(d.Sid);
  const deletes = allows(policy).filter((s) => s.Action.includes('rds:DeleteDBClusterSnapshot'));
  if (deletes.length === 0) {
    expect(denies).toEqual([]);
    return;
  }
  const resources = deletes.flatMap((s) => s.Resource);
  expect(denies).toEqual([
    {
      Sid: 'NeverDeleteHeldSnapshots',
      Effect: 'Deny',
      Action: ['rds:DeleteDBClusterSnapshot'],
      Resource: resources,
      Condition: { Null: { 'aws:ResourceTag/snapcopy:hold': 'false' } },
    },
    {
      Sid: 'NeverDeleteHeldSnapshotsRdsKey',
      Effect: 'Deny',
      Action: ['rds:DeleteDBClusterSnapshot'],
      Resource: resources,
      Condition: { Null: { 'rds:cluster-snapshot-tag/snapcopy:hold': 'false' } },
    },
    {
      Sid: 'NeverTouchTheHoldTag',
      Effect: 'Deny',
      Action: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
      Resource: resources,
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['snapcopy:hold'] } },
    },
  ]);
  // Every snapshot the policy may tag is covered too (tags go on the snapshots it may delete).
  for (const t of allows(policy).filter((s) => s.Action.includes('rds:AddTagsToResource'))) {
    for (const r of t.Resource.filter((x) => x.includes(':cluster-snapshot:')))
      expect(resources).toContain(r);
  }
}

/** Least-privilege rules every policy keeps. */
function expectLeastPrivilege(policy: PolicyDocument): void {
  expect(policy.Version).toBe('2012-10-17');
  const sids = policy.Statement.map((s) => s.Sid);
  expect(new Set(sids).size).toBe(sids.length); // IAM refuses duplicate Sids
  expectHoldsProtected(policy);
  for (const s of allows(policy)) {
    for (const a of s.Action) expect(a).not.toMatch(/^(?:\*|[a-z]+:\*|rds:Delete\*)$/);
    for (const r of s.Resource) expect(r).not.toBe('*');
    if (s.Action.includes('rds:DeleteDBClusterSnapshot')) {
      expect(s.Action).toEqual(['rds:DeleteDBClusterSnapshot']);
      expect(s.Condition).toEqual(MANAGED_DELETE);
    }
    // Tags only in create requests that set snapcopy:managed=true (a copy's, or a throwaway's with verify-of).
    if (s.Action.includes('rds:AddTagsToResource')) {
      expect([MANAGED_REQUEST, THROWAWAY_REQUEST]).toContainEqual(s.Condition);
    }
    // No delete, and nothing on a running throwaway, without snapcopy's tags on the resource.
    for (const a of s.Action.filter((a) => /^rds:Delete|^rds:EnableHttpEndpoint$|^rds-data:/.test(a))) {
      expect(s.Action, a).toEqual([a]);
      expect(s.Condition?.StringEquals?.['aws:ResourceTag/snapcopy:managed'], a).toBe('true');
      if (a !== 'rds:DeleteDBClusterSnapshot') {
        expect(s.Condition?.Null?.['aws:ResourceTag/snapcopy:verify-of'], a).toBe('false');
      }
    }
    // Restores and instances: the new cluster or instance only with the request tags; the statements without
    // them name only what the request reads (snapshot, groups, the cluster an instance joins).
    if (s.Action.includes('rds:RestoreDBClusterFromSnapshot') || s.Action.includes('rds:CreateDBInstance')) {
      if (s.Condition === undefined) {
        const creates = s.Action.includes('rds:RestoreDBClusterFromSnapshot') ? ':cluster:' : ':db:';
        for (const r of s.Resource) expect(r).not.toContain(creates);
      } else {
        expect(s.Condition).toEqual(THROWAWAY_REQUEST);
        for (const r of s.Resource)
          expect(r).toMatch(/:(cluster:snapcopy-verify-\*|db:snapcopy-verify-\*-writer)$/);
      }
    }
    if (s.Action.includes('kms:CreateGrant')) expect(s.Condition).toEqual(FOR_AWS_RESOURCE);
    if (s.Action.includes('kms:Decrypt')) expect(s.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
  }
}

describe('iam-policy --cross-account: the policies', () => {
  const p = policiesOf(FLAGS);

  it('prints the four parts, each policy least privilege', () => {
    expect(Object.keys(p)).toEqual(['layout', 'worker', 'sourceRole', 'targetRole', 'sourceKeyPolicy']);
    for (const policy of [p.worker, p.sourceRole!.policy, p.targetRole!.policy]) expectLeastPrivilege(policy);
  });

  it('the worker may only assume exactly the two roles', () => {
    expect(p.worker.Statement).toEqual([
      {
        Sid: 'AssumeSnapcopyRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: [SOURCE_ROLE, TARGET_ROLE],
      },
    ]);
  });

  it('both roles trust the worker principal, with the external ID', () => {
    expect(p.sourceRole!.arn).toBe(SOURCE_ROLE);
    expect(p.targetRole!.arn).toBe(TARGET_ROLE);
    for (const role of [p.sourceRole!, p.targetRole!]) {
      expect(role.trustPolicy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${WORKER}:root` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'snapcopy-ext-42' } },
          },
        ],
      });
    }
  });

  it('source role: find and share snapshots of the source account in the source Regions, describe its keys', () => {
    const policy = p.sourceRole!.policy;
    expect(actionsOf(policy)).toEqual([
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'rds:DescribeDBClusterSnapshotAttributes',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:ListTagsForResource',
      'rds:ModifyDBClusterSnapshotAttribute',
    ]);
    // snapcopy reads each source key's policy before sharing (may the target use it?).
    expect(byAction(policy, 'kms:GetKeyPolicy')?.Resource).toEqual([SOURCE_KEY_USE1, SOURCE_KEY_EUW1]);
    expect(byAction(policy, 'rds:DescribeDBClusterSnapshots')?.Resource).toEqual([
      ...snapshots(SOURCE, 'us-east-1', 'eu-west-1'),
      ...clusters(SOURCE, 'us-east-1', 'eu-west-1'),
    ]);
    expect(byAction(policy, 'rds:DescribeDBClusters')?.Resource).toEqual(
      clusters(SOURCE, 'us-east-1', 'eu-west-1'),
    );
    const share = byAction(policy, 'rds:ModifyDBClusterSnapshotAttribute');
    expect(share?.Action).toEqual([
      'rds:DescribeDBClusterSnapshotAttributes',
      'rds:ModifyDBClusterSnapshotAttribute',
    ]);
    expect(share?.Resource).toEqual(snapshots(SOURCE, 'us-east-1', 'eu-west-1'));
    expect(byAction(policy, 'kms:DescribeKey')?.Resource).toEqual([SOURCE_KEY_USE1, SOURCE_KEY_EUW1]);
    // Nothing outside the source account, and nothing in the target Region.
    for (const r of policy.Statement.flatMap((s) => s.Resource)) {
      expect(r).toContain(`:${SOURCE}:`);
      expect(r).not.toContain('us-west-2');
    }
  });

  it('source role without --share-kms-key-arn: no copy, tag, delete, grant or crypto', () => {
    const actions = actionsOf(p.sourceRole!.policy);
    for (const a of [
      'rds:CopyDBClusterSnapshot',
      'rds:AddTagsToResource',
      'rds:DeleteDBClusterSnapshot',
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:Encrypt',
    ]) {
      expect(actions).not.toContain(a);
    }
  });

  it('target role: copies in the target and the source Regions, also on the source account snapshots', () => {
    const policy = p.targetRole!.policy;
    const all = ['us-east-1', 'eu-west-1', 'us-west-2'];
    expect(actionsOf(policy)).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
      'rds:AddTagsToResource',
      'rds:CopyDBClusterSnapshot',
      'rds:CreateDBInstance',
      'rds:DeleteDBCluster',
      'rds:DeleteDBClusterSnapshot',
      'rds:DeleteDBInstance',
      'rds:DescribeDBClusterSnapshots',
      'rds:DescribeDBClusters',
      'rds:DescribeDBInstances',
      'rds:ListTagsForResource',
      'rds:RestoreDBClusterFromSnapshot',
    ]);
    expect(byAction(policy, 'rds:DescribeDBClusterSnapshots')?.Resource).toEqual([
      ...snapshots(TARGET, ...all),
      ...clusters(TARGET, ...all),
      ...snapshots(SOURCE, 'us-east-1', 'eu-west-1'), // the shared source, read by its ARN
    ]);
    expect(bySid(policy, 'ReadClusterSnapshotTags')?.Resource).toEqual(snapshots(TARGET, ...all));
    expect(byAction(policy, 'rds:CopyDBClusterSnapshot')?.Resource).toEqual([
      ...snapshots(TARGET, ...all),
      ...snapshots(SOURCE, 'us-east-1', 'eu-west-1'), // the shared source snapshots, not in the target Region
    ]);
    // Tagging and deleting only its own copies, only in the target account (the intermediate copy included).
    expect(bySid(policy, 'TagCopiesAtCreation')).toMatchObject({
      Action: ['rds:AddTagsToResource'],
      Resource: snapshots(TARGET, ...all),
      Condition: MANAGED_REQUEST,
    });
    expect(byAction(policy, 'rds:DeleteDBClusterSnapshot')).toMatchObject({
      Resource: snapshots(TARGET, ...all),
      Condition: MANAGED_DELETE,
    });
    // The destination keys and the source keys (an IAM policy in the using account is needed too).
    const keys = [DEST_KEY_USW2, DEST_KEY_USE1, SOURCE_KEY_USE1, SOURCE_KEY_EUW1];
    expect(byAction(policy, 'kms:DescribeKey')?.Resource).toEqual(keys);
    expect(byAction(policy, 'kms:CreateGrant')?.Resource).toEqual(keys);
    const crypto = byAction(policy, 'kms:Decrypt');
    expect(crypto?.Resource).toEqual(keys);
    expect(crypto?.Condition).toEqual({ StringEquals: { 'kms:ViaService': via(...all) } });
    expect(actionsOf(policy).some((a) => a.startsWith('rds:Modify'))).toBe(false);
  });

  it('source key policy: the statements that let the target account use each source key', () => {
    expect(p.sourceKeyPolicy).toEqual({
      keyArns: [SOURCE_KEY_USE1, SOURCE_KEY_EUW1],
      statements: sourceKeyPolicyStatements('aws', TARGET),
    });
  });

  it('with --share-kms-key-arn: the source role re-encrypts (copy, tag, delete only its own) with the share key', () => {
    const shared = policiesOf({ ...FLAGS, shareKmsKeyArn: SHARE_KEY });
    const policy = shared.sourceRole!.policy;
    expectLeastPrivilege(policy);
    const src = snapshots(SOURCE, 'us-east-1', 'eu-west-1');
    expect(byAction(policy, 'rds:CopyDBClusterSnapshot')?.Resource).toEqual(src);
    expect(byAction(policy, 'rds:AddTagsToResource')).toMatchObject({
      Resource: src,
      Condition: MANAGED_REQUEST,
    });
    expect(byAction(policy, 'rds:DeleteDBClusterSnapshot')).toMatchObject({
      Resource: src,
      Condition: MANAGED_DELETE,
    });
    const keys = [SOURCE_KEY_USE1, SOURCE_KEY_EUW1, SHARE_KEY];
    expect(byAction(policy, 'kms:DescribeKey')?.Resource).toEqual(keys);
    expect(byAction(policy, 'kms:CreateGrant')?.Resource).toEqual([SHARE_KEY]);
    const crypto = byAction(policy, 'kms:Decrypt');
    expect(crypto?.Resource).toEqual(keys);
    expect(crypto?.Condition).toEqual({ StringEquals: { 'kms:ViaService': via('us-east-1', 'eu-west-1') } });
    // Snapshots re-encrypted with the share key are shared: its key policy and the target role need it too.
    expect(shared.sourceKeyPolicy.keyArns).toEqual(keys);
    expect(byAction(shared.targetRole!.policy, 'kms:Decrypt')?.Resource).toContain(SHARE_KEY);
    expect(byAction(shared.targetRole!.policy, 'kms:CreateGrant')?.Resource).toContain(SHARE_KEY);
    // The worker still only assumes the roles.
    expect(shared.worker).toEqual(p.worker);
  });

  it('without key flags: every key of the account in its Regions; without --external-id: no condition', () => {
    const d = policiesOf({
      crossAccount: true,
      sourceRegion: ['us-east-1', 'eu-west-1'],
      targetRegion: 'us-west-2',
      sourceRoleArn: SOURCE_ROLE,
      targetRoleArn: TARGET_ROLE,
      account: WORKER,
    });
    const sourceKeys = [`arn:aws:kms:us-east-1:${SOURCE}:key/*`, `arn:aws:kms:eu-west-1:${SOURCE}:key/*`];
    expect(byAction(d.sourceRole!.policy, 'kms:DescribeKey')?.Resource).toEqual(sourceKeys);
    expect(d.sourceKeyPolicy.keyArns).toEqual(sourceKeys);
    expect(byAction(d.targetRole!.policy, 'kms:Decrypt')?.Resource).toEqual([
      `arn:aws:kms:us-east-1:${TARGET}:key/*`,
      `arn:aws:kms:eu-west-1:${TARGET}:key/*`,
      `arn:aws:kms:us-west-2:${TARGET}:key/*`,
      ...sourceKeys,
    ]);
    for (const role of [d.sourceRole!, d.targetRole!]) {
      expect(role.trustPolicy.Statement).toEqual([
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${WORKER}:root` }, Action: 'sts:AssumeRole' },
      ]);
    }
  });

  it('a same-Region copy: the target role works in the one Region; sources default to the target Region', () => {
    const d = policiesOf({
      ...FLAGS,
      sourceRegion: undefined,
      sourceKmsKeyArn: undefined,
      kmsKeyArn: undefined,
    });
    expect(byAction(d.targetRole!.policy, 'rds:CopyDBClusterSnapshot')?.Resource).toEqual([
      ...snapshots(TARGET, 'us-west-2'),
      ...snapshots(SOURCE, 'us-west-2'),
    ]);
    expect(byAction(d.sourceRole!.policy, 'rds:DescribeDBClusters')?.Resource).toEqual(
      clusters(SOURCE, 'us-west-2'),
    );
  });

  it('the worker principal: --worker-principal, else --account, else AWS_ACCOUNT_ID; --sns-topic-arn is the worker’s', () => {
    const principal = (flags: IamPolicyFlags, env?: string) =>
      policiesOf(flags, env).targetRole!.trustPolicy.Statement[0]?.Principal.AWS;
    const role = `arn:aws:iam::${WORKER}:role/snapcopy-worker`;
    expect(principal({ ...FLAGS, workerPrincipal: role })).toBe(role);
    const session = `arn:aws:sts::${WORKER}:assumed-role/worker/i-0abc`;
    expect(principal({ ...FLAGS, workerPrincipal: session })).toBe(session);
    expect(principal({ ...FLAGS, account: undefined }, '444444444444')).toBe(
      'arn:aws:iam::444444444444:root',
    );
    const topic = `arn:aws:sns:us-west-2:${WORKER}:snapcopy`;
    const withTopic = policiesOf({ ...FLAGS, snsTopicArn: [topic] });
    expect(withTopic.worker.Statement.map((s) => s.Action)).toEqual([['sts:AssumeRole'], ['sns:Publish']]);
    expect(byAction(withTopic.worker, 'sns:Publish')?.Resource).toEqual([topic]);
    expect(actionsOf(withTopic.sourceRole!.policy)).not.toContain('sns:Publish');
  });

  it('a China Region gets its partition everywhere', () => {
    const cn = policiesOf({
      crossAccount: true,
      targetRegion: 'cn-north-1',
      sourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/s`,
      targetRoleArn: `arn:aws-cn:iam::${TARGET}:role/t`,
      account: WORKER,
    });
    expect(cn.sourceRole!.trustPolicy.Statement[0]?.Principal.AWS).toBe(`arn:aws-cn:iam::${WORKER}:root`);
    expect(byAction(cn.targetRole!.policy, 'kms:Decrypt')?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['rds.cn-north-1.amazonaws.com.cn'] },
    });
    expect(cn.sourceKeyPolicy.statements).toEqual(sourceKeyPolicyStatements('aws-cn', TARGET));
  });
});

describe('iam-policy --cross-account: the layouts', () => {
  const roles = (p: CrossAccountPolicies) => [p.sourceRole?.arn, p.targetRole?.arn];
  const worker = (p: CrossAccountPolicies) => actionsOf(p.worker);

  it('the worker in the source account (only --target-role-arn): it shares as itself and assumes the target role', () => {
    const p = policiesOf({ ...FLAGS, sourceRoleArn: undefined, sourceKmsKeyArn: undefined, account: SOURCE });
    expect(p.layout).toBe('worker-in-source');
    expect(roles(p)).toEqual([undefined, TARGET_ROLE]);
    expectLeastPrivilege(p.worker);
    expect(worker(p)).toContain('rds:ModifyDBClusterSnapshotAttribute');
    expect(worker(p)).not.toContain('rds:CopyDBClusterSnapshot');
    expect(byAction(p.worker, 'sts:AssumeRole')?.Resource).toEqual([TARGET_ROLE]);
    expect(byAction(p.worker, 'rds:ModifyDBClusterSnapshotAttribute')?.Resource).toEqual(
      snapshots(SOURCE, 'us-east-1', 'eu-west-1'),
    );
    // The target role trusts the worker's account, the source account.
    expect(p.targetRole!.trustPolicy.Statement[0]!.Principal).toEqual({ AWS: `arn:aws:iam::${SOURCE}:root` });
    expect(p.sourceKeyPolicy.statements).toEqual(sourceKeyPolicyStatements('aws', TARGET));
  });

  it('the worker in the destination account (only --source-role-arn): it copies as itself and assumes the source role', () => {
    const p = policiesOf({ ...FLAGS, targetRoleArn: undefined, kmsKeyArn: undefined, account: TARGET });
    expect(p.layout).toBe('worker-in-destination');
    expect(roles(p)).toEqual([SOURCE_ROLE, undefined]);
    expectLeastPrivilege(p.worker);
    expect(worker(p)).toContain('rds:CopyDBClusterSnapshot');
    expect(worker(p)).not.toContain('rds:ModifyDBClusterSnapshotAttribute');
    expect(byAction(p.worker, 'sts:AssumeRole')?.Resource).toEqual([SOURCE_ROLE]);
    expect(byAction(p.sourceRole!.policy, 'rds:ModifyDBClusterSnapshotAttribute')).toBeDefined();
    expect(p.sourceRole!.trustPolicy.Statement[0]!.Principal).toEqual({ AWS: `arn:aws:iam::${TARGET}:root` });
  });

  it('--layout all: the three layouts for the same two accounts, each worker trusted in its own account', () => {
    const all = buildAllLayouts(
      crossAccountInputOf({ ...FLAGS, layout: 'all', externalId: undefined }, undefined),
    );
    expect(Object.keys(all)).toEqual(['worker-in-source', 'worker-in-destination', 'tooling']);
    expect(Object.values(all).map((p) => [p.layout, ...roles(p)])).toEqual([
      ['worker-in-source', undefined, TARGET_ROLE],
      ['worker-in-destination', SOURCE_ROLE, undefined],
      ['tooling', SOURCE_ROLE, TARGET_ROLE],
    ]);
    expect(all['worker-in-source'].targetRole!.trustPolicy.Statement[0]!.Principal.AWS).toBe(
      `arn:aws:iam::${SOURCE}:root`,
    );
    expect(all['worker-in-destination'].sourceRole!.trustPolicy.Statement[0]!.Principal.AWS).toBe(
      `arn:aws:iam::${TARGET}:root`,
    );
    expect(all.tooling.sourceRole!.trustPolicy.Statement[0]!.Principal.AWS).toBe(
      `arn:aws:iam::${WORKER}:root`,
    );
    for (const p of Object.values(all)) expectLeastPrivilege(p.worker);
  });
});

describe('iam-policy --cross-account: usage errors name the flag (exit 2)', () => {
  const refuses = (flags: IamPolicyFlags, message: RegExp, env?: string) => {
    let error: unknown;
    try {
      crossAccountInputOf(flags, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toMatch(message);
  };

  it('role ARNs: at least one, those a layout needs, an IAM role ARN, the partition of the Regions, two different accounts', () => {
    refuses(
      { ...FLAGS, sourceRoleArn: undefined, targetRoleArn: undefined },
      /^--cross-account needs --source-role-arn <arn> \(the worker runs in the destination account\), --target-role-arn/,
    );
    refuses(
      { ...FLAGS, sourceRoleArn: undefined, layout: 'tooling' },
      /^--layout tooling needs --source-role-arn/,
    );
    refuses({ ...FLAGS, targetRoleArn: undefined, layout: 'all' }, /^--layout all needs --target-role-arn/);
    refuses(
      { ...FLAGS, layout: 'sideways' },
      /^--layout "sideways" must be one of worker-in-source, worker-in-destination, tooling, all$/,
    );
    refuses(
      { ...FLAGS, sourceRoleArn: undefined, account: undefined, workerPrincipal: undefined },
      /^a side without a role is the account the worker runs in: give --account <id>/,
    );
    refuses(
      { ...FLAGS, sourceRoleArn: undefined, account: TARGET },
      /^the source and the target are both account 222222222222/,
    );
    refuses(
      { ...FLAGS, sourceRoleArn: `arn:aws:iam::${SOURCE}:user/bob` },
      /^--source-role-arn .* must be an IAM role ARN/,
    );
    refuses(
      { ...FLAGS, targetRoleArn: 'snapcopy-target' },
      /^--target-role-arn "snapcopy-target" must be an IAM role ARN/,
    );
    refuses(
      { ...FLAGS, targetRoleArn: 'arn:aws:iam::12345:role/x' },
      /^--target-role-arn .* must be an IAM role ARN/,
    );
    refuses(
      { ...FLAGS, sourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/s` },
      /^--source-role-arn .* partition aws-cn, not in partition aws/,
    );
    refuses(
      { ...FLAGS, targetRoleArn: `arn:aws:iam::${SOURCE}:role/other` },
      /^the source and the target are both account 111111111111: .*two accounts/,
    );
  });

  it('source and share keys: KMS key ARNs of the source account in a source Region', () => {
    refuses(
      { ...FLAGS, sourceKmsKeyArn: [key('us-east-1', TARGET, 1)] },
      /^--source-kms-key-arn .* is in account 222222222222, not in the source account 111111111111 \(of --source-role-arn\)$/,
    );
    refuses(
      { ...FLAGS, sourceKmsKeyArn: [key('us-west-2', SOURCE, 1)] },
      /^--source-kms-key-arn .* is in us-west-2, which is not a --source-region/,
    );
    refuses(
      { ...FLAGS, sourceKmsKeyArn: [`arn:aws:kms:us-east-1:${SOURCE}:alias/aws/rds`] },
      /^--source-kms-key-arn .* must be a KMS key ARN.*not aliases/,
    );
    refuses(
      { ...FLAGS, shareKmsKeyArn: key('us-east-1', TARGET, 3) },
      /^--share-kms-key-arn .* is in account 222222222222, not in the source account/,
    );
    refuses({ ...FLAGS, shareKmsKeyArn: key('ap-south-1', SOURCE, 3) }, /^--share-kms-key-arn .* ap-south-1/);
  });

  it('destination keys: KMS key ARNs of the target account in the target or a source Region', () => {
    refuses(
      { ...FLAGS, kmsKeyArn: [SOURCE_KEY_USE1] },
      /^--kms-key-arn .* is in account 111111111111, not in the target account 222222222222 \(of --target-role-arn\)$/,
    );
    refuses(
      { ...FLAGS, kmsKeyArn: [key('ap-south-1', TARGET, 4)] },
      /^--kms-key-arn .* ap-south-1, which is neither a --source-region nor the --target-region/,
    );
  });

  it('external ID: 2 to 1224 characters of [\\w+=,.@:/-]', () => {
    refuses({ ...FLAGS, externalId: 'x' }, /^--external-id "x" must be 2 to 1224 characters/);
    refuses({ ...FLAGS, externalId: 'has space' }, /^--external-id "has space"/);
    refuses({ ...FLAGS, externalId: 'a'.repeat(1225) }, /^--external-id /);
    expect(crossAccountInputOf({ ...FLAGS, externalId: 'a:b/c=d@e' }, undefined).externalId).toBe(
      'a:b/c=d@e',
    );
  });

  it('worker principal: an IAM principal ARN of the partition; without it, --account or AWS_ACCOUNT_ID', () => {
    refuses(
      { ...FLAGS, account: undefined },
      /--cross-account needs .*--worker-principal <arn>, or --account <id>/,
    );
    refuses({ ...FLAGS, account: '*' }, /--worker-principal <arn>, or --account/);
    refuses({ ...FLAGS, account: '12345' }, /^--account "12345" must be a 12-digit/);
    refuses(
      { ...FLAGS, workerPrincipal: WORKER },
      /^--worker-principal "333333333333" must be an IAM principal ARN/,
    );
    refuses(
      { ...FLAGS, workerPrincipal: `arn:aws:s3:::bucket` },
      /^--worker-principal .* must be an IAM principal ARN/,
    );
    refuses(
      { ...FLAGS, workerPrincipal: `arn:aws-cn:iam::${WORKER}:root` },
      /^--worker-principal .* in partition aws /,
    );
  });

  it('the cross-account flags only with --cross-account', () => {
    expect(() => policyInputOf({ ...FLAGS, crossAccount: undefined }, undefined)).toThrow(
      /^--source-role-arn, --target-role-arn, --source-kms-key-arn, --external-id: only with --cross-account$/,
    );
    expect(() => policyInputOf({ targetRegion: 'us-west-2', shareKmsKeyArn: SHARE_KEY }, undefined)).toThrow(
      UsageError,
    );
  });
});

describe('iam-policy: the single-account policy is made of the same statements', () => {
  it('keeps its statements, in order', () => {
    const policy = buildIamPolicy(policyInputOf({ targetRegion: 'us-west-2', account: TARGET }, undefined));
    expectLeastPrivilege(policy);
    expect(policy.Statement.map((s) => s.Sid)).toEqual([
      'DescribeClusterSnapshots',
      'FindPlanClusters',
      'ReadClusterSnapshotTags',
      'CopyClusterSnapshots',
      'TagCopiesAtCreation',
      'DeleteOnlySnapcopyCopies',
      ...HOLD_SIDS,
      'DescribeKmsKeys',
      'LetRdsUseKmsKeys',
      'KmsThroughRdsOnly',
      ...RESTORE_SIDS,
    ]);
  });

  it('holds: the worker can neither delete a held snapshot nor add, overwrite or remove the hold tag', () => {
    const policy = buildIamPolicy(policyInputOf({ targetRegion: 'us-west-2', account: TARGET }, undefined));
    expectHoldsProtected(policy);
    expect(bySid(policy, 'NeverTouchTheHoldTag')?.Resource).toEqual(snapshots(TARGET, 'us-west-2'));
    // Nothing Allows removing tags at all: the Deny is a guard against policies attached beside this one.
    expect(actionsOf(policy)).not.toContain('rds:RemoveTagsFromResource');
  });
});

const RESTORE_SIDS = [
  'RestoreVerifyClusters',
  'RestoreFromCopies',
  'CreateVerifyWriters',
  'CreateWritersInVerifyClusters',
  'DescribeVerifyResources',
  'DeleteOnlyVerifyWriters',
  'DeleteOnlyVerifyClusters',
];
const CANARY_SIDS = ['EnableDataApiOnVerifyClusters', 'QueryVerifyClusters', 'ReadCanarySecrets'];
const SECRET = `arn:aws:secretsmanager:us-west-2:${TARGET}:secret:snapcopy/canary-AbCdEf`;

describe('iam-policy: restore tests', () => {
  const policy = buildIamPolicy(
    policyInputOf(
      { sourceRegion: ['us-east-1'], targetRegion: 'us-west-2', account: TARGET, kmsKeyArn: [DEST_KEY_USW2] },
      undefined,
    ),
  );
  const rds = (type: string) => [`arn:aws:rds:us-west-2:${TARGET}:${type}:*`];

  it('restore and create only a throwaway cluster and writer tagged in the request, in the target Region', () => {
    expectLeastPrivilege(policy);
    expect(bySid(policy, 'RestoreVerifyClusters')).toEqual({
      Sid: 'RestoreVerifyClusters',
      Effect: 'Allow',
      Action: ['rds:RestoreDBClusterFromSnapshot', 'rds:AddTagsToResource'],
      Resource: verifyClusters(TARGET, 'us-west-2'),
      Condition: THROWAWAY_REQUEST,
    });
    expect(bySid(policy, 'CreateVerifyWriters')).toEqual({
      Sid: 'CreateVerifyWriters',
      Effect: 'Allow',
      Action: ['rds:CreateDBInstance', 'rds:AddTagsToResource'],
      Resource: verifyWriters(TARGET, 'us-west-2'),
      Condition: THROWAWAY_REQUEST,
    });
    // What they read cannot carry request tags: statements of their own, without the new cluster or instance.
    expect(bySid(policy, 'RestoreFromCopies')).toMatchObject({
      Action: ['rds:RestoreDBClusterFromSnapshot'],
      Resource: [...rds('cluster-snapshot'), ...rds('subgrp'), ...rds('og'), ...rds('cluster-pg')],
    });
    expect(bySid(policy, 'RestoreFromCopies')?.Condition).toBeUndefined();
    expect(bySid(policy, 'CreateWritersInVerifyClusters')).toMatchObject({
      Action: ['rds:CreateDBInstance'],
      Resource: [...verifyClusters(TARGET, 'us-west-2'), ...rds('subgrp'), ...rds('og'), ...rds('pg')],
    });
    expect(bySid(policy, 'DescribeVerifyResources')).toMatchObject({
      Action: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:ListTagsForResource'],
      Resource: [...rds('cluster'), ...rds('db')],
    });
    // Nothing of restore tests in the source Regions.
    for (const sid of RESTORE_SIDS) {
      for (const r of bySid(policy, sid)!.Resource) expect(r).toContain(':us-west-2:');
    }
  });

  it('deletes writers and clusters only while they carry snapcopy:managed=true and snapcopy:verify-of', () => {
    expect(bySid(policy, 'DeleteOnlyVerifyWriters')).toEqual({
      Sid: 'DeleteOnlyVerifyWriters',
      Effect: 'Allow',
      Action: ['rds:DeleteDBInstance'],
      Resource: verifyWriters(TARGET, 'us-west-2'),
      Condition: throwawayTagged('rds:db-tag'),
    });
    expect(bySid(policy, 'DeleteOnlyVerifyClusters')).toEqual({
      Sid: 'DeleteOnlyVerifyClusters',
      Effect: 'Allow',
      Action: ['rds:DeleteDBCluster'],
      Resource: verifyClusters(TARGET, 'us-west-2'),
      Condition: throwawayTagged('rds:cluster-tag'),
    });
    // Each delete action allowed in exactly one statement, with the tag conditions (expectLeastPrivilege checks
    // them; and the holds' Deny statements).
    for (const a of ['rds:DeleteDBInstance', 'rds:DeleteDBCluster', 'rds:DeleteDBClusterSnapshot']) {
      expect(
        allows(policy).filter((s) => s.Action.includes(a)),
        a,
      ).toHaveLength(1);
    }
    // No final snapshot: the cluster delete names no cluster snapshot.
    expect(bySid(policy, 'DeleteOnlyVerifyClusters')?.Resource.join()).not.toContain('cluster-snapshot');
  });

  it('the restored copy’s key is covered by the KMS statements (grant for RDS, describe, decrypt through RDS)', () => {
    expect(byAction(policy, 'kms:CreateGrant')?.Resource).toContain(DEST_KEY_USW2);
    expect(byAction(policy, 'kms:DescribeKey')?.Resource).toContain(DEST_KEY_USW2);
    const crypto = byAction(policy, 'kms:Decrypt');
    expect(crypto?.Resource).toContain(DEST_KEY_USW2);
    expect(crypto?.Condition?.StringEquals?.['kms:ViaService']).toContain('rds.us-west-2.amazonaws.com');
  });

  it('the SQL canary only with --canary-secret-arn: the Data API on tagged throwaways, the secrets themselves', () => {
    for (const sid of CANARY_SIDS) expect(bySid(policy, sid), sid).toBeUndefined();
    expect(actionsOf(policy).filter((a) => /^(rds-data|secretsmanager):|EnableHttpEndpoint/.test(a))).toEqual(
      [],
    );
    const withCanary = buildIamPolicy(
      policyInputOf(
        { targetRegion: 'us-west-2', account: TARGET, canarySecretArn: [SECRET, SECRET] },
        undefined,
      ),
    );
    expectLeastPrivilege(withCanary);
    expect(withCanary.Statement.map((s) => s.Sid).slice(-3)).toEqual(CANARY_SIDS);
    expect(bySid(withCanary, 'EnableDataApiOnVerifyClusters')).toMatchObject({
      Action: ['rds:EnableHttpEndpoint'],
      Resource: verifyClusters(TARGET, 'us-west-2'),
      Condition: throwawayTagged('rds:cluster-tag'),
    });
    // rds-data has only the global tag keys.
    expect(bySid(withCanary, 'QueryVerifyClusters')).toMatchObject({
      Action: ['rds-data:ExecuteStatement'],
      Resource: verifyClusters(TARGET, 'us-west-2'),
      Condition: throwawayTagged(),
    });
    expect(bySid(withCanary, 'ReadCanarySecrets')).toMatchObject({
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [SECRET],
    });
  });

  it('refuses a canary secret that is not a Secrets Manager secret ARN of the partition (exit 2)', () => {
    for (const bad of [
      'snapcopy/canary',
      `arn:aws:ssm:us-west-2:${TARGET}:parameter/canary`,
      `arn:aws-cn:secretsmanager:cn-north-1:${TARGET}:secret:canary-AbCdEf`,
      `arn:aws:secretsmanager:us-west-2:${TARGET}:secret:*`,
    ]) {
      expect(
        () => policyInputOf({ targetRegion: 'us-west-2', canarySecretArn: [bad] }, undefined),
        bad,
      ).toThrow(/--canary-secret-arn .* must be a Secrets Manager secret ARN/);
    }
  });

  it('cross-account: on the destination side only (the target role, or a worker in the destination account)', () => {
    const p = policiesOf({ ...FLAGS, canarySecretArn: [SECRET] });
    const target = p.targetRole!.policy;
    expectLeastPrivilege(target);
    for (const sid of [...RESTORE_SIDS, ...CANARY_SIDS]) expect(bySid(target, sid), sid).toBeDefined();
    expect(bySid(target, 'RestoreVerifyClusters')?.Resource).toEqual(verifyClusters(TARGET, 'us-west-2'));
    expect(bySid(target, 'DeleteOnlyVerifyClusters')?.Resource).toEqual(verifyClusters(TARGET, 'us-west-2'));
    expect(bySid(target, 'ReadCanarySecrets')?.Resource).toEqual([SECRET]);
    const source = actionsOf(p.sourceRole!.policy);
    for (const a of ['rds:RestoreDBClusterFromSnapshot', 'rds:CreateDBInstance', 'rds:DeleteDBCluster']) {
      expect(source).not.toContain(a);
    }
    expect(actionsOf(p.worker)).toEqual(['sts:AssumeRole']);

    const inDestination = policiesOf({
      ...FLAGS,
      targetRoleArn: undefined,
      kmsKeyArn: undefined,
      account: TARGET,
    });
    expectLeastPrivilege(inDestination.worker);
    expect(bySid(inDestination.worker, 'CreateVerifyWriters')?.Resource).toEqual(
      verifyWriters(TARGET, 'us-west-2'),
    );
    const inSource = policiesOf({
      ...FLAGS,
      sourceRoleArn: undefined,
      sourceKmsKeyArn: undefined,
      account: SOURCE,
    });
    expect(actionsOf(inSource.worker)).not.toContain('rds:RestoreDBClusterFromSnapshot');
  });
});
