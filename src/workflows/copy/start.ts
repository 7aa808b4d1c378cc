// Phase 5: start the copy. The copies-in-flight limit means waiting for a slot; the manual-snapshot
// quota means pruning one old snapcopy-owned copy; a target this workflow made earlier is adopted.
import type { QuotaFailureDetails, StartCopyResult } from '../../activities/types';
import { FailureType } from '../../shared/names';
import { recordCopyStarted } from '../metrics';
import { activityCause, quick } from './activities';
import { checkpoint, pause } from './checkpoint';
import { pruneForRoom } from './prune';
import { iso } from '../clock';
import type { CopyRun } from './run';
import type { SourceRef } from './state';
import { giveSlotBack, takeSlot } from './slot';
import { summaries } from './ui';

/** Failure types that mean CopyDBClusterSnapshot created nothing. */
const NOTHING_CREATED = new Set<string>([
  FailureType.AlreadyExists,
  FailureType.KmsKeyNotAccessible,
  FailureType.InvalidParameterValue,
  FailureType.InvalidParameterCombination,
  FailureType.NotFound,
  FailureType.InvalidSnapshotState,
  FailureType.InvalidClusterState,
  FailureType.QuotaExceeded,
]);

/**
 * Starts the copy, once: with copy slots, when the scheduler grants a slot (a refusal gives it back and asks
 * again, keeping the copy's place); copies recorded before copy slots retry after options.slotWaitSeconds.
 */
export async function startCopy(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  for (;;) {
    if (run.slots) await takeSlot(run, source.accountId);
    await checkpoint(run, 'still waiting to start the copy', run.slots ? undefined : 'slotWaits');
    run.setPhase('starting');
    // From the moment the request may reach AWS, a cancel or failure cleans up (found by our ID tag).
    run.targetMayExist();
    try {
      return await requestCopy(run, source);
    } catch (err) {
      const cause = activityCause(err);
      // Refusals (quota, exists and not ours, bad key, ...) created nothing; a timeout may have.
      if (cause?.type && NOTHING_CREATED.has(cause.type)) run.targetGone();
      if (cause?.type !== FailureType.QuotaExceeded) throw err;
      const reason = (cause.details?.[0] as QuotaFailureDetails | undefined)?.reason;
      if (reason !== 'copies-in-flight') await pruneForRoom(run, cause.message);
      else if (run.slots) {
        run.say(cause.message);
        run.slotWaits++;
        await giveSlotBack(run, 'refused');
      } else await waitForSlot(run, cause.message);
    }
  }
}

async function requestCopy(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  const { v } = run;
  const started = await quick(run.leanArrival, 'startCopy', summaries.startCopy(source.arn, run.targetName), {
    targetRegion: v.targetRegion,
    sourceIdentifier: source.copyIdentifier,
    sourceArn: source.arn,
    sourceCluster: source.cluster,
    targetIdentifier: v.targetIdentifier,
    kmsKeyArn: run.kmsKeyArn,
    copyTags: v.copyTags,
    tags: source.tags,
    workflowId: run.workflowId,
    ...(source.recoveryPoint !== undefined ? { recoveryPoint: source.recoveryPoint } : {}),
    ...run.inTarget,
    ...(v.preSignedUrl ? { preSignedUrl: v.preSignedUrl } : {}),
  });
  const view = started.snapshot;
  const startedAt = iso();
  run.targetArn = view.DBClusterSnapshotArn ?? run.targetArn;
  run.copyStarted(source, startedAt, { at: Date.parse(startedAt), percent: view.PercentProgress ?? 0 });
  // Adopting a finished copy (already-present) started nothing.
  if (!started.adopted || view.Status !== 'available') recordCopyStarted(v, view);
  return started;
}

/** AWS runs at most 5 copies per destination Region: try again after options.slotWaitSeconds. */
async function waitForSlot(run: CopyRun, message: string): Promise<void> {
  run.slotWaits++;
  run.budget.slotWaits++;
  run.setPhase('waiting-for-slot', message);
  await pause(run, run.v.options.slotWaitSeconds, summaries.slotWait);
}
