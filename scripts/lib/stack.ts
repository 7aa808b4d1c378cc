// The local stack: Temporal dev server (UI on 8233, SQLite file so it survives restarts, snapcopy's
// search attributes registered), the AWS emulator on 5000 and the snapcopy worker, each started in the
// background and recorded by process ID in .stack/pids.json so `stack:down` stops exactly those.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../src/shared/names';
import { portOpen } from './net';
import { ROOT, VENV_PYTHON, WORKER_ENTRY } from './paths';
import { startTemporalServer } from './temporal-server';

export { ROOT } from './paths';

export const STACK_DIR = path.join(ROOT, '.stack');
const PIDS_FILE = path.join(STACK_DIR, 'pids.json');

export const STACK = {
  temporalPort: 7233,
  uiPort: 8233,
  emulatorPort: 5000,
  metricsPort: 9464,
  namespace: 'default',
  taskQueue: DEFAULT_TASK_QUEUE,
} as const;

export const EMULATOR_ENDPOINT = `http://127.0.0.1:${STACK.emulatorPort}`;
export const TEMPORAL_ADDRESS = `127.0.0.1:${STACK.temporalPort}`;
export const UI_URL = `http://localhost:${STACK.uiPort}`;

/** Environment the worker (and anything else talking to the emulator) runs with. */
export function stackAwsEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: EMULATOR_ENDPOINT,
    AWS_ACCESS_KEY_ID: 'snapcopy-local',
    AWS_SECRET_ACCESS_KEY: 'snapcopy-local',
    AWS_REGION: 'us-east-1',
  };
}

type Part = 'temporal' | 'emulator' | 'worker';
type Pids = Partial<Record<Part, number>>;

function readPids(): Pids {
  try {
    return JSON.parse(fs.readFileSync(PIDS_FILE, 'utf8')) as Pids;
  } catch {
    return {};
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`${what} was not ready within ${timeoutMs / 1000}s; last log lines (${logFile}):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts a detached process in its own process group, logging to .stack/<name>.log. */
function launch(name: Part, command: string, args: string[], env: Record<string, string> = {}): number {
  const log = fs.openSync(path.join(STACK_DIR, `${name}.log`), 'a');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${name} (${command})`);
  return child.pid;
}

export interface StackStatus {
  temporal: boolean;
  emulator: boolean;
  worker: boolean;
}

export function stackStatus(): StackStatus {
  const pids = readPids();
  return { temporal: alive(pids.temporal), emulator: alive(pids.emulator), worker: alive(pids.worker) };
}

async function workerPolling(): Promise<boolean> {
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: STACK.namespace,
      taskQueue: { name: STACK.taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (res.pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
}

export interface StackOptions {
  /** Seconds an emulated copy takes (default 30). */
  copySeconds?: number;
  log?: (line: string) => void;
}

/** Starts whatever part of the stack is not running. Returns the parts it started. */
export async function stackUp(opts: StackOptions = {}): Promise<Part[]> {
  const say = opts.log ?? ((line: string) => console.log(line));
  fs.mkdirSync(STACK_DIR, { recursive: true });
  const pids = readPids();
  const started: Part[] = [];
  const save = () => fs.writeFileSync(PIDS_FILE, JSON.stringify(pids, null, 2));

  if (!alive(pids.temporal)) {
    if (await portOpen(STACK.temporalPort)) {
      throw new Error(`port ${STACK.temporalPort} is taken by another process: stop it or run \`npm run stack:down\``);
    }
    say(`starting Temporal dev server on ${STACK.temporalPort} (UI ${UI_URL})`);
    await startTemporalServer({
      port: STACK.temporalPort,
      ui: STACK.uiPort,
      dbFile: path.join(STACK_DIR, 'temporal.db'),
      namespace: STACK.namespace,
      logLevel: 'warn',
      logFile: path.join(STACK_DIR, 'temporal.log'),
      detached: true,
      onSpawn: (pid) => {
        pids.temporal = pid;
        save();
      },
    });
    started.push('temporal');
  }
  // One started here already answers; one started earlier may still be coming up.
  await waitUntil(
    'Temporal dev server',
    async () => (await portOpen(STACK.temporalPort)) && (await portOpen(STACK.uiPort)),
    60_000,
    path.join(STACK_DIR, 'temporal.log'),
  );

  if (!alive(pids.emulator)) {
    if (await portOpen(STACK.emulatorPort)) {
      throw new Error(`port ${STACK.emulatorPort} is taken by another process: stop it or run \`npm run stack:down\``);
    }
    say(`starting AWS emulator on ${STACK.emulatorPort}`);
    pids.emulator = launch(
      'emulator',
      VENV_PYTHON,
      ['emulator/server.py', '--host', '127.0.0.1', '--port', String(STACK.emulatorPort)],
      {
        PYTHONUNBUFFERED: '1',
        SNAPCOPY_EMULATOR_COPY_SECONDS: String(opts.copySeconds ?? process.env.SNAPCOPY_EMULATOR_COPY_SECONDS ?? 30),
      },
    );
    save();
    started.push('emulator');
  }
  await waitUntil(
    'AWS emulator',
    () => portOpen(STACK.emulatorPort),
    60_000,
    path.join(STACK_DIR, 'emulator.log'),
  );

  if (!alive(pids.worker)) {
    say(`starting snapcopy worker on task queue ${STACK.taskQueue}`);
    pids.worker = launch('worker', process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
      ...stackAwsEnv(),
      TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: STACK.namespace,
      SNAPCOPY_TASK_QUEUE: STACK.taskQueue,
    });
    save();
    started.push('worker');
  }
  await waitUntil('snapcopy worker', workerPolling, 120_000, path.join(STACK_DIR, 'worker.log'));
  return started;
}

/** Stops the given parts (default: all) by process group, SIGTERM first, SIGKILL after a grace period. */
export async function stackDown(parts: Part[] = ['worker', 'emulator', 'temporal']): Promise<Part[]> {
  const pids = readPids();
  const stopped: Part[] = [];
  for (const part of parts) {
    const pid = pids[part];
    if (alive(pid)) {
      signalGroup(pid!, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) signalGroup(pid!, 'SIGKILL');
      stopped.push(part);
    }
    delete pids[part];
  }
  if (fs.existsSync(STACK_DIR)) fs.writeFileSync(PIDS_FILE, JSON.stringify(pids, null, 2));
  return stopped;
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal); // the whole group: the process and anything it started
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
