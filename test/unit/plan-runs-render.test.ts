// `plan list`, `plan status`, `plan run --wait`: the pure renderers fed with fixtures, which workflow IDs are a
// plan's runs, and `plan validate --aws` with fake activities.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import {
  progressLine,
  renderPlanDeleted,
  renderPlanList,
  renderRun,
  renderRunStarted,
  renderStatus,
} from '../../src/cli/commands/plan/render-runs';
import { renderAwsValidation } from '../../src/cli/commands/plan/render-validate';
import {
  isRunOf,
  listRow,
  planRunsQuery,
  statusReport,
  type PlanRunDetail,
} from '../../src/cli/commands/plan/report-runs';
import {
  checkPlanWithAws,
  validationReport,
  type AwsCheckActivities,
} from '../../src/cli/commands/plan/report-validate';
import type { ExistingPlanSchedule } from '../../src/cli/commands/plan/schedules';
import { checkPlan, formatPath, type Plan } from '../../src/shared/plan';
import type { PlanRunResult } from '../../src/shared/plan-run';

function plan(over: Record<string, unknown> = {}): Plan {
  const r = checkPlan({
    name: 'prod-dr',
    schedule: { cron: '0 3 * * *' },
    source: { region: 'us-east-1', clusters: ['prod-a'], tags: { backup: 'dr' } },
    destinations: [
      { region: 'us-west-2', kmsKeyId: 'alias/dr' },
      { region: 'eu-west-1', kmsKeyId: 'alias/dr' },
    ],
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.plan;
}

const schedule = (over: Partial<ExistingPlanSchedule> = {}): ExistingPlanSchedule => ({
  scheduleId: 'snapcopy-plan-prod-dr',
  name: 'prod-dr',
  plan: plan(),
  origin: 'examples/prod-dr.yaml',
  workflowType: 'runCopyPlan',
  workflowId: 'snapcopy-plan-prod-dr',
  taskQueue: 'snapcopy',
  timezone: 'UTC',
  overlap: 'SKIP',
  catchupWindowSeconds: 86_400,
  paused: false,
  nextActionTimes: ['2026-12-03T03:00:00.000Z', '2026-12-04T03:00:00.000Z'],
  recentActions: [],
  runningWorkflowIds: [],
  ...over,
});

const result: PlanRunResult = {
  plan: 'prod-dr',
  workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
  startedAt: '2026-12-02T03:00:01.000Z',
  finishedAt: '2026-12-02T03:04:11.000Z',
  clusters: ['prod-a', 'prod-b'],
  destinations: ['us-west-2', 'eu-west-1'],
  rows: [
    {
      cluster: 'prod-a',
      destination: 'us-west-2',
      outcome: 'copied',
      target: 'prod-a-20261202-020000',
      durationSeconds: 250,
      retired: ['prod-a-20261120-020000', 'prod-a-20261119-020000'],
    },
    {
      cluster: 'prod-b',
      destination: 'us-west-2',
      outcome: 'failed',
      target: 'prod-b-20261202-020000',
      durationSeconds: 3,
      failureType: 'KMSKeyNotAccessibleFault',
      message: 'KMS key alias/dr in us-west-2 cannot encrypt the copy: disabled',
      retired: [],
    },
  ],
  counts: {
    copied: 1,
    failed: 1,
    cancelled: 0,
    'already-present': 0,
    'already-running': 0,
    'no-snapshot': 0,
  },
  failed: true,
};

const completedRun: PlanRunDetail = {
  workflowId: result.workflowId,
  runId: 'r1',
  status: 'Failed',
  runAt: '2026-12-02T03:00:00.000Z',
  startedAt: result.startedAt,
  closedAt: result.finishedAt,
  result,
};

describe('plan runs: which workflows are a plan’s runs', () => {
  it('only snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> with exactly this name', () => {
    expect(isRunOf('prod', 'snapcopy-plan-prod-20261202-030000')).toBe(true);
    expect(isRunOf('prod', 'snapcopy-plan-prod-dr-20261202-030000')).toBe(false);
    expect(isRunOf('prod-dr', 'snapcopy-plan-prod-dr-2026-12-02T03:00:00Z')).toBe(false);
    expect(planRunsQuery('prod')).toBe(
      "WorkflowType = 'runCopyPlan' AND WorkflowId STARTS_WITH 'snapcopy-plan-prod-'",
    );
  });
});

describe('plan list', () => {
  it('one row per plan schedule: spec, destinations, next run, last run, paused', () => {
    const rows = [
      listRow(schedule(), {
        workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
        runId: 'r',
        status: 'Completed',
        runAt: '2026-12-02T03:00:00.000Z',
        startedAt: '2026-12-02T03:00:01.000Z',
      }),
      listRow(
        schedule({
          scheduleId: 'snapcopy-plan-qa',
          name: 'qa',
          plan: plan({ name: 'qa', schedule: { every: '6h' }, destinations: [{ region: 'us-east-1' }] }),
          paused: true,
        }),
        undefined,
      ),
    ];
    expect(renderPlanList(rows)).toBe(
      [
        'PLAN     STATE   SCHEDULE              DESTINATIONS          NEXT RUN              LAST RUN              STATUS     WORKFLOW ID',
        'prod-dr  active  cron "0 3 * * *" UTC  us-west-2, eu-west-1  2026-12-03 03:00:00Z  2026-12-02 03:00:00Z  Completed  snapcopy-plan-prod-dr-20261202-030000',
        'qa       paused  every 6h              us-east-1             -                     -                     -          -',
      ].join('\n'),
    );
    expect(renderPlanList([])).toBe('no plan schedules (create them with: snapcopy plan apply FILE...)');
  });
});

describe('plan status', () => {
  it('the schedule, then each run with its table (retired copies by name, failure type)', () => {
    const text = renderStatus(
      statusReport('prod-dr', schedule({ paused: true, note: 'why' }), [completedRun]),
    );
    expect(text).toBe(
      [
        'plan        prod-dr',
        'schedule    snapcopy-plan-prod-dr: cron "0 3 * * *" UTC, paused (why)',
        'policies    overlap SKIP, catch-up window 1d',
        'copies      prod-a + clusters tagged backup=dr (us-east-1) → us-west-2, eu-west-1',
        'file        examples/prod-dr.yaml',
        'task queue  snapcopy',
        'next runs   - (paused)',
        'runs        1 run shown below, newest first',
        '',
        'run snapcopy-plan-prod-dr-20261202-030000: Failed, started 2026-12-02 03:00:01Z, ended 2026-12-02 03:04:11Z (4m10s)',
        '  1 copied, 1 failed; clusters prod-a, prod-b',
        '  CLUSTER  DESTINATION  OUTCOME  TARGET                  DURATION  RETIRED                                         FAILURE',
        '  prod-a   us-west-2    copied   prod-a-20261202-020000  4m10s     prod-a-20261120-020000, prod-a-20261119-020000  -',
        '  prod-b   us-west-2    failed   prod-b-20261202-020000  3s        -                                               KMSKeyNotAccessibleFault: KMS key alias/dr in us-west-2 cannot encrypt the copy: disabled',
      ].join('\n'),
    );
  });

  it('a plan without a schedule shows its runs; a running run its table so far; no answer says why', () => {
    const running: PlanRunDetail = {
      workflowId: 'snapcopy-plan-prod-dr-20261203-100000',
      runId: 'r2',
      status: 'Running',
      runAt: '2026-12-03T10:00:00.000Z',
      startedAt: '2026-12-03T10:00:00.000Z',
      progress: {
        plan: 'prod-dr',
        phase: 'copying',
        rows: [
          { cluster: 'prod-a', destination: 'us-west-2', outcome: 'copying', retired: [] },
          { cluster: 'prod-a', destination: 'eu-west-1', outcome: 'already-present', retired: [] },
        ],
      },
    };
    const silent: PlanRunDetail = {
      ...running,
      workflowId: 'snapcopy-plan-prod-dr-20261203-110000',
      progress: undefined,
      failure: { type: 'NoAnswer', message: 'no answer to the planRun query within 5s' },
    };
    const text = renderStatus(statusReport('prod-dr', undefined, [silent, running]));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'plan      prod-dr',
      'schedule  none (no schedule snapcopy-plan-prod-dr; runs started with plan run FILE are shown)',
      'runs      2 runs shown below, newest first',
    ]);
    expect(renderRun(silent).split('\n')[1]).toBe('  NoAnswer: no answer to the planRun query within 5s');
    expect(renderRun(running).split('\n').slice(1, 3)).toEqual([
      '  copying: 1 copying, 1 already-present',
      '  CLUSTER  DESTINATION  OUTCOME          TARGET  DURATION  RETIRED  FAILURE',
    ]);
  });
});

describe('plan run and delete', () => {
  it('the started run, the live line, the deletion', () => {
    expect(
      renderRunStarted({
        workflowId: 'snapcopy-plan-prod-dr-20261202-053000',
        runId: 'r',
        plan: 'prod-dr',
        origin: 'examples/prod-dr.yaml',
        taskQueue: 'snapcopy',
        url: 'http://localhost:8233/namespaces/default/workflows/snapcopy-plan-prod-dr-20261202-053000',
      }),
    ).toBe(
      [
        'started snapcopy-plan-prod-dr-20261202-053000: plan prod-dr from examples/prod-dr.yaml',
        'Temporal UI: http://localhost:8233/namespaces/default/workflows/snapcopy-plan-prod-dr-20261202-053000',
        'follow: snapcopy plan status prod-dr',
      ].join('\n'),
    );
    expect(progressLine({ plan: 'p', phase: 'finding-clusters', rows: [] })).toBe(
      'finding the clusters and their newest snapshots',
    );
    expect(
      progressLine({
        plan: 'p',
        phase: 'copying',
        rows: [
          { cluster: 'a', destination: 'x', outcome: 'copied', retired: [] },
          { cluster: 'a', destination: 'y', outcome: 'copying', retired: [] },
        ],
      }),
    ).toBe('copying: 1 of 2 copies ended (1 copied)');
    expect(
      renderPlanDeleted({ name: 'p', scheduleId: 'snapcopy-plan-p', running: ['snapcopy-plan-p-x'] }),
    ).toBe(
      'deleted schedule snapcopy-plan-p and its RPO audit (plan p): no run was cancelled and no copy deleted; its runs stay listed ' +
        'by snapcopy plan status p\nstill running: snapcopy-plan-p-x',
    );
  });
});

describe('plan validate --aws', () => {
  const keyFault = (message: string) =>
    ApplicationFailure.create({ type: 'KMSKeyNotAccessibleFault', message, nonRetryable: true });

  function fake(
    opts: { encrypted?: boolean; tagged?: string[]; missing?: string[] } = {},
  ): AwsCheckActivities {
    return {
      findPlanSources: (input) => {
        const names = input.clusters.length > 0 ? input.clusters : (opts.tagged ?? []);
        const missing = input.clusters.filter((c) => opts.missing?.includes(c));
        return Promise.resolve({
          sources: names
            .filter((c) => !missing.includes(c))
            .map((cluster) => ({
              cluster,
              snapshot: {
                arn: `arn:aws:rds:us-east-1:123456789012:cluster-snapshot:${cluster}-s`,
                identifier: `${cluster}-s`,
                createdAt: '2026-12-01T00:00:00Z',
                encrypted: opts.encrypted === true,
              },
            })),
          missing,
        });
      },
      resolveKmsKey: (input) =>
        input.keyId === 'alias/gone'
          ? Promise.reject(
              keyFault(`KMS key '${input.keyId}' in ${input.region} cannot encrypt the copy: not found`),
            )
          : Promise.resolve({
              keyArn: 'arn:aws:kms:us-west-2:123456789012:key/k1',
              keyId: 'k1',
              multiRegion: false,
            }),
    };
  }

  it('facts when all is well: how many clusters the tags select, the keys', async () => {
    const c = await checkPlanWithAws('f.yaml', plan(), fake({ tagged: ['t1', 't2'] }));
    expect(c.problems).toEqual([]);
    expect(c.facts).toEqual([
      'tags backup=dr select 2 clusters (t1, t2)',
      '1 named cluster found',
      'newest snapshots not encrypted',
      'alias/dr in us-west-2 is key k1',
      'alias/dr in eu-west-1 is key k1',
    ]);
  });

  it('a missing cluster, tags that select none, a key that does not resolve, a missing key for an encrypted source', async () => {
    const p = plan({
      source: { region: 'us-east-1', clusters: ['prod-a', 'gone'], tags: { backup: 'dr' } },
      destinations: [
        { region: 'us-west-2', kmsKeyId: 'alias/gone' },
        { region: 'eu-west-1' },
        { region: 'us-east-1' },
      ],
    });
    const lines: Record<string, number> = {
      'source.clusters[1]': 5,
      'source.tags': 6,
      'destinations[0].kmsKeyId': 9,
      'destinations[1]': 10,
    };
    const c = await checkPlanWithAws(
      'f.yaml',
      p,
      fake({ encrypted: true, tagged: [], missing: ['gone'] }),
      (path) => lines[formatPath(path)],
    );
    expect(c.problems).toEqual([
      { line: 5, path: 'source.clusters[1]', message: 'cluster gone does not exist in us-east-1' },
      {
        line: 6,
        path: 'source.tags',
        message: 'no DB cluster in us-east-1 carries all of these tags (backup=dr)',
      },
      {
        line: 9,
        path: 'destinations[0].kmsKeyId',
        message: "KMS key 'alias/gone' in us-west-2 cannot encrypt the copy: not found",
      },
      {
        line: 10,
        path: 'destinations[1].kmsKeyId',
        message:
          'required: the newest snapshot of cluster prod-a (prod-a-s) is encrypted, and a copy from us-east-1 to ' +
          'eu-west-1 needs a KMS key of eu-west-1',
      },
    ]);
    const report = validationReport([{ file: 'f.yaml', plan: p, problems: [] }]);
    expect(renderAwsValidation(report, new Map([['f.yaml', c]])).split('\n')[3]).toBe(
      'f.yaml:10: destinations[1].kmsKeyId: required: the newest snapshot of cluster prod-a (prod-a-s) is encrypted, ' +
        'and a copy from us-east-1 to eu-west-1 needs a KMS key of eu-west-1',
    );
  });

  it('AWS that cannot be asked is one error for the file, not a plan problem', async () => {
    const broken: AwsCheckActivities = {
      ...fake(),
      findPlanSources: () => Promise.reject(new Error('Could not load credentials from any providers')),
    };
    await expect(checkPlanWithAws('f.yaml', plan(), broken)).rejects.toThrow(
      'cannot check f.yaml with AWS: Could not load credentials from any providers',
    );
  });
});
