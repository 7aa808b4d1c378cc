// The verifyCopy workflow: a restore test of one copy, read as its steps — restore it into a throwaway
// cluster with one writer, check it, time it, and delete everything it made on every way out (the saga
// shape: what to undo is recorded before each step that makes something; one exit cleans up).
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  setHandler,
} from '@temporalio/workflow';
import {
  RESTORE_TEST_FAILED,
  verifyCancelSignal,
  verifyProgressQuery,
  type VerifyCopyInput,
  type VerifyCopyResult,
  type VerifyOutcome,
} from '../shared/restore-tests';
import { slotGrantedSignal } from '../shared/slots';
import { iso } from './clock';
import { activityCause } from './copy/activities';
import { recordRestoreTest } from './metrics';
import { cleanUp } from './verify/cleanup';
import { RestoreTest, type VerifyState } from './verify/state';
import {
  CancelRequested,
  createWriter,
  describeSnapshot,
  restoreCluster,
  runChecks,
  takeRestoreSlot,
  validate,
  waitForCluster,
  waitForWriter,
} from './verify/steps';

export type { VerifyState } from './verify/state';

/** `carried`: the state a previous run handed over by continue-as-new. */
export async function verifyCopy(input: VerifyCopyInput, carried?: VerifyState): Promise<VerifyCopyResult> {
  const t = new RestoreTest(input, carried);
  setHandler(verifyProgressQuery, () => t.progress());
  setHandler(verifyCancelSignal, (args) => t.requestCancel(args?.reason));
  setHandler(slotGrantedSignal, (grant) => t.slotGranted(grant.slotsWorkflowId));
  validate(t); // bad input fails here, before any AWS call and with nothing to clean up

  let outcome: VerifyOutcome = 'restorable';
  let fault: string | undefined;
  let temporalCancel: Error | undefined;
  try {
    await describeSnapshot(t);
    await takeRestoreSlot(t);
    await restoreCluster(t);
    await waitForCluster(t);
    await createWriter(t);
    await waitForWriter(t);
    await runChecks(t);
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (err instanceof CancelRequested) outcome = 'cancelled';
    else if (isCancellation(err)) {
      t.requestCancel('workflow cancelled');
      outcome = 'cancelled';
      temporalCancel = err as Error;
    } else {
      outcome = 'failed';
      fault = faultOf(err);
    }
  }
  const cleanedUp = await CancellationScope.nonCancellable(() => cleanUp(t));
  t.setPhase('done', outcome === 'failed' ? fault : outcome, outcome);
  const result = resultOf(t, outcome, cleanedUp, fault);
  recordRestoreTest(t.v.region, outcome, result.totalSeconds);
  if (temporalCancel) throw temporalCancel;
  if (outcome === 'failed') {
    throw ApplicationFailure.create({
      type: RESTORE_TEST_FAILED,
      message: `restore test of ${t.state.snapshot?.arn ?? t.v.snapshotIdentifier} failed: ${fault}`,
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

/** What went wrong, naming AWS's fault (its type) where there is one. */
function faultOf(err: unknown): string {
  const cause = err instanceof ApplicationFailure ? err : activityCause(err);
  if (!cause) return err instanceof Error ? err.message : String(err);
  return cause.type && cause.type !== RESTORE_TEST_FAILED ? `${cause.type}: ${cause.message}` : cause.message;
}

function seconds(from: number | undefined, to: number | undefined): number | undefined {
  return from !== undefined && to !== undefined ? Math.round((to - from) / 100) / 10 : undefined;
}

function resultOf(
  t: RestoreTest,
  outcome: VerifyOutcome,
  cleanedUp: boolean,
  fault: string | undefined,
): VerifyCopyResult {
  const m = t.state.marks;
  const restoreSeconds = seconds(m.restoreCalled, m.clusterAvailable);
  const writerSeconds = seconds(m.writerCalled, m.writerAvailable);
  const totalSeconds = seconds(m.restoreCalled, m.writerAvailable);
  return {
    outcome,
    snapshotArn: t.state.snapshot?.arn ?? t.v.snapshotIdentifier,
    region: t.v.region,
    ...(t.state.cluster ? { clusterIdentifier: t.state.cluster.identifier } : {}),
    ...(restoreSeconds !== undefined ? { restoreSeconds } : {}),
    ...(writerSeconds !== undefined ? { writerSeconds } : {}),
    ...(totalSeconds !== undefined ? { totalSeconds } : {}),
    checks: t.state.checks,
    cleanedUp,
    startedAt: t.state.startedAt,
    endedAt: iso(),
    ...(fault !== undefined ? { failure: fault } : {}),
  };
}
