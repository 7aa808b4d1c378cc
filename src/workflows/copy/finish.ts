// How a copy ends: its result (the target as AWS describes it, plus snapcopy's summary), the final
// phase, and the metrics and log line of the outcome.
import type {
  CopyDbClusterSnapshotResult,
  CopySummary,
  CopyVerifySummary,
  DBClusterSnapshotView,
} from '../../shared/types';
import { recordCopyCancelled, recordCopyCompleted } from '../metrics';
import { iso } from '../clock';
import type { CopyRun } from './run';

function summaryBase(run: CopyRun): Omit<CopySummary, 'outcome'> {
  const p = run.progress();
  return {
    workflowId: run.workflowId,
    sourceArn: p.sourceArn ?? run.v.source.identifier,
    targetArn: p.targetArn,
    sourceRegion: run.v.sourceRegion,
    targetRegion: run.v.targetRegion,
    kmsKeyArn: p.kmsKeyArn,
    startedAt: run.startedAt,
    finishedAt: iso(),
    polls: run.polls,
    runs: run.runs,
    pruned: run.pruned,
    retired: run.retired,
    ...(run.held.length ? { held: run.held } : {}),
    slotWaits: run.slotWaits,
    ...(run.crossAccount ? { crossAccount: { ...run.crossAccount, hops: p.hops ?? [] } } : {}),
  };
}

export function finishCancelled(
  run: CopyRun,
  targetDeleted: boolean | undefined,
  snapshot?: DBClusterSnapshotView,
  targetHeld?: string,
): CopyDbClusterSnapshotResult {
  run.view.outcome = 'cancelled';
  run.setPhase('cancelled');
  recordCopyCancelled(run.v, targetDeleted);
  return {
    ...(snapshot ? { DBClusterSnapshot: snapshot } : {}),
    summary: {
      ...summaryBase(run),
      outcome: 'cancelled',
      cancelReason: run.cancel?.reason,
      targetDeleted,
      ...(targetHeld !== undefined ? { targetHeld } : {}),
    },
  };
}

/** A cluster's newest snapshot that snapcopy already copied to `identifier`: nothing to do. */
export function finishAlreadyPresent(
  run: CopyRun,
  identifier: string,
  present: DBClusterSnapshotView,
): CopyDbClusterSnapshotResult {
  run.view.targetIdentifier = identifier;
  run.targetArn = present.DBClusterSnapshotArn;
  run.view.status = present.Status;
  run.view.percent = 100;
  run.say(`${run.sourceArn} was already copied to ${identifier}`);
  run.view.outcome = 'already-present';
  run.setPhase('completed');
  recordCopyCompleted(run.v, 'already-present', present, undefined);
  return { DBClusterSnapshot: present, summary: { ...summaryBase(run), outcome: 'already-present' } };
}

/** The copy is `available` (`adopted`: the target was this workflow's from an earlier attempt). */
export function finishCopied(
  run: CopyRun,
  snapshot: DBClusterSnapshotView,
  adopted: boolean,
  finishedMs: number,
  verified?: CopyVerifySummary,
): CopyDbClusterSnapshotResult {
  // Adopted and already available: made before — unless after this workflow started, when it is this
  // workflow's own start whose answer was lost (a worker killed mid-call, a dropped response).
  const created = snapshot.SnapshotCreateTime ? Date.parse(snapshot.SnapshotCreateTime) : NaN;
  const madeHere = created >= Date.parse(run.startedAt);
  const outcome = adopted && run.polls === 0 && !madeHere ? 'already-present' : 'copied';
  const copyStartedAt = run.copy?.startedAt;
  const copyMs = copyStartedAt ? finishedMs - Date.parse(copyStartedAt) : undefined;
  run.view.outcome = outcome;
  run.setPhase('completed');
  recordCopyCompleted(run.v, outcome, snapshot, copyMs);
  return {
    DBClusterSnapshot: snapshot,
    summary: {
      ...summaryBase(run),
      outcome,
      copySeconds: copyMs !== undefined ? Math.round(copyMs / 1000) : undefined,
      ...(verified ? { verify: verified } : {}),
    },
  };
}
