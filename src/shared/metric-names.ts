// Names of snapcopy's own metrics, shared by the workflow (which records them) and the worker (which
// serves them, with histogram buckets fit for copies and restores). Workflow-safe. The SDK's Prometheus
// exporter serves a name as it is (no `_total` or unit suffix added: countersTotalSuffix and unitSuffix are
// off), so a name here is the name on the endpoint and in deploy/prometheus/alerts.yml.

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
  /** Restore tests (verifyCopy) ended, by outcome: restorable, failed or cancelled. */
  restoreTests: 'snapcopy_restore_tests_total',
  restoreDuration: 'snapcopy_restore_duration_seconds',
  // The RPO audit (auditPlan, every 15 minutes per plan): gauges, in epoch seconds unless said otherwise.
  /**
   * The newest restorable copy's recovery point (its source snapshot's creation time), per plan, cluster,
   * destination `region` and `account`; 0 means there is no restorable copy there (missing).
   */
  recoveryPoint: 'snapcopy_recovery_point_timestamp_seconds',
  /** A plan's RPO in seconds, per plan. */
  rpo: 'snapcopy_rpo_seconds',
  /** When the last restore test of a cluster in a destination ended, per plan, cluster, region, account, outcome. */
  lastRestoreTest: 'snapcopy_last_restore_test_timestamp_seconds',
  /** The audit's heartbeat: when its last evaluation of a plan completed, per plan. */
  rpoAudit: 'snapcopy_rpo_audit_timestamp_seconds',
} as const;

/** Copies take minutes to many hours: the SDK's default buckets are made for milliseconds. */
export const COPY_DURATION_BUCKETS_SECONDS = [
  30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 172_800,
];

/** A restore (cluster, then its writer) takes minutes to a few hours; a restore test gives up after 4 hours. */
export const RESTORE_DURATION_BUCKETS_SECONDS = [
  60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10_800, 14_400, 21_600,
];
