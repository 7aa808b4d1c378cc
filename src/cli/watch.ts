// Follows a running copy through its `progress` query until the workflow closes, then answers its result.
//
// Every call gets its own AbortSignal, linked to the caller's only while the call runs. The SDK adds an
// 'abort' listener to the signal of every call it makes and never removes it (Connection.withAbortSignal), so
// one signal for the whole wait would gather a listener per poll: a MaxListenersExceededWarning, printed into
// the progress bar, after ten. Closing is seen by describe() each round rather than by a result() long poll
// (whose repeated long-poll requests would each add a listener too); result() is asked once, when closed.
import type { Client } from '@temporalio/client';
import { progressQuery, type CopyWorkflow } from '../shared/contract';
import type { CopyDbClusterSnapshotResult } from '../shared/types';
import type { ProgressView } from './progress-view';
import { withLivePosition } from './slot-position';

export interface WatchOptions {
  /** Between two polls (default 1000). */
  intervalMs?: number;
  /** Abandons the wait: the call in flight is cancelled and the watch rejects. */
  signal?: AbortSignal;
}

/** Runs one Temporal call under a signal of its own that follows `parent` while the call runs. */
export async function withCallSignal<T>(
  client: Pick<Client, 'withAbortSignal'>,
  parent: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const own = new AbortController();
  const abort = () => own.abort(parent?.reason);
  if (parent?.aborted) abort();
  else parent?.addEventListener('abort', abort, { once: true });
  try {
    return await client.withAbortSignal(own.signal, fn);
  } finally {
    parent?.removeEventListener('abort', abort);
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function watchCopy<T = CopyDbClusterSnapshotResult>(
  client: Client,
  workflowId: string,
  view: ProgressView,
  opts: WatchOptions = {},
): Promise<T> {
  const { intervalMs = 1000, signal } = opts;
  const handle = client.workflow.getHandle<CopyWorkflow>(workflowId);
  const call = <R>(fn: () => Promise<R>) => withCallSignal(client, signal, fn);
  const showProgress = async () => {
    try {
      const progress = await call(() => handle.query(progressQuery));
      // While it waits for a slot, the scheduler knows its live place in the queue.
      view.update(await call(() => withLivePosition(client, workflowId, progress)));
    } catch {
      // Between runs (continue-as-new), just closing, or a closed copy without a worker: try again.
    }
  };
  try {
    for (;;) {
      signal?.throwIfAborted();
      await showProgress();
      const { status } = await call(() => handle.describe());
      // The latest run: a run that continued as new is followed by its successor.
      if (status.name !== 'RUNNING' && status.name !== 'CONTINUED_AS_NEW') break;
      await pause(intervalMs, signal);
    }
    await showProgress();
    return (await call(() => handle.result())) as T;
  } finally {
    view.stop();
  }
}
