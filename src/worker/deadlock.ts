// The SDK's deadlock watchdog: with `isolateExecutionTimeout` set, node starts a native thread for every call
// into workflow code (vm's `timeout`, nodejs/node#47739), a few per activation. At a thousand copies on one
// worker that was a third of the workflow thread's time. snapcopy ships a patch to @temporalio/worker
// (patches/, applied by `npm ci`) under which a timeout of 0 makes no watchdog; this module says whether the
// installed SDK has it, so the worker never passes 0 to an SDK that would refuse it on every call.
import fs from 'node:fs';
import path from 'node:path';

/** The patched line: `timeout` only when the limit is above 0. */
const PATCH_MARK = 'isolateExecutionTimeoutMs > 0 ?';

/** The SDK's own watchdog limit, used when the patch is missing. */
export const SDK_DEADLOCK_TIMEOUT_MS = 5_000;

/** Whether the installed @temporalio/worker leaves the watchdog out at a limit of 0 (both VM executors). */
export function watchdogCanBeOff(): boolean {
  const lib = path.dirname(require.resolve('@temporalio/worker'));
  return ['reusable-vm.js', 'vm.js'].every((file) => {
    try {
      return fs.readFileSync(path.join(lib, 'workflow', file), 'utf8').includes(PATCH_MARK);
    } catch {
      return false;
    }
  });
}

export interface DeadlockWatchdog {
  /** WorkerOptions.isolateExecutionTimeout in ms: 0 for none. */
  isolateExecutionTimeout: number;
  /** For the start-up log line. */
  described: string;
  /** Set when `off` was asked for and the SDK cannot do it: why the SDK's watchdog runs. */
  warning?: string;
}

/** The watchdog for SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT (`false`: off), given whether the SDK can leave it out. */
export function deadlockWatchdog(timeoutMs: number | false, canBeOff = watchdogCanBeOff()): DeadlockWatchdog {
  if (timeoutMs !== false) {
    return { isolateExecutionTimeout: timeoutMs, described: `${timeoutMs} ms per call into workflow code` };
  }
  if (canBeOff) return { isolateExecutionTimeout: 0, described: 'off' };
  return {
    isolateExecutionTimeout: SDK_DEADLOCK_TIMEOUT_MS,
    described: `${SDK_DEADLOCK_TIMEOUT_MS} ms per call into workflow code`,
    warning:
      "SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT is off but the installed @temporalio/worker lacks snapcopy's patch (patches/, applied by npm ci): the SDK's watchdog runs",
  };
}
