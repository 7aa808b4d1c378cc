// Retention selection (src/shared/retention.ts): examples, and properties over random copy sets — never deletes
// a non-owned copy, the newest, the one just made or one not available; keeps each tier's representative;
// deletes nothing when every rule keeps it; keep and delete split the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OWNERSHIP_TAGS } from '../../src/shared/names';
import { isManaged } from '../../src/shared/ownership';
import {
  dayKey,
  isoWeekKey,
  monthKey,
  selectRetention,
  type RetentionRules,
} from '../../src/shared/retention';
import type { OwnedCopy } from '../../src/shared/types';

const DAY = 86_400_000;
const MANAGED = [{ Key: OWNERSHIP_TAGS.managed, Value: 'true' }];

function copy(identifier: string, createTime: string | undefined, over: Partial<OwnedCopy> = {}): OwnedCopy {
  const c: OwnedCopy = {
    identifier,
    arn: `arn:aws:rds:us-west-2:123456789012:cluster-snapshot:${identifier}`,
    status: 'available',
    tags: MANAGED,
    sourceCluster: 'prod',
    ...over,
  };
  if (createTime !== undefined) c.createTime = createTime;
  return c;
}

const ids = (list: OwnedCopy[]) => list.map((c) => c.identifier);

describe('ISO weeks, days and months (UTC)', () => {
  it.each([
    ['2026-11-30T03:00:00Z', '2026-W49'],
    ['2026-11-29T23:59:59Z', '2026-W48'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2025-12-29T00:00:00Z', '2026-W01'],
    ['2024-12-30T12:00:00Z', '2025-W01'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
  ])('%s is in %s', (time, week) => {
    expect(isoWeekKey(Date.parse(time))).toBe(week);
  });

  it('days and months are UTC', () => {
    expect(dayKey(Date.parse('2026-11-30T23:30:00-05:00'))).toBe('2026-12-01');
    expect(monthKey(Date.parse('2026-11-30T23:30:00-05:00'))).toBe('2026-12');
  });
});

describe('selectRetention: examples', () => {
  it('a year of nightly copies with daily 7, weekly 4, monthly 12 keeps exactly the expected set', () => {
    // Nightly at 03:00 UTC from 2025-12-01 to 2026-11-30 (a Monday), retention running at 03:30.
    const copies: OwnedCopy[] = [];
    for (let t = Date.UTC(2025, 11, 1, 3); t <= Date.UTC(2026, 10, 30, 3); t += DAY) {
      copies.push(copy(`prod-${dayKey(t).replace(/-/g, '')}-030000`, new Date(t).toISOString()));
    }
    expect(copies).toHaveLength(365);
    const now = '2026-11-30T03:30:00Z';
    const justMade = 'prod-20261130-030000';
    const r = selectRetention(copies, { daily: 7, weekly: 4, monthly: 12 }, now, justMade);

    const name = (day: string) => `prod-${day.replace(/-/g, '')}-030000`;
    const daily = [
      '2026-11-30',
      '2026-11-29',
      '2026-11-28',
      '2026-11-27',
      '2026-11-26',
      '2026-11-25',
      '2026-11-24',
    ];
    // ISO weeks W49 (Monday 11-30 only so far), W48, W47, W46: the newest copy of each is its last day present.
    const weekly = ['2026-11-30', '2026-11-29', '2026-11-22', '2026-11-15'];
    // Months 2025-12 … 2026-11: the newest copy of each is its last day (11-30 for November).
    const monthly = [
      '2026-11-30',
      '2026-10-31',
      '2026-09-30',
      '2026-08-31',
      '2026-07-31',
      '2026-06-30',
      '2026-05-31',
      '2026-04-30',
      '2026-03-31',
      '2026-02-28',
      '2026-01-31',
      '2025-12-31',
    ];
    const expected = [...new Set([...daily, ...weekly, ...monthly])].map(name).sort().reverse();
    expect(ids(r.keep.map((k) => k.copy))).toEqual(expected);
    expect(r.keep).toHaveLength(7 + 2 + 11); // 11-30 and 11-29 are daily already; 11-30 is monthly too
    expect(r.delete).toHaveLength(365 - r.keep.length);

    const reasons = Object.fromEntries(r.keep.map((k) => [k.copy.identifier, k.reasons]));
    expect(reasons[justMade]).toEqual([
      'just made',
      'newest',
      'daily 2026-11-30',
      'weekly 2026-W49',
      'monthly 2026-11',
    ]);
    expect(reasons[name('2026-11-29')]).toEqual(['daily 2026-11-29', 'weekly 2026-W48']);
    expect(reasons[name('2026-11-15')]).toEqual(['weekly 2026-W46']);
    expect(reasons[name('2026-02-28')]).toEqual(['monthly 2026-02']);
    expect(reasons[name('2025-12-31')]).toEqual(['monthly 2025-12']);
  });

  it('keepLast keeps the newest N; maxAgeDays keeps copies younger than N days', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const copies = [0, 1, 2, 3, 4, 5].map((d) => copy(`c${d}`, new Date(now - d * DAY - 1000).toISOString()));
    expect(ids(selectRetention(copies, { keepLast: 2 }, now).delete)).toEqual(['c2', 'c3', 'c4', 'c5']);
    const byAge = selectRetention(copies, { maxAgeDays: 3 }, now);
    expect(ids(byAge.delete)).toEqual(['c3', 'c4', 'c5']);
    expect(byAge.keep.map((k) => k.reasons)).toEqual([
      ['newest', 'maxAgeDays'],
      ['maxAgeDays'],
      ['maxAgeDays'],
    ]);
  });

  it('only owned, available copies with a create time are deleted; the just-made and the newest never', () => {
    const now = '2026-11-30T12:00:00Z';
    const copies = [
      copy('old-foreign', '2026-01-01T00:00:00Z', { tags: [] }),
      copy('old-failed', '2026-01-02T00:00:00Z', { status: 'failed' }),
      copy('old-copying', '2026-01-03T00:00:00Z', { status: 'copying' }),
      copy('no-time', undefined),
      copy('old-owned', '2026-01-04T00:00:00Z'),
      copy('just', '2026-01-05T00:00:00Z', { status: 'creating' }), // a stale listing of the copy just made
      copy('newer-foreign', '2026-11-30T00:00:00Z', {
        tags: [{ Key: OWNERSHIP_TAGS.managed, Value: 'false' }],
      }),
    ];
    const r = selectRetention(copies, { keepLast: 0 }, now, 'JUST');
    expect(ids(r.delete)).toEqual(['old-owned']);
    const reasons = Object.fromEntries(r.keep.map((k) => [k.copy.identifier, k.reasons]));
    expect(reasons).toEqual({
      'no-time': ['no create time'],
      'newer-foreign': ['not owned'],
      just: ['just made', 'newest'],
      'old-copying': ['not available'],
      'old-failed': ['not available'],
      'old-foreign': ['not owned'],
    });
    expect(ids(r.keep.map((k) => k.copy))).toEqual([
      'no-time',
      'newer-foreign',
      'just',
      'old-copying',
      'old-failed',
      'old-foreign',
    ]);
  });

  it('rules of 0 keep only the newest; no copies select nothing', () => {
    const copies = [copy('a', '2026-11-01T00:00:00Z'), copy('b', '2026-11-02T00:00:00Z')];
    const r = selectRetention(
      copies,
      { keepLast: 0, maxAgeDays: 0, daily: 0, weekly: 0, monthly: 0 },
      '2026-11-30',
    );
    expect(r.keep).toEqual([{ copy: copies[1], reasons: ['newest'] }]);
    expect(r.delete).toEqual([copies[0]]);
    expect(selectRetention([], { keepLast: 3 }, '2026-11-30')).toEqual({ keep: [], delete: [] });
  });
});

// --- properties -------------------------------------------------------------------------------------------------

const NOW = Date.parse('2026-11-30T10:00:00Z');
const SPAN = 500 * DAY;

const copyArb = fc.record({
  age: fc.integer({ min: -DAY, max: SPAN }), // a little into the future too (clock skew)
  managed: fc.boolean(),
  status: fc.constantFrom('available', 'available', 'available', 'copying', 'failed', 'deleting'),
  hasTime: fc.nat(20).map((n) => n > 0),
});

const copiesArb = fc.array(copyArb, { maxLength: 60 }).map((list) =>
  list.map((c, i) =>
    copy(`copy-${i}`, c.hasTime ? new Date(NOW - c.age).toISOString() : undefined, {
      status: c.status,
      tags: c.managed ? MANAGED : [{ Key: 'team', Value: 'x' }],
    }),
  ),
);

const rulesArb: fc.Arbitrary<RetentionRules> = fc.record(
  {
    keepLast: fc.nat(10),
    maxAgeDays: fc.nat(60),
    daily: fc.nat(14),
    weekly: fc.nat(8),
    monthly: fc.nat(18),
  },
  { requiredKeys: [] },
);

const caseArb = fc
  .tuple(copiesArb, rulesArb, fc.nat(80))
  .map(([copies, rules, pick]) => ({ copies, rules, justMade: copies[pick]?.identifier }));

const rankable = (c: OwnedCopy, justMade?: string) =>
  isManaged(c.tags) && c.createTime !== undefined && (c.status === 'available' || c.identifier === justMade);
const time = (c: OwnedCopy) => Date.parse(c.createTime ?? '');
const byNewest = (a: OwnedCopy, b: OwnedCopy) =>
  time(b) - time(a) || (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);

describe('selectRetention: properties', () => {
  it('keep ∪ delete is the input, each copy exactly once', () => {
    fc.assert(
      fc.property(caseArb, ({ copies, rules, justMade }) => {
        const r = selectRetention(copies, rules, NOW, justMade);
        const out = [...r.keep.map((k) => k.copy), ...r.delete];
        expect(out).toHaveLength(copies.length);
        expect(new Set(out)).toEqual(new Set(copies));
        for (const k of r.keep) expect(k.reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it('never deletes a non-owned copy, one not available, one without a create time, or the one just made', () => {
    fc.assert(
      fc.property(caseArb, ({ copies, rules, justMade }) => {
        for (const c of selectRetention(copies, rules, NOW, justMade).delete) {
          expect(isManaged(c.tags)).toBe(true);
          expect(c.status).toBe('available');
          expect(c.createTime).toBeDefined();
          expect(c.identifier).not.toBe(justMade);
        }
      }),
    );
  });

  it('never deletes the newest owned copy', () => {
    fc.assert(
      fc.property(caseArb, ({ copies, rules, justMade }) => {
        const r = selectRetention(copies, rules, NOW, justMade);
        const owned = copies.filter((c) => isManaged(c.tags) && c.createTime !== undefined).sort(byNewest);
        if (owned[0] !== undefined) expect(r.delete).not.toContain(owned[0]);
        const newestRanked = copies.filter((c) => rankable(c, justMade)).sort(byNewest)[0];
        if (newestRanked !== undefined) {
          expect(r.keep.find((k) => k.copy === newestRanked)?.reasons).toContain('newest');
        }
      }),
    );
  });

  it("keeps each rule's copies: the newest keepLast, the young, and each tier's representative", () => {
    fc.assert(
      fc.property(caseArb, ({ copies, rules, justMade }) => {
        const r = selectRetention(copies, rules, NOW, justMade);
        const kept = new Set(r.keep.map((k) => k.copy));
        const ranked = copies.filter((c) => rankable(c, justMade)).sort(byNewest);
        for (const c of ranked.slice(0, rules.keepLast ?? 0)) expect(kept.has(c)).toBe(true);
        for (const c of ranked)
          if (NOW - time(c) < (rules.maxAgeDays ?? 0) * DAY) expect(kept.has(c)).toBe(true);
        // Independently: the periods are the last N calendar days / ISO weeks / months counted back from NOW.
        const tiers: [number, (t: number) => string, (i: number) => number][] = [
          [rules.daily ?? 0, dayKey, (i) => NOW - i * DAY],
          [rules.weekly ?? 0, isoWeekKey, (i) => NOW - i * 7 * DAY],
          [rules.monthly ?? 0, monthKey, (i) => Date.UTC(2026, 10 - i, 15)],
        ];
        for (const [n, keyOf, at] of tiers) {
          for (let i = 0; i < n; i++) {
            const period = keyOf(at(i));
            const representative = ranked.find((c) => keyOf(time(c)) === period);
            if (representative !== undefined) expect(kept.has(representative)).toBe(true);
          }
        }
      }),
    );
  });

  it('deletes only what no rule keeps (nothing more is kept than the rules and guards say)', () => {
    fc.assert(
      fc.property(caseArb, ({ copies, rules, justMade }) => {
        const r = selectRetention(copies, rules, NOW, justMade);
        for (const k of r.keep) {
          for (const reason of k.reasons) {
            expect(reason).toMatch(
              /^(just made|newest|keepLast|maxAgeDays|daily \d{4}-\d\d-\d\d|weekly \d{4}-W\d\d|monthly \d{4}-\d\d|not owned|not available|no create time)$/,
            );
          }
        }
        const tierCounts = {
          daily: rules.daily ?? 0,
          weekly: rules.weekly ?? 0,
          monthly: rules.monthly ?? 0,
        };
        for (const [tier, n] of Object.entries(tierCounts)) {
          const reps = r.keep.flatMap((k) => k.reasons.filter((x) => x.startsWith(`${tier} `)));
          expect(reps.length).toBeLessThanOrEqual(n);
          expect(new Set(reps).size).toBe(reps.length);
        }
        expect(r.keep.filter((k) => k.reasons.includes('keepLast')).length).toBeLessThanOrEqual(
          rules.keepLast ?? 0,
        );
      }),
    );
  });

  it('deletes nothing when every rule keeps it (keepLast covers all, or every copy is young)', () => {
    fc.assert(
      fc.property(copiesArb, fc.nat(5), (copies, extra) => {
        expect(selectRetention(copies, { keepLast: copies.length + extra }, NOW).delete).toEqual([]);
        expect(selectRetention(copies, { maxAgeDays: 502 + extra }, NOW).delete).toEqual([]);
      }),
    );
  });

  it('does not depend on the order of the input', () => {
    fc.assert(
      fc.property(caseArb, fc.infiniteStream(fc.nat()), ({ copies, rules, justMade }, stream) => {
        const shuffled = [...copies];
        const it = stream[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as OwnedCopy, shuffled[i] as OwnedCopy];
        }
        expect(selectRetention(shuffled, rules, NOW, justMade)).toEqual(
          selectRetention(copies, rules, NOW, justMade),
        );
      }),
    );
  });
});
