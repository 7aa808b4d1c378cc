// Finding a copy by workflow ID, for the commands that act on one (status, cancel): its description, or a
// clear error when there is none or the workflow is not a snapcopy copy.
import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { WORKFLOW_TYPE, type CopyWorkflow } from '../shared/contract';
import { CliError } from './errors';

export function copyHandle(client: Client, workflowId: string): WorkflowHandle<CopyWorkflow> {
  return client.workflow.getHandle<CopyWorkflow>(workflowId);
}

/** `alsoTypes`: other workflow types the caller handles too (`status` shows restore tests, verifyCopy). */
export async function describeCopy(
  client: Client,
  workflowId: string,
  alsoTypes: readonly string[] = [],
): Promise<WorkflowExecutionDescription> {
  let desc: WorkflowExecutionDescription;
  try {
    desc = await copyHandle(client, workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no copy with workflow ID ${workflowId}`);
    throw err;
  }
  if (desc.type !== WORKFLOW_TYPE && !alsoTypes.includes(desc.type)) {
    throw new CliError(`workflow ${workflowId} is a ${desc.type}, not a snapcopy copy (${WORKFLOW_TYPE})`);
  }
  return desc;
}
