// `snapcopy cancel <workflow-id>`: the workflow's `cancel` signal (it deletes a target still copying).
import type { Command } from 'commander';
import { CANCEL_SIGNAL } from '../../../shared/names';
import type { CliContext } from '../../context';
import { CliError } from '../../errors';
import { followCopy } from '../../follow';
import { prose } from '../../format';
import { finishedFirstMessage, renderCancelled, renderRequested } from './render';
import { requestCancel } from './report';

interface CancelFlags {
  reason?: string;
  wait?: boolean;
  json?: boolean;
}

async function cancel(ctx: CliContext, workflowId: string, flags: CancelFlags): Promise<void> {
  const { client } = await ctx.temporal();
  const requested = await requestCancel(client, workflowId, flags.reason);
  if (!flags.wait) {
    if (flags.json) ctx.json(requested);
    else ctx.out(renderRequested(requested));
    return;
  }
  const result = await followCopy(ctx, client, workflowId, { enabled: flags.json === true, base: requested });
  if (!result) return;
  if (!flags.json) ctx.out(renderCancelled(workflowId, result));
  if (result.summary.outcome !== 'cancelled') throw new CliError(finishedFirstMessage(workflowId, result));
}

export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .summary('cancel a running copy (deletes a target that is still copying)')
    .description(
      prose(
        `Send a running copy the "${CANCEL_SIGNAL}" signal. A target still copying is deleted (AWS's way to cancel a\n` +
          'copy); once it is available it is kept, unless the copy was started with --on-cancel-after-available delete.\n' +
          'The workflow then ends with outcome "cancelled".',
      ),
    )
    .argument('<workflow-id>', "the copy's workflow ID")
    .option('--reason <text>', 'why, recorded in the workflow (default "cancelled with snapcopy cancel")')
    .option('--wait', 'wait until the copy has ended and print how it ended (Ctrl-C detaches, exit 130)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 cancel requested (with --wait: the copy ended cancelled), 1 no such copy, already closed,\n' +
        'or it ended otherwise, 2 usage, 130 detached with Ctrl-C.',
    )
    .action(async (workflowId: string, flags: CancelFlags) => cancel(ctx, workflowId, flags));
}
