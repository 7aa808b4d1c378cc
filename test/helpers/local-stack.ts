// The local stack's parts for end-to-end tests, on free ports: a real Temporal dev server (in memory, started
// by scripts/lib/temporal-server.ts as the stack, the bench and the chaos suite start theirs, and given to the
// tests as a TestWorkflowEnvironment), the AWS emulator (moto + copy progression) and a real snapcopy worker
// running the real activities against the emulator.
import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, createAwsClients } from '../../src/activities';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../scripts/lib/emulator';
import { startTemporalServer } from '../../scripts/lib/temporal-server';
import { useQuietRuntime, workflowBundle } from './temporal';

export const CREDENTIALS = { accessKeyId: 'snapcopy-test', secretAccessKey: 'snapcopy-test' };

export interface LocalStack {
  env: TestWorkflowEnvironment;
  emulator: Emulator;
  taskQueue: string;
  rds(region: string): RDSClient;
  kms(region: string): KMSClient;
  /** The Temporal UI's base URL, when the stack was started with `ui` or `uiPort`. */
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Start the dev server's web UI (default: only when `uiPort` is given). */
  ui?: boolean;
  /** The UI's port; with `ui` alone, a free one. */
  uiPort?: number;
}

export async function startLocalStack(
  emulatorOptions: EmulatorOptions = {},
  { ui, uiPort }: LocalStackOptions = {},
): Promise<LocalStack> {
  useQuietRuntime();
  const withUi = ui ?? uiPort !== undefined;
  const [emulator, temporal] = await Promise.all([
    startEmulator(emulatorOptions),
    startTemporalServer({ ...(withUi ? { ui: uiPort ?? true } : {}) }),
  ]);
  // What the tests were written against: a TestWorkflowEnvironment (client, connections) on that server.
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: temporal.address,
    namespace: temporal.namespace,
  }).catch(async (err: unknown) => {
    await Promise.all([temporal.stop(), emulator.stop()]);
    throw err;
  });
  const awsConfig = { endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const clients = createAwsClients({
    rds: awsConfig,
    rdsData: awsConfig,
    kms: awsConfig,
    sns: awsConfig,
    sts: awsConfig,
  });
  const taskQueue = `e2e-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(clients, { client: () => Promise.resolve(env.client) }),
  });
  const running = worker.run();
  return {
    env,
    emulator,
    taskQueue,
    rds: (region) => new RDSClient({ region, ...awsConfig }),
    kms: (region) => new KMSClient({ region, ...awsConfig }),
    ...(temporal.uiUrl ? { uiUrl: temporal.uiUrl } : {}),
    async stop() {
      worker.shutdown();
      await running;
      clients.destroy?.();
      await env.teardown(); // its connections; the server is stopped below
      await temporal.stop();
      await emulator.stop();
    },
  };
}
