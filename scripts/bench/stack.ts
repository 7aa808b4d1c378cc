// The bench's own stack, on free ports and gone when it ends: a Temporal dev server (the `temporal` CLI
// from .venv, in memory, snapcopy's search attributes registered), the AWS emulator, and a snapcopy
// worker as a separate process (src/worker.ts through tsx, with a workflow bundle built up front as
// `npm run build` does, so its memory is a production worker's) whose RSS is read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { IllegalStateError } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { startEmulator, type Emulator } from '../lib/emulator';
import { ROOT, TEMPORAL_CLI, WORKER_ENTRY } from '../lib/paths';

/** Dummy credentials: every AWS call goes to the emulator. */
export const BENCH_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface WorkerProcess {
  pid: number;
  /** Current and peak resident set size in bytes (VmRSS, VmHWM), undefined once the process is gone. */
  memory(): { rss: number; hwm: number } | undefined;
  /** Starts the peak (VmHWM) afresh; false where the kernel does not allow it. */
  resetPeak(): boolean;
  stop(): Promise<void>;
  /** SIGKILL: the worker dies mid-task, as on a crashed host (the chaos suite). */
  kill(): Promise<void>;
}

export interface BenchStack {
  env: TestWorkflowEnvironment;
  client: Client;
  namespace: string;
  taskQueue: string;
  emulator: Emulator;
  /** The running worker process; undefined while stopped. */
  worker: WorkerProcess | undefined;
  /** Starts a fresh worker process (same task queue) unless one runs. */
  startWorker(): Promise<WorkerProcess>;
  /** Stops the worker process, so that nothing of snapcopy calls AWS (while the peer runs). */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

const noop = () => undefined;
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/**
 * `slotCapacity`: the worker's SNAPCOPY_SLOT_CAPACITY (copySlots schedulers it starts), when the scenarios
 * run with an emulator limit other than AWS's 5; otherwise the worker's default.
 */
export async function startBenchStack(
  logDir: string,
  say: (line: string) => void,
  slotCapacity?: number,
): Promise<BenchStack> {
  quietRuntime();
  fs.mkdirSync(logDir, { recursive: true });
  say('starting the Temporal dev server, the AWS emulator and bundling the workflow code');
  const [env, emulator, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'error' },
      },
    }),
    startEmulator({ logFile: path.join(logDir, 'emulator.log') }),
    bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'src/workflows/index.ts'), logger: quietLogger }),
  ]);
  const bundlePath = path.join(logDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const namespace = env.namespace ?? 'default';
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  say(
    `starting the snapcopy worker (task queue ${taskQueue}; Temporal ${env.address}, AWS ${emulator.endpoint})`,
  );
  const workerEnv = workerEnvironment({
    awsEndpoint: emulator.endpoint,
    temporalAddress: env.address,
    namespace,
    taskQueue,
    bundlePath,
    ...(slotCapacity !== undefined ? { slotCapacity } : {}),
  });
  const launchWorker = async (): Promise<WorkerProcess> => {
    const worker = startWorkerProcess(path.join(logDir, 'worker.log'), workerEnv);
    try {
      await waitForPoller(env.client, namespace, taskQueue, worker, 120_000);
    } catch (err) {
      await worker.stop();
      throw err;
    }
    return worker;
  };
  let worker: WorkerProcess | undefined;
  const stop = async () => {
    await worker?.stop();
    await env.teardown();
    await emulator.stop();
  };
  try {
    worker = await launchWorker();
  } catch (err) {
    await stop();
    throw err;
  }
  const stack: BenchStack = {
    env,
    client: env.client,
    namespace,
    taskQueue,
    emulator,
    worker,
    async startWorker() {
      worker ??= await launchWorker();
      stack.worker = worker;
      return worker;
    },
    async stopWorker() {
      await worker?.stop();
      worker = stack.worker = undefined;
    },
    stop,
  };
  return stack;
}

/** A worker process's environment: every AWS call to the emulator, metrics off, the prebuilt bundle. */
export function workerEnvironment(opts: {
  awsEndpoint: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  slotCapacity?: number;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: opts.awsEndpoint,
    AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: opts.namespace,
    SNAPCOPY_TASK_QUEUE: opts.taskQueue,
    SNAPCOPY_METRICS_PORT: 'off',
    SNAPCOPY_LOG_LEVEL: 'WARN',
    SNAPCOPY_WORKFLOW_BUNDLE: opts.bundlePath,
    ...(opts.slotCapacity !== undefined ? { SNAPCOPY_SLOT_CAPACITY: String(opts.slotCapacity) } : {}),
  };
}

export function startWorkerProcess(logFile: string, extraEnv: Record<string, string>): WorkerProcess {
  const log = fs.openSync(logFile, 'a');
  const { AWS_PROFILE: _profile, ...inherited } = process.env; // never a real AWS profile
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    cwd: ROOT,
    env: { ...inherited, ...extraEnv },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the snapcopy worker');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  return {
    pid,
    memory: () => readMemory(pid),
    resetPeak: () => {
      try {
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); // 5: reset the peak RSS (VmHWM) to the current one
        return true;
      } catch {
        return false;
      }
    },
    kill: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** VmRSS and VmHWM of a process, in bytes, from /proc/<pid>/status. */
export function readMemory(pid: number): { rss: number; hwm: number } | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const rss = kib('VmRSS');
  const hwm = kib('VmHWM');
  return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : undefined;
}

export async function waitForPoller(
  client: Client,
  namespace: string,
  taskQueue: string,
  worker: WorkerProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    // The SDK's default identity is `<pid>@<host>`: this process polls, not one stopped before it.
    if ((res.pollers ?? []).some((p) => p.identity?.startsWith(`${worker.pid}@`))) return;
    if (!worker.memory()) throw new Error('the snapcopy worker exited before it polled (see its log)');
    if (Date.now() > deadline)
      throw new Error(`the snapcopy worker did not poll within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
