import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectSnapshotsToPrune } from '../../src/shared/prune';
import type { OwnedCopy } from '../../src/activities/types';
import { OWNERSHIP_TAGS } from '../../src/shared/names';

function copy(
  identifier: string,
  day: number,
  opts: Partial<OwnedCopy> & { owned?: boolean } = {},
): OwnedCopy {
  const { owned = true, ...rest } = opts;
  return {
    identifier,
    arn: `arn:aws:rds:us-west-2:123456789012:cluster-snapshot:${identifier}`,
    status: 'available',
    createTime: new Date(Date.UTC(2026, 0, day)).toISOString(),
    sourceCluster: 'prod',
    tags: owned ? [{ Key: OWNERSHIP_TAGS.managed, Value: 'true' }] : [{ Key: 'team', Value: 'db' }],
    ...rest,
  };
}

describe('selectSnapshotsToPrune', () => {
  const copies = [copy('c3', 3), copy('c1', 1), copy('c2', 2), copy('c4', 4)];

  it('selects the oldest first, only as many as asked', () => {
    const s = selectSnapshotsToPrune({ copies, sourceCluster: 'prod', keep: 1, count: 2 });
    expect(s.selected.map((c) => c.identifier)).toEqual(['c1', 'c2']);
    expect(s.blockedReason).toBeUndefined();
  });

  it('never selects the newest `keep`', () => {
    const s = selectSnapshotsToPrune({ copies, sourceCluster: 'prod', keep: 3, count: 5 });
    expect(s.selected.map((c) => c.identifier)).toEqual(['c1']);
    expect(s.blockedReason).toMatch(/keep=3 protects the newest 3/);
  });

  it('never selects unowned, other-cluster, in-progress or excluded snapshots', () => {
    const s = selectSnapshotsToPrune({
      copies: [
        copy('hand-made', 0, { owned: false }),
        copy('other', 0, { sourceCluster: 'other' }),
        copy('running', 0, { status: 'copying' }),
        copy('me', 0),
        copy('newest', 9),
      ],
      sourceCluster: 'prod',
      keep: 0,
      count: 5,
      exclude: ['ME'],
    });
    expect(s.selected.map((c) => c.identifier)).toEqual(['newest']);
  });

  it('says what blocks it when there is nothing of the cluster', () => {
    const s = selectSnapshotsToPrune({ copies: [], sourceCluster: 'prod', keep: 1, count: 1 });
    expect(s.selected).toEqual([]);
    expect(s.blockedReason).toMatch(/no available snapcopy-owned copy of cluster prod/);
  });

  it('property: selection is owned, outside the newest keep, and oldest-first', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ day: fc.integer({ min: 1, max: 300 }), owned: fc.boolean(), available: fc.boolean() }),
          {
            maxLength: 30,
          },
        ),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (specs, keep, count) => {
          const all = specs.map((s, i) =>
            copy(`s${i}`, s.day, { owned: s.owned, status: s.available ? 'available' : 'copying' }),
          );
          const { selected, candidates } = selectSnapshotsToPrune({
            copies: all,
            sourceCluster: 'prod',
            keep,
            count,
          });
          const protectedIds = new Set(candidates.slice(0, keep).map((c) => c.identifier));
          expect(selected.length).toBeLessThanOrEqual(count);
          for (const c of selected) {
            expect(c.tags.some((t) => t.Key === OWNERSHIP_TAGS.managed && t.Value === 'true')).toBe(true);
            expect(c.status).toBe('available');
            expect(protectedIds.has(c.identifier)).toBe(false);
          }
          const times = selected.map((c) => Date.parse(c.createTime!));
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        },
      ),
    );
  });
});

describe('selectSnapshotsToPrune without a source cluster', () => {
  it('selects nothing when the source has no cluster identifier, even if copies carry an empty cluster tag', () => {
    const s = selectSnapshotsToPrune({
      copies: [copy('no-cluster', 1, { sourceCluster: '' })],
      sourceCluster: '',
      keep: 0,
      count: 1,
    });
    expect(s.selected).toEqual([]);
    expect(s.blockedReason).toMatch(/no cluster identifier/);
  });
});
