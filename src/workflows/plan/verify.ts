// Phase 3 of a plan run (plans with verify): restore tests of the newest copies. Per destination (unless it
// says verify: false), the clusters whose last passed restore test there is older than verify.every (as
// Temporal remembers them), the longest untested first, at most verify.maxPerRun — each a verifyCopy child
// of the copy this run made or found. The restore slots keep them to SNAPCOPY_RESTORE_TESTS_PER_REGION at
// once per account and Region. A failed test fails its row's test, never the copy.
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { isCancellation, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PlanDestination, PlanVerify } from '../../shared/plan';
import type { PlanRowVerify } from '../../shared/plan-run';
import {
  VERIFY_WORKFLOW_TYPE,
  verifyWorkflowId,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../shared/restore-tests';
import { now } from '../clock';
import { awsRetry } from '../retry';
import type { PlanRun } from './run';

type Row = PlanRun['rows'][number];

const { lastPassedRestoreTests } = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '15m',
  retry: awsRetry({ maximumInterval: '1m' }),
});

export async function verifyAll(run: PlanRun): Promise<void> {
  const verify = run.plan.verify;
  if (!verify) return;
  run.phase = 'verifying';
  run.publish();
  const tests: Promise<void>[] = [];
  for (const destination of run.plan.destinations) {
    if (destination.verify === false) continue;
    const rows = run.rows.filter(
      (r) =>
        r.destination === destination.region &&
        (r.outcome === 'copied' || r.outcome === 'already-present') &&
        r.targetArn !== undefined,
    );
    if (rows.length === 0) continue;
    const passed = await lastPassedRestoreTests({
      region: destination.region,
      clusters: rows.map((r) => r.cluster),
    });
    const dueBefore = now() - verify.everySeconds * 1000;
    const due: Row[] = [];
    for (const row of rows) {
      const lastPassedAt = passed[row.cluster];
      if (lastPassedAt !== undefined && Date.parse(lastPassedAt) > dueBefore) {
        setVerify(run, row, { outcome: 'recent', lastPassedAt });
      } else {
        due.push(row);
      }
    }
    // Never tested first, then the longest ago; the rest wait for a later run.
    due.sort((a, b) => (passed[a.cluster] ?? '').localeCompare(passed[b.cluster] ?? ''));
    due.forEach((row, i) => {
      const lastPassedAt = passed[row.cluster];
      if (i >= verify.maxPerRun) {
        setVerify(run, row, { outcome: 'deferred', ...(lastPassedAt ? { lastPassedAt } : {}) });
      } else {
        tests.push(verifyOne(run, row, destination, verify, lastPassedAt));
      }
    });
  }
  await Promise.all(tests);
}

async function verifyOne(
  run: PlanRun,
  row: Row,
  destination: PlanDestination,
  verify: PlanVerify,
  lastPassedAt: string | undefined,
): Promise<void> {
  const workflowId = verifyWorkflowId(destination.region, row.target ?? row.targetArn!);
  const input: VerifyCopyInput = {
    SnapshotIdentifier: row.targetArn!,
    Region: destination.region,
    ...(destination.roleArn ? { TargetRoleArn: destination.roleArn } : {}),
    options: verify.options,
  };
  const was = lastPassedAt ? { lastPassedAt } : {};
  setVerify(run, row, { outcome: 'testing', workflowId, ...was });
  try {
    const child = await startChild<(i: VerifyCopyInput) => Promise<VerifyCopyResult>>(VERIFY_WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `plan ${run.plan.name}: restore test of ${row.target ?? row.targetArn} in ${destination.region}`,
    });
    const result = await child.result();
    setVerify(run, row, {
      outcome: result.outcome,
      workflowId,
      ...(result.outcome === 'restorable' ? { lastPassedAt: result.endedAt } : was),
      ...(result.totalSeconds !== undefined ? { totalSeconds: result.totalSeconds } : {}),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      setVerify(run, row, { outcome: 'already-running', workflowId, ...was });
      return;
    }
    if (isCancellation(err) && !(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    const result =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as VerifyCopyResult | undefined) : undefined;
    setVerify(run, row, {
      outcome: result?.outcome ?? (isCancellation(err) ? 'cancelled' : 'failed'),
      workflowId,
      failure: result?.failure ?? cause?.message ?? String(err),
      ...was,
    });
  }
}

function setVerify(run: PlanRun, row: Row, verify: PlanRowVerify): void {
  row.verify = verify;
  run.publish();
}
