// The actions of `plan diff|apply|run|list|status|delete`: Temporal in, lines (or JSON) out.
import { statSync } from 'node:fs';
import { PLAN_NAME_PATTERN, planScheduleId } from '../../../shared/plan';
import type { RunCopyPlanInput } from '../../../shared/plan-run';
import { renderPlanRunText } from '../../../shared/plan-report';
import type { CliContext } from '../../context';
import { CliError, EXIT, UsageError } from '../../errors';
import { readPlanFile } from '../../plan-file';
import { noWorkerNote, workerPolls } from '../../workers';
import { applyChange, planDiffOf, readPlans } from './apply';
import { waitForPlanRun } from './follow';
import { problemLine } from './render';
import { applyLine, diffJson, renderDiff, summaryLine } from './render-changes';
import {
  listRow,
  renderPlanDeleted,
  renderPlanList,
  renderRunStarted,
  renderStatus,
  statusReport,
} from './render-runs';
import { listPlanRuns, runDetail, startPlanRun, type StartedPlanRun } from './runs';
import { describePlanSchedule, listPlanSchedules, runInputOf } from './schedules';

function checkName(name: string): void {
  if (!PLAN_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `${JSON.stringify(name)} is not a plan name (1 to 40 letters, digits or hyphens; the schedule is snapcopy-plan-<name>)`,
    );
  }
}

// --- diff / apply -------------------------------------------------------------------------------------------

export async function showOrApply(
  ctx: CliContext,
  files: string[],
  flags: { prune?: boolean; json?: boolean; apply: boolean },
): Promise<void> {
  const desired = await readPlans(files, (line) => ctx.note(line));
  const { client } = await ctx.temporal();
  const diff = await planDiffOf(client, desired, { taskQueue: ctx.taskQueue, prune: flags.prune === true });
  if (!flags.apply) {
    if (flags.json) ctx.json(diffJson(diff));
    else ctx.out(renderDiff(diff));
    if (diff.changed) ctx.exitCode = EXIT.usage;
    return;
  }
  // One line per change as it is made: a change Temporal refuses ends the command after the lines of those made.
  for (const change of diff.changes) {
    await applyChange(client, ctx.taskQueue, change);
    const line = flags.json ? undefined : applyLine(change);
    if (line !== undefined) ctx.out(line);
  }
  if (flags.json) ctx.json(diffJson(diff, true));
  else ctx.out(summaryLine(diff, true));
}

// --- run ----------------------------------------------------------------------------------------------------

export interface RunFlags {
  wait?: boolean;
  json?: boolean;
}

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

async function runInputFor(
  ctx: CliContext,
  target: string,
): Promise<{ name: string; input: RunCopyPlanInput; origin: string }> {
  if (isFile(target)) {
    const f = await readPlanFile(target);
    if (f.plan === undefined) {
      for (const p of f.problems) ctx.note(problemLine(target, p));
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

export async function runPlan(ctx: CliContext, target: string, flags: RunFlags): Promise<void> {
  const { name, input, origin } = await runInputFor(ctx, target);
  const { client, settings } = await ctx.temporal();
  const { workflowId, runId } = await startPlanRun(client, name, input, ctx.taskQueue);
  const url = ctx.workflowUrl(settings, workflowId);
  if (!(await workerPolls(client, settings.namespace, ctx.taskQueue))) {
    ctx.note(noWorkerNote('the run', settings.namespace, ctx.taskQueue));
  }
  const started: StartedPlanRun = {
    workflowId,
    runId,
    plan: name,
    origin,
    taskQueue: ctx.taskQueue,
    ...(url ? { url } : {}),
  };
  if (!flags.wait) {
    if (flags.json) ctx.json(started);
    else ctx.out(renderRunStarted(started));
    return;
  }
  const head = renderRunStarted(started, true);
  const outcome = await waitForPlanRun(client, ctx.io, workflowId, {
    quiet: flags.json === true,
    listening: () => (flags.json ? ctx.note(head) : ctx.out(head)),
  });
  if (outcome.kind === 'detached') {
    ctx.note(
      `detached from ${workflowId}: the run goes on in Temporal (nothing was cancelled); see snapcopy plan status ${name}`,
    );
    ctx.exitCode = EXIT.interrupted;
    return;
  }
  if (outcome.kind === 'completed') {
    if (flags.json) ctx.json({ ...started, status: 'Completed', result: outcome.result });
    else ctx.out(renderPlanRunText(outcome.result));
    return;
  }
  // Not every copy made, or cancelled: the table (or JSON), then the one error line, exit 1.
  if (flags.json) {
    ctx.json({
      ...started,
      status: outcome.failure.status,
      failure: outcome.failure,
      ...(outcome.result ? { result: outcome.result } : {}),
    });
  } else if (outcome.result) ctx.out(renderPlanRunText(outcome.result));
  const verbs: Record<string, string> = {
    Cancelled: 'was cancelled',
    Terminated: 'was terminated',
    TimedOut: 'timed out',
  };
  const verb = verbs[outcome.failure.status] ?? 'failed';
  throw new CliError(`plan run ${workflowId} ${verb}: ${outcome.failure.type}: ${outcome.failure.message}`);
}

// --- list / status / delete ---------------------------------------------------------------------------------

export async function listPlans(ctx: CliContext, flags: { json?: boolean }): Promise<void> {
  const { client } = await ctx.temporal();
  const rows = [];
  for (const e of await listPlanSchedules(client)) {
    const [last] = await listPlanRuns(client, e.name, 1);
    rows.push(listRow(e, last));
  }
  if (flags.json) ctx.json(rows);
  else ctx.out(renderPlanList(rows));
}

export async function planStatus(
  ctx: CliContext,
  name: string,
  flags: { runs: number; json?: boolean },
): Promise<void> {
  checkName(name);
  if (!Number.isInteger(flags.runs) || flags.runs < 0) throw new UsageError('--runs must be 0 or more');
  const { client } = await ctx.temporal();
  const schedule = await describePlanSchedule(client, name);
  const runs = await listPlanRuns(client, name, Math.max(flags.runs, 1));
  if (schedule === undefined && runs.length === 0) {
    throw new CliError(`no plan ${name}: no plan schedule ${planScheduleId(name)} and no runs`);
  }
  const details = [];
  for (const run of runs.slice(0, flags.runs)) details.push(await runDetail(client, run));
  const report = statusReport(name, schedule, details);
  if (flags.json) ctx.json(report);
  else ctx.out(renderStatus(report));
}

export async function deletePlan(ctx: CliContext, name: string, flags: { json?: boolean }): Promise<void> {
  checkName(name);
  const { client } = await ctx.temporal();
  const schedule = await describePlanSchedule(client, name);
  if (schedule === undefined) throw new CliError(`no plan schedule ${planScheduleId(name)}`);
  await client.schedule.getHandle(schedule.scheduleId).delete();
  const deleted = {
    name,
    scheduleId: schedule.scheduleId,
    deleted: true,
    running: schedule.runningWorkflowIds,
  };
  if (flags.json) ctx.json(deleted);
  else ctx.out(renderPlanDeleted(deleted));
}
