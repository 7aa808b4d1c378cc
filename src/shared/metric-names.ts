// Names of snapcopy's own metrics, shared by the workflow (which records them) and the worker (which
// serves them, with histogram buckets fit for copies). Workflow-safe.

export const METRICS = {
  copiesStarted: 'snapcopy_copies_started',
  copiesCompleted: 'snapcopy_copies_completed',
  copiesFailed: 'snapcopy_copies_failed',
  copiesCancelled: 'snapcopy_copies_cancelled',
  bytesCopied: 'snapcopy_bytes_copied',
  copyDuration: 'snapcopy_copy_duration_seconds',
  planRunsCompleted: 'snapcopy_plan_runs_completed',
  planRunsFailed: 'snapcopy_plan_runs_failed',
  slotOldestWait: 'snapcopy_slot_oldest_wait_seconds',
} as const;

/** Copies take minutes to many hours: the SDK's default buckets are made for milliseconds. */
export const COPY_DURATION_BUCKETS_SECONDS = [
  30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 172_800,
];
