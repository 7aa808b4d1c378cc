// Following a workflow to its end for --wait (copy, cancel, verify): the live progress view, Ctrl-C detaching.
import type { Client } from '@temporalio/client';
import type { CopyDbClusterSnapshotResult } from '../shared/types';
import type { CliContext } from './context';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';
import { detachedLine, failureLine, failureOf, type FailureReport } from './outcome';
import { createProgressView, type ProgressView } from './progress-view';
import { watchCopy } from './watch';

export type WaitOutcome<T = CopyDbClusterSnapshotResult> =
  | { kind: 'completed'; result: T }
  /** `error`: what result() threw (a restore test's failure carries its result in it). */
  | { kind: 'failed'; failure: FailureReport; error: unknown }
  | { kind: 'detached' };

const silentView: ProgressView = { update() {}, stop() {} };

/**
 * Follows a workflow to its end through `watch` (which shows its progress on `view`). Ctrl-C detaches: the
 * calls in flight are abandoned (through the signal `watch` is given) and the workflow goes on untouched.
 */
export async function waitForWorkflow<T>(
  io: CliIo,
  view: { stop(): void },
  watch: (signal: AbortSignal) => Promise<T>,
): Promise<WaitOutcome<T>> {
  const abort = new AbortController();
  let detach: () => void = () => undefined;
  const detached = new Promise<WaitOutcome<T>>((resolve) => {
    detach = () => {
      abort.abort();
      view.stop();
      resolve({ kind: 'detached' });
    };
  });
  const stopListening = io.onInterrupt(detach);
  try {
    // The signal goes to each call on its own (watch.ts): nothing is added to it per poll.
    const watching = watch(abort.signal).then(
      (result): WaitOutcome<T> => ({ kind: 'completed', result }),
      (err: unknown): WaitOutcome<T> => ({ kind: 'failed', failure: failureOf(err), error: err }),
    );
    return await Promise.race([watching, detached]);
  } finally {
    stopListening();
  }
}

/**
 * Follows a copy to its end (the live progress view on stderr unless `quiet`). Ctrl-C detaches: the calls in
 * flight are abandoned and the workflow goes on untouched.
 */
export async function waitForCopy(
  client: Client,
  io: CliIo,
  workflowId: string,
  opts: { quiet?: boolean; intervalMs?: number } = {},
): Promise<WaitOutcome> {
  const view = opts.quiet ? silentView : createProgressView(io.stderr);
  return waitForWorkflow(io, view, (signal) =>
    watchCopy(client, workflowId, view, {
      signal,
      ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    }),
  );
}

/**
 * `--wait` as every command does it: Ctrl-C detaches (exit 130), a failure is reported (as JSON with
 * `--json`) and thrown; a result is reported as JSON with `--json` and returned for the caller's own ending.
 */
export async function followCopy(
  ctx: CliContext,
  client: Client,
  workflowId: string,
  json: { enabled: boolean; base: object },
): Promise<CopyDbClusterSnapshotResult | undefined> {
  const outcome = await waitForCopy(client, ctx.io, workflowId);
  if (outcome.kind === 'detached') {
    ctx.note(detachedLine(workflowId));
    ctx.exitCode = EXIT.interrupted;
    return undefined;
  }
  if (outcome.kind === 'failed') {
    if (json.enabled) ctx.json({ ...json.base, status: outcome.failure.status, failure: outcome.failure });
    throw new CliError(failureLine(workflowId, outcome.failure));
  }
  if (json.enabled) ctx.json({ ...json.base, status: 'Completed', result: outcome.result });
  return outcome.result;
}
