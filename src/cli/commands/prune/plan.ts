// What `snapcopy prune` deletes and keeps: the workflow's own selection (selectSnapshotsToPrune), applied per
// source cluster to the snapcopy-owned copies in a Region. A copy on hold is kept (and says so), in addition to
// the newest --keep. Pure.
import { holdOf, holdReason } from '../../../shared/ownership';
import type { OwnedCopy } from '../../../shared/types';
import { selectSnapshotsToPrune } from '../../../shared/prune';

export interface KeptCopy {
  copy: OwnedCopy;
  reason: string;
  /** Kept for a hold: its reason. */
  hold?: string;
}

export interface ClusterPlan {
  sourceCluster: string;
  /** Oldest first. */
  remove: OwnedCopy[];
  keep: KeptCopy[];
}

export interface PrunePlan {
  clusters: ClusterPlan[];
  /** Owned copies without a snapcopy:source-cluster tag: never pruned (keep counts per cluster). */
  untagged: OwnedCopy[];
}

export function planPrune(copies: OwnedCopy[], opts: { keep: number; sourceCluster?: string }): PrunePlan {
  const byCluster = new Map<string, OwnedCopy[]>();
  const untagged: OwnedCopy[] = [];
  for (const copy of copies) {
    if (copy.sourceCluster === undefined || copy.sourceCluster === '') untagged.push(copy);
    else if (opts.sourceCluster === undefined || copy.sourceCluster === opts.sourceCluster) {
      byCluster.set(copy.sourceCluster, [...(byCluster.get(copy.sourceCluster) ?? []), copy]);
    }
  }
  const clusters = [...byCluster.keys()].sort().map((sourceCluster): ClusterPlan => {
    const own = byCluster.get(sourceCluster) ?? [];
    const { selected, candidates, held } = selectSnapshotsToPrune({
      copies: own,
      sourceCluster,
      keep: opts.keep,
      count: own.length,
    });
    const removed = new Set(selected.map((c) => c.identifier));
    const onHold = new Set(held.map((c) => c.identifier));
    const newest = new Set(candidates.slice(0, Math.max(0, opts.keep)).map((c) => c.identifier));
    const keep = own
      .filter((c) => !removed.has(c.identifier))
      .map((copy): KeptCopy => {
        const hold = onHold.has(copy.identifier) ? (copy.hold ?? holdOf(copy.tags) ?? '') : undefined;
        return hold !== undefined
          ? { copy, reason: `kept for hold: ${holdReason(hold)}`, hold }
          : { copy, reason: keptReason(copy, newest, opts.keep) };
      });
    return { sourceCluster, remove: selected, keep };
  });
  return { clusters, untagged };
}

function keptReason(copy: OwnedCopy, newest: ReadonlySet<string>, keep: number): string {
  return copy.status !== 'available'
    ? `status ${copy.status} (only available copies are pruned)`
    : newest.has(copy.identifier)
      ? `one of the newest ${keep} (--keep ${keep})`
      : 'kept';
}
