// `plan list`, `plan status`, `plan run`, `plan delete`: what they print. Pure.
import { formatDurationCompact } from '../../../shared/duration';
import type { PlanRunProgress, PlanRunResult, PlanRunRow } from '../../../shared/plan-run';
import { fields, formatTime, plural, table, type StatusName } from '../../format';
import { scheduleText } from './render';
import type { PlanRunDetail, PlanRunSummary, StartedPlanRun } from './runs';
import { planSummaryText, type ExistingPlanSchedule } from './schedules';

// --- plan list -------------------------------------------------------------------------------------------------

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

export function renderPlanList(rows: PlanListRow[]): string {
  if (rows.length === 0) return 'no plan schedules (create them with: snapcopy plan apply FILE...)';
  return table(
    ['PLAN', 'STATE', 'SCHEDULE', 'DESTINATIONS', 'NEXT RUN', 'LAST RUN', 'STATUS', 'WORKFLOW ID'],
    rows.map((r) => [
      r.name,
      r.paused ? 'paused' : 'active',
      r.schedule,
      r.destinations.join(', ') || '-',
      r.paused ? '-' : formatTime(r.nextRun),
      formatTime(r.lastRun?.at),
      r.lastRun?.status ?? '-',
      r.lastRun?.workflowId ?? '-',
    ]),
  );
}

// --- plan status -----------------------------------------------------------------------------------------------

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

type AnyRow = Omit<PlanRunRow, 'outcome'> & { outcome: string };

function failureText(r: AnyRow): string {
  return [r.failureType, r.message?.replace(/\s+/g, ' ').trim()].filter(Boolean).join(': ');
}

/** The table cluster × destination → outcome, target, duration, retired copies (by name), failure. */
export function rowsTable(rows: AnyRow[], indent = '  '): string {
  if (rows.length === 0) return `${indent}no copies: no cluster matched the plan`;
  return table(
    [`${indent}CLUSTER`, 'DESTINATION', 'OUTCOME', 'TARGET', 'DURATION', 'RETIRED', 'FAILURE'],
    rows.map((r) => [
      `${indent}${r.cluster}`,
      r.destination,
      r.outcome,
      r.target ?? '-',
      r.durationSeconds === undefined ? '-' : formatDurationCompact(r.durationSeconds),
      r.retired.length > 0 ? r.retired.join(', ') : '-',
      failureText(r) || '-',
    ]),
  );
}

function counts(rows: AnyRow[]): string {
  const n = new Map<string, number>();
  for (const r of rows) n.set(r.outcome, (n.get(r.outcome) ?? 0) + 1);
  return [...n].map(([o, k]) => `${k} ${o}`).join(', ') || 'nothing to copy';
}

function took(from: string, to: string | undefined): string {
  if (to === undefined) return '';
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) && s >= 0 ? ` (${formatDurationCompact(Math.round(s))})` : '';
}

/** A run's head line and its table. */
export function renderRun(run: PlanRunDetail): string {
  const head =
    `run ${run.workflowId}: ${run.status}, started ${formatTime(run.startedAt)}` +
    (run.closedAt ? `, ended ${formatTime(run.closedAt)}${took(run.startedAt, run.closedAt)}` : '');
  const lines = [head];
  const result: PlanRunResult | undefined = run.result;
  const progress: PlanRunProgress | undefined = run.progress;
  if (result !== undefined) {
    lines.push(
      `  ${counts(result.rows)}; clusters ${result.clusters.join(', ') || 'none found'}` +
        (result.notified ? `; reported (SNS ${result.notified})` : '') +
        (result.notifyError ? `; not reported: ${result.notifyError}` : ''),
    );
    lines.push(rowsTable(result.rows));
  } else if (progress !== undefined) {
    lines.push(`  ${progress.phase}: ${counts(progress.rows)}`);
    lines.push(rowsTable(progress.rows));
  } else if (run.failure !== undefined) {
    lines.push(`  ${run.failure.type}: ${run.failure.message}`);
  }
  return lines.join('\n');
}

export function renderStatus(r: PlanStatusReport): string {
  const s = r.schedule;
  const head = fields([
    ['plan', r.name],
    [
      'schedule',
      s === undefined
        ? 'none (no schedule snapcopy-plan-' + r.name + '; runs started with plan run FILE are shown)'
        : `${s.scheduleId}: ${s.spec}, ${s.paused ? 'paused' : 'active'}${s.note ? ` (${s.note})` : ''}`,
    ],
    ['policies', s?.policies],
    ['copies', s?.copies],
    ['file', s?.origin],
    ['task queue', s?.taskQueue],
    [
      'next runs',
      s === undefined
        ? undefined
        : s.paused
          ? '- (paused)'
          : s.nextRuns
              .slice(0, 3)
              .map((t) => formatTime(t))
              .join(', ') || '-',
    ],
    ['running', s && s.running.length > 0 ? s.running.join(', ') : undefined],
    ['runs', r.runs.length === 0 ? 'none yet' : `${plural(r.runs.length, 'run')} shown below, newest first`],
  ]);
  return [head, ...r.runs.map((run) => `\n${renderRun(run)}`)].join('\n');
}

// --- plan run, plan delete -------------------------------------------------------------------------------------

export function renderRunStarted(s: StartedPlanRun, following = false): string {
  const lines = [`started ${s.workflowId}: plan ${s.plan} from ${s.origin}`];
  if (s.url) lines.push(`Temporal UI: ${s.url}`);
  if (!following) {
    lines.push(`follow: snapcopy plan status ${s.plan}`);
  }
  return lines.join('\n');
}

export function renderPlanDeleted(d: { name: string; scheduleId: string; running: string[] }): string {
  const lines = [
    `deleted schedule ${d.scheduleId} (plan ${d.name}): no run was cancelled and no copy deleted; ` +
      `its runs stay listed by snapcopy plan status ${d.name}`,
  ];
  if (d.running.length > 0) lines.push(`still running: ${d.running.join(', ')}`);
  return lines.join('\n');
}
