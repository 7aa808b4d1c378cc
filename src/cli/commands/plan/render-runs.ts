// `plan list`, `plan status`, `plan run`, `plan delete`: what they print, and `plan run --wait`'s live line
// (a progress bar on a terminal, a line per change otherwise). Pure but for the live view's stream.
import { formatDurationCompact } from '../../../shared/duration';
import { keptForHoldNote } from '../../../shared/ownership';
import {
  restoreTestCell,
  type PlanRunProgress,
  type PlanRunResult,
  type PlanRunRow,
} from '../../../shared/plan-run';
import { fields, formatTime, plural, table } from '../../format';
import type { OutStream } from '../../io';
import type { FailureReport } from '../../outcome';
import { createLiveView, type ProgressView } from '../../progress-view';
import { noWorkerNote } from '../../workers';
import type {
  PlanDeleted,
  PlanListRow,
  PlanRunDetail,
  PlanStatusReport,
  StartedPlanRun,
} from './report-runs';

// --- plan list -------------------------------------------------------------------------------------------------

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

type AnyRow = Omit<PlanRunRow, 'outcome'> & { outcome: string };

/** Retired copies by name, then the copies kept for a hold with the reason; `-` for neither. */
function retiredCell(r: AnyRow): string {
  const parts = [
    ...(r.retired.length > 0 ? [r.retired.join(', ')] : []),
    ...(r.held?.length ? [keptForHoldNote(r.held)] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : '-';
}

function failureText(r: AnyRow): string {
  return [r.failureType, r.message?.replace(/\s+/g, ' ').trim()].filter(Boolean).join(': ');
}

/** The table cluster × destination → outcome, target, duration, retired copies (by name), failure. */
export function rowsTable(rows: AnyRow[], indent = '  '): string {
  if (rows.length === 0) return `${indent}no copies: no cluster matched the plan`;
  // Plans with restore tests get a column for them.
  const verify = rows.some((r) => r.verify !== undefined);
  return table(
    [
      `${indent}CLUSTER`,
      'DESTINATION',
      'OUTCOME',
      'TARGET',
      'DURATION',
      'RETIRED',
      ...(verify ? ['RESTORE TEST'] : []),
      'FAILURE',
    ],
    rows.map((r) => [
      `${indent}${r.cluster}`,
      r.destination,
      r.outcome,
      r.target ?? '-',
      r.durationSeconds === undefined ? '-' : formatDurationCompact(r.durationSeconds),
      retiredCell(r),
      ...(verify ? [restoreTestCell(r.verify) || '-'] : []),
      failureText(r) || (r.verify?.failure ? `restore test: ${r.verify.failure}` : '-'),
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

/** The run would only start once a worker polls its task queue. */
export function noWorkerWarning(namespace: string, taskQueue: string): string {
  return noWorkerNote('the run', namespace, taskQueue);
}

/** `2 copied, 1 already-present`: the rows that ended, by outcome. */
export function tallyOf(p: PlanRunProgress): string {
  const counts = new Map<string, number>();
  for (const r of p.rows)
    if (r.outcome !== 'copying') counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
}

/** `copying: 3 of 4 copies ended (2 copied, 1 already-present)`. */
export function progressLine(p: PlanRunProgress): string {
  if (p.phase === 'finding-clusters') return 'finding the clusters and their newest snapshots';
  const ended = p.rows.filter((r) => r.outcome !== 'copying').length;
  const tally = tallyOf(p);
  return `${p.phase}: ${ended} of ${p.rows.length} copies ended${tally ? ` (${tally})` : ''}`;
}

/** `plan run --wait`'s live view of the planRun query. */
export function createPlanView(stream: OutStream): ProgressView<PlanRunProgress> {
  return createLiveView<PlanRunProgress>(stream, {
    line: progressLine,
    format: '{phase} |{bar}| {value}/{total} copies ended | {tally}',
    total: (p) => Math.max(p.rows.length, 1),
    value: (p) => p.rows.filter((r) => r.outcome !== 'copying').length,
    payload: (p) => ({ phase: p.phase.padEnd(16), tally: tallyOf(p) || '-' }),
  });
}

/** Ctrl-C while following a run. */
export function detachedNote(workflowId: string, plan: string): string {
  return `detached from ${workflowId}: the run goes on in Temporal (nothing was cancelled); see snapcopy plan status ${plan}`;
}

/** A followed run that did not complete: failed (some copy not made), cancelled, terminated or timed out. */
export function runEndedMessage(workflowId: string, failure: FailureReport): string {
  const verbs: Record<string, string> = {
    Cancelled: 'was cancelled',
    Terminated: 'was terminated',
    TimedOut: 'timed out',
  };
  const verb = verbs[failure.status] ?? 'failed';
  return `plan run ${workflowId} ${verb}: ${failure.type}: ${failure.message}`;
}

export function renderPlanDeleted(d: Pick<PlanDeleted, 'name' | 'scheduleId' | 'running'>): string {
  const lines = [
    `deleted schedule ${d.scheduleId} and its RPO audit (plan ${d.name}): no run was cancelled and no copy deleted; ` +
      `its runs stay listed by snapcopy plan status ${d.name}`,
  ];
  if (d.running.length > 0) lines.push(`still running: ${d.running.join(', ')}`);
  return lines.join('\n');
}
