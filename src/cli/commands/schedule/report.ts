// `snapcopy schedule ...`, the reports: Temporal Schedules that copy the newest snapshot of a cluster, created,
// listed, described, paused, triggered and deleted.
//
// The action starts copyDbClusterSnapshot with SourceDBClusterIdentifier and no target name: the workflow
// names the copy <cluster>-<yyyymmdd>-<hhmmss> from the slot's scheduled time, so a retried or backfilled slot
// finds its own copy instead of making a second one. Temporal appends the slot time to the workflow ID prefix
// snapcopy-sched-<schedule-id>, so each slot is one workflow. The rest of the action (summary, search
// attributes) is the contract's copyStartOptions, as for every other start of a copy.
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
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleOverlapPolicy,
  type ScheduleSummary,
} from '@temporalio/client';
import { WORKFLOW_TYPE, copyStartOptions, type CopyWorkflow } from '../../../shared/contract';
import type { CopyDbClusterSnapshotInput } from '../../../shared/types';
import { validateCopyInput } from '../../../shared/validation';
import { derivedTarget, inputOf, type CopyFlags } from '../../copy-input';
import { CliError, GRPC_INVALID_ARGUMENT, UsageError, grpcCode, oneLine } from '../../errors';
import { MEMO_KEY, memoOf, scheduleSpecOf, type ScheduleMemo } from './spec';

export const DEFAULT_OVERLAP = 'SKIP';
export const DEFAULT_CATCHUP_SECONDS = 86_400;
/** How long `trigger` waits to see the triggered copy start (or be skipped). */
const TRIGGER_WAIT_MS = 15_000;

export const OVERLAP_CHOICES = { skip: 'SKIP', 'buffer-one': 'BUFFER_ONE' } as const;

export function scheduleWorkflowIdPrefix(scheduleId: string): string {
  return `snapcopy-sched-${scheduleId}`;
}

const SCHEDULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkScheduleId(id: string): void {
  if (!SCHEDULE_ID.test(id)) {
    throw new UsageError(
      `schedule ID ${JSON.stringify(id)} must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

export interface CreateFlags extends CopyFlags {
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

/**
 * What `schedule create` would create, checked before connecting: the action (the contract's start options
 * under the schedule's workflow ID prefix, without a target name), the spec and the memo.
 */
export function scheduleRequest(scheduleId: string, flags: CreateFlags, now: Date = new Date()) {
  checkScheduleId(scheduleId);
  const cluster = flags.sourceCluster ?? '';
  // Checked as the first slot's copy would be; the action itself carries no target name.
  const v = validateCopyInput(inputOf(flags, derivedTarget(cluster, now)));
  const input: CopyDbClusterSnapshotInput = {
    ...inputOf(flags, undefined),
    SourceDBClusterIdentifier: v.source.identifier,
  };
  const start = copyStartOptions(input, v, scheduleWorkflowIdPrefix(scheduleId));
  const { spec, text } = scheduleSpecOf(flags);
  if (flags.catchupWindow < 60) throw new UsageError('--catchup-window must be at least 1m');
  const action: Omit<ScheduleOptionsStartWorkflowAction<CopyWorkflow>, 'taskQueue'> = {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPE,
    ...start,
    // The slot's target name is not known yet: the summary names what is copied, not as what.
    staticSummary: `scheduled (${scheduleId}): ${start.staticSummary.replace(/ as \S+$/, '')}`,
  };
  const memo: ScheduleMemo = {
    spec: text,
    sourceCluster: v.source.identifier,
    sourceRegion: v.sourceRegion,
    targetRegion: v.targetRegion,
    ...(flags.kmsKey !== undefined ? { kmsKey: flags.kmsKey } : {}),
    ...(flags.retain !== undefined ? { retain: flags.retain } : {}),
  };
  return { action, spec, memo };
}

export async function createSchedule(
  client: Client,
  taskQueue: string,
  scheduleId: string,
  flags: CreateFlags,
  request: ReturnType<typeof scheduleRequest>,
): Promise<ScheduleReport> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: request.spec,
      action: { ...request.action, taskQueue },
      policies: {
        overlap: OVERLAP_CHOICES[flags.overlap],
        catchupWindow: flags.catchupWindow * 1000,
        pauseOnFailure: flags.pauseOnFailure ?? false,
      },
      memo: { [MEMO_KEY]: request.memo },
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
  return scheduleReport(await describeSchedule(client, scheduleId));
}

export async function describeSchedule(client: Client, id: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new CliError(`no schedule with ID ${id}`);
    throw err;
  }
}

/** Workflow IDs of the copies a schedule started that are still running. */
export function runningIds(d: ScheduleDescription): string[] {
  return d.info.runningActions.map((a) => a.workflow.workflowId);
}

/** A schedule as `describe` (and `create`) report it. Pure. */
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

export type ScheduleReport = ReturnType<typeof scheduleReport>;

/** A row of `schedule list`. Pure. */
export function scheduleRow(s: ScheduleSummary) {
  const memo = memoOf(s.memo);
  const last = s.info.recentActions.at(-1);
  return {
    scheduleId: s.scheduleId,
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    spec: memo?.spec,
    sourceCluster: memo?.sourceCluster,
    sourceRegion: memo?.sourceRegion,
    targetRegion: memo?.targetRegion,
    nextActionTime: s.info.nextActionTimes[0]?.toISOString(),
    lastWorkflowId: last?.action.workflow.workflowId,
  };
}

export type ScheduleRow = ReturnType<typeof scheduleRow>;

/** snapcopy's schedules (those whose action starts a copy), by ID. */
export async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType === WORKFLOW_TYPE) rows.push(scheduleRow(s));
  }
  return rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** A trigger the overlap policy skipped. */
export function skippedMessage(id: string, running: string[], overlap: string | undefined): string {
  return (
    `schedule ${id} skipped the trigger: ${running.join(', ') || 'a copy'} from it is still running ` +
    `(overlap ${overlap}); pass --allow-overlap to start another copy beside it`
  );
}

export interface TriggerOutcome {
  scheduleId: string;
  triggered: true;
  /** The copy the trigger started; null when none had started within the wait. */
  workflowId: string | null;
  overlap: ScheduleOverlapPolicy;
  /** Copies from the schedule that were running when it was triggered. */
  running: string[];
}

/** Takes the schedule's action now and waits (up to 15s) to see the copy it started; a skip is an error. */
export async function triggerSchedule(
  client: Client,
  id: string,
  allowOverlap: boolean,
): Promise<TriggerOutcome> {
  const before = await describeSchedule(client, id);
  const overlap = allowOverlap ? 'ALLOW_ALL' : before.policies.overlap;
  await client.schedule.getHandle(id).trigger(overlap);
  const running = runningIds(before);
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  for (;;) {
    const now = await describeSchedule(client, id);
    if (now.info.numActionsTaken > before.info.numActionsTaken) {
      const started = now.info.recentActions.at(-1)?.action.workflow.workflowId ?? '?';
      return { scheduleId: id, triggered: true, workflowId: started, overlap, running };
    }
    if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) {
      throw new CliError(skippedMessage(id, running, overlap));
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { scheduleId: id, triggered: true, workflowId: null, overlap, running };
}

/** Pauses or unpauses an existing schedule, with a note. */
export async function setPaused(client: Client, id: string, paused: boolean, note: string) {
  await describeSchedule(client, id);
  const handle = client.schedule.getHandle(id);
  if (paused) await handle.pause(note);
  else await handle.unpause(note);
  return { scheduleId: id, paused, note };
}

/** Deletes a schedule; the copies it started go on (their IDs are reported). */
export async function deleteSchedule(client: Client, id: string) {
  const d = await describeSchedule(client, id);
  await client.schedule.getHandle(id).delete();
  return { scheduleId: id, deleted: true, runningWorkflowIds: runningIds(d) };
}
