// Contract between the workflow and its activities. Type-only for workflows; implemented in this folder.
import type { Following } from '../shared/polling';
import type { DBClusterSnapshotView, Tag } from '../shared/types';
import type { PlanRunResult } from '../shared/plan-run';
import type { AssumedRole } from '../shared/cross-account';

export interface SourceSnapshotInfo {
  /** The source's ARN (always an ARN, whatever form the input used). */
  arn: string;
  identifier: string;
  region: string;
  accountId: string;
  status: string;
  encrypted: boolean;
  kmsKeyId?: string;
  clusterIdentifier: string;
  engine?: string;
  /** `manual`, `automated` or `shared` as AWS reports it. */
  snapshotType: string;
  /** Shared from another AWS account. */
  shared: boolean;
  allocatedStorage?: number;
  /** SnapshotCreateTime, ISO 8601 UTC (absent in results recorded before it was reported). */
  createTime?: string;
  tags: Tag[];
}

export interface DescribeSourceInput {
  region: string;
  /** Plain name, `rds:` automated name, or ARN. */
  identifier: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
  /** The account the snapshot is read from, when the workflow knows it: another account's snapshot is shared. */
  callerAccountId?: string;
}

export interface FindLatestSnapshotInput {
  region: string;
  clusterIdentifier: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
  /** As DescribeSourceInput's. */
  callerAccountId?: string;
}

export interface ResolveKmsKeyInput {
  region: string;
  /** Key ID, key ARN, alias name or alias ARN. */
  keyId: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export interface ResolvedKmsKey {
  keyArn: string;
  keyId: string;
  multiRegion: boolean;
}

export interface StartCopyInput {
  targetRegion: string;
  /** ARN of the source when it lives in another Region (the SDK presigns from it); ARN or name otherwise. */
  sourceIdentifier: string;
  /** The source's ARN, recorded in the ownership tags. */
  sourceArn: string;
  sourceCluster: string;
  targetIdentifier: string;
  kmsKeyArn?: string;
  copyTags?: boolean;
  /** The user's tags; the activity adds the ownership tags. */
  tags: Tag[];
  workflowId: string;
  /**
   * The ORIGINAL source snapshot's creation time (ISO 8601 UTC), tagged snapcopy:recovery-point on the copy;
   * absent in inputs recorded before the tag existed.
   */
  recoveryPoint?: string;
  preSignedUrl?: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export interface StartCopyResult {
  /** True when the target already existed with this workflow's ownership tag and was adopted. */
  adopted: boolean;
  snapshot: DBClusterSnapshotView;
}

/** ApplicationFailure details[0] of a SnapshotQuotaExceededFault from startCopy. */
export interface QuotaFailureDetails {
  reason: 'manual-snapshot-quota' | 'copies-in-flight';
}

export interface DescribeTargetInput {
  region: string;
  identifier: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export interface DeleteOwnedSnapshotInput {
  region: string;
  identifier: string;
  /** When given, the snapshot must also carry this workflow ID in `snapcopy:workflow-id`. */
  workflowId?: string;
  /** Cleanup after a failure: a snapshot found `available` (the copy finished meanwhile) is kept. */
  unlessAvailable?: boolean;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export interface DeleteOwnedSnapshotResult {
  /**
   * `deleted`: delete call accepted; `absent`: nothing there; `kept`: available, and unlessAvailable was
   * asked; refusals never delete.
   */
  result: 'deleted' | 'absent' | 'kept';
}

export interface ListOwnedCopiesInput {
  region: string;
  /** Only copies whose `snapcopy:source-cluster` tag equals this. */
  sourceCluster?: string;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

/** A snapshot listed with snapcopy's ownership tags (defined in src/shared: pruning is pure). */
export type { OwnedCopy } from '../shared/types';

export interface FindPlanSourcesInput {
  region: string;
  /** Clusters named by the plan (any case). */
  clusters: string[];
  /** Clusters carrying all of these tags are chosen too. */
  tags: Record<string, string>;
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

export interface PlanSource {
  /** Lowercased cluster identifier. */
  cluster: string;
  /** Its newest available snapshot (not a snapcopy copy); absent when it has none. */
  snapshot?: { arn: string; identifier: string; createdAt: string; encrypted: boolean };
}

export interface PlanSources {
  /** Chosen clusters, sorted by identifier. */
  sources: PlanSource[];
  /** Clusters the plan names that do not exist in the Region. */
  missing: string[];
}

export interface PublishPlanReportInput {
  /** The plan's `notify.snsTopicArn`; the message is published in the topic's Region. */
  topicArn: string;
  result: PlanRunResult;
}

export interface PublishPlanReportResult {
  /** SNS's MessageId (kept as the run result's `notified`). */
  messageId: string;
}

export interface FindCopiesOfSourcesInput {
  region: string;
  sourceArns: string[];
  /** The account's role (SourceRoleArn / TargetRoleArn); the default credentials without. */
  role?: AssumedRole;
}

/** An available snapcopy copy of a source, found by its snapcopy:source-arn tag. */
export interface CopyOfSource {
  sourceArn: string;
  identifier: string;
  arn: string;
}

export type { AssumedRole } from '../shared/cross-account';

export interface CallerAccountInput {
  /** The Region whose STS endpoint answers. */
  region: string;
  role?: AssumedRole;
}

export interface ShareSnapshotInput {
  region: string;
  /** The snapshot's name in its (the role's) account. */
  identifier: string;
  /** The account the snapshot is shared with (or no longer). */
  accountId: string;
  role?: AssumedRole;
}

export interface ShareSnapshotResult {
  /** Whether this call changed the share (false: it was already so, e.g. a share snapcopy did not add). */
  changed: boolean;
}

export interface CheckSourceKeyInput {
  /** The source snapshot's Region (where its key lives). */
  region: string;
  /** The source snapshot's KMS key ARN. */
  keyArn: string;
  /** The source account's role: tells the AWS managed key aws/rds apart. */
  source?: AssumedRole;
  /** The destination account's role, and its account ID: must be able to use the key. */
  target?: AssumedRole;
  targetAccountId: string;
}

export interface SourceKeyInfo {
  keyArn: string;
  /** `AWS` for the AWS managed key aws/rds (cannot be shared), `CUSTOMER` for a customer managed key. */
  keyManager: 'AWS' | 'CUSTOMER';
}

/** Follow a copy inside one activity (followTargetSnapshot). */
export interface FollowTargetInput extends DescribeTargetInput {
  /** What the workflow knows after its last sighting. */
  following: Following;
  /** Wait before the first poll. */
  waitSeconds: number;
  /**
   * How much earlier than due a sighting may have been made and still serve for the first poll (another copy's
   * poll of the same account and Region sees this one too); 0 or absent: a sighting made when due.
   */
  slackSeconds?: number;
  minPollSeconds: number;
  maxPollSeconds: number;
  /** Keep following while the next poll is due within this many seconds. */
  inlineSeconds: number;
  /** Hand back a sighting whose percentage changed once this many seconds have passed (the workflow shows it). */
  showChangesSeconds: number;
  /** Epoch milliseconds: no poll is planned past this (the run's slice, never past the copy's deadline). */
  untilMs: number;
}

export interface FollowTargetResult {
  following: Following;
  /** Polls made. */
  polls: number;
  /** Heartbeats sent (each that reaches Temporal is a billable action; the SDK may hold some back). */
  heartbeats: number;
  /** The last sighting (null: the target is gone) and when it was made; absent before the first. */
  view?: DBClusterSnapshotView | null;
  at?: number;
}
