// `snapcopy status` of a restore test (verifyCopy): execution status, times and its live `progress` query
// (with its place in the restore-slot queue); once closed its result — which a failed test carries inside its
// RestoreTestFailed failure — read from Temporal (no worker needed).
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import {
  verifyProgressQuery,
  type VERIFY_WORKFLOW_TYPE,
  type VerifyCopyResult,
  type VerifyProgress,
} from '../../../shared/restore-tests';
import { oneLine } from '../../errors';
import { isoOrUndefined, statusName, type StatusName } from '../../format';
import { failureOf, type FailureReport } from '../../outcome';
import { withLiveVerifyPosition } from '../../slot-position';
import { verifyResultOf } from '../../verifies';

/** How long a running test gets to answer the progress query (no worker: it never does). */
const QUERY_TIMEOUT_MS = 5_000;

export interface VerifyStatusReport {
  workflowType: typeof VERIFY_WORKFLOW_TYPE;
  workflowId: string;
  runId: string;
  status: StatusName;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  summary?: string;
  progress?: VerifyProgress;
  /** Why `progress` is missing for a running test. */
  progressUnavailable?: string;
  /** How it ended: restorable, cancelled, or failed (from its RestoreTestFailed). */
  result?: VerifyCopyResult;
  /** A failed, terminated, timed-out or Temporal-cancelled test. */
  failure?: FailureReport;
}

export async function verifyStatusReport(
  client: Client,
  desc: WorkflowExecutionDescription,
): Promise<VerifyStatusReport> {
  const workflowId = desc.workflowId;
  const report: VerifyStatusReport = {
    workflowType: 'verifyCopy',
    workflowId,
    runId: desc.runId,
    status: statusName(desc.status.name),
    taskQueue: desc.taskQueue,
    startTime: desc.startTime.toISOString(),
  };
  const closeTime = isoOrUndefined(desc.closeTime);
  if (closeTime) report.closeTime = closeTime;
  const summary = await desc.staticSummary();
  if (summary) report.summary = summary;
  const handle = client.workflow.getHandle(workflowId);
  if (report.status === 'Running') {
    try {
      const progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        handle.query(verifyProgressQuery),
      );
      report.progress = await withLiveVerifyPosition(client, workflowId, progress);
    } catch (err) {
      report.progressUnavailable =
        `the progress query was not answered (${oneLine(err instanceof Error ? err.message : String(err))}); ` +
        `is a snapcopy worker polling task queue ${desc.taskQueue}?`;
    }
  } else {
    try {
      report.result = (await handle.result()) as VerifyCopyResult;
    } catch (err) {
      report.failure = failureOf(err);
      const result = verifyResultOf(err);
      if (result) report.result = result;
    }
  }
  return report;
}
