// How often to look at a running copy, and how long it has left. Pure, workflow-safe.
// AWS offers no completion event for cluster snapshot copies, so polling is the mechanism: rarely while a copy
// sits queued at 0% (exponential backoff from minPollSeconds), at shrinking intervals while it is far from its
// end (a third of the estimate, between minPollSeconds and maxPollSeconds), and once the end is near, a poll
// that lands just after the estimated finish — below minPollSeconds if need be, never closer than
// MIN_LANDING_SECONDS to the previous one, and backing off when landings keep missing.
//
// The precise landing needs the copy's PollTrack (trackProgress, carried by the workflow): AWS reports whole
// percents, so one sighting leaves a 1%-wide doubt about the end (six minutes on a ten-hour copy). The track
// keeps the sightings that bound the copy's rate and its latest percent step, the poll near the end aims at the
// middle of the next step's window, and each such poll halves the doubt, until the finish is known to a few
// seconds. Without a track the rule falls back to the estimate alone and never polls below minPollSeconds.

export interface ProgressSample {
  /** Epoch milliseconds (workflow time). */
  at: number;
  percent: number;
}

/**
 * Seconds left, from the rate between `anchor` (the last time the copy was seen at its starting
 * percentage) and `latest`. Undefined until the copy has made measurable progress.
 */
export function estimateEtaSeconds(anchor: ProgressSample, latest: ProgressSample): number | undefined {
  const gained = latest.percent - anchor.percent;
  const elapsedSeconds = (latest.at - anchor.at) / 1000;
  if (gained <= 0 || elapsedSeconds <= 0 || latest.percent >= 100) return undefined;
  return Math.ceil(((100 - latest.percent) * elapsedSeconds) / gained);
}

/** A landing poll comes this long after the time it aims at (the earliest or the latest finish). */
export const LANDING_MARGIN_SECONDS = 0.25;
/** Never two polls closer than this, even when landing at an estimated finish. */
export const MIN_LANDING_SECONDS = 2;
/** A landing is made once the finish is known to within this many seconds (or the next step is the last). */
const LANDING_WINDOW_SECONDS = 4;
/** Start narrowing the finish this many percent steps (plus maxPollSeconds) before the estimated end. */
const NARROWING_STEPS = 3;

/**
 * The sightings of one copy that bound its rate and its latest percent step (trackProgress makes it; the
 * workflow carries it, also across continue-as-new). A sighting is a poll that found the copy not yet
 * available. The model: the copy moves at a steady rate, and AWS reports the whole percent reached.
 */
export interface PollTrack {
  /** The last sighting at the percentage the copy was first seen at (0% also while queued). */
  start: ProgressSample;
  /** The first sighting above `start`'s percentage, once there is one. */
  startRise?: ProgressSample;
  /** The last sighting below the current percentage, once it rose. */
  before?: ProgressSample;
  /** The step before, the same way: its `before` and its `rise`. */
  earlier?: ProgressSample;
  priorRise?: ProgressSample;
  /** The first sighting at the current percentage. */
  rise: ProgressSample;
  latest: ProgressSample;
  /**
   * Consecutive sightings made when, by the track, the copy should already have been available (a landing
   * that missed): they back the cadence off, so an end that came later than estimated is not polled every
   * MIN_LANDING_SECONDS for minutes.
   */
  misses: number;
  /**
   * What earlier sightings proved, kept although the sightings themselves are not: bounds on the seconds one
   * percent takes, and epoch ms after which (and by which) the copy is available.
   */
  bounds?: { low: number; high?: number; after: number; by?: number };
}

/** The track after one more sighting (`track` undefined: the first sighting, e.g. what the start returned). */
export function trackProgress(track: PollTrack | undefined, sample: ProgressSample): PollTrack {
  if (!track) return { start: sample, rise: sample, latest: sample, misses: 0 };
  const window = finishWindow(track);
  const late = window !== undefined && window.latest !== undefined && sample.at >= window.latest;
  const rose = sample.percent > track.latest.percent;
  // A sighting after a miss that shows no progress is one more miss; progress ends the series.
  const misses = late || (!rose && track.misses > 0) ? track.misses + 1 : 0;
  let next: PollTrack;
  if (sample.percent < track.latest.percent) {
    // Progress went backwards (another copy by the same name?): start measuring again.
    next = { start: sample, rise: sample, latest: sample, misses };
  } else if (sample.percent === track.start.percent && !track.startRise) {
    next = { ...track, start: sample, rise: sample, latest: sample, misses };
  } else if (rose) {
    next = {
      ...track,
      startRise: track.startRise ?? sample,
      ...(track.before ? { earlier: track.before, priorRise: track.rise } : {}),
      before: track.latest,
      rise: sample,
      latest: sample,
      misses,
    };
  } else {
    next = { ...track, latest: sample, misses };
  }
  // A copy that does not move at a steady rate (AWS's are only roughly linear) contradicts the track: measure
  // the rate again from the latest step.
  if (!consistent(next)) {
    next = next.before
      ? { start: next.before, startRise: next.rise, rise: next.rise, latest: next.latest, misses }
      : { start: next.latest, rise: next.latest, latest: next.latest, misses };
  }
  const w = finishWindow(next);
  if (w) {
    const { low, high } = w.secondsPerPercent;
    next.bounds = {
      low,
      ...(Number.isFinite(high) ? { high } : {}),
      after: w.earliest,
      ...(w.latest !== undefined ? { by: w.latest } : {}),
    };
  }
  return next;
}

/** Bounds on the copy's seconds per percent, from every pair of the track's sightings. */
function rateBounds(track: PollTrack): { low: number; high: number } {
  const samples = sightings(track);
  let low = 0;
  let high = Infinity;
  low = Math.max(low, track.bounds?.low ?? 0);
  high = Math.min(high, track.bounds?.high ?? Infinity);
  for (const a of samples) {
    for (const b of samples) {
      const dt = (b.at - a.at) / 1000;
      const dp = b.percent - a.percent;
      if (dt <= 0 || dp <= 0) continue;
      // b's percent was reached by b.at, a's next one only after a.at: dp - 1 steps took less than dt.
      if (dp > 1) high = Math.min(high, dt / (dp - 1));
      // a's percent was reached by a.at (not so for 0%: the copy may have been queued), b's next one only
      // after b.at: dp + 1 steps took more than dt.
      if (a.percent > 0) low = Math.max(low, dt / (dp + 1));
    }
  }
  return { low, high };
}

export interface FinishWindow {
  /** Epoch ms: the copy cannot be available before this. */
  earliest: number;
  /** Epoch ms: the copy should be available by this (undefined: no bound yet). */
  latest?: number;
  /** Epoch ms: the next percent step (to the latest sighting's percent + 1) comes within (after, by]. */
  nextStep: { after: number; by?: number };
  /** Bounds on the seconds one percent takes. */
  secondsPerPercent: { low: number; high: number };
}

/** When the copy should be available, by the track; undefined while it has not moved. */
export function finishWindow(track: PollTrack): FinishWindow | undefined {
  const { low, high } = rateBounds(track);
  const p = track.latest.percent;
  if (p <= 0 || p >= 100) return undefined;
  const ms = (s: number) => s * 1000;
  const samples = sightings(track);
  // A sighting at q: the step to q + 1 came after it, so the step to k after it + (k - q - 1) × low; and
  // (unless q is 0%, which a queued copy also shows) the step to q came by it, so k by it + (k - q) × high.
  const after = (k: number, list: ProgressSample[]) =>
    Math.max(...list.map((s) => s.at + ms((k - s.percent - 1) * low)));
  const by = (k: number) =>
    Math.min(...samples.filter((s) => s.percent > 0).map((s) => s.at + ms((k - s.percent) * high)));
  const earliest = Math.max(after(100, samples), track.bounds?.after ?? -Infinity);
  const latest = Math.min(by(100), track.bounds?.by ?? Infinity);
  const stepBy = by(p + 1);
  return {
    earliest,
    ...(Number.isFinite(latest) ? { latest } : {}),
    nextStep: { after: after(p + 1, samples), ...(Number.isFinite(stepBy) ? { by: stepBy } : {}) },
    secondsPerPercent: { low, high },
  };
}

/** The track's sightings, oldest first, the latest last. */
function sightings(track: PollTrack): ProgressSample[] {
  const { start, startRise, earlier, priorRise, before, rise, latest } = track;
  const list = [start, startRise, earlier, priorRise, before, rise, latest].filter(
    (s): s is ProgressSample => s !== undefined,
  );
  return list.filter((s, i) => list.indexOf(s) === i).sort((a, b) => a.at - b.at);
}

function consistent(track: PollTrack): boolean {
  const { low, high } = rateBounds(track);
  if (low > high) return false;
  const w = finishWindow(track);
  return !w || w.latest === undefined || (w.earliest <= w.latest && track.latest.at < w.latest);
}

export interface PollPlan {
  seconds: number;
  /** A sighting made up to this many seconds before the poll is due serves for it. */
  slackSeconds: number;
}

/** A poll that only looks how far the copy got. */
const looking = (seconds: number): PollPlan => ({ seconds, slackSeconds: Math.floor(seconds / 3) });
/** A poll that lands at or narrows the finish: it must be made when due. */
const landing = (seconds: number): PollPlan => ({ seconds, slackSeconds: 0 });

export interface PollDelayInput {
  percent: number;
  etaSeconds?: number;
  /** Consecutive polls that found the copy still at 0% (the sighting the start returned included). */
  queuedPolls: number;
  minPollSeconds: number;
  maxPollSeconds: number;
  /** The copy's track (trackProgress): lands polls at the estimated finish. Without it, never below min. */
  track?: PollTrack;
}

/**
 * The next poll: after `seconds` (whole seconds, or tenths for a landing near the finish), and how much earlier
 * a sighting may have been made and still serve for it (`slackSeconds`). A poll that only looks how far a copy
 * got (queued, far from its end) takes a sighting up to a third of its wait early — another copy's poll of the
 * same account and Region sees this copy too, so the two share one call; a poll that lands at or narrows the
 * finish has no slack.
 */
export function planNextPoll(p: PollDelayInput): PollPlan {
  const max = Math.max(1, p.maxPollSeconds);
  const min = Math.min(max, Math.max(1, p.minPollSeconds));
  const clamp = (s: number) => Math.min(max, Math.max(min, Math.round(s)));
  if (p.percent <= 0) {
    // Queued: back off exponentially, a copy can wait hours for its turn. The first poll after the start's
    // own sighting comes after minPollSeconds.
    return looking(clamp(min * 2 ** Math.min(Math.max(p.queuedPolls - 1, 0), 16)));
  }
  const floor = Math.min(MIN_LANDING_SECONDS, min);
  const window = p.track ? finishWindow(p.track) : undefined;
  if (!p.track || !window || window.latest === undefined) {
    // After misses (an end later than the track said, a copy that stopped moving): back off from
    // minPollSeconds. Without a track a miss cannot be told from a landing: minPollSeconds stays the floor.
    const misses = p.track?.misses ?? 0;
    const backedOff = misses > 0 ? min * 2 ** Math.min(misses - 1, 16) : 0;
    if (p.etaSeconds === undefined) return looking(clamp(Math.max(min * 2, backedOff)));
    // Just risen from 0%: the copy may have sat queued long after the last 0% sighting, so the rate measured
    // from there says little (a 40 s copy after an hour's queue looks like a 2-hour one). Rather than wait
    // that long, look again at the floor and measure the rate.
    const justRose =
      p.track !== undefined && p.track.start.percent === 0 && p.track.startRise === p.track.latest;
    if (justRose && misses === 0 && p.etaSeconds > min) return looking(clamp(min));
    if (p.etaSeconds <= max) return landing(clamp(Math.max(p.etaSeconds + 1, backedOff)));
    return looking(clamp(Math.max(p.etaSeconds / 3, backedOff)));
  }
  const now = p.track.latest.at;
  const secondsTo = (at: number) => (at - now) / 1000;
  const earliest = secondsTo(window.earliest);
  const latest = secondsTo(window.latest);
  // After a miss each further poll that still finds no progress waits twice as long as the one before.
  const missed = p.track.misses > 0 ? floor * 2 ** Math.min(p.track.misses - 1, 16) : 0;
  // Landings to a tenth of a second: on a short copy a whole second is a good part of the detection lag.
  const atLeastFloor = (s: number) => Math.min(max, Math.ceil(Math.max(s, floor, missed) * 10) / 10);
  // A fast copy's whole window can lie within minPollSeconds: never wait past its latest finish for the floor.
  const notPast = (s: number) => Math.min(s, atLeastFloor(latest + LANDING_MARGIN_SECONDS));
  const narrow = latest - earliest <= LANDING_WINDOW_SECONDS;
  if (narrow || p.percent >= 99) {
    // The finish is known well enough (or only the last step is left): land just after its earliest time,
    // then step through the window; a wide one in steps of a quarter of what is left of it (a few polls, not
    // one every MIN_LANDING_SECONDS).
    // A window shorter than the gap between two polls: its end is a sure hit that costs less, on average,
    // than a guess at its start that may miss and wait MIN_LANDING_SECONDS more.
    if (latest - earliest <= MIN_LANDING_SECONDS && latest <= max)
      return landing(atLeastFloor(latest + LANDING_MARGIN_SECONDS));
    const step = narrow ? 0 : (latest - Math.max(earliest, 0)) / 4;
    if (earliest <= max) return landing(atLeastFloor(Math.max(earliest + LANDING_MARGIN_SECONDS, step)));
    return landing(notPast(clamp((earliest + latest) / 6)));
  }
  // The finish is still in doubt: near the end, aim at the middle of the next step's window — whether the
  // copy has taken that step or not, the doubt about its timing halves.
  const by = window.nextStep.by;
  // Each narrowing poll halves the doubt: start as many steps before the end as that takes, and a few more.
  const halvings = Math.log2(Math.max(1, (latest - earliest) / LANDING_WINDOW_SECONDS));
  const horizon = (NARROWING_STEPS + halvings) * window.secondsPerPercent.high;
  // A window that begins before a poll at the floor would come is narrowed now, whatever the horizon says.
  if (by !== undefined && (earliest <= horizon || earliest <= min)) {
    const middle = (secondsTo(window.nextStep.after) + secondsTo(by)) / 2;
    if (middle <= max) return landing(atLeastFloor(middle));
  }
  const far = clamp((earliest + latest) / 6);
  // Bounded by the latest finish, it is a landing after all.
  return notPast(far) < far ? landing(notPast(far)) : looking(far);
}

/** Seconds to wait before the next poll (whole seconds, or tenths for a landing near the finish). */
export function nextPollDelaySeconds(p: PollDelayInput): number {
  return planNextPoll(p).seconds;
}

/** What following a copy knows after its last sighting: the one state both the workflow and the follow activity advance. */
export interface Following {
  /** The last sighting at the starting percentage: the rate is measured from there. */
  anchor: ProgressSample;
  /** Consecutive sightings at 0% (queued copies back off). */
  queuedPolls: number;
  /** The sightings that bound the copy's rate, so the next poll lands just after its finish. */
  track?: PollTrack;
  percent: number;
  etaSeconds?: number;
}

/** Takes in one sighting of a copy still in progress (the one rule for both the workflow and the follow activity). */
export function followSighting(f: Following, sample: ProgressSample): Following {
  const anchor = sample.percent === f.anchor.percent ? sample : f.anchor;
  return {
    anchor,
    queuedPolls: sample.percent > 0 ? 0 : f.queuedPolls + 1,
    track: trackProgress(f.track, sample),
    percent: sample.percent,
    etaSeconds: estimateEtaSeconds(anchor, sample),
  };
}

/** The next poll of a copy followed as `f`, and its slack (planNextPoll). */
export function followPlan(f: Following, minPollSeconds: number, maxPollSeconds: number): PollPlan {
  return planNextPoll({
    percent: f.percent,
    etaSeconds: f.etaSeconds,
    queuedPolls: f.queuedPolls,
    ...(f.track ? { track: f.track } : {}),
    minPollSeconds,
    maxPollSeconds,
  });
}
