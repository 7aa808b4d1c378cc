// snapcopy schedule ... and snapcopy prune against the local stack. Fixture snapshots carry ownership tags
// made here (prune goes by tags alone), beside snapshots snapcopy did not make, which must survive. Each prune
// test has a Region of its own with the snapshots it needs; each schedule test makes the schedule it uses
// when it is not there yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { deriveTargetIdentifier } from '../../src/shared/derive';
import { cancelSignal, type CopyWorkflow } from '../../src/shared/contract';
import { createClusterSnapshot } from '../helpers/aws-fixtures';
import { cliEnv, errorLines, eventually, json, runCli, runInProcess } from '../helpers/cli';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;
let env: Record<string, string>;
const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 2 });
  env = cliEnv(stack);
  Object.assign(process.env, env); // for the in-process runs
});

afterAll(async () => {
  await stack?.stop();
});

const owned = (cluster: string): Tag[] => [
  { Key: 'snapcopy:managed', Value: 'true' },
  { Key: 'snapcopy:source-cluster', Value: cluster },
];

/** Manual cluster snapshots of a helper cluster in `region`, created in order (oldest first). */
async function snapshots(region: string, helper: string, specs: [string, Tag[]][]): Promise<void> {
  const rds = stack.rds(region);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: helper,
      Engine: 'aurora-postgresql',
      MasterUsername: 'snapcopy',
      MasterUserPassword: 'snapcopy-password-1',
    }),
  );
  for (const [id, tags] of specs) {
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: helper,
        DBClusterSnapshotIdentifier: id,
        Tags: tags,
      }),
    );
  }
}

async function existing(region: string): Promise<string[]> {
  const out = await stack.rds(region).send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
  return (out.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier ?? '').sort();
}

interface PruneJson {
  dryRun: boolean;
  clusters: {
    sourceCluster: string;
    delete: { identifier: string; result: string }[];
    keep: { identifier: string; reason: string }[];
  }[];
  untagged: { identifier: string }[];
  deleted: number;
  wouldDelete: number;
}

describe('snapcopy prune', () => {
  const ALL = ['a1', 'a2', 'a3', 'b1', 'b2', 'n1', 'u1', 'u2', 'w1'];

  /** The prune fixture in `region` (one per test), less the snapshots in `without`; answers the Region. */
  async function fixture(region: string, without: string[] = []): Promise<string> {
    const specs: [string, Tag[]][] = [
      ['a1', owned('alpha')],
      ['a2', owned('alpha')],
      ['b1', owned('beta')],
      ['a3', owned('alpha')],
      ['b2', owned('beta')],
      // Not snapcopy's: no managed tag, a managed tag that is not "true", and one without a source cluster.
      ['u1', [{ Key: 'snapcopy:source-cluster', Value: 'alpha' }]],
      [
        'u2',
        [
          { Key: 'snapcopy:managed', Value: 'false' },
          { Key: 'snapcopy:source-cluster', Value: 'alpha' },
        ],
      ],
      ['n1', [{ Key: 'snapcopy:managed', Value: 'true' }]],
      ['w1', [{ Key: 'team', Value: 'databases' }]],
    ];
    await snapshots(
      region,
      'prune-helper',
      specs.filter(([id]) => !without.includes(id)),
    );
    return region;
  }

  it('--dry-run lists what would go per source cluster and deletes nothing', async () => {
    const REGION = await fixture('eu-west-1');
    const r = await runInProcess(['prune', '--target-region', REGION, '--keep', '1', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<PruneJson>(r);
    expect(out.dryRun).toBe(true);
    const plan = Object.fromEntries(
      out.clusters.map((c) => [
        c.sourceCluster,
        { delete: c.delete.map((d) => d.identifier), keep: c.keep.map((k) => k.identifier) },
      ]),
    );
    expect(plan).toEqual({
      alpha: { delete: ['a1', 'a2'], keep: ['a3'] },
      beta: { delete: ['b1'], keep: ['b2'] },
    });
    expect(out.clusters.flatMap((c) => c.delete.map((d) => d.result))).toEqual([
      'would-delete',
      'would-delete',
      'would-delete',
    ]);
    expect(out.untagged.map((u) => u.identifier)).toEqual(['n1']);
    expect(out.deleted).toBe(0);
    expect(await existing(REGION)).toEqual(ALL);
  });

  it('without --yes and no terminal to ask: lists, deletes nothing, exit 2', async () => {
    const REGION = await fixture('eu-west-2');
    const r = await runInProcess(['prune', '--target-region', REGION]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/would delete\s+a1/);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(/^snapcopy: nothing deleted: pass --yes to delete the 3 snapshots/),
    ]);
    expect(await existing(REGION)).toEqual(ALL);
  });

  it('deletes only owned copies of one cluster, keeping the newest --keep', async () => {
    const REGION = await fixture('eu-west-3');
    const r = await runInProcess([
      'prune',
      '--target-region',
      REGION,
      '--source-cluster',
      'ALPHA',
      '--keep',
      '1',
      '--yes',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = json<PruneJson>(r);
    expect(out.clusters.map((c) => c.sourceCluster)).toEqual(['alpha']);
    expect(out.clusters[0]?.delete).toEqual([
      expect.objectContaining({ identifier: 'a1', result: 'deleted' }),
      expect.objectContaining({ identifier: 'a2', result: 'deleted' }),
    ]);
    expect(await existing(REGION)).toEqual(['a3', 'b1', 'b2', 'n1', 'u1', 'u2', 'w1']);
  });

  it('--keep 0 across clusters still never touches what snapcopy did not make (a real process)', async () => {
    // As left by pruning alpha to its newest copy: a1 and a2 are gone.
    const REGION = await fixture('eu-central-1', ['a1', 'a2']);
    const r = await runCli(['prune', '--target-region', REGION, '--keep', '0', '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+deleted\s+a3\s/m);
    expect(r.stdout).toMatch(/deleted 3, kept 1/);
    expect(await existing(REGION)).toEqual(['n1', 'u1', 'u2', 'w1']);
  });
});

interface ScheduleJson {
  scheduleId: string;
  paused: boolean;
  spec?: string;
  policies: { overlap: string; catchupWindowSeconds: number; pauseOnFailure: boolean };
  action: {
    workflowType: string;
    taskQueue: string;
    workflowIdPrefix?: string;
    input?: Record<string, unknown>;
  };
  nextActionTimes: string[];
  recentActions: { workflowId: string }[];
  runningWorkflowIds: string[];
  numActionsTaken: number;
}

describe('snapcopy schedule', () => {
  beforeAll(async () => {
    await createClusterSnapshot(stack.rds('us-east-1'), 'sched-aurora', 'sched-aurora-snap-1');
    await createClusterSnapshot(stack.rds('us-east-1'), 'sched-two', 'sched-two-snap-1');
    // Older copies in the target Region: two of snapcopy's, and one that only looks like it.
    await snapshots('us-west-2', 'west-helper', [
      ['sched-aurora-old-1', owned('sched-aurora')],
      ['sched-aurora-old-2', owned('sched-aurora')],
      ['sched-aurora-foreign', [{ Key: 'snapcopy:source-cluster', Value: 'sched-aurora' }]],
    ]);
  });

  const create = (id: string, cluster: string, ...more: string[]) => [
    'schedule',
    'create',
    id,
    '--source-cluster',
    cluster,
    '--source-region',
    'us-east-1',
    '--target-region',
    'us-west-2',
    '--min-poll',
    '1',
    '--max-poll',
    '2',
    ...more,
  ];

  const nightly = () => create('nightly', 'sched-aurora', '--retain', '1', '--cron', '0 3 * * *');
  const hourly = () => create('hourly', 'sched-two', '--every', '1h');

  /** Creates the schedule with `args` unless it exists already. */
  async function ensureSchedule(id: string, args: string[]): Promise<void> {
    if ((await runInProcess(['schedule', 'describe', id])).code === 0) return;
    const r = await runInProcess(args);
    expect(r.code, r.stderr).toBe(0);
  }

  it('create: a cluster source without target name, SKIP overlap, a 1-day catch-up window', async () => {
    const r = await runInProcess([...nightly(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = json<ScheduleJson>(r);
    expect(s.spec).toBe('cron "0 3 * * *" (UTC)');
    expect(s.policies).toEqual({ overlap: 'SKIP', catchupWindowSeconds: 86_400, pauseOnFailure: false });
    expect(s.action.workflowType).toBe('copyDbClusterSnapshot');
    expect(s.action.taskQueue).toBe(stack.taskQueue);
    expect(s.action.workflowIdPrefix).toBe('snapcopy-sched-nightly');
    expect(s.action.input).toMatchObject({
      SourceDBClusterIdentifier: 'sched-aurora',
      TargetRegion: 'us-west-2',
      options: { retain: 1 },
    });
    expect(s.action.input).not.toHaveProperty('TargetDBClusterSnapshotIdentifier');
    expect(s.nextActionTimes[0]).toMatch(/T03:00:00\.000Z$/);

    const again = await runInProcess(create('nightly', 'sched-aurora', '--every', '1d'));
    expect(again.code).toBe(1);
    expect(errorLines(again)).toEqual([
      'snapcopy: schedule nightly already exists (see: snapcopy schedule describe nightly)',
    ]);
  });

  it('trigger runs a copy named after its slot; retention deletes only owned older copies', async () => {
    await ensureSchedule('nightly', nightly());
    const r = await runCli(['schedule', 'trigger', 'nightly', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const { workflowId } = json<{ workflowId: string }>(r);
    expect(workflowId).toMatch(/^snapcopy-sched-nightly-/);

    const handle = stack.env.client.workflow.getHandle<CopyWorkflow>(workflowId);
    const result = await handle.result();
    const slot = (await handle.describe()).typedSearchAttributes.get(SCHEDULED_START_TIME);
    expect(slot).toBeInstanceOf(Date);
    const name = deriveTargetIdentifier('sched-aurora', slot ?? new Date(0));
    expect(name).toMatch(/^sched-aurora-\d{8}-\d{6}$/);
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotIdentifier).toBe(name);
    expect(result.summary.retired.map((p) => p.DBClusterSnapshotIdentifier).sort()).toEqual([
      'sched-aurora-old-1',
      'sched-aurora-old-2',
    ]);
    expect(await existing('us-west-2')).toEqual(['sched-aurora-foreign', name].sort());

    const d = json<ScheduleJson>(await runInProcess(['schedule', 'describe', 'nightly', '--json']));
    expect(d.recentActions.map((a) => a.workflowId)).toContain(workflowId);
    expect(d.numActionsTaken).toBe(1);
    const text = await runInProcess(['schedule', 'describe', 'nightly']);
    expect(text.stdout).toMatch(/^policies\s+overlap SKIP, catch-up window 1d$/m);
    expect(text.stdout).toContain(workflowId);
  });

  it('list, pause and unpause', async () => {
    await ensureSchedule('nightly', nightly());
    await runInProcess([...create('hourly', 'sched-two', '--every', '1h', '--paused', '--note', 'not yet')]);
    const rows = await eventually('both schedules in the list', async () => {
      const list = json<{ scheduleId: string; paused: boolean; spec: string; sourceCluster: string }[]>(
        await runInProcess(['schedule', 'list', '--json']),
      );
      return list.length === 2 ? list : undefined;
    });
    expect(rows.map((s) => [s.scheduleId, s.paused, s.spec, s.sourceCluster])).toEqual([
      ['hourly', true, 'every 1h', 'sched-two'],
      ['nightly', false, 'cron "0 3 * * *" (UTC)', 'sched-aurora'],
    ]);

    expect((await runInProcess(['schedule', 'pause', 'nightly', '--note', 'maintenance'])).code).toBe(0);
    const paused = json<ScheduleJson & { note?: string }>(
      await runInProcess(['schedule', 'describe', 'nightly', '--json']),
    );
    expect([paused.paused, paused.note]).toEqual([true, 'maintenance']);
    expect((await runInProcess(['schedule', 'unpause', 'hourly'])).code).toBe(0);
    expect(json<ScheduleJson>(await runInProcess(['schedule', 'describe', 'hourly', '--json'])).paused).toBe(
      false,
    );
  });

  it('a trigger while its copy still runs is skipped (exit 1); delete leaves the copy running', async () => {
    await ensureSchedule('hourly', hourly());
    await stack.emulator.configure({ copySeconds: 3600 });
    try {
      const first = await runInProcess(['schedule', 'trigger', 'hourly', '--json']);
      expect(first.code, first.stderr).toBe(0);
      const { workflowId } = json<{ workflowId: string }>(first);
      const second = await runInProcess(['schedule', 'trigger', 'hourly']);
      expect(second.code).toBe(1);
      expect(errorLines(second)).toEqual([
        expect.stringMatching(new RegExp(`skipped the trigger: ${workflowId} .*--allow-overlap`)),
      ]);

      const del = await runInProcess(['schedule', 'delete', 'hourly', '--json']);
      expect(del.code).toBe(0);
      expect(json<{ runningWorkflowIds: string[] }>(del).runningWorkflowIds).toEqual([workflowId]);
      const gone = await runInProcess(['schedule', 'describe', 'hourly']);
      expect(gone.code).toBe(1);
      expect(errorLines(gone)).toEqual(['snapcopy: no schedule with ID hourly']);

      const handle = stack.env.client.workflow.getHandle<CopyWorkflow>(workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.signal(cancelSignal, { reason: 'test cleanup' });
      await handle.result();
    } finally {
      await stack.emulator.configure({ copySeconds: 2 });
    }
  });

  it('delete (a real process) and the errors for a schedule that is not there', async () => {
    await ensureSchedule('nightly', nightly());
    const r = await runCli(['schedule', 'delete', 'nightly'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deleted schedule nightly');
    for (const verb of ['describe', 'pause', 'unpause', 'trigger', 'delete']) {
      const missing = await runInProcess(['schedule', verb, 'nightly']);
      expect(missing.code, verb).toBe(1);
      expect(errorLines(missing)).toEqual(['snapcopy: no schedule with ID nightly']);
    }
  });
});
