// `snapcopy schedule ...`: Temporal Schedules that copy the newest snapshot of a cluster on a timetable.
//
// The action starts copyDbClusterSnapshot with SourceDBClusterIdentifier and no target name: the workflow
// names the copy <cluster>-<yyyymmdd>-<hhmmss> from the slot's scheduled time, so a retried or backfilled slot
// finds its own copy instead of making a second one. Temporal appends the slot time to the workflow ID prefix
// snapcopy-sched-<schedule-id>, so each slot is one workflow.
//
// Policies (see DEFAULT_OVERLAP / DEFAULT_CATCHUP_SECONDS):
// - overlap SKIP: a slot whose predecessor is still copying is skipped, never started beside it nor queued
//   behind it. Every run copies "the newest snapshot at start", so a queued run would mostly copy what the
//   running one copies, or what the next slot picks up anyway; and one schedule never holds more than one of
//   the 5 copies-in-flight AWS allows per Region. Skips are counted (schedule describe).
// - catch-up window 1 day: after a Temporal outage only the last day's missed slot runs (one copy of the
//   newest snapshot), not a replay of every missed slot (Temporal's default window is a year).
// - trigger follows the schedule's overlap policy: "run now" never doubles a running copy (--allow-overlap
//   starts one anyway).
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import { Option, type Command } from 'commander';
import { WORKFLOW_TYPE } from '../../shared/names';
import type { CopyDbClusterSnapshotInput } from '../../shared/types';
import type { CliContext } from '../context';
import {
  addCopyOptionFlags,
  addWhereOptions,
  derivedTarget,
  inputOf,
  validateForCli,
  type CopyFlags,
} from '../copy-input';
import { CliError, GRPC_INVALID_ARGUMENT, UsageError, grpcCode, oneLine } from '../errors';
import { fields, formatTime, table, prose } from '../format';
import { parseDurationSeconds } from '../parse';
import { MEMO_KEY, formatDuration, memoOf, scheduleSpecOf, type ScheduleMemo } from '../schedule-spec';
import { copySummary, initialSearchAttributes } from '../../shared/contract';

export const DEFAULT_OVERLAP = 'SKIP';
export const DEFAULT_CATCHUP_SECONDS = 86_400;
/** How long `trigger` waits to see the triggered copy start (or be skipped). */
const TRIGGER_WAIT_MS = 15_000;

const OVERLAP_CHOICES = { skip: 'SKIP', 'buffer-one': 'BUFFER_ONE' } as const;

export function scheduleWorkflowIdPrefix(scheduleId: string): string {
  return `snapcopy-sched-${scheduleId}`;
}

const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function checkScheduleId(id: string): void {
  if (!SCHEDULE_ID.test(id)) {
    throw new UsageError(
      `schedule ID ${JSON.stringify(id)} must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

interface CreateFlags extends CopyFlags {
  cron?: string;
  every?: number;
  timezone: string;
  overlap: keyof typeof OVERLAP_CHOICES;
  catchupWindow: number;
  pauseOnFailure?: boolean;
  paused?: boolean;
  note?: string;
  json?: boolean;
}

async function describeSchedule(client: Client, id: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new CliError(`no schedule with ID ${id}`);
    throw err;
  }
}

/** Workflow IDs of the copies a schedule started that are still running. */
function runningIds(d: ScheduleDescription): string[] {
  return d.info.runningActions.map((a) => a.workflow.workflowId);
}

export function scheduleReport(d: ScheduleDescription) {
  const memo = memoOf(d.memo);
  const input = d.action.args?.[0] as CopyDbClusterSnapshotInput | undefined;
  return {
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    spec: memo?.spec,
    policies: {
      overlap: d.policies.overlap,
      catchupWindowSeconds: Math.round(d.policies.catchupWindow / 1000),
      pauseOnFailure: d.policies.pauseOnFailure,
    },
    action: {
      workflowType: d.action.workflowType,
      taskQueue: d.action.taskQueue,
      workflowIdPrefix: d.action.workflowId,
      input,
    },
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      takenAt: a.takenAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
    })),
    runningWorkflowIds: runningIds(d),
    numActionsTaken: d.info.numActionsTaken,
    numActionsSkippedOverlap: d.info.numActionsSkippedOverlap,
    numActionsMissedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    createdAt: d.info.createdAt.toISOString(),
  };
}

type ScheduleReport = ReturnType<typeof scheduleReport>;

function whatItCopies(
  input: CopyDbClusterSnapshotInput | undefined,
  memo?: ScheduleMemo,
): string | undefined {
  const cluster = input?.SourceDBClusterIdentifier ?? memo?.sourceCluster;
  if (!cluster) return undefined;
  const from = input?.SourceRegion ?? memo?.sourceRegion ?? input?.TargetRegion;
  const to = input?.TargetRegion ?? memo?.targetRegion;
  const retain = input?.options?.retain ?? memo?.retain;
  const key = input?.KmsKeyId ?? memo?.kmsKey;
  return (
    `newest snapshot of cluster ${cluster} (${from}) to ${to}` +
    (key ? `, KMS key ${key}` : '') +
    (retain !== undefined ? `, retain ${retain}` : '')
  );
}

function renderSchedule(r: ScheduleReport): string {
  const recent = r.recentActions.slice(-5);
  return (
    fields([
      ['schedule', r.scheduleId],
      ['state', r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : `active${r.note ? ` (${r.note})` : ''}`],
      ['spec', r.spec ?? '(not created by snapcopy)'],
      ['copies', whatItCopies(r.action.input)],
      [
        'policies',
        `overlap ${r.policies.overlap}, catch-up window ${formatDuration(r.policies.catchupWindowSeconds)}` +
          (r.policies.pauseOnFailure ? ', pause on failure' : ''),
      ],
      [
        'workflow IDs',
        `${r.action.workflowIdPrefix ?? '?'}-<scheduled time>, task queue ${r.action.taskQueue}`,
      ],
      [
        'next runs',
        r.nextActionTimes
          .slice(0, 3)
          .map((t) => formatTime(t))
          .join(', ') || '-',
      ],
      ['running', r.runningWorkflowIds.join(', ') || '-'],
      [
        'actions',
        `${r.numActionsTaken} taken, ${r.numActionsSkippedOverlap} skipped (overlap), ` +
          `${r.numActionsMissedCatchupWindow} missed (catch-up window)`,
      ],
      ['recent', recent.length ? `${recent.length} shown below` : '-'],
    ]) +
    (recent.length
      ? `\n${table(
          ['  SCHEDULED', 'TAKEN', 'WORKFLOW ID'],
          recent.map((a) => [`  ${formatTime(a.scheduledAt)}`, formatTime(a.takenAt), a.workflowId]),
        )}`
      : '')
  );
}

async function create(ctx: CliContext, scheduleId: string, flags: CreateFlags): Promise<void> {
  checkScheduleId(scheduleId);
  const cluster = flags.sourceCluster ?? '';
  // Checked as the first slot's copy would be; the action itself carries no target name.
  const v = validateForCli(inputOf(flags, derivedTarget(cluster, new Date())));
  const input = inputOf(flags, undefined);
  input.SourceDBClusterIdentifier = v.source.identifier;
  const { spec, text } = scheduleSpecOf(flags);
  const memo: ScheduleMemo = {
    spec: text,
    sourceCluster: v.source.identifier,
    sourceRegion: v.sourceRegion,
    targetRegion: v.targetRegion,
    ...(flags.kmsKey !== undefined ? { kmsKey: flags.kmsKey } : {}),
    ...(flags.retain !== undefined ? { retain: flags.retain } : {}),
  };
  const catchupSeconds = flags.catchupWindow;
  if (catchupSeconds < 60) throw new UsageError('--catchup-window must be at least 1m');

  const { client } = await ctx.temporal();
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: WORKFLOW_TYPE,
        taskQueue: ctx.taskQueue,
        workflowId: scheduleWorkflowIdPrefix(scheduleId),
        args: [input],
        staticSummary: `scheduled (${scheduleId}): ${copySummary(v).replace(/ as \S+$/, '')}`,
        typedSearchAttributes: initialSearchAttributes(v),
      },
      policies: {
        overlap: OVERLAP_CHOICES[flags.overlap],
        catchupWindow: catchupSeconds * 1000,
        pauseOnFailure: flags.pauseOnFailure ?? false,
      },
      memo: { [MEMO_KEY]: memo },
      state: {
        paused: flags.paused ?? false,
        ...(flags.note !== undefined ? { note: flags.note } : {}),
      },
    });
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) {
      throw new CliError(
        `schedule ${scheduleId} already exists (see: snapcopy schedule describe ${scheduleId})`,
      );
    }
    if (grpcCode(err) === GRPC_INVALID_ARGUMENT) {
      throw new UsageError(
        `Temporal refused the schedule: ${oneLine(err instanceof Error ? err.message : String(err))}`,
      );
    }
    throw err;
  }
  const report = scheduleReport(await describeSchedule(client, scheduleId));
  if (flags.json) ctx.json(report);
  else {
    ctx.out(`created schedule ${scheduleId}${report.paused ? ' (paused)' : ''}`);
    ctx.out(renderSchedule(report));
  }
}

async function list(ctx: CliContext, flags: { json?: boolean }): Promise<void> {
  const { client } = await ctx.temporal();
  const rows = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType !== WORKFLOW_TYPE) continue;
    const memo = memoOf(s.memo);
    const last = s.info.recentActions.at(-1);
    rows.push({
      scheduleId: s.scheduleId,
      paused: s.state.paused,
      ...(s.state.note ? { note: s.state.note } : {}),
      spec: memo?.spec,
      sourceCluster: memo?.sourceCluster,
      sourceRegion: memo?.sourceRegion,
      targetRegion: memo?.targetRegion,
      nextActionTime: s.info.nextActionTimes[0]?.toISOString(),
      lastWorkflowId: last?.action.workflow.workflowId,
    });
  }
  rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  if (flags.json) ctx.json(rows);
  else if (rows.length === 0) ctx.out('no snapcopy schedules');
  else
    ctx.out(
      table(
        ['SCHEDULE', 'STATE', 'SPEC', 'CLUSTER', 'REGIONS', 'NEXT RUN', 'LAST WORKFLOW'],
        rows.map((r) => [
          r.scheduleId,
          r.paused ? 'paused' : 'active',
          r.spec ?? '-',
          r.sourceCluster ?? '-',
          `${r.sourceRegion ?? '?'} → ${r.targetRegion ?? '?'}`,
          formatTime(r.nextActionTime),
          r.lastWorkflowId ?? '-',
        ]),
      ),
    );
}

async function trigger(ctx: CliContext, id: string, flags: { allowOverlap?: boolean; json?: boolean }) {
  const { client } = await ctx.temporal();
  const before = await describeSchedule(client, id);
  const overlap = flags.allowOverlap ? 'ALLOW_ALL' : before.policies.overlap;
  await client.schedule.getHandle(id).trigger(overlap);
  const running = runningIds(before);
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  for (;;) {
    const now = await describeSchedule(client, id);
    if (now.info.numActionsTaken > before.info.numActionsTaken) {
      const started = now.info.recentActions.at(-1)?.action.workflow.workflowId ?? '?';
      if (flags.json) ctx.json({ scheduleId: id, triggered: true, workflowId: started, overlap });
      else ctx.out(`triggered schedule ${id}: started ${started}\nfollow: snapcopy status ${started}`);
      return;
    }
    if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) {
      throw new CliError(
        `schedule ${id} skipped the trigger: ${running.join(', ') || 'a copy'} from it is still running ` +
          `(overlap ${overlap}); pass --allow-overlap to start another copy beside it`,
      );
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const why = running.length ? ` (it waits for ${running.join(', ')}: overlap ${overlap})` : '';
  if (flags.json) ctx.json({ scheduleId: id, triggered: true, workflowId: null, overlap });
  else
    ctx.out(`triggered schedule ${id}; no copy has started yet${why}: see snapcopy schedule describe ${id}`);
}

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
    .argument('<schedule-id>', "the schedule's ID, e.g. prod-aurora-dr")
    .addOption(
      new Option(
        '--source-cluster <cluster>',
        'the DB cluster whose newest snapshot is copied',
      ).makeOptionMandatory(),
    );
  addWhereOptions(createCmd)
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
    .option('--note <text>', 'a note shown with the schedule (e.g. why it is paused)');
  addCopyOptionFlags(createCmd)
    .option('--json', 'print the created schedule as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  snapcopy schedule create prod-dr --source-cluster prod --source-region us-east-1 \\\n' +
        '    --target-region us-west-2 --kms-key alias/dr --retain 7 --cron "0 3 * * *"',
    )
    .action(async (id: string, flags: CreateFlags) => create(ctx, id, flags));

  schedule
    .command('list')
    .summary('list snapcopy schedules')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => list(ctx, flags));

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
        await describeSchedule(client, id);
        const handle = client.schedule.getHandle(id);
        const note = flags.note ?? `${verb}d with snapcopy`;
        if (verb === 'pause') await handle.pause(note);
        else await handle.unpause(note);
        if (flags.json) ctx.json({ scheduleId: id, paused: verb === 'pause', note });
        else ctx.out(`${verb}d schedule ${id}`);
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
    .action(async (id: string, flags: { allowOverlap?: boolean; json?: boolean }) => trigger(ctx, id, flags));

  schedule
    .command('delete')
    .summary('delete a schedule (copies it started go on)')
    .argument('<schedule-id>')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const d = await describeSchedule(client, id);
      await client.schedule.getHandle(id).delete();
      const running = runningIds(d);
      if (flags.json) ctx.json({ scheduleId: id, deleted: true, runningWorkflowIds: running });
      else {
        ctx.out(`deleted schedule ${id}`);
        if (running.length)
          ctx.out(`still running (cancel with snapcopy cancel <id>): ${running.join(', ')}`);
      }
    });
}
