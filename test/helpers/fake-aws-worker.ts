// A worker whose activities are a FakeAws's (and the real copy-slot and share activities against the test
// server), on a fresh task queue. Once `fn` is done, the worker stays up until every sourceShare holder its
// copies asked has ended (so a test sees the share taken back, not a race with the holder); then the
// copy-slot schedulers it started are ended, so the next test's copies get schedulers of their own instead
// of one on a task queue nobody polls.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTemporalActivities } from '../../src/activities';
import { restoreSlotsWorkflowId } from '../../src/shared/restore-tests';
import { slotsWorkflowId } from '../../src/shared/slots';
import { ACCOUNT, type FakeAws } from './fake-aws';
import { timeSkippingWorkflowBundle } from './temporal';

export interface SlotSchedulers {
  regions: readonly string[];
  /** Default: the fake's default account only. */
  accounts?: readonly string[];
  /** Wraps the activities the worker runs (a property test's recorder); default: as they are. */
  wrapActivities?: (activities: ReturnType<FakeAws['activities']>) => ReturnType<FakeAws['activities']>;
}

export async function withFakeAwsWorker<T>(
  env: TestWorkflowEnvironment,
  aws: FakeAws,
  schedulers: SlotSchedulers,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const temporal = createTemporalActivities({ client: () => Promise.resolve(env.client) });
  const holders = new Set<string>();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await timeSkippingWorkflowBundle(),
    // Time skipping jumps over the sticky queue's 10-second schedule-to-start timeout while a workflow task
    // waits for this worker, which then times the task out again and again (seen with a holder's task while
    // its copies sleep): a day is never reached.
    stickyQueueScheduleToStartTimeout: '1 day',
    activities: (schedulers.wrapActivities ?? ((a) => a))(
      aws.activities({
        ...temporal,
        requestShare: async (input) => {
          const holder = await temporal.requestShare(input);
          holders.add(holder);
          return holder;
        },
      }),
    ),
  });
  try {
    return await worker.runUntil(async () => {
      const result = await fn(taskQueue);
      for (const holder of holders) await env.client.workflow.getHandle(holder).result();
      return result;
    });
  } finally {
    for (const account of schedulers.accounts ?? [ACCOUNT]) {
      for (const region of schedulers.regions) {
        for (const id of [slotsWorkflowId(account, region), restoreSlotsWorkflowId(account, region)]) {
          await env.client.workflow
            .getHandle(id)
            .terminate('test over')
            .catch(() => undefined);
        }
      }
    }
  }
}
