// The one place a run decides whether to go on: a requested cancel, a passed deadline or a spent run
// budget (or Temporal's continueAsNewSuggested) each end the current step here; the phases call it
// between steps and wait through `pause`, which a cancel cuts short.
import { condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../../shared/types';
import { failure } from './activities';
import { iso, now } from '../clock';
import type { CopyRun } from './run';
import type { CopyState } from './state';

/** Thrown at a checkpoint once a cancel was requested; the run's cleanup turns it into `cancelled`. */
export class CancelRequested extends Error {
  override readonly name = 'CancelRequested';
}

type NextRun = (input: CopyDbClusterSnapshotInput, state: CopyState) => Promise<CopyDbClusterSnapshotResult>;

export const DEADLINE_EXCEEDED = 'CopyDeadlineExceeded';

export function deadlineMs(run: CopyRun): number | undefined {
  const seconds = run.v.options.deadlineSeconds;
  return seconds !== undefined ? Date.parse(run.startedAt) + seconds * 1000 : undefined;
}

/**
 * Goes on, or ends the step: cancel first (an explicit request wins), then — with `where`, which says
 * for the message how far the copy got — the deadline, then — in a loop that spends `budget` — the
 * run's continue-as-new budget, carrying the state whole. A finished copy checks only for a cancel.
 */
export async function checkpoint(
  run: CopyRun,
  where?: string,
  budget?: 'polls' | 'slotWaits',
): Promise<void> {
  if (run.cancelRequested) throw new CancelRequested();
  const deadline = deadlineMs(run);
  if (where !== undefined && deadline !== undefined && now() >= deadline) {
    throw failure(
      DEADLINE_EXCEEDED,
      `copy ${run.targetName} was not available within options.deadlineSeconds=${run.v.options.deadlineSeconds} (${where})`,
    );
  }
  if (budget && (run.budget[budget] >= run.v.options.pollsPerRun || workflowInfo().continueAsNewSuggested)) {
    await continueAsNew<NextRun>(run.input, run.getState());
  }
}

/**
 * Waits until `done` or a cancel, never past the deadline (the next checkpoint then fails the copy), and at
 * most `atMostMs` when given. Whether `done` came.
 */
export async function waitUntil(
  run: CopyRun,
  done: () => boolean,
  summary: (seconds: number) => string,
  atMostMs = Infinity,
): Promise<boolean> {
  const until = () => done() || run.cancelRequested;
  const ms = Math.min(atMostMs, (deadlineMs(run) ?? Infinity) - now());
  if (ms === Infinity) await condition(until);
  else if (ms > 0) await condition(until, ms, { summary: summary(ms / 1000) });
  return done();
}

/** Waits up to `seconds` (never past the deadline); a cancel ends the wait early. */
export async function pause(run: CopyRun, seconds: number, summary: (s: number) => string): Promise<void> {
  const deadline = deadlineMs(run);
  const ms = Math.max(1000, Math.min(seconds * 1000, deadline !== undefined ? deadline - now() : Infinity));
  run.view.nextPollAt = iso(now() + ms);
  await condition(() => run.cancelRequested, ms, { summary: summary(ms / 1000) });
  run.view.nextPollAt = undefined;
}
