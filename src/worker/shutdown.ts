// Graceful shutdown. The Runtime (installed with SHUTDOWN_SIGNALS) tells the worker to stop polling on
// SIGINT/SIGTERM; the worker then lets in-flight activities finish for `shutdownGraceTime`, after which
// they are cancelled and Temporal retries them on another worker. Here we only say so in the logs.
import type { Logger } from '@temporalio/common';
import { SHUTDOWN_SIGNALS } from './telemetry';

/**
 * Logs the first shutdown signal. The Runtime stops listening after that signal and so does this
 * listener, so a second signal gets Node's default action: the process ends at once.
 */
export function logShutdownSignals(logger: Logger, graceMs: number): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    logger.info('snapcopy worker shutting down', {
      signal,
      graceSeconds: graceMs / 1000,
      hint: `in-flight activities have ${graceMs / 1000}s to finish; send ${signal} again to stop immediately`,
    });
  };
  const stop = () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return stop;
}
