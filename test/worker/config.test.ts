// The worker's settings: its own SNAPCOPY_* variables, and Temporal's connection settings (address,
// namespace, mTLS, API key, profiles in temporal.toml) as read by src/temporal-connection.ts through
// @temporalio/envconfig, in the shape NativeConnection.connect takes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  DEFAULT_METRICS_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  parseDuration,
  workerConfig,
} from '../../src/worker/config';
import { PREBUILT_BUNDLE, workflowSource } from '../../src/worker/options';
import { metricsBindAddress, runtimeOptions, SHUTDOWN_SIGNALS } from '../../src/worker/telemetry';
import { createJsonLogger } from '../../src/worker/logging';
import { temporalSettings } from '../../src/temporal-connection';
import { DEFAULT_TASK_QUEUE } from '../../src/shared/names';
import { METRICS } from '../../src/shared/metric-names';
import { ROOT } from '../helpers/paths';

describe('workerConfig', () => {
  it('defaults to INFO logs, metrics on 0.0.0.0:9464, a 30 s shutdown grace and 5 copy slots', () => {
    expect(workerConfig({})).toEqual({
      logLevel: 'INFO',
      metrics: { host: '0.0.0.0', port: 9464 },
      shutdownGraceMs: 30_000,
      slotCapacity: 5,
      maxCachedWorkflows: 100,
    });
    expect(DEFAULT_METRICS_PORT).toBe(9464);
    expect(DEFAULT_SHUTDOWN_GRACE_MS).toBe(30_000);
  });

  it('reads the copy-slot capacity, refusing what is not 1 to 100', () => {
    expect(workerConfig({ SNAPCOPY_SLOT_CAPACITY: '8' }).slotCapacity).toBe(8);
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
      }),
    ).toEqual({
      logLevel: 'DEBUG',
      metrics: { host: '127.0.0.1', port: 9100 },
      shutdownGraceMs: 120_000,
      slotCapacity: 5,
      maxCachedWorkflows: 100,
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

describe('runtimeOptions', () => {
  const logger = createJsonLogger('INFO', () => undefined);

  it('serves Prometheus on the configured address, with copy-sized duration buckets', () => {
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
    expect(workflowSource({})).toEqual({ workflowsPath: path.join(ROOT, 'src/workflows/index.ts') });
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
