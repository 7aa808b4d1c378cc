import {
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { activities, expectFailure, ownedTags, snapshot, snapshotArn, SOURCE_REGION } from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const at = (iso: string) => new Date(iso);

describe('findLatestClusterSnapshot', () => {
  it('picks the newest available snapshot of the cluster across pages, never a snapcopy copy', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: 'prod-cluster', Marker: undefined })
      .resolves({
        DBClusterSnapshots: [
          snapshot('rds:prod-cluster-2024-05-01-03-00', SOURCE_REGION, {
            SnapshotType: 'automated',
            SnapshotCreateTime: at('2024-05-01T03:00:00Z'),
          }),
          snapshot('still-creating', SOURCE_REGION, {
            Status: 'creating',
            SnapshotCreateTime: at('2024-05-04T00:00:00Z'),
          }),
        ],
        Marker: 'page-2',
      })
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: 'prod-cluster', Marker: 'page-2' })
      .resolves({
        DBClusterSnapshots: [
          snapshot('manual-newest', SOURCE_REGION, { SnapshotCreateTime: at('2024-05-02T00:00:00Z') }),
          snapshot('snapcopy-copy', SOURCE_REGION, {
            SnapshotCreateTime: at('2024-05-03T00:00:00Z'),
            TagList: ownedTags(),
          }),
        ],
      })
      // The full description of the winner, by its ARN.
      .on(DescribeDBClusterSnapshotsCommand, {
        DBClusterSnapshotIdentifier: snapshotArn(SOURCE_REGION, 'manual-newest'),
      })
      .resolves({
        DBClusterSnapshots: [
          snapshot('manual-newest', SOURCE_REGION, { SnapshotCreateTime: at('2024-05-02T00:00:00Z') }),
        ],
      });
    rds.on(ListTagsForResourceCommand).resolves({ TagList: [] });
    const found = await activities().findLatestClusterSnapshot({
      region: SOURCE_REGION,
      clusterIdentifier: 'prod-cluster',
    });
    expect(found.arn).toBe(snapshotArn(SOURCE_REGION, 'manual-newest'));
    expect(found.identifier).toBe('manual-newest');
  });

  it('fails with DBClusterSnapshotNotFoundFault when the cluster has no available snapshot', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('creating', SOURCE_REGION, { Status: 'creating' })],
    });
    await expectFailure(
      activities().findLatestClusterSnapshot({ region: SOURCE_REGION, clusterIdentifier: 'prod-cluster' }),
      'DBClusterSnapshotNotFoundFault',
      true,
      'no available snapshot',
    );
  });
});
