// Whether a snapcopy worker polls a task queue: a start goes through either way, but people are told when
// nothing will pick it up (the same question `snapcopy copy` asks before it reports a started copy).
import type { Client } from '@temporalio/client';

/** Whether a worker polls the task queue (true when the server will not say: no warning rather than a failure). */
export async function workerPolls(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW (the default)
    });
    return (pollers?.length ?? 0) > 0;
  } catch {
    return true; // not allowed to ask, or an old server
  }
}

/** The warning for a workflow that starts only once a worker polls its task queue. */
export function noWorkerNote(what: string, namespace: string, taskQueue: string): string {
  return (
    `warning: no snapcopy worker is polling task queue ${taskQueue} in namespace ${namespace}: ${what} starts ` +
    'when one does (npm run worker; SNAPCOPY_TASK_QUEUE selects the queue)'
  );
}
