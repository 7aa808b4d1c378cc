// `snapcopy status <workflow-id>`: execution status, times and the live `progress` query of a copy; for a
// closed copy its result or failure (which Temporal keeps, no worker needed).
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { PROGRESS_QUERY, WORKFLOW_TYPE } from '../../shared/names';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../shared/search-attributes';
import type { CopyDbClusterSnapshotResult, Progress } from '../../shared/types';
import type { CliContext } from '../context';
import { CliError, oneLine } from '../errors';
import { fields, formatTime, isoOrUndefined, statusName, type StatusName, prose } from '../format';
import { failureOf, resultLine, type FailureReport } from '../outcome';
import { describePhase, formatSeconds } from '../progress-view';

/** How long a running copy gets to answer the progress query (no worker: it never does). */
const QUERY_TIMEOUT_MS = 5_000;

export interface StatusReport {
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

/** The copy's description; a clear error when there is none, or the workflow is not a snapcopy copy. */
export async function describeCopy(
  client: Client,
  workflowId: string,
): Promise<WorkflowExecutionDescription> {
  let desc: WorkflowExecutionDescription;
  try {
    desc = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no copy with workflow ID ${workflowId}`);
    throw err;
  }
  if (desc.type !== WORKFLOW_TYPE) {
    throw new CliError(`workflow ${workflowId} is a ${desc.type}, not a snapcopy copy (${WORKFLOW_TYPE})`);
  }
  return desc;
}

export async function statusReport(client: Client, workflowId: string): Promise<StatusReport> {
  const desc = await describeCopy(client, workflowId);
  const sa = desc.typedSearchAttributes;
  const report: StatusReport = {
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

  const handle = client.workflow.getHandle(workflowId);
  if (report.status === 'Running') {
    try {
      report.progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        handle.query<Progress>(PROGRESS_QUERY),
      );
    } catch (err) {
      report.progressUnavailable =
        `the progress query was not answered (${oneLine(err instanceof Error ? err.message : String(err))}); ` +
        `is a snapcopy worker polling task queue ${desc.taskQueue}?`;
    }
  } else {
    // Closed: the outcome is in Temporal's history, whether or not a worker is running.
    try {
      report.result = (await handle.result()) as CopyDbClusterSnapshotResult;
    } catch (err) {
      report.failure = failureOf(err);
    }
  }
  return report;
}

function progressLine(p: Progress): string {
  const eta =
    p.etaSeconds !== undefined && p.phase === 'copying' ? `, eta ${formatSeconds(p.etaSeconds)}` : '';
  return `${describePhase(p)}, ${p.percent}%${eta}`;
}

export function renderStatus(r: StatusReport): string {
  const p = r.progress;
  const sa = r.searchAttributes;
  const summary = r.result?.summary;
  const target =
    p?.targetArn ??
    (p ? `${p.targetIdentifier} in ${p.targetRegion}` : undefined) ??
    summary?.targetArn ??
    r.result?.DBClusterSnapshot?.DBClusterSnapshotArn;
  const phase = p
    ? progressLine(p)
    : sa.phase !== undefined
      ? `${sa.phase}${sa.percent !== undefined ? `, ${sa.percent}%` : ''}`
      : undefined;
  return fields([
    ['workflow', r.workflowId],
    ['status', r.status],
    ['phase', phase],
    ['summary', r.summary],
    [
      'source',
      p?.sourceArn ?? summary?.sourceArn ?? (sa.sourceCluster ? `cluster ${sa.sourceCluster}` : undefined),
    ],
    [
      'regions',
      `${p?.sourceRegion ?? sa.sourceRegion ?? '?'} → ${p?.targetRegion ?? sa.targetRegion ?? '?'}`,
    ],
    ['target', target],
    ['kms key', p?.kmsKeyArn ?? summary?.kmsKeyArn],
    ['started', formatTime(r.startTime)],
    ['closed', r.closeTime ? formatTime(r.closeTime) : undefined],
    [
      'polls',
      p && p.polls > 0 ? `${p.polls}${p.nextPollAt ? ` (next ${formatTime(p.nextPollAt)})` : ''}` : undefined,
    ],
    ['cancel', p?.cancelRequested ? `requested${p.cancelReason ? `: ${p.cancelReason}` : ''}` : undefined],
    ['message', p?.error ? `${p.error.type}: ${p.error.message}` : p?.message],
    ['progress', r.progressUnavailable],
    ['result', r.result ? resultLine(r.result) : undefined],
    ['failure', r.failure ? `${r.failure.type}: ${r.failure.message}` : undefined],
  ]);
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .summary("show a copy's status and progress")
    .description(
      prose(
        "Show a copy's execution status (Running, Completed, Failed, Cancelled, Terminated, TimedOut), its start and\n" +
          "close time and, while it runs, its live progress (phase, percent, ETA) from the workflow's progress query.\n" +
          'For a closed copy the result or failure is read from Temporal (no worker needed).',
      ),
    )
    .argument('<workflow-id>', "the copy's workflow ID (snapcopy copy prints it)")
    .option('--json', 'print the status report as JSON')
    .addHelpText(
      'after',
      "\nExit codes: 0 reported (whatever the copy's state), 1 no such copy or Temporal error, 2 usage.",
    )
    .action(async (workflowId: string, flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const report = await statusReport(client, workflowId);
      if (flags.json) ctx.json(report);
      else ctx.out(renderStatus(report));
    });
}
