// The snapcopy CLI without a stack: help, usage errors and exit codes, local input validation (which runs
// before any connection), the IAM policy, and the bin/snapcopy.js shim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { inputOf } from '../../src/cli/copy-input';
import { parseTag } from '../../src/cli/parse';
import type { PolicyDocument } from '../../src/cli/commands/iam-policy/policy';
import type { CrossAccountPolicies } from '../../src/cli/commands/iam-policy/cross-account';
import { errorLines, json, ROOT, runCli, runInProcess, type CliResult } from '../helpers/cli';

// Nothing listens here: a command that tried to connect would fail with exit 1, not the 2 of a usage error.
const UNREACHABLE = { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: 'default' };
const saved: Record<string, string | undefined> = {};

beforeAll(() => {
  for (const [key, value] of Object.entries(UNREACHABLE)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});

afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const COMMANDS = [
  [],
  ['copy'],
  ['status'],
  ['cancel'],
  ['list'],
  ['prune'],
  ['hold'],
  ['hold', 'set'],
  ['hold', 'clear'],
  ['hold', 'list'],
  ['schedule'],
  ['schedule', 'create'],
  ['schedule', 'list'],
  ['schedule', 'describe'],
  ['schedule', 'pause'],
  ['schedule', 'unpause'],
  ['schedule', 'trigger'],
  ['schedule', 'delete'],
  ['iam-policy'],
  ['setup'],
];

function expectOneLineError(result: CliResult, code: number, ...fragments: (string | RegExp)[]): void {
  expect(result.code, result.stderr).toBe(code);
  const lines = errorLines(result);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^snapcopy: /);
  for (const f of fragments) expect(lines[0]).toMatch(f);
}

/** `snapcopy copy` with valid required flags plus `extra`. */
const copyWith = (...extra: string[]) => [
  'copy',
  '--source',
  's',
  '--target',
  't',
  '--target-region',
  'us-west-2',
  ...extra,
];

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(program)', c] as const))(
    '%s --help exits 0',
    async (_, cmd) => {
      const r = await runInProcess([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: snapcopy${cmd.length ? ` ${cmd.join(' ')}` : ''} `);
      expect(r.stderr).toBe('');
    },
  );

  it('documents the exit codes and the schedule policies', async () => {
    expect((await runInProcess(['--help'])).stdout).toMatch(/130\s+Ctrl-C/);
    expect((await runInProcess(['schedule', 'create', '--help'])).stdout).toMatch(/overlap SKIP by default/);
  });

  it('bin/snapcopy.js runs the CLI in a checkout (through tsx when lib/ is not built)', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/snapcopy.js'), 'list', '--help'], {
      cwd: ROOT,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).toContain('Usage: snapcopy list');
  });
});

describe('usage errors exit 2 with one line', () => {
  it("an unknown option (a real process, commander's own error)", async () => {
    expectOneLineError(
      await runCli(['copy', '--target-region', 'us-west-2', '--bogus'], UNREACHABLE),
      2,
      /unknown option '--bogus'/,
    );
  });

  it('a missing required option', async () => {
    expectOneLineError(
      await runCli(['copy', '--source', 'snap', '--target', 'copy'], UNREACHABLE),
      2,
      /--target-region/,
    );
  });

  it('an unknown command suggests the right one', async () => {
    expectOneLineError(await runInProcess(['stauts']), 2, /unknown command 'stauts'/, /status/);
  });

  it('an invalid option value', async () => {
    expectOneLineError(await runInProcess(['list', '--state', 'sleeping']), 2, /--state/, /running/);
    expectOneLineError(await runInProcess(copyWith('--tag', 'team')), 2, /--tag/, /Key=Value/);
    expectOneLineError(await runInProcess(copyWith('--keep', 'two')), 2, /--keep/);
  });
});

describe('copy input is validated locally, before connecting', () => {
  const base = ['copy', '--source', 'prod-snap', '--target', 'prod-snap-dr', '--target-region', 'us-west-2'];
  it.each([
    [
      'a bad target name',
      ['copy', '--source', 'snap', '--target', 'Bad_Name', '--target-region', 'us-west-2'],
      'TargetDBClusterSnapshotIdentifier',
      '--target',
    ],
    ['a negative --keep', [...base, '--keep', '-1'], 'options.keep', '--keep'],
    [
      '--max-poll below --min-poll',
      [...base, '--min-poll', '10', '--max-poll', '5'],
      'options.maxPollSeconds',
      '--max-poll',
    ],
    ['a reserved tag key', [...base, '--tag', 'aws:team=db'], 'Tags[0].Key', '--tag'],
    [
      'a KMS key of another Region',
      [...base, '--kms-key', 'arn:aws:kms:us-east-1:123456789012:alias/dr'],
      'KmsKeyId',
      '--kms-key',
    ],
    [
      'a malformed Region',
      ['copy', '--source', 'snap', '--target', 't', '--target-region', 'US-WEST-2'],
      'TargetRegion',
      '--target-region',
    ],
    [
      'both source forms',
      [...base, '--source-cluster', 'prod'],
      'SourceDBClusterIdentifier',
      '--source-cluster',
    ],
    [
      'a bad cluster name (no --target)',
      ['copy', '--source-cluster', 'My_Cluster', '--target-region', 'us-west-2'],
      'SourceDBClusterIdentifier',
      '--source-cluster',
    ],
    [
      'a presigned URL outside GovCloud',
      [...base, '--source-region', 'us-east-1', '--presigned-url', 'https://x'],
      'PreSignedUrl',
      '--presigned-url',
    ],
  ])('%s', async (_, args, field, flag) => {
    const r = await runInProcess(args);
    expectOneLineError(r, 2, field, flag);
    expect(r.stdout).toBe('');
  });

  it('schedule create checks its timetable before connecting', async () => {
    const create = [
      'schedule',
      'create',
      'nightly',
      '--source-cluster',
      'prod',
      '--target-region',
      'us-west-2',
    ];
    expectOneLineError(await runInProcess(create), 2, /--cron/, /--every/);
    expectOneLineError(
      await runInProcess([...create, '--cron', '0 3 * * *', '--every', '1d']),
      2,
      /exactly one/,
    );
    expectOneLineError(await runInProcess([...create, '--cron', '0 3 * *']), 2, /not a cron expression/);
    expectOneLineError(await runInProcess([...create, '--every', '30s']), 2, /at least 1m/);
    expectOneLineError(
      await runInProcess([...create, '--cron', '@daily', '--timezone', 'Mars/Olympus']),
      2,
      /time zone/,
    );
    expectOneLineError(
      await runInProcess([
        'schedule',
        'create',
        'bad id',
        '--source-cluster',
        'prod',
        '--target-region',
        'us-west-2',
        '--every',
        '1h',
      ]),
      2,
      /schedule ID/,
    );
  });

  it('tags: the first = splits, Key= is an empty value', () => {
    expect(parseTag('note=a=b')).toEqual({ Key: 'note', Value: 'a=b' });
    expect(parseTag('empty=')).toEqual({ Key: 'empty', Value: '' });
    const input = inputOf(
      {
        targetRegion: 'us-west-2',
        source: 's',
        tag: [parseTag('a=1'), parseTag('b=')],
        prune: false,
        keep: 0,
      },
      't',
    );
    expect(input).toEqual({
      TargetRegion: 'us-west-2',
      SourceDBClusterSnapshotIdentifier: 's',
      TargetDBClusterSnapshotIdentifier: 't',
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '' },
      ],
      options: { pruneOnQuota: false, keep: 0 },
    });
  });
});

describe('connection errors', () => {
  it('an unreachable Temporal is one line naming the address (exit 1)', async () => {
    const r = await runInProcess(['--connect-timeout', '1s', 'status', 'snapcopy-us-west-2-x']);
    expectOneLineError(r, 1, /cannot connect to Temporal at 127\.0\.0\.1:1/);
  });
});

describe('iam-policy', () => {
  const args = [
    'iam-policy',
    '--source-region',
    'us-east-1',
    '--source-region',
    'eu-west-1',
    '--target-region',
    'us-west-2',
    '--account',
    '123456789012',
  ];

  it('prints a valid policy whose delete statement requires the ownership tag', async () => {
    const r = await runInProcess([
      ...args,
      '--kms-key-arn',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      '--kms-key-arn',
      'arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    ]);
    expect(r.code).toBe(0);
    const policy = json<PolicyDocument>(r);
    expect(policy.Version).toBe('2012-10-17');
    const allows = policy.Statement.filter((s) => s.Effect === 'Allow');
    const byAction = (action: string) => allows.filter((s) => s.Action.includes(action));

    const [del, ...moreDeletes] = byAction('rds:DeleteDBClusterSnapshot');
    expect(moreDeletes).toEqual([]);
    expect(del?.Resource).toEqual(['arn:aws:rds:us-west-2:123456789012:cluster-snapshot:*']);
    expect(del?.Condition?.StringEquals).toEqual({
      'aws:ResourceTag/snapcopy:managed': 'true',
      'rds:cluster-snapshot-tag/snapcopy:managed': 'true',
    });
    expect(del?.Action).toEqual(['rds:DeleteDBClusterSnapshot']); // nothing else rides on that condition

    // Deletion is allowed nowhere else, and nothing is granted with a wildcard action or resource; the only
    // Deny statements are the holds' (never delete a held snapshot, never touch the hold tag).
    expect(policy.Statement.filter((s) => s.Effect === 'Deny').map((s) => s.Sid)).toEqual([
      'NeverDeleteHeldSnapshots',
      'NeverDeleteHeldSnapshotsRdsKey',
      'NeverTouchTheHoldTag',
    ]);
    for (const s of allows) {
      for (const a of s.Action) expect(a).not.toMatch(/^(\*|rds:\*|kms:\*|rds:Delete\*)$/);
      for (const res of s.Resource) expect(res).not.toBe('*');
    }

    const copy = byAction('rds:CopyDBClusterSnapshot')[0];
    expect(copy?.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:*',
        'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:*',
        'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:*',
      ]),
    );
    expect(byAction('rds:AddTagsToResource')[0]?.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/snapcopy:managed': 'true' },
    });
    expect(byAction('rds:DescribeDBClusterSnapshots')).toHaveLength(1);
    // Snapshot tags for copies; cluster and instance tags for restore tests' throwaways.
    expect(byAction('rds:ListTagsForResource').map((s) => s.Sid)).toEqual([
      'ReadClusterSnapshotTags',
      'DescribeVerifyResources',
    ]);

    const grant = byAction('kms:CreateGrant')[0];
    expect(grant?.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(grant?.Resource).toHaveLength(2);
    const crypto = byAction('kms:Decrypt')[0];
    expect(crypto?.Action).toEqual(
      expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']),
    );
    expect(crypto?.Condition?.StringEquals?.['kms:ViaService']).toEqual(
      expect.arrayContaining(['rds.us-east-1.amazonaws.com', 'rds.us-west-2.amazonaws.com']),
    );
    expect(byAction('kms:DescribeKey')[0]?.Resource).toEqual(grant?.Resource);
  });

  it('covers plans: DescribeDBClusters in the source Regions, sns:Publish on exactly the given topics', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:snapcopy';
    const policy = json<PolicyDocument>(await runInProcess([...args, '--sns-topic-arn', topic]));
    const clusters = policy.Statement.find((s) => s.Action.includes('rds:DescribeDBClusters'));
    expect(clusters?.Resource).toEqual([
      'arn:aws:rds:us-east-1:123456789012:cluster:*',
      'arn:aws:rds:eu-west-1:123456789012:cluster:*',
    ]);
    expect(policy.Statement.find((s) => s.Action.includes('sns:Publish'))?.Resource).toEqual([topic]);
    // Without topics, no SNS permission at all.
    const plain = json<PolicyDocument>(await runInProcess(args));
    expect(plain.Statement.some((s) => s.Action.some((a) => a.startsWith('sns:')))).toBe(false);
    expectOneLineError(
      await runInProcess([...args, '--sns-topic-arn', 'arn:aws:sqs:us-east-1:123456789012:q']),
      2,
      /--sns-topic-arn .* must be an SNS topic ARN/,
    );
  });

  it('without key ARNs, scopes KMS to the keys of the Regions; a China Region gets its partition', async () => {
    const policy = json<PolicyDocument>(await runInProcess(['iam-policy', '--target-region', 'cn-north-1']));
    const crypto = policy.Statement.find((s) => s.Action.includes('kms:Decrypt'));
    expect(crypto?.Resource).toEqual(['arn:aws-cn:kms:cn-north-1:*:key/*']);
    expect(crypto?.Condition?.StringEquals?.['kms:ViaService']).toEqual(['rds.cn-north-1.amazonaws.com.cn']);
  });

  it('refuses aliases, keys of other Regions, bad accounts and mixed partitions (exit 2)', async () => {
    expectOneLineError(
      await runInProcess([...args, '--kms-key-arn', 'arn:aws:kms:us-west-2:123456789012:alias/dr']),
      2,
      /not aliases/,
    );
    expectOneLineError(
      await runInProcess([
        ...args,
        '--kms-key-arn',
        'arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ]),
      2,
      /ap-south-1/,
    );
    expectOneLineError(
      await runInProcess(['iam-policy', '--target-region', 'us-west-2', '--account', '12345']),
      2,
      /12-digit/,
    );
    expectOneLineError(
      await runInProcess(['iam-policy', '--target-region', 'us-west-2', '--source-region', 'cn-north-1']),
      2,
      /partition/,
    );
  });

  const crossAccount = [
    ...args,
    '--cross-account',
    '--source-role-arn',
    'arn:aws:iam::111111111111:role/snapcopy-source',
    '--target-role-arn',
    'arn:aws:iam::222222222222:role/snapcopy-target',
    '--external-id',
    'snapcopy-dr',
  ];

  it('--cross-account prints the worker, both roles and the source key policy as one JSON object', async () => {
    const r = await runInProcess(crossAccount);
    expect(r.code, r.stderr).toBe(0);
    const out = json<CrossAccountPolicies>(r);
    expect(Object.keys(out)).toEqual(['layout', 'worker', 'sourceRole', 'targetRole', 'sourceKeyPolicy']);
    expect(out.worker.Statement).toEqual([
      expect.objectContaining({
        Action: ['sts:AssumeRole'],
        Resource: [out.sourceRole!.arn, out.targetRole!.arn],
      }),
    ]);
    for (const role of [out.sourceRole!, out.targetRole!]) {
      expect(role.trustPolicy.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'snapcopy-dr' } },
        },
      ]);
      expect(role.policy.Version).toBe('2012-10-17');
    }
    const actions = (p: PolicyDocument) => p.Statement.flatMap((s) => s.Action);
    expect(actions(out.sourceRole!.policy)).toContain('rds:ModifyDBClusterSnapshotAttribute');
    expect(actions(out.sourceRole!.policy)).not.toContain('rds:CopyDBClusterSnapshot');
    expect(actions(out.targetRole!.policy)).toContain('rds:CopyDBClusterSnapshot');
    expect(out.sourceKeyPolicy.keyArns).toEqual([
      'arn:aws:kms:us-east-1:111111111111:key/*',
      'arn:aws:kms:eu-west-1:111111111111:key/*',
    ]);
    expect(out.sourceKeyPolicy.statements[0]?.Principal).toEqual({ AWS: 'arn:aws:iam::222222222222:root' });
  });

  it('--cross-account refuses a bad role ARN in one line (exit 2)', async () => {
    const bad = crossAccount.map((a) => (a.endsWith(':role/snapcopy-target') ? 'snapcopy-target' : a));
    expectOneLineError(
      await runInProcess(bad),
      2,
      /--target-role-arn "snapcopy-target" must be an IAM role ARN/,
    );
    expectOneLineError(
      await runInProcess([...args, '--source-role-arn', 'arn:aws:iam::111111111111:role/s']),
      2,
      /--source-role-arn: only with --cross-account/,
    );
  });
});
