// Starts and stops the local AWS emulator (emulator/server.py: moto plus realistic cluster-snapshot copies)
// for tests and the local stack, and changes its copy behaviour at run time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileLog, memoryLog } from './child-log';
import { freePort } from './net';
import { EMULATOR_SERVER, ROOT, VENV_PYTHON } from './paths';

/** Dummy credentials for clients of the emulator (the bench's, the chaos suite's, their workers'). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * RDS's request throttling: one token bucket per account and Region, shared by every caller there; a call
 * that finds no token is answered `Throttling` (HTTP 400, `Rate exceeded`). AWS's figures: 300 and 12.
 */
export interface RdsRateLimit {
  /** Tokens a full bucket holds: the calls a burst may make. */
  burst: number;
  /** Tokens added a second, continuously (0: never). */
  perSecond: number;
}

/** The emulator's run-time behaviour; see emulator/server.py. */
export interface EmulatorConfig {
  /** Seconds a copy takes from 0% to 100% (then `available`). */
  copySeconds: number;
  /** Seconds a copy sits at 0% before progressing. */
  queueSeconds: number;
  /** Copies in flight (`copying`) allowed per destination Region. */
  copyLimit: number;
  /** Manual cluster snapshots allowed per Region. */
  snapshotQuota: number;
  /**
   * RDS request throttling, off (absent) by default; `'aws'` sets AWS's figures, `null` turns it off. Setting
   * it fills every bucket. Read back as the figures in force.
   */
  rdsRateLimit?: RdsRateLimit | 'aws' | null;
  /** Seconds a cluster RestoreDBClusterFromSnapshot makes is `creating` (then `available`); default 20. */
  restoreSeconds?: number;
  /** Seconds an instance CreateDBInstance makes in a cluster is `creating` (then `available`); default 20. */
  instanceSeconds?: number;
  /** Seconds a deleted cluster or instance of a cluster is `deleting` (then gone); default 3. */
  deleteSeconds?: number;
  /** DB clusters allowed per account and Region (those `deleting` count); default 40. */
  clusterQuota?: number;
}

export interface EmulatorOptions extends Partial<EmulatorConfig> {
  /** Port to listen on; 0 or omitted picks a free one. */
  port?: number;
  /** Append the emulator's output to this file (otherwise its last lines are kept in memory). */
  logFile?: string;
  /** How long to wait for the emulator to answer before giving up; default 30 s. */
  readyTimeoutMs?: number;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:5000`: the AWS endpoint for every service and Region. */
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  configure(cfg: Partial<EmulatorConfig>): Promise<void>;
}

// This file lives in <root>/scripts/lib and is only ever run from source (tsx, vitest).
const CONFIG_PATH = '/snapcopy-emulator/config';
const FLAGS: Record<keyof EmulatorConfig, string> = {
  copySeconds: '--copy-seconds',
  queueSeconds: '--queue-seconds',
  copyLimit: '--copy-limit',
  snapshotQuota: '--snapshot-quota',
  rdsRateLimit: '--rds-rate-limit',
  restoreSeconds: '--restore-seconds',
  instanceSeconds: '--instance-seconds',
  deleteSeconds: '--delete-seconds',
  clusterQuota: '--cluster-quota',
};
/** Settings every config has, all numbers (the others are absent while off, or newer than some callers). */
const NUMBERS = ['copySeconds', 'queueSeconds', 'copyLimit', 'snapshotQuota'] as const;
const HOST = '127.0.0.1';
const POLL_MS = 100;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  if (!existsSync(VENV_PYTHON)) {
    throw new Error(`${VENV_PYTHON} not found: run \`npm run bootstrap\` to create the project's .venv`);
  }
  if (opts.port) return launch(opts.port, opts);
  // A port found free can be taken before the emulator binds it: then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), opts);
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('Address already in use')) || attempt === 3) throw err;
    }
  }
}

async function launch(port: number, opts: EmulatorOptions): Promise<Emulator> {
  const endpoint = `http://${HOST}:${port}`;
  const args = [EMULATOR_SERVER, '--host', HOST, '--port', String(port)];
  for (const key of Object.keys(FLAGS) as (keyof EmulatorConfig)[]) {
    const value = opts[key];
    if (value !== undefined) args.push(FLAGS[key], typeof value === 'object' ? JSON.stringify(value) : String(value));
  }

  const log = opts.logFile ? fileLog(opts.logFile, LOG_TAIL_LINES) : memoryLog("the emulator's output", LOG_TAIL_LINES);
  const child = spawn(VENV_PYTHON, args, {
    cwd: ROOT,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', log.stdio, log.stdio],
  });
  log.attach(child);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });
  const running = (): boolean => !spawnError && child.exitCode === null && child.signalCode === null;
  // Never leave an orphaned emulator behind when this process ends without calling stop().
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (!running()) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    if ((await Promise.race([exited, grace])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(endpoint, child.pid))) {
    if (!running()) {
      process.off('exit', killOnExit);
      const how = spawnError?.message ?? `exit code ${child.exitCode ?? `signal ${child.signalCode}`}`;
      throw new Error(`AWS emulator stopped (${how}) before it was ready on ${endpoint}\n${log.tail()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`AWS emulator did not answer on ${endpoint} within ${timeoutMs} ms\n${log.tail()}`);
    }
    await delay(POLL_MS);
  }

  return {
    endpoint,
    port,
    pid: child.pid ?? -1, // always set once the process answered
    stop,
    configure: async (cfg) => {
      await emulatorConfigure(endpoint, cfg);
    },
  };
}

/** Changes a running emulator's behaviour (e.g. one another process started); answers the effective config. */
export async function emulatorConfigure(
  endpoint: string,
  cfg: Partial<EmulatorConfig>,
): Promise<EmulatorConfig> {
  return configRequest(endpoint, { method: 'POST', body: JSON.stringify(cfg) });
}

/** Reads a running emulator's effective config. */
export async function emulatorConfig(endpoint: string): Promise<EmulatorConfig> {
  return configRequest(endpoint, { method: 'GET' });
}

async function configRequest(endpoint: string, init: RequestInit, pid?: number): Promise<EmulatorConfig> {
  const res = await fetch(new URL(CONFIG_PATH, endpoint), {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  const body: unknown = await res.json();
  if (!res.ok || !isConfig(body)) {
    throw new Error(`AWS emulator config ${init.method ?? 'GET'} failed (${res.status}): ${JSON.stringify(body)}`);
  }
  if (pid !== undefined && res.headers.get('x-snapcopy-emulator-pid') !== String(pid)) {
    throw new Error(`another process answers on ${endpoint}`);
  }
  return body;
}

function isConfig(value: unknown): value is EmulatorConfig {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return NUMBERS.every((key) => typeof record[key] === 'number');
}

/** True once the emulator with this pid (not some other server on the port) answers its config endpoint. */
async function answers(endpoint: string, pid: number | undefined): Promise<boolean> {
  try {
    await configRequest(endpoint, { method: 'GET', signal: AbortSignal.timeout(2_000) }, pid ?? -1);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

