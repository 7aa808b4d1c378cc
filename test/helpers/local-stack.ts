// The local stack's parts for end-to-end tests, on free ports: a real Temporal dev server (the `temporal`
// CLI from .venv, snapcopy's search attributes registered), the AWS emulator (moto + copy progression)
// and a real snapcopy worker running the real activities against the emulator.
import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, createAwsClients } from '../../src/activities';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../scripts/lib/emulator';
import { TEMPORAL_CLI, workflowBundle } from './temporal';

export const CREDENTIALS = { accessKeyId: 'snapcopy-test', secretAccessKey: 'snapcopy-test' };

export interface LocalStack {
  env: TestWorkflowEnvironment;
  emulator: Emulator;
  taskQueue: string;
  rds(region: string): RDSClient;
  kms(region: string): KMSClient;
  stop(): Promise<void>;
}

export async function startLocalStack(emulatorOptions: EmulatorOptions = {}): Promise<LocalStack> {
  const [emulator, env] = await Promise.all([
    startEmulator(emulatorOptions),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        searchAttributes: SEARCH_ATTRIBUTES,
      },
    }),
  ]);
  const awsConfig = { endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const clients = createAwsClients({ rds: awsConfig, kms: awsConfig });
  const taskQueue = `e2e-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(clients),
  });
  const running = worker.run();
  return {
    env,
    emulator,
    taskQueue,
    rds: (region) => new RDSClient({ region, ...awsConfig }),
    kms: (region) => new KMSClient({ region, ...awsConfig }),
    async stop() {
      worker.shutdown();
      await running;
      clients.destroy?.();
      await env.teardown();
      await emulator.stop();
    },
  };
}
