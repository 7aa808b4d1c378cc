// A Temporal dev server that can be killed and started again: the `temporal` CLI from .venv on a fixed port
// with a SQLite file, so what it knew (workflows, timers, the copy slots) survives a SIGKILL as a real
// cluster's persistence does. snapcopy's search attributes are registered at every start.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort } from '../lib/emulator';
import { TEMPORAL_CLI } from '../lib/paths';
import { portOpen } from '../lib/stack';

export interface RestartableTemporal {
  address: string;
  namespace: string;
  /** SIGKILL: the server dies with whatever it had in flight. */
  kill(): Promise<void>;
  /** Starts it again on the same port and database, and waits until it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function answering(address: string, namespace: string): Promise<boolean> {
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

export async function startRestartableTemporal(
  dbFile: string,
  logFile: string,
): Promise<RestartableTemporal> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const namespace = 'default';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const log = fs.openSync(logFile, 'a');
    child = spawn(
      TEMPORAL_CLI,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--db-filename',
        dbFile,
        '--namespace',
        namespace,
        '--log-level',
        'error',
        ...SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${cliTypeName(sa.type)}`]),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const running = child;
    exited = new Promise((resolve) => running.once('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!((await portOpen(port)) && (await answering(address, namespace)))) {
      if (running.exitCode !== null) throw new Error(`the Temporal dev server exited (see ${logFile})`);
      if (Date.now() > deadline)
        throw new Error(`the Temporal dev server did not answer within 60 s (see ${logFile})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  const killOnExit = () => void child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  await start();
  return {
    address,
    namespace,
    kill,
    start,
    stop: async () => {
      process.off('exit', killOnExit);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
