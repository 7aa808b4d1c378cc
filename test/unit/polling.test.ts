import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  estimateEtaSeconds,
  MIN_LANDING_SECONDS,
  nextPollDelaySeconds,
  planNextPoll,
  trackProgress,
  type PollTrack,
} from '../../src/shared/polling';

describe('estimateEtaSeconds', () => {
  it('extrapolates the rate since the anchor', () => {
    // 25% in 10 minutes: 75% more takes 30 minutes.
    expect(estimateEtaSeconds({ at: 0, percent: 0 }, { at: 600_000, percent: 25 })).toBe(1800);
  });

  it('has no estimate before progress, or once done', () => {
    expect(estimateEtaSeconds({ at: 0, percent: 0 }, { at: 600_000, percent: 0 })).toBeUndefined();
    expect(estimateEtaSeconds({ at: 0, percent: 0 }, { at: 600_000, percent: 100 })).toBeUndefined();
    expect(estimateEtaSeconds({ at: 5, percent: 10 }, { at: 5, percent: 20 })).toBeUndefined();
  });

  it('is positive and shrinks as progress rises at a steady rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 98 }), fc.integer({ min: 1, max: 10_000 }), (pct, secsPerPct) => {
        const a = estimateEtaSeconds({ at: 0, percent: 0 }, { at: pct * secsPerPct * 1000, percent: pct })!;
        const b = estimateEtaSeconds(
          { at: 0, percent: 0 },
          { at: (pct + 1) * secsPerPct * 1000, percent: pct + 1 },
        )!;
        expect(a).toBeGreaterThan(0);
        expect(b).toBeLessThan(a);
      }),
    );
  });
});

const MIN = 15;
const MAX = 300;

/**
 * Follows a copy poll by poll as the workflow does (follow.ts): the anchor is the last sighting at the starting
 * percentage, queuedPolls counts sightings at 0% (the start's own included), the track takes every sighting.
 * `percentAt(t)` is what AWS reports at t seconds; the copy is available from `finish` on.
 */
function follow(percentAt: (t: number) => number, finish: number, min = MIN, max = MAX, early = false) {
  let t = 0;
  let slack = 0;
  let anchor = { at: 0, percent: percentAt(0) };
  let queuedPolls = 0;
  let track: PollTrack | undefined;
  const delays: { delay: number; percent: number }[] = [];
  while (t < finish) {
    const percent = percentAt(t);
    const sample = { at: t * 1000, percent };
    if (percent === anchor.percent) anchor = sample;
    queuedPolls = percent > 0 ? 0 : queuedPolls + 1;
    track = trackProgress(track, sample);
    const input = {
      percent,
      etaSeconds: estimateEtaSeconds(anchor, sample),
      queuedPolls,
      minPollSeconds: min,
      maxPollSeconds: max,
      track,
    };
    const plan = planNextPoll(input);
    const delay = plan.seconds;
    expect(nextPollDelaySeconds(input)).toBe(delay);
    delays.push({ delay, percent });
    // `early`: every poll takes another copy's sighting made as early as its slack allows (the worst case).
    slack = early ? plan.slackSeconds : 0;
    t += delay - slack;
    if (delays.length > 10_000) throw new Error('runaway polling');
  }
  // The sighting that found it available serves when its poll is due.
  return { detectedAt: t + slack, delays };
}

/** A copy that takes `seconds` after `queued` seconds at 0%, as AWS reports it: whole percents, rounded down. */
const linear =
  (seconds: number, queued = 0) =>
  (t: number) =>
    Math.max(0, Math.min(99, Math.floor((100 * (t - queued)) / seconds)));

describe('nextPollDelaySeconds', () => {
  const base = { minPollSeconds: MIN, maxPollSeconds: MAX };

  it('backs off exponentially while queued at 0%, from minPollSeconds after the start', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((q) =>
      nextPollDelaySeconds({ ...base, percent: 0, queuedPolls: q }),
    );
    expect(delays).toEqual([15, 30, 60, 120, 240, 300]);
  });

  it('without a track: a third of the estimate, the estimated end within reach, never below min', () => {
    expect(nextPollDelaySeconds({ ...base, percent: 10, etaSeconds: 3600, queuedPolls: 0 })).toBe(300);
    expect(nextPollDelaySeconds({ ...base, percent: 90, etaSeconds: 120, queuedPolls: 0 })).toBe(121);
    expect(nextPollDelaySeconds({ ...base, percent: 90, etaSeconds: 5, queuedPolls: 0 })).toBe(15);
  });

  it('sees a 20-s copy available within a few seconds (was 10 s late)', () => {
    const { detectedAt, delays } = follow(linear(20), 20);
    expect(delays[0]?.delay).toBe(MIN);
    expect(detectedAt).toBeLessThanOrEqual(23);
  });

  it('always stays within [1 s, maxPollSeconds], and within [min, max] while queued', () => {
    const sample = fc.record({
      at: fc.integer({ min: 0, max: 10 ** 9 }),
      percent: fc.integer({ min: 0, max: 99 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.option(fc.integer({ min: 0, max: 10 ** 7 }), { nil: undefined }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(sample, { minLength: 1, maxLength: 12 }),
        (min, extra, etaSeconds, queuedPolls, sightings) => {
          // Sightings in time order, as a workflow makes them (percent may go anywhere).
          const ordered = [...sightings].sort((a, b) => a.at - b.at);
          let track: PollTrack | undefined;
          for (const s of ordered) track = trackProgress(track, s);
          const percent = ordered.at(-1)!.percent;
          const d = nextPollDelaySeconds({
            minPollSeconds: min,
            maxPollSeconds: min + extra,
            percent,
            etaSeconds,
            queuedPolls,
            track,
          });
          // Whole seconds, or tenths for a landing.
          expect(Math.abs(d * 10 - Math.round(d * 10))).toBeLessThan(1e-9);
          expect(d).toBeGreaterThanOrEqual(Math.min(min, MIN_LANDING_SECONDS));
          expect(d).toBeLessThanOrEqual(min + extra);
          if (percent === 0) expect(d).toBeGreaterThanOrEqual(min);
        },
      ),
    );
  });

  it('detects a steady copy of 20 s to 10 h within 2.5 s of its end, polling no closer than 2 s', () => {
    fc.assert(
      fc.property(fc.double({ min: 20, max: 36_000, noNaN: true }), (seconds) => {
        const { detectedAt, delays } = follow(linear(seconds), seconds);
        expect(detectedAt - seconds).toBeLessThanOrEqual(2.5);
        for (const { delay } of delays) expect(delay).toBeGreaterThanOrEqual(MIN_LANDING_SECONDS);
        // No more polls than the old rule's cadence would make (one per maxPoll) plus the landing.
        expect(delays.length).toBeLessThanOrEqual(Math.ceil(seconds / MAX) * 2 + 25);
      }),
      { numRuns: 300 },
    );
  });

  it('takes sightings at most a third of its wait early, and none for a landing', () => {
    expect(planNextPoll({ ...base, percent: 0, queuedPolls: 2 })).toEqual({ seconds: 30, slackSeconds: 10 });
    expect(planNextPoll({ ...base, percent: 10, etaSeconds: 3600, queuedPolls: 0 })).toEqual({
      seconds: 300,
      slackSeconds: 100,
    });
    expect(planNextPoll({ ...base, percent: 90, etaSeconds: 120, queuedPolls: 0 })).toEqual({
      seconds: 121,
      slackSeconds: 0,
    });
  });

  it('with every sighting made as early as its slack allows, still detects a steady copy within 2.5 s of its end', () => {
    fc.assert(
      fc.property(fc.double({ min: 20, max: 36_000, noNaN: true }), (seconds) => {
        const { detectedAt, delays } = follow(linear(seconds), seconds, MIN, MAX, true);
        expect(detectedAt - seconds).toBeLessThanOrEqual(2.5);
        expect(delays.length).toBeLessThanOrEqual(Math.ceil(seconds / MAX) * 2 + 25);
      }),
      { numRuns: 300 },
    );
  });

  it('queued first: never polls closer than minPollSeconds while at 0%; once seen moving, lands within 3 s', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 36_000, noNaN: true }),
        fc.double({ min: 0, max: 6 * 3600, noNaN: true }),
        (seconds, queued) => {
          const { detectedAt, delays } = follow(linear(seconds, queued), queued + seconds);
          for (const { delay, percent } of delays)
            if (percent === 0) expect(delay).toBeGreaterThanOrEqual(MIN);
          // A copy that starts and ends between two backed-off polls at 0% is only seen at the next one.
          if (delays.some((d) => d.percent > 0)) expect(detectedAt - queued - seconds).toBeLessThanOrEqual(3);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('backs off when landings keep missing: a copy stuck at 99% is not polled every 2 s', () => {
    fc.assert(
      fc.property(fc.double({ min: 20, max: 7200, noNaN: true }), (seconds) => {
        const stuck = 1800; // AWS sits at 99% for half an hour beyond the steady end
        const { delays } = follow(linear(seconds), seconds + stuck);
        const late = delays.filter(
          (_, i) => delays.slice(0, i).reduce((s, d) => s + d.delay, 0) >= seconds + 10,
        );
        // After the end it should have come at: a handful of short polls, then backing off.
        expect(late.filter((d) => d.delay < MIN).length).toBeLessThanOrEqual(3);
        expect(late.length).toBeLessThanOrEqual(20);
      }),
      { numRuns: 100 },
    );
  });
});
