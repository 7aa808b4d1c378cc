// `--wait` must not add a listener per poll: the SDK adds an 'abort' listener to the signal of every call it
// makes and never removes it (Connection.withAbortSignal), so a signal shared by every poll gathered one per
// poll and printed a MaxListenersExceededWarning into the progress bar. A fake client that behaves like the
// SDK in exactly that respect counts the listeners on every signal the CLI hands it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import type { Client } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForCopy } from '../../src/cli/follow';
import type { CliIo } from '../../src/cli/io';
import { watchCopy } from '../../src/cli/watch';
import type { CopyDbClusterSnapshotResult, Progress } from '../../src/shared/types';

const RESULT = {
  summary: { outcome: 'copied', polls: 3, pruned: [], retired: [] },
} as unknown as CopyDbClusterSnapshotResult;

function progress(percent: number): Progress {
  return {
    phase: percent < 100 ? 'copying' : 'completed',
    percent,
    targetIdentifier: 't',
    targetRegion: 'us-west-2',
  } as unknown as Progress;
}

/** A client whose every call adds an abort listener to the signal in its call context, as the SDK does. */
function sdkLikeClient(polls: number) {
  const context = new AsyncLocalStorage<AbortSignal>();
  const signals = new Set<AbortSignal>();
  let queries = 0;
  let mostOnOneSignal = 0;
  const call = <T>(answer: () => T): Promise<T> => {
    const signal = context.getStore();
    if (signal) {
      signal.addEventListener('abort', () => undefined); // never removed, like Connection's
      signals.add(signal);
      for (const s of signals) {
        mostOnOneSignal = Math.max(mostOnOneSignal, getEventListeners(s, 'abort').length);
      }
    }
    return new Promise((resolve) => setImmediate(() => resolve(answer())));
  };
  const closed = () => queries >= polls;
  const handle = {
    query: () => call(() => progress(Math.min(100, ++queries * (100 / polls)))),
    describe: () => call(() => ({ status: { name: closed() ? 'COMPLETED' : 'RUNNING' } })),
    // A long poll that answers once the workflow is closed.
    result: () =>
      call(
        () =>
          new Promise<CopyDbClusterSnapshotResult>((resolve) => {
            const check = () => (closed() ? resolve(RESULT) : setTimeout(check, 1));
            check();
          }),
      ),
  };
  const client = {
    withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>) => context.run(signal, fn),
    workflow: { getHandle: () => handle },
  } as unknown as Client;
  return {
    client,
    queries: () => queries,
    mostOnOneSignal: () => mostOnOneSignal,
    signals,
  };
}

const quietIo: CliIo = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  onInterrupt: () => () => undefined,
};

let warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

describe('following a copy adds no listener per poll', () => {
  it('waitForCopy over 60 polls: no signal ever holds more than one listener, no warning', async () => {
    const fake = sdkLikeClient(60);
    const outcome = await waitForCopy(fake.client, quietIo, 'snapcopy-us-west-2-t', {
      quiet: true,
      intervalMs: 0,
    });
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    expect(outcome).toEqual({ kind: 'completed', result: RESULT });
    expect(fake.queries()).toBeGreaterThanOrEqual(60);
    expect(fake.mostOnOneSignal()).toBeLessThanOrEqual(1);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  }, 20_000);

  it("watchCopy keeps the caller's signal flat while polling, and clean afterwards", async () => {
    const fake = sdkLikeClient(40);
    const parent = new AbortController();
    const counts: number[] = [];
    const view = { update: () => counts.push(getEventListeners(parent.signal, 'abort').length), stop() {} };
    await expect(
      watchCopy(fake.client, 'snapcopy-us-west-2-t', view, { intervalMs: 0, signal: parent.signal }),
    ).resolves.toBe(RESULT);
    expect(counts.length).toBeGreaterThanOrEqual(40);
    expect(Math.max(...counts)).toBeLessThanOrEqual(1); // the link of the call in flight, at most
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('aborting the caller cancels the call in flight and ends the watch', async () => {
    const fake = sdkLikeClient(1_000_000);
    const parent = new AbortController();
    const watching = watchCopy(
      fake.client,
      'snapcopy-us-west-2-t',
      { update() {}, stop() {} },
      {
        intervalMs: 5,
        signal: parent.signal,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    parent.abort();
    await expect(watching).rejects.toThrow();
    expect([...fake.signals].every((s) => s.aborted || getEventListeners(s, 'abort').length <= 1)).toBe(true);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
