// On the manual-snapshot quota: delete the oldest snapcopy-owned copy of the same cluster (never the
// newest options.keep, never anything without the ownership tags, never a copy on hold), one at a time, only
// as many as needed.
import { FailureType, HOLD_TAG } from '../../shared/names';
import { holdOf, holdReason } from '../../shared/ownership';
import { selectSnapshotsToPrune } from '../../shared/prune';
import type { OwnedCopy, PrunedSnapshot } from '../../shared/types';
import { call, failure, heldReason } from './activities';
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
  // Copies whose delete was refused for a hold set after the listing: kept, and the next oldest is tried.
  const heldSince: OwnedCopy[] = [];
  for (;;) {
    const selection = selectSnapshotsToPrune({
      copies: owned,
      sourceCluster: run.sourceCluster,
      keep: v.options.keep,
      count: 1,
      exclude: [v.targetIdentifier, ...heldSince.map((c) => c.identifier)],
    });
    for (const c of selection.held) run.keptForHold(c, c.hold ?? holdOf(c.tags) ?? '');
    const victim = selection.selected[0];
    if (!victim) {
      const since = heldSince.length
        ? `; put on hold (${HOLD_TAG}) since listed: ${heldSince.map((c) => c.identifier).join(', ')}`
        : '';
      throw failure(
        FailureType.QuotaExceeded,
        `${quotaMessage}; nothing can be pruned to make room in ${v.targetRegion}: ${selection.blockedReason}${since}`,
      );
    }
    let deleted: 'deleted' | 'absent' | 'kept';
    try {
      // Wait until it is gone: retrying while AWS still counts it would prune a second one for nothing.
      deleted = await deleteAndConfirm(run, victim.identifier, 'prune to make room');
    } catch (err) {
      const hold = heldReason(err);
      if (hold === undefined) throw err;
      run.keptForHold(victim, hold);
      run.say(`kept ${victim.identifier}: on hold (${holdReason(hold)})`);
      heldSince.push(victim);
      continue;
    }
    if (deleted === 'deleted') run.pruned.push(prunedEntry(victim));
    run.say(`pruned ${victim.identifier} to make room`);
    return;
  }
}
