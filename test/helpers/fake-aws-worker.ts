// A worker whose activities are a FakeAws's (and the real copy-slot activities against the test server),
// on a fresh task queue; afterwards the copy-slot schedulers it started are ended, so the next test's
// copies get schedulers of their own instead of one on a task queue nobody polls.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTemporalActivities } from '../../src/activities';
import { slotsWorkflowId } from '../../src/shared/slots';
import { ACCOUNT, type FakeAws } from './fake-aws';
import { workflowBundle } from './temporal';

export interface SlotSchedulers {
  regions: readonly string[];
  /** Default: the fake's default account only. */
  accounts?: readonly string[];
}

export async function withFakeAwsWorker<T>(
  env: TestWorkflowEnvironment,
  aws: FakeAws,
  schedulers: SlotSchedulers,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: aws.activities(createTemporalActivities({ client: () => Promise.resolve(env.client) })),
  });
  try {
    return await worker.runUntil(fn(taskQueue));
  } finally {
    for (const account of schedulers.accounts ?? [ACCOUNT]) {
      for (const region of schedulers.regions) {
        await env.client.workflow
          .getHandle(slotsWorkflowId(account, region))
          .terminate('test over')
          .catch(() => undefined);
      }
    }
  }
}
