// The worker's tuning on a real worker, and the slot metrics it exports: the Runtime as the worker installs
// it (Prometheus on a free port), a worker with the options run.ts gives it (tuningOptions from workerConfig),
// a tiny workflow (one activity, one local activity) on the real time-skipping test server, then a scrape of
// what the endpoint serves. The workflow is the test's own, so the scrape does not depend on the copy
// workflow's path through its schedulers. The Runtime can be installed once per process (each vitest file
// is its own): this file installs it before anything here creates a connection or a worker.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { workerConfig, type WorkerConfig } from '../../src/worker/config';
import { createJsonLogger } from '../../src/worker/logging';
import { createWorker, tuningOptions } from '../../src/worker/options';
import { installRuntime } from '../../src/worker/telemetry';
import { freePort } from '../helpers/net';
import { temporalSeriesNames } from '../helpers/temporal-metrics';
import { TEMPORAL_TEST_SERVER } from '../helpers/paths';
import type { oneOfEach, TuningActivities } from './fixtures/tuning-workflows';
import { samples, scrape } from './helpers';

/** sdk-core's `worker_type` label values: workflow, activity and local activity slots. */
const WORKER_TYPES = ['WorkflowWorker', 'ActivityWorker', 'LocalActivityWorker'] as const;

const activities: TuningActivities = { echo: (value) => Promise.resolve(value) };

let env: TestWorkflowEnvironment;
let config: WorkerConfig;
let metricsPort: number;
let worker: Worker;
let bundle: WorkflowBundleWithSourceMap;
let taskQueue: string;
/** The endpoint's text while the worker polls, after the workflow ran to the end on it. */
let text: string;

beforeAll(async () => {
  metricsPort = await freePort();
  config = workerConfig({
    SNAPCOPY_METRICS_PORT: String(metricsPort),
    SNAPCOPY_METRICS_HOST: '127.0.0.1',
    SNAPCOPY_LOG_LEVEL: 'ERROR',
    SNAPCOPY_MAX_CACHED_WORKFLOWS: '50',
    SNAPCOPY_WORKFLOW_TASK_SLOTS: '7',
    SNAPCOPY_ACTIVITY_SLOTS: '9',
    SNAPCOPY_LOCAL_ACTIVITY_SLOTS: '11',
    SNAPCOPY_WORKFLOW_POLLERS: '3',
    SNAPCOPY_ACTIVITY_POLLERS: 'auto',
  });
  installRuntime(
    config,
    createJsonLogger(config.logLevel, () => undefined),
  );
  [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
    }),
    bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/tuning-workflows.ts'),
      logger: createJsonLogger('WARN', () => undefined),
    }),
  ]);
  taskQueue = `tuning-${randomUUID()}`;
  worker = await createWorker(env.nativeConnection, {
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities,
    ...tuningOptions(config),
  });
  text = await worker.runUntil(async () => {
    const result = await env.client.workflow.execute<typeof oneOfEach>('oneOfEach', {
      taskQueue,
      workflowId: `tuning-${randomUUID()}`,
      args: ['slot'],
    });
    expect(result).toBe('slot/slot');
    return scrape(metricsPort);
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** This worker's samples of a metric (the Runtime's meter is process-wide; labels say whose). */
function ofWorker(name: string) {
  return samples(text, name).filter((s) => s.labels.task_queue === taskQueue);
}

describe('worker tuning on a real worker', () => {
  it('runs with the configured slots and pollers', () => {
    expect(worker.options.tuner).toMatchObject({
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 7 },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 9 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 11 },
    });
    expect(worker.options.workflowTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 3 });
    expect(worker.options.activityTaskPollerBehavior).toMatchObject({ type: 'autoscaling' });
    expect(worker.options.maxCachedWorkflows).toBe(50);
  });
});

describe("the worker's Temporal slot metrics on the Prometheus endpoint", () => {
  it('serves slots available and used for workflow, activity and local activity tasks', () => {
    for (const name of ['temporal_worker_task_slots_available', 'temporal_worker_task_slots_used']) {
      const types = ofWorker(name).map((s) => s.labels.worker_type);
      for (const type of WORKER_TYPES) expect(types, `${name}{worker_type="${type}"}`).toContain(type);
    }
  });

  it('reports the configured slot counts: available and used add up to each of them', () => {
    const configured = { WorkflowWorker: 7, ActivityWorker: 9, LocalActivityWorker: 11 };
    const value = (name: string, type: string) =>
      ofWorker(name).find((s) => s.labels.worker_type === type)?.value ?? NaN;
    for (const type of WORKER_TYPES) {
      const available = value('temporal_worker_task_slots_available', type);
      const used = value('temporal_worker_task_slots_used', type);
      expect(available + used, type).toBe(configured[type]);
    }
  });

  it('serves the sticky cache size and the workflow task execution latency', () => {
    expect(ofWorker('temporal_sticky_cache_size').length).toBeGreaterThan(0);
    const latency = ofWorker('temporal_workflow_task_execution_latency_count');
    expect(latency.map((s) => s.labels.workflow_type)).toEqual(['oneOfEach']);
    expect(latency[0]?.value).toBeGreaterThan(0);
  });

  it('serves the poller counts that the alerts watch', () => {
    const pollers = ofWorker('temporal_num_pollers').map((s) => s.labels.poller_type);
    expect(pollers).toContain('workflow_task');
  });

  it('serves every Temporal metric the dashboard may use (test/helpers/temporal-metrics.ts)', () => {
    for (const name of temporalSeriesNames()) expect(ofWorker(name).length, name).toBeGreaterThan(0);
  });
});

/** A worker created and stopped at once, for the options the SDK derived from what it was given. */
async function optionsOf(tuning: Partial<WorkerOptions>): Promise<Worker['options']> {
  const w = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: `tuning-${randomUUID()}`,
    workflowBundle: bundle,
    activities,
    ...tuning,
  });
  await w.runUntil(Promise.resolve());
  return w.options;
}

describe('the defaults on a real worker', () => {
  it('are taken as given: no more workflow tasks than cached workflows, so the SDK lowers nothing', async () => {
    const sdkDefaults = await optionsOf({});
    const now = await optionsOf(tuningOptions(workerConfig({})));
    expect(now.maxCachedWorkflows).toBe(200);
    expect(now.tuner).toMatchObject({
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 20 },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1000 },
      localActivityTaskSlotSupplier: sdkDefaults.tuner.localActivityTaskSlotSupplier,
    });
    for (const key of ['workflowTaskPollerBehavior', 'activityTaskPollerBehavior'] as const) {
      expect(now[key], key).toEqual(sdkDefaults[key]);
    }
  });
});

describe('the resource-based tuner on a real worker', () => {
  it('starts, with the targets and autoscaling pollers it was given', async () => {
    const options = await optionsOf(
      tuningOptions(
        workerConfig({
          SNAPCOPY_TUNER: 'resource-based',
          SNAPCOPY_TUNER_TARGET_MEMORY: '0.7',
          SNAPCOPY_TUNER_TARGET_CPU: '0.6',
          SNAPCOPY_WORKFLOW_POLLERS: 'auto',
        }),
      ),
    );
    // The SDK's compiled form: resource-based slot suppliers for every task type, one controller's targets.
    expect(options.tuner).toMatchObject({
      workflowTaskSlotSupplier: { type: 'resource-based' },
      activityTaskSlotSupplier: { type: 'resource-based' },
      localActivityTaskSlotSupplier: { type: 'resource-based' },
      resourceBasedTunerConfig: { type: 'options', targetMemoryUsage: 0.7, targetCpuUsage: 0.6 },
    });
    expect(options.workflowTaskPollerBehavior).toMatchObject({ type: 'autoscaling' });
  });
});
