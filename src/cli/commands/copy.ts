// `snapcopy copy`: validate locally, start the copyDbClusterSnapshot workflow (refusing a second one for the
// same target), optionally follow it to the end.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { defaultWorkflowId, WORKFLOW_TYPE } from '../../shared/names';
import { copyStartOptions, type CopyWorkflow } from '../../shared/contract';
import type { CliContext } from '../context';
import {
  addCopyOptionFlags,
  addWhereOptions,
  derivedTarget,
  inputOf,
  validateForCli,
  type CopyFlags,
  type SnapshotSourceFlags,
} from '../copy-input';
import { CliError, EXIT } from '../errors';
import { formatTime, statusName, prose } from '../format';
import { followCopy, resultLine, succeeded } from '../outcome';

interface CopyCommandFlags extends CopyFlags, SnapshotSourceFlags {
  workflowId?: string;
  allowRerun?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** Why a start was refused: a copy with this ID is running, or already ran. */
async function duplicateError(client: Client, workflowId: string): Promise<CliError> {
  try {
    const existing = await client.workflow.getHandle(workflowId).describe();
    const status = statusName(existing.status.name);
    if (status === 'Running') {
      return new CliError(
        `a copy with workflow ID ${workflowId} is already running (started ${formatTime(existing.startTime)}); ` +
          `follow it with: snapcopy status ${workflowId}`,
      );
    }
    return new CliError(
      `a copy with workflow ID ${workflowId} already ran (${status} ${formatTime(existing.closeTime)}); ` +
        'pass --allow-rerun to start it again, or choose another --target or --workflow-id',
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return new CliError(`a copy with workflow ID ${workflowId} already exists`);
  }
}

/** A warning when no worker polls the task queue: the copy would only start once one does. */
export async function workerWarning(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<string | undefined> {
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW (the default)
    });
    if ((pollers?.length ?? 0) > 0) return undefined;
    return (
      `warning: no snapcopy worker is polling task queue ${taskQueue} in namespace ${namespace}: the copy starts ` +
      'when one does (npm run worker; SNAPCOPY_TASK_QUEUE selects the queue)'
    );
  } catch {
    return undefined; // not allowed to ask, or an old server: no warning rather than a failure
  }
}

async function copy(ctx: CliContext, flags: CopyCommandFlags): Promise<void> {
  // A cluster source without --target: name the target now, so the workflow ID is known before starting.
  const target =
    flags.target ??
    (flags.sourceCluster !== undefined && flags.source === undefined
      ? derivedTarget(flags.sourceCluster, new Date())
      : undefined);
  const input = inputOf(flags, target);
  const v = validateForCli(input);
  const start = copyStartOptions(
    input,
    v,
    flags.workflowId ?? defaultWorkflowId(v.targetRegion, v.targetIdentifier),
  );
  const { workflowId, staticSummary: summary } = start;

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
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await duplicateError(client, workflowId);
    throw err;
  }

  const warning = await workerWarning(client, settings.namespace, ctx.taskQueue);
  if (warning) ctx.note(warning);
  const url = ctx.workflowUrl(settings, workflowId);
  const started = { workflowId, runId, taskQueue: ctx.taskQueue, summary, input, ...(url ? { url } : {}) };
  if (!flags.wait) {
    if (flags.json) ctx.json(started);
    else {
      ctx.out(`started ${workflowId}: ${summary}`);
      if (url) ctx.out(`Temporal UI: ${url}`);
      ctx.out(`follow: snapcopy status ${workflowId}    cancel: snapcopy cancel ${workflowId}`);
    }
    return;
  }

  const note = (line: string) => (flags.json ? ctx.note(line) : ctx.out(line));
  note(`started ${workflowId}: ${summary}`);
  if (url) note(`Temporal UI: ${url}`);
  const result = await followCopy(ctx, client, workflowId, { enabled: flags.json === true, base: started });
  if (!result) return;
  if (!flags.json) ctx.out(resultLine(result));
  // A copy cancelled on the way has not produced the copy that was asked for.
  if (!succeeded(result)) ctx.exitCode = EXIT.failed;
}

export function registerCopy(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('copy')
    .summary('copy a DB cluster snapshot (starts a copyDbClusterSnapshot workflow)')
    .description(
      prose(
        'Copy a DB cluster snapshot, within a Region or across Regions, as a durable Temporal workflow.\n\n' +
          'The input is checked locally with the same rules the workflow applies, before anything starts. The\n' +
          'workflow ID is snapcopy-<target Region>-<target name> unless --workflow-id is given; a second copy to the\n' +
          'same target is refused while it runs and after it completed (unless --allow-rerun); one that failed,\n' +
          'was cancelled through Temporal, terminated or timed out can simply be started again.',
      ),
    )
    .option('--source <snapshot>', 'source snapshot: name, rds:<automated name>, or DB cluster snapshot ARN')
    .option(
      '--source-cluster <cluster>',
      'copy the newest available snapshot of this DB cluster instead of --source',
    )
    .option(
      '--target <name>',
      'name of the copy (with --source-cluster, default <cluster>-<yyyymmdd>-<hhmmss> of the current UTC time)',
    );
  addWhereOptions(cmd).option(
    '--presigned-url <url>',
    'presigned CopyDBClusterSnapshot URL (AWS GovCloud (US) cross-Region copies only)',
  );
  addCopyOptionFlags(cmd)
    .option('--workflow-id <id>', 'workflow ID (default snapcopy-<target Region>-<lowercased target>)')
    .option(
      '--allow-rerun',
      'start even if a closed workflow with this ID exists (a running one is always refused)',
    )
    .option('--wait', 'follow the copy with a live progress view until it ends (Ctrl-C detaches, exit 130)')
    .option('--json', 'print JSON: the started workflow, or with --wait the result or failure')
    .addHelpText(
      'after',
      '\nExit codes: 0 started (with --wait: copied or already present), 1 refused or failed or cancelled,\n' +
        '2 usage or invalid input, 130 detached with Ctrl-C (the copy goes on).\n\n' +
        'Examples:\n' +
        '  snapcopy copy --source arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1 \\\n' +
        '    --target prod-1-dr --target-region us-west-2 --kms-key alias/dr --copy-tags --wait\n' +
        '  snapcopy copy --source-cluster prod --source-region us-east-1 --target-region us-west-2 \\\n' +
        '    --kms-key alias/dr --retain 7 --tag purpose=dr',
    )
    .action(async (flags: CopyCommandFlags) => copy(ctx, flags));
}
