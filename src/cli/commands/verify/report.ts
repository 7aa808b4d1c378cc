// `snapcopy verify`, the report: the restore test's input checked locally with the workflow's own rules, then
// the verifyCopy workflow started as snapcopy-verify-<Region>-<snapshot> (refusing a second one while one
// runs), and whether a worker polls its task queue.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { InputError } from '../../../shared/messages';
import {
  VERIFY_WORKFLOW_TYPE,
  verifyWorkflowId,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../../shared/restore-tests';
import { SA_PHASE, SA_TARGET_REGION } from '../../../shared/search-attributes';
import { validateVerifyInput } from '../../../shared/verify-input';
import type { CliContext } from '../../context';
import { CliError, UsageError } from '../../errors';
import { formatTime, statusName, type StatusName } from '../../format';
import { workerPolls } from '../../workers';
import { verifyFlagOf, verifyInputOf, type VerifyFlags } from './flags';

export interface VerifyCommandFlags extends VerifyFlags {
  wait?: boolean;
  json?: boolean;
}

/** What was started (the --json output without --wait). */
export interface StartedVerify {
  workflowId: string;
  runId: string;
  taskQueue: string;
  summary: string;
  input: VerifyCopyInput;
  url?: string;
}

export interface VerifyRequest {
  workflowId: string;
  input: VerifyCopyInput;
  summary: string;
}

/**
 * The input the flags describe, checked with the workflow's own rules before anything starts: a problem is
 * a usage error naming the field and the flag that sets it.
 */
export function verifyRequest(snapshot: string, flags: VerifyFlags): VerifyRequest {
  const input = verifyInputOf(snapshot, flags);
  let v: ReturnType<typeof validateVerifyInput>;
  try {
    v = validateVerifyInput(input);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const flag = verifyFlagOf(err.field);
    throw new UsageError(flag ? `${err.message} (${flag})` : err.message);
  }
  return {
    workflowId: verifyWorkflowId(v.region, v.snapshotIdentifier),
    input,
    summary: `restore test of ${v.snapshotIdentifier} in ${v.region}`,
  };
}

/** A refused start: a restore test with this workflow ID is running (or exists, state unknown). */
export function duplicateVerifyMessage(workflowId: string, status?: StatusName, startTime?: Date): string {
  if (status === undefined || status !== 'Running') {
    return `a restore test with workflow ID ${workflowId} already exists`;
  }
  return (
    `a restore test with workflow ID ${workflowId} is already running (started ${formatTime(startTime)}); ` +
    `follow it with: snapcopy status ${workflowId}`
  );
}

async function duplicateError(client: Client, workflowId: string): Promise<CliError> {
  try {
    const existing = await client.workflow.getHandle(workflowId).describe();
    return new CliError(
      duplicateVerifyMessage(workflowId, statusName(existing.status.name), existing.startTime),
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return new CliError(duplicateVerifyMessage(workflowId));
  }
}

export interface VerifyStart {
  started: StartedVerify;
  client: Client;
  namespace: string;
  /** False: the test only starts once a worker polls the task queue. */
  workerPolling: boolean;
}

export async function startVerify(
  ctx: CliContext,
  snapshot: string,
  flags: VerifyCommandFlags,
): Promise<VerifyStart> {
  const request = verifyRequest(snapshot, flags); // before connecting: bad input starts nothing
  const { client, settings } = await ctx.temporal();
  let runId: string;
  try {
    const handle = await client.workflow.start<(input: VerifyCopyInput) => Promise<VerifyCopyResult>>(
      VERIFY_WORKFLOW_TYPE,
      {
        workflowId: request.workflowId,
        args: [request.input],
        taskQueue: ctx.taskQueue,
        staticSummary: request.summary,
        typedSearchAttributes: [
          { key: SA_TARGET_REGION, value: request.input.Region },
          { key: SA_PHASE, value: 'validating' },
        ],
        // One restore test of a copy at a time; a finished one may be run again (a test is repeatable).
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      },
    );
    runId = handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw await duplicateError(client, request.workflowId);
    }
    throw err;
  }
  const url = ctx.workflowUrl(settings, request.workflowId);
  const started: StartedVerify = {
    workflowId: request.workflowId,
    runId,
    taskQueue: ctx.taskQueue,
    summary: request.summary,
    input: request.input,
    ...(url ? { url } : {}),
  };
  const workerPolling = await workerPolls(client, settings.namespace, ctx.taskQueue);
  return { started, client, namespace: settings.namespace, workerPolling };
}
