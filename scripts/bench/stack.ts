// The bench's own stack, on free ports and gone when it ends: a Temporal dev server (scripts/lib/temporal-server.ts:
// in memory, snapcopy's search attributes registered), the AWS emulator, and snapcopy workers as separate
// processes (scripts/lib/worker-process.ts: built with `npm run build` and run as `node lib/worker.js`, as
// deployed, so its memory is a production worker's) whose RSS is read from /proc; one for most scenarios,
// several on the one task queue for `workers`.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startEmulator, type Emulator } from '../lib/emulator';
import { startTemporalServer, type TemporalServer } from '../lib/temporal-server';
import {
  buildWorker,
  PREBUILT_BUNDLE,
  quietRuntime,
  startWorkerProcess,
  waitForPoller,
  workerEnvironment,
  type WorkerProcess,
} from '../lib/worker-process';

export interface BenchStack {
  temporal: TemporalServer;
  client: Client;
  namespace: string;
  taskQueue: string;
  emulator: Emulator;
  /** The worker processes started for the side (a killed one stays listed); none while stopped. */
  workers: WorkerProcess[];
  /** Starts `count` fresh worker processes on the one task queue (logs worker.log, worker-2.log, ...). */
  startWorkers(count: number): Promise<WorkerProcess[]>;
  /** Stops every worker process, so that nothing of snapcopy calls AWS (while the peer runs). */
  stopWorkers(): Promise<void>;
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
  /** Where the workers write V8 CPU profiles (node --cpu-prof; every thread, written when a worker stops). */
  profileDir?: string,
): Promise<BenchStack> {
  quietRuntime();
  fs.mkdirSync(logDir, { recursive: true });
  say('starting the Temporal dev server, the AWS emulator and building the worker (npm run build)');
  const [temporal, emulator, workerEntry] = await Promise.all([
    startTemporalServer({ logLevel: 'error' }),
    startEmulator({ logFile: path.join(logDir, 'emulator.log') }),
    buildWorker(),
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
    bundlePath: PREBUILT_BUNDLE,
    ...(slotCapacity !== undefined ? { slotCapacity } : {}),
  });
  const launchWorker = async (index: number): Promise<WorkerProcess> => {
    const log = path.join(logDir, index === 0 ? 'worker.log' : `worker-${index + 1}.log`);
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
    const worker = startWorkerProcess(log, workerEnv, workerEntry, nodeArgs);
    try {
      await waitForPoller(client, namespace, taskQueue, worker, 120_000);
    } catch (err) {
      await worker.stop();
      throw err;
    }
    return worker;
  };
  let workers: WorkerProcess[] = [];
  const stopWorkers = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    workers = stack.workers = [];
  };
  const stop = async () => {
    await stopWorkers();
    await connection.close();
    await temporal.stop();
    await emulator.stop();
  };
  const stack: BenchStack = {
    temporal,
    client,
    namespace,
    taskQueue,
    emulator,
    workers,
    async startWorkers(count) {
      await stopWorkers();
      const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => launchWorker(i)));
      workers = stack.workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        await stopWorkers();
        throw failed.reason;
      }
      return workers;
    },
    stopWorkers,
    stop,
  };
  try {
    await stack.startWorkers(1); // the first one now: the stack fails early when the worker cannot start
  } catch (err) {
    await stop();
    throw err;
  }
  return stack;
}
