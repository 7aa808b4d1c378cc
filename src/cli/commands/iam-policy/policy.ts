// The least-privilege IAM policy snapcopy's worker (and `snapcopy prune`) needs. Pure.
//
// RDS: read and copy cluster snapshots in the given Regions (a cross-Region copy is authorized in the target
// Region and, through the presigned URL, on the source snapshot in its Region); tag copies at creation (RDS
// authorizes tags in a create request as rds:AddTagsToResource); delete only cluster snapshots carrying
// snapcopy:managed=true. The Service Authorization Reference lists both aws:ResourceTag/${TagKey} and
// rds:cluster-snapshot-tag/${TagKey} for the cluster-snapshot resource that DeleteDBClusterSnapshot requires;
// both are required here (they read the same tag), so the statement holds whichever RDS evaluates.
// KMS: DescribeKey (snapcopy resolves the destination key), CreateGrant for AWS resources only (RDS creates
// grants to copy encrypted snapshots), and the crypto operations only through RDS, on the destination key and
// on the source key (a cross-Region copy of an encrypted snapshot reads it with the source key).
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import { partitionOfRegion } from '../../../shared/arn';

export interface IamPolicyInput {
  sourceRegions: string[];
  targetRegion: string;
  /** Key ARNs (source and destination keys); none = every key of the account in the Regions. */
  kmsKeyArns: string[];
  /** 12-digit account ID, or `*`. */
  account: string;
  /** SNS topics plan runs report to (notify.snsTopicArn): sns:Publish on exactly these. */
  snsTopicArns?: string[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The DNS suffix of a partition's service endpoints (kms:ViaService values). */
function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export function buildIamPolicy(input: IamPolicyInput): PolicyDocument {
  const partition = partitionOfRegion(input.targetRegion);
  const regions = [...new Set([...input.sourceRegions, input.targetRegion])];
  const rds = (region: string, resource: string) =>
    `arn:${partition}:rds:${region}:${input.account}:${resource}`;
  const snapshotsIn = (rs: string[]) => rs.map((r) => rds(r, 'cluster-snapshot:*'));
  const keys =
    input.kmsKeyArns.length > 0
      ? [...new Set(input.kmsKeyArns)]
      : regions.map((r) => `arn:${partition}:kms:${r}:${input.account}:key/*`);
  const managedTag = `${OWNERSHIP_TAGS.managed}`;

  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DescribeClusterSnapshots',
        Effect: 'Allow',
        Action: ['rds:DescribeDBClusterSnapshots'],
        Resource: [...snapshotsIn(regions), ...regions.map((r) => rds(r, 'cluster:*'))],
      },
      {
        // Plans choose clusters by name and tags (TagList comes with DescribeDBClusters).
        Sid: 'FindPlanClusters',
        Effect: 'Allow',
        Action: ['rds:DescribeDBClusters'],
        Resource: input.sourceRegions.map((r) => rds(r, 'cluster:*')),
      },
      {
        Sid: 'ReadClusterSnapshotTags',
        Effect: 'Allow',
        Action: ['rds:ListTagsForResource'],
        Resource: snapshotsIn(regions),
      },
      {
        Sid: 'CopyClusterSnapshots',
        Effect: 'Allow',
        Action: ['rds:CopyDBClusterSnapshot'],
        Resource: snapshotsIn(regions),
      },
      {
        Sid: 'TagCopiesAtCreation',
        Effect: 'Allow',
        Action: ['rds:AddTagsToResource'],
        Resource: snapshotsIn([input.targetRegion]),
        Condition: { StringEquals: { [`aws:RequestTag/${managedTag}`]: MANAGED_TAG_VALUE } },
      },
      {
        Sid: 'DeleteOnlySnapcopyCopies',
        Effect: 'Allow',
        Action: ['rds:DeleteDBClusterSnapshot'],
        Resource: snapshotsIn([input.targetRegion]),
        Condition: {
          StringEquals: {
            [`aws:ResourceTag/${managedTag}`]: MANAGED_TAG_VALUE,
            [`rds:cluster-snapshot-tag/${managedTag}`]: MANAGED_TAG_VALUE,
          },
        },
      },
      {
        Sid: 'DescribeKmsKeys',
        Effect: 'Allow',
        Action: ['kms:DescribeKey'],
        Resource: keys,
      },
      {
        Sid: 'LetRdsUseKmsKeys',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: keys,
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Sid: 'KmsThroughRdsOnly',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: keys,
        Condition: {
          StringEquals: { 'kms:ViaService': regions.map((r) => `rds.${r}.${dnsSuffix(partition)}`) },
        },
      },
      ...(input.snsTopicArns?.length
        ? [
            {
              Sid: 'PublishPlanReports',
              Effect: 'Allow' as const,
              Action: ['sns:Publish'],
              Resource: [...new Set(input.snsTopicArns)],
            },
          ]
        : []),
    ],
  };
}
