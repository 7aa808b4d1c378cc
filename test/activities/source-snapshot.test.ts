import {
  DBClusterSnapshotNotFoundFault,
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { activities, expectFailure, SOURCE_REGION, snapshot, snapshotArn } from './helpers';

const rds = mockClient(RDSClient);
const notFound = (id: string) =>
  new DBClusterSnapshotNotFoundFault({ message: `DBClusterSnapshot ${id} not found.`, $metadata: {} });

beforeEach(() => rds.reset());

describe('describeSourceSnapshot', () => {
  it('describes an available snapshot by plain name', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('snap1', SOURCE_REGION, {
          StorageEncrypted: true,
          KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1',
          TagList: [{ Key: 'team', Value: 'db' }],
        }),
      ],
    });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'snap1' });
    expect(info).toEqual({
      arn: snapshotArn(SOURCE_REGION, 'snap1'),
      identifier: 'snap1',
      region: SOURCE_REGION,
      accountId: '123456789012',
      status: 'available',
      encrypted: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1',
      clusterIdentifier: 'prod-cluster',
      engine: 'aurora-postgresql',
      snapshotType: 'manual',
      shared: false,
      allocatedStorage: 10,
      createTime: '2024-05-01T10:00:00.000Z',
      tags: [{ Key: 'team', Value: 'db' }],
    });
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'snap1',
    });
    expect(rds.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });

  it('reports no key for an unencrypted snapshot (moto puts a placeholder in KmsKeyId)', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('snap1', SOURCE_REGION, { StorageEncrypted: false, KmsKeyId: 'default_kms_key_id' }),
      ],
    });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'snap1' });
    expect(info.encrypted).toBe(false);
    expect(info).not.toHaveProperty('kmsKeyId');
  });

  it('asks for SnapshotType automated with an rds: name', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('rds:prod-cluster-2024-05-01-10-00', SOURCE_REGION, { SnapshotType: 'automated' }),
      ],
    });
    const info = await activities().describeSourceSnapshot({
      region: SOURCE_REGION,
      identifier: 'rds:prod-cluster-2024-05-01-10-00',
    });
    expect(info.snapshotType).toBe('automated');
    expect(info.arn).toBe(snapshotArn(SOURCE_REGION, 'rds:prod-cluster-2024-05-01-10-00'));
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'rds:prod-cluster-2024-05-01-10-00',
      SnapshotType: 'automated',
    });
  });

  it('describes by ARN with IncludeShared', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'snap1');
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [snapshot('snap1', SOURCE_REGION)] });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: arn });
    expect(info.arn).toBe(arn);
    expect(info.shared).toBe(false);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: arn,
      IncludeShared: true,
    });
  });

  it('falls back to the name when the API does not match ARNs (moto), accepting only the same ARN', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'snap1');
    rds
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: arn })
      .rejects(notFound(arn))
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: 'snap1' })
      .resolves({ DBClusterSnapshots: [snapshot('snap1', SOURCE_REGION)] });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: arn });
    expect(info.arn).toBe(arn);

    // Another account's ARN with the same name must not resolve to our own snapshot.
    const foreign = snapshotArn(SOURCE_REGION, 'snap1', '999999999999');
    rds
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: foreign })
      .rejects(notFound(foreign));
    await expectFailure(
      activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: foreign }),
      'DBClusterSnapshotNotFoundFault',
      true,
      foreign,
    );
  });

  it('detects a snapshot shared from another account (SnapshotType shared) without listing its tags', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'theirs', '999999999999');
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('theirs', SOURCE_REGION, {
          DBClusterSnapshotArn: arn,
          SnapshotType: 'shared',
          StorageEncrypted: true,
          TagList: undefined,
        }),
      ],
    });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: arn });
    expect(info).toMatchObject({ shared: true, accountId: '999999999999', encrypted: true, tags: [] });
    expect(rds.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
  });

  it('detects sharing by account when this account is known', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'theirs', '999999999999');
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('theirs', SOURCE_REGION, { DBClusterSnapshotArn: arn })],
    });
    const mine = await activities('999999999999').describeSourceSnapshot({
      region: SOURCE_REGION,
      identifier: arn,
    });
    expect(mine.shared).toBe(false);
    const other = await activities('123456789012').describeSourceSnapshot({
      region: SOURCE_REGION,
      identifier: arn,
    });
    expect(other.shared).toBe(true);
  });

  it('reads tags with ListTagsForResource when the describe has no TagList', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [snapshot('snap1', SOURCE_REGION, { TagList: undefined })] })
      .on(ListTagsForResourceCommand)
      .resolves({ TagList: [{ Key: 'env', Value: 'prod' }] });
    const info = await activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'snap1' });
    expect(info.tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(rds.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({
      ResourceName: snapshotArn(SOURCE_REGION, 'snap1'),
    });
  });

  it('refuses a snapshot that is not available', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('snap1', SOURCE_REGION, { Status: 'creating', PercentProgress: 40 })],
    });
    await expectFailure(
      activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'snap1' }),
      'InvalidDBClusterSnapshotStateFault',
      true,
      "'creating'",
      'available',
    );
  });

  it('fails with DBClusterSnapshotNotFoundFault when it does not exist', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).rejects(notFound('nope'));
    await expectFailure(
      activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'nope' }),
      'DBClusterSnapshotNotFoundFault',
      true,
      'nope',
    );
  });

  it('refuses an ARN of another Region without calling AWS', async () => {
    await expectFailure(
      activities().describeSourceSnapshot({
        region: 'eu-west-1',
        identifier: snapshotArn(SOURCE_REGION, 's'),
      }),
      'InvalidParameterCombination',
      true,
      'eu-west-1',
    );
    expect(rds.calls()).toHaveLength(0);
  });

  it('retries throttling', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    await expectFailure(
      activities().describeSourceSnapshot({ region: SOURCE_REGION, identifier: 'snap1' }),
      'Throttling',
      false,
      'Rate exceeded',
    );
  });
});
