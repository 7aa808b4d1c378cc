// Following a copy to its end for --wait (copy, cancel): the live progress view, Ctrl-C detaching.
import type { Client } from '@temporalio/client';
import type { CopyDbClusterSnapshotResult } from '../shared/types';
import type { CliContext } from './context';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';
import { detachedLine, failureLine, failureOf, type FailureReport } from './outcome';
import { createProgressView, type ProgressView } from './progress-view';
import { watchCopy } from './watch';

export type WaitOutcome =
  | { kind: 'completed'; result: CopyDbClusterSnapshotResult }
  | { kind: 'failed'; failure: FailureReport }
  | { kind: 'detached' };

const silentView: ProgressView = { update() {}, stop() {} };

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
  const abort = new AbortController();
  let detach: () => void = () => undefined;
  const detached = new Promise<WaitOutcome>((resolve) => {
    detach = () => {
      abort.abort();
      view.stop();
      resolve({ kind: 'detached' });
    };
  });
  const stopListening = io.onInterrupt(detach);
  try {
    // The signal goes to each call on its own (watch.ts): nothing is added to it per poll.
    const watching = watchCopy(client, workflowId, view, {
      signal: abort.signal,
      ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    }).then(
      (result): WaitOutcome => ({ kind: 'completed', result }),
      (err: unknown): WaitOutcome => ({ kind: 'failed', failure: failureOf(err) }),
    );
    return await Promise.race([watching, detached]);
  } finally {
    stopListening();
  }
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
