// Phase 7: retention after a successful copy, among the snapcopy-owned copies of the cluster in the
// destination Region (never the copy just made, never one snapcopy does not own): options.retain keeps the
// newest N; options.retention (plans) keeps what any tiered rule keeps (src/shared/retention.ts). A copy on
// hold is never chosen, and a hold set after the listing still wins (the delete refuses: SnapshotHeld); both
// are reported in the summary's `held`. Best effort: the copy succeeded; an old copy that cannot go now goes
// on a later run.
import { isCancellation } from '@temporalio/workflow';
import { holdOf, holdReason, isHeld, isManaged } from '../../shared/ownership';
import { selectSnapshotsToPrune } from '../../shared/prune';
import { selectRetention } from '../../shared/retention';
import { describeRetention } from '../../shared/retention-rules';
import type { OwnedCopy } from '../../shared/types';
import { activityCause, call, heldReason } from './activities';
import { prunedEntry } from './prune';
import { now } from '../clock';
import type { CopyRun } from './run';
import { summaries } from './ui';

export async function applyRetention(run: CopyRun): Promise<void> {
  const { retain, retention } = run.v.options;
  if (retain === undefined && retention === undefined) return;
  run.setPhase('retention');
  const owned = await call(
    'listOwnedCopies',
    summaries.listForRetention(run.sourceCluster, run.v.targetRegion),
    { region: run.v.targetRegion, sourceCluster: run.sourceCluster, ...run.inTarget },
  );
  if (retain !== undefined) {
    // The newest `retain` (this copy among them, or newer ones a concurrent copy made) are kept, and this
    // copy is never deleted: excluding it and keeping retain - 1 would take a newer concurrent copy as "older".
    const own = run.v.targetIdentifier.toLowerCase();
    const { selected, held } = selectSnapshotsToPrune({
      copies: owned.map((c) => (c.identifier.toLowerCase() === own ? { ...c, status: 'available' } : c)),
      sourceCluster: run.sourceCluster,
      keep: retain,
      count: owned.length,
    });
    for (const c of held) {
      if (c.identifier.toLowerCase() !== own) run.keptForHold(c, c.hold ?? holdOf(c.tags) ?? '');
    }
    await retire(
      run,
      selected.filter((c) => c.identifier.toLowerCase() !== own),
      `retain ${retain}`,
    );
  } else if (retention !== undefined) {
    const selection = selectRetention(owned, retention, now(), run.v.targetIdentifier);
    const own = run.v.targetIdentifier.toLowerCase();
    for (const { copy } of selection.keep) {
      if (isManaged(copy.tags) && isHeld(copy) && copy.identifier.toLowerCase() !== own)
        run.keptForHold(copy, copy.hold ?? holdOf(copy.tags) ?? '');
    }
    await retire(run, selection.delete, describeRetention(retention));
  }
}

async function retire(run: CopyRun, copies: readonly OwnedCopy[], rule: string): Promise<void> {
  for (const old of copies) {
    try {
      const deleted = await call('deleteOwnedSnapshot', summaries.retire(old.identifier, rule), {
        region: run.v.targetRegion,
        identifier: old.identifier,
        ...run.inTarget,
      });
      if (deleted.result === 'deleted') run.retired.push(prunedEntry(old));
    } catch (err) {
      if (isCancellation(err)) throw err;
      const hold = heldReason(err);
      if (hold !== undefined) {
        run.keptForHold(old, hold);
        run.say(`retention kept ${old.identifier}: on hold (${holdReason(hold)})`);
        continue;
      }
      run.say(`retention could not delete ${old.identifier}: ${activityCause(err)?.message ?? String(err)}`);
    }
  }
}
