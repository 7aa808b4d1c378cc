// A plan's runs in Temporal: found by visibility (workflow type runCopyPlan, ID snapcopy-plan-<name>-...), kept
// only when the ID is a run's (snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> with exactly this name: the trigger
// workflow a Schedule starts, with an RFC 3339 suffix, is not a run, and plan prod is not plan prod-dr), and
// read: a completed run's result, a failed run's PlanRunResult (the PlanRunFailed failure's details[0]), a
// running one's planRun query.
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import {
  PLAN_RUN_FAILED,
  PLAN_WORKFLOW_TYPE,
  parsePlanRunWorkflowId,
  planRunQuery,
  planRunWorkflowId,
  type PlanRunProgress,
  type PlanRunResult,
  type RunCopyPlanInput,
} from '../../../shared/plan-run';
import { CliError } from '../../errors';
import { statusName, type StatusName } from '../../format';
import { failureOf } from '../../outcome';

/** How many runs of a plan are looked at, newest first, at most. */
const MAX_LISTED_RUNS = 1000;
/** How long a running plan's planRun query may take (it needs a worker). */
export const QUERY_TIMEOUT_MS = 5_000;

export function planRunsQuery(name: string): string {
  return `WorkflowType = '${PLAN_WORKFLOW_TYPE}' AND WorkflowId STARTS_WITH 'snapcopy-plan-${name}-'`;
}

export interface PlanRunSummary {
  workflowId: string;
  runId: string;
  status: StatusName;
  /** The run's time from its workflow ID (the scheduled time, or when it was started by hand). */
  runAt: string;
  startedAt: string;
  closedAt?: string;
}

export interface PlanRunDetail extends PlanRunSummary {
  /** Completed, or failed with PlanRunFailed: the run's table. */
  result?: PlanRunResult;
  /** Running: the table so far (planRun query). */
  progress?: PlanRunProgress;
  /** Why there is neither (no worker answered the query, failed otherwise, cancelled, terminated). */
  failure?: { type: string; message: string };
}

/** Whether a listed workflow is one of this plan's runs. Pure. */
export function isRunOf(name: string, workflowId: string): boolean {
  return parsePlanRunWorkflowId(workflowId)?.name === name;
}

function summaryOf(info: WorkflowExecutionInfo): PlanRunSummary {
  const at = parsePlanRunWorkflowId(info.workflowId)?.at;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: statusName(info.status.name),
    runAt: (at ?? info.startTime).toISOString(),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
  };
}

/** The newest `limit` runs of a plan, newest first. */
export async function listPlanRuns(client: Client, name: string, limit: number): Promise<PlanRunSummary[]> {
  const runs: PlanRunSummary[] = [];
  let seen = 0;
  for await (const info of client.workflow.list({ query: planRunsQuery(name), pageSize: 100 })) {
    if (++seen > MAX_LISTED_RUNS) break;
    if (info.type === PLAN_WORKFLOW_TYPE && isRunOf(name, info.workflowId)) runs.push(summaryOf(info));
  }
  return runs
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.workflowId.localeCompare(a.workflowId))
    .slice(0, limit);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The PlanRunResult a failed run carries (PlanRunFailed's details[0]), if it is one. */
export function failedRunResult(err: unknown): PlanRunResult | undefined {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== PLAN_RUN_FAILED) return undefined;
  const details = cause.details?.[0] as PlanRunResult | undefined;
  return details !== undefined && Array.isArray(details.rows) ? details : undefined;
}

/** The running plan's table so far, or why there is none. */
export async function queryProgress(
  client: Client,
  workflowId: string,
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<PlanRunProgress | { error: string }> {
  try {
    return await withTimeout(
      client.workflow.getHandle(workflowId).query(planRunQuery),
      timeoutMs,
      `no answer to the planRun query within ${timeoutMs / 1000}s (is a snapcopy worker running?)`,
    );
  } catch (err) {
    return { error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/** A run with what it did (or does). */
export async function runDetail(
  client: Client,
  run: PlanRunSummary,
  timeoutMs = QUERY_TIMEOUT_MS,
): Promise<PlanRunDetail> {
  const handle = client.workflow.getHandle(run.workflowId, run.runId);
  if (run.status === 'Running') {
    const p = await queryProgress(client, run.workflowId, timeoutMs);
    return 'error' in p
      ? { ...run, failure: { type: 'NoAnswer', message: p.error } }
      : { ...run, progress: p };
  }
  try {
    return { ...run, result: (await handle.result()) as PlanRunResult };
  } catch (err) {
    const result = failedRunResult(err);
    if (result !== undefined) return { ...run, result };
    const f = failureOf(err);
    return { ...run, failure: { type: f.type, message: f.message } };
  }
}

export interface StartedPlanRun {
  workflowId: string;
  runId: string;
  plan: string;
  origin: string;
  taskQueue: string;
  url?: string;
}

/** Starts one run of a plan now, as snapcopy-plan-<name>-<yyyymmdd>-<hhmmss>. */
export async function startPlanRun(
  client: Client,
  name: string,
  input: RunCopyPlanInput,
  taskQueue: string,
  now: Date = new Date(),
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = planRunWorkflowId(name, now);
  try {
    const handle = await client.workflow.start(PLAN_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [input],
      staticSummary: `plan ${name}: run by hand${input.origin ? ` from ${input.origin}` : ''}`,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new CliError(
        `a run of plan ${name} with workflow ID ${workflowId} exists already (one run per second): try again`,
      );
    }
    throw err;
  }
}
