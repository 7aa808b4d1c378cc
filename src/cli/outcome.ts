// How a copy ended: what its result() threw as status + type + message, and one line for people. Pure.
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
} from '@temporalio/client';
import { holdReason, keptForHoldNote } from '../shared/ownership';
import type { CopyDbClusterSnapshotResult } from '../shared/types';
import { oneLine } from './errors';
import { formatDuration, plural, type StatusName } from './format';

export interface FailureReport {
  status: StatusName;
  /** The ApplicationFailure type (an API exception name such as KMSKeyNotAccessibleFault), or the close kind. */
  type: string;
  message: string;
}

/** What a workflow's result() threw, as status + type + message. */
export function failureOf(err: unknown): FailureReport {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof TerminatedFailure) {
      return { status: 'Terminated', type: 'Terminated', message: oneLine(cause.message || err.message) };
    }
    if (cause instanceof CancelledFailure) {
      return { status: 'Cancelled', type: 'Cancelled', message: oneLine(cause.message || err.message) };
    }
    if (cause instanceof TimeoutFailure) {
      return { status: 'TimedOut', type: 'TimedOut', message: oneLine(cause.message || err.message) };
    }
    if (cause instanceof ApplicationFailure) {
      return { status: 'Failed', type: cause.type ?? 'ApplicationFailure', message: oneLine(cause.message) };
    }
    return {
      status: 'Failed',
      type: cause?.name ?? 'Error',
      message: oneLine(cause?.message ?? err.message),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'Failed', type: err instanceof Error ? err.name : 'Error', message: oneLine(message) };
}

/** `what`: the workflow's kind (`copy`, `restore test`). */
export function failureLine(workflowId: string, f: FailureReport, what = 'copy'): string {
  const verb = { Terminated: 'was terminated', Cancelled: 'was cancelled', TimedOut: 'timed out' }[
    f.status as 'Terminated' | 'Cancelled' | 'TimedOut'
  ];
  return verb
    ? `${what} ${workflowId} ${verb}: ${f.message}`
    : `${what} ${workflowId} failed: ${f.type}: ${f.message}`;
}

/** True when the copy exists at the end (copied, or already there). */
export function succeeded(result: CopyDbClusterSnapshotResult): boolean {
  return result.summary.outcome === 'copied' || result.summary.outcome === 'already-present';
}

/** One line for a result. */
export function resultLine(result: CopyDbClusterSnapshotResult): string {
  const s = result.summary;
  const snap = result.DBClusterSnapshot;
  const extras: string[] = [];
  if (s.pruned.length) extras.push(`pruned ${s.pruned.map((p) => p.DBClusterSnapshotIdentifier).join(', ')}`);
  if (s.retired.length)
    extras.push(`retired ${s.retired.map((p) => p.DBClusterSnapshotIdentifier).join(', ')}`);
  if (s.held?.length)
    extras.push(
      keptForHoldNote(s.held.map((h) => ({ identifier: h.DBClusterSnapshotIdentifier, hold: h.hold }))),
    );
  const tail = extras.length ? `; ${extras.join('; ')}` : '';
  if (s.outcome === 'cancelled') {
    const fate =
      s.targetDeleted === true
        ? 'the unfinished target was deleted'
        : s.targetHeld !== undefined
          ? `the target was kept for its hold (${holdReason(s.targetHeld)})${snap?.Status ? `, ${snap.Status}` : ''}`
          : s.targetDeleted === false
            ? `the target was kept${snap?.Status ? ` (${snap.Status})` : ''}`
            : 'nothing had been created';
    return `cancelled${s.cancelReason ? ` (${s.cancelReason})` : ''}: ${fate}${tail}`;
  }
  const what = snap?.DBClusterSnapshotArn ?? s.targetArn ?? snap?.DBClusterSnapshotIdentifier ?? 'the copy';
  const state = snap ? ` (${snap.Status ?? 'unknown'}, ${snap.PercentProgress ?? '?'}%)` : '';
  if (s.outcome === 'already-present') return `already present: ${what}${state}${tail}`;
  const took = s.copySeconds !== undefined ? ` in ${s.copySeconds}s` : '';
  return `copied: ${what}${state}${took}, ${plural(s.polls, 'poll')}${tail}`;
}

/** What a copy started with --verify says of its restore test (`summary.verify`). */
export interface CopyVerifySummary {
  outcome: string;
  workflowId: string;
  totalSeconds?: number;
  failure?: string;
}

/** One line about the restore test a copy ran (copy --verify), when it ran one. */
export function verifyLine(result: CopyDbClusterSnapshotResult): string | undefined {
  const v = (result.summary as { verify?: CopyVerifySummary }).verify;
  if (!v) return undefined;
  const took = v.totalSeconds !== undefined ? ` (restore took ${formatDuration(v.totalSeconds)})` : '';
  const why = v.failure ? `: ${oneLine(v.failure)}` : '';
  return `restore test ${v.workflowId}: ${v.outcome}${took}${why}`;
}

/** Ctrl-C while following: `what` goes on (`the copy`, `the restore test`). */
export function detachedLine(workflowId: string, what = 'the copy'): string {
  return (
    `detached from ${workflowId}: ${what} goes on in Temporal (nothing was cancelled). ` +
    `Reattach: snapcopy status ${workflowId}; stop it: snapcopy cancel ${workflowId}`
  );
}
