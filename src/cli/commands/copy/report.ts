// `snapcopy copy`, the report: the copy's input checked locally, then the copyDbClusterSnapshot workflow started
// with the contract's start options (refusing a second one for the same target), and whether a worker polls
// its task queue.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WORKFLOW_TYPE, copyStartOptions, type CopyWorkflow } from '../../../shared/contract';
import { defaultWorkflowId } from '../../../shared/names';
import type { CopyDbClusterSnapshotInput } from '../../../shared/types';
import { validateCopyInput } from '../../../shared/validation';
import type { CliContext } from '../../context';
import { derivedTarget, inputOf, type CopyFlags } from '../../copy-input';
import { CliError } from '../../errors';
import { formatTime, statusName, type StatusName } from '../../format';
import { workerPolls } from '../../workers';

export interface CopyCommandFlags extends CopyFlags {
  workflowId?: string;
  allowRerun?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** What was started (the --json output without --wait). */
export interface StartedCopy {
  workflowId: string;
  runId: string;
  taskQueue: string;
  summary: string;
  input: CopyDbClusterSnapshotInput;
  url?: string;
}

/**
 * The input the flags describe, checked locally with the workflow's own rules (an InputError is a usage error,
 * errors.ts). A cluster source without --target gets its target named now, so the workflow ID is known.
 */
export function copyRequest(flags: CopyCommandFlags, now: Date = new Date()) {
  const target =
    flags.target ??
    (flags.sourceCluster !== undefined && flags.source === undefined
      ? derivedTarget(flags.sourceCluster, now)
      : undefined);
  const input = inputOf(flags, target);
  const v = validateCopyInput(input);
  return copyStartOptions(
    input,
    v,
    flags.workflowId ?? defaultWorkflowId(v.targetRegion, v.targetIdentifier),
  );
}

/** A refused start: a copy with this workflow ID is running or already ran (or exists, state unknown). */
export function duplicateMessage(
  workflowId: string,
  status?: StatusName,
  startTime?: Date,
  closeTime?: Date,
): string {
  if (status === undefined) return `a copy with workflow ID ${workflowId} already exists`;
  if (status === 'Running') {
    return (
      `a copy with workflow ID ${workflowId} is already running (started ${formatTime(startTime)}); ` +
      `follow it with: snapcopy status ${workflowId}`
    );
  }
  return (
    `a copy with workflow ID ${workflowId} already ran (${status} ${formatTime(closeTime)}); ` +
    'pass --allow-rerun to start it again, or choose another --target or --workflow-id'
  );
}

/** Why a start was refused: a copy with this ID is running, or already ran. */
async function duplicateError(client: Client, workflowId: string): Promise<CliError> {
  try {
    const existing = await client.workflow.getHandle(workflowId).describe();
    return new CliError(
      duplicateMessage(workflowId, statusName(existing.status.name), existing.startTime, existing.closeTime),
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return new CliError(duplicateMessage(workflowId));
  }
}

/** The started copy, the client to follow it with, and whether a worker polls its task queue. */
export interface CopyStart {
  started: StartedCopy;
  client: Client;
  namespace: string;
  /** False: the copy only starts once a worker polls the task queue. */
  workerPolling: boolean;
}

export async function startCopy(ctx: CliContext, flags: CopyCommandFlags): Promise<CopyStart> {
  const start = copyRequest(flags);
  const { client, settings } = await ctx.temporal();
  let runId: string;
  try {
    const handle = await client.workflow.start<CopyWorkflow>(WORKFLOW_TYPE, {
      ...start,
      taskQueue: ctx.taskQueue,
      // A second start for the same target is refused, whether the first is running or closed.
      workflowIdConflictPolicy: 'FAIL',
      // A copy that failed or was cancelled left no target behind: starting it again is the fix, not a duplicate.
      workflowIdReusePolicy: flags.allowRerun ? 'ALLOW_DUPLICATE' : 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    runId = handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw await duplicateError(client, start.workflowId);
    throw err;
  }
  const url = ctx.workflowUrl(settings, start.workflowId);
  const started: StartedCopy = {
    workflowId: start.workflowId,
    runId,
    taskQueue: ctx.taskQueue,
    summary: start.staticSummary,
    input: start.args[0],
    ...(url ? { url } : {}),
  };
  const workerPolling = await workerPolls(client, settings.namespace, ctx.taskQueue);
  return { started, client, namespace: settings.namespace, workerPolling };
}
