// Follows a copy for a while inside one activity: waits, polls, and keeps going while the next poll is due
// soon. A copy's short waits then cost one activity, not a timer, an activity and two workflow tasks each;
// the long waits stay workflow timers. Heartbeats carry how far it got, so a retry (another worker after a
// kill) goes on from the last sighting instead of starting over.
import { asyncLocalStorage } from '@temporalio/activity';
import { followDelaySeconds, followSighting, type Following } from '../shared/polling';
import type { DBClusterSnapshotView } from '../shared/types';
import type { AwsClients } from './clients';
import { describeTargetSnapshot } from './target-snapshot';
import type { FollowTargetInput, FollowTargetResult } from './types';

/** Time, sleep and heartbeats of the running activity (unit tests pass their own). */
export interface FollowTicker {
  now(): number;
  /** Sleeps `ms`, rejecting once the activity is cancelled. */
  sleep(ms: number): Promise<void>;
  heartbeat(progress: FollowTargetResult): void;
  /** What the previous attempt heartbeated, if this is a retry. */
  resumed(): FollowTargetResult | undefined;
}

/**
 * A heartbeat at most every 20 s (each one that reaches Temporal is a billable action; a follow of a short copy
 * sends none), inside the activity's 30-s heartbeat timeout: a killed worker's follow moves on within 30 s.
 */
const HEARTBEAT_EVERY_MS = 20_000;

function activityTicker(): FollowTicker {
  const ctx = asyncLocalStorage.getStore();
  return {
    now: () => Date.now(),
    sleep: (ms) => (ctx ? ctx.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms))),
    heartbeat: (progress) => ctx?.heartbeat(progress),
    resumed: () => ctx?.info.heartbeatDetails as FollowTargetResult | undefined,
  };
}

function stillCopying(view: DBClusterSnapshotView | null): view is DBClusterSnapshotView {
  return view !== null && (view.Status === 'copying' || view.Status === 'creating');
}

export async function followTargetSnapshot(
  clients: AwsClients,
  input: FollowTargetInput,
  ticker: FollowTicker = activityTicker(),
): Promise<FollowTargetResult> {
  const resumed = ticker.resumed();
  const since = ticker.now();
  let progress: FollowTargetResult = resumed ?? { following: input.following, polls: 0, heartbeats: 0 };
  let lastBeat = since;
  const beat = () => {
    if (ticker.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
    progress = { ...progress, heartbeats: progress.heartbeats + 1 };
    ticker.heartbeat(progress);
    lastBeat = ticker.now();
  };
  // A retry polls at once: its wait was spent by the attempt that failed.
  let waitMs = resumed ? 0 : input.waitSeconds * 1000;
  for (;;) {
    for (let left = waitMs; left > 0; left -= HEARTBEAT_EVERY_MS) {
      await ticker.sleep(Math.min(left, HEARTBEAT_EVERY_MS));
      beat();
    }
    const view = await describeTargetSnapshot(clients, input);
    const at = ticker.now();
    const following: Following = stillCopying(view)
      ? followSighting(progress.following, { at, percent: view.PercentProgress ?? 0 })
      : progress.following;
    progress = { ...progress, following, polls: progress.polls + 1, view, at };
    if (!stillCopying(view)) return progress;
    // A changed percentage reaches the workflow's progress (the CLI, the UI's details) within showChangesSeconds.
    const changed = following.percent !== input.following.percent;
    if (changed && at - since >= input.showChangesSeconds * 1000) return progress;
    beat();
    waitMs = followDelaySeconds(following, input.minPollSeconds, input.maxPollSeconds) * 1000;
    if (waitMs > input.inlineSeconds * 1000 || at + waitMs > input.untilMs) return progress;
  }
}
