// Follows a running workflow (a copy, a restore test) through its `progress` query until it closes, then
// answers its result.
//
// Every call gets its own AbortSignal, linked to the caller's only while the call runs. The SDK adds an
// 'abort' listener to the signal of every call it makes and never removes it (Connection.withAbortSignal), so
// one signal for the whole wait would gather a listener per poll: a MaxListenersExceededWarning, printed into
// the progress bar, after ten. Closing is seen by describe() each round rather than by a result() long poll
// (whose repeated long-poll requests would each add a listener too); result() is asked once, when closed.
import type { Client } from '@temporalio/client';
import { progressQuery, type CopyWorkflow } from '../shared/contract';
import type { CopyDbClusterSnapshotResult, Progress } from '../shared/types';
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

/** Runs one Temporal call of a watch under the watch's signal (see {@link withCallSignal}). */
export type WatchCall = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * Follows a running workflow until it closes, showing what `look` answers (its progress query, say) on
 * `view` each round, then answers its result. A look that fails is skipped (between runs, just closing).
 */
export async function watchWorkflow<P, T>(
  client: Client,
  workflowId: string,
  view: ProgressView<P>,
  look: (call: WatchCall) => Promise<P>,
  opts: WatchOptions = {},
): Promise<T> {
  const { intervalMs = 1000, signal } = opts;
  const handle = client.workflow.getHandle(workflowId);
  const call: WatchCall = (fn) => withCallSignal(client, signal, fn);
  const showProgress = async () => {
    try {
      view.update(await look(call));
    } catch {
      // Between runs (continue-as-new), just closing, or a closed workflow without a worker: try again.
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

export async function watchCopy<T = CopyDbClusterSnapshotResult>(
  client: Client,
  workflowId: string,
  view: ProgressView,
  opts: WatchOptions = {},
): Promise<T> {
  const handle = client.workflow.getHandle<CopyWorkflow>(workflowId);
  return watchWorkflow<Progress, T>(
    client,
    workflowId,
    view,
    async (call) => {
      const progress = await call(() => handle.query(progressQuery));
      // While it waits for a slot, the scheduler knows its live place in the queue.
      return call(() => withLivePosition(client, workflowId, progress));
    },
    opts,
  );
}
