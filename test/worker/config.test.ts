// The worker's settings: its own SNAPCOPY_* variables, and Temporal's connection settings (address,
// namespace, mTLS, API key, profiles in temporal.toml) as read by src/temporal-connection.ts through
// @temporalio/envconfig, in the shape NativeConnection.connect takes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  DEFAULT_ACTIVITY_POLLERS,
  DEFAULT_ACTIVITY_SLOTS,
  DEFAULT_LOCAL_ACTIVITY_SLOTS,
  DEFAULT_MAX_CACHED_WORKFLOWS,
  DEFAULT_METRICS_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TUNER,
  DEFAULT_TUNER_TARGET_CPU,
  DEFAULT_TUNER_TARGET_MEMORY,
  DEFAULT_WORKFLOW_POLLERS,
  DEFAULT_WORKFLOW_TASK_SLOTS,
  parseDuration,
  workerConfig,
} from '../../src/worker/config';
import { describeTuning, PREBUILT_BUNDLE, tuningOptions, workflowSource } from '../../src/worker/options';
import { metricsBindAddress, runtimeOptions, SHUTDOWN_SIGNALS } from '../../src/worker/telemetry';
import { createJsonLogger } from '../../src/worker/logging';
import { temporalSettings } from '../../src/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../../src/shared/names';
import { METRICS } from '../../src/shared/metric-names';
import { ROOT } from '../helpers/paths';

/** The default tuning: the SDK 1.24 defaults, but fewer workflow tasks at once and room for a thousand copies' follows. */
const TODAY_TUNING = {
  tuner: 'fixed',
  workflowTaskSlots: 20,
  activitySlots: 1000,
  localActivitySlots: 100,
  workflowPollers: 10,
  activityPollers: 10,
} as const;

describe('workerConfig', () => {
  it('defaults to INFO logs, metrics on 0.0.0.0:9464, a 30 s shutdown grace and 5 copy slots', () => {
    expect(workerConfig({})).toEqual({
      logLevel: 'INFO',
      metrics: { host: '0.0.0.0', port: 9464 },
      shutdownGraceMs: 30_000,
      slotCapacity: 5,
      restoreTestsPerRegion: 1,
      maxCachedWorkflows: 200,
      tuning: TODAY_TUNING,
      rdsBudget: { perSecond: 6, burst: 60 },
      workflowDeadlockTimeoutMs: false,
    });
    expect(DEFAULT_METRICS_PORT).toBe(9464);
    expect(DEFAULT_SHUTDOWN_GRACE_MS).toBe(30_000);
  });

  it('reads the copy-slot capacity, refusing what is not 1 to 100', () => {
    expect(workerConfig({ SNAPCOPY_SLOT_CAPACITY: '8' }).slotCapacity).toBe(8);
    expect(workerConfig({}).restoreTestsPerRegion).toBe(1);
    expect(workerConfig({ SNAPCOPY_RESTORE_TESTS_PER_REGION: '3' }).restoreTestsPerRegion).toBe(3);
    expect(() => workerConfig({ SNAPCOPY_RESTORE_TESTS_PER_REGION: '0' })).toThrow(
      'SNAPCOPY_RESTORE_TESTS_PER_REGION: "0" is not a number of restore tests at once (an integer from 1 to 40)',
    );
    for (const bad of ['0', '101', '2.5', 'five']) {
      expect(() => workerConfig({ SNAPCOPY_SLOT_CAPACITY: bad })).toThrow(
        `SNAPCOPY_SLOT_CAPACITY: "${bad}" is not a number of copy slots (an integer from 1 to 100)`,
      );
    }
  });

  it('reads the sticky-cache size, refusing what is not 1 to 100000', () => {
    expect(workerConfig({ SNAPCOPY_MAX_CACHED_WORKFLOWS: '400' }).maxCachedWorkflows).toBe(400);
    for (const bad of ['0', '100001', '1.5', 'many']) {
      expect(() => workerConfig({ SNAPCOPY_MAX_CACHED_WORKFLOWS: bad })).toThrow(
        `SNAPCOPY_MAX_CACHED_WORKFLOWS: "${bad}" is not a number of workflows (an integer from 1 to 100000)`,
      );
    }
  });

  it('reads the RDS call budget per account and Region, or off, refusing what is not a rate', () => {
    expect(
      workerConfig({ SNAPCOPY_RDS_CALLS_PER_SECOND: '2.5', SNAPCOPY_RDS_BURST: '20' }).rdsBudget,
    ).toEqual({ perSecond: 2.5, burst: 20 });
    expect(workerConfig({ SNAPCOPY_RDS_BURST: '100' }).rdsBudget).toEqual({ perSecond: 6, burst: 100 });
    expect(workerConfig({ SNAPCOPY_RDS_CALLS_PER_SECOND: 'off' }).rdsBudget).toBe(false);
    for (const bad of ['0', '-1', 'fast', '1001']) {
      expect(() => workerConfig({ SNAPCOPY_RDS_CALLS_PER_SECOND: bad })).toThrow(
        `SNAPCOPY_RDS_CALLS_PER_SECOND: "${bad}" is not a rate of calls a second (a number above 0 and at most 1000, e.g. 6) or off`,
      );
    }
    for (const bad of ['0', '1.5', 'many']) {
      expect(() => workerConfig({ SNAPCOPY_RDS_BURST: bad })).toThrow(
        `SNAPCOPY_RDS_BURST: "${bad}" is not a number of calls (an integer from 1 to 10000)`,
      );
    }
    expect(() => workerConfig({ SNAPCOPY_RDS_CALLS_PER_SECOND: 'off', SNAPCOPY_RDS_BURST: '9' })).toThrow(
      'SNAPCOPY_RDS_BURST: is set while SNAPCOPY_RDS_CALLS_PER_SECOND is off; unset one of them',
    );
  });

  it('treats empty variables (compose `VAR=`) as unset', () => {
    expect(
      workerConfig({ SNAPCOPY_METRICS_PORT: '', SNAPCOPY_LOG_LEVEL: ' ', SNAPCOPY_SHUTDOWN_GRACE: '' }),
    ).toEqual(workerConfig({}));
  });

  it('reads the log level, metrics port and host, and grace time', () => {
    expect(
      workerConfig({
        SNAPCOPY_LOG_LEVEL: 'debug',
        SNAPCOPY_METRICS_PORT: '9100',
        SNAPCOPY_METRICS_HOST: '127.0.0.1',
        SNAPCOPY_SHUTDOWN_GRACE: '2m',
        SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT: '10s',
      }),
    ).toEqual({
      logLevel: 'DEBUG',
      metrics: { host: '127.0.0.1', port: 9100 },
      shutdownGraceMs: 120_000,
      slotCapacity: 5,
      restoreTestsPerRegion: 1,
      maxCachedWorkflows: 200,
      tuning: TODAY_TUNING,
      rdsBudget: { perSecond: 6, burst: 60 },
      workflowDeadlockTimeoutMs: 10_000,
    });
    expect(workerConfig({ SNAPCOPY_LOG_LEVEL: 'warning' }).logLevel).toBe('WARN');
  });

  it.each(['0', 'off', 'OFF', 'false'])('SNAPCOPY_METRICS_PORT=%s turns metrics off', (value) => {
    expect(workerConfig({ SNAPCOPY_METRICS_PORT: value }).metrics).toBeUndefined();
  });

  it.each([
    ['30', 30_000],
    ['30s', 30_000],
    ['1500ms', 1500],
    ['0.5m', 30_000],
    ['1h', 3_600_000],
  ])('reads the duration %s', (value, ms) => {
    expect(parseDuration(value, 'X')).toBe(ms);
  });

  it.each([
    ['SNAPCOPY_METRICS_PORT', 'abc'],
    ['SNAPCOPY_METRICS_PORT', '70000'],
    ['SNAPCOPY_LOG_LEVEL', 'chatty'],
    ['SNAPCOPY_SHUTDOWN_GRACE', 'soon'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(() => workerConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => workerConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('workerConfig: worker tuning', () => {
  it('has its defaults, each a named constant (the SDK 1.24 defaults but the activity slots)', () => {
    expect({
      tuner: DEFAULT_TUNER,
      workflowTaskSlots: DEFAULT_WORKFLOW_TASK_SLOTS,
      activitySlots: DEFAULT_ACTIVITY_SLOTS,
      localActivitySlots: DEFAULT_LOCAL_ACTIVITY_SLOTS,
      workflowPollers: DEFAULT_WORKFLOW_POLLERS,
      activityPollers: DEFAULT_ACTIVITY_POLLERS,
    }).toEqual(TODAY_TUNING);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBe(200);
    expect(workerConfig({}).tuning).toEqual(TODAY_TUNING);
    const empty = Object.fromEntries(
      [
        'SNAPCOPY_TUNER',
        'SNAPCOPY_WORKFLOW_TASK_SLOTS',
        'SNAPCOPY_ACTIVITY_SLOTS',
        'SNAPCOPY_LOCAL_ACTIVITY_SLOTS',
        'SNAPCOPY_WORKFLOW_POLLERS',
        'SNAPCOPY_ACTIVITY_POLLERS',
        'SNAPCOPY_TUNER_TARGET_MEMORY',
        'SNAPCOPY_TUNER_TARGET_CPU',
      ].map((name) => [name, ' ']),
    );
    expect(workerConfig(empty).tuning).toEqual(TODAY_TUNING);
  });

  it('reads the slots and pollers', () => {
    expect(
      workerConfig({
        SNAPCOPY_TUNER: 'fixed',
        SNAPCOPY_MAX_CACHED_WORKFLOWS: '200',
        SNAPCOPY_WORKFLOW_TASK_SLOTS: '120',
        SNAPCOPY_ACTIVITY_SLOTS: '250',
        SNAPCOPY_LOCAL_ACTIVITY_SLOTS: '30',
        SNAPCOPY_WORKFLOW_POLLERS: '60',
        SNAPCOPY_ACTIVITY_POLLERS: 'AUTO',
      }).tuning,
    ).toEqual({
      tuner: 'fixed',
      workflowTaskSlots: 120,
      activitySlots: 250,
      localActivitySlots: 30,
      workflowPollers: 60,
      activityPollers: 'auto',
    });
  });

  it('runs no more workflow tasks at once than the cache holds: the default follows it, more set is refused', () => {
    expect(workerConfig({ SNAPCOPY_MAX_CACHED_WORKFLOWS: '8' }).tuning).toMatchObject({
      workflowTaskSlots: 8,
      workflowPollers: 8,
    });
    expect(workerConfig({ SNAPCOPY_MAX_CACHED_WORKFLOWS: '500' }).tuning).toMatchObject({
      workflowTaskSlots: 20,
    });
    expect(() =>
      workerConfig({ SNAPCOPY_MAX_CACHED_WORKFLOWS: '10', SNAPCOPY_WORKFLOW_TASK_SLOTS: '40' }),
    ).toThrow(
      'SNAPCOPY_WORKFLOW_TASK_SLOTS: 40 workflow task slots exceed SNAPCOPY_MAX_CACHED_WORKFLOWS (10); set at most 10, or raise the cache',
    );
  });

  it('caps the default pollers at fewer slots, as the SDK does', () => {
    expect(
      workerConfig({ SNAPCOPY_WORKFLOW_TASK_SLOTS: '4', SNAPCOPY_ACTIVITY_SLOTS: '3' }).tuning,
    ).toMatchObject({ workflowPollers: 4, activityPollers: 3 });
  });

  it.each([
    [
      'SNAPCOPY_WORKFLOW_TASK_SLOTS',
      'workflowTaskSlots',
      'workflow task slots',
      2,
      ['1', '0', '10001', '2.5', 'lots'],
    ],
    ['SNAPCOPY_ACTIVITY_SLOTS', 'activitySlots', 'activity slots', 1, ['0', '-1', '10001', '1e9', 'x']],
    [
      'SNAPCOPY_LOCAL_ACTIVITY_SLOTS',
      'localActivitySlots',
      'local activity slots',
      1,
      ['0', '10001', '0.5', 'auto'],
    ],
  ])('%s: an integer from its minimum to 10000', (variable, field, what, min, bad) => {
    const max = 10_000;
    const cache = { SNAPCOPY_MAX_CACHED_WORKFLOWS: String(max) };
    expect(workerConfig({ ...cache, [variable]: String(min) }).tuning).toMatchObject({ [field]: min });
    expect(workerConfig({ ...cache, [variable]: String(max) }).tuning).toMatchObject({ [field]: max });
    for (const value of bad) {
      expect(() => workerConfig({ [variable]: value })).toThrow(ConfigError);
      expect(() => workerConfig({ [variable]: value })).toThrow(
        `${variable}: "${value}" is not a number of ${what} (an integer from ${min} to ${max})`,
      );
    }
  });

  it('takes the extremes of each slot range', () => {
    expect(
      workerConfig({
        SNAPCOPY_WORKFLOW_TASK_SLOTS: '2',
        SNAPCOPY_ACTIVITY_SLOTS: '1',
        SNAPCOPY_LOCAL_ACTIVITY_SLOTS: '10000',
      }).tuning,
    ).toMatchObject({
      workflowTaskSlots: 2,
      activitySlots: 1,
      localActivitySlots: 10_000,
      workflowPollers: 2,
    });
  });

  it.each([
    ['SNAPCOPY_WORKFLOW_POLLERS', 2, ['1', '0', '101', '2.5', 'many']],
    ['SNAPCOPY_ACTIVITY_POLLERS', 1, ['0', '101', '-3', 'automatic']],
  ])('%s: an integer from its minimum to 100, or auto', (variable, min, bad) => {
    expect(workerConfig({ [variable]: String(min) }).tuning).toMatchObject({
      [variable === 'SNAPCOPY_WORKFLOW_POLLERS' ? 'workflowPollers' : 'activityPollers']: min,
    });
    expect(workerConfig({ [variable]: 'auto' }).tuning).toMatchObject({
      [variable === 'SNAPCOPY_WORKFLOW_POLLERS' ? 'workflowPollers' : 'activityPollers']: 'auto',
    });
    for (const value of bad) {
      expect(() => workerConfig({ [variable]: value })).toThrow(
        `${variable}: "${value}" is not a number of pollers (an integer from ${min} to 100) or auto`,
      );
    }
  });

  it('refuses more pollers than slots, naming both variables', () => {
    expect(() => workerConfig({ SNAPCOPY_WORKFLOW_TASK_SLOTS: '4', SNAPCOPY_WORKFLOW_POLLERS: '5' })).toThrow(
      'SNAPCOPY_WORKFLOW_POLLERS: 5 pollers is more than SNAPCOPY_WORKFLOW_TASK_SLOTS (4): a poll needs a free slot; lower SNAPCOPY_WORKFLOW_POLLERS or raise SNAPCOPY_WORKFLOW_TASK_SLOTS',
    );
    expect(() => workerConfig({ SNAPCOPY_ACTIVITY_SLOTS: '2', SNAPCOPY_ACTIVITY_POLLERS: '3' })).toThrow(
      /^SNAPCOPY_ACTIVITY_POLLERS: 3 pollers is more than SNAPCOPY_ACTIVITY_SLOTS \(2\)/,
    );
    // Autoscaling pollers wait for a slot like any other: no conflict.
    expect(
      workerConfig({ SNAPCOPY_ACTIVITY_SLOTS: '2', SNAPCOPY_ACTIVITY_POLLERS: 'auto' }).tuning,
    ).toMatchObject({ activitySlots: 2, activityPollers: 'auto' });
  });

  it('reads SNAPCOPY_TUNER, refusing an unknown one', () => {
    expect(workerConfig({ SNAPCOPY_TUNER: 'Resource-Based' }).tuning.tuner).toBe('resource-based');
    expect(() => workerConfig({ SNAPCOPY_TUNER: 'adaptive' })).toThrow(
      'SNAPCOPY_TUNER: "adaptive" is not one of fixed, resource-based',
    );
  });

  it('reads the resource-based tuner, with its targets and pollers (no slot counts)', () => {
    expect(workerConfig({ SNAPCOPY_TUNER: 'resource-based' }).tuning).toEqual({
      tuner: 'resource-based',
      targetMemory: DEFAULT_TUNER_TARGET_MEMORY,
      targetCpu: DEFAULT_TUNER_TARGET_CPU,
      workflowPollers: 10,
      activityPollers: 10,
    });
    expect(
      workerConfig({
        SNAPCOPY_TUNER: 'resource-based',
        SNAPCOPY_TUNER_TARGET_MEMORY: '0.75',
        SNAPCOPY_TUNER_TARGET_CPU: '1',
        SNAPCOPY_WORKFLOW_POLLERS: 'auto',
        SNAPCOPY_ACTIVITY_POLLERS: '20',
      }).tuning,
    ).toEqual({
      tuner: 'resource-based',
      targetMemory: 0.75,
      targetCpu: 1,
      workflowPollers: 'auto',
      activityPollers: 20,
    });
  });

  it.each(['SNAPCOPY_TUNER_TARGET_MEMORY', 'SNAPCOPY_TUNER_TARGET_CPU'])(
    '%s: a fraction above 0 and at most 1',
    (variable) => {
      for (const value of ['0', '-0.5', '1.01', '80', '80%', 'high']) {
        expect(() => workerConfig({ SNAPCOPY_TUNER: 'resource-based', [variable]: value })).toThrow(
          `${variable}: "${value}" is not a fraction (a number above 0 and at most 1, e.g. 0.8)`,
        );
      }
      expect(() => workerConfig({ SNAPCOPY_TUNER: 'resource-based', [variable]: '0.01' })).not.toThrow();
    },
  );

  it.each(['SNAPCOPY_WORKFLOW_TASK_SLOTS', 'SNAPCOPY_ACTIVITY_SLOTS', 'SNAPCOPY_LOCAL_ACTIVITY_SLOTS'])(
    'refuses %s beside the resource-based tuner (the SDK refuses both), naming both variables',
    (variable) => {
      expect(() => workerConfig({ SNAPCOPY_TUNER: 'resource-based', [variable]: '50' })).toThrow(
        `SNAPCOPY_TUNER: resource-based cannot be combined with ${variable}: the resource-based tuner sizes the slots itself; unset ${variable} or set SNAPCOPY_TUNER=fixed`,
      );
    },
  );

  it('names every slot variable set beside the resource-based tuner', () => {
    expect(() =>
      workerConfig({
        SNAPCOPY_TUNER: 'resource-based',
        SNAPCOPY_WORKFLOW_TASK_SLOTS: '50',
        SNAPCOPY_LOCAL_ACTIVITY_SLOTS: '50',
      }),
    ).toThrow(
      /^SNAPCOPY_TUNER: resource-based cannot be combined with SNAPCOPY_WORKFLOW_TASK_SLOTS, SNAPCOPY_LOCAL_ACTIVITY_SLOTS:/,
    );
  });

  it('refuses a tuner target without the resource-based tuner, naming both variables', () => {
    expect(() => workerConfig({ SNAPCOPY_TUNER_TARGET_CPU: '0.5' })).toThrow(
      'SNAPCOPY_TUNER_TARGET_CPU: only applies with SNAPCOPY_TUNER=resource-based (SNAPCOPY_TUNER is fixed); set SNAPCOPY_TUNER=resource-based or unset SNAPCOPY_TUNER_TARGET_CPU',
    );
    expect(() => workerConfig({ SNAPCOPY_TUNER: 'fixed', SNAPCOPY_TUNER_TARGET_MEMORY: '0.5' })).toThrow(
      /^SNAPCOPY_TUNER_TARGET_MEMORY: only applies with SNAPCOPY_TUNER=resource-based/,
    );
  });
});

describe('tuningOptions (what run.ts passes to WorkerOptions)', () => {
  it('passes the defaults: the cache size, 20 workflow tasks, 1000 activities and 10 pollers of each kind', () => {
    expect(tuningOptions(workerConfig({}))).toEqual({
      maxCachedWorkflows: 200,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxConcurrentActivityTaskExecutions: 1000,
      maxConcurrentLocalActivityExecutions: 100,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
    });
  });

  it('passes the configured slots and pollers, `auto` as the autoscaling poller behaviour', () => {
    expect(
      tuningOptions(
        workerConfig({
          SNAPCOPY_MAX_CACHED_WORKFLOWS: '400',
          SNAPCOPY_WORKFLOW_TASK_SLOTS: '120',
          SNAPCOPY_ACTIVITY_SLOTS: '250',
          SNAPCOPY_LOCAL_ACTIVITY_SLOTS: '30',
          SNAPCOPY_WORKFLOW_POLLERS: '60',
          SNAPCOPY_ACTIVITY_POLLERS: 'auto',
        }),
      ),
    ).toEqual({
      maxCachedWorkflows: 400,
      maxConcurrentWorkflowTaskExecutions: 120,
      maxConcurrentActivityTaskExecutions: 250,
      maxConcurrentLocalActivityExecutions: 30,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 60 },
      activityTaskPollerBehavior: { type: 'autoscaling' },
    });
  });

  it('passes the resource-based tuner and no maxConcurrent* option (the SDK refuses both)', () => {
    const opts = tuningOptions(
      workerConfig({
        SNAPCOPY_TUNER: 'resource-based',
        SNAPCOPY_TUNER_TARGET_MEMORY: '0.7',
        SNAPCOPY_TUNER_TARGET_CPU: '0.6',
        SNAPCOPY_WORKFLOW_POLLERS: 'auto',
      }),
    );
    expect(opts).toEqual({
      maxCachedWorkflows: 200,
      tuner: { tunerOptions: { targetMemoryUsage: 0.7, targetCpuUsage: 0.6 } },
      workflowTaskPollerBehavior: { type: 'autoscaling' },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
    });
    expect(Object.keys(opts).filter((k) => k.startsWith('maxConcurrent'))).toEqual([]);
  });

  it('describes the tuning for the start-up log line', () => {
    expect(describeTuning(workerConfig({}).tuning)).toEqual(TODAY_TUNING);
    expect(describeTuning(workerConfig({ SNAPCOPY_TUNER: 'resource-based' }).tuning)).toEqual({
      tuner: 'resource-based',
      targetMemory: 0.8,
      targetCpu: 0.9,
      workflowPollers: 10,
      activityPollers: 10,
    });
  });
});

describe('runtimeOptions', () => {
  const logger = createJsonLogger('INFO', () => undefined);

  it('serves Prometheus on the configured address, with copy- and restore-sized duration buckets', () => {
    const opts = runtimeOptions(workerConfig({}), logger);
    expect(opts.logger).toBe(logger);
    expect(opts.shutdownSignals).toEqual(SHUTDOWN_SIGNALS);
    expect(SHUTDOWN_SIGNALS).toEqual(['SIGINT', 'SIGTERM']);
    const metrics = opts.telemetryOptions?.metrics;
    expect(metrics && 'prometheus' in metrics ? metrics.prometheus.bindAddress : undefined).toBe(
      '0.0.0.0:9464',
    );
    expect(
      metrics && 'prometheus' in metrics ? metrics.prometheus.histogramBucketOverrides : undefined,
    ).toHaveProperty(METRICS.copyDuration);
    expect(
      metrics && 'prometheus' in metrics ? metrics.prometheus.histogramBucketOverrides : undefined,
    ).toHaveProperty(METRICS.restoreDuration);
    expect(opts.telemetryOptions?.logging).toMatchObject({ forward: {} });
  });

  it('has no metrics exporter when metrics are off', () => {
    expect(
      runtimeOptions(workerConfig({ SNAPCOPY_METRICS_PORT: 'off' }), logger).telemetryOptions?.metrics,
    ).toBe(undefined);
  });

  it('brackets IPv6 bind hosts', () => {
    expect(metricsBindAddress({ host: '::', port: 9464 })).toBe('[::]:9464');
    expect(metricsBindAddress({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
  });
});

describe('workflowSource', () => {
  it('bundles the TypeScript sources at start-up when running from src (a built bundle may be stale)', () => {
    expect(workflowSource({})).toEqual({
      workflowsPath: path.join(ROOT, 'src/workflows/index.ts'),
      bundlerOptions: {
        preloadModules: [path.join(ROOT, 'src/shared/validation.ts'), path.join(ROOT, 'src/shared/plan.ts')],
      },
    });
    expect(workflowSource({ SNAPCOPY_WORKFLOW_BUNDLE: 'off' })).toHaveProperty('workflowsPath');
  });

  it('points at lib/workflow-bundle.js, where `npm run build` writes it', () => {
    expect(PREBUILT_BUNDLE).toBe(path.join(ROOT, 'lib/workflow-bundle.js'));
  });

  it('uses an explicit bundle path, and refuses one that does not exist', () => {
    const file = path.join(os.tmpdir(), `snapcopy-bundle-${process.pid}.js`);
    fs.writeFileSync(file, '// bundle');
    try {
      expect(workflowSource({ SNAPCOPY_WORKFLOW_BUNDLE: file })).toEqual({
        workflowBundle: { codePath: file },
      });
    } finally {
      fs.rmSync(file);
    }
    expect(() => workflowSource({ SNAPCOPY_WORKFLOW_BUNDLE: file })).toThrow(/does not exist/);
  });
});

// @temporalio/envconfig reads process.env (and the TOML file it names), so these tests stub the real
// environment. TEMPORAL_CONFIG_FILE always points into a temp dir, so a developer's own
// ~/.config/temporalio/temporal.toml never leaks in.
describe('temporalSettings (the connection the worker and CLI make)', () => {
  const TEMPORAL_VARS = [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'TEMPORAL_API_KEY',
    'TEMPORAL_PROFILE',
    'TEMPORAL_TLS',
    'TEMPORAL_TLS_CLIENT_CERT_PATH',
    'TEMPORAL_TLS_CLIENT_CERT_DATA',
    'TEMPORAL_TLS_CLIENT_KEY_PATH',
    'TEMPORAL_TLS_CLIENT_KEY_DATA',
    'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
    'TEMPORAL_TLS_SERVER_NAME',
    'SNAPCOPY_TASK_QUEUE',
  ];
  let dir: string;
  let toml: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapcopy-envconfig-'));
    toml = path.join(dir, 'temporal.toml');
    fs.writeFileSync(path.join(dir, 'client.pem'), 'CLIENT CERT');
    fs.writeFileSync(path.join(dir, 'client.key'), 'CLIENT KEY');
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA CERT');
    fs.writeFileSync(
      toml,
      [
        '[profile.default]',
        'address = "temporal.internal:7233"',
        'namespace = "ops"',
        '',
        '[profile.cloud]',
        'address = "snapcopy.a1b2c.tmprl.cloud:7233"',
        'namespace = "snapcopy.a1b2c"',
        'api_key = "toml-api-key"',
        '',
        '[profile.mtls]',
        'address = "snapcopy.a1b2c.tmprl.cloud:7233"',
        'namespace = "snapcopy.a1b2c"',
        '[profile.mtls.tls]',
        `client_cert_path = "${path.join(dir, 'client.pem')}"`,
        `client_key_path = "${path.join(dir, 'client.key')}"`,
        'server_name = "snapcopy.a1b2c.tmprl.cloud"',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    for (const name of TEMPORAL_VARS) vi.stubEnv(name, undefined);
    vi.stubEnv('TEMPORAL_CONFIG_FILE', path.join(dir, 'absent.toml'));
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("uses the fixed contract's defaults with nothing configured", () => {
    const s = temporalSettings();
    expect(s.connectionOptions.address).toBe('localhost:7233');
    expect(s.namespace).toBe('default');
    expect(s.taskQueue).toBe(DEFAULT_TASK_QUEUE);
    expect(s.connectionOptions.tls).toBeUndefined();
    expect(s.connectionOptions.apiKey).toBeUndefined();
  });

  it('reads address, namespace and task queue from the environment', () => {
    vi.stubEnv('TEMPORAL_ADDRESS', 'temporal:7233');
    vi.stubEnv('TEMPORAL_NAMESPACE', 'snapcopy');
    vi.stubEnv('SNAPCOPY_TASK_QUEUE', 'snapcopy-blue');
    const s = temporalSettings();
    expect(s.connectionOptions.address).toBe('temporal:7233');
    expect(s.namespace).toBe('snapcopy');
    expect(s.taskQueue).toBe('snapcopy-blue');
  });

  it('turns TLS on with an API key (Temporal Cloud), unless TEMPORAL_TLS=false', () => {
    vi.stubEnv('TEMPORAL_API_KEY', 'env-api-key');
    expect(temporalSettings().connectionOptions).toMatchObject({ apiKey: 'env-api-key', tls: true });
    vi.stubEnv('TEMPORAL_TLS', 'false');
    expect(temporalSettings().connectionOptions).toMatchObject({ apiKey: 'env-api-key', tls: false });
  });

  it('builds an mTLS client certificate pair and CA from TEMPORAL_TLS_* files', () => {
    vi.stubEnv('TEMPORAL_TLS_CLIENT_CERT_PATH', path.join(dir, 'client.pem'));
    vi.stubEnv('TEMPORAL_TLS_CLIENT_KEY_PATH', path.join(dir, 'client.key'));
    vi.stubEnv('TEMPORAL_TLS_SERVER_CA_CERT_PATH', path.join(dir, 'ca.pem'));
    vi.stubEnv('TEMPORAL_TLS_SERVER_NAME', 'temporal.internal');
    const tls = temporalSettings().connectionOptions.tls;
    expect(tls).toMatchObject({ serverNameOverride: 'temporal.internal' });
    if (typeof tls !== 'object' || tls === null) throw new Error('expected a TLS config object');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CLIENT CERT');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('CLIENT KEY');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('CA CERT');
  });

  it('reads the default profile of the TOML file named by TEMPORAL_CONFIG_FILE', () => {
    vi.stubEnv('TEMPORAL_CONFIG_FILE', toml);
    const s = temporalSettings();
    expect(s.connectionOptions.address).toBe('temporal.internal:7233');
    expect(s.namespace).toBe('ops');
  });

  it('selects a profile with TEMPORAL_PROFILE: API key and mTLS profiles', () => {
    vi.stubEnv('TEMPORAL_CONFIG_FILE', toml);
    vi.stubEnv('TEMPORAL_PROFILE', 'cloud');
    expect(temporalSettings()).toMatchObject({
      connectionOptions: { address: 'snapcopy.a1b2c.tmprl.cloud:7233', apiKey: 'toml-api-key', tls: true },
      namespace: 'snapcopy.a1b2c',
    });
    vi.stubEnv('TEMPORAL_PROFILE', 'mtls');
    const tls = temporalSettings().connectionOptions.tls;
    expect(tls).toMatchObject({ serverNameOverride: 'snapcopy.a1b2c.tmprl.cloud' });
    if (typeof tls !== 'object' || tls === null) throw new Error('expected a TLS config object');
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CLIENT CERT');
  });

  it('lets environment variables override the profile', () => {
    vi.stubEnv('TEMPORAL_CONFIG_FILE', toml);
    vi.stubEnv('TEMPORAL_PROFILE', 'cloud');
    vi.stubEnv('TEMPORAL_NAMESPACE', 'other.a1b2c');
    vi.stubEnv('TEMPORAL_API_KEY', 'rotated-key');
    expect(temporalSettings()).toMatchObject({
      connectionOptions: { apiKey: 'rotated-key' },
      namespace: 'other.a1b2c',
    });
  });

  it('fails clearly on a profile that does not exist', () => {
    vi.stubEnv('TEMPORAL_CONFIG_FILE', toml);
    vi.stubEnv('TEMPORAL_PROFILE', 'nope');
    expect(() => temporalSettings()).toThrow(/Profile 'nope' not found/);
  });
});

describe('temporalSettings with an explicit environment', () => {
  it('reads address, namespace, API key and task queue from the environment it is given', () => {
    const s = temporalSettings({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'ops',
      TEMPORAL_API_KEY: 'given-key',
      SNAPCOPY_TASK_QUEUE: 'copies',
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    });
    expect(s.connectionOptions).toMatchObject({ address: 'temporal.example:7233', apiKey: 'given-key' });
    expect(s.namespace).toBe('ops');
    expect(s.taskQueue).toBe('copies');
  });
});
