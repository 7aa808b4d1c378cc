import { OWNERSHIP_TAGS } from '../../src/shared/names';
import {
  CopyDBClusterSnapshotCommand,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StartCopyInput } from '../../src/activities/types';
import { buildCopyTags } from '../../src/activities/start-copy';
import {
  activities,
  expectFailure,
  networkError,
  ownedTags,
  rdsError,
  snapshot,
  snapshotArn,
  SOURCE_REGION,
  TARGET_REGION,
  WORKFLOW_ID,
} from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const KEY_ARN = `arn:aws:kms:${TARGET_REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SOURCE_ARN = snapshotArn(SOURCE_REGION, 'src');

function input(over: Partial<StartCopyInput> = {}): StartCopyInput {
  return {
    targetRegion: TARGET_REGION,
    sourceIdentifier: SOURCE_ARN,
    sourceArn: SOURCE_ARN,
    sourceCluster: 'prod-cluster',
    targetIdentifier: 'copy1',
    kmsKeyArn: KEY_ARN,
    copyTags: false,
    tags: [{ Key: 'team', Value: 'db' }],
    workflowId: WORKFLOW_ID,
    ...over,
  };
}

const alreadyExists = () =>
  new DBClusterSnapshotAlreadyExistsFault({
    message: 'Cannot create the snapshot because a snapshot with the identifier copy1 already exists.',
    $metadata: { httpStatusCode: 400 },
  });

describe('startCopy', () => {
  it('sends the copy with user tags, ownership tags, the resolved key and CopyTags', async () => {
    rds.on(CopyDBClusterSnapshotCommand).resolves({
      DBClusterSnapshot: snapshot('copy1', TARGET_REGION, {
        Status: 'copying',
        PercentProgress: 0,
        SourceDBClusterSnapshotArn: SOURCE_ARN,
        TagList: [{ Key: 'team', Value: 'db' }, ...ownedTags()],
      }),
    });
    const result = await activities().startCopy(input());

    expect(rds.commandCalls(CopyDBClusterSnapshotCommand)[0]?.args[0].input).toEqual({
      SourceDBClusterSnapshotIdentifier: SOURCE_ARN,
      TargetDBClusterSnapshotIdentifier: 'copy1',
      KmsKeyId: KEY_ARN,
      CopyTags: false,
      Tags: [
        { Key: 'team', Value: 'db' },
        { Key: 'snapcopy:managed', Value: 'true' },
        { Key: 'snapcopy:source-arn', Value: SOURCE_ARN },
        { Key: 'snapcopy:source-cluster', Value: 'prod-cluster' },
        { Key: 'snapcopy:workflow-id', Value: WORKFLOW_ID },
      ],
    });
    expect(result.adopted).toBe(false);
    expect(result.snapshot).toMatchObject({
      DBClusterSnapshotIdentifier: 'copy1',
      Status: 'copying',
      PercentProgress: 0,
      SnapshotCreateTime: '2024-05-01T10:00:00.000Z',
      DBClusterSnapshotArn: snapshotArn(TARGET_REGION, 'copy1'),
      SourceDBClusterSnapshotArn: SOURCE_ARN,
    });
  });

  it('omits KmsKeyId, CopyTags and PreSignedUrl when not given, and passes PreSignedUrl when given', async () => {
    rds.on(CopyDBClusterSnapshotCommand).resolves({ DBClusterSnapshot: snapshot('copy1', TARGET_REGION) });
    await activities().startCopy(
      input({ kmsKeyArn: undefined, copyTags: undefined, sourceIdentifier: 'src' }),
    );
    const sent = rds.commandCalls(CopyDBClusterSnapshotCommand)[0]?.args[0].input;
    expect(sent).not.toHaveProperty('KmsKeyId');
    expect(sent).not.toHaveProperty('CopyTags');
    expect(sent).not.toHaveProperty('PreSignedUrl');
    expect(sent?.SourceDBClusterSnapshotIdentifier).toBe('src');

    await activities().startCopy(input({ preSignedUrl: 'https://rds.us-gov-west-1.amazonaws.com/?X=1' }));
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand)[1]?.args[0].input.PreSignedUrl).toBe(
      'https://rds.us-gov-west-1.amazonaws.com/?X=1',
    );
  });

  it('ownership tags always win over same-key user tags', () => {
    expect(
      buildCopyTags(
        input({
          tags: [
            { Key: 'env', Value: 'prod' },
            { Key: 'snapcopy:managed', Value: 'no' },
            { Key: 'snapcopy:workflow-id', Value: 'someone-else' },
          ],
        }),
      ),
    ).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'snapcopy:managed', Value: 'true' },
      { Key: 'snapcopy:source-arn', Value: SOURCE_ARN },
      { Key: 'snapcopy:source-cluster', Value: 'prod-cluster' },
      { Key: 'snapcopy:workflow-id', Value: WORKFLOW_ID },
    ]);
  });

  it('tags the recovery point (the source snapshot time) when given, and no user tag can forge it', () => {
    const tags = buildCopyTags(
      input({
        recoveryPoint: '2026-12-02T03:00:12.000Z',
        tags: [{ Key: 'snapcopy:recovery-point', Value: '2099-01-01T00:00:00.000Z' }],
      }),
    );
    expect(tags.filter((t) => t.Key === 'snapcopy:recovery-point')).toEqual([
      { Key: 'snapcopy:recovery-point', Value: '2026-12-02T03:00:12.000Z' },
    ]);
    // Inputs recorded before the tag existed: no recovery point, and a user's attempt is still dropped.
    expect(
      buildCopyTags(input({ tags: [{ Key: 'snapcopy:recovery-point', Value: 'x' }] })).map((t) => t.Key),
    ).not.toContain('snapcopy:recovery-point');
  });

  it("adopts an existing target carrying this workflow's tags (e.g. a retry after a timed-out success)", async () => {
    rds
      .on(CopyDBClusterSnapshotCommand)
      .rejects(alreadyExists())
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({
        DBClusterSnapshots: [
          snapshot('copy1', TARGET_REGION, { Status: 'copying', PercentProgress: 37, TagList: ownedTags() }),
        ],
      });
    const result = await activities().startCopy(input());
    expect(result.adopted).toBe(true);
    expect(result.snapshot).toMatchObject({ Status: 'copying', PercentProgress: 37, TagList: ownedTags() });
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand)).toHaveLength(1);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'copy1',
    });
  });

  it.each([
    ['without the managed tag', [{ Key: 'team', Value: 'db' }], 'snapcopy:managed'],
    ['of another workflow', ownedTags('snapcopy-us-west-2-other'), 'snapcopy-us-west-2-other'],
    [
      'of this workflow but copied from another source',
      ownedTags().map((t) =>
        t.Key === OWNERSHIP_TAGS.sourceArn
          ? { ...t, Value: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:other' }
          : t,
      ),
      'cluster-snapshot:other',
    ],
  ])('refuses an existing target %s, touching nothing', async (_label, tags, mention) => {
    rds
      .on(CopyDBClusterSnapshotCommand)
      .rejects(alreadyExists())
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: tags })] });
    await expectFailure(
      activities().startCopy(input()),
      'DBClusterSnapshotAlreadyExistsFault',
      true,
      'already exists',
      'copy1',
      mention,
    );
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand)).toHaveLength(1);
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('copies again when the existing target vanished before it could be described', async () => {
    rds
      .on(CopyDBClusterSnapshotCommand)
      .rejectsOnce(alreadyExists())
      .resolves({ DBClusterSnapshot: snapshot('copy1', TARGET_REGION, { Status: 'copying' }) })
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(
        new DBClusterSnapshotNotFoundFault({ message: 'DBClusterSnapshot copy1 not found.', $metadata: {} }),
      );
    const result = await activities().startCopy(input());
    expect(result).toMatchObject({ adopted: false, snapshot: { Status: 'copying' } });
    expect(rds.commandCalls(CopyDBClusterSnapshotCommand)).toHaveLength(2);
  });

  it.each([
    ['Cannot create more than 100 manual snapshots', 'manual-snapshot-quota'],
    [
      'The request cannot be processed because it would exceed the maximum number of snapshots.',
      'manual-snapshot-quota',
    ],
    ['Cannot copy more than 5 snapshots across regions', 'copies-in-flight'],
  ])('maps SnapshotQuotaExceeded %j to reason %s', async (message, reason) => {
    rds.on(CopyDBClusterSnapshotCommand).rejects(rdsError('SnapshotQuotaExceeded', message));
    const failure = await expectFailure(
      activities().startCopy(input()),
      'SnapshotQuotaExceededFault',
      true,
      message,
    );
    expect(failure.details).toEqual([{ reason }]);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(0);
  });

  it.each([
    ['throttling', rdsError('Throttling', 'Rate exceeded'), 'Throttling'],
    ['a 5xx', rdsError('InternalFailure', 'We encountered an internal error', 500), 'AwsServerError'],
    ['a network error', networkError('ECONNRESET', 'read ECONNRESET'), 'NetworkError'],
  ])('leaves %s retryable', async (_label, err, type) => {
    rds.on(CopyDBClusterSnapshotCommand).rejects(err);
    await expectFailure(activities().startCopy(input()), type, false, "Copying '" + SOURCE_ARN);
  });

  it('maps KMSKeyNotAccessibleFault and InvalidParameterCombination to non-retryable failures', async () => {
    rds.on(CopyDBClusterSnapshotCommand).rejects(rdsError('KMSKeyNotAccessibleFault', 'key not accessible'));
    await expectFailure(
      activities().startCopy(input()),
      'KMSKeyNotAccessibleFault',
      true,
      'key not accessible',
    );
    rds
      .on(CopyDBClusterSnapshotCommand)
      .rejects(rdsError('InvalidParameterCombination', 'Cannot copy an unencrypted snapshot with a KMS key'));
    await expectFailure(activities().startCopy(input()), 'InvalidParameterCombination', true, 'unencrypted');
  });
});
