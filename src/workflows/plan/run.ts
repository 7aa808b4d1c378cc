// The state of one plan run: the checked plan, the table of cluster × destination rows as the children
// end, and what the query and the Temporal UI show of it. The handlers read it; the workflow writes it.
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { formatDuration } from '../../shared/duration';
import type { Plan } from '../../shared/plan';
import {
  FAILED_OUTCOMES,
  restoreTestCell,
  type PlanRowOutcome,
  type PlanRunProgress,
  type PlanRunResult,
  type PlanRunRow,
} from '../../shared/plan-run';

type ProgressRow = PlanRunProgress['rows'][number];

const OUTCOMES: readonly PlanRowOutcome[] = [
  'copied',
  'already-present',
  'already-running',
  'cancelled',
  'failed',
  'no-snapshot',
];

export class PlanRun {
  readonly startedAt = new Date().toISOString();
  phase: PlanRunProgress['phase'] = 'finding-clusters';
  clusters: string[] = [];
  /** In plan order: cluster (sorted), then destination (as the plan lists them). */
  readonly rows: ProgressRow[] = [];
  notified?: string;
  notifyError?: string;

  constructor(readonly plan: Plan) {}

  get destinations(): string[] {
    return this.plan.destinations.map((d) => d.region);
  }

  add(row: ProgressRow): ProgressRow {
    this.rows.push(row);
    return row;
  }

  progress(): PlanRunProgress {
    return { plan: this.plan.name, phase: this.phase, rows: this.rows.map((r) => ({ ...r })) };
  }

  result(): PlanRunResult {
    const rows = this.rows.map((r) => r as PlanRunRow); // every row has ended by now
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as PlanRunResult['counts'];
    for (const r of rows) counts[r.outcome]++;
    const tested = rows.flatMap((r) => (r.verify ? [r.verify.outcome] : []));
    const restoreTests: PlanRunResult['restoreTests'] = {};
    for (const o of tested) restoreTests[o] = (restoreTests[o] ?? 0) + 1;
    return {
      plan: this.plan.name,
      workflowId: workflowInfo().workflowId,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      clusters: this.clusters,
      destinations: this.destinations,
      rows,
      counts,
      ...(tested.length ? { restoreTests } : {}),
      failed: rows.some((r) => FAILED_OUTCOMES.includes(r.outcome) || r.verify?.outcome === 'failed'),
      ...(this.notified !== undefined ? { notified: this.notified } : {}),
      ...(this.notifyError !== undefined ? { notifyError: this.notifyError } : {}),
    };
  }

  /** The UI page's "current details": the table so far (no history event). */
  publish(): void {
    setCurrentDetails(formatPlanDetails(this.progress()));
  }
}

/** The markdown table of a run, cluster × destination. Pure. */
export function formatPlanDetails(p: PlanRunProgress): string {
  const ended = p.rows.filter((r) => r.outcome !== 'copying').length;
  const lines = [`**${p.phase}** — plan ${p.plan}: ${ended} of ${p.rows.length} ended`, ''];
  if (p.rows.length === 0) return lines.join('\n');
  const verify = p.rows.some((r) => r.verify !== undefined);
  lines.push(
    `| cluster | destination | outcome | target | duration |${verify ? ' restore test |' : ''} failure |`,
    `| --- | --- | --- | --- | --- |${verify ? ' --- |' : ''} --- |`,
  );
  for (const r of p.rows) {
    const failure = r.failureType ? `${r.failureType}: ${r.message ?? ''}` : (r.message ?? '');
    lines.push(
      `| ${r.cluster} | ${r.destination} | ${r.outcome} | ${r.target ?? ''} | ${
        r.durationSeconds === undefined ? '' : formatDuration(r.durationSeconds)
      } |${verify ? ` ${restoreTestCell(r.verify)} |` : ''} ${failure.replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n');
}
