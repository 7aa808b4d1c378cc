// The restore-test metrics on the worker's Prometheus endpoint, without the verifyCopy workflow: the Runtime as
// the worker installs it (Prometheus on a free port, JSON logger), a worker as the worker creates it, and a
// fixture workflow that records restore-test endings through recordRestoreTest, then a scrape. The names must
// be exactly those deploy/prometheus/alerts.yml selects. The Runtime can be installed once per process (each
// vitest file is its own): this file installs it before anything here creates a connection or a worker.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workerConfig } from '../../src/worker/config';
import { createJsonLogger } from '../../src/worker/logging';
import { createWorker } from '../../src/worker/options';
import { installRuntime } from '../../src/worker/telemetry';
import { freePort } from '../helpers/net';
import { TEMPORAL_TEST_SERVER } from '../helpers/paths';
import type {
  recordRestoreTests,
  recordRpoAudits,
  RestoreEnding,
} from './fixtures/restore-metrics-workflows';
import type { AuditResult } from '../../src/shared/rpo-audit';
import { samples, scrape, total } from './helpers';

const row = { plan: 'prod-dr', rpoSeconds: 93_600, rpo: '26h' };
const AUDIT: AuditResult = {
  plan: 'prod-dr',
  at: '2026-12-06T08:00:00.000Z',
  rpoSeconds: 93_600,
  rows: [
    {
      ...row,
      cluster: 'prod-a',
      region: 'us-west-2',
      status: 'ok',
      copy: 'prod-a-20261206-030000',
      recoveryPoint: '2026-12-06T03:00:00.000Z',
      ageSeconds: 18_000,
      lastRestoreTest: { workflowId: 'v', at: '2026-12-05T05:00:00.000Z', outcome: 'restorable' },
    },
    { ...row, cluster: 'prod-b', region: 'eu-west-1', accountId: '222222222222', status: 'missing' },
    // Not asked this time (an outage): its gauge keeps its last value.
    {
      ...row,
      cluster: 'prod-c',
      region: 'eu-west-1',
      status: 'ok',
      unknown: true,
      recoveryPoint: '2026-12-01T00:00:00.000Z',
    },
  ],
  turned: { bad: [], recovered: [] },
  unreachable: [],
};

const ENDINGS: RestoreEnding[] = [
  { region: 'us-west-2', outcome: 'restorable', totalSeconds: 1500 },
  { region: 'us-west-2', outcome: 'restorable', totalSeconds: 2 * 3600 },
  { region: 'us-west-2', outcome: 'failed', totalSeconds: 600 },
  { region: 'eu-west-1', outcome: 'cancelled' },
  { region: 'eu-west-1', outcome: 'failed' },
];

let env: TestWorkflowEnvironment | undefined;
let text: string;
const logLines: string[] = [];

beforeAll(async () => {
  const metricsPort = await freePort();
  const config = workerConfig({
    SNAPCOPY_METRICS_PORT: String(metricsPort),
    SNAPCOPY_METRICS_HOST: '127.0.0.1',
    SNAPCOPY_LOG_LEVEL: 'INFO',
  });
  installRuntime(
    config,
    createJsonLogger(config.logLevel, (line) => logLines.push(line)),
  );
  const [testEnv, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
    }),
    bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/restore-metrics-workflows.ts'),
      logger: createJsonLogger('WARN', () => undefined),
    }),
  ]);
  env = testEnv;
  const taskQueue = `restore-metrics-${randomUUID()}`;
  const worker = await createWorker(testEnv.nativeConnection, {
    namespace: testEnv.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities: {},
  });
  text = await worker.runUntil(async () => {
    const recorded = await testEnv.client.workflow.execute<typeof recordRestoreTests>('recordRestoreTests', {
      taskQueue,
      workflowId: `restore-metrics-${randomUUID()}`,
      args: [ENDINGS],
    });
    expect(recorded).toBe(ENDINGS.length);
    await testEnv.client.workflow.execute<typeof recordRpoAudits>('recordRpoAudits', {
      taskQueue,
      workflowId: `rpo-metrics-${randomUUID()}`,
      args: [[AUDIT]],
    });
    return scrape(metricsPort);
  });
});

afterAll(async () => {
  await env?.teardown();
});

describe('restore-test metrics on the Prometheus endpoint', () => {
  it('counts restore tests as snapcopy_restore_tests_total{region,outcome}, a counter, with no second suffix', () => {
    expect(text).toMatch(/^# TYPE snapcopy_restore_tests_total counter$/m);
    expect(text).not.toContain('snapcopy_restore_tests_total_total');
    const count = (region: string, outcome: string) =>
      total(text, 'snapcopy_restore_tests_total', { region, outcome });
    expect(count('us-west-2', 'restorable')).toBe(2);
    expect(count('us-west-2', 'failed')).toBe(1);
    expect(count('eu-west-1', 'cancelled')).toBe(1);
    expect(count('eu-west-1', 'failed')).toBe(1);
    expect(count('eu-west-1', 'restorable')).toBe(0);
    // Tagged by the SDK like the copy metrics (the alert sums by namespace too).
    expect(samples(text, 'snapcopy_restore_tests_total')[0]?.labels).toMatchObject({
      namespace: 'default',
      workflowType: 'recordRestoreTests',
    });
  });

  it('records only restorable tests in snapcopy_restore_duration_seconds, in seconds, in buckets for minutes to hours', () => {
    expect(text).toMatch(/^# TYPE snapcopy_restore_duration_seconds histogram$/m);
    expect(total(text, 'snapcopy_restore_duration_seconds_count', { region: 'us-west-2' })).toBe(2);
    expect(total(text, 'snapcopy_restore_duration_seconds_sum', { region: 'us-west-2' })).toBe(1500 + 7200);
    expect(total(text, 'snapcopy_restore_duration_seconds_count', { region: 'eu-west-1' })).toBe(0);
    const buckets = samples(text, 'snapcopy_restore_duration_seconds_bucket').filter(
      (s) => s.labels.region === 'us-west-2',
    );
    const le = (bound: string) => buckets.find((s) => s.labels.le === bound)?.value;
    expect(le('1200')).toBe(0);
    expect(le('1800')).toBe(1);
    expect(le('7200')).toBe(2);
    expect(le('14400')).toBe(2);
    expect(le('+Inf')).toBe(2);
  });

  it('logs one line per restore test, a failed one as a warning', () => {
    const records = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.msg === 'restore test ended');
    expect(records).toHaveLength(ENDINGS.length);
    expect(records[0]).toMatchObject({
      level: 'info',
      sdkComponent: 'workflow',
      region: 'us-west-2',
      outcome: 'restorable',
      totalSeconds: 1500,
    });
    expect(records[2]).toMatchObject({ level: 'warn', outcome: 'failed' });
    expect(records[3]).toMatchObject({ level: 'info', outcome: 'cancelled' });
  });
});

describe('RPO audit gauges on the Prometheus endpoint', () => {
  it("publishes each row's recovery point (0 for missing), the plan's RPO, the last restore test and the audit's time", () => {
    const point = (cluster: string) =>
      samples(text, 'snapcopy_recovery_point_timestamp_seconds').filter((s) => s.labels.cluster === cluster);
    expect(point('prod-a')).toEqual([
      {
        labels: expect.objectContaining({ plan: 'prod-dr', region: 'us-west-2', account: 'self' }) as object,
        value: Date.parse('2026-12-06T03:00:00.000Z') / 1000,
      },
    ]);
    expect(point('prod-b').map((s) => [s.labels.account, s.value])).toEqual([['222222222222', 0]]);
    expect(point('prod-c')).toEqual([]);
    expect(total(text, 'snapcopy_rpo_seconds', { plan: 'prod-dr' })).toBe(93_600);
    expect(
      total(text, 'snapcopy_last_restore_test_timestamp_seconds', {
        cluster: 'prod-a',
        outcome: 'restorable',
      }),
    ).toBe(Date.parse('2026-12-05T05:00:00.000Z') / 1000);
    expect(total(text, 'snapcopy_rpo_audit_timestamp_seconds', { plan: 'prod-dr' })).toBe(
      Date.parse('2026-12-06T08:00:00.000Z') / 1000,
    );
    expect(text).toMatch(/^# TYPE snapcopy_recovery_point_timestamp_seconds gauge$/m);
  });
});
