// The snapcopy worker process: polls the task queue, runs the workflow (sandboxed) and the AWS activities.
import path from 'node:path';
import fs from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { temporalSettings } from './temporal-connection';

/** `npm run build` writes a prebuilt workflow bundle here; without it the worker bundles at start-up. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '../lib/workflow-bundle.js');

export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (process.env.SNAPCOPY_WORKFLOW_BUNDLE !== 'off' && fs.existsSync(PREBUILT_BUNDLE)) {
    return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  }
  return { workflowsPath: require.resolve('./workflows') };
}

export async function createWorker(
  connection: NativeConnection,
  opts: { namespace: string; taskQueue: string } & Partial<WorkerOptions>,
): Promise<Worker> {
  return Worker.create({
    connection,
    activities: createActivities(),
    ...workflowSource(),
    ...opts,
  });
}

async function main(): Promise<void> {
  const settings = temporalSettings();
  const connection = await NativeConnection.connect(settings.connectionOptions);
  try {
    const worker = await createWorker(connection, {
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
    });
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'snapcopy worker started',
        address: settings.connectionOptions.address,
        namespace: settings.namespace,
        taskQueue: settings.taskQueue,
        pid: process.pid,
      }),
    );
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are done (the SDK's default
    // shutdown signals and grace time).
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ level: 'error', msg: 'snapcopy worker failed', error: String(err) }));
    process.exit(1);
  });
}
