// `plan run`, `plan list`, `plan status`, `plan delete`, the reports: a plan's runs and schedule in Temporal.
//
// Runs are found by visibility (workflow type runCopyPlan, ID snapcopy-plan-<name>-...), kept only when the ID
// is a run's (snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> with exactly this name: the trigger workflow a Schedule
// starts, with an RFC 3339 suffix, is not a run, and plan prod is not plan prod-dr), and read: a completed
// run's result, a failed run's PlanRunResult (the PlanRunFailed failure's details[0]), a running one's planRun
// query. `plan run` starts one (from a file, or the plan a schedule carries) and with --wait follows it to its
// end, showing the planRun query every couple of seconds (the view, render-runs.ts). Ctrl-C detaches: the run
// goes on.
import { deleteAuditSchedule } from './schedules';
import { statSync } from 'node:fs';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { formatDurationCompact } from '../../../shared/duration';
import { PLAN_NAME_PATTERN, planScheduleId } from '../../../shared/plan';
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
import type { CliContext } from '../../context';
import { CliError, UsageError } from '../../errors';
import { statusName, type StatusName } from '../../format';
import type { CliIo } from '../../io';
import { failureOf, type FailureReport } from '../../outcome';
import { readPlanFile, type PlanFileProblem } from '../../plan-file';
import type { ProgressView } from '../../progress-view';
import { workerPolls } from '../../workers';
import {
  describePlanSchedule,
  listPlanSchedules,
  planSummaryText,
  runInputOf,
  scheduleText,
  type ExistingPlanSchedule,
} from './schedules';

/** A plan name given on the command line (checked before connecting). */
export function checkName(name: string): void {
  if (!PLAN_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `${JSON.stringify(name)} is not a plan name (1 to 40 letters, digits or hyphens; the schedule is snapcopy-plan-<name>)`,
    );
  }
}

// --- a plan's runs ----------------------------------------------------------------------------------------------

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

// --- plan run ---------------------------------------------------------------------------------------------------

/**
 * A FILE is an existing file (whatever its name), or a path ending .yaml/.yml/.json (read, so a missing one
 * says so); anything else is a plan name.
 */
function isFile(target: string): boolean {
  if (/\.(ya?ml|json)$/i.test(target)) return true;
  try {
    return statSync(target).isFile();
  } catch {
    return false;
  }
}

/** What `plan run` starts: a file's plan as it is, or the plan a schedule carries (connecting only then). */
async function runInputFor(
  ctx: CliContext,
  target: string,
  invalid: (file: string, problems: PlanFileProblem[]) => void,
): Promise<{ name: string; input: RunCopyPlanInput; origin: string }> {
  if (isFile(target)) {
    const f = await readPlanFile(target);
    if (f.plan === undefined) {
      invalid(target, f.problems);
      throw new UsageError(`${target} is not a valid plan: nothing was started`);
    }
    return { name: f.plan.name, input: runInputOf(f.plan, target), origin: target };
  }
  checkName(target);
  const { client } = await ctx.temporal();
  const schedule = await describePlanSchedule(client, target);
  if (schedule === undefined) {
    throw new CliError(
      `no plan ${target}: no plan schedule ${planScheduleId(target)} (apply its file first, or run the file: ` +
        'snapcopy plan run FILE)',
    );
  }
  // The action's args, checked again when the schedule was read (schedules.ts).
  if (schedule.plan === undefined) {
    throw new CliError(`schedule ${schedule.scheduleId} carries no valid plan: apply its file again`);
  }
  const origin = schedule.origin || schedule.scheduleId;
  return { name: target, input: runInputOf(schedule.plan, origin), origin };
}

/** The started run, the client to follow it with, and whether a worker polls its task queue. */
export interface PlanRunStart {
  started: StartedPlanRun;
  client: Client;
  namespace: string;
  /** False: the run only starts once a worker polls the task queue. */
  workerPolling: boolean;
}

/**
 * Starts a run of `target` (a plan file or an applied plan's name); an invalid file's problems go to `invalid`
 * (to show as `plan validate` prints them) and a UsageError says nothing was started.
 */
export async function startRun(
  ctx: CliContext,
  target: string,
  invalid: (file: string, problems: PlanFileProblem[]) => void,
): Promise<PlanRunStart> {
  const { name, input, origin } = await runInputFor(ctx, target, invalid);
  const { client, settings } = await ctx.temporal();
  const { workflowId, runId } = await startPlanRun(client, name, input, ctx.taskQueue);
  const url = ctx.workflowUrl(settings, workflowId);
  const workerPolling = await workerPolls(client, settings.namespace, ctx.taskQueue);
  const started: StartedPlanRun = {
    workflowId,
    runId,
    plan: name,
    origin,
    taskQueue: ctx.taskQueue,
    ...(url ? { url } : {}),
  };
  return { started, client, namespace: settings.namespace, workerPolling };
}

export type PlanWaitOutcome =
  | { kind: 'completed'; result: PlanRunResult }
  /** `result` when the run failed as PlanRunFailed (some copy not made): its table. */
  | { kind: 'failed'; failure: FailureReport; result?: PlanRunResult }
  | { kind: 'detached' };

export const FOLLOW_INTERVAL_MS = 2_000;

type View = ProgressView<PlanRunProgress>;

/** Follows a plan run to its end, showing its planRun query on `view` (none: quiet). */
export async function waitForPlanRun(
  client: Client,
  io: CliIo,
  workflowId: string,
  /** `listening`: called once Ctrl-C detaches (print "started ..." there: a Ctrl-C after it is never lost). */
  opts: { view?: View; intervalMs?: number; listening?: () => void } = {},
): Promise<PlanWaitOutcome> {
  const view: View = opts.view ?? { update() {}, stop() {} };
  const interval = opts.intervalMs ?? FOLLOW_INTERVAL_MS;
  let outcome: PlanWaitOutcome | undefined;
  let settle: () => void = () => undefined;
  /** Resolves once the run ended or Ctrl-C detached: every wait below races it. */
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const end = (o: PlanWaitOutcome) => {
    outcome ??= o;
    settle();
  };
  const stopListening = io.onInterrupt(() => end({ kind: 'detached' }));
  opts.listening?.();
  void client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      (result) => end({ kind: 'completed', result: result as PlanRunResult }),
      (err: unknown) => {
        const result = failedRunResult(err);
        end({ kind: 'failed', failure: failureOf(err), ...(result ? { result } : {}) });
      },
    );
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const p = await Promise.race([queryProgress(client, workflowId, interval * 2), settled]);
      if (outcome !== undefined) return outcome;
      if (p !== undefined && !('error' in p)) view.update(p);
      await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, interval))), settled]);
      clearTimeout(timer);
      if (outcome !== undefined) return outcome;
    }
  } finally {
    clearTimeout(timer);
    view.stop();
    stopListening();
  }
}

// --- plan list --------------------------------------------------------------------------------------------------

export interface PlanListRow {
  name: string;
  scheduleId: string;
  paused: boolean;
  note?: string;
  /** `cron "0 3 * * *" UTC`, or why it is not known. */
  schedule: string;
  destinations: string[];
  origin?: string;
  nextRun?: string;
  lastRun?: { workflowId: string; status: StatusName; at: string };
}

/** A plan schedule and its last run as a row of `plan list`. Pure. */
export function listRow(e: ExistingPlanSchedule, last: PlanRunSummary | undefined): PlanListRow {
  const row: PlanListRow = {
    name: e.name,
    scheduleId: e.scheduleId,
    paused: e.paused,
    schedule: e.plan ? scheduleText(e.plan) : '(the action carries no valid plan)',
    destinations: e.plan?.destinations.map((d) => d.region) ?? [],
  };
  if (e.note) row.note = e.note;
  if (e.origin) row.origin = e.origin;
  if (e.nextActionTimes[0]) row.nextRun = e.nextActionTimes[0];
  if (last) row.lastRun = { workflowId: last.workflowId, status: last.status, at: last.runAt };
  return row;
}

/** Every plan schedule with its last run, by name. */
export async function planList(client: Client): Promise<PlanListRow[]> {
  const rows = [];
  for (const e of await listPlanSchedules(client)) {
    const [last] = await listPlanRuns(client, e.name, 1);
    rows.push(listRow(e, last));
  }
  return rows;
}

// --- plan status ------------------------------------------------------------------------------------------------

export interface PlanStatusReport {
  name: string;
  schedule?: {
    scheduleId: string;
    spec: string;
    paused: boolean;
    note?: string;
    policies: string;
    taskQueue?: string;
    origin?: string;
    copies?: string;
    nextRuns: string[];
    running: string[];
  };
  runs: PlanRunDetail[];
}

/** --runs: 0 or more (checked before connecting). */
export function checkRuns(runs: number): number {
  if (!Number.isInteger(runs) || runs < 0) throw new UsageError('--runs must be 0 or more');
  return runs;
}

/** A plan's schedule and runs as `plan status` reports them. Pure. */
export function statusReport(
  name: string,
  e: ExistingPlanSchedule | undefined,
  runs: PlanRunDetail[],
): PlanStatusReport {
  if (e === undefined) return { name, runs };
  return {
    name,
    schedule: {
      scheduleId: e.scheduleId,
      spec: e.plan ? scheduleText(e.plan) : '(the action carries no valid plan)',
      paused: e.paused,
      ...(e.note ? { note: e.note } : {}),
      policies: `overlap ${e.overlap}, catch-up window ${formatDurationCompact(e.catchupWindowSeconds)}`,
      ...(e.taskQueue ? { taskQueue: e.taskQueue } : {}),
      ...(e.origin ? { origin: e.origin } : {}),
      ...(e.plan ? { copies: planSummaryText(e.plan) } : {}),
      nextRuns: e.nextActionTimes,
      running: e.runningWorkflowIds,
    },
    runs,
  };
}

/** A plan's schedule and its last `runs` runs with what they did; no schedule and no runs: no such plan. */
export async function planStatusOf(client: Client, name: string, runs: number): Promise<PlanStatusReport> {
  const schedule = await describePlanSchedule(client, name);
  const found = await listPlanRuns(client, name, Math.max(runs, 1));
  if (schedule === undefined && found.length === 0) {
    throw new CliError(`no plan ${name}: no plan schedule ${planScheduleId(name)} and no runs`);
  }
  const details = [];
  for (const run of found.slice(0, runs)) details.push(await runDetail(client, run));
  return statusReport(name, schedule, details);
}

// --- plan delete ------------------------------------------------------------------------------------------------

export interface PlanDeleted {
  name: string;
  scheduleId: string;
  deleted: true;
  /** Runs of the plan still running: they go on. */
  running: string[];
}

/** Deletes a plan's schedule; its runs go on and its copies stay. */
export async function deletePlanSchedule(client: Client, name: string): Promise<PlanDeleted> {
  const schedule = await describePlanSchedule(client, name);
  if (schedule === undefined) throw new CliError(`no plan schedule ${planScheduleId(name)}`);
  await client.schedule.getHandle(schedule.scheduleId).delete();
  await deleteAuditSchedule(client, name);
  return {
    name,
    scheduleId: schedule.scheduleId,
    deleted: true,
    running: schedule.runningWorkflowIds,
  };
}
