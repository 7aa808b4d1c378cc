// The run's one exit path: what must be undone when a copy is cancelled or fails (the UndoRecord of
// state.ts, the saga sample's compensation list) is acted on here.
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  log,
} from '@temporalio/workflow';
import { isOwnedBy } from '../../shared/ownership';
import type { CopyDbClusterSnapshotResult } from '../../shared/types';
import { recordCopyFailed } from '../metrics';
import { holdReason } from '../../shared/ownership';
import { activityCause, call, failure, heldReason } from './activities';
import { CancelRequested } from './checkpoint';
import { releaseCrossAccount } from './cross-account';
import { deleteOwnTarget, untilAnswered } from './delete';
import { giveSlotBack } from './slot';
import { finishCancelled } from './finish';
import type { CopyRun } from './run';
import { summaries } from './ui';

/** A cancel (signal or Temporal cancellation): delete the target while it is still ours to delete. */
async function cancelCopy(run: CopyRun): Promise<CopyDbClusterSnapshotResult> {
  const result = await cancelTarget(run);
  await releaseCrossAccount(run);
  if (run.crossAccount) {
    result.summary.crossAccount = { ...run.crossAccount, hops: run.progress().hops ?? [] };
  }
  await giveSlotBack(run, 'done'); // after the delete: the next copy must not meet ours still copying
  return result;
}

async function cancelTarget(run: CopyRun): Promise<CopyDbClusterSnapshotResult> {
  if (!run.target) return finishCancelled(run, undefined);
  run.setPhase('cancelling');
  const where = { region: run.v.targetRegion, identifier: run.v.targetIdentifier, ...run.inTarget };
  const current = await untilAnswered(run, () =>
    call('describeTargetSnapshot', summaries.checkBeforeCancel(run.targetName), where),
  );
  if (!current) return finishCancelled(run, false);
  if (!isOwnedBy(current.TagList, run.workflowId)) return finishCancelled(run, false, current);
  if (current.Status === 'available' && run.v.options.onCancelAfterAvailable === 'keep') {
    run.say('cancel arrived after the copy was available: kept');
    return finishCancelled(run, false, current);
  }
  try {
    await deleteOwnTarget(run);
  } catch (err) {
    // A hold wins everywhere: someone put the unfinished target on hold, so the cancel keeps it.
    const hold = heldReason(err);
    if (hold === undefined) throw err;
    run.say(`cancelled; ${run.targetName} is on hold (${holdReason(hold)}): kept, not deleted`);
    run.targetGone();
    return finishCancelled(run, false, current, hold);
  }
  run.targetGone();
  return finishCancelled(run, true);
}

/**
 * A failure: leave no unfinished target behind — but never delete one that became `available` meanwhile
 * (a deadline or an outage can end the run after AWS finished the copy). Best effort: the original failure
 * is what callers need.
 */
async function undoAfterFailure(run: CopyRun): Promise<void> {
  if (run.target && !run.target.available) {
    run.setPhase('cancelling');
    try {
      await CancellationScope.nonCancellable(async () => {
        // The delete itself keeps a target it finds available (unlessAvailable) and waits out outages.
        if ((await deleteOwnTarget(run, true)) === 'kept') {
          run.say(`${run.targetName} became available before the failure: kept`);
          return;
        }
        run.targetGone();
      });
    } catch (err) {
      // On hold: kept, and said. Otherwise the target keeps its ownership tags: a later prune or retention
      // finds it.
      const hold = heldReason(err);
      if (hold !== undefined)
        run.say(`${run.targetName} is on hold (${holdReason(hold)}): kept, not deleted`);
    }
  }
  try {
    await CancellationScope.nonCancellable(() => releaseCrossAccount(run));
  } catch (err) {
    // Intermediates keep their ownership tags (a later prune finds them); a share left behind is said here.
    log.warn('cross-account cleanup after a failure did not finish', {
      share: run.undo.share,
      intermediates: run.undo.intermediates,
      error: String(err),
    });
  }
  try {
    await CancellationScope.nonCancellable(() => giveSlotBack(run, 'done'));
  } catch {
    // The scheduler reclaims the slot of a copy that closed.
  }
}

/**
 * Runs the phases; every way out goes through here. Continue-as-new passes; a cancel at a checkpoint
 * ends `cancelled`; Temporal cancellation cleans up outside the cancelled scope and ends Cancelled; a
 * failure undoes what it must and surfaces the activity's typed failure as the workflow's own.
 */
export async function withUndo(
  run: CopyRun,
  phases: () => Promise<CopyDbClusterSnapshotResult>,
): Promise<CopyDbClusterSnapshotResult> {
  try {
    return await phases();
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (err instanceof CancelRequested) return await cancelCopy(run);
    if (isCancellation(err)) {
      run.cancel = { reason: run.cancel?.reason ?? 'workflow cancelled' };
      await CancellationScope.nonCancellable(() => cancelCopy(run));
      throw err;
    }
    recordCopyFailed(run.regions, err);
    await undoAfterFailure(run);
    const app = err instanceof ApplicationFailure ? err : activityCause(err);
    if (app) run.view.error ??= { type: app.type ?? 'Error', message: app.message };
    run.setPhase('failed');
    if (!app) throw err;
    throw err instanceof ApplicationFailure
      ? err
      : failure(app.type ?? 'Error', app.message, app.details?.[0]);
  }
}
