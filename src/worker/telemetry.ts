// The process-wide Temporal Runtime: JSON logger, Prometheus metrics and shutdown signals. The Runtime
// is a singleton that must be installed before the first connection or worker is created.
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger, LogLevel } from '@temporalio/common';
import {
  COPY_DURATION_BUCKETS_SECONDS,
  METRICS,
  RESTORE_DURATION_BUCKETS_SECONDS,
} from '../shared/metric-names';
import type { WorkerConfig } from './config';

/** Signals that start a graceful shutdown (the SDK's default list also has SIGQUIT and SIGUSR2). */
export const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** `host:port` for the exporter; IPv6 hosts need brackets. */
export function metricsBindAddress(metrics: { host: string; port: number }): string {
  const host =
    metrics.host.includes(':') && !metrics.host.startsWith('[') ? `[${metrics.host}]` : metrics.host;
  return `${host}:${metrics.port}`;
}

/** Core (Rust) logs are forwarded to the same logger; below INFO they are very chatty, so WARN at least. */
function coreLogLevel(level: LogLevel): LogLevel {
  return level === 'ERROR' ? 'ERROR' : 'WARN';
}

export function runtimeOptions(config: WorkerConfig, logger: Logger): RuntimeOptions {
  return {
    logger,
    shutdownSignals: SHUTDOWN_SIGNALS,
    telemetryOptions: {
      logging: { forward: {}, filter: { core: coreLogLevel(config.logLevel), other: 'ERROR' } },
      ...(config.metrics
        ? {
            metrics: {
              // Temporal's own metrics keep their `temporal_` prefix; snapcopy's are created through the
              // same meter (workflow `metricMeter`) under their own `snapcopy_` names. Core's worker metrics
              // (task slots available/used per worker type, pollers, sticky cache size) need nothing more
              // (test/worker/tuning-metrics.test.ts); `useSecondsForDurations` stays off, so Temporal's
              // latencies keep their millisecond units.
              prometheus: {
                bindAddress: metricsBindAddress(config.metrics),
                histogramBucketOverrides: {
                  [METRICS.copyDuration]: COPY_DURATION_BUCKETS_SECONDS,
                  [METRICS.restoreDuration]: RESTORE_DURATION_BUCKETS_SECONDS,
                },
              },
            },
          }
        : {}),
    },
  };
}

/** Installs the Runtime; a taken metrics port gets a message that says which variable to change. */
export function installRuntime(config: WorkerConfig, logger: Logger): Runtime {
  try {
    return Runtime.install(runtimeOptions(config, logger));
  } catch (err) {
    if (config.metrics && err instanceof Error && /address already in use/i.test(err.message)) {
      throw new Error(
        `metrics port ${metricsBindAddress(config.metrics)} is taken: set SNAPCOPY_METRICS_PORT to a free port, or 0 to disable metrics`,
        { cause: err },
      );
    }
    throw err;
  }
}
