// After `available`, options.verify: a restore test of the copy as a child workflow (verifyCopy), whose
// outcome the copy's summary carries. A failed restore test does not fail the copy — the copy exists and is
// available; the summary says it did not restore. A cancel signal is passed on (the test cleans up).
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  isCancellation,
  ParentClosePolicy,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  verifyCancelSignal,
  verifyWorkflowId,
  VERIFY_WORKFLOW_TYPE,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../shared/restore-tests';
import type { CopyVerifySummary } from '../../shared/types';
import type { CopyRun } from './run';

export async function verifyCopied(run: CopyRun): Promise<CopyVerifySummary | undefined> {
  const options = run.v.options.verify;
  if (!options) return undefined;
  const workflowId = verifyWorkflowId(run.v.targetRegion, run.v.targetIdentifier);
  const role = run.v.targetRole;
  const input: VerifyCopyInput = {
    SnapshotIdentifier: run.targetArn ?? run.v.targetIdentifier,
    Region: run.v.targetRegion,
    ...(role ? { TargetRoleArn: role.roleArn } : {}),
    options: { ...options, ...(role?.externalId ? { externalId: role.externalId } : {}) },
  };
  run.setPhase('verifying', `restore test ${workflowId}`);
  try {
    const child = await startChild<(i: VerifyCopyInput) => Promise<VerifyCopyResult>>(VERIFY_WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      // The copy's own cancellation (Temporal's) reaches the child through this scope; its cancel signal
      // is passed on below.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `restore test of ${run.targetName} for ${run.workflowId}`,
    });
    condition(() => run.cancelRequested)
      .then(() =>
        child.signal(verifyCancelSignal, { reason: run.cancel?.reason ?? 'the copy was cancelled' }),
      )
      .catch(() => undefined);
    const result = await child.result();
    return {
      workflowId,
      outcome: result.outcome,
      ...(result.totalSeconds !== undefined ? { totalSeconds: result.totalSeconds } : {}),
    };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return {
        workflowId,
        outcome: 'failed',
        failure: `a restore test of this copy (${workflowId}) is already running`,
      };
    }
    if (isCancellation(err) && !(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    const details =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as VerifyCopyResult | undefined) : undefined;
    return {
      workflowId,
      outcome: details?.outcome ?? (isCancellation(err) ? 'cancelled' : 'failed'),
      failure: details?.failure ?? cause?.message ?? String(err),
    };
  }
}
