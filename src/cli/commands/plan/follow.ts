// `plan run --wait`: follows a run to its end, with a live line from the planRun query every couple of seconds
// (a progress bar on a terminal, a line per change otherwise). Ctrl-C detaches: the run goes on.
import type { Client } from '@temporalio/client';
import type { PlanRunProgress, PlanRunResult } from '../../../shared/plan-run';
import type { CliIo, OutStream } from '../../io';
import { failureOf, type FailureReport } from '../../outcome';
import { createLiveView, type ProgressView } from '../../progress-view';
import { failedRunResult, queryProgress } from './runs';

export type PlanWaitOutcome =
  | { kind: 'completed'; result: PlanRunResult }
  /** `result` when the run failed as PlanRunFailed (some copy not made): its table. */
  | { kind: 'failed'; failure: FailureReport; result?: PlanRunResult }
  | { kind: 'detached' };

export const FOLLOW_INTERVAL_MS = 2_000;

/** `2 copied, 1 already-present`: the rows that ended, by outcome. Pure. */
export function tallyOf(p: PlanRunProgress): string {
  const counts = new Map<string, number>();
  for (const r of p.rows)
    if (r.outcome !== 'copying') counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
}

/** `copying: 3 of 4 copies ended (2 copied, 1 already-present)`. Pure. */
export function progressLine(p: PlanRunProgress): string {
  if (p.phase === 'finding-clusters') return 'finding the clusters and their newest snapshots';
  const ended = p.rows.filter((r) => r.outcome !== 'copying').length;
  const tally = tallyOf(p);
  return `${p.phase}: ${ended} of ${p.rows.length} copies ended${tally ? ` (${tally})` : ''}`;
}

type View = ProgressView<PlanRunProgress>;

export function createPlanView(stream: OutStream): View {
  return createLiveView<PlanRunProgress>(stream, {
    line: progressLine,
    format: '{phase} |{bar}| {value}/{total} copies ended | {tally}',
    total: (p) => Math.max(p.rows.length, 1),
    value: (p) => p.rows.filter((r) => r.outcome !== 'copying').length,
    payload: (p) => ({ phase: p.phase.padEnd(16), tally: tallyOf(p) || '-' }),
  });
}

/** Follows a plan run to its end (the live line on stderr unless quiet). */
export async function waitForPlanRun(
  client: Client,
  io: CliIo,
  workflowId: string,
  /** `listening`: called once Ctrl-C detaches (print "started ..." there: a Ctrl-C after it is never lost). */
  opts: { quiet?: boolean; intervalMs?: number; listening?: () => void } = {},
): Promise<PlanWaitOutcome> {
  const view: View = opts.quiet ? { update() {}, stop() {} } : createPlanView(io.stderr);
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
