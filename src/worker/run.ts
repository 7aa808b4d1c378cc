// The worker's life: configure the Runtime, connect, poll until a shutdown signal, then release
// everything (AWS sockets, the Temporal connection).
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities, createAwsClients } from '../activities';
import { temporalSettings } from '../temporal-connection';
import { workerConfig } from './config';
import { deadlockWatchdog } from './deadlock';
import { limitHeapGrowth, limitWorkflowThreadHeap } from './heap';
import { createJsonLogger } from './logging';
import {
  createWorker,
  describeTuning,
  describeWorkflowSource,
  tuningOptions,
  workflowSource,
} from './options';
import { logShutdownSignals } from './shutdown';
import { installRuntime } from './telemetry';

export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = workerConfig(env);
  const logger = createJsonLogger(config.logLevel);
  installRuntime(config, logger);
  const settings = temporalSettings(env);
  const aws = createAwsClients({ rdsBudget: config.rdsBudget });
  const code = workflowSource(env);
  const connection = await NativeConnection.connect(settings.connectionOptions);
  // The copy-slot activities signal the copySlots scheduler: a client of the same namespace, on first use.
  let slotClient: Promise<Client> | undefined;
  const client = (): Promise<Client> =>
    (slotClient ??= Connection.connect(settings.connectionOptions).then(
      (c) => new Client({ connection: c, namespace: settings.namespace }),
    ));
  try {
    // Before Worker.create, which starts the workflow thread.
    const workflowHeapLimit = limitWorkflowThreadHeap(config.maxCachedWorkflows);
    const heapGrowth = limitHeapGrowth();
    const watchdog = deadlockWatchdog(config.workflowDeadlockTimeoutMs);
    if (watchdog.warning) logger.warn(watchdog.warning);
    const worker = await createWorker(connection, {
      ...code,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      activities: createActivities(aws, {
        client,
        capacity: config.slotCapacity,
        restoreTestsPerRegion: config.restoreTestsPerRegion,
      }),
      shutdownGraceTime: config.shutdownGraceMs,
      isolateExecutionTimeout: watchdog.isolateExecutionTimeout,
      ...tuningOptions(config),
    });
    const stopLogging = logShutdownSignals(logger, config.shutdownGraceMs);
    logger.info('snapcopy worker started', {
      address: settings.connectionOptions.address,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      tls: Boolean(settings.connectionOptions.tls),
      apiKey: settings.connectionOptions.apiKey !== undefined,
      metrics: config.metrics ? `http://${config.metrics.host}:${config.metrics.port}/metrics` : 'off',
      workflowCode: describeWorkflowSource(code),
      maxCachedWorkflows: config.maxCachedWorkflows,
      workflowHeapLimit: workflowHeapLimit ? `${workflowHeapLimit} MiB` : 'node default',
      heapGrowth: heapGrowth ? `at most ${heapGrowth}% past what a heap holds` : 'node default',
      deadlockWatchdog: watchdog.described,
      rdsBudget: config.rdsBudget
        ? `${config.rdsBudget.perSecond} calls/s, burst ${config.rdsBudget.burst}, per account and Region`
        : 'off',
      ...describeTuning(config.tuning),
      identity: worker.options.identity,
      pid: process.pid,
    });
    try {
      // Resolves once a shutdown signal has drained the worker (in-flight tasks done or handed back).
      await worker.run();
    } finally {
      stopLogging();
    }
    logger.info('snapcopy worker stopped', { taskQueue: settings.taskQueue });
  } finally {
    aws.destroy?.();
    if (slotClient) await (await slotClient.catch(() => undefined))?.connection.close();
    await connection.close();
  }
}
