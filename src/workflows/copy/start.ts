// Phase 5: start the copy. The copies-in-flight limit means waiting for a slot; the manual-snapshot
// quota means pruning one old snapcopy-owned copy; a target this workflow made earlier is adopted.
import type { QuotaFailureDetails, StartCopyResult } from '../../activities/types';
import { FailureType } from '../../shared/names';
import { recordCopyStarted } from '../metrics';
import { activityCause, call } from './activities';
import { checkpoint, pause } from './checkpoint';
import { pruneForRoom } from './prune';
import { iso, type CopyRun, type SourceRef } from './run';
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

export async function startCopy(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  return run.slots ? startInSlot(run, source) : startRetrying(run, source);
}

/** With copy slots: start once the scheduler grants a slot; a refusal gives it back and asks again. */
async function startInSlot(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  for (;;) {
    await takeSlot(run, source.accountId);
    await checkpoint(run, 'still waiting to start the copy');
    run.setPhase('starting');
    run.undo.target = { available: false };
    try {
      return await requestCopy(run, source);
    } catch (err) {
      const cause = activityCause(err);
      if (cause?.type && NOTHING_CREATED.has(cause.type)) delete run.undo.target;
      if (cause?.type !== FailureType.QuotaExceeded) throw err;
      const reason = (cause.details?.[0] as QuotaFailureDetails | undefined)?.reason;
      run.view.message = cause.message;
      if (reason === 'copies-in-flight') {
        run.slotWaits++;
        await giveSlotBack(run, 'refused');
      } else await pruneForRoom(run, cause.message);
    }
  }
}

/** Copies recorded before copy slots: on the copies-in-flight limit, try again after slotWaitSeconds. */
async function startRetrying(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  for (;;) {
    await checkpoint(run, 'still waiting to start the copy', 'slotWaits');
    run.setPhase('starting');
    // From the moment the request may reach AWS, a cancel or failure cleans up (found by our ID tag).
    run.undo.target = { available: false };
    try {
      return await requestCopy(run, source);
    } catch (err) {
      const cause = activityCause(err);
      // Refusals (quota, exists and not ours, bad key, ...) created nothing; a timeout may have.
      if (cause?.type && NOTHING_CREATED.has(cause.type)) delete run.undo.target;
      if (cause?.type !== FailureType.QuotaExceeded) throw err;
      const reason = (cause.details?.[0] as QuotaFailureDetails | undefined)?.reason;
      if (reason === 'copies-in-flight') await waitForSlot(run, cause.message);
      else await pruneForRoom(run, cause.message);
    }
  }
}

async function requestCopy(run: CopyRun, source: SourceRef): Promise<StartCopyResult> {
  const { v } = run;
  const started = await call('startCopy', summaries.startCopy(source.arn, run.targetName), {
    targetRegion: v.targetRegion,
    sourceIdentifier: source.copyIdentifier,
    sourceArn: source.arn,
    sourceCluster: source.cluster,
    targetIdentifier: v.targetIdentifier,
    kmsKeyArn: run.kmsKeyArn,
    copyTags: v.copyTags,
    tags: source.tags,
    workflowId: run.workflowId,
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
  run.view.message = message;
  run.setPhase('waiting-for-slot');
  await pause(run, run.v.options.slotWaitSeconds, summaries.slotWait);
}
