// `snapcopy iam-policy --cross-account`: every policy a cross-account copy needs. Pure.
//
// The worker runs as its own principal and assumes two roles: one in the source account (find and share the
// source snapshots with the target account; with a share key, first re-encrypt snapshots encrypted with the
// AWS managed key aws/rds, which cannot be shared), and one in the target account (copy the shared snapshot,
// in the source Region first when the copy crosses Regions, then into the target Region; tag, read and
// delete only its own copies). Cross-account use of a source key needs both the key policy (sourceKeyPolicy:
// the statements to add to each source key's policy) and an IAM policy in the using account (the target
// role's KMS statements). The statements are the single-account policy's (policy.ts), on other resources.
import { sourceKeyPolicyStatements, type KeyPolicyStatement } from '../../../shared/cross-account';
import {
  POLICY_VERSION,
  clusterSnapshotsIn,
  clustersIn,
  copyClusterSnapshots,
  deleteOnlySnapcopyCopies,
  describeClusterSnapshots,
  describeKmsKeys,
  findPlanClusters,
  keysIn,
  kmsThroughRdsOnly,
  letRdsUseKmsKeys,
  publishPlanReports,
  readClusterSnapshotTags,
  tagCopiesAtCreation,
  type PolicyDocument,
  type PolicyStatement,
} from './policy';

export interface CrossAccountInput {
  partition: string;
  sourceRegions: string[];
  targetRegion: string;
  sourceRoleArn: string;
  /** The source role's account: the account the source snapshots (and source keys) are in. */
  sourceAccount: string;
  targetRoleArn: string;
  /** The target role's account: the account copies are made in. */
  targetAccount: string;
  /** Source-account keys the source snapshots are encrypted with; none = every key of the source account in
   * the source Regions. */
  sourceKmsKeyArns: string[];
  /** The source-account key aws/rds-encrypted snapshots are re-encrypted with before sharing. */
  shareKmsKeyArn?: string;
  /** Destination-account keys; none = every key of the target account in the target and source Regions. */
  kmsKeyArns: string[];
  /** Required as sts:ExternalId by both roles' trust policies. */
  externalId?: string;
  /** The principal the worker runs as (trusted by both roles). */
  workerPrincipal: string;
  /** SNS topics plan runs report to: published to by the worker as itself. */
  snsTopicArns?: string[];
}

export interface TrustStatement {
  Effect: 'Allow';
  Principal: { AWS: string };
  Action: 'sts:AssumeRole';
  Condition?: { StringEquals: { 'sts:ExternalId': string } };
}

export interface TrustPolicyDocument {
  Version: typeof POLICY_VERSION;
  Statement: TrustStatement[];
}

export interface RolePolicies {
  arn: string;
  trustPolicy: TrustPolicyDocument;
  policy: PolicyDocument;
}

export interface CrossAccountPolicies {
  /** The worker's own identity: it only assumes the two roles. */
  worker: PolicyDocument;
  sourceRole: RolePolicies;
  targetRole: RolePolicies;
  /** The statements to add to the key policy of each of keyArns (in the source account). */
  sourceKeyPolicy: { keyArns: string[]; statements: KeyPolicyStatement[] };
}

const unique = (values: string[]): string[] => [...new Set(values)];

const assumeSnapcopyRoles = (roleArns: string[]): PolicyStatement => ({
  Sid: 'AssumeSnapcopyRoles',
  Effect: 'Allow',
  Action: ['sts:AssumeRole'],
  Resource: roleArns,
});

/** Reads and changes who a cluster snapshot is shared with (shares with the target account, and unshares). */
const shareClusterSnapshots = (resources: string[]): PolicyStatement => ({
  Sid: 'ShareClusterSnapshots',
  Effect: 'Allow',
  Action: ['rds:DescribeDBClusterSnapshotAttributes', 'rds:ModifyDBClusterSnapshotAttribute'],
  Resource: resources,
});

function trustPolicy(input: CrossAccountInput): TrustPolicyDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: input.workerPrincipal },
        Action: 'sts:AssumeRole',
        ...(input.externalId === undefined
          ? {}
          : { Condition: { StringEquals: { 'sts:ExternalId': input.externalId } } }),
      },
    ],
  };
}

/** The keys the shared snapshots are encrypted with: the source keys, and the share key re-encryption uses. */
function sharedKeys(input: CrossAccountInput): string[] {
  const sourceKeys =
    input.sourceKmsKeyArns.length > 0
      ? input.sourceKmsKeyArns
      : keysIn(input.partition, input.sourceAccount, unique(input.sourceRegions));
  return unique([...sourceKeys, ...(input.shareKmsKeyArn === undefined ? [] : [input.shareKmsKeyArn])]);
}

/** Before sharing, snapcopy reads each source key's policy: may the target account use the key? */
const readKeyPolicies = (keys: string[]): PolicyStatement => ({
  Sid: 'ReadSourceKeyPolicies',
  Effect: 'Allow',
  Action: ['kms:GetKeyPolicy'],
  Resource: keys,
});

/** Source account, source Regions: find and share snapshots; with a share key, re-encrypt them first. */
function sourceRolePolicy(input: CrossAccountInput, keys: string[]): PolicyDocument {
  const { partition, sourceAccount } = input;
  const regions = unique(input.sourceRegions);
  const snapshots = clusterSnapshotsIn(partition, sourceAccount, regions);
  const clusters = clustersIn(partition, sourceAccount, regions);
  const share = input.shareKmsKeyArn;
  return {
    Version: POLICY_VERSION,
    Statement: [
      describeClusterSnapshots([...snapshots, ...clusters]),
      readClusterSnapshotTags(snapshots),
      findPlanClusters(clusters),
      shareClusterSnapshots(snapshots),
      // Re-encryption with the share key: a copy in the source account, tagged as snapcopy's, deleted after.
      ...(share === undefined
        ? []
        : [
            copyClusterSnapshots(snapshots),
            tagCopiesAtCreation(snapshots),
            deleteOnlySnapcopyCopies(snapshots),
          ]),
      // DescribeKey tells the AWS managed key aws/rds apart; the key policy says whether the target may use it.
      describeKmsKeys(keys),
      readKeyPolicies(keys),
      ...(share === undefined
        ? []
        : [letRdsUseKmsKeys([share]), kmsThroughRdsOnly(keys, partition, regions)]),
    ],
  };
}

/** Target account, target and source Regions (the intermediate copy of a cross-Region copy is made in the
 * source Region): the single-account copy statements, plus the shared source snapshots and keys. */
function targetRolePolicy(input: CrossAccountInput, sourceKeys: string[]): PolicyDocument {
  const { partition, targetAccount } = input;
  const regions = unique([...input.sourceRegions, input.targetRegion]);
  const snapshots = clusterSnapshotsIn(partition, targetAccount, regions);
  const destinationKeys =
    input.kmsKeyArns.length > 0 ? unique(input.kmsKeyArns) : keysIn(partition, targetAccount, regions);
  const keys = unique([...destinationKeys, ...sourceKeys]);
  return {
    Version: POLICY_VERSION,
    Statement: [
      // The source snapshot shared with the target account is read (and copied) by its ARN.
      describeClusterSnapshots([
        ...snapshots,
        ...clustersIn(partition, targetAccount, regions),
        ...clusterSnapshotsIn(partition, input.sourceAccount, unique(input.sourceRegions)),
      ]),
      readClusterSnapshotTags(snapshots),
      // A copy of a shared snapshot is also authorized on the source snapshot (in the source account).
      copyClusterSnapshots([
        ...snapshots,
        ...clusterSnapshotsIn(partition, input.sourceAccount, unique(input.sourceRegions)),
      ]),
      tagCopiesAtCreation(snapshots),
      deleteOnlySnapcopyCopies(snapshots),
      describeKmsKeys(keys),
      letRdsUseKmsKeys(keys),
      kmsThroughRdsOnly(keys, partition, regions),
    ],
  };
}

export function buildCrossAccountPolicies(input: CrossAccountInput): CrossAccountPolicies {
  const keys = sharedKeys(input);
  const trust = trustPolicy(input);
  return {
    worker: {
      Version: POLICY_VERSION,
      Statement: [
        assumeSnapcopyRoles([input.sourceRoleArn, input.targetRoleArn]),
        ...publishPlanReports(input.snsTopicArns),
      ],
    },
    sourceRole: { arn: input.sourceRoleArn, trustPolicy: trust, policy: sourceRolePolicy(input, keys) },
    targetRole: { arn: input.targetRoleArn, trustPolicy: trust, policy: targetRolePolicy(input, keys) },
    sourceKeyPolicy: {
      keyArns: keys,
      statements: sourceKeyPolicyStatements(input.partition, input.targetAccount),
    },
  };
}
