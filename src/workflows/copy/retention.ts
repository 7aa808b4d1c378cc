// Phase 7: retention after a successful copy — keep the newest options.retain snapcopy-owned copies of
// the cluster in the destination Region (this one included), delete older owned ones. Best effort: the
// copy succeeded; an old copy that cannot go now goes on a later run.
import { isCancellation } from '@temporalio/workflow';
import { selectSnapshotsToPrune } from '../../shared/prune';
import { activityCause, call } from './activities';
import { prunedEntry } from './prune';
import type { CopyRun } from './run';
import { summaries } from './ui';

export async function applyRetention(run: CopyRun): Promise<void> {
  const { v } = run;
  const retain = v.options.retain;
  if (retain === undefined) return;
  run.setPhase('retention');
  const owned = await call('listOwnedCopies', summaries.listForRetention(run.sourceCluster, v.targetRegion), {
    region: v.targetRegion,
    sourceCluster: run.sourceCluster,
  });
  const { selected } = selectSnapshotsToPrune({
    copies: owned,
    sourceCluster: run.sourceCluster,
    keep: retain - 1,
    count: owned.length,
    exclude: [v.targetIdentifier],
  });
  for (const old of selected) {
    try {
      const deleted = await call('deleteOwnedSnapshot', summaries.retire(old.identifier, retain), {
        region: v.targetRegion,
        identifier: old.identifier,
      });
      if (deleted.result === 'deleted') run.retired.push(prunedEntry(old));
    } catch (err) {
      if (isCancellation(err)) throw err;
      run.view.message = `retention could not delete ${old.identifier}: ${activityCause(err)?.message ?? String(err)}`;
    }
  }
}
