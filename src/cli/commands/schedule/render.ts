// `snapcopy schedule ...`, what it prints. Pure.
import type { CopyDbClusterSnapshotInput } from '../../../shared/types';
import { fields, formatDurationCompact, formatTime, table } from '../../format';
import type { ScheduleReport, ScheduleRow, TriggerOutcome } from './report';
import type { ScheduleMemo } from './spec';

export function whatItCopies(
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

export function renderSchedule(r: ScheduleReport): string {
  const recent = r.recentActions.slice(-5);
  return (
    fields([
      ['schedule', r.scheduleId],
      ['state', r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : `active${r.note ? ` (${r.note})` : ''}`],
      ['spec', r.spec ?? '(not created by snapcopy)'],
      ['copies', whatItCopies(r.action.input)],
      [
        'policies',
        `overlap ${r.policies.overlap}, catch-up window ${formatDurationCompact(r.policies.catchupWindowSeconds)}` +
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

export function renderCreated(r: ScheduleReport): string {
  return `created schedule ${r.scheduleId}${r.paused ? ' (paused)' : ''}\n${renderSchedule(r)}`;
}

export function renderScheduleList(rows: ScheduleRow[]): string {
  if (rows.length === 0) return 'no snapcopy schedules';
  return table(
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
  );
}

export function renderTriggered(t: TriggerOutcome): string {
  if (t.workflowId !== null) {
    return `triggered schedule ${t.scheduleId}: started ${t.workflowId}\nfollow: snapcopy status ${t.workflowId}`;
  }
  const why = t.running.length ? ` (it waits for ${t.running.join(', ')}: overlap ${t.overlap})` : '';
  return `triggered schedule ${t.scheduleId}; no copy has started yet${why}: see snapcopy schedule describe ${t.scheduleId}`;
}

/** The --json of `trigger`: the outcome without the copies that were running. */
export function triggeredJson(t: TriggerOutcome) {
  return { scheduleId: t.scheduleId, triggered: t.triggered, workflowId: t.workflowId, overlap: t.overlap };
}

export function renderPaused(p: { scheduleId: string; paused: boolean }): string {
  return `${p.paused ? 'pause' : 'unpause'}d schedule ${p.scheduleId}`;
}

export function renderDeleted(d: { scheduleId: string; runningWorkflowIds: string[] }): string {
  const lines = [`deleted schedule ${d.scheduleId}`];
  if (d.runningWorkflowIds.length) {
    lines.push(`still running (cancel with snapcopy cancel <id>): ${d.runningWorkflowIds.join(', ')}`);
  }
  return lines.join('\n');
}
