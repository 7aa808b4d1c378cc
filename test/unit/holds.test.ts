// Holds in the pure choosers (src/shared/prune.ts, src/shared/retention.ts): a copy tagged snapcopy:hold is
// never chosen, and it is kept *in addition* — it never takes the place of a copy the rules keep, so the
// choice among the other copies is exactly the choice made without the held ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOLD_TAG, OWNERSHIP_TAGS } from '../../src/shared/names';
import { deleteRefusal, holdOf, isHeld, keptForHoldNote } from '../../src/shared/ownership';
import { selectSnapshotsToPrune } from '../../src/shared/prune';
import { selectRetention, type RetentionRules } from '../../src/shared/retention';
import { rowsTable } from '../../src/cli/commands/plan/render-runs';
import { resultLine } from '../../src/cli/outcome';
import { renderPlanRunText } from '../../src/shared/plan-report';
import type { PlanRunResult, PlanRunRow } from '../../src/shared/plan-run';
import type { CopyDbClusterSnapshotResult, CopySummary, OwnedCopy } from '../../src/shared/types';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const MANAGED = { Key: OWNERSHIP_TAGS.managed, Value: 'true' };

/** An owned, available copy of cluster prod made `day` days after T0; `hold`: on hold with that reason. */
function copy(identifier: string, day: number, hold?: string, over: Partial<OwnedCopy> = {}): OwnedCopy {
  return {
    identifier,
    arn: `arn:aws:rds:us-west-2:123456789012:cluster-snapshot:${identifier}`,
    status: 'available',
    createTime: new Date(T0 + day * DAY).toISOString(),
    sourceCluster: 'prod',
    tags: [MANAGED, ...(hold !== undefined ? [{ Key: HOLD_TAG, Value: hold }] : [])],
    ...(hold !== undefined ? { hold } : {}),
    ...over,
  };
}
const ids = (list: readonly OwnedCopy[]) => list.map((c) => c.identifier);
const prune = (copies: OwnedCopy[], keep: number, count = copies.length, exclude?: string[]) =>
  selectSnapshotsToPrune({ copies, sourceCluster: 'prod', keep, count, ...(exclude ? { exclude } : {}) });

describe('the hold tag', () => {
  it('is read by exact key; an empty value is still a hold; the listing field or the tag each mark a hold', () => {
    expect(holdOf([{ Key: HOLD_TAG, Value: '' }])).toBe('');
    expect(holdOf([{ Key: 'snapcopy:Hold', Value: 'x' }])).toBeUndefined();
    expect(isHeld({ tags: [{ Key: HOLD_TAG, Value: 'x' }] })).toBe(true);
    expect(isHeld({ hold: 'x', tags: [] })).toBe(true);
    expect(isHeld({ tags: [MANAGED] })).toBe(false);
  });

  it('deleteRefusal: ownership first, then the hold', () => {
    expect(deleteRefusal([{ Key: HOLD_TAG, Value: 'x' }])?.type).toBe('SnapshotNotOwnedBySnapcopy');
    expect(deleteRefusal([MANAGED, { Key: HOLD_TAG, Value: 'legal' }])).toMatchObject({
      type: 'SnapshotHeld',
      hold: 'legal',
    });
    expect(deleteRefusal([MANAGED])).toBeUndefined();
  });

  it('one wording for what was kept', () => {
    expect(
      keptForHoldNote([
        { identifier: 'a', hold: 'legal' },
        { identifier: 'b', hold: '' },
      ]),
    ).toBe('kept for hold: a (legal), b ((no reason given))');
  });
});

describe('selectSnapshotsToPrune with holds', () => {
  it('all candidates held: nothing is selected, and the reason names the holds', () => {
    const s = prune([copy('a', 1, 'x'), copy('b', 2, 'y'), copy('c', 3, 'z')], 0);
    expect(s.selected).toEqual([]);
    expect(s.candidates).toEqual([]);
    expect(ids(s.held)).toEqual(['c', 'b', 'a']);
    expect(s.blockedReason).toMatch(/3 copies are on hold \(snapcopy:hold\) and never pruned: c, b, a/);
  });

  it('a held copy older than everything is skipped; the next oldest goes', () => {
    const s = prune([copy('oldest', 0, 'legal'), copy('b', 1), copy('c', 2), copy('d', 3)], 1, 1);
    expect(ids(s.selected)).toEqual(['b']);
  });

  it('keep with holds: a held copy does not count toward keep (kept in addition)', () => {
    // keep 2: the newest two not on hold (d, b) stay; the held newest c does not take one of their places.
    const s = prune([copy('a', 0), copy('b', 1), copy('c', 3, 'audit'), copy('d', 4)], 2);
    expect(ids(s.selected)).toEqual(['a']);
    expect(ids(s.candidates)).toEqual(['d', 'b', 'a']);
    expect(ids(s.held)).toEqual(['c']);
  });

  it('a held copy still copying or excluded is not listed as held', () => {
    const s = prune([copy('a', 0, 'x', { status: 'copying' }), copy('b', 1, 'y')], 0, 5, ['B']);
    expect(ids(s.held)).toEqual(['a']);
    expect(s.selected).toEqual([]);
  });
});

describe('selectRetention with holds', () => {
  const now = T0 + 100 * DAY;

  it('all copies held: nothing is deleted, each kept with its reason', () => {
    const r = selectRetention([copy('a', 1, 'x'), copy('b', 2, '')], { keepLast: 0 }, now);
    expect(r.delete).toEqual([]);
    expect(r.keep.map((k) => k.reasons)).toEqual([['on hold: (no reason given)'], ['on hold: x']]);
  });

  it('a held copy older than everything is kept; the rules keep the newest not-held copies', () => {
    const r = selectRetention(
      [copy('ancient', 0, 'legal'), copy('a', 10), copy('b', 20), copy('c', 30)],
      { keepLast: 1 },
      now,
    );
    expect(ids(r.delete)).toEqual(['b', 'a']);
    expect(ids(r.keep.map((k) => k.copy))).toEqual(['c', 'ancient']);
  });

  it('keepLast with holds: the held newest is kept in addition, and is not "the newest"', () => {
    const r = selectRetention(
      [copy('a', 10), copy('b', 20), copy('c', 30), copy('held', 40, 'audit')],
      { keepLast: 2 },
      now,
    );
    expect(ids(r.delete)).toEqual(['a']);
    const reasons = Object.fromEntries(r.keep.map((k) => [k.copy.identifier, k.reasons]));
    expect(reasons).toEqual({ held: ['on hold: audit'], c: ['newest', 'keepLast'], b: ['keepLast'] });
  });

  it('a held copy never takes a daily slot: the newest not-held copy of that day keeps it', () => {
    const r = selectRetention(
      [copy('day5-early', 5), copy('day5-late', 5.5, 'x'), copy('day6', 6)],
      { daily: 100 },
      now,
    );
    expect(r.delete).toEqual([]);
    const reasons = Object.fromEntries(r.keep.map((k) => [k.copy.identifier, k.reasons]));
    expect(reasons['day5-early']).toEqual([`daily 2026-01-06`]);
    expect(reasons['day5-late']).toEqual(['on hold: x']);
  });
});

describe('holds, over random copy sets', () => {
  const arbCopies = fc
    .array(
      fc.record({
        day: fc.integer({ min: 0, max: 120 }),
        status: fc.constantFrom('available', 'available', 'copying'),
        hold: fc.option(fc.constantFrom('', 'legal', 'audit'), { nil: undefined }),
        viaTagOnly: fc.boolean(),
      }),
      { maxLength: 25 },
    )
    .map((list) =>
      list.map((c, i) => {
        const full = copy(`c${i}`, c.day, c.hold, { status: c.status });
        // Some listings carry the hold only in the tags (isHeld reads both).
        if (c.viaTagOnly) delete full.hold;
        return full;
      }),
    );
  const arbRules: fc.Arbitrary<RetentionRules> = fc.record(
    {
      keepLast: fc.integer({ min: 0, max: 6 }),
      maxAgeDays: fc.integer({ min: 0, max: 60 }),
      daily: fc.integer({ min: 0, max: 10 }),
      weekly: fc.integer({ min: 0, max: 6 }),
      monthly: fc.integer({ min: 0, max: 4 }),
    },
    { requiredKeys: [] },
  );

  it('prune never selects a held copy, and selects exactly what it selects without the held copies', () => {
    fc.assert(
      fc.property(
        arbCopies,
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 30 }),
        (copies, keep, count) => {
          const s = prune(copies, keep, count);
          expect(s.selected.some(isHeld)).toBe(false);
          expect(ids(s.selected)).toEqual(
            ids(
              prune(
                copies.filter((c) => !isHeld(c)),
                keep,
                count,
              ).selected,
            ),
          );
        },
      ),
    );
  });

  it('retention never deletes a held copy, and deletes exactly what it deletes without the held copies', () => {
    fc.assert(
      fc.property(arbCopies, arbRules, fc.option(fc.nat(24), { nil: undefined }), (copies, rules, just) => {
        const justMade = just === undefined ? undefined : `c${just}`;
        const r = selectRetention(copies, rules, T0 + 121 * DAY, justMade);
        expect(r.delete.some(isHeld)).toBe(false);
        const without = selectRetention(
          copies.filter((c) => !isHeld(c)),
          rules,
          T0 + 121 * DAY,
          justMade,
        );
        expect(ids(r.delete)).toEqual(ids(without.delete));
      }),
    );
  });
});

describe('what users see of holds', () => {
  const held = [{ identifier: 'prod-old', hold: 'legal INC-42' }];
  const row: PlanRunRow = {
    cluster: 'prod',
    destination: 'us-west-2',
    outcome: 'copied',
    target: 'prod-20261202-030000',
    durationSeconds: 60,
    retired: ['prod-older'],
    held,
  };
  const run: PlanRunResult = {
    plan: 'prod-dr',
    workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
    startedAt: '2026-12-02T03:00:05.000Z',
    finishedAt: '2026-12-02T03:01:10.000Z',
    clusters: ['prod'],
    destinations: ['us-west-2'],
    rows: [row],
    counts: {
      copied: 1,
      cancelled: 0,
      'already-present': 0,
      'already-running': 0,
      failed: 0,
      'no-snapshot': 0,
    },
    failed: false,
  };

  it('the plan run table puts the held copies after the retired ones, with the reason', () => {
    expect(rowsTable([row])).toMatch(/prod-older; kept for hold: prod-old \(legal INC-42\)/);
    expect(rowsTable([{ ...row, retired: [] }])).toMatch(/ kept for hold: prod-old \(legal INC-42\)/);
    expect(rowsTable([{ ...row, held: undefined }])).not.toMatch(/hold/);
  });

  it('the SNS report has an On hold section naming cluster, destination, copy and reason', () => {
    expect(renderPlanRunText(run)).toContain(
      'On hold (never deleted):\n- prod -> us-west-2: kept for hold: prod-old (legal INC-42)',
    );
    expect(renderPlanRunText({ ...run, rows: [{ ...row, held: undefined }] })).not.toContain('On hold');
  });

  const summary = (over: Partial<CopySummary>): CopyDbClusterSnapshotResult => ({
    summary: {
      outcome: 'copied',
      workflowId: 'snapcopy-us-west-2-x',
      sourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:x',
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      startedAt: '2026-12-02T03:00:05.000Z',
      finishedAt: '2026-12-02T03:01:10.000Z',
      polls: 1,
      runs: 1,
      pruned: [],
      retired: [],
      slotWaits: 0,
      ...over,
    },
  });

  it("a copy's result line says what was kept for a hold, and a cancel that kept a held target", () => {
    const h = { DBClusterSnapshotIdentifier: 'prod-old', DBClusterSnapshotArn: 'arn', hold: '' };
    expect(resultLine(summary({ held: [h] }))).toMatch(/kept for hold: prod-old \(\(no reason given\)\)/);
    expect(
      resultLine(
        summary({ outcome: 'cancelled', targetDeleted: false, targetHeld: 'keep it', cancelReason: 'oops' }),
      ),
    ).toMatch(/^cancelled \(oops\): the target was kept for its hold \(keep it\)/);
  });
});
