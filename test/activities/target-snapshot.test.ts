import {
  DBClusterSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  InvalidDBClusterSnapshotStateFault,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  activities,
  expectFailure,
  ownedTags,
  rdsError,
  snapshot,
  TARGET_REGION,
  WORKFLOW_ID,
} from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const notFound = () =>
  new DBClusterSnapshotNotFoundFault({ message: 'DBClusterSnapshot copy1 not found.', $metadata: {} });
const target = { region: TARGET_REGION, identifier: 'copy1' };

describe('describeTargetSnapshot', () => {
  it('returns the copying target with its progress and tags', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('copy1', TARGET_REGION, {
          Status: 'copying',
          PercentProgress: 42,
          ClusterCreateTime: new Date('2024-01-01T00:00:00Z'),
          TagList: ownedTags(),
        }),
      ],
    });
    const view = await activities().describeTargetSnapshot(target);
    expect(view).toMatchObject({
      DBClusterSnapshotIdentifier: 'copy1',
      Status: 'copying',
      PercentProgress: 42,
      SnapshotCreateTime: '2024-05-01T10:00:00.000Z',
      ClusterCreateTime: '2024-01-01T00:00:00.000Z',
      TagList: ownedTags(),
    });
    // Plain JSON for the workflow history: no Date objects, no undefined fields.
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'copy1',
    });
  });

  it('returns null when the target does not exist', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(notFound());
    await expect(activities().describeTargetSnapshot(target)).resolves.toBeNull();
  });

  it('lists tags when the describe carries no TagList', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: undefined })] })
      .on(ListTagsForResourceCommand)
      .resolves({ TagList: ownedTags() });
    await expect(activities().describeTargetSnapshot(target)).resolves.toMatchObject({
      TagList: ownedTags(),
    });
  });

  it('leaves throttling retryable', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(rdsError('Throttling', 'Rate exceeded'));
    await expectFailure(activities().describeTargetSnapshot(target), 'Throttling', false, 'copy1');
  });
});

describe('deleteOwnedSnapshot', () => {
  const described = (tags: { Key: string; Value: string }[]) =>
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { Status: 'copying', TagList: tags })],
    });

  it('refuses a snapshot without the managed tag and never sends the delete', async () => {
    described([{ Key: 'team', Value: 'db' }]);
    await expectFailure(
      activities().deleteOwnedSnapshot(target),
      'SnapshotNotOwnedBySnapcopy',
      true,
      "'copy1'",
      'snapcopy:managed=true',
    );
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('refuses a managed tag that is not "true"', async () => {
    described([{ Key: 'snapcopy:managed', Value: 'false' }]);
    await expectFailure(
      activities().deleteOwnedSnapshot(target),
      'SnapshotNotOwnedBySnapcopy',
      true,
      "'false'",
    );
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it("refuses another workflow's copy when a workflow ID is given", async () => {
    described(ownedTags('snapcopy-us-west-2-other'));
    await expectFailure(
      activities().deleteOwnedSnapshot({ ...target, workflowId: WORKFLOW_ID }),
      'SnapshotNotOwnedBySnapcopy',
      true,
      'snapcopy:workflow-id',
      'snapcopy-us-west-2-other',
    );
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('deletes an owned snapshot (any snapcopy workflow when no workflow ID is given)', async () => {
    described(ownedTags('snapcopy-us-west-2-other'));
    rds.on(DeleteDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: snapshot('copy1', TARGET_REGION) });
    await expect(activities().deleteOwnedSnapshot(target)).resolves.toEqual({ result: 'deleted' });
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'copy1',
    });
  });

  it('keeps a copy it finds available when asked to (cleanup after a failure), and deletes one still copying', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { Status: 'available', TagList: ownedTags() })],
    });
    await expect(
      activities().deleteOwnedSnapshot({ ...target, workflowId: WORKFLOW_ID, unlessAvailable: true }),
    ).resolves.toEqual({ result: 'kept' });
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
    rds.reset();
    described(ownedTags());
    rds.on(DeleteDBClusterSnapshotCommand).resolves({});
    await expect(
      activities().deleteOwnedSnapshot({ ...target, workflowId: WORKFLOW_ID, unlessAvailable: true }),
    ).resolves.toEqual({ result: 'deleted' });
  });

  it("deletes this workflow's copy", async () => {
    described(ownedTags());
    rds.on(DeleteDBClusterSnapshotCommand).resolves({});
    await expect(activities().deleteOwnedSnapshot({ ...target, workflowId: WORKFLOW_ID })).resolves.toEqual({
      result: 'deleted',
    });
  });

  it('answers absent when there is nothing to delete', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(notFound());
    await expect(activities().deleteOwnedSnapshot(target)).resolves.toEqual({ result: 'absent' });
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('answers absent when the snapshot vanishes during the delete', async () => {
    described(ownedTags());
    rds.on(DeleteDBClusterSnapshotCommand).rejects(notFound());
    await expect(activities().deleteOwnedSnapshot(target)).resolves.toEqual({ result: 'absent' });
  });

  it('retries a snapshot in transition (InvalidDBClusterSnapshotStateFault) under a retryable type', async () => {
    described(ownedTags());
    rds
      .on(DeleteDBClusterSnapshotCommand)
      .rejects(
        new InvalidDBClusterSnapshotStateFault({ message: 'Snapshot is being created', $metadata: {} }),
      );
    await expectFailure(
      activities().deleteOwnedSnapshot(target),
      'SnapshotStateTransition',
      false,
      'Snapshot is being created',
      'InvalidDBClusterSnapshotStateFault',
    );
  });
});
