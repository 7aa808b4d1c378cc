// The bench's own stack, on free ports and gone when it ends: a Temporal dev server (scripts/lib/temporal-server.ts:
// in memory, snapcopy's search attributes registered), the AWS emulator, and a snapcopy worker as a separate
// process (scripts/lib/worker-process.ts: src/worker.ts through tsx, with a workflow bundle built up front as
// `npm run build` does, so its memory is a production worker's) whose RSS is read from /proc.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startEmulator, type Emulator } from '../lib/emulator';
import { startTemporalServer, type TemporalServer } from '../lib/temporal-server';
import {
  quietRuntime,
  startWorkerProcess,
  waitForPoller,
  workerEnvironment,
  writeWorkflowBundle,
  type WorkerProcess,
} from '../lib/worker-process';

export interface BenchStack {
  temporal: TemporalServer;
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
  const [temporal, emulator, bundlePath] = await Promise.all([
    startTemporalServer({ logLevel: 'error' }),
    startEmulator({ logFile: path.join(logDir, 'emulator.log') }),
    writeWorkflowBundle(path.join(logDir, 'workflow-bundle.js')),
  ]);
  const connection = await Connection.connect({ address: temporal.address });
  const { namespace } = temporal;
  const client = new Client({ connection, namespace });
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  say(
    `starting the snapcopy worker (task queue ${taskQueue}; Temporal ${temporal.address}, AWS ${emulator.endpoint})`,
  );
  const workerEnv = workerEnvironment({
    awsEndpoint: emulator.endpoint,
    temporalAddress: temporal.address,
    namespace,
    taskQueue,
    bundlePath,
    ...(slotCapacity !== undefined ? { slotCapacity } : {}),
  });
  const launchWorker = async (): Promise<WorkerProcess> => {
    const worker = startWorkerProcess(path.join(logDir, 'worker.log'), workerEnv);
    try {
      await waitForPoller(client, namespace, taskQueue, worker, 120_000);
    } catch (err) {
      await worker.stop();
      throw err;
    }
    return worker;
  };
  let worker: WorkerProcess | undefined;
  const stop = async () => {
    await worker?.stop();
    await connection.close();
    await temporal.stop();
    await emulator.stop();
  };
  try {
    worker = await launchWorker();
  } catch (err) {
    await stop();
    throw err;
  }
  const stack: BenchStack = {
    temporal,
    client,
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
