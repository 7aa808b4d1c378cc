// The worker's telemetry end to end, in one process: the Runtime as the worker installs it (Prometheus on
// a free port, JSON logger), the worker as the worker creates it, the real workflow on the real
// time-skipping Temporal test server, activities from the in-memory AWS. The Runtime can be installed
// once per process (each vitest file is its own process): this file installs it first, before anything
// here creates a connection or a worker (test/helpers/temporal.ts's helpers would install a quiet one).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/worker/bundle';
import { workerConfig } from '../../src/worker/config';
import { createJsonLogger } from '../../src/worker/logging';
import { createWorker } from '../../src/worker/options';
import { installRuntime } from '../../src/worker/telemetry';
import { defaultWorkflowId } from '../../src/shared/names';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import type { CopyDbClusterSnapshotInput } from '../../src/shared/types';
import { cancelSignal, copyDbClusterSnapshot } from '../../src/workflows';
import { METRICS } from '../../src/shared/metric-names';
import { createTemporalActivities } from '../../src/activities';
import { FakeAws } from '../helpers/fake-aws';
import { freePort } from '../helpers/net';
import { FOLLOW_WITH_TIMERS, TEMPORAL_TEST_SERVER, WORKFLOWS_PATH } from '../helpers/paths';
import { waitForProgress } from '../helpers/wait';
import { samples, scrape, total } from './helpers';

const HOUR = 60 * 60 * 1000;
const GIB = 1024 ** 3;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let metricsPort: number;
const logLines: string[] = [];

beforeAll(async () => {
  metricsPort = await freePort();
  const config = workerConfig({
    SNAPCOPY_METRICS_PORT: String(metricsPort),
    SNAPCOPY_METRICS_HOST: '127.0.0.1',
    SNAPCOPY_LOG_LEVEL: 'DEBUG',
  });
  installRuntime(
    config,
    createJsonLogger(config.logLevel, (line) => logLines.push(line)),
  );
  [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
    }),
    bundleWorkflowCode({
      ...workflowBundleOptions(WORKFLOWS_PATH),
      // Copies follow with workflow timers on the time-skipping server (see follow-with-timers.ts).
      workflowInterceptorModules: [FOLLOW_WITH_TIMERS],
      logger: createJsonLogger('WARN', () => undefined),
    }),
  ]);
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((sa) => [sa.name, encodeSearchAttributeIndexedValueType(sa.type)!]),
    ),
  });
});

afterAll(async () => {
  await env?.teardown();
});

async function withWorker<T>(aws: FakeAws, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `metrics-${randomUUID()}`;
  const worker: Worker = await createWorker(env.nativeConnection, {
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities: withActivityLog(
      aws.activities(createTemporalActivities({ client: () => Promise.resolve(env.client) })),
    ),
  });
  return worker.runUntil(fn(taskQueue));
}

/** FakeAws's activities, with startCopy logging through the activity context logger as real code would. */
function withActivityLog(activities: ReturnType<FakeAws['activities']>): ReturnType<FakeAws['activities']> {
  return {
    ...activities,
    startCopy: (startInput) => {
      Context.current().log.info('starting copy', { targetIdentifier: startInput.targetIdentifier });
      return activities.startCopy(startInput);
    },
  };
}

function input(target: string): CopyDbClusterSnapshotInput {
  return {
    SourceDBClusterSnapshotIdentifier: 'prod-2026-11-20',
    TargetDBClusterSnapshotIdentifier: target,
    SourceRegion: 'us-east-1',
    TargetRegion: 'us-east-1',
  };
}

function start(taskQueue: string, args: CopyDbClusterSnapshotInput) {
  return env.client.workflow.start(copyDbClusterSnapshot, {
    taskQueue,
    workflowId: defaultWorkflowId(args.TargetRegion, args.TargetDBClusterSnapshotIdentifier ?? randomUUID()),
    args: [args],
  });
}

function logRecords(): Record<string, unknown>[] {
  return logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('worker telemetry', () => {
  let completedId = '';

  beforeAll(async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    aws.addSnapshot({ region: 'us-east-1', identifier: 'prod-2026-11-20', cluster: 'prod' });
    aws.copyDurationMs = 2 * HOUR;
    await withWorker(aws, async (tq) => {
      // One copy to the end, one refused input, one cancelled while copying.
      const done = await start(tq, input('metrics-copied'));
      completedId = done.workflowId;
      const result = await done.result();
      expect(result.summary.outcome).toBe('copied');

      const bad = await start(tq, {
        ...input('metrics-bad'),
        TargetDBClusterSnapshotIdentifier: '1-not-valid',
      });
      await expect(bad.result()).rejects.toBeInstanceOf(WorkflowFailedError);

      const cancelled = await start(tq, input('metrics-cancelled'));
      // Cancelled only once it is really copying: a copy that never gets there fails the file here.
      await waitForProgress(
        cancelled,
        (p) => p.phase === 'copying',
        'the copy to cancel never reached copying',
      );
      await cancelled.signal(cancelSignal, { reason: 'test' });
      expect((await cancelled.result()).summary.outcome).toBe('cancelled');
    });
  });

  it("serves snapcopy's copy counters on the worker's Prometheus endpoint", async () => {
    const text = await scrape(metricsPort);
    const region = { target_region: 'us-east-1', source_region: 'us-east-1' };
    expect(total(text, METRICS.copiesStarted, region)).toBe(2);
    expect(total(text, METRICS.copiesCompleted, { ...region, outcome: 'copied' })).toBe(1);
    expect(total(text, METRICS.copiesCancelled, region)).toBe(1);
    expect(total(text, METRICS.copiesFailed, { failure_type: 'InvalidParameterValue' })).toBe(1);
    // FakeAws reports AllocatedStorage 10 (GiB).
    expect(total(text, METRICS.bytesCopied, region)).toBe(10 * GIB);
    // The SDK tags workflow metrics with the workflow type (and namespace, task queue).
    expect(samples(text, METRICS.copiesStarted)[0]?.labels).toMatchObject({
      workflowType: 'copyDbClusterSnapshot',
    });
  });

  it('records copy durations in seconds, in buckets sized for copies', async () => {
    const text = await scrape(metricsPort);
    const count = total(text, `${METRICS.copyDuration}_count`);
    const sum = total(text, `${METRICS.copyDuration}_sum`);
    expect(count).toBe(1);
    // A 2-hour copy on the skipped clock, polled at its own pace.
    expect(sum).toBeGreaterThanOrEqual(2 * 3600);
    expect(sum).toBeLessThan(3 * 3600);
    const buckets = samples(text, `${METRICS.copyDuration}_bucket`).map((s) => s.labels.le);
    expect(buckets).toContain('3600');
    expect(buckets).toContain('14400');
  });

  it("serves Temporal's own worker metrics beside them", async () => {
    const text = await scrape(metricsPort);
    expect(total(text, 'temporal_workflow_completed')).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'temporal_activity_execution_latency_count').length).toBeGreaterThan(0);
  });

  it('logs JSON lines that carry the workflow ID, from workflow and activity code alike', () => {
    const records = logRecords();
    const ofCopy = records.filter((r) => r.workflowId === completedId);
    expect(ofCopy.find((r) => r.msg === 'copy started')).toMatchObject({
      sdkComponent: 'workflow',
      runId: expect.any(String) as string,
      workflowType: 'copyDbClusterSnapshot',
      targetRegion: 'us-east-1',
    });
    expect(ofCopy.find((r) => r.msg === 'copy completed')).toMatchObject({
      outcome: 'copied',
      level: 'info',
    });
    expect(ofCopy.find((r) => r.msg === 'starting copy')).toMatchObject({
      sdkComponent: 'activity',
      activityType: 'startCopy',
      targetIdentifier: 'metrics-copied',
    });
    expect(
      ofCopy.find((r) => r.msg === 'Activity completed' && r.activityType === 'followTargetSnapshot'),
    ).toBeDefined();
    expect(records.find((r) => r.msg === 'copy failed')).toMatchObject({
      failureType: 'InvalidParameterValue',
    });
  });
});
