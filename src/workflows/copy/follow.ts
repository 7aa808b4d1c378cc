// Phase 6: follow the copy to `available` by polling (AWS has no completion event for cluster snapshot
// copies): often near the estimated end, rarely while it sits queued at 0%.
import { isCancellation } from '@temporalio/workflow';
import { FailureType } from '../../shared/names';
import { estimateEtaSeconds, nextPollDelaySeconds, trackProgress } from '../../shared/polling';
import type { DBClusterSnapshotView } from '../../shared/types';
import { activityCause, call, failure } from './activities';
import { checkpoint, pause } from './checkpoint';
import { iso, now } from '../clock';
import type { CopyRun } from './run';
import type { CopyInFlight } from './state';
import { giveSlotBack } from './slot';
import { summaries } from './ui';

/** Follows the copy (from `first`, what the start returned, or from a fresh poll) until it is available. */
export async function followCopy(
  run: CopyRun,
  first?: DBClusterSnapshotView,
): Promise<DBClusterSnapshotView> {
  const copy = run.copy as CopyInFlight;
  run.setPhase('copying');
  let view = first;
  while (!view || view.Status !== 'available') {
    if (view) {
      await observe(run, copy, view);
      await checkpoint(run, `at ${run.view.percent}%`, 'polls');
      await pause(run, pollDelay(run, copy), summaries.nextPoll);
      await checkpoint(run, `at ${run.view.percent}%`);
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

/** Takes in one sighting of the target: its progress, or the end of a copy that will not finish. */
async function observe(run: CopyRun, copy: CopyInFlight, view: DBClusterSnapshotView): Promise<void> {
  if (view.Status !== 'copying' && view.Status !== 'creating') {
    const sourceGone = await sourceMissing(run);
    throw failure(
      FailureType.InvalidSnapshotState,
      sourceGone
        ? `source ${run.sourceArn} disappeared while it was being copied; the copy ended ${view.Status}`
        : `copy ${run.targetName} ended with status ${view.Status}`,
    );
  }
  const percent = view.PercentProgress ?? 0;
  const sample = { at: now(), percent };
  // The anchor is the last sighting at the starting percentage: the rate is measured from there.
  if (percent === copy.anchor.percent) copy.anchor = sample;
  copy.track = trackProgress(copy.track, sample);
  copy.queuedPolls = percent > 0 ? 0 : copy.queuedPolls + 1;
  run.view.status = view.Status;
  run.view.percent = percent;
  run.view.etaSeconds = estimateEtaSeconds(copy.anchor, sample);
  run.view.lastPolledAt = iso(sample.at);
  run.publish();
}

function pollDelay(run: CopyRun, copy: CopyInFlight): number {
  return nextPollDelaySeconds({
    percent: run.view.percent,
    etaSeconds: run.view.etaSeconds,
    queuedPolls: copy.queuedPolls,
    ...(copy.track ? { track: copy.track } : {}),
    minPollSeconds: run.v.options.minPollSeconds,
    maxPollSeconds: run.v.options.maxPollSeconds,
  });
}

/**
 * One poll; undefined when it failed after its retries (a multi-hour copy outlives an outage).
 * `following`: a sighting exists to keep following from; without one, wait before the next try.
 */
async function poll(run: CopyRun, following: boolean): Promise<DBClusterSnapshotView | undefined> {
  const target = { region: run.v.targetRegion, identifier: run.v.targetIdentifier, ...run.inTarget };
  let polled: DBClusterSnapshotView | null;
  try {
    polled = await call('describeTargetSnapshot', summaries.poll(run.targetName), target);
  } catch (err) {
    if (isCancellation(err) || activityCause(err)?.nonRetryable) throw err;
    run.say(`poll failed, trying again: ${activityCause(err)?.message ?? String(err)}`);
    run.budget.polls++;
    if (!following) {
      await pause(run, run.v.options.maxPollSeconds, summaries.pollRetry);
      await checkpoint(run, `at ${run.view.percent}%`);
    }
    return undefined;
  }
  run.polls++;
  run.budget.polls++;
  if (!polled) {
    const sourceGone = await sourceMissing(run);
    run.targetGone(); // nothing left to clean up
    throw failure(
      FailureType.NotFound,
      sourceGone
        ? `source ${run.sourceArn} disappeared while it was being copied, and the copy ${run.targetName} is gone`
        : `copy ${run.targetName} disappeared while copying (deleted outside snapcopy?)`,
    );
  }
  run.targetArn = polled.DBClusterSnapshotArn ?? run.targetArn;
  return polled;
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
