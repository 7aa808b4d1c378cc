// Deleting a snapcopy-owned snapshot and waiting until AWS no longer lists it, so what follows (a
// retried start, the end of a cancel) sees the room it made. The activity re-checks ownership tags.
import { isCancellation, sleep } from '@temporalio/workflow';
import type { AssumedRole } from '../../shared/cross-account';
import { FailureType } from '../../shared/names';
import { activityCause, call, failure } from './activities';
import type { CopyRun } from './run';
import { summaries } from './ui';

/** Seconds between checks that a deleted snapshot is gone, and how many checks at most. */
const CONFIRM_GONE_POLL_SECONDS = 5;
const CONFIRM_GONE_MAX_POLLS = 120;

/**
 * Cleanup must finish: an AWS outage longer than an activity's retries (30 minutes) is waited out, a
 * maxPollSeconds apart, instead of failing the cleanup and leaving the target behind. Refusals
 * (non-retryable) and cancellation still end it.
 */
export async function untilAnswered<T>(run: CopyRun, ask: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await ask();
    } catch (err) {
      if (isCancellation(err) || activityCause(err)?.nonRetryable) throw err;
      run.say(`AWS is not answering, trying again: ${activityCause(err)?.message ?? String(err)}`);
      const seconds = run.v.options.maxPollSeconds;
      await sleep(seconds * 1000, { summary: summaries.pollRetry(seconds) });
    }
  }
}

/** Where a snapshot to delete is: the target's Region and account unless said otherwise. */
export interface DeleteOptions {
  /** The snapshot must also carry this workflow ID in `snapcopy:workflow-id`. */
  owner?: string;
  /** A cleanup, which waits out an outage (untilAnswered) rather than fail half done. */
  persistent?: boolean;
  /** After a failure: a snapshot found available is kept. */
  unlessAvailable?: boolean;
  /** Another Region or account (cross-account intermediates). */
  at?: { region: string; role?: AssumedRole };
}

export async function deleteAndConfirm(
  run: CopyRun,
  identifier: string,
  why: string,
  opts: DeleteOptions = {},
): Promise<'deleted' | 'absent' | 'kept'> {
  const { owner, persistent = false, unlessAvailable = false } = opts;
  const at = opts.at ?? { region: run.v.targetRegion, ...run.inTarget };
  const where = { ...at, identifier };
  const ask = <T>(fn: () => Promise<T>) => (persistent ? untilAnswered(run, fn) : fn());
  const remove = () =>
    ask(() =>
      call('deleteOwnedSnapshot', summaries.delete(why, identifier), {
        ...where,
        ...(owner ? { workflowId: owner } : {}),
        ...(unlessAvailable ? { unlessAvailable } : {}),
      }),
    );
  const first = await remove();
  if (first.result === 'kept') return 'kept';
  for (let i = 0; i < CONFIRM_GONE_MAX_POLLS; i++) {
    const seen = await ask(() => call('describeTargetSnapshot', summaries.confirmGone(identifier), where));
    if (!seen) return first.result;
    if (seen.Status === 'available' || seen.Status === 'copying' || seen.Status === 'failed') {
      // Still listed in a deletable state: the delete raced with the copy finishing; ask again.
      if ((await remove()).result === 'kept') return 'kept';
    }
    await sleep(CONFIRM_GONE_POLL_SECONDS * 1000, {
      summary: summaries.goneWait(identifier, CONFIRM_GONE_POLL_SECONDS),
    });
  }
  throw failure(
    FailureType.InvalidSnapshotState,
    `${identifier} in ${at.region} was deleted but is still listed after ${CONFIRM_GONE_MAX_POLLS * CONFIRM_GONE_POLL_SECONDS}s`,
  );
}

/**
 * Deletes this workflow's own target (only if it carries this workflow's ID). `unlessAvailable`: after a
 * failure, a target that finished meanwhile is kept (`kept`), never deleted.
 */
export function deleteOwnTarget(
  run: CopyRun,
  unlessAvailable = false,
): Promise<'deleted' | 'absent' | 'kept'> {
  return deleteAndConfirm(run, run.v.targetIdentifier, 'clean up the copy', {
    owner: run.workflowId,
    persistent: true,
    unlessAvailable,
  });
}
