// Phase 6: follow the copy to `available` by polling (AWS has no completion event for cluster snapshot
// copies): often near the estimated end, rarely while it sits queued at 0%. A wait longer than
// options.followInActivitySeconds is a workflow timer; shorter ones are spent inside one follow activity,
// which polls and waits again itself while the next poll is near (a 20-s copy: one activity, no timers).
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { FailureType } from '../../shared/names';
import { followPlan, followSighting, type Following, type PollPlan } from '../../shared/polling';
import type { DBClusterSnapshotView } from '../../shared/types';
import {
  activityCause,
  call,
  failure,
  follow,
  FOLLOW_SHOWS_CHANGES_SECONDS,
  FOLLOW_SLICE_SECONDS,
} from './activities';
import { CancelRequested, checkpoint, deadlineMs, pause } from './checkpoint';
import { iso, now } from '../clock';
import type { CopyRun } from './run';
import type { CopyInFlight } from './state';
import { giveSlotBack } from './slot';
import { summaries } from './ui';

/** A sighting the follow activity made and already took in (its `following` is the state after it). */
interface Followed {
  view: DBClusterSnapshotView;
  following: Following;
  at: number;
}

/** Follows the copy (from `first`, what the start returned, or from a fresh poll) until it is available. */
export async function followCopy(
  run: CopyRun,
  first?: DBClusterSnapshotView,
): Promise<DBClusterSnapshotView> {
  const copy = run.copy as CopyInFlight;
  run.setPhase('copying');
  let view = first;
  let followed: Followed | undefined;
  while (!view || view.Status !== 'available') {
    let next: PollPlan = { seconds: 0, slackSeconds: 0 };
    if (view) {
      await observe(run, copy, view, followed);
      await checkpoint(run, `at ${run.view.percent}%`, 'polls');
      next = followPlan(following(run, copy), run.v.options.minPollSeconds, run.v.options.maxPollSeconds);
    }
    if (inActivity(run, next.seconds)) {
      followed = await followInActivity(run, copy, next, view !== undefined);
      view = followed?.view ?? view;
      continue;
    }
    followed = undefined;
    if (view) {
      await pause(run, next.seconds, summaries.nextPoll);
      await checkpoint(run, `at ${run.view.percent}%`);
      if (run.leanArrival) {
        // The poll after a long wait is the follow activity's too (one poll): it may take another copy's
        // sighting of a moment ago (the slack), and says when its sighting was made.
        followed = await followInActivity(run, copy, next, true, true);
        view = followed?.view ?? view;
        continue;
      }
    }
    view = (await poll(run, view !== undefined)) ?? view;
  }
  // A finished copy is never deleted by a later failure; a cancel still follows its option.
  run.targetAvailable();
  // Its slot goes to the next copy at once.
  await giveSlotBack(run, 'done');
  run.view.status = 'available';
  run.view.percent = 100;
  run.view.etaSeconds = 0;
  await checkpoint(run);
  return view;
}

/** What the run knows of the copy's progress after its last sighting. */
function following(run: CopyRun, copy: CopyInFlight): Following {
  return {
    anchor: copy.anchor,
    queuedPolls: copy.queuedPolls,
    ...(copy.track ? { track: copy.track } : {}),
    percent: run.view.percent,
    ...(run.view.etaSeconds !== undefined ? { etaSeconds: run.view.etaSeconds } : {}),
  };
}

/** Whether the next wait is spent in a follow activity (copies since FOLLOW_IN_ACTIVITY_PATCH, short waits). */
function inActivity(run: CopyRun, waitSeconds: number): boolean {
  const most = run.v.options.followInActivitySeconds;
  return run.followsInActivity && most > 0 && waitSeconds <= most;
}

/**
 * Takes in one sighting of the target: its progress (`followed`: as the follow activity already took it in),
 * or the end of a copy that will not finish.
 */
async function observe(
  run: CopyRun,
  copy: CopyInFlight,
  view: DBClusterSnapshotView,
  followed?: Followed,
): Promise<void> {
  if (view.Status !== 'copying' && view.Status !== 'creating') {
    const sourceGone = await sourceMissing(run);
    throw failure(
      FailureType.InvalidSnapshotState,
      sourceGone
        ? `source ${run.sourceArn} disappeared while it was being copied; the copy ended ${view.Status}`
        : `copy ${run.targetName} ended with status ${view.Status}`,
    );
  }
  const at = followed?.at ?? now();
  const f =
    followed?.following ?? followSighting(following(run, copy), { at, percent: view.PercentProgress ?? 0 });
  copy.anchor = f.anchor;
  copy.queuedPolls = f.queuedPolls;
  if (f.track) copy.track = f.track;
  run.view.status = view.Status;
  run.view.percent = f.percent;
  run.view.etaSeconds = f.etaSeconds;
  run.view.lastPolledAt = iso(at);
  run.publish();
}

/**
 * Waits `wait.seconds` (a sighting up to `wait.slackSeconds` older serves), then polls, and polls again while
 * the next poll is near, in one activity; a cancel stops it at once. `once`: one poll, no wait, which a cancel
 * lets finish (it is taken in at the next checkpoint, as after a describe). Undefined when it failed after
 * its retries (see pollFailed).
 */
async function followInActivity(
  run: CopyRun,
  copy: CopyInFlight,
  wait: PollPlan,
  following_: boolean,
  once = false,
): Promise<Followed | undefined> {
  let waitSeconds = once ? 0 : wait.seconds;
  const deadline = deadlineMs(run) ?? Infinity;
  // As pause() does: never past the deadline (the next checkpoint then fails the copy).
  if (waitSeconds > 0) waitSeconds = Math.max(1, Math.min(waitSeconds, (deadline - now()) / 1000));
  const scope = new CancellationScope();
  if (!once) run.stopFollowing = () => scope.cancel();
  run.view.nextPollAt = iso(now() + waitSeconds * 1000);
  let result;
  try {
    result = await scope.run(() =>
      follow(
        once ? summaries.poll(run.targetName) : summaries.follow(run.targetName, waitSeconds),
        {
          region: run.v.targetRegion,
          identifier: run.v.targetIdentifier,
          ...run.inTarget,
          following: following(run, copy),
          waitSeconds,
          ...(wait.slackSeconds > 0 ? { slackSeconds: wait.slackSeconds } : {}),
          minPollSeconds: run.v.options.minPollSeconds,
          maxPollSeconds: run.v.options.maxPollSeconds,
          inlineSeconds: once ? 0 : run.v.options.followInActivitySeconds,
          showChangesSeconds: FOLLOW_SHOWS_CHANGES_SECONDS,
          untilMs: Math.min(now() + FOLLOW_SLICE_SECONDS * 1000, deadline),
        },
        once,
      ),
    );
  } catch (err) {
    if (run.cancelRequested && isCancellation(err)) throw new CancelRequested();
    return pollFailed(run, err, following_);
  } finally {
    run.stopFollowing = undefined;
    run.view.nextPollAt = undefined;
  }
  run.polls += result.polls;
  run.budget.polls++;
  if (result.view === undefined || result.at === undefined) return undefined;
  if (result.view === null) return targetGone(run);
  run.targetArn = result.view.DBClusterSnapshotArn ?? run.targetArn;
  return { view: result.view, following: result.following, at: result.at };
}

/**
 * One poll; undefined when it failed after its retries (a multi-hour copy outlives an outage).
 * `following`: a sighting exists to keep following from; without one, wait before the next try.
 */
async function poll(run: CopyRun, following_: boolean): Promise<DBClusterSnapshotView | undefined> {
  const target = { region: run.v.targetRegion, identifier: run.v.targetIdentifier, ...run.inTarget };
  let polled: DBClusterSnapshotView | null;
  try {
    polled = await call('describeTargetSnapshot', summaries.poll(run.targetName), target);
  } catch (err) {
    return pollFailed(run, err, following_);
  }
  run.polls++;
  run.budget.polls++;
  if (!polled) return targetGone(run);
  run.targetArn = polled.DBClusterSnapshotArn ?? run.targetArn;
  return polled;
}

/** A poll that failed after its retries: say so, and without a sighting to go on from, wait before the next. */
async function pollFailed(run: CopyRun, err: unknown, following_: boolean): Promise<undefined> {
  if (isCancellation(err) || activityCause(err)?.nonRetryable) throw err;
  run.say(`poll failed, trying again: ${activityCause(err)?.message ?? String(err)}`);
  run.budget.polls++;
  if (!following_) {
    await pause(run, run.v.options.maxPollSeconds, summaries.pollRetry);
    await checkpoint(run, `at ${run.view.percent}%`);
  }
  return undefined;
}

/** The target is gone while copying: nothing left to clean up, and the copy fails saying why. */
async function targetGone(run: CopyRun): Promise<never> {
  const sourceGone = await sourceMissing(run);
  run.targetGone();
  throw failure(
    FailureType.NotFound,
    sourceGone
      ? `source ${run.sourceArn} disappeared while it was being copied, and the copy ${run.targetName} is gone`
      : `copy ${run.targetName} disappeared while copying (deleted outside snapcopy?)`,
  );
}

async function sourceMissing(run: CopyRun): Promise<boolean> {
  try {
    await call('describeSourceSnapshot', summaries.checkSource(run.sourceArn ?? ''), {
      region: run.v.sourceRegion,
      identifier: run.sourceArn ?? '',
      ...run.inSource,
    });
    return false;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return activityCause(err)?.type === FailureType.NotFound;
  }
}
