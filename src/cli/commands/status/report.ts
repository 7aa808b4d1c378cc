// `snapcopy status`, the report: execution status, times and the live `progress` query of a copy; for
// a closed copy its result or failure (which Temporal keeps, no worker needed). A restore test's is
// report-verify.ts's.
import type { Client } from '@temporalio/client';
import { progressQuery, WORKFLOW_TYPE } from '../../../shared/contract';
import { VERIFY_WORKFLOW_TYPE } from '../../../shared/restore-tests';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../../shared/search-attributes';
import type { CopyDbClusterSnapshotResult, Progress } from '../../../shared/types';
import { copyHandle, describeCopy } from '../../copies';
import { oneLine } from '../../errors';
import { isoOrUndefined, statusName, type StatusName } from '../../format';
import { failureOf, type FailureReport } from '../../outcome';
import { withLivePosition } from '../../slot-position';
import { verifyStatusReport, type VerifyStatusReport } from './report-verify';

/** How long a running copy gets to answer the progress query (no worker: it never does). */
const QUERY_TIMEOUT_MS = 5_000;

export interface StatusReport {
  /** A copy (absent in reports made before restore tests existed). */
  workflowType?: typeof WORKFLOW_TYPE;
  workflowId: string;
  runId: string;
  status: StatusName;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  summary?: string;
  searchAttributes: {
    sourceRegion?: string;
    targetRegion?: string;
    sourceCluster?: string;
    phase?: string;
    percent?: number;
  };
  progress?: Progress;
  /** Why `progress` is missing for a running copy. */
  progressUnavailable?: string;
  result?: CopyDbClusterSnapshotResult;
  failure?: FailureReport;
}

/** A copy's report, or a restore test's (`workflowType: 'verifyCopy'`). */
export type AnyStatusReport = StatusReport | VerifyStatusReport;

export function isVerifyStatus(r: AnyStatusReport): r is VerifyStatusReport {
  return r.workflowType === VERIFY_WORKFLOW_TYPE;
}

export async function statusReport(client: Client, workflowId: string): Promise<AnyStatusReport> {
  const desc = await describeCopy(client, workflowId, [VERIFY_WORKFLOW_TYPE]);
  if (desc.type === VERIFY_WORKFLOW_TYPE) return verifyStatusReport(client, desc);
  const sa = desc.typedSearchAttributes;
  const report: StatusReport = {
    workflowType: WORKFLOW_TYPE,
    workflowId,
    runId: desc.runId,
    status: statusName(desc.status.name),
    taskQueue: desc.taskQueue,
    startTime: desc.startTime.toISOString(),
    searchAttributes: {
      sourceRegion: sa.get(SA_SOURCE_REGION),
      targetRegion: sa.get(SA_TARGET_REGION),
      sourceCluster: sa.get(SA_SOURCE_CLUSTER),
      phase: sa.get(SA_PHASE),
      percent: sa.get(SA_PERCENT),
    },
  };
  const closeTime = isoOrUndefined(desc.closeTime);
  if (closeTime) report.closeTime = closeTime;
  const summary = await desc.staticSummary();
  if (summary) report.summary = summary;

  const handle = copyHandle(client, workflowId);
  if (report.status === 'Running') {
    try {
      const progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        handle.query(progressQuery),
      );
      // While it waits for a slot: its live place in the queue, from the scheduler (the copy's own is where
      // it stood when it asked).
      report.progress = await withLivePosition(client, workflowId, progress);
    } catch (err) {
      report.progressUnavailable =
        `the progress query was not answered (${oneLine(err instanceof Error ? err.message : String(err))}); ` +
        `is a snapcopy worker polling task queue ${desc.taskQueue}?`;
    }
  } else {
    // Closed: the outcome is in Temporal's history, whether or not a worker is running.
    try {
      report.result = await handle.result();
    } catch (err) {
      report.failure = failureOf(err);
    }
  }
  return report;
}
