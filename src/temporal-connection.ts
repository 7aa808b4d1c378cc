// Where Temporal is, for the worker and the CLI alike: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and
// API key through @temporalio/envconfig (env vars and the temporal.toml profile), with the documented defaults (localhost:7233, namespace default).
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE } from './shared/names';

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions & { address: string };
  namespace: string;
  taskQueue: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  // envconfig reads the environment it is given (not always process.env), so callers can pass their own.
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({
    overrideEnvVars,
    ...(env.TEMPORAL_PROFILE ? { profile: env.TEMPORAL_PROFILE } : {}),
  });
  return {
    connectionOptions: {
      ...loaded.connectionOptions,
      address: loaded.connectionOptions.address ?? env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    },
    namespace: loaded.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.SNAPCOPY_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
  };
}
