// Following a restore test (verifyCopy) for `verify --wait`: its live view, its place in the restore-slot
// queue, and its result — which a failed test carries inside its RestoreTestFailed failure.
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import {
  RESTORE_TEST_FAILED,
  verifyProgressQuery,
  type VerifyCopyResult,
  type VerifyProgress,
} from '../shared/restore-tests';
import type { CliContext } from './context';
import { CliError, EXIT } from './errors';
import { waitForWorkflow } from './follow';
import { detachedLine, failureLine, type FailureReport } from './outcome';
import { withLiveVerifyPosition } from './slot-position';
import { createVerifyView } from './verify-view';
import { watchWorkflow, type WatchOptions } from './watch';

/** The result a failed restore test carries (`details[0]` of its RestoreTestFailed), if `err` is one. */
export function verifyResultOf(err: unknown): VerifyCopyResult | undefined {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== RESTORE_TEST_FAILED) return undefined;
  const result = cause.details?.[0] as VerifyCopyResult | undefined;
  return result && typeof result === 'object' && 'outcome' in result ? result : undefined;
}

/** Follows a restore test to its end, showing its progress (with its live queue position) on `view`. */
export function watchVerify(
  client: Client,
  workflowId: string,
  view: { update(p: VerifyProgress): void; stop(): void },
  opts: WatchOptions = {},
): Promise<VerifyCopyResult> {
  const handle = client.workflow.getHandle(workflowId);
  return watchWorkflow<VerifyProgress, VerifyCopyResult>(
    client,
    workflowId,
    view,
    async (call) => {
      const progress = await call(() => handle.query(verifyProgressQuery));
      return call(() => withLiveVerifyPosition(client, workflowId, progress));
    },
    opts,
  );
}

/** How a followed restore test ended: its result (restorable, failed, cancelled), or a failure without one. */
export type VerifyEnd =
  | { kind: 'result'; status: 'Completed' | 'Failed'; result: VerifyCopyResult; failure?: FailureReport }
  | { kind: 'detached' };

/**
 * `verify --wait`: follows the restore test (the live view on stderr); Ctrl-C detaches (exit 130) as with
 * `copy --wait`. A failed test's result is answered like a passed one's; a test that ended without a result
 * (cancelled through Temporal, terminated, timed out) is reported (as JSON with `--json`) and thrown.
 */
export async function followVerify(
  ctx: CliContext,
  client: Client,
  workflowId: string,
  json: { enabled: boolean; base: object },
): Promise<VerifyCopyResult | undefined> {
  const view = createVerifyView(ctx.io.stderr);
  const outcome = await waitForWorkflow(ctx.io, view, (signal) =>
    watchVerify(client, workflowId, view, { signal }),
  );
  if (outcome.kind === 'detached') {
    ctx.note(detachedLine(workflowId, 'the restore test'));
    ctx.exitCode = EXIT.interrupted;
    return undefined;
  }
  if (outcome.kind === 'completed') {
    if (json.enabled) ctx.json({ ...json.base, status: 'Completed', result: outcome.result });
    return outcome.result;
  }
  const result = verifyResultOf(outcome.error);
  if (json.enabled) {
    ctx.json({
      ...json.base,
      status: outcome.failure.status,
      failure: outcome.failure,
      ...(result ? { result } : {}),
    });
  }
  if (result) return result;
  throw new CliError(failureLine(workflowId, outcome.failure, 'restore test'));
}
