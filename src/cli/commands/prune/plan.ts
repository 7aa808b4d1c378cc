// What `snapcopy prune` deletes and keeps: the workflow's own selection (selectSnapshotsToPrune), applied per
// source cluster to the snapcopy-owned copies in a Region. Pure.
import type { OwnedCopy } from '../../../shared/types';
import { selectSnapshotsToPrune } from '../../../shared/prune';

export interface KeptCopy {
  copy: OwnedCopy;
  reason: string;
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
    const { selected, candidates } = selectSnapshotsToPrune({
      copies: own,
      sourceCluster,
      keep: opts.keep,
      count: own.length,
    });
    const removed = new Set(selected.map((c) => c.identifier));
    const newest = new Set(candidates.slice(0, Math.max(0, opts.keep)).map((c) => c.identifier));
    const keep = own
      .filter((c) => !removed.has(c.identifier))
      .map((copy): KeptCopy => ({
        copy,
        reason:
          copy.status !== 'available'
            ? `status ${copy.status} (only available copies are pruned)`
            : newest.has(copy.identifier)
              ? `one of the newest ${opts.keep} (--keep ${opts.keep})`
              : 'kept',
      }));
    return { sourceCluster, remove: selected, keep };
  });
  return { clusters, untagged };
}
