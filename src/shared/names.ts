// snapcopy's fixed contract (docs/contract.md): other tools depend on these names.
// Workflow-safe (no I/O).

export const WORKFLOW_TYPE = 'copyDbClusterSnapshot';
export const DEFAULT_TASK_QUEUE = 'snapcopy';
export const CANCEL_SIGNAL = 'cancel';
export const PROGRESS_QUERY = 'progress';

/** Ownership tags carried by every copy snapcopy makes; deletion is only ever allowed with `managed`. */
export const OWNERSHIP_TAGS = {
  managed: 'snapcopy:managed',
  sourceArn: 'snapcopy:source-arn',
  sourceCluster: 'snapcopy:source-cluster',
  workflowId: 'snapcopy:workflow-id',
} as const;
export const MANAGED_TAG_VALUE = 'true';

/**
 * A hold: a snapshot tagged `snapcopy:hold` (the value is the reason, e.g. `legal hold INC-42`) is never
 * deleted by snapcopy — not by prune, retention, quota pruning, a cancel or a cleanup — whatever the rules say.
 * People set and clear it (`snapcopy hold`); the worker's IAM policy may not remove it.
 */
export const HOLD_TAG = 'snapcopy:hold';

/**
 * The recovery point of a copy: the ORIGINAL source snapshot's SnapshotCreateTime, ISO 8601 UTC
 * (`2026-12-02T03:00:12.000Z`) — the moment whose data the copy holds, not when the copy finished. Every copy
 * snapcopy makes carries it (cross-account intermediate and final copies carry the original source's time).
 */
export const RECOVERY_POINT_TAG = 'snapcopy:recovery-point';

/** Every tag snapcopy itself puts on a copy: the ownership tags and the recovery point. */
export const SNAPCOPY_COPY_TAG_KEYS: readonly string[] = [
  ...Object.values(OWNERSHIP_TAGS),
  RECOVERY_POINT_TAG,
];

/** `snapcopy-<TargetRegion>-<lowercased TargetDBClusterSnapshotIdentifier>` */
export function defaultWorkflowId(targetRegion: string, targetIdentifier: string): string {
  return `snapcopy-${targetRegion}-${targetIdentifier.toLowerCase()}`;
}

/** Failure types: the API's exception names (CopyDBClusterSnapshot reference) as ApplicationFailure types. */
export const FailureType = {
  AlreadyExists: 'DBClusterSnapshotAlreadyExistsFault',
  NotFound: 'DBClusterSnapshotNotFoundFault',
  InvalidClusterState: 'InvalidDBClusterStateFault',
  InvalidSnapshotState: 'InvalidDBClusterSnapshotStateFault',
  QuotaExceeded: 'SnapshotQuotaExceededFault',
  KmsKeyNotAccessible: 'KMSKeyNotAccessibleFault',
  InvalidParameterValue: 'InvalidParameterValue',
  InvalidParameterCombination: 'InvalidParameterCombination',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** An activity refused to delete a snapshot without snapcopy's ownership tags. */
export const SNAPSHOT_NOT_OWNED = 'SnapshotNotOwnedBySnapcopy';

/** An activity refused to delete a snapshot under a hold (HOLD_TAG); `details[0]` is `{ identifier, hold }`. */
export const SNAPSHOT_HELD = 'SnapshotHeld';

/** Failure types no retry can fix: the workflow must not retry activities that fail with them. */
export const NON_RETRYABLE_FAILURE_TYPES: string[] = Object.values(FailureType);
