// snapcopy's own metrics and lifecycle log lines, emitted from the workflow. Both go through the SDK
// (`metricMeter` and `log` from @temporalio/workflow), which drops them while a history is replayed, so a
// copy is counted once however often its workflow is replayed, and the workflow stays deterministic
// (neither adds history events). The worker serves the metrics on its Prometheus endpoint beside
// Temporal's own, tagged with namespace, task_queue and workflow_type by the SDK.
import { ActivityFailure, ApplicationFailure, log, metricMeter, TemporalFailure } from '@temporalio/workflow';
import type { MetricTags } from '@temporalio/common';
import { METRICS } from '../shared/metric-names';
import type { PlanRunResult } from '../shared/plan-run';
import type { AuditResult } from '../shared/rpo-audit';
import type { VerifyOutcome } from '../shared/restore-tests';
import type { DBClusterSnapshotView, Outcome } from '../shared/types';

const GIB = 1024 ** 3;

export interface CopyRegions {
  sourceRegion: string;
  targetRegion: string;
}

function tags(regions: CopyRegions, extra: MetricTags = {}): MetricTags {
  return { source_region: regions.sourceRegion, target_region: regions.targetRegion, ...extra };
}

/** A copy was issued (or one this workflow issued earlier is adopted while still running). */
export function recordCopyStarted(regions: CopyRegions, target: DBClusterSnapshotView | undefined): void {
  metricMeter
    .createCounter(METRICS.copiesStarted, 'copies', 'Cluster snapshot copies started')
    .add(1, tags(regions));
  log.info('copy started', {
    ...regions,
    targetIdentifier: target?.DBClusterSnapshotIdentifier,
    status: target?.Status,
  });
}

/**
 * The workflow completed. Bytes and duration are only counted for copies this workflow made:
 * `already-present` found the copy done and transferred nothing.
 */
export function recordCopyCompleted(
  regions: CopyRegions,
  outcome: Outcome,
  target: DBClusterSnapshotView | undefined,
  copyMs: number | undefined,
): void {
  metricMeter
    .createCounter(METRICS.copiesCompleted, 'copies', 'Cluster snapshot copies completed (available)')
    .add(1, tags(regions, { outcome }));
  const allocatedGiB = target?.AllocatedStorage;
  if (outcome === 'copied') {
    if (allocatedGiB !== undefined && allocatedGiB > 0) {
      metricMeter
        .createCounter(
          METRICS.bytesCopied,
          'bytes',
          'Allocated storage of the completed copies (AllocatedStorage GiB in bytes)',
        )
        .add(Math.round(allocatedGiB * GIB), tags(regions));
    }
    if (copyMs !== undefined && copyMs >= 0) {
      metricMeter
        .createHistogram(
          METRICS.copyDuration,
          'float',
          's',
          'Time from CopyDBClusterSnapshot to the copy being available',
        )
        .record(copyMs / 1000, tags(regions));
    }
  }
  log.info('copy completed', {
    ...regions,
    outcome,
    targetIdentifier: target?.DBClusterSnapshotIdentifier,
    allocatedStorageGiB: allocatedGiB,
    copySeconds: copyMs !== undefined ? Math.round(copyMs / 1000) : undefined,
  });
}

/** The workflow ends cancelled (cancel signal or Temporal cancellation). */
export function recordCopyCancelled(regions: CopyRegions, targetDeleted: boolean | undefined): void {
  metricMeter
    .createCounter(METRICS.copiesCancelled, 'copies', 'Cluster snapshot copies cancelled')
    .add(1, tags(regions));
  log.info('copy cancelled', { ...regions, targetDeleted });
}

/** The failure type callers see (the API's exception names), or the failure class for others. */
function failureType(err: TemporalFailure): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'Error';
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return cause.type ?? 'Error';
    return cause?.name ?? err.name;
  }
  return err.name;
}

/**
 * The workflow is about to fail with `err`. Anything that is not a Temporal failure (continue-as-new, a
 * bug that fails the workflow task and is retried) does not end the workflow and is not counted.
 * `regions` is undefined when the input itself was invalid (its Regions are not trustworthy labels).
 */
export function recordCopyFailed(regions: CopyRegions | undefined, err: unknown): void {
  if (!(err instanceof TemporalFailure)) return;
  const type = failureType(err);
  const labels = regions ?? { sourceRegion: 'unknown', targetRegion: 'unknown' };
  metricMeter
    .createCounter(METRICS.copiesFailed, 'copies', 'Cluster snapshot copies failed, by failure type')
    .add(1, tags(labels, { failure_type: type }));
  log.warn('copy failed', { ...labels, failureType: type, error: err.message });
}

/** A plan run ended: completed (everything copied or present) or failed (something was not copied). */
export function recordPlanRun(plan: string, result: PlanRunResult): void {
  const name = result.failed ? METRICS.planRunsFailed : METRICS.planRunsCompleted;
  metricMeter
    .createCounter(
      name,
      'runs',
      result.failed ? 'Plan runs that did not copy everything' : 'Plan runs completed',
    )
    .add(1, { plan });
  log[result.failed ? 'warn' : 'info']('plan run ended', {
    plan,
    failed: result.failed,
    counts: result.counts,
  });
}

/** The age of the oldest copy waiting for a slot in a Region (0 when none waits), for alerts. */
export function recordOldestSlotWait(accountId: string, region: string, seconds: number): void {
  metricMeter
    .createGauge(
      METRICS.slotOldestWait,
      'float',
      's',
      'Seconds the oldest copy waiting for a copy slot has waited',
    )
    .set(seconds, { account_id: accountId, region });
}

/**
 * A restore test (verifyCopy) ended. `totalSeconds` (the restore call until cluster and writer are available)
 * is recorded only for a restorable copy: a failed or cancelled restore's time says nothing about restores.
 */
export function recordRestoreTest(region: string, outcome: VerifyOutcome, totalSeconds?: number): void {
  metricMeter
    .createCounter(METRICS.restoreTests, 'tests', 'Restore tests of snapshot copies ended, by outcome')
    .add(1, { region, outcome });
  if (outcome === 'restorable' && totalSeconds !== undefined && totalSeconds >= 0) {
    metricMeter
      .createHistogram(
        METRICS.restoreDuration,
        'float',
        's',
        'Time from RestoreDBClusterFromSnapshot until the cluster and its writer are available',
      )
      .record(totalSeconds, { region });
  }
  log[outcome === 'failed' ? 'warn' : 'info']('restore test ended', {
    region,
    outcome,
    totalSeconds: totalSeconds !== undefined ? Math.round(totalSeconds) : undefined,
  });
}

/**
 * One RPO audit of a plan, as gauges: each row's recovery point (epoch seconds; 0 = missing, no copy), the
 * plan's RPO, each row's last restore test by outcome, and when the audit looked (its heartbeat: a stale or
 * absent one means no audit runs). Rows AWS could not be asked about keep their last value.
 */
export function recordRpoAudit(result: AuditResult): void {
  const { plan } = result;
  const point = metricMeter.createGauge(
    METRICS.recoveryPoint,
    'float',
    's',
    "Epoch seconds of the newest available copy's recovery point per plan, cluster, Region and account (0: none)",
  );
  const test = metricMeter.createGauge(
    METRICS.lastRestoreTest,
    'float',
    's',
    'Epoch seconds when the last restore test of the cluster in the destination ended, by outcome',
  );
  for (const row of result.rows) {
    if (row.unknown) continue;
    const labels = { plan, cluster: row.cluster, region: row.region, account: row.accountId ?? 'self' };
    point.set(row.recoveryPoint ? Date.parse(row.recoveryPoint) / 1000 : 0, labels);
    const last = row.lastRestoreTest;
    if (last) test.set(Date.parse(last.at) / 1000, { ...labels, outcome: last.outcome });
  }
  metricMeter
    .createGauge(METRICS.rpo, 'float', 's', "The plan's recovery point objective in seconds")
    .set(result.rpoSeconds, { plan });
  metricMeter
    .createGauge(METRICS.rpoAudit, 'float', 's', "Epoch seconds of the plan's last RPO audit")
    .set(Date.parse(result.at) / 1000, { plan });
  const counts = { ok: 0, breach: 0, missing: 0 };
  for (const row of result.rows) counts[row.status]++;
  log[counts.breach + counts.missing > 0 ? 'warn' : 'info']('rpo audit', {
    plan,
    ...counts,
    turnedBad: result.turned.bad.length,
    recovered: result.turned.recovered.length,
    unreachable: result.unreachable.length,
  });
}
