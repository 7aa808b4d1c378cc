// The snapcopy worker process: polls the task queue, runs the workflow (sandboxed) and the AWS activities.
// Process entry only; configuration, telemetry, logging and shutdown live in ./worker/.
import { logFatal } from './worker/logging';
import { runWorker } from './worker/run';

export { createWorker, PREBUILT_BUNDLE, workflowSource } from './worker/options';
export { runWorker } from './worker/run';

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    logFatal('snapcopy worker failed', err);
    process.exit(1);
  });
}
