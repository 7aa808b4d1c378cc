// Copy slots end to end: a real Temporal dev server, the real worker and activities, and the AWS emulator
// over the wire with a copy limit of 2. The worker's schedulers start with AWS's default capacity (5): the
// emulator's refusals are what lower it, as copies snapcopy does not know of would on AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../../src/shared/contract';
import { defaultWorkflowId, WORKFLOW_TYPE } from '../../src/shared/names';
import { slotsQuery, slotsWorkflowId, type SlotsView } from '../../src/shared/slots';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { createClusterSnapshot } from '../helpers/aws-fixtures';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { waitFor } from '../helpers/wait';

let stack: LocalStack;
let sourceArn: string;
const ACCOUNT = '123456789012'; // moto's account
const REGION = 'us-west-2';
const LIMIT = 2;
const COPIES = 8;
const FAST = { minPollSeconds: 1, maxPollSeconds: 2 };

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 6, copyLimit: LIMIT });
  sourceArn = await createClusterSnapshot(stack.rds('us-east-1'), 'slots-aurora', 'slots-aurora-snap');
});

afterAll(async () => {
  await stack?.stop();
});

async function start(target: string): Promise<WorkflowHandle> {
  const input: CopyDbClusterSnapshotInput = {
    SourceDBClusterSnapshotIdentifier: sourceArn,
    TargetDBClusterSnapshotIdentifier: target,
    SourceRegion: 'us-east-1',
    TargetRegion: REGION,
    options: FAST,
  };
  return stack.env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: defaultWorkflowId(REGION, target),
    args: [input],
  });
}

/** The emulator's view: how many cluster snapshots are `copying` in the destination Region now. */
async function copyingAtEmulator(): Promise<number> {
  const out = await stack
    .rds(REGION)
    .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 100 }));
  return (out.DBClusterSnapshots ?? []).filter((s) => s.Status === 'copying').length;
}

/** Samples the emulator until stopped; answers every count it saw. Observation only, never a wait. */
function sampleCopying(): { stop(): Promise<number[]> } {
  const seen: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      seen.push(await copyingAtEmulator());
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

function slots(): Promise<SlotsView> {
  return stack.env.client.workflow.getHandle(slotsWorkflowId(ACCOUNT, REGION)).query(slotsQuery);
}

const historyLength = async (id: string): Promise<number> =>
  (await stack.env.client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;

describe('copy slots end to end', () => {
  it(`runs ${COPIES} copies with an AWS copy limit of ${LIMIT}: all complete, never more than ${LIMIT} in flight, waiting copies idle`, async () => {
    const sampler = sampleCopying();
    let seen: number[] = [];
    try {
      const handles: WorkflowHandle[] = [];
      for (let i = 1; i <= COPIES; i++) handles.push(await start(`slots-aurora-copy-${i}`));

      // The emulator refuses the starts beyond its limit; each refusal lowers the scheduler's capacity.
      const settled = await waitFor(
        'the scheduler never settled at the emulator limit with copies waiting',
        async () => {
          const v = await slots();
          if (!(v.capacity <= LIMIT && v.holders.length === LIMIT && v.queue.length >= COPIES - LIMIT - 1))
            throw new Error(`slots are ${JSON.stringify(v)}`);
          return v;
        },
        { timeoutMs: 60_000 },
      );
      expect(settled.configuredCapacity).toBe(5);

      // The last three in the queue wait through at least one slot turnover (a turnover grants at most
      // two): their histories do not change meanwhile.
      const waiting = settled.queue.slice(-3).map((q) => q.workflowId);
      for (const id of waiting) {
        const p = await stack.env.client.workflow.getHandle(id).query(progressQuery);
        expect(p.phase).toBe('waiting-for-slot');
      }
      const before = await Promise.all(waiting.map(historyLength));
      const holder = handles.find((h) => h.workflowId === settled.holders[0]!.workflowId)!;
      expect(((await holder.result()) as CopyDbClusterSnapshotResult).summary.outcome).toBe('copied');
      const between = await slots();
      const after = await Promise.all(waiting.map(historyLength));
      for (const id of waiting) expect(between.queue.map((q) => q.workflowId)).toContain(id);
      expect(after).toEqual(before);

      const results: CopyDbClusterSnapshotResult[] = [];
      for (const h of handles) results.push((await h.result()) as CopyDbClusterSnapshotResult);
      seen = await sampler.stop();

      for (const r of results) {
        expect(r.summary.outcome).toBe('copied');
        expect(r.DBClusterSnapshot?.Status).toBe('available');
      }
      // A refusal lowers the capacity instead of being retried: a handful of refused starts, not a storm.
      const refused = results.reduce((n, r) => n + r.summary.slotWaits, 0);
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThanOrEqual(12);
      const out = await stack
        .rds(REGION)
        .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 100 }));
      const ours = (out.DBClusterSnapshots ?? []).filter((s) =>
        s.DBClusterSnapshotIdentifier?.startsWith('slots-aurora-copy-'),
      );
      expect(ours).toHaveLength(COPIES);
      for (const s of ours) expect(s.Status).toBe('available');
    } finally {
      if (seen.length === 0) seen = await sampler.stop();
    }
    expect(seen.length).toBeGreaterThan(10);
    expect(Math.max(...seen)).toBeLessThanOrEqual(LIMIT);
    expect(Math.max(...seen)).toBe(LIMIT); // and the limit was used
  }, 150_000);
});
