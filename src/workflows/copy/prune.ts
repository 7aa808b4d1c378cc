// On the manual-snapshot quota: delete the oldest snapcopy-owned copy of the same cluster (never the
// newest options.keep, never anything without the ownership tags), one at a time, only as many as needed.
import { FailureType } from '../../shared/names';
import { selectSnapshotsToPrune } from '../../shared/prune';
import type { OwnedCopy, PrunedSnapshot } from '../../shared/types';
import { call, failure } from './activities';
import { deleteAndConfirm } from './delete';
import type { CopyRun } from './run';
import { summaries } from './ui';

export function prunedEntry(c: OwnedCopy): PrunedSnapshot {
  return {
    DBClusterSnapshotIdentifier: c.identifier,
    DBClusterSnapshotArn: c.arn,
    SnapshotCreateTime: c.createTime,
  };
}

export async function pruneForRoom(run: CopyRun, quotaMessage: string): Promise<void> {
  const { v } = run;
  if (!v.options.pruneOnQuota) {
    throw failure(FailureType.QuotaExceeded, `${quotaMessage} (pruning is off: options.pruneOnQuota=false)`);
  }
  run.setPhase('pruning');
  const owned = await call('listOwnedCopies', summaries.listForPrune(run.sourceCluster, v.targetRegion), {
    region: v.targetRegion,
    sourceCluster: run.sourceCluster,
    ...run.inTarget,
  });
  const selection = selectSnapshotsToPrune({
    copies: owned,
    sourceCluster: run.sourceCluster,
    keep: v.options.keep,
    count: 1,
    exclude: [v.targetIdentifier],
  });
  const victim = selection.selected[0];
  if (!victim) {
    throw failure(
      FailureType.QuotaExceeded,
      `${quotaMessage}; nothing can be pruned to make room in ${v.targetRegion}: ${selection.blockedReason}`,
    );
  }
  // Wait until it is gone: retrying while AWS still counts it would prune a second one for nothing.
  if ((await deleteAndConfirm(run, victim.identifier, 'prune to make room')) === 'deleted') {
    run.pruned.push(prunedEntry(victim));
  }
  run.say(`pruned ${victim.identifier} to make room`);
}
