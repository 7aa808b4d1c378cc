// The CLI's pure parts: what each command prints from its report, and the reports made without I/O.
import { describe, expect, it } from 'vitest';
import { renderCancelled, renderRequested, alreadyClosedMessage } from '../../src/cli/commands/cancel';
import { noWorkerWarning, renderStarted } from '../../src/cli/commands/copy/render';
import { copyRequest, duplicateMessage } from '../../src/cli/commands/copy/report';
import { policyInputOf } from '../../src/cli/commands/iam-policy/report';
import { renderRows } from '../../src/cli/commands/list/render';
import { listQuery, type CopyRow } from '../../src/cli/commands/list/report';
import { planPrune } from '../../src/cli/commands/prune/plan';
import { renderPrune } from '../../src/cli/commands/prune/render';
import { pruneFlagsOf, pruneReport, type Removal } from '../../src/cli/commands/prune/report';
import {
  renderDeleted,
  renderSchedule,
  renderScheduleList,
  renderTriggered,
  whatItCopies,
} from '../../src/cli/commands/schedule/render';
import {
  scheduleRequest,
  type CreateFlags,
  type ScheduleReport,
} from '../../src/cli/commands/schedule/report';
import { renderSetup } from '../../src/cli/commands/setup/render';
import { progressLine, renderStatus } from '../../src/cli/commands/status/render';
import type { StatusReport } from '../../src/cli/commands/status/report';
import { explain } from '../../src/cli/errors';
import { failureLine, resultLine, verifyLine } from '../../src/cli/outcome';
import { createProgressView } from '../../src/cli/progress-view';
import { SA_PHASE, SA_SOURCE_CLUSTER, SA_TARGET_REGION } from '../../src/shared/search-attributes';
import type { CopyDbClusterSnapshotResult, OwnedCopy, Progress } from '../../src/shared/types';

const ARN = 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-1-dr';
const SOURCE = 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1';

const progress = (over: Partial<Progress> = {}): Progress => ({
  phase: 'copying',
  targetRegion: 'us-west-2',
  targetIdentifier: 'prod-1-dr',
  sourceRegion: 'us-east-1',
  sourceArn: SOURCE,
  status: 'copying',
  percent: 40,
  etaSeconds: 3900,
  polls: 3,
  runs: 1,
  pruned: [],
  retired: [],
  slotWaits: 0,
  cancelRequested: false,
  ...over,
});

const result = (over: Partial<CopyDbClusterSnapshotResult['summary']> = {}): CopyDbClusterSnapshotResult => ({
  DBClusterSnapshot: { DBClusterSnapshotArn: ARN, Status: 'available', PercentProgress: 100 },
  summary: {
    outcome: 'copied',
    workflowId: 'snapcopy-us-west-2-prod-1-dr',
    sourceArn: SOURCE,
    targetArn: ARN,
    sourceRegion: 'us-east-1',
    targetRegion: 'us-west-2',
    startedAt: '2026-11-24T03:00:00.000Z',
    finishedAt: '2026-11-24T03:10:00.000Z',
    copySeconds: 600,
    polls: 4,
    runs: 1,
    pruned: [],
    retired: [],
    slotWaits: 0,
    ...over,
  },
});

describe('copy --verify: the restore test line of the final summary', () => {
  const withVerify = (verify: object) =>
    ({ ...result(), summary: { ...result().summary, verify } }) as CopyDbClusterSnapshotResult;

  it('is absent without summary.verify', () => {
    expect(verifyLine(result())).toBeUndefined();
  });

  it('names the restore test, its outcome, the time and any failure', () => {
    const id = 'snapcopy-verify-us-west-2-prod-1-dr';
    expect(verifyLine(withVerify({ outcome: 'restorable', workflowId: id, totalSeconds: 845 }))).toBe(
      `restore test ${id}: restorable (restore took 14m 5s)`,
    );
    expect(
      verifyLine(
        withVerify({ outcome: 'failed', workflowId: id, failure: 'engine: expected aurora-postgresql' }),
      ),
    ).toBe(`restore test ${id}: failed: engine: expected aurora-postgresql`);
    expect(verifyLine(withVerify({ outcome: 'cancelled', workflowId: id }))).toBe(
      `restore test ${id}: cancelled`,
    );
  });
});

describe('copy', () => {
  const started = {
    workflowId: 'snapcopy-us-west-2-prod-1-dr',
    runId: 'r1',
    taskQueue: 'snapcopy',
    summary: `copy ${SOURCE} us-east-1 → us-west-2 as prod-1-dr`,
    input: { TargetRegion: 'us-west-2' },
    url: 'http://localhost:8233/namespaces/default/workflows/snapcopy-us-west-2-prod-1-dr',
  };

  it('the started copy, with how to follow it unless following', () => {
    expect(renderStarted(started).split('\n')).toEqual([
      `started snapcopy-us-west-2-prod-1-dr: ${started.summary}`,
      `Temporal UI: ${started.url}`,
      'follow: snapcopy status snapcopy-us-west-2-prod-1-dr    cancel: snapcopy cancel snapcopy-us-west-2-prod-1-dr',
    ]);
    expect(renderStarted(started, { following: true }).split('\n')).toHaveLength(2);
  });

  it('refusals and the missing-worker warning', () => {
    const at = new Date('2026-11-24T03:00:12Z');
    expect(duplicateMessage('w', 'Running', at)).toBe(
      'a copy with workflow ID w is already running (started 2026-11-24 03:00:12Z); follow it with: snapcopy status w',
    );
    expect(duplicateMessage('w', 'Completed', at, at)).toMatch(
      /already ran \(Completed 2026-11-24 03:00:12Z\).*--allow-rerun/,
    );
    expect(duplicateMessage('w')).toBe('a copy with workflow ID w already exists');
    expect(noWorkerWarning('default', 'q')).toMatch(
      /^warning: no snapcopy worker is polling task queue q in namespace default/,
    );
  });

  it('the start request uses the contract: default workflow ID, summary, search attributes', () => {
    const start = copyRequest({
      source: SOURCE,
      target: 'Prod-1-DR',
      targetRegion: 'us-west-2',
      kmsKey: 'alias/dr',
    });
    expect(start.workflowId).toBe('snapcopy-us-west-2-prod-1-dr');
    expect(start.staticSummary).toBe(`copy ${SOURCE} us-east-1 → us-west-2 as prod-1-dr`);
    expect(start.typedSearchAttributes).toContainEqual({ key: SA_TARGET_REGION, value: 'us-west-2' });
    const cluster = copyRequest(
      { sourceCluster: 'prod', targetRegion: 'us-west-2' },
      new Date('2026-11-24T03:00:12Z'),
    );
    expect(cluster.workflowId).toBe('snapcopy-us-west-2-prod-20261124-030012');
    expect(cluster.typedSearchAttributes).toContainEqual({ key: SA_SOURCE_CLUSTER, value: 'prod' });
  });

  it('bad input is an InputError that ends with exit 2 naming the flag', () => {
    let err: unknown;
    try {
      copyRequest({ source: 's', target: 't', targetRegion: 'us-west-2', keep: -1 });
    } catch (e) {
      err = e;
    }
    const { message, exitCode } = explain(err);
    expect(exitCode).toBe(2);
    expect(message).toMatch(/options\.keep .*\(--keep\)$/);
  });
});

describe('results and failures', () => {
  it('one line per outcome', () => {
    expect(resultLine(result())).toBe(`copied: ${ARN} (available, 100%) in 600s, 4 polls`);
    expect(resultLine(result({ outcome: 'already-present' }))).toBe(
      `already present: ${ARN} (available, 100%)`,
    );
    expect(
      resultLine({
        summary: { ...result().summary, outcome: 'cancelled', cancelReason: 'r', targetDeleted: true },
      }),
    ).toBe('cancelled (r): the unfinished target was deleted');
    expect(failureLine('w', { status: 'Failed', type: 'KMSKeyNotAccessibleFault', message: 'no key' })).toBe(
      'copy w failed: KMSKeyNotAccessibleFault: no key',
    );
    expect(failureLine('w', { status: 'Terminated', type: 'Terminated', message: 'bye' })).toBe(
      'copy w was terminated: bye',
    );
  });

  it('the progress view without a terminal: one line per change, ETA as the UI shows it', () => {
    const lines: string[] = [];
    const view = createProgressView({ write: (c: string) => lines.push(c) });
    view.update(progress());
    view.update(progress());
    view.update(progress({ percent: 50, etaSeconds: 200 }));
    view.update(progress({ phase: 'waiting-for-slot', slotWaits: 2, etaSeconds: undefined, percent: 0 }));
    expect(lines).toEqual([
      'copying 40% eta 1h 5m\n',
      'copying 50% eta 3m 20s\n',
      'waiting for a copy slot (2) 0%\n',
    ]);
  });
});

describe('status', () => {
  const running: StatusReport = {
    workflowId: 'w',
    runId: 'r',
    status: 'Running',
    taskQueue: 'snapcopy',
    startTime: '2026-11-24T03:00:00.000Z',
    searchAttributes: { sourceRegion: 'us-east-1', targetRegion: 'us-west-2', phase: 'copying', percent: 40 },
    progress: progress({ cancelRequested: true, cancelReason: 'ops' }),
  };

  it('a running copy: phase with ETA, regions, polls, cancel', () => {
    const text = renderStatus(running);
    expect(text).toMatch(/^status\s+Running$/m);
    expect(text).toMatch(/^phase\s+copying, 40%, eta 1h 5m$/m);
    expect(text).toMatch(/^regions\s+us-east-1 → us-west-2$/m);
    expect(text).toMatch(/^target\s+prod-1-dr in us-west-2$/m);
    expect(text).toMatch(/^cancel\s+requested: ops$/m);
    expect(text).not.toMatch(/^closed/m);
    expect(progressLine(progress({ phase: 'starting' }))).toBe('starting, 40%');
  });

  it('a cross-account copy: its accounts, the share it holds and each hop', () => {
    const hops = [
      {
        hop: 'intermediate' as const,
        accountId: '222222222222',
        region: 'us-east-1',
        identifier: 'prod-1-dr-hop1',
        workflowId: 'w-intermediate',
        status: 'available',
      },
      {
        hop: 'final' as const,
        accountId: '222222222222',
        region: 'us-west-2',
        identifier: 'prod-1-dr',
        workflowId: 'w',
        status: 'copying',
      },
    ];
    const text = renderStatus({ ...running, progress: progress({ sharedWith: '222222222222', hops }) });
    expect(text).toMatch(/^accounts\s+→ 222222222222$/m);
    expect(text).toMatch(/^shared with\s+account 222222222222 \(until the copy ends\)$/m);
    expect(text).toMatch(
      /^hops\s+intermediate prod-1-dr-hop1 \(222222222222\/us-east-1\) available; final prod-1-dr \(222222222222\/us-west-2\) copying$/m,
    );
    expect(renderStatus(running)).not.toMatch(/^(accounts|hops|shared with)/m);
  });

  it('a closed copy: its result or failure; without progress the search attributes', () => {
    const { progress: _p, ...rest } = running;
    const done = renderStatus({
      ...rest,
      status: 'Completed',
      closeTime: '2026-11-24T03:10:00.000Z',
      result: result(),
    });
    expect(done).toMatch(/^closed\s+2026-11-24 03:10:00Z$/m);
    expect(done).toMatch(/^phase\s+copying, 40%$/m);
    expect(done).toMatch(new RegExp(`^target\\s+${ARN}$`, 'm'));
    expect(done).toMatch(/^result\s+copied: /m);
    const failed = renderStatus({
      ...rest,
      status: 'Failed',
      failure: { status: 'Failed', type: 'T', message: 'm' },
    });
    expect(failed).toMatch(/^failure\s+T: m$/m);
  });
});

describe('cancel', () => {
  it('requested, ended, refused', () => {
    const r = {
      workflowId: 'w',
      runId: 'r',
      kind: 'copy' as const,
      cancelRequested: true as const,
      reason: 'ops',
    };
    expect(renderRequested(r)).toMatch(
      /^cancel requested for w \(ops\): a copy still copying .*\nfollow: snapcopy status w$/,
    );
    expect(renderRequested({ ...r, kind: 'restore test' })).toMatch(
      /^cancel requested for w \(ops\): its throwaway cluster and writer are deleted/,
    );
    const cancelled = result({ outcome: 'cancelled', cancelReason: 'ops', targetDeleted: true });
    expect(renderCancelled('w', cancelled)).toBe('w: cancelled (ops): the unfinished target was deleted');
    expect(alreadyClosedMessage('w', 'Completed', new Date('2026-11-24T03:00:00Z'))).toBe(
      'copy w is already closed (Completed 2026-11-24 03:00:00Z): there is nothing to cancel',
    );
    expect(alreadyClosedMessage('v', 'Failed', new Date('2026-11-24T03:00:00Z'), 'restore test')).toBe(
      'restore test v is already closed (Failed 2026-11-24 03:00:00Z): there is nothing to cancel',
    );
  });
});

describe('list', () => {
  it('the visibility query from the filters', () => {
    expect(listQuery({})).toBe(
      "WorkflowType = 'copyDbClusterSnapshot' AND ExecutionStatus != 'ContinuedAsNew'",
    );
    expect(
      listQuery({ state: 'cancelled', targetRegion: 'us-west-2', sourceCluster: "Pro'd", query: 'X = 1' }),
    ).toBe(
      "WorkflowType = 'copyDbClusterSnapshot' AND ExecutionStatus = 'Canceled' AND SnapcopyTargetRegion = 'us-west-2' " +
        "AND SnapcopySourceCluster = 'pro\\'d' AND (X = 1)",
    );
    expect(() => listQuery({ sourceRegion: 'US-EAST-1' })).toThrow(/--source-region/);
  });

  it('a table, or a line when nothing matches', () => {
    const row: CopyRow = {
      workflowId: 'w',
      runId: 'r',
      status: 'Running',
      phase: 'copying',
      percent: 40,
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      sourceCluster: 'prod',
      startTime: '2026-11-24T03:00:00.000Z',
      taskQueue: 'snapcopy',
    };
    const text = renderRows([row, { ...row, workflowId: 'v', phase: undefined, percent: undefined }]);
    expect(text.split('\n')[0]).toMatch(/^WORKFLOW ID\s+STATUS\s+PHASE\s+%\s+REGIONS\s+CLUSTER\s+STARTED$/);
    expect(text).toMatch(
      /^w\s+Running\s+copying\s+40\s+us-east-1 → us-west-2\s+prod\s+2026-11-24 03:00:00Z$/m,
    );
    expect(text).toMatch(/^v\s+Running\s+-\s+-\s+/m);
    expect(renderRows([])).toBe('no copies match');
  });
});

describe('prune', () => {
  const copy = (identifier: string, createTime: string, over: Partial<OwnedCopy> = {}): OwnedCopy => ({
    identifier,
    arn: `arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:${identifier}`,
    status: 'available',
    createTime,
    sourceCluster: 'alpha',
    tags: [{ Key: 'snapcopy:managed', Value: 'true' }],
    ...over,
  });
  const copies = [
    copy('a1', '2026-11-01T00:00:00Z'),
    copy('a2', '2026-11-02T00:00:00Z'),
    copy('a3', '2026-11-03T00:00:00Z'),
    copy('n1', '2026-11-04T00:00:00Z', { sourceCluster: undefined }),
  ];
  const flags = pruneFlagsOf({ targetRegion: 'eu-west-1', keep: 1, sourceCluster: 'ALPHA' });

  it('flags are normalised and checked before any AWS call', () => {
    expect(flags.sourceCluster).toBe('alpha');
    expect(() => pruneFlagsOf({ targetRegion: 'eu-west-1', keep: -1 })).toThrow(/--keep/);
    expect(() => pruneFlagsOf({ targetRegion: 'eu-west-1', keep: 1, dryRun: true, yes: true })).toThrow(
      /either/,
    );
    expect(() => pruneFlagsOf({ targetRegion: 'nowhere', keep: 1 })).toThrow(/--target-region/);
  });

  it('a dry run, then what became of each deletion', () => {
    const plan = planPrune(copies, { keep: 1, sourceCluster: 'alpha' });
    const dry = pruneReport(flags, plan, new Map(), true);
    expect([dry.wouldDelete, dry.deleted, dry.kept]).toEqual([2, 0, 2]);
    const text = renderPrune(dry);
    expect(text).toMatch(/keeping the newest 1 per source cluster \(dry run: nothing is deleted\)/);
    expect(text).toMatch(/^\s+would delete\s+a1\s/m);
    expect(text).toMatch(/^\s+keep\s+a3\s.*one of the newest 1 \(--keep 1\)$/m);
    expect(text).toMatch(/never pruned \(no snapcopy:source-cluster tag\): n1/);
    expect(text.split('\n').at(-1)).toBe('would delete 2, kept 2');

    const results = new Map<string, Removal>([
      ['a1', { identifier: 'a1', arn: 'x', status: 'available', result: 'deleted' }],
      [
        'a2',
        { identifier: 'a2', arn: 'y', status: 'available', result: 'failed', error: 'AccessDenied: no' },
      ],
    ]);
    const done = pruneReport(flags, plan, results, false);
    expect([done.deleted, done.failed]).toEqual([1, 1]);
    const after = renderPrune(done);
    expect(after).toMatch(/^\s+FAILED\s+a2\s.*AccessDenied: no$/m);
    expect(after.split('\n').at(-1)).toBe('deleted 1, kept 2, 1 failed');
  });
});

describe('schedule', () => {
  const flags: CreateFlags = {
    sourceCluster: 'Prod',
    sourceRegion: 'us-east-1',
    targetRegion: 'us-west-2',
    kmsKey: 'alias/dr',
    retain: 7,
    cron: '0 3 * * *',
    timezone: 'UTC',
    overlap: 'skip',
    catchupWindow: 86_400,
  };

  it('the action comes from the contract: workflow ID prefix, summary, search attributes, no target', () => {
    const { action, memo, spec } = scheduleRequest('prod-dr', flags, new Date('2026-11-24T03:00:00Z'));
    expect(action.workflowId).toBe('snapcopy-sched-prod-dr');
    expect(action.workflowType).toBe('copyDbClusterSnapshot');
    expect(action.staticSummary).toBe(
      'scheduled (prod-dr): copy newest snapshot of cluster prod us-east-1 → us-west-2',
    );
    expect(action.typedSearchAttributes).toContainEqual({ key: SA_SOURCE_CLUSTER, value: 'prod' });
    expect(action.typedSearchAttributes).toContainEqual({ key: SA_PHASE, value: 'validating' });
    expect(action.args).toEqual([
      {
        SourceDBClusterIdentifier: 'prod',
        SourceRegion: 'us-east-1',
        TargetRegion: 'us-west-2',
        KmsKeyId: 'alias/dr',
        options: { retain: 7 },
      },
    ]);
    expect(memo).toEqual({
      spec: 'cron "0 3 * * *" (UTC)',
      sourceCluster: 'prod',
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      kmsKey: 'alias/dr',
      retain: 7,
    });
    expect(spec).toEqual({ cronExpressions: ['0 3 * * *'], timezone: 'UTC' });
    expect(() => scheduleRequest('prod-dr', { ...flags, catchupWindow: 30 })).toThrow(/at least 1m/);
    expect(() => scheduleRequest('bad id', flags)).toThrow(/schedule ID/);
  });

  const report: ScheduleReport = {
    scheduleId: 'prod-dr',
    paused: true,
    note: 'maintenance',
    spec: 'every 6h',
    policies: { overlap: 'SKIP', catchupWindowSeconds: 86_400, pauseOnFailure: true },
    action: {
      workflowType: 'copyDbClusterSnapshot',
      taskQueue: 'snapcopy',
      workflowIdPrefix: 'snapcopy-sched-prod-dr',
      input: { SourceDBClusterIdentifier: 'prod', SourceRegion: 'us-east-1', TargetRegion: 'us-west-2' },
    },
    nextActionTimes: ['2026-11-24T06:00:00.000Z'],
    recentActions: [
      { scheduledAt: '2026-11-24T00:00:00.000Z', takenAt: '2026-11-24T00:00:01.000Z', workflowId: 'w0' },
    ],
    runningWorkflowIds: [],
    numActionsTaken: 1,
    numActionsSkippedOverlap: 2,
    numActionsMissedCatchupWindow: 0,
    createdAt: '2026-11-23T00:00:00.000Z',
  };

  it('describe', () => {
    const text = renderSchedule(report);
    expect(text).toMatch(/^state\s+paused \(maintenance\)$/m);
    expect(text).toMatch(/^policies\s+overlap SKIP, catch-up window 1d, pause on failure$/m);
    expect(text).toMatch(/^copies\s+newest snapshot of cluster prod \(us-east-1\) to us-west-2$/m);
    expect(text).toMatch(/^actions\s+1 taken, 2 skipped \(overlap\), 0 missed \(catch-up window\)$/m);
    expect(text).toMatch(/^\s+2026-11-24 00:00:00Z\s+2026-11-24 00:00:01Z\s+w0$/m);
    expect(
      whatItCopies(undefined, {
        spec: 's',
        sourceCluster: 'c',
        sourceRegion: 'a',
        targetRegion: 'b',
        retain: 2,
      }),
    ).toBe('newest snapshot of cluster c (a) to b, retain 2');
  });

  it('list, trigger, delete', () => {
    expect(renderScheduleList([])).toBe('no snapcopy schedules');
    expect(
      renderScheduleList([
        {
          scheduleId: 'prod-dr',
          paused: false,
          spec: 'every 6h',
          sourceCluster: 'prod',
          sourceRegion: 'us-east-1',
          targetRegion: 'us-west-2',
          nextActionTime: undefined,
          lastWorkflowId: undefined,
        },
      ]),
    ).toMatch(/^prod-dr\s+active\s+every 6h\s+prod\s+us-east-1 → us-west-2\s+-\s+-$/m);
    expect(
      renderTriggered({ scheduleId: 's', triggered: true, workflowId: 'w', overlap: 'SKIP', running: [] }),
    ).toBe('triggered schedule s: started w\nfollow: snapcopy status w');
    expect(
      renderTriggered({
        scheduleId: 's',
        triggered: true,
        workflowId: null,
        overlap: 'BUFFER_ONE',
        running: ['w0'],
      }),
    ).toBe(
      'triggered schedule s; no copy has started yet (it waits for w0: overlap BUFFER_ONE): see snapcopy schedule describe s',
    );
    expect(renderDeleted({ scheduleId: 's', runningWorkflowIds: ['w0'] })).toBe(
      'deleted schedule s\nstill running (cancel with snapcopy cancel <id>): w0',
    );
  });
});

describe('setup and iam-policy', () => {
  it('setup lists each attribute and the namespace', () => {
    expect(
      renderSetup({
        namespace: 'default',
        searchAttributes: [{ name: 'SnapcopyPhase', type: 'Keyword', state: 'registered' }],
      }),
    ).toBe('SnapcopyPhase (Keyword): registered\nnamespace default is ready for snapcopy');
  });

  it('iam-policy input from the flags', () => {
    expect(policyInputOf({ targetRegion: 'us-west-2' }, undefined)).toEqual({
      sourceRegions: ['us-west-2'],
      targetRegion: 'us-west-2',
      kmsKeyArns: [],
      account: '*',
    });
    expect(policyInputOf({ targetRegion: 'us-west-2' }, '123456789012').account).toBe('123456789012');
    expect(() => policyInputOf({ targetRegion: 'nowhere' }, undefined)).toThrow(/--target-region/);
  });
});
