// `snapcopy copy`: validate locally, start the copyDbClusterSnapshot workflow (refusing a second one for the
// same target), optionally follow it to the end.
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { addCopyFlags } from '../../copy-flags';
import { EXIT } from '../../errors';
import { followCopy } from '../../follow';
import { prose } from '../../format';
import { resultLine, succeeded, verifyLine } from '../../outcome';
import { noWorkerWarning, renderStarted } from './render';
import { startCopy, type CopyCommandFlags } from './report';

async function copy(ctx: CliContext, flags: CopyCommandFlags): Promise<void> {
  const { started, client, namespace, workerPolling } = await startCopy(ctx, flags);
  if (!workerPolling) ctx.note(noWorkerWarning(namespace, started.taskQueue));
  if (!flags.wait) {
    if (flags.json) ctx.json(started);
    else ctx.out(renderStarted(started));
    return;
  }
  // Following: the start lines are notes beside the JSON, or the head of the text.
  const text = renderStarted(started, { following: true });
  if (flags.json) ctx.note(text);
  else ctx.out(text);
  const result = await followCopy(ctx, client, started.workflowId, {
    enabled: flags.json === true,
    base: started,
  });
  if (!result) return;
  if (!flags.json) {
    ctx.out(resultLine(result));
    // copy --verify: how the restore test of the copy went.
    const verified = verifyLine(result);
    if (verified) ctx.out(verified);
  }
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
    );
  addCopyFlags(cmd, 'copy')
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
