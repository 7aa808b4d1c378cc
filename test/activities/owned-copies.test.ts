import {
  DescribeDBClusterSnapshotsCommand,
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
  snapshotArn,
  TARGET_REGION,
} from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const at = (iso: string) => new Date(iso);

describe('listOwnedCopies', () => {
  it('paginates and keeps only snapcopy-owned copies of the requested cluster, oldest first', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand, { Marker: undefined })
      .resolves({
        DBClusterSnapshots: [
          snapshot('new-copy', TARGET_REGION, {
            SnapshotCreateTime: at('2024-05-03T00:00:00Z'),
            TagList: ownedTags('wf-new'),
          }),
          snapshot('manual-by-hand', TARGET_REGION, { TagList: [{ Key: 'team', Value: 'db' }] }),
          snapshot('other-cluster-copy', TARGET_REGION, { TagList: ownedTags('wf-x', 'other-cluster') }),
        ],
        Marker: 'page-2',
      })
      .on(DescribeDBClusterSnapshotsCommand, { Marker: 'page-2' })
      .resolves({
        DBClusterSnapshots: [
          snapshot('old-copy', TARGET_REGION, {
            SnapshotCreateTime: at('2024-05-01T00:00:00Z'),
            Status: 'available',
            TagList: ownedTags('wf-old'),
          }),
          snapshot('false-flag', TARGET_REGION, { TagList: [{ Key: 'snapcopy:managed', Value: 'false' }] }),
        ],
      });

    const owned = await activities().listOwnedCopies({
      region: TARGET_REGION,
      sourceCluster: 'prod-cluster',
    });

    expect(owned).toEqual([
      {
        identifier: 'old-copy',
        arn: snapshotArn(TARGET_REGION, 'old-copy'),
        status: 'available',
        createTime: '2024-05-01T00:00:00.000Z',
        sourceCluster: 'prod-cluster',
        workflowId: 'wf-old',
        tags: ownedTags('wf-old'),
      },
      {
        identifier: 'new-copy',
        arn: snapshotArn(TARGET_REGION, 'new-copy'),
        status: 'available',
        createTime: '2024-05-03T00:00:00.000Z',
        sourceCluster: 'prod-cluster',
        workflowId: 'wf-new',
        tags: ownedTags('wf-new'),
      },
    ]);
    const inputs = rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { SnapshotType: 'manual', MaxRecords: 100 },
      { SnapshotType: 'manual', MaxRecords: 100, Marker: 'page-2' },
    ]);
    expect(rds.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });

  it('returns copies of every cluster without a sourceCluster filter', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('a', TARGET_REGION, { TagList: ownedTags('wf-a') }),
        snapshot('b', TARGET_REGION, { TagList: ownedTags('wf-b', 'other-cluster') }),
      ],
    });
    const owned = await activities().listOwnedCopies({ region: TARGET_REGION });
    expect(owned.map((o) => o.identifier).sort()).toEqual(['a', 'b']);
  });

  it('falls back to ListTagsForResource when the API returns no TagList', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({
        DBClusterSnapshots: [
          snapshot('mine', TARGET_REGION, { TagList: undefined }),
          snapshot('theirs', TARGET_REGION, { TagList: undefined }),
        ],
      })
      .on(ListTagsForResourceCommand, { ResourceName: snapshotArn(TARGET_REGION, 'mine') })
      .resolves({ TagList: ownedTags() })
      .on(ListTagsForResourceCommand, { ResourceName: snapshotArn(TARGET_REGION, 'theirs') })
      .resolves({ TagList: [] });
    const owned = await activities().listOwnedCopies({ region: TARGET_REGION });
    expect(owned.map((o) => o.identifier)).toEqual(['mine']);
    expect(rds.commandCalls(ListTagsForResourceCommand)).toHaveLength(2);
  });

  it('leaves throttling retryable', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(rdsError('Throttling', 'Rate exceeded'));
    await expectFailure(
      activities().listOwnedCopies({ region: TARGET_REGION }),
      'Throttling',
      false,
      TARGET_REGION,
    );
  });
});
