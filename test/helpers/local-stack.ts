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
import { TEMPORAL_CLI } from './paths';
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
  /** The UI's port; with `ui` alone the dev server uses its gRPC port + 1000. */
  uiPort?: number;
}

export async function startLocalStack(
  emulatorOptions: EmulatorOptions = {},
  { ui, uiPort }: LocalStackOptions = {},
): Promise<LocalStack> {
  useQuietRuntime();
  const withUi = ui ?? uiPort !== undefined;
  const [emulator, env] = await Promise.all([
    startEmulator(emulatorOptions),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_CLI },
        searchAttributes: SEARCH_ATTRIBUTES,
        ...(withUi ? { ui: true, ...(uiPort !== undefined ? { uiPort } : {}) } : {}),
      },
    }),
  ]);
  const awsConfig = { endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const clients = createAwsClients({ rds: awsConfig, kms: awsConfig, sns: awsConfig, sts: awsConfig });
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
    ...(withUi ? { uiUrl: uiBaseUrl(env.address, uiPort) } : {}),
    async stop() {
      worker.shutdown();
      await running;
      clients.destroy?.();
      await env.teardown();
      await emulator.stop();
    },
  };
}

/** The UI listens on the dev server's host, at `uiPort` or (the dev server's default) gRPC port + 1000. */
function uiBaseUrl(grpcAddress: string, uiPort: number | undefined): string {
  const at = grpcAddress.lastIndexOf(':');
  const host = grpcAddress.slice(0, at);
  const port = uiPort ?? Number(grpcAddress.slice(at + 1)) + 1000;
  return `http://${host === 'localhost' ? '127.0.0.1' : host}:${port}`;
}
