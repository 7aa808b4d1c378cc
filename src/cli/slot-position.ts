// A waiting copy's (or restore test's) live place in its slot queue. The copy's own `queuePosition` is where it stood when it
// asked (a waiting copy adds no history events, so it is not updated as the queue drains); the scheduler's
// `slots` query has the live order. Used by `status` and the `--wait` progress view.
import type { Client } from '@temporalio/client';
import { parseArn } from '../shared/arn';
import { restoreSlotsWorkflowId, type VerifyProgress } from '../shared/restore-tests';
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
 * `workflowId`'s live place in the queue of the slot scheduler `slotsId`; undefined when the scheduler cannot
 * be asked (no worker: it never answers) or no longer queues it.
 */
export async function liveQueuePosition(
  client: Pick<Client, 'workflow' | 'withDeadline'>,
  slotsId: string,
  workflowId: string,
): Promise<number | undefined> {
  try {
    const view = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(slotsId).query(slotsQuery),
    );
    return positionIn(view, workflowId);
  } catch {
    return undefined;
  }
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
  const position = await liveQueuePosition(client, progress.slotsWorkflowId, workflowId);
  return position === undefined ? progress : { ...progress, queuePosition: position };
}

/**
 * A restore test's progress with its live place in the restore-slot queue while it waits for a slot. Its
 * scheduler is the one of the snapshot's account and Region (known once the snapshot was described).
 */
export async function withLiveVerifyPosition(
  client: Pick<Client, 'workflow' | 'withDeadline'>,
  workflowId: string,
  progress: VerifyProgress,
): Promise<VerifyProgress> {
  if (progress.phase !== 'waiting-for-slot' || !progress.snapshotArn) return progress;
  const accountId = parseArn(progress.snapshotArn)?.accountId;
  if (!accountId) return progress;
  const slotsId = restoreSlotsWorkflowId(accountId, progress.region);
  const position = await liveQueuePosition(client, slotsId, workflowId);
  return position === undefined ? progress : { ...progress, queuePosition: position };
}
