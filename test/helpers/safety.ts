// What the safety properties (test/workflows/safety*.property.test.ts) share: the optional-value arbitrary,
// fast-check's parameters from SNAPCOPY_SAFETY_* (seed, path, runs, example), and a Temporal cancel that
// waits until the workflow took it in (the time-skipping server's ACTIVITY_UNKNOWN quirk, below).
import fc from 'fast-check';
import type { WorkflowHandle } from '@temporalio/client';
import { waitFor } from './wait';

/** Mostly absent: `arb` one time in `1 + absentWeight`. */
export const sometimes = <T>(arb: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/**
 * fast-check's parameters: a fixed seed by default (CI is reproducible); SNAPCOPY_SAFETY_SEED (a number or
 * `random`), SNAPCOPY_SAFETY_PATH (replay a reported failure), SNAPCOPY_SAFETY_RUNS (widen the search) and
 * SNAPCOPY_SAFETY_EXAMPLE (a scenario as JSON, run first) steer it. Each run costs seconds: after
 * `timeLimitMs` fast-check stops (shrinking included) and reports the smallest failure found so far.
 */
export function safetyParameters<S>(defaults: {
  seed: number;
  runs: number;
  timeLimitMs: number;
}): fc.Parameters<[S]> {
  const seedEnv = process.env.SNAPCOPY_SAFETY_SEED ?? String(defaults.seed);
  const path = process.env.SNAPCOPY_SAFETY_PATH;
  const example = process.env.SNAPCOPY_SAFETY_EXAMPLE;
  return {
    numRuns: Number(process.env.SNAPCOPY_SAFETY_RUNS ?? defaults.runs),
    ...(seedEnv === 'random' ? {} : { seed: Number(seedEnv) }),
    ...(path !== undefined ? { path } : {}),
    ...(example !== undefined ? { examples: [[JSON.parse(example) as S]] } : {}),
    interruptAfterTimeLimit: defaults.timeLimitMs,
    markInterruptAsFailure: false,
  };
}

/**
 * Settles once the workflow task that followed the workflow's cancel request has completed. The
 * time-skipping server rejects a workflow's request to cancel an activity that completed meanwhile
 * (ACTIVITY_UNKNOWN; temporalio/sdk-typescript#1058, sdk-java#2391) and then leaves that workflow task open
 * for ever; a real server takes either order. So an activity that sends a Temporal cancel to its own
 * workflow answers only once this settled: the workflow has asked for the activity's cancellation by then.
 */
export function cancelTakenIn(handle: Pick<WorkflowHandle, 'fetchHistory'>): Promise<void> {
  return waitFor(
    'the workflow took in the cancellation',
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const asked = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
      if (asked < 0 || !events.slice(asked).some((e) => e.workflowTaskCompletedEventAttributes))
        throw new Error('not yet');
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  );
}
