// The AWS reading behind `snapcopy rpo`: one paginated listing per destination (never one per cluster), and the
// clusters a plan selects now (one DescribeDBClusters listing, no snapshot looked up).
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { activities, ownedTags, snapshot, snapshotArn, TARGET_REGION } from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const point = (iso: string) => ({ Key: 'snapcopy:recovery-point', Value: iso });

describe('listRecoveryPoints', () => {
  it('reads every page of manual snapshots once, for any number of clusters, with their recovery points', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand, { Marker: undefined })
      .resolves({
        DBClusterSnapshots: [
          snapshot('a-1', TARGET_REGION, {
            SnapshotCreateTime: new Date('2026-12-02T03:30:00Z'),
            TagList: [...ownedTags('wf-a1', 'prod-a'), point('2026-12-02T03:00:00.000Z')],
          }),
          snapshot('by-hand', TARGET_REGION, { TagList: [{ Key: 'team', Value: 'db' }] }),
        ],
        Marker: 'page-2',
      })
      .on(DescribeDBClusterSnapshotsCommand, { Marker: 'page-2' })
      .resolves({
        DBClusterSnapshots: [
          // Made before the tag existed: no recovery point tag, its own SnapshotCreateTime is the fallback.
          snapshot('b-old', TARGET_REGION, {
            SnapshotCreateTime: new Date('2026-11-30T03:00:00Z'),
            TagList: ownedTags('wf-b', 'prod-b'),
          }),
          snapshot('c-1', TARGET_REGION, { TagList: ownedTags('wf-c', 'prod-c') }),
        ],
      });

    const copies = await activities().listRecoveryPoints({
      region: TARGET_REGION,
      clusters: ['prod-a', 'PROD-B'],
    });

    expect(copies).toEqual([
      {
        identifier: 'b-old',
        arn: snapshotArn(TARGET_REGION, 'b-old'),
        status: 'available',
        sourceCluster: 'prod-b',
        snapshotCreateTime: '2026-11-30T03:00:00.000Z',
      },
      {
        identifier: 'a-1',
        arn: snapshotArn(TARGET_REGION, 'a-1'),
        status: 'available',
        sourceCluster: 'prod-a',
        recoveryPointTag: '2026-12-02T03:00:00.000Z',
        snapshotCreateTime: '2026-12-02T03:30:00.000Z',
      },
    ]);
    const calls = rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input);
    // Two pages, two calls: manual snapshots of the Region, never filtered by cluster.
    expect(calls).toEqual([
      { SnapshotType: 'manual', MaxRecords: 100 },
      { SnapshotType: 'manual', MaxRecords: 100, Marker: 'page-2' },
    ]);
    expect(rds.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });

  it('without clusters: every snapcopy copy of the Region', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('a-1', TARGET_REGION, { TagList: ownedTags('wf-a1', 'prod-a') }),
        snapshot('z-1', TARGET_REGION, { TagList: ownedTags('wf-z1', 'prod-z') }),
      ],
    });
    const copies = await activities().listRecoveryPoints({ region: TARGET_REGION });
    expect(copies.map((c) => c.sourceCluster).sort()).toEqual(['prod-a', 'prod-z']);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(1);
  });
});

describe('planClustersNow', () => {
  it('names and tags, as a run chooses them, with one cluster listing and no snapshot looked up', async () => {
    rds
      .on(DescribeDBClustersCommand, { Marker: undefined })
      .resolves({
        DBClusters: [
          { DBClusterIdentifier: 'Prod-A', TagList: [] },
          { DBClusterIdentifier: 'tagged', TagList: [{ Key: 'backup', Value: 'dr' }] },
        ],
        Marker: 'm2',
      })
      .on(DescribeDBClustersCommand, { Marker: 'm2' })
      .resolves({
        DBClusters: [{ DBClusterIdentifier: 'other', TagList: [{ Key: 'backup', Value: 'no' }] }],
      });
    const chosen = await activities().planClustersNow({
      region: 'us-east-1',
      clusters: ['prod-a', 'gone'],
      tags: { backup: 'dr' },
    });
    expect(chosen).toEqual({ chosen: ['prod-a', 'tagged'], missing: ['gone'] });
    expect(rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(2);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(0);
  });
});
