// The least-privilege IAM policy snapcopy's worker (and `snapcopy prune`) needs. Pure.
//
// RDS: read and copy cluster snapshots in the given Regions (a cross-Region copy is authorized in the target
// Region and, through the presigned URL, on the source snapshot in its Region); tag copies at creation (RDS
// authorizes tags in a create request as rds:AddTagsToResource); delete only cluster snapshots carrying
// snapcopy:managed=true. The Service Authorization Reference lists both aws:ResourceTag/${TagKey} and
// rds:cluster-snapshot-tag/${TagKey} for the cluster-snapshot resource that DeleteDBClusterSnapshot requires;
// both are required here (they read the same tag), so the statement holds whichever RDS evaluates.
// Holds (snapcopy:hold): Deny statements, which win over any Allow of any policy attached beside this one:
// no DeleteDBClusterSnapshot on a snapshot carrying the hold tag (one statement per condition key, since a
// Deny must apply whichever key RDS evaluates, and keys within one statement are ANDed), and no
// AddTagsToResource or RemoveTagsFromResource whose request names the key snapcopy:hold (aws:TagKeys,
// ForAnyValue): the worker can neither clear a hold nor overwrite its reason (nor set one — people set and
// clear holds with `snapcopy hold`, under their own permissions). Not expressible in IAM: "the worker may add
// its other tags to a held snapshot but not this one" beyond the key check, and which people may clear a hold
// (that is their own policies' business); the activity's own check (SnapshotHeld) does not rest on IAM.
// KMS: DescribeKey (snapcopy resolves the destination key), CreateGrant for AWS resources only (RDS creates
// grants to copy encrypted snapshots), and the crypto operations only through RDS, on the destination key and
// on the source key (a cross-Region copy of an encrypted snapshot reads it with the source key).
//
// Restore tests (verifyCopy, in the target Region): RDS authorizes RestoreDBClusterFromSnapshot on the new
// cluster (where aws:RequestTag applies) and on the snapshot, subnet group, option group and cluster parameter
// group it uses (which carry no request tags), CreateDBInstance on the new instance (request tags) and on the
// cluster, subnet, option and parameter groups. The request-tag condition is therefore on a statement of its
// own, on the throwaway cluster or instance alone (by name, `snapcopy-verify-*`): a statement that mixed them
// would either let the action create untagged clusters or never match the groups. Deleting them, enabling the
// Data API and running the canary need the throwaway's tags (snapcopy:managed=true and a snapcopy:verify-of):
// for RDS actions both aws:ResourceTag and rds:cluster-tag / rds:db-tag, as for snapshot deletes above;
// rds-data knows only aws:ResourceTag. DeleteDBCluster is allowed on clusters alone, not on cluster snapshots,
// so no final snapshot can be made. The restored copy's key is a destination key: the KMS statements cover it.
//
// The statements are built one by one below, so that the cross-account policies (cross-account.ts) are made
// of the same statements, only on other resources.
import { HOLD_TAG, MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import { partitionOfRegion } from '../../../shared/arn';
import { throwawayClusterId, VERIFY_OF_TAG, writerInstanceId } from '../../../shared/restore-tests';

export interface IamPolicyInput {
  sourceRegions: string[];
  targetRegion: string;
  /** Key ARNs (source and destination keys); none = every key of the account in the Regions. */
  kmsKeyArns: string[];
  /** 12-digit account ID, or `*`. */
  account: string;
  /** SNS topics plan runs report to (notify.snsTopicArn): sns:Publish on exactly these. */
  snsTopicArns?: string[];
  /** Secrets of restore tests' SQL canaries: with them, the Data API on throwaway clusters and these secrets. */
  canarySecretArns?: string[];
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const POLICY_VERSION = '2012-10-17';

/** The DNS suffix of a partition's service endpoints (kms:ViaService values). */
function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

// --- Resources ------------------------------------------------------------------------------------------------

/** The RDS resources of one account in some Regions, e.g. `cluster-snapshot:*` or `cluster:*`. */
export function rdsResources(
  partition: string,
  account: string,
  regions: string[],
  resource: string,
): string[] {
  return regions.map((r) => `arn:${partition}:rds:${r}:${account}:${resource}`);
}

export const clusterSnapshotsIn = (partition: string, account: string, regions: string[]): string[] =>
  rdsResources(partition, account, regions, 'cluster-snapshot:*');

export const clustersIn = (partition: string, account: string, regions: string[]): string[] =>
  rdsResources(partition, account, regions, 'cluster:*');

/** Restore tests' throwaway clusters (`snapcopy-verify-<8 hex>`) of one account in some Regions. */
export const verifyClustersIn = (partition: string, account: string, regions: string[]): string[] =>
  rdsResources(partition, account, regions, `cluster:${throwawayClusterId('*')}`);

/** Their writers (`snapcopy-verify-<8 hex>-writer`). */
export const verifyWritersIn = (partition: string, account: string, regions: string[]): string[] =>
  rdsResources(partition, account, regions, `db:${writerInstanceId(throwawayClusterId('*'))}`);

/** Every KMS key of one account in some Regions. */
export const keysIn = (partition: string, account: string, regions: string[]): string[] =>
  regions.map((r) => `arn:${partition}:kms:${r}:${account}:key/*`);

// --- Statements -----------------------------------------------------------------------------------------------

const managedTag = OWNERSHIP_TAGS.managed;

export const describeClusterSnapshots = (resources: string[]): PolicyStatement => ({
  Sid: 'DescribeClusterSnapshots',
  Effect: 'Allow',
  Action: ['rds:DescribeDBClusterSnapshots'],
  Resource: resources,
});

/** Plans choose clusters by name and tags (TagList comes with DescribeDBClusters). */
export const findPlanClusters = (resources: string[]): PolicyStatement => ({
  Sid: 'FindPlanClusters',
  Effect: 'Allow',
  Action: ['rds:DescribeDBClusters'],
  Resource: resources,
});

export const readClusterSnapshotTags = (resources: string[]): PolicyStatement => ({
  Sid: 'ReadClusterSnapshotTags',
  Effect: 'Allow',
  Action: ['rds:ListTagsForResource'],
  Resource: resources,
});

export const copyClusterSnapshots = (resources: string[]): PolicyStatement => ({
  Sid: 'CopyClusterSnapshots',
  Effect: 'Allow',
  Action: ['rds:CopyDBClusterSnapshot'],
  Resource: resources,
});

/** Tags only in requests that set snapcopy:managed=true (the tags a copy is created with). */
export const tagCopiesAtCreation = (resources: string[]): PolicyStatement => ({
  Sid: 'TagCopiesAtCreation',
  Effect: 'Allow',
  Action: ['rds:AddTagsToResource'],
  Resource: resources,
  Condition: { StringEquals: { [`aws:RequestTag/${managedTag}`]: MANAGED_TAG_VALUE } },
});

/** Deletes only cluster snapshots tagged snapcopy:managed=true (both condition keys: see the header). */
export const deleteOnlySnapcopyCopies = (resources: string[]): PolicyStatement => ({
  Sid: 'DeleteOnlySnapcopyCopies',
  Effect: 'Allow',
  Action: ['rds:DeleteDBClusterSnapshot'],
  Resource: resources,
  Condition: {
    StringEquals: {
      [`aws:ResourceTag/${managedTag}`]: MANAGED_TAG_VALUE,
      [`rds:cluster-snapshot-tag/${managedTag}`]: MANAGED_TAG_VALUE,
    },
  },
});

/**
 * Holds: never delete a snapshot tagged snapcopy:hold, never add (overwrite) or remove that tag. Deny
 * statements, so no Allow elsewhere lifts them; always beside tagCopiesAtCreation / deleteOnlySnapcopyCopies.
 */
export const protectHolds = (resources: string[]): PolicyStatement[] => [
  {
    Sid: 'NeverDeleteHeldSnapshots',
    Effect: 'Deny',
    Action: ['rds:DeleteDBClusterSnapshot'],
    Resource: resources,
    Condition: { Null: { [`aws:ResourceTag/${HOLD_TAG}`]: 'false' } },
  },
  {
    Sid: 'NeverDeleteHeldSnapshotsRdsKey',
    Effect: 'Deny',
    Action: ['rds:DeleteDBClusterSnapshot'],
    Resource: resources,
    Condition: { Null: { [`rds:cluster-snapshot-tag/${HOLD_TAG}`]: 'false' } },
  },
  {
    Sid: 'NeverTouchTheHoldTag',
    Effect: 'Deny',
    Action: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
    Resource: resources,
    Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [HOLD_TAG] } },
  },
];

// --- Restore tests --------------------------------------------------------------------------------------------

const verifyOfTag = VERIFY_OF_TAG;

/** In the create request: snapcopy:managed=true and a snapcopy:verify-of tag. */
const createdAsThrowaway = {
  StringEquals: { [`aws:RequestTag/${managedTag}`]: MANAGED_TAG_VALUE },
  Null: { [`aws:RequestTag/${verifyOfTag}`]: 'false' },
};

/** On the resource: snapcopy:managed=true and a snapcopy:verify-of tag (`rdsTagKey` e.g. `rds:cluster-tag`). */
const taggedAsThrowaway = (rdsTagKey?: string): NonNullable<PolicyStatement['Condition']> => ({
  StringEquals: {
    [`aws:ResourceTag/${managedTag}`]: MANAGED_TAG_VALUE,
    ...(rdsTagKey ? { [`${rdsTagKey}/${managedTag}`]: MANAGED_TAG_VALUE } : {}),
  },
  Null: {
    [`aws:ResourceTag/${verifyOfTag}`]: 'false',
    ...(rdsTagKey ? { [`${rdsTagKey}/${verifyOfTag}`]: 'false' } : {}),
  },
});

/** The restore's new cluster, only tagged as a throwaway in the request (tags at creation need AddTags). */
export const restoreVerifyClusters = (clusters: string[]): PolicyStatement => ({
  Sid: 'RestoreVerifyClusters',
  Effect: 'Allow',
  Action: ['rds:RestoreDBClusterFromSnapshot', 'rds:AddTagsToResource'],
  Resource: clusters,
  Condition: createdAsThrowaway,
});

/** What the restore reads: the copy, and the groups it names (or the defaults). No request tags here. */
export const restoreFromCopies = (snapshotsAndGroups: string[]): PolicyStatement => ({
  Sid: 'RestoreFromCopies',
  Effect: 'Allow',
  Action: ['rds:RestoreDBClusterFromSnapshot'],
  Resource: snapshotsAndGroups,
});

/** The writer instance, only tagged as a throwaway in the request. */
export const createVerifyWriters = (writers: string[]): PolicyStatement => ({
  Sid: 'CreateVerifyWriters',
  Effect: 'Allow',
  Action: ['rds:CreateDBInstance', 'rds:AddTagsToResource'],
  Resource: writers,
  Condition: createdAsThrowaway,
});

/** What the writer is created in: the throwaway cluster (by name) and the groups. No request tags here. */
export const createWritersIn = (clustersAndGroups: string[]): PolicyStatement => ({
  Sid: 'CreateWritersInVerifyClusters',
  Effect: 'Allow',
  Action: ['rds:CreateDBInstance'],
  Resource: clustersAndGroups,
});

/** Reads: restore progress and the tags re-checked before each delete. */
export const describeVerifyResources = (resources: string[]): PolicyStatement => ({
  Sid: 'DescribeVerifyResources',
  Effect: 'Allow',
  Action: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:ListTagsForResource'],
  Resource: resources,
});

export const deleteOnlyVerifyWriters = (writers: string[]): PolicyStatement => ({
  Sid: 'DeleteOnlyVerifyWriters',
  Effect: 'Allow',
  Action: ['rds:DeleteDBInstance'],
  Resource: writers,
  Condition: taggedAsThrowaway('rds:db-tag'),
});

/** On clusters only (no cluster-snapshot resource): the delete cannot make a final snapshot. */
export const deleteOnlyVerifyClusters = (clusters: string[]): PolicyStatement => ({
  Sid: 'DeleteOnlyVerifyClusters',
  Effect: 'Allow',
  Action: ['rds:DeleteDBCluster'],
  Resource: clusters,
  Condition: taggedAsThrowaway('rds:cluster-tag'),
});

/** The SQL canary (only with its secrets): the Data API on throwaway clusters, and the secrets it logs in with. */
export const sqlCanary = (clusters: string[], secrets: string[] | undefined): PolicyStatement[] =>
  secrets?.length
    ? [
        {
          Sid: 'EnableDataApiOnVerifyClusters',
          Effect: 'Allow',
          Action: ['rds:EnableHttpEndpoint'],
          Resource: clusters,
          Condition: taggedAsThrowaway('rds:cluster-tag'),
        },
        {
          Sid: 'QueryVerifyClusters',
          Effect: 'Allow',
          Action: ['rds-data:ExecuteStatement'],
          Resource: clusters,
          Condition: taggedAsThrowaway(),
        },
        {
          Sid: 'ReadCanarySecrets',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue'],
          Resource: [...new Set(secrets)],
        },
      ]
    : [];

/** Every restore-test statement, for one account's target Region(s). */
export function restoreTestStatements(
  partition: string,
  account: string,
  regions: string[],
  canarySecretArns: string[] | undefined,
): PolicyStatement[] {
  const clusters = verifyClustersIn(partition, account, regions);
  const writers = verifyWritersIn(partition, account, regions);
  const groups = (...types: string[]) =>
    types.flatMap((t) => rdsResources(partition, account, regions, `${t}:*`));
  return [
    restoreVerifyClusters(clusters),
    restoreFromCopies([
      ...clusterSnapshotsIn(partition, account, regions),
      ...groups('subgrp', 'og', 'cluster-pg'),
    ]),
    createVerifyWriters(writers),
    createWritersIn([...clusters, ...groups('subgrp', 'og', 'pg')]),
    describeVerifyResources([...clustersIn(partition, account, regions), ...groups('db')]),
    deleteOnlyVerifyWriters(writers),
    deleteOnlyVerifyClusters(clusters),
    ...sqlCanary(clusters, canarySecretArns),
  ];
}

// --- KMS --------------------------------------------------------------------------------------------------------

export const describeKmsKeys = (keys: string[]): PolicyStatement => ({
  Sid: 'DescribeKmsKeys',
  Effect: 'Allow',
  Action: ['kms:DescribeKey'],
  Resource: keys,
});

/** CreateGrant only for AWS resources (RDS creates grants to copy encrypted snapshots). */
export const letRdsUseKmsKeys = (keys: string[]): PolicyStatement => ({
  Sid: 'LetRdsUseKmsKeys',
  Effect: 'Allow',
  Action: ['kms:CreateGrant'],
  Resource: keys,
  Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
});

/** The crypto operations, only through RDS in the given Regions. */
export const kmsThroughRdsOnly = (keys: string[], partition: string, regions: string[]): PolicyStatement => ({
  Sid: 'KmsThroughRdsOnly',
  Effect: 'Allow',
  Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
  Resource: keys,
  Condition: {
    StringEquals: { 'kms:ViaService': regions.map((r) => `rds.${r}.${dnsSuffix(partition)}`) },
  },
});

/** sns:Publish on exactly the given topics; no statement at all without topics. */
export const publishPlanReports = (topics: string[] | undefined): PolicyStatement[] =>
  topics?.length
    ? [
        {
          Sid: 'PublishPlanReports',
          Effect: 'Allow',
          Action: ['sns:Publish'],
          Resource: [...new Set(topics)],
        },
      ]
    : [];

// --- The single-account policy --------------------------------------------------------------------------------

export function buildIamPolicy(input: IamPolicyInput): PolicyDocument {
  const partition = partitionOfRegion(input.targetRegion);
  const regions = [...new Set([...input.sourceRegions, input.targetRegion])];
  const snapshots = clusterSnapshotsIn(partition, input.account, regions);
  const targetSnapshots = clusterSnapshotsIn(partition, input.account, [input.targetRegion]);
  const keys =
    input.kmsKeyArns.length > 0 ? [...new Set(input.kmsKeyArns)] : keysIn(partition, input.account, regions);

  return {
    Version: POLICY_VERSION,
    Statement: [
      describeClusterSnapshots([...snapshots, ...clustersIn(partition, input.account, regions)]),
      findPlanClusters(clustersIn(partition, input.account, input.sourceRegions)),
      readClusterSnapshotTags(snapshots),
      copyClusterSnapshots(snapshots),
      tagCopiesAtCreation(targetSnapshots),
      deleteOnlySnapcopyCopies(targetSnapshots),
      ...protectHolds(targetSnapshots),
      describeKmsKeys(keys),
      letRdsUseKmsKeys(keys),
      kmsThroughRdsOnly(keys, partition, regions),
      // Restore tests restore copies where they are made.
      ...restoreTestStatements(partition, input.account, [input.targetRegion], input.canarySecretArns),
      ...publishPlanReports(input.snsTopicArns),
    ],
  };
}
