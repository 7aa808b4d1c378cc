// The runCopyPlan workflow: one run of a plan (the plans contract, docs/plans.md), read as its phases — check the plan,
// find the clusters and their newest snapshots, copy each to each destination as a child (retention runs in
// each child, after its copy succeeded), tell someone, and end: failed, after every child ended, only when
// something was not copied.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  executeChild,
  ParentClosePolicy,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { SCHEDULED_START_TIME } from '../shared/search-attributes';
import { checkPlan, formatPath } from '../shared/plan';
import {
  PLAN_RUN_FAILED,
  planRunQuery,
  planRunWorkflowId,
  type PlanRunResult,
  type RunCopyPlanInput,
} from '../shared/plan-run';
import { FailureType } from '../shared/names';
import { recordPlanRun } from './metrics';
import { copyAll } from './plan/children';
import { findPresent, findSources, notify } from './plan/steps';
import { PlanRun } from './plan/run';
import { verifyAll } from './plan/verify';

export async function runCopyPlan(input: RunCopyPlanInput): Promise<PlanRunResult> {
  const run = new PlanRun(checkedPlan(input));
  const scheduledId = scheduledRunId(run);
  if (scheduledId !== undefined) return runAs(scheduledId, input);
  setHandler(planRunQuery, () => run.progress());
  run.publish();

  const sources = await findSources(run);
  const present = await findPresent(run, sources);
  run.phase = 'copying';
  await copyAll(run, sources, present);
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('plan run cancelled');
  await verifyAll(run);
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('plan run cancelled');

  await notify(run);
  const result = run.result();
  run.phase = result.failed ? 'failed' : 'completed';
  run.publish();
  recordPlanRun(run.plan.name, result);
  if (result.failed) throw failedRun(result);
  return result;
}

function checkedPlan(input: RunCopyPlanInput) {
  const check = checkPlan(input?.plan);
  if (check.ok) return check.plan;
  const problems = check.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  throw ApplicationFailure.create({
    type: FailureType.InvalidParameterValue,
    message: `the plan${input?.origin ? ` from ${input.origin}` : ''} is not valid: ${problems.join('; ')}`,
    nonRetryable: true,
    details: [{ problems: check.problems }],
  });
}

/**
 * A Schedule names its runs <prefix>-<RFC 3339 time>; a plan's runs are named by the plans contract
 * snapcopy-plan-<name>-<yyyymmdd>-<hhmmss>. The scheduled workflow runs the plan under that name, as its
 * child, and ends with it (so the schedule's overlap policy and its recent actions still see the run).
 */
function scheduledRunId(run: PlanRun): string | undefined {
  const info = workflowInfo();
  const at = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  if (at === undefined || info.parent !== undefined) return undefined;
  const id = planRunWorkflowId(run.plan.name, at);
  return id === info.workflowId ? undefined : id;
}

function runAs(workflowId: string, input: RunCopyPlanInput): Promise<PlanRunResult> {
  return executeChild(runCopyPlan, {
    workflowId,
    args: [input],
    staticSummary: `plan ${String((input.plan as { name?: unknown }).name)}: the scheduled run ${workflowId}`,
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
}

function failedRun(result: PlanRunResult): ApplicationFailure {
  const bad = result.rows.filter((r) => r.outcome === 'failed' || r.outcome === 'no-snapshot');
  const unrestorable = result.rows.filter((r) => r.verify?.outcome === 'failed');
  const list = (rows: typeof bad, what: (r: (typeof bad)[number]) => string) => {
    const named = rows
      .slice(0, 10)
      .map((r) => `${r.cluster} → ${r.destination} (${what(r)})`)
      .join(', ');
    return `${named}${rows.length > 10 ? ` and ${rows.length - 10} more` : ''}`;
  };
  const parts = [
    ...(bad.length
      ? [
          `${bad.length} of ${result.rows.length} copies not made: ${list(bad, (r) => r.failureType ?? r.outcome)}`,
        ]
      : []),
    ...(unrestorable.length
      ? [
          `${unrestorable.length} restore tests failed: ${list(unrestorable, (r) => r.verify?.failure ?? 'failed')}`,
        ]
      : []),
  ];
  return ApplicationFailure.create({
    type: PLAN_RUN_FAILED,
    message: `plan ${result.plan}: ${parts.join('; ')}`,
    nonRetryable: true,
    details: [result],
  });
}
