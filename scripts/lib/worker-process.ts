// A snapcopy worker as a separate process, against the AWS emulator and a Temporal server: its environment,
// its start and stop (or SIGKILL, as on a crashed host), when it polls, and its memory from /proc. Either
// from the sources through tsx (the chaos suite) or compiled, as deployed (`npm run build`, then
// `node lib/worker.js`: the bench, whose memory figures must be the deployed worker's). For the bench and the
// chaos suite.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { IllegalStateError } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/worker/bundle';
import { EMULATOR_CREDENTIALS } from './emulator';
import { ROOT, WORKER_ENTRY } from './paths';

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

export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

const noop = () => undefined;
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/** Bundles the workflow code into `file` (the worker's SNAPCOPY_WORKFLOW_BUNDLE), as `npm run build` does. */
export async function writeWorkflowBundle(file: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(path.join(ROOT, 'src/workflows/index.ts')),
    logger: quietLogger,
  });
  fs.writeFileSync(file, bundle.code);
  return file;
}

/** What `npm run build` writes: the compiled worker, and beside it its prebuilt workflow bundle. */
export const COMPILED_WORKER = path.join(ROOT, 'lib/worker.js');
export { PREBUILT_BUNDLE } from '../../src/worker/options';

/**
 * Builds the worker as `npm run build` does (tsc, then the workflow bundle into lib/) and returns its entry,
 * to run with plain `node` as the deployment does. Under tsx the worker holds 40-60 MiB more (tsx's loader,
 * its transforms and source maps): not what a deployed worker costs.
 */
export async function buildWorker(): Promise<string> {
  const run = promisify(execFile);
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
  await run(process.execPath, [path.join(ROOT, 'scripts/bundle-workflows.js')], { cwd: ROOT });
  return COMPILED_WORKER;
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
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
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

/**
 * `compiled`: the entry `buildWorker` returned, run with plain node; otherwise src/worker.ts through tsx.
 * `nodeArgs`: node's own flags before the entry (a CPU profile: node refuses --cpu-prof in NODE_OPTIONS).
 */
export function startWorkerProcess(
  logFile: string,
  extraEnv: Record<string, string>,
  compiled?: string,
  nodeArgs: readonly string[] = [],
): WorkerProcess {
  const log = fs.openSync(logFile, 'a');
  const { AWS_PROFILE: _profile, ...inherited } = process.env; // never a real AWS profile
  const args = [...nodeArgs, ...(compiled ? [compiled] : ['--import', 'tsx', WORKER_ENTRY])];
  const child: ChildProcess = spawn(process.execPath, args, {
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
