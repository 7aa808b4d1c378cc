// The deadlock watchdog (SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT): what the worker passes the SDK, that the
// installed SDK carries snapcopy's patch (so `off` means no watchdog rather than an SDK refusing every call),
// and, on real workers on the time-skipping test server, that workflows run with it off and that a limit set
// still ends code that never yields.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseWorkflowDeadlockTimeout } from '../../src/worker/config';
import { deadlockWatchdog, SDK_DEADLOCK_TIMEOUT_MS, watchdogCanBeOff } from '../../src/worker/deadlock';
import { createJsonLogger } from '../../src/worker/logging';
import { createWorker } from '../../src/worker/options';
import { TEMPORAL_TEST_SERVER } from '../helpers/paths';
import { waitFor } from '../helpers/wait';
import type { answers, spins } from './fixtures/deadlock-workflows';

describe('SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT', () => {
  it('is off by default; `off` or a duration from 1 s to 1 h', () => {
    expect(parseWorkflowDeadlockTimeout(undefined)).toBe(false);
    expect(parseWorkflowDeadlockTimeout('OFF')).toBe(false);
    expect(parseWorkflowDeadlockTimeout('5s')).toBe(5000);
    expect(parseWorkflowDeadlockTimeout('1h')).toBe(3_600_000);
  });

  it('refuses anything else, naming the variable and the rule', () => {
    for (const bad of ['500ms', '2h', 'never', '-1s']) {
      expect(() => parseWorkflowDeadlockTimeout(bad)).toThrow(
        /^SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT: .*(off or a duration from 1s to 1h|duration)/,
      );
    }
  });
});

describe('the watchdog the worker asks the SDK for', () => {
  it('none when off and the SDK carries the patch', () => {
    expect(deadlockWatchdog(false, true)).toEqual({ isolateExecutionTimeout: 0, described: 'off' });
  });

  it("the SDK's own, with a warning, when off but the patch is missing", () => {
    const w = deadlockWatchdog(false, false);
    expect(w.isolateExecutionTimeout).toBe(SDK_DEADLOCK_TIMEOUT_MS);
    expect(w.warning).toMatch(/lacks snapcopy's patch/);
  });

  it('the limit given, whatever the SDK', () => {
    expect(deadlockWatchdog(2000, true)).toMatchObject({ isolateExecutionTimeout: 2000 });
    expect(deadlockWatchdog(2000, false)).toMatchObject({ isolateExecutionTimeout: 2000 });
    expect(deadlockWatchdog(2000, false).warning).toBeUndefined();
  });

  it('the installed SDK carries the patch (npm ci applied patches/)', () => {
    expect(watchdogCanBeOff()).toBe(true);
  });
});

describe('real workers', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
      }),
      bundleWorkflowCode({
        workflowsPath: path.join(__dirname, 'fixtures/deadlock-workflows.ts'),
        logger: createJsonLogger('WARN', () => undefined),
      }),
    ]);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const workerWith = async (isolateExecutionTimeout: number) => {
    const taskQueue = `deadlock-${randomUUID()}`;
    const worker = await createWorker(env.nativeConnection, {
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: {},
      isolateExecutionTimeout,
    });
    return { worker, taskQueue };
  };

  it('run workflows with the watchdog off', async () => {
    const { worker, taskQueue } = await workerWith(deadlockWatchdog(false).isolateExecutionTimeout);
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof answers>('answers', {
        taskQueue,
        workflowId: `answers-${randomUUID()}`,
        args: ['at once'],
      }),
    );
    expect(result).toBe('answered at once');
  });

  it('end code that never yields when a limit is set: its task fails, timed out', async () => {
    const { worker, taskQueue } = await workerWith(1000);
    const handle = await env.client.workflow.start<typeof spins>('spins', {
      taskQueue,
      workflowId: `spins-${randomUUID()}`,
    });
    const failure = await worker.runUntil(
      waitFor('a failed workflow task', async () => {
        const history = await handle.fetchHistory();
        const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
        if (!failed) throw new Error('no failed workflow task yet');
        return failed.workflowTaskFailedEventAttributes?.failure?.message ?? '';
      }),
    );
    await handle.terminate('test over');
    expect(failure).toMatch(/timed out after 1000ms/);
  });
});
