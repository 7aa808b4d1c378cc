// End to end: real Temporal dev server, real worker and activities, the AWS emulator over the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBClusterSnapshotNotFoundFault, DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultWorkflowId, OWNERSHIP_TAGS, WORKFLOW_TYPE } from '../../src/shared/names';
import type {
  CopyDbClusterSnapshotInput,
  CopyDbClusterSnapshotResult,
  Progress,
} from '../../src/shared/types';
import { cancelSignal } from '../../src/workflows';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { localActivityTypes, recordHistory } from '../helpers/histories';
import { waitFor, waitForProgress } from '../helpers/wait';

let stack: LocalStack;
let sourceArn: string;
const ACCOUNT = '123456789012'; // moto's account
const FAST = { minPollSeconds: 1, maxPollSeconds: 2 };

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 4 });
  const sourceKey = await createKey(stack.kms('us-east-1'));
  sourceArn = await createClusterSnapshot(
    stack.rds('us-east-1'),
    'e2e-aurora',
    'e2e-aurora-snap',
    sourceKey.keyArn,
  );
});

afterAll(async () => {
  await stack?.stop();
});

async function start(input: CopyDbClusterSnapshotInput): Promise<WorkflowHandle> {
  return stack.env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: defaultWorkflowId(input.TargetRegion, input.TargetDBClusterSnapshotIdentifier!),
    args: [input],
  });
}

function until(handle: WorkflowHandle, predicate: (p: Progress) => boolean): Promise<Progress> {
  return waitForProgress(handle, predicate, 'the workflow never reached the expected progress');
}

async function describeTarget(identifier: string) {
  const out = await stack
    .rds('us-west-2')
    .send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }));
  return out.DBClusterSnapshots?.[0];
}

describe('copy end to end', () => {
  it('copies an encrypted snapshot across Regions with an alias ARN key', async () => {
    const destKey = await createKey(stack.kms('us-west-2'), 'alias/e2e-dr');
    const handle = await start({
      SourceDBClusterSnapshotIdentifier: sourceArn,
      TargetDBClusterSnapshotIdentifier: 'e2e-aurora-snap-dr',
      SourceRegion: 'us-east-1',
      TargetRegion: 'us-west-2',
      KmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/e2e-dr`,
      CopyTags: true,
      Tags: [{ Key: 'purpose', Value: 'dr' }],
      options: FAST,
    });
    const copying = await until(handle, (p) => p.phase === 'copying' || p.phase === 'completed');
    expect(copying.kmsKeyArn).toBe(destKey.keyArn);
    const result = (await handle.result()) as CopyDbClusterSnapshotResult;
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.Status).toBe('available');
    expect(result.DBClusterSnapshot?.PercentProgress).toBe(100);
    // It started the copy in a local activity and spent its short waits in the follow activity: no
    // workflow timer, one patch marker.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect([...new Set(scheduled)]).toEqual(['followTargetSnapshot']);
    expect(localActivityTypes(events)).toContain('startCopy');
    expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(0);
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toHaveLength(
      1,
    );
    // The source cluster went out with the phase `copying`, not in an upsert of its own.
    const upserts = events.flatMap((e) =>
      e.upsertWorkflowSearchAttributesEventAttributes
        ? [Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {})]
        : [],
    );
    expect(upserts.filter((keys) => keys.includes('SnapcopySourceCluster'))).toEqual([
      expect.arrayContaining(['SnapcopyPhase', 'SnapcopySourceCluster']),
    ]);
    await recordHistory(handle, 'lean-arrival');

    const target = await describeTarget('e2e-aurora-snap-dr');
    expect(target?.Status).toBe('available');
    expect(target?.KmsKeyId).toBe(destKey.keyArn);
    expect(target?.StorageEncrypted).toBe(true);
    const tags = Object.fromEntries((target?.TagList ?? []).map((t) => [t.Key, t.Value])) as Record<
      string,
      string
    >;
    expect(tags).toMatchObject({
      purpose: 'dr',
      team: 'databases',
      [OWNERSHIP_TAGS.managed]: 'true',
      [OWNERSHIP_TAGS.sourceArn]: sourceArn,
      [OWNERSHIP_TAGS.sourceCluster]: 'e2e-aurora',
      [OWNERSHIP_TAGS.workflowId]: 'snapcopy-us-west-2-e2e-aurora-snap-dr',
    });
  });

  it('deletes the target when cancelled while copying, leaving nothing behind', async () => {
    await createKey(stack.kms('us-west-2'), 'alias/e2e-cancel');
    await stack.emulator.configure({ copySeconds: 3600 });
    try {
      const handle = await start({
        SourceDBClusterSnapshotIdentifier: sourceArn,
        TargetDBClusterSnapshotIdentifier: 'e2e-aurora-snap-cancel',
        SourceRegion: 'us-east-1',
        TargetRegion: 'us-west-2',
        KmsKeyId: 'alias/e2e-cancel',
        options: FAST,
      });
      await until(handle, (p) => p.phase === 'copying' && p.lastPolledAt !== undefined);
      expect((await describeTarget('e2e-aurora-snap-cancel'))?.Status).toBe('copying');
      // The follow activity is waiting between its polls: the cancel stops it at once.
      await waitFor('the follow activity to run', async () => {
        const { raw } = await handle.describe();
        const names = raw.pendingActivities?.map((a) => a.activityType?.name) ?? [];
        expect(names).toContain('followTargetSnapshot');
      });
      await handle.signal(cancelSignal, { reason: 'e2e' });
      const result = (await handle.result()) as CopyDbClusterSnapshotResult;
      expect(result.summary.outcome).toBe('cancelled');
      expect(result.summary.targetDeleted).toBe(true);
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.some((e) => e.activityTaskCancelRequestedEventAttributes)).toBe(true);
      await expect(describeTarget('e2e-aurora-snap-cancel')).rejects.toBeInstanceOf(
        DBClusterSnapshotNotFoundFault,
      );
    } finally {
      await stack.emulator.configure({ copySeconds: 4 });
    }
  });
});
