// Cleanup on every exit (success, failed check, AWS fault, cancel, deadline): the writer, then the cluster,
// each deleted only after its tags are re-read (the activities refuse anything not made by this test) and
// followed until AWS says it is gone; a cluster still creating is deleted as soon as AWS allows. Then the
// restore slot goes back. Runs outside cancellation; persists through AWS outages.
import { log, sleep } from '@temporalio/workflow';
import { RESOURCE_NOT_OWNED, THROWAWAY_BUSY } from '../../shared/restore-tests';
import { activityCause, call } from '../copy/activities';
import type { RestoreTest } from './state';
import { verifySummaries as say } from './summaries';

/** Deletes what the test made; true once AWS says all of it is gone (or nothing was made). */
export async function cleanUp(t: RestoreTest): Promise<boolean> {
  const { writer, cluster } = t.state;
  let gone = true;
  if (writer || cluster) t.setPhase('cleaning-up');
  if (writer) gone = (await removeUntilGone(t, 'writer', writer.identifier)) && gone;
  // The cluster goes after its writer (AWS refuses a cluster that still has instances).
  if (cluster && gone) gone = await removeUntilGone(t, 'cluster', cluster.identifier);
  await giveSlotBack(t);
  return gone;
}

async function removeUntilGone(t: RestoreTest, kind: 'writer' | 'cluster', id: string): Promise<boolean> {
  const input = {
    region: t.v.region,
    ...(t.v.role ? { role: t.v.role } : {}),
    identifier: id,
    workflowId: t.workflowId,
  };
  let delay = Math.min(10, t.v.options.pollSeconds);
  for (;;) {
    try {
      const r =
        kind === 'writer'
          ? await call('deleteThrowawayInstance', say.deleteWriter(id), input)
          : await call('deleteThrowawayCluster', say.deleteCluster(id), input);
      if (r.result === 'absent') return true;
      t.say(`${id} is being deleted`);
    } catch (err) {
      const cause = activityCause(err);
      if (cause?.type === RESOURCE_NOT_OWNED) {
        // Never delete what this test did not make: say so and leave it.
        t.say(cause.message);
        log.warn('restore test cleanup refused', { id, reason: cause.message });
        return false;
      }
      if (cause?.type === THROWAWAY_BUSY) t.say(`${id} cannot be deleted yet: ${cause.message}`);
      else log.warn('restore test cleanup: trying again', { id, error: String(err) });
    }
    await sleep(delay * 1000, { summary: say.goneWait(id, delay) });
    delay = Math.min(t.v.options.pollSeconds, Math.ceil(delay * 1.5));
  }
}

async function giveSlotBack(t: RestoreTest): Promise<void> {
  const slot = t.state.slot;
  if (!slot) return;
  try {
    await call('releaseCopySlot', say.releaseSlot(t.v.region), {
      slotsWorkflowId: slot.slotsWorkflowId,
      release: { workflowId: t.workflowId, reason: 'done' },
    });
  } catch {
    // The scheduler reclaims the slot of a holder that closed.
  }
  delete t.state.slot;
}
