// Follows a copy for a while inside one activity: waits, polls, and keeps going while the next poll is due
// soon. A copy's short waits then cost one activity, not a timer, an activity and two workflow tasks each;
// the long waits stay workflow timers. Heartbeats carry how far it got, so a retry (another worker after a
// kill) goes on from the last sighting instead of starting over.
import { asyncLocalStorage } from '@temporalio/activity';
import { followPlan, followSighting, type Following } from '../shared/polling';
import type { DBClusterSnapshotView } from '../shared/types';
import type { AwsClients } from './clients';
import { sightTargetSnapshot, type TargetSighting } from './target-snapshot';
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

/** One poll of the target: a sighting at most `maxAgeMs` old, and its age. */
export type SightTarget = (maxAgeMs: number) => Promise<TargetSighting>;

export function followTargetSnapshot(
  clients: AwsClients,
  input: FollowTargetInput,
  ticker: FollowTicker = activityTicker(),
): Promise<FollowTargetResult> {
  return followTarget(input, ticker, (maxAgeMs) => sightTargetSnapshot(clients, input, maxAgeMs));
}

/** The follow's rules over any way of sighting the target (the in-memory AWS of workflow tests has its own). */
export async function followTarget(
  input: FollowTargetInput,
  ticker: FollowTicker,
  sight: SightTarget,
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
  // A retry polls at once, afresh: its wait was spent by the attempt that failed.
  let due = since + (resumed ? 0 : input.waitSeconds * 1000);
  let slackMs = resumed ? 0 : (input.slackSeconds ?? 0) * 1000;
  for (;;) {
    for (let left = due - ticker.now(); left > 0; left = due - ticker.now()) {
      await ticker.sleep(Math.min(left, HEARTBEAT_EVERY_MS));
      beat();
    }
    const { view, ageMs } = await sight(slackMs);
    const at = ticker.now() - ageMs;
    const following: Following = stillCopying(view)
      ? followSighting(progress.following, { at, percent: view.PercentProgress ?? 0 })
      : progress.following;
    progress = { ...progress, following, polls: progress.polls + 1, view, at };
    if (!stillCopying(view)) return progress;
    // A changed percentage reaches the workflow's progress (the CLI, the UI's details) within showChangesSeconds.
    const changed = following.percent !== input.following.percent;
    if (changed && at - since >= input.showChangesSeconds * 1000) return progress;
    beat();
    const next = followPlan(following, input.minPollSeconds, input.maxPollSeconds);
    // The next poll is planned from the sighting, which may be another poll's of a moment ago.
    due = at + next.seconds * 1000;
    slackMs = next.slackSeconds * 1000;
    if (due - ticker.now() > input.inlineSeconds * 1000 || due > input.untilMs) return progress;
  }
}
