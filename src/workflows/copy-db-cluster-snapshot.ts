// The copyDbClusterSnapshot workflow: CopyDBClusterSnapshot as a durable process, read as its phases.
// Deterministic orchestration only; every AWS call is an activity (src/activities), every phase a
// module of ./copy, every way out (cancel, failure, continue-as-new) goes through ./copy/undo.ts.
import { setHandler } from '@temporalio/workflow';
import { cancelSignal, progressQuery } from '../shared/contract';
import { shareReadySignal } from '../shared/shares';
import { slotGrantedSignal } from '../shared/slots';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../shared/types';
import { resolveAccounts } from './copy/accounts';
import { prepareCrossAccount, releaseCrossAccount } from './copy/cross-account';
import { followCopy } from './copy/follow';
import { finishCopied } from './copy/finish';
import { resolveKey } from './copy/key';
import { applyRetention } from './copy/retention';
import { now } from './clock';
import { CopyRun } from './copy/run';
import { describeSource, findExistingCopy } from './copy/source';
import { takeSlotFirst } from './copy/slot';
import { startCopy } from './copy/start';
import type { CopyState } from './copy/state';
import { withUndo } from './copy/undo';
import { validate, withDerivedTarget } from './copy/validate';
import { verifyCopied } from './copy/verify';

export type { CopyState } from './copy/state';

/** `carried`: the state a previous run handed over by continue-as-new (CopyState, or an older shape). */
export async function copyDbClusterSnapshot(
  input: CopyDbClusterSnapshotInput,
  carried?: CopyState,
): Promise<CopyDbClusterSnapshotResult> {
  const run = new CopyRun(withDerivedTarget(input), carried);
  setHandler(progressQuery, () => run.progress());
  setHandler(cancelSignal, (args) => run.requestCancel(args?.reason));
  setHandler(slotGrantedSignal, (grant) => run.slotGranted(grant.slotsWorkflowId));
  setHandler(shareReadySignal, (ready) => run.shareAnswered(ready));

  return withUndo(run, async () => {
    validate(run);
    let started;
    if (!run.resuming) {
      await resolveAccounts(run);
      await takeSlotFirst(run);
      await describeSource(run);
      const present = await findExistingCopy(run);
      if (present) return present;
      await resolveKey(run);
      await prepareCrossAccount(run);
      started = await startCopy(run, run.source!);
    }
    const snapshot = await followCopy(run, started?.snapshot);
    const finishedMs = now();
    await releaseCrossAccount(run);
    await applyRetention(run);
    const verified = await verifyCopied(run);
    return finishCopied(run, snapshot, started?.adopted ?? false, finishedMs, verified);
  });
}
