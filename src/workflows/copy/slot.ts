// Taking a copy slot from the Region's copySlots scheduler, and giving it back. While a copy waits it
// makes no AWS call and adds no history event: it asks once, then waits for the grant signal (with one
// timer only when a deadline bounds the wait).
import { condition, workflowInfo } from '@temporalio/workflow';
import { slotsWorkflowId } from '../../shared/slots';
import { quick } from './activities';
import { checkpoint } from './checkpoint';
import { iso, now, type CopyRun } from './run';
import { summaries } from './ui';

/**
 * A source named by its ARN (or TargetRoleArn) names the account: the copy takes its slot before any AWS call, so a copy
 * waiting in a long queue makes none, and the source is described just before the copy starts (as it is
 * then). Other forms learn the account from describing the source first.
 */
export async function takeSlotFirst(run: CopyRun): Promise<void> {
  // The destination's account: TargetRoleArn's, else (without roles) the source ARN's, as before.
  // A copy into another account (SourceRoleArn) may copy intermediates first: it takes the destination's slot
  // only when its own copy is about to start, not while they run.
  if (run.v.sourceRole) return;
  const accountId = run.v.targetAccountId ?? run.v.source.arn?.accountId;
  if (run.slots && accountId) await takeSlot(run, accountId);
}

/** Asks for a slot unless one is held, and waits until it is granted (or a cancel / the deadline). */
export async function takeSlot(run: CopyRun, accountId: string): Promise<void> {
  const { v } = run;
  if (run.undo.slot?.granted) return;
  await checkpoint(run, 'still waiting to start the copy: no copy slot yet');
  const since = run.undo.slot?.since ?? iso();
  // Recorded before asking: the grant may arrive while the request is still on its way.
  run.undo.slot = {
    slotsWorkflowId: slotsWorkflowId(accountId, v.targetRegion),
    since,
    granted: false,
  };
  const asked = await quick(run.slots, 'requestCopySlot', summaries.requestSlot(v.targetRegion), {
    accountId,
    region: v.targetRegion,
    taskQueue: workflowInfo().taskQueue,
    request: { workflowId: run.workflowId, priority: v.options.priority, since },
    ...run.inTarget,
  });
  if (run.undo.slot.granted) return;
  run.view.queuePosition = asked.queuePosition;
  run.view.message = `waiting for a copy slot in ${v.targetRegion}${asked.queuePosition ? ` (position ${asked.queuePosition})` : ''}`;
  run.setPhase('waiting-for-slot');
  const done = () => run.undo.slot?.granted === true || run.cancelRequested;
  const deadline = v.options.deadlineSeconds;
  if (deadline === undefined) await condition(done);
  else {
    const left = Date.parse(run.startedAt) + deadline * 1000 - now();
    if (left > 0) await condition(done, left, { summary: summaries.slotGrant(left / 1000) });
  }
  await checkpoint(run, 'still waiting to start the copy: no copy slot yet');
}

/**
 * Gives the slot (or the place in the queue) back. `refused`: AWS refused the start although the slot
 * was granted — copies snapcopy did not start hold slots — so the scheduler lowers its capacity, and this
 * copy asks again (keeping its place by `since`).
 */
export async function giveSlotBack(run: CopyRun, reason: 'done' | 'refused'): Promise<void> {
  const slot = run.undo.slot;
  if (!slot) return;
  await quick(run.slots, 'releaseCopySlot', summaries.releaseSlot(run.v.targetRegion), {
    slotsWorkflowId: slot.slotsWorkflowId,
    release: { workflowId: run.workflowId, reason },
  });
  if (reason === 'refused') run.undo.slot = { ...slot, granted: false };
  else delete run.undo.slot;
}
