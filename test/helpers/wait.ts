// The one way tests wait for something that happens elsewhere (a Temporal server, a worker process, the
// AWS emulator, a browser): vitest's vi.waitFor, bounded, with a message that says what never happened.
import { vi } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../../src/shared/contract';
import type { Progress } from '../../src/shared/types';

export interface WaitOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Between two checks (default 100 ms); a check still running is never started twice. */
  intervalMs?: number;
}

/**
 * Runs `check` until it returns (or its promise resolves) instead of throwing, and answers what it
 * returned. On timeout, fails with `what` and the check's last error.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitOptions = {},
): Promise<T> {
  try {
    return await vi.waitFor(check, { timeout: timeoutMs, interval: intervalMs });
  } catch (err) {
    const last = err instanceof Error ? err.message : String(err);
    throw new Error(`${what}: not within ${timeoutMs} ms (last check: ${last})`, { cause: err });
  }
}

/** Like waitFor, for a probe that answers `undefined` until the value is there. */
export function waitForValue<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options?: WaitOptions,
): Promise<T> {
  return waitFor(
    what,
    async () => {
      const value = await probe();
      if (value === undefined) throw new Error('no value yet');
      return value;
    },
    options,
  );
}

/** Queries a copy's `progress` until `predicate` holds; answers that progress. */
export function waitForProgress(
  handle: Pick<WorkflowHandle, 'query'>,
  predicate: (p: Progress) => boolean,
  what = 'the copy did not reach the expected progress',
  options?: WaitOptions,
): Promise<Progress> {
  return waitFor(
    what,
    async () => {
      const p = await handle.query(progressQuery);
      if (!predicate(p)) throw new Error(`progress is ${JSON.stringify(p)}`);
      return p;
    },
    options,
  );
}
