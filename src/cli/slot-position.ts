// A waiting copy's live place in its copy-slot queue. The copy's own `queuePosition` is where it stood when it
// asked (a waiting copy adds no history events, so it is not updated as the queue drains); the scheduler's
// `slots` query has the live order. Used by `status` and the `--wait` progress view.
import type { Client } from '@temporalio/client';
import { slotsQuery, type SlotsView } from '../shared/slots';
import type { Progress } from '../shared/types';

/** How long the scheduler gets to answer (no worker: it never does, and the copy's own position is shown). */
const QUERY_TIMEOUT_MS = 3_000;

/** 1 = next; undefined when the copy is not in the view's queue (granted meanwhile, or not asked yet). */
export function positionIn(view: Pick<SlotsView, 'queue'>, workflowId: string): number | undefined {
  const i = view.queue.findIndex((e) => e.workflowId === workflowId);
  return i < 0 ? undefined : i + 1;
}

/**
 * The progress with `queuePosition` from the scheduler, while the copy waits for a slot; the progress as it
 * was when the scheduler cannot be asked or no longer queues the copy.
 */
export async function withLivePosition(
  client: Pick<Client, 'workflow' | 'withDeadline'>,
  workflowId: string,
  progress: Progress,
): Promise<Progress> {
  if (progress.phase !== 'waiting-for-slot' || !progress.slotsWorkflowId) return progress;
  const slotsId = progress.slotsWorkflowId;
  try {
    const view = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(slotsId).query(slotsQuery),
    );
    const position = positionIn(view, workflowId);
    return position === undefined ? progress : { ...progress, queuePosition: position };
  } catch {
    return progress;
  }
}
