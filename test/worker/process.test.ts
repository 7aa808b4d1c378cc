// The worker as a process (src/worker.ts, the entry `npm run worker` runs): it starts against a real
// Temporal dev server with the connection settings from the environment, serves metrics, logs JSON,
// stops cleanly on SIGTERM, and refuses bad configuration with a clear message and exit code 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort } from '../helpers/net';
import { ROOT, TEMPORAL_CLI, WORKER_ENTRY } from '../helpers/paths';
import { waitFor } from '../helpers/wait';
import { scrape, total } from './helpers';

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts src/worker.ts through tsx with only the given settings (no stray TEMPORAL_* from the host). */
function startWorker(settings: Record<string, string>): Run {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TEMPORAL_') && !k.startsWith('SNAPCOPY_')) env[k] = v;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    cwd: ROOT,
    env: { ...env, TEMPORAL_CONFIG_FILE: path.join(ROOT, '.no-temporal.toml'), ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      into.push(...lines.filter(Boolean));
    };
  };
  child.stdout.on('data', collect(run.stdout));
  child.stderr.on('data', collect(run.stderr));
  return run;
}

const records = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

/** The worker's first log line with this message; fails at once if the worker exits without it. */
async function waitForLog(run: Run, msg: string, timeoutMs = 45_000): Promise<Record<string, unknown>> {
  const output = () => `stdout:\n${run.stdout.join('\n')}\nstderr:\n${run.stderr.join('\n')}`;
  const found = await waitFor(
    `no "${msg}" log line`,
    () => {
      const line = records(run.stdout).find((r) => r.msg === msg);
      if (line) return line;
      if (run.child.exitCode !== null || run.child.signalCode !== null) return null; // it never will
      throw new Error(`not logged yet; ${output()}`);
    },
    { timeoutMs },
  );
  if (!found) throw new Error(`the worker exited without a "${msg}" log line; ${output()}`);
  return found;
}

describe('worker process', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        searchAttributes: SEARCH_ATTRIBUTES,
      },
    });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('starts from the environment, serves metrics, and stops cleanly on SIGTERM', async () => {
    const metricsPort = await freePort();
    const taskQueue = `process-${randomUUID()}`;
    const run = startWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      // An API key travels to the server as a header; TLS stays off for the local dev server.
      TEMPORAL_API_KEY: 'local-test-key',
      TEMPORAL_TLS: 'false',
      SNAPCOPY_TASK_QUEUE: taskQueue,
      SNAPCOPY_METRICS_PORT: String(metricsPort),
      SNAPCOPY_METRICS_HOST: '127.0.0.1',
      SNAPCOPY_SHUTDOWN_GRACE: '2s',
      SNAPCOPY_WORKFLOW_TASK_SLOTS: '20',
      SNAPCOPY_ACTIVITY_POLLERS: 'auto',
    });
    try {
      const started = await waitForLog(run, 'snapcopy worker started');
      expect(started).toMatchObject({
        level: 'info',
        address: env.address,
        taskQueue,
        apiKey: true,
        tls: false,
        metrics: `http://127.0.0.1:${metricsPort}/metrics`,
        // The tuning it runs with: what was set, the defaults for the rest.
        maxCachedWorkflows: 200,
        workflowHeapLimit: '1024 MiB',
        heapGrowth: 'at most 60% past what a heap holds',
        deadlockWatchdog: 'off',
        tuner: 'fixed',
        workflowTaskSlots: 20,
        activitySlots: 1000,
        localActivitySlots: 100,
        workflowPollers: 10,
        activityPollers: 'auto',
      });
      expect(started.time).toEqual(expect.any(String));

      const text = await scrape(metricsPort);
      expect(total(text, 'temporal_num_pollers', { task_queue: taskQueue })).toBeGreaterThan(0);
      // SNAPCOPY_WORKFLOW_TASK_SLOTS reached the worker: its workflow task slots, free or held by a poll.
      const workflowSlots = { task_queue: taskQueue, worker_type: 'WorkflowWorker' };
      expect(
        total(text, 'temporal_worker_task_slots_available', workflowSlots) +
          total(text, 'temporal_worker_task_slots_used', workflowSlots),
      ).toBe(20);

      run.child.kill('SIGTERM');
      const { code } = await run.exited;
      expect(code).toBe(0);
      const lines = records(run.stdout);
      expect(lines.find((r) => r.msg === 'snapcopy worker shutting down')).toMatchObject({
        signal: 'SIGTERM',
        graceSeconds: 2,
      });
      expect(lines.at(-1)).toMatchObject({ msg: 'snapcopy worker stopped', taskQueue });
      expect(run.stderr).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('exits 1 with a JSON error naming the variable on bad configuration', async () => {
    const run = startWorker({ SNAPCOPY_METRICS_PORT: 'nine' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(records(run.stderr)[0]).toMatchObject({
      level: 'error',
      msg: 'snapcopy worker failed',
      error: { name: 'ConfigError', message: expect.stringContaining('SNAPCOPY_METRICS_PORT') as string },
    });
  });

  it('says which variable to change when the metrics port is taken', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const run = startWorker({ SNAPCOPY_METRICS_PORT: String(port), SNAPCOPY_METRICS_HOST: '127.0.0.1' });
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(records(run.stderr)[0]).toMatchObject({
        error: { message: expect.stringMatching(/is taken: set SNAPCOPY_METRICS_PORT/) as string },
      });
    } finally {
      blocker.close();
    }
  });
});
