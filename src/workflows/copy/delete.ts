// Deleting a snapcopy-owned snapshot and waiting until AWS no longer lists it, so what follows (a
// retried start, the end of a cancel) sees the room it made. The activity re-checks ownership tags.
import { sleep } from '@temporalio/workflow';
import { FailureType } from '../../shared/names';
import { call, failure } from './activities';
import type { CopyRun } from './run';
import { summaries } from './ui';

/** Seconds between checks that a deleted snapshot is gone, and how many checks at most. */
const CONFIRM_GONE_POLL_SECONDS = 5;
const CONFIRM_GONE_MAX_POLLS = 120;

/** With `owner`, the snapshot must also carry that workflow ID in `snapcopy:workflow-id`. */
export async function deleteAndConfirm(
  run: CopyRun,
  identifier: string,
  why: string,
  owner?: string,
): Promise<'deleted' | 'absent'> {
  const where = { region: run.v.targetRegion, identifier };
  const remove = () =>
    call('deleteOwnedSnapshot', summaries.delete(why, identifier), {
      ...where,
      ...(owner ? { workflowId: owner } : {}),
    });
  const first = await remove();
  for (let i = 0; i < CONFIRM_GONE_MAX_POLLS; i++) {
    const seen = await call('describeTargetSnapshot', summaries.confirmGone(identifier), where);
    if (!seen) return first.result;
    if (seen.Status === 'available' || seen.Status === 'copying' || seen.Status === 'failed') {
      // Still listed in a deletable state: the delete raced with the copy finishing; ask again.
      await remove();
    }
    await sleep(CONFIRM_GONE_POLL_SECONDS * 1000, {
      summary: summaries.goneWait(identifier, CONFIRM_GONE_POLL_SECONDS),
    });
  }
  throw failure(
    FailureType.InvalidSnapshotState,
    `${identifier} in ${run.v.targetRegion} was deleted but is still listed after ${CONFIRM_GONE_MAX_POLLS * CONFIRM_GONE_POLL_SECONDS}s`,
  );
}

/** Deletes this workflow's own target (only if it carries this workflow's ID). */
export function deleteOwnTarget(run: CopyRun): Promise<'deleted' | 'absent'> {
  return deleteAndConfirm(run, run.v.targetIdentifier, 'clean up the copy', run.workflowId);
}
