// The copySlots scheduler through an AWS outage longer than its look's activity retries (10 minutes): the
// copy workflows ride out such outages (copy-workflow.test.ts), and the scheduler that their slots depend
// on must too — if it fails, every waiting copy waits for a grant that never comes.
// A look that cannot be made changes nothing; the scheduler looks again at the next interval.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTemporalActivities } from '../../src/activities';
import { progressQuery } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import { slotsWorkflowId } from '../../src/shared/slots';
import { copyDbClusterSnapshot } from '../../src/workflows';
import { ACCOUNT, FakeAws } from '../helpers/fake-aws';
import { createTimeSkippingEnv, timeSkippingWorkflowBundle } from '../helpers/temporal';
import { waitForProgress } from '../helpers/wait';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  await timeSkippingWorkflowBundle();
});

afterAll(async () => {
  await env?.teardown();
});

const MINUTE = 60 * 1000;
const REGION = 'us-west-2';
const SCHEDULER = slotsWorkflowId(ACCOUNT, REGION);

describe('copySlots through an AWS outage', () => {
  it('keeps its queue through a 15-minute throttling of its look at AWS, and the queue drains', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    aws.addSnapshot({ region: 'us-east-1', identifier: 'prod-2026-11-20', cluster: 'prod' });
    aws.copyDurationMs = 30 * MINUTE;
    const outageUntil = (await env.currentTimeMs()) + 15 * MINUTE;
    const activities = aws.activities(
      createTemporalActivities({ client: () => Promise.resolve(env.client), capacity: 1 }),
    );
    const count = activities.countCopiesInFlight;
    activities.countCopiesInFlight = async (input) => {
      if ((await env.currentTimeMs()) < outageUntil)
        throw ApplicationFailure.create({
          type: 'Throttling',
          message: 'Rate exceeded',
          nonRetryable: false,
        });
      return count(input);
    };
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await timeSkippingWorkflowBundle(),
      activities,
    });
    const start = (target: string) =>
      env.client.workflow.start(copyDbClusterSnapshot, {
        taskQueue,
        workflowId: defaultWorkflowId(REGION, target),
        args: [
          {
            SourceDBClusterSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:prod-2026-11-20`,
            TargetDBClusterSnapshotIdentifier: target,
            SourceRegion: 'us-east-1',
            TargetRegion: REGION,
          },
        ],
      });
    const handles = [] as Awaited<ReturnType<typeof start>>[];
    try {
      await worker.runUntil(async () => {
        handles.push(await start('outage-1'));
        await waitForProgress(handles[0]!, (p) => p.phase === 'copying');
        handles.push(await start('outage-2'));
        // outage-2 waits: the scheduler looks at AWS, which throttles for 15 minutes.
        await waitForProgress(handles[1]!, (p) => p.phase === 'waiting-for-slot');
        await env.sleep('20m');
        const scheduler = await env.client.workflow.getHandle(SCHEDULER).describe();
        expect(scheduler.status.name).toBe('RUNNING');
        const second = await handles[1]!.result();
        expect(second.summary.outcome).toBe('copied');
        expect((await handles[0]!.query(progressQuery)).phase).toBe('completed');
      });
    } finally {
      for (const h of [...handles, env.client.workflow.getHandle(SCHEDULER)])
        await h.terminate('test over').catch(() => undefined);
    }
  });
});
