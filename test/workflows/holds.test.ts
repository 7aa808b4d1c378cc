// Holds in the copy workflow, on the real time-skipping Temporal test server with the in-memory AWS
// (test/helpers/fake-aws.ts, whose delete refuses a held snapshot with the real activity's check): quota
// pruning and retention skip held copies, a hold set after the listing but before the delete still wins, and
// a cancel keeps a target put on hold while it was copying.
import { describe, expect, it } from 'vitest';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { FakeAws, ACCOUNT } from '../helpers/fake-aws';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { timeSkippingEnvPerTest } from '../helpers/temporal';
import { waitForProgress } from '../helpers/wait';
import { failureOf } from '../helpers/failures';
import { defaultWorkflowId, HOLD_TAG } from '../../src/shared/names';
import type { CopyDbClusterSnapshotInput, CopyOptions } from '../../src/shared/types';
import type { DeleteOwnedSnapshotInput } from '../../src/activities/types';
import { cancelSignal, copyDbClusterSnapshot } from '../../src/workflows';

let env: TestWorkflowEnvironment;
timeSkippingEnvPerTest((e) => (env = e));

const W = 'us-west-2';
const TARGET = 'prod-2026-11-20-copy';

function newAws(): FakeAws {
  const aws = new FakeAws(() => env.currentTimeMs());
  aws.addSnapshot({ region: 'us-east-1', identifier: 'prod-2026-11-20', cluster: 'prod' });
  aws.copyDurationMs = 5 * 60 * 1000;
  // Copies of prod made earlier, oldest first.
  for (const [id, t] of [
    ['prod-copy-1', 10],
    ['prod-copy-2', 20],
    ['prod-copy-3', 30],
  ] as const) {
    aws.addOwnedCopy(W, id, 'prod', t);
  }
  return aws;
}

function withWorker<T>(aws: FakeAws, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  return withFakeAwsWorker(env, aws, { regions: ['us-east-1', W] }, fn);
}

function start(
  taskQueue: string,
  options: Partial<CopyOptions> = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof copyDbClusterSnapshot>> {
  const input: CopyDbClusterSnapshotInput = {
    SourceDBClusterSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:prod-2026-11-20`,
    TargetDBClusterSnapshotIdentifier: TARGET,
    SourceRegion: 'us-east-1',
    TargetRegion: W,
    options,
  };
  return env.client.workflow.start(copyDbClusterSnapshot, {
    taskQueue,
    workflowId: defaultWorkflowId(W, TARGET),
    args: [input],
  });
}

const deletes = (aws: FakeAws) =>
  (aws.callsOf('deleteOwnedSnapshot') as DeleteOwnedSnapshotInput[]).map((d) => d.identifier);
const idsOf = (list: { DBClusterSnapshotIdentifier: string }[] | undefined) =>
  (list ?? []).map((s) => s.DBClusterSnapshotIdentifier);

describe('quota pruning and holds', () => {
  it('skips the held oldest copy and prunes the next oldest, saying which copy it kept and why', async () => {
    const aws = newAws();
    aws.setHold(W, 'prod-copy-1', 'legal INC-42');
    aws.manualQuota = 3;
    const result = await withWorker(aws, async (tq) => (await start(tq)).result());
    expect(result.summary.outcome).toBe('copied');
    expect(idsOf(result.summary.pruned)).toEqual(['prod-copy-2']);
    expect(result.summary.held).toEqual([
      expect.objectContaining({ DBClusterSnapshotIdentifier: 'prod-copy-1', hold: 'legal INC-42' }),
    ]);
    expect(deletes(aws)).not.toContain('prod-copy-1');
    expect(aws.get(W, 'prod-copy-1')).toBeDefined();
  });

  it('a hold set after the listing but before the delete still wins: the delete is refused, the next goes', async () => {
    const aws = newAws();
    aws.manualQuota = 3;
    // Someone holds prod-copy-1 right after the workflow listed it (not on hold then).
    aws.afterListing = (listed) => {
      if (listed.some((c) => c.identifier === 'prod-copy-1' && c.hold === undefined))
        aws.setHold(W, 'prod-copy-1', 'audit');
    };
    const result = await withWorker(aws, async (tq) => (await start(tq)).result());
    expect(result.summary.outcome).toBe('copied');
    // The workflow did ask to delete prod-copy-1 (its listing said no hold) and was refused.
    expect(deletes(aws)[0]).toBe('prod-copy-1');
    expect(aws.get(W, 'prod-copy-1')).toBeDefined();
    expect(idsOf(result.summary.pruned)).toEqual(['prod-copy-2']);
    expect(result.summary.held).toEqual([
      expect.objectContaining({ DBClusterSnapshotIdentifier: 'prod-copy-1', hold: 'audit' }),
    ]);
  });

  it('fails with the holds named when only held copies (and the kept newest) are left', async () => {
    const aws = newAws();
    aws.setHold(W, 'prod-copy-1', 'a');
    aws.setHold(W, 'prod-copy-2', 'b');
    aws.manualQuota = 3;
    const err = await withWorker(aws, async (tq) => failureOf((await start(tq)).result()));
    expect(err.type).toBe('SnapshotQuotaExceededFault');
    expect(err.message).toMatch(
      /2 copies are on hold \(snapcopy:hold\) and never pruned: prod-copy-2, prod-copy-1/,
    );
    expect(deletes(aws)).toEqual([]);
  });
});

describe('retention and holds', () => {
  it('tiered retention keeps a held copy in addition to what keepLast keeps', async () => {
    const aws = newAws();
    aws.setHold(W, 'prod-copy-3', 'investigation');
    const result = await withWorker(aws, async (tq) =>
      (await start(tq, { retention: { keepLast: 2 } })).result(),
    );
    expect(result.summary.outcome).toBe('copied');
    // keepLast 2 among copies not on hold: the new copy and prod-copy-2; prod-copy-3 is held, prod-copy-1 goes.
    expect(idsOf(result.summary.retired)).toEqual(['prod-copy-1']);
    expect(idsOf(result.summary.held)).toEqual(['prod-copy-3']);
    expect(aws.get(W, 'prod-copy-3')).toBeDefined();
    expect(aws.get(W, 'prod-copy-2')).toBeDefined();
    expect(deletes(aws)).toEqual(['prod-copy-1']);
  });

  it('retain: a hold set after the listing wins; the copy is kept and reported, the rest retired', async () => {
    const aws = newAws();
    aws.afterListing = (listed) => {
      if (listed.some((c) => c.identifier === 'prod-copy-2' && c.hold === undefined))
        aws.setHold(W, 'prod-copy-2', '');
    };
    const result = await withWorker(aws, async (tq) => (await start(tq, { retain: 1 })).result());
    expect(result.summary.outcome).toBe('copied');
    expect(deletes(aws).sort()).toEqual(['prod-copy-1', 'prod-copy-2', 'prod-copy-3']);
    expect(aws.get(W, 'prod-copy-2')?.tags).toContainEqual({ Key: HOLD_TAG, Value: '' });
    expect(idsOf(result.summary.retired).sort()).toEqual(['prod-copy-1', 'prod-copy-3']);
    expect(result.summary.held).toEqual([
      expect.objectContaining({ DBClusterSnapshotIdentifier: 'prod-copy-2', hold: '' }),
    ]);
  });
});

describe('cancel and holds', () => {
  it('a cancel keeps an unfinished target put on hold, ends cancelled and says so', async () => {
    const aws = newAws();
    aws.copyDurationMs = 3 * 60 * 60 * 1000;
    const result = await withWorker(aws, async (tq) => {
      const handle = await start(tq);
      await waitForProgress(handle, (p) => p.phase === 'copying' && p.lastPolledAt !== undefined);
      aws.setHold(W, TARGET, 'keep the half copy');
      await handle.signal(cancelSignal, { reason: 'wrong snapshot' });
      return handle.result();
    });
    expect(result.summary.outcome).toBe('cancelled');
    expect(result.summary.targetDeleted).toBe(false);
    expect(result.summary.targetHeld).toBe('keep the half copy');
    expect(aws.get(W, TARGET)).toBeDefined();
    expect(deletes(aws)).toEqual([TARGET]); // asked once, refused
  });
});
