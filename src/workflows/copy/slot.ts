// Taking a copy slot from the Region's copySlots scheduler, and giving it back. While a copy waits it
// makes no AWS call and adds no history event: it asks once, then waits for the grant signal (with one
// timer only when a deadline bounds the wait).
import { workflowInfo } from '@temporalio/workflow';
import { slotsWorkflowId } from '../../shared/slots';
import { quick } from './activities';
import { preparesCrossAccount } from './accounts';
import { checkpoint, waitUntil } from './checkpoint';
import { iso } from '../clock';
import type { CopyRun } from './run';
import { summaries } from './ui';

/**
 * A copy whose accounts are known takes its slot before any AWS call, so a copy waiting in a long queue
 * makes none, and the source is described just before the copy starts (as it is then). A copy that prepares
 * the source for another account (key checks, share) does the same since LEAN_ARRIVAL_PATCH: it shares when
 * its copy is about to start, so a thousand queued copies do not spend the source account's RDS budget on
 * shares hours ahead, and it gives the slot back while an intermediate copy runs (stepAside). Copies recorded
 * before it took the destination's slot only when their own copy was about to start.
 */
export async function takeSlotFirst(run: CopyRun): Promise<void> {
  if (!run.slots) return;
  if (run.accounts) {
    if (run.leanArrival || !preparesCrossAccount(run.accounts)) await takeSlot(run, run.accounts.destination);
    return;
  }
  // Copies recorded before accountsFirst: the account from TargetRoleArn or the source ARN, else none.
  if (run.v.sourceRole) return;
  const accountId = run.v.targetAccountId ?? run.v.source.arn?.accountId;
  if (accountId) await takeSlot(run, accountId);
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
  run.setPhase(
    'waiting-for-slot',
    `waiting for a copy slot in ${v.targetRegion}${asked.queuePosition ? ` (position ${asked.queuePosition})` : ''}`,
  );
  await waitUntil(run, () => run.undo.slot?.granted === true, summaries.slotGrant);
  await checkpoint(run, 'still waiting to start the copy: no copy slot yet');
  run.say(undefined);
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

/**
 * Gives a granted slot back while the copy prepares for long (an intermediate copy of another account's
 * source), keeping its place: it asks again, with the time it first asked, when its own copy is about to start.
 */
export async function stepAside(run: CopyRun): Promise<void> {
  const slot = run.undo.slot;
  if (!slot?.granted) return;
  await quick(run.slots, 'releaseCopySlot', summaries.releaseSlot(run.v.targetRegion), {
    slotsWorkflowId: slot.slotsWorkflowId,
    release: { workflowId: run.workflowId, reason: 'done' },
  });
  run.undo.slot = { ...slot, granted: false };
}
