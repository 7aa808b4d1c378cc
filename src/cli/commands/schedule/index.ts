// `snapcopy schedule create|list|describe|pause|unpause|trigger|delete`: Temporal Schedules of copies (the
// policies are explained in report.ts).
import { Option, type Command } from 'commander';
import type { CliContext } from '../../context';
import { addCopyFlags } from '../../copy-flags';
import { prose } from '../../format';
import { parseDurationSeconds } from '../../parse';
import {
  renderCreated,
  renderDeleted,
  renderPaused,
  renderSchedule,
  renderScheduleList,
  renderTriggered,
  triggeredJson,
} from './render';
import {
  DEFAULT_CATCHUP_SECONDS,
  OVERLAP_CHOICES,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  scheduleReport,
  scheduleRequest,
  setPaused,
  triggerSchedule,
  type CreateFlags,
} from './report';

export function registerSchedule(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .summary('manage Temporal Schedules that copy the newest snapshot of a cluster')
    .description(
      prose(
        'Temporal Schedules that copy the newest available snapshot of a DB cluster on a timetable. Each slot starts\n' +
          'a copy named <cluster>-<yyyymmdd>-<hhmmss> after its scheduled time (UTC), as workflow\n' +
          'snapcopy-sched-<schedule-id>-<scheduled time>.',
      ),
    )
    .addHelpText('after', '\nExit codes: 0 done, 1 no such schedule or Temporal refused, 2 usage.');

  const createCmd = schedule
    .command('create')
    .summary('create a schedule')
    .description(
      prose(
        'Create a schedule copying the newest available snapshot of --source-cluster. The copy input is checked\n' +
          'locally first, as the first slot would run it.\n\n' +
          'Policies: overlap SKIP by default: a slot whose previous copy is still running is skipped (never run\n' +
          'beside it nor queued behind it: every run copies the newest snapshot at its start, and one schedule\n' +
          'never takes more than one of the 5 copies AWS allows in flight per Region); BUFFER_ONE instead queues one.\n' +
          "Catch-up window 1 day by default: after a Temporal outage only the last day's missed slot runs.",
      ),
    )
    .argument('<schedule-id>', "the schedule's ID, e.g. prod-aurora-dr");
  addCopyFlags(createCmd, 'schedule')
    .option('--cron <expression>', 'when, as a cron expression, e.g. "0 3 * * *" (03:00 every day)')
    .option(
      '--every <interval>',
      'when, as an interval instead of --cron, e.g. 6h or 1d',
      parseDurationSeconds,
    )
    .option('--timezone <zone>', 'IANA time zone of --cron', 'UTC')
    .addOption(
      new Option('--overlap <policy>', 'when the previous copy is still running: skip the slot, or queue one')
        .choices(Object.keys(OVERLAP_CHOICES))
        .default('skip'),
    )
    .option(
      '--catchup-window <duration>',
      'after an outage, run missed slots at most this late',
      parseDurationSeconds,
      DEFAULT_CATCHUP_SECONDS,
    )
    .option('--pause-on-failure', 'pause the schedule when a copy fails')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule (e.g. why it is paused)')
    .option('--json', 'print the created schedule as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  snapcopy schedule create prod-dr --source-cluster prod --source-region us-east-1 \\\n' +
        '    --target-region us-west-2 --kms-key alias/dr --retain 7 --cron "0 3 * * *"',
    )
    .action(async (id: string, flags: CreateFlags) => {
      const request = scheduleRequest(id, flags);
      const { client } = await ctx.temporal();
      const report = await createSchedule(client, ctx.taskQueue, id, flags, request);
      if (flags.json) ctx.json(report);
      else ctx.out(renderCreated(report));
    });

  schedule
    .command('list')
    .summary('list snapcopy schedules')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const rows = await listSchedules(client);
      if (flags.json) ctx.json(rows);
      else ctx.out(renderScheduleList(rows));
    });

  schedule
    .command('describe')
    .summary('show a schedule: spec, policies, next runs, recent copies')
    .argument('<schedule-id>')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const report = scheduleReport(await describeSchedule(client, id));
      if (flags.json) ctx.json(report);
      else ctx.out(renderSchedule(report));
    });

  for (const verb of ['pause', 'unpause'] as const) {
    schedule
      .command(verb)
      .summary(verb === 'pause' ? 'pause a schedule (running copies go on)' : 'resume a paused schedule')
      .argument('<schedule-id>')
      .option('--note <text>', 'why (shown by describe)')
      .option('--json', 'print JSON')
      .action(async (id: string, flags: { note?: string; json?: boolean }) => {
        const { client } = await ctx.temporal();
        const done = await setPaused(client, id, verb === 'pause', flags.note ?? `${verb}d with snapcopy`);
        if (flags.json) ctx.json(done);
        else ctx.out(renderPaused(done));
      });
  }

  schedule
    .command('trigger')
    .summary('run a schedule now')
    .description(
      prose(
        "Take a schedule's action now. The schedule's overlap policy applies: with SKIP, a trigger while a copy from\n" +
          'the schedule is still running is skipped (exit 1), unless --allow-overlap. Waits up to 15s to report the\n' +
          "started copy's workflow ID.",
      ),
    )
    .argument('<schedule-id>')
    .option('--allow-overlap', 'start a copy even if one from this schedule is running')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { allowOverlap?: boolean; json?: boolean }) => {
      const { client } = await ctx.temporal();
      const t = await triggerSchedule(client, id, flags.allowOverlap === true);
      if (flags.json) ctx.json(triggeredJson(t));
      else ctx.out(renderTriggered(t));
    });

  schedule
    .command('delete')
    .summary('delete a schedule (copies it started go on)')
    .argument('<schedule-id>')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const deleted = await deleteSchedule(client, id);
      if (flags.json) ctx.json(deleted);
      else ctx.out(renderDeleted(deleted));
    });
}
