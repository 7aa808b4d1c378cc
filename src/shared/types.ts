// Input, result and progress shapes of the copyDbClusterSnapshot workflow (docs/contract.md). Workflow-safe.
import type { RetentionRules } from './retention-rules';
import type { VerifyOptions, VerifyOutcome } from './restore-tests';

export interface Tag {
  Key: string;
  Value: string;
}

export interface CopyOptions {
  /** Shortest wait between two progress polls, seconds (default 15). */
  minPollSeconds?: number;
  /** Longest wait between two progress polls, seconds (default 300). */
  maxPollSeconds?: number;
  /**
   * Polls due within this many seconds of the one before are made by one activity that waits between them
   * itself, up to a few minutes at a time (default 60; 0: every poll waits on a workflow timer). Fewer
   * history events and billable actions per copy; the long waits of a big copy stay timers either way.
   */
  followInActivitySeconds?: number;
  /** Give up (delete the unfinished target, fail) when the copy is not `available` after this many seconds. Default: none. */
  deadlineSeconds?: number;
  /** On SnapshotQuotaExceeded (manual-snapshot quota): prune the oldest snapcopy-owned copies of the same source cluster (default true). */
  pruneOnQuota?: boolean;
  /** Never prune the newest `keep` snapcopy-owned copies of the source cluster (default 1). */
  keep?: number;
  /** What a cancel does once the copy is already `available`: keep it (default) or delete it. */
  onCancelAfterAvailable?: 'keep' | 'delete';
  /** Wait between attempts while the copies-in-flight limit is reached, seconds (default 60). */
  slotWaitSeconds?: number;
  /**
   * Retention after a successful copy: keep the newest `retain` snapcopy-owned copies of the source cluster
   * in the destination Region and delete older ones (only snapcopy-owned ones). Default: off.
   */
  retain?: number;
  /**
   * Tiered retention after a successful copy (plans): keep what any rule keeps among the snapcopy-owned
   * copies of the source cluster in the destination Region, delete the rest (never the copy just made).
   */
  retention?: RetentionRules;
  /** Polls per workflow run before continuing as new, bounding the history (default 250, about 2,800 events). */
  pollsPerRun?: number;
  /** Copy-slot priority: 1 (highest) … 5 (lowest), default 3; first come, first served within a priority. */
  priority?: number;
  /** sts:ExternalId for assuming SourceRoleArn / TargetRoleArn, when their trust policies ask for one. */
  externalId?: string;
  /**
   * Cross-account copies of a snapshot encrypted with the AWS managed key aws/rds (which cannot be shared):
   * a customer managed key of the source account, in the source Region, to re-encrypt it with first.
   */
  shareKmsKeyId?: string;
  /**
   * Once the copy is `available`, prove it restores: a restore test (verifyCopy) of it runs as a child, and the
   * summary carries its outcome. `true` for the defaults, or the restore test's options.
   */
  verify?: true | Omit<VerifyOptions, 'externalId'>;
}

export interface CopyDbClusterSnapshotInput {
  /** Name, `rds:` automated name or ARN. Give either this or SourceDBClusterIdentifier. */
  SourceDBClusterSnapshotIdentifier?: string;
  /**
   * snapcopy's extension for schedules: copy the newest `available` (automated or manual) snapshot of this
   * cluster, in SourceRegion. Without a TargetDBClusterSnapshotIdentifier the target name is derived from
   * the cluster and the scheduled (or start) time, so a retried or backfilled run finds its own copy.
   */
  SourceDBClusterIdentifier?: string;
  /** Required unless SourceDBClusterIdentifier is given. */
  TargetDBClusterSnapshotIdentifier?: string;
  KmsKeyId?: string;
  CopyTags?: boolean;
  Tags?: Tag[];
  SourceRegion?: string;
  TargetRegion: string;
  PreSignedUrl?: string;
  /** A role in the source snapshot's account, assumed for its calls (describe, share, re-encrypt). */
  SourceRoleArn?: string;
  /** A role in the destination account, assumed for the copy and everything in that account. */
  TargetRoleArn?: string;
  options?: CopyOptions;
}

/** The API's DBClusterSnapshot fields (CopyDBClusterSnapshot reference, Response Syntax), read back. */
export interface DBClusterSnapshotView {
  AvailabilityZones?: string[];
  DBClusterSnapshotIdentifier?: string;
  DBClusterIdentifier?: string;
  SnapshotCreateTime?: string;
  Engine?: string;
  EngineMode?: string;
  AllocatedStorage?: number;
  Status?: string;
  Port?: number;
  VpcId?: string;
  ClusterCreateTime?: string;
  MasterUsername?: string;
  EngineVersion?: string;
  LicenseModel?: string;
  SnapshotType?: string;
  PercentProgress?: number;
  StorageEncrypted?: boolean;
  KmsKeyId?: string;
  DBClusterSnapshotArn?: string;
  SourceDBClusterSnapshotArn?: string;
  IAMDatabaseAuthenticationEnabled?: boolean;
  TagList?: Tag[];
  DBSystemId?: string;
  StorageType?: string;
  DbClusterResourceId?: string;
  StorageThroughput?: number;
}

export type Outcome = 'copied' | 'cancelled' | 'already-present';

export interface PrunedSnapshot {
  DBClusterSnapshotIdentifier: string;
  DBClusterSnapshotArn: string;
  SnapshotCreateTime?: string;
}

/** A copy quota pruning or retention left alone because of its hold (`snapcopy:hold`): `hold` is the reason. */
export interface HeldSnapshot extends PrunedSnapshot {
  hold: string;
}

export interface CopySummary {
  outcome: Outcome;
  workflowId: string;
  sourceArn: string;
  targetArn?: string;
  sourceRegion: string;
  targetRegion: string;
  kmsKeyArn?: string;
  startedAt: string;
  finishedAt: string;
  /** Seconds from the copy being started in AWS to it being `available`. */
  copySeconds?: number;
  polls: number;
  runs: number;
  pruned: PrunedSnapshot[];
  /** Older copies deleted by retention (options.retain) after this copy succeeded. */
  retired: PrunedSnapshot[];
  /**
   * Copies of the cluster that quota pruning or retention left alone for a hold (`snapcopy:hold`), with the
   * reason; absent when none.
   */
  held?: HeldSnapshot[];
  slotWaits: number;
  cancelReason?: string;
  /** After a cancel: whether the target was deleted (false = kept: already available, or on hold). */
  targetDeleted?: boolean;
  /** After a cancel: the target was kept because of its hold (the reason). */
  targetHeld?: string;
  crossAccount?: CrossAccountSummary;
  /** options.verify: the restore test of the copy (its workflow, outcome and what a restore took). */
  verify?: CopyVerifySummary;
}

export interface CopyVerifySummary {
  workflowId: string;
  outcome: VerifyOutcome;
  totalSeconds?: number;
  /** The fault or failed check, when the outcome is `failed`. */
  failure?: string;
}

export interface CopyDbClusterSnapshotResult {
  /** The target as AWS describes it at the end; absent when the copy was cancelled and deleted. */
  DBClusterSnapshot?: DBClusterSnapshotView;
  summary: CopySummary;
}

export type Phase =
  | 'validating'
  | 'describing-source'
  | 'resolving-key'
  | 'waiting-for-slot'
  | 'starting'
  | 'copying'
  | 'pruning'
  | 'retention'
  | 'checking-key'
  | 'sharing'
  | 'copying-intermediate'
  | 'unsharing'
  | 'cancelling'
  | 'verifying'
  | 'completed'
  | 'cancelled'
  | 'failed';

/**
 * One copy of a cross-account copy's chain: `re-encrypt` (an aws/rds-encrypted source copied with
 * options.shareKmsKeyId in the source account), `intermediate` (the encrypted shared source copied into the
 * destination account in the source Region, where AWS does not copy it across Regions), `final` (the target).
 * Intermediates are child workflows (`workflowId`) and are deleted once the final copy is available.
 */
export interface HopView {
  hop: 're-encrypt' | 'intermediate' | 'final';
  accountId: string;
  region: string;
  identifier: string;
  workflowId: string;
  /** `pending`, `copying`, `available`, `deleted`, or how it ended otherwise. */
  status: string;
}

/** What a copy into another account did besides the copy itself. */
export interface CrossAccountSummary {
  sourceAccountId: string;
  targetAccountId: string;
  /** snapcopy shared the source with the destination account (and took the share back at the end). */
  shared: boolean;
  hops: HopView[];
}

export interface Progress {
  phase: Phase;
  sourceArn?: string;
  targetArn?: string;
  sourceRegion?: string;
  targetRegion: string;
  targetIdentifier: string;
  kmsKeyArn?: string;
  /** Target status as AWS last reported it (`copying`, `available`, ...). */
  status?: string;
  percent: number;
  /** Estimated seconds until `available`, when progress allows an estimate. */
  etaSeconds?: number;
  copyStartedAt?: string;
  lastPolledAt?: string;
  nextPollAt?: string;
  polls: number;
  runs: number;
  pruned: PrunedSnapshot[];
  retired: PrunedSnapshot[];
  /** Copies kept for a hold by quota pruning or retention (absent when none). */
  held?: HeldSnapshot[];
  slotWaits: number;
  /**
   * While `waiting-for-slot`, copies of 0.3 and before: their place in the copy-slot queue (1 = next) when
   * they asked. Copies since ask without waiting for the scheduler and leave it out; the scheduler's `slots`
   * query (`slotsWorkflowId`) has the live order, which `snapcopy status` and `copy --wait` show.
   */
  queuePosition?: number;
  /** The copySlots workflow this copy asks for its slot (snapcopy-slots-<accountId>-<region>). */
  slotsWorkflowId?: string;
  message?: string;
  outcome?: Outcome;
  error?: { type: string; message: string };
  cancelRequested: boolean;
  cancelReason?: string;
  /** Cross-account copies: the chain of copies and where each one is. */
  hops?: HopView[];
  /** Cross-account copies: the account snapcopy shared the source with, while the share is held. */
  sharedWith?: string;
}

/** A snapshot in a destination Region with snapcopy's ownership tags read out (listOwnedCopies). */
export interface OwnedCopy {
  identifier: string;
  arn: string;
  status: string;
  createTime?: string;
  sourceCluster?: string;
  workflowId?: string;
  /** The `snapcopy:hold` tag's value (the reason) when the copy is on hold: never deleted by snapcopy. */
  hold?: string;
  tags: Tag[];
}

export interface CancelSignalArgs {
  reason?: string;
}
