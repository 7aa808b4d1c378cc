// A workflow interceptor for the workers of time-skipping tests: copies started without
// options.followInActivitySeconds follow with workflow timers only (0). An activity cannot wait in skipped
// time — the server would jump past its heartbeat timeout — so the follow activity is covered by its own
// tests and end to end on the dev server, where copies keep the default.
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

function withTimers(arg: unknown): unknown {
  if (typeof arg !== 'object' || arg === null) return arg;
  const input = arg as { options?: Record<string, unknown> };
  return { ...input, options: { followInActivitySeconds: 0, ...input.options } };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute(input, next) {
        if (workflowInfo().workflowType !== 'copyDbClusterSnapshot') return next(input);
        const [first, ...rest] = input.args;
        return next({ ...input, args: [withTimers(first), ...rest] });
      },
    },
  ],
});
