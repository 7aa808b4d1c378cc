// `snapcopy plan validate|schema|diff|apply|run|list|status|delete`: plan files (the plans contract,
// docs/plans.md) checked (offline, or with AWS), their JSON Schema for editors, and their Temporal Schedules and
// runs. Three groups, each with its report and render: validate/schema (report-validate.ts, render-validate.ts),
// diff/apply (report-changes.ts, render-changes.ts), run/list/status/delete (report-runs.ts, render-runs.ts).
import type { Command } from 'commander';
import { planJsonSchema } from '../../../shared/plan';
import { renderPlanRunText } from '../../../shared/plan-report';
import type { CliContext } from '../../context';
import { CliError, EXIT } from '../../errors';
import { prose } from '../../format';
import { parseInteger } from '../../parse';
import { applyLine, diffJson, renderDiff, summaryLine } from './render-changes';
import {
  createPlanView,
  detachedNote,
  noWorkerWarning,
  renderPlanDeleted,
  renderPlanList,
  renderRunStarted,
  renderStatus,
  runEndedMessage,
} from './render-runs';
import {
  problemLine,
  renderAwsValidation,
  renderFile,
  renderSchema,
  renderValidation,
} from './render-validate';
import { applyChange, planDiffOf, readPlans } from './report-changes';
import {
  checkName,
  checkRuns,
  deletePlanSchedule,
  planList,
  planStatusOf,
  startRun,
  waitForPlanRun,
} from './report-runs';
import { validatePlanFiles, validatePlanFilesWithAws } from './report-validate';

export type { PlanValidation, ValidateReport } from './report-validate';

interface RunFlags {
  wait?: boolean;
  json?: boolean;
}

/** `plan diff` (show) and `plan apply` (make the changes, one line each as it is made). */
async function showOrApply(
  ctx: CliContext,
  files: string[],
  flags: { prune?: boolean; json?: boolean; apply: boolean },
): Promise<void> {
  const desired = await readPlans(files, (bad) => {
    for (const f of bad) for (const line of renderFile(f)) ctx.note(line);
  });
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

/** `plan run`: start a run, and with --wait follow it to its end and print its table. */
async function runPlan(ctx: CliContext, target: string, flags: RunFlags): Promise<void> {
  const { started, client, namespace, workerPolling } = await startRun(ctx, target, (file, problems) => {
    for (const p of problems) ctx.note(problemLine(file, p));
  });
  if (!workerPolling) ctx.note(noWorkerWarning(namespace, started.taskQueue));
  if (!flags.wait) {
    if (flags.json) ctx.json(started);
    else ctx.out(renderRunStarted(started));
    return;
  }
  const head = renderRunStarted(started, true);
  const outcome = await waitForPlanRun(client, ctx.io, started.workflowId, {
    view: flags.json ? undefined : createPlanView(ctx.io.stderr),
    listening: () => (flags.json ? ctx.note(head) : ctx.out(head)),
  });
  if (outcome.kind === 'detached') {
    ctx.note(detachedNote(started.workflowId, started.plan));
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
  throw new CliError(runEndedMessage(started.workflowId, outcome.failure));
}

export function registerPlan(program: Command, ctx: CliContext): void {
  const plan = program
    .command('plan')
    .summary('plans: fleets of clusters copied to several Regions on a schedule')
    .description(
      prose(
        'A plan is a YAML file saying which clusters to copy where, when, and how long to keep the copies\n' +
          '(name, schedule, source, destinations, copyTags, tags, priority, retention, notify, verify).',
      ),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 Temporal or AWS refused or failed (or a run failed), 2 usage or an invalid plan\n' +
        'file (plan diff: 2 also when applying would change something).',
    );

  plan
    .command('validate')
    .summary('check plan files')
    .description(
      prose(
        'Check plan files: every rule that can be checked without AWS, all problems at once, each as\n' +
          'FILE:LINE: key path: rule. A valid file prints FILE: ok (what it copies, when, what it keeps).\n\n' +
          'With --aws, also what only AWS can tell, with the default AWS credential chain (AWS_ENDPOINT_URL\n' +
          'honoured): every named cluster exists in source.region, the tags select at least one cluster (and how\n' +
          "many), each destination's kmsKeyId resolves in its Region to an enabled key, and when a chosen\n" +
          "cluster's newest snapshot is encrypted, every destination in another Region has a kmsKeyId.",
      ),
    )
    .argument('<file...>', 'plan files (YAML)')
    .option('--aws', 'also check the clusters, tags, KMS keys and encryption with AWS')
    .addHelpText(
      'after',
      '\nExit codes: 0 every file is a valid plan, 1 AWS could not be asked (credentials, network),\n' +
        '2 some file is not valid (or cannot be read).',
    )
    .action(async (files: string[], flags: { aws?: boolean }) => {
      if (!flags.aws) {
        const report = await validatePlanFiles(files);
        ctx.out(renderValidation(report));
        if (!report.ok) ctx.exitCode = EXIT.usage;
        return;
      }
      const { report, checks } = await validatePlanFilesWithAws(files);
      ctx.out(renderAwsValidation(report, checks));
      if (!report.ok || [...checks.values()].some((c) => c.problems.length > 0)) ctx.exitCode = EXIT.usage;
    });

  plan
    .command('schema')
    .summary("print the plan file's JSON Schema (for editors)")
    .description(
      prose(
        'Print the JSON Schema (draft 2020-12) of a plan file, generated from the schema plan validate uses;\n' +
          'e.g. snapcopy plan schema > snapcopy-plan.schema.json and point the editor’s YAML support at it.',
      ),
    )
    .action(() => {
      ctx.out(renderSchema(planJsonSchema()));
    });

  const filesFirst =
    'Every file is read and checked first (as plan validate does, without AWS): one invalid file, or two files\n' +
    'with the same plan name, and nothing is compared or changed (exit 2).';
  const compared =
    'The files are compared with the plan schedules in Temporal (ID snapcopy-plan-<name>): a plan without one is\n' +
    'created; one whose schedule differs is updated, naming what differs (schedule spec, timezone, policies,\n' +
    'plan content with the top-level keys that changed, task queue, file); a plan schedule no file names is\n' +
    'deleted with --prune, else kept and listed. Plan content is compared as the canonical plan (defaults\n' +
    'filled in), never as YAML text.';

  plan
    .command('diff')
    .summary('show what plan apply would change in Temporal')
    .description(
      prose(`Show what plan apply would change, changing nothing.\n\n${compared}\n\n${filesFirst}`),
    )
    .argument('<file...>', 'plan files (YAML)')
    .option('--prune', 'show the plan schedules that no file names as deleted')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 no changes, 2 applying would change something (or a file is invalid), 1 Temporal error.\n\n' +
        'Example (CI):\n  snapcopy plan diff plans/*.yaml || echo "plans differ from Temporal"',
    )
    .action(async (files: string[], flags: { prune?: boolean; json?: boolean }) =>
      showOrApply(ctx, files, { ...flags, apply: false }),
    );

  plan
    .command('apply')
    .summary("create, update (and with --prune delete) plans' schedules")
    .description(
      prose(
        `Make the plan schedules in Temporal what the files say, one line per change.\n\n${compared}\n\n` +
          `${filesFirst}\n\n` +
          'An update keeps the schedule paused (and its note) when it was. Policies: overlap SKIP (a run whose\n' +
          'previous run still copies is skipped), catch-up window 1 day (after an outage only the last missed run is\n' +
          'made). Deleting a schedule cancels no run and deletes no copy.',
      ),
    )
    .argument('<file...>', 'plan files (YAML)')
    .option('--prune', 'delete the plan schedules that no file names')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 applied (or no changes), 1 Temporal refused a change, 2 usage or an invalid file.\n\n' +
        'Example:\n  snapcopy plan apply plans/*.yaml --prune',
    )
    .action(async (files: string[], flags: { prune?: boolean; json?: boolean }) =>
      showOrApply(ctx, files, { ...flags, apply: true }),
    );

  plan
    .command('run')
    .summary('run a plan now (by name, from its schedule, or from a file)')
    .description(
      prose(
        'Run a plan now, as workflow snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> (now, UTC) on the task queue\n' +
          'SNAPCOPY_TASK_QUEUE. A FILE (an existing path) is checked and run as it is, whether applied or not; a\n' +
          'NAME runs the plan its schedule snapcopy-plan-<name> carries. With --wait, follows the run (a live line\n' +
          'from its planRun query) and prints its table: cluster × destination, outcome, target, retired copies.',
      ),
    )
    .argument('<name-or-file>', 'a plan name (of an applied plan) or a plan file')
    .option('--wait', 'follow the run to its end and print its table (Ctrl-C detaches, exit 130)')
    .option('--json', 'print JSON: the started run, or with --wait its status and result')
    .addHelpText(
      'after',
      '\nExit codes: 0 started (with --wait: completed), 1 refused, or with --wait the run failed (a copy not\n' +
        'made) or was cancelled, 2 usage or an invalid file, 130 detached with Ctrl-C (the run goes on).\n\n' +
        'Examples:\n  snapcopy plan run prod-dr --wait\n  snapcopy plan run examples/prod-dr.yaml',
    )
    .action(async (target: string, flags: RunFlags) => runPlan(ctx, target, flags));

  plan
    .command('list')
    .summary('list plan schedules: schedule, destinations, next and last run')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 listed, 1 Temporal error.')
    .action(async (flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const rows = await planList(client);
      if (flags.json) ctx.json(rows);
      else ctx.out(renderPlanList(rows));
    });

  plan
    .command('status')
    .summary("show a plan: its schedule and its last runs' tables")
    .description(
      prose(
        'Show a plan: its schedule (spec, policies, next runs, paused) and its last --runs runs, newest first, each\n' +
          'with its table: cluster × destination, outcome, target, duration, failure type and the copies retention\n' +
          'deleted. A running run shows its table so far (planRun query; needs a worker). Runs started with plan run\n' +
          'FILE show too, with or without a schedule.',
      ),
    )
    .argument('<name>', 'the plan name')
    .option('--runs <n>', 'how many runs to show', parseInteger, 5)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 shown, 1 no such plan (no schedule and no runs), 2 usage.')
    .action(async (name: string, flags: { runs: number; json?: boolean }) => {
      checkName(name);
      checkRuns(flags.runs);
      const { client } = await ctx.temporal();
      const report = await planStatusOf(client, name, flags.runs);
      if (flags.json) ctx.json(report);
      else ctx.out(renderStatus(report));
    });

  plan
    .command('delete')
    .summary("delete a plan's schedule (never its runs or copies)")
    .description(
      prose(
        'Delete the schedule snapcopy-plan-<name>. Runs go on and copies stay: nothing is cancelled or deleted in\n' +
          'AWS. A plan whose file is still applied comes back with the next plan apply.',
      ),
    )
    .argument('<name>', 'the plan name')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 deleted, 1 no such plan schedule, 2 usage.')
    .action(async (name: string, flags: { json?: boolean }) => {
      checkName(name);
      const { client } = await ctx.temporal();
      const deleted = await deletePlanSchedule(client, name);
      if (flags.json) ctx.json(deleted);
      else ctx.out(renderPlanDeleted(deleted));
    });
}
