// Follows a running copy through its `progress` query until the workflow closes.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { PROGRESS_QUERY } from '../shared/names';
import type { Progress } from '../shared/types';
import type { ProgressView } from './progress-view';

export async function watchCopy<T>(
  client: Client,
  workflowId: string,
  view: ProgressView,
  intervalMs = 1000,
): Promise<T> {
  const handle: WorkflowHandle = client.workflow.getHandle(workflowId);
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  }) as Promise<T>;
  try {
    while (!done) {
      try {
        view.update(await handle.query<Progress>(PROGRESS_QUERY));
      } catch {
        // The workflow may be between runs (continue-as-new) or just closing: try again.
      }
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
    }
    try {
      view.update(await handle.query<Progress>(PROGRESS_QUERY));
    } catch {
      // closed workflows answer queries only while a worker is there
    }
    return await result;
  } finally {
    view.stop();
  }
}
