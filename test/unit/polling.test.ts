import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateEtaSeconds, nextPollDelaySeconds } from '../../src/shared/polling';

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

describe('nextPollDelaySeconds', () => {
  const base = { minPollSeconds: 15, maxPollSeconds: 300 };

  it('backs off exponentially while queued at 0%', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((q) =>
      nextPollDelaySeconds({ ...base, percent: 0, queuedPolls: q }),
    );
    expect(delays).toEqual([15, 30, 60, 120, 240, 300]);
  });

  it('polls faster as the estimated end approaches', () => {
    const far = nextPollDelaySeconds({ ...base, percent: 10, etaSeconds: 3600, queuedPolls: 0 });
    const near = nextPollDelaySeconds({ ...base, percent: 90, etaSeconds: 120, queuedPolls: 0 });
    expect(far).toBe(300);
    expect(near).toBe(40);
  });

  it('always stays within [min, max]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.option(fc.integer({ min: 0, max: 10 ** 7 }), { nil: undefined }),
        fc.integer({ min: 0, max: 1000 }),
        (min, extra, percent, etaSeconds, queuedPolls) => {
          const d = nextPollDelaySeconds({
            minPollSeconds: min,
            maxPollSeconds: min + extra,
            percent,
            etaSeconds,
            queuedPolls,
          });
          expect(d).toBeGreaterThanOrEqual(min);
          expect(d).toBeLessThanOrEqual(min + extra);
        },
      ),
    );
  });
});
