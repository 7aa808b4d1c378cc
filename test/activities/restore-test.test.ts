// The restore test's create calls against a mocked SDK: a cluster or writer already there under the name is
// adopted (a retried call whose answer was lost) only when all the restore test's tags say this workflow made
// it; one that merely carries its workflow ID is someone else's (found by safety-restore.property.test.ts).
import {
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Tag } from '../../src/shared/types';
import { activities, expectFailure, rdsError, snapshotArn, TARGET_REGION } from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const WORKFLOW = 'snapcopy-verify-us-west-2-copy1';
const SNAPSHOT = snapshotArn(TARGET_REGION, 'copy1');
const CLUSTER = 'snapcopy-verify-0a1b2c3d';
const ours: Tag[] = [
  { Key: 'snapcopy:managed', Value: 'true' },
  { Key: 'snapcopy:workflow-id', Value: WORKFLOW },
  { Key: 'snapcopy:verify-of', Value: SNAPSHOT },
];
const onlyItsId: Tag[] = [
  { Key: 'snapcopy:managed', Value: 'false' },
  { Key: 'snapcopy:workflow-id', Value: WORKFLOW },
];

const restoreInput = {
  region: TARGET_REGION,
  snapshotArn: SNAPSHOT,
  clusterIdentifier: CLUSTER,
  engine: 'aurora-postgresql',
  workflowId: WORKFLOW,
};
const writerInput = {
  region: TARGET_REGION,
  clusterIdentifier: CLUSTER,
  instanceIdentifier: `${CLUSTER}-writer`,
  instanceClass: 'db.t4g.medium',
  engine: 'aurora-postgresql',
  snapshotArn: SNAPSHOT,
  workflowId: WORKFLOW,
};

describe('restoreThrowawayCluster', () => {
  beforeEach(() => {
    rds
      .on(RestoreDBClusterFromSnapshotCommand)
      .rejects(rdsError('DBClusterAlreadyExistsFault', 'DB Cluster already exists'));
  });

  it('adopts the cluster this workflow made (all its tags) when the name is taken', async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'creating', TagList: ours }],
    });
    const c = await activities().restoreThrowawayCluster(restoreInput);
    expect(c).toMatchObject({ identifier: CLUSTER, status: 'creating' });
  });

  it('refuses a cluster that carries its workflow ID but not the rest of its tags', async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'available', TagList: onlyItsId }],
    });
    await expectFailure(
      activities().restoreThrowawayCluster(restoreInput),
      'DBClusterAlreadyExistsFault',
      true,
    );
  });
});

describe('createWriterInstance', () => {
  beforeEach(() => {
    rds
      .on(CreateDBInstanceCommand)
      .rejects(rdsError('DBInstanceAlreadyExistsFault', 'DB instance already exists'));
  });

  it('adopts the writer this workflow made (all its tags)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: `${CLUSTER}-writer`, DBInstanceStatus: 'creating', TagList: ours },
      ],
    });
    const w = await activities().createWriterInstance(writerInput);
    expect(w).toMatchObject({ identifier: `${CLUSTER}-writer`, status: 'creating' });
  });

  it('refuses an instance that carries its workflow ID but not the rest of its tags', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: `${CLUSTER}-writer`, DBInstanceStatus: 'available', TagList: onlyItsId },
      ],
    });
    await expectFailure(activities().createWriterInstance(writerInput), 'DBInstanceAlreadyExistsFault', true);
  });
});

describe('deleteThrowawayCluster / deleteThrowawayInstance', () => {
  const del = { region: TARGET_REGION, identifier: CLUSTER, workflowId: WORKFLOW };

  it('re-reads the tags and refuses a resource this test did not make, without a delete call', async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'available', TagList: onlyItsId }],
    });
    await expectFailure(
      activities().deleteThrowawayCluster(del),
      'ResourceNotOwnedBySnapcopy',
      true,
      /lacks|is 'false'/,
    );
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(0);
  });

  it('deletes its own cluster without a final snapshot; leaves one already deleting to AWS', async () => {
    rds.on(DescribeDBClustersCommand).resolvesOnce({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'available', TagList: ours }],
    });
    rds.on(DeleteDBClusterCommand).resolves({});
    expect(await activities().deleteThrowawayCluster(del)).toEqual({ result: 'deleting' });
    expect(rds.commandCalls(DeleteDBClusterCommand)[0]?.args[0].input).toEqual({
      DBClusterIdentifier: CLUSTER,
      SkipFinalSnapshot: true,
    });
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'deleting', TagList: ours }],
    });
    expect(await activities().deleteThrowawayCluster(del)).toEqual({ result: 'deleting' });
    expect(rds.commandCalls(DeleteDBClusterCommand)).toHaveLength(1);
  });

  it('a cluster AWS will not delete yet is busy (not retried here); a gone one is absent', async () => {
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: CLUSTER, Status: 'creating', TagList: ours }],
    });
    rds
      .on(DeleteDBClusterCommand)
      .rejectsOnce(rdsError('InvalidDBClusterStateFault', 'DB cluster is creating'));
    await expectFailure(
      activities().deleteThrowawayCluster(del),
      'ThrowawayResourceBusy',
      true,
      /is creating/,
    );
    rds.on(DeleteDBClusterCommand).rejects(rdsError('DBClusterNotFoundFault', 'gone'));
    expect(await activities().deleteThrowawayCluster(del)).toEqual({ result: 'absent' });
  });

  it('the writer the same way: busy while creating, absent once gone', async () => {
    const writer = { ...del, identifier: `${CLUSTER}-writer` };
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceIdentifier: writer.identifier, DBInstanceStatus: 'creating', TagList: ours }],
    });
    rds.on(DeleteDBInstanceCommand).rejectsOnce(rdsError('InvalidDBInstanceState', 'instance is creating'));
    await expectFailure(
      activities().deleteThrowawayInstance(writer),
      'ThrowawayResourceBusy',
      true,
      /creating/,
    );
    rds.on(DescribeDBInstancesCommand).rejects(rdsError('DBInstanceNotFound', 'gone'));
    expect(await activities().deleteThrowawayInstance(writer)).toEqual({ result: 'absent' });
  });
});
