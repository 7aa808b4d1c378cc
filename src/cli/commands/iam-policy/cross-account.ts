// `snapcopy iam-policy --cross-account`: every policy a cross-account copy needs, for the way the worker is
// deployed. Pure.
//
// Each side of a copy acts with a role or, without one, as the worker itself: the source side finds and shares
// the source snapshots with the target account (with a share key, first re-encrypting snapshots encrypted with
// the AWS managed key aws/rds, which cannot be shared); the target side copies the shared snapshot, in the
// source Region first when the copy crosses Regions, then into the target Region, and tags, reads and deletes
// only its own copies. Layouts: the worker in the source account assumes only the target role, in the
// destination account only the source role, in a third (tooling) account both. Cross-account use of a source key needs both the key policy (sourceKeyPolicy:
// the statements to add to each source key's policy) and an IAM policy in the using account (the target
// role's KMS statements). The statements are the single-account policy's (policy.ts), on other resources.
// Restore tests restore copies in the destination account's target Region: their statements are the target
// side's.
import { sourceKeyPolicyStatements, type KeyPolicyStatement } from '../../../shared/cross-account';
import {
  POLICY_VERSION,
  clusterSnapshotsIn,
  clustersIn,
  copyClusterSnapshots,
  deleteOnlySnapcopyCopies,
  protectHolds,
  describeClusterSnapshots,
  describeKmsKeys,
  findPlanClusters,
  keysIn,
  kmsThroughRdsOnly,
  letRdsUseKmsKeys,
  publishPlanReports,
  readClusterSnapshotTags,
  restoreTestStatements,
  tagCopiesAtCreation,
  type PolicyDocument,
  type PolicyStatement,
} from './policy';

/** Where the worker runs: the account whose side needs no role. */
export const LAYOUTS = ['worker-in-source', 'worker-in-destination', 'tooling'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface CrossAccountInput {
  partition: string;
  sourceRegions: string[];
  targetRegion: string;
  /** Absent: the worker runs in the source account and acts there as itself. */
  sourceRoleArn?: string;
  /** The account the source snapshots (and source keys) are in. */
  sourceAccount: string;
  /** Absent: the worker runs in the target account and acts there as itself. */
  targetRoleArn?: string;
  /** The account copies are made in. */
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
  /** Secrets of restore tests' SQL canaries (the target side runs them). */
  canarySecretArns?: string[];
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
  layout: Layout;
  /** The worker's own identity: it assumes the roles, and acts itself on the side without one. */
  worker: PolicyDocument;
  sourceRole?: RolePolicies;
  targetRole?: RolePolicies;
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
            ...protectHolds(snapshots),
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
      ...protectHolds(snapshots),
      describeKmsKeys(keys),
      letRdsUseKmsKeys(keys),
      kmsThroughRdsOnly(keys, partition, regions),
      ...restoreTestStatements(partition, targetAccount, [input.targetRegion], input.canarySecretArns),
    ],
  };
}

export function layoutOf(input: Pick<CrossAccountInput, 'sourceRoleArn' | 'targetRoleArn'>): Layout {
  if (input.sourceRoleArn === undefined) return 'worker-in-source';
  return input.targetRoleArn === undefined ? 'worker-in-destination' : 'tooling';
}

export function buildCrossAccountPolicies(input: CrossAccountInput): CrossAccountPolicies {
  const keys = sharedKeys(input);
  const trust = trustPolicy(input);
  const sourceSide = sourceRolePolicy(input, keys);
  const targetSide = targetRolePolicy(input, keys);
  const roles = [input.sourceRoleArn, input.targetRoleArn].filter((r): r is string => r !== undefined);
  return {
    layout: layoutOf(input),
    worker: {
      Version: POLICY_VERSION,
      Statement: [
        assumeSnapcopyRoles(roles),
        // The side without a role is the worker's own account: it acts there itself.
        ...(input.sourceRoleArn === undefined ? sourceSide.Statement : []),
        ...(input.targetRoleArn === undefined ? targetSide.Statement : []),
        ...publishPlanReports(input.snsTopicArns),
      ],
    },
    ...(input.sourceRoleArn === undefined
      ? {}
      : { sourceRole: { arn: input.sourceRoleArn, trustPolicy: trust, policy: sourceSide } }),
    ...(input.targetRoleArn === undefined
      ? {}
      : { targetRole: { arn: input.targetRoleArn, trustPolicy: trust, policy: targetSide } }),
    sourceKeyPolicy: {
      keyArns: keys,
      statements: sourceKeyPolicyStatements(input.partition, input.targetAccount),
    },
  };
}

/**
 * `--layout all`: the policies of each layout for the same two accounts (both roles given). A worker in the
 * source or destination account runs as a principal of that account (its root by default).
 */
export function buildAllLayouts(input: CrossAccountInput): Record<Layout, CrossAccountPolicies> {
  const root = (account: string) => `arn:${input.partition}:iam::${account}:root`;
  const { sourceRoleArn: _source, targetRoleArn: _target, ...sides } = input;
  return {
    'worker-in-source': buildCrossAccountPolicies({
      ...sides,
      ...(input.targetRoleArn ? { targetRoleArn: input.targetRoleArn } : {}),
      workerPrincipal: root(input.sourceAccount),
    }),
    'worker-in-destination': buildCrossAccountPolicies({
      ...sides,
      ...(input.sourceRoleArn ? { sourceRoleArn: input.sourceRoleArn } : {}),
      workerPrincipal: root(input.targetAccount),
    }),
    tooling: buildCrossAccountPolicies(input),
  };
}
