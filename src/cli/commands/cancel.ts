// `snapcopy cancel <workflow-id>`: the workflow's `cancel` signal (it deletes a target still copying).
import type { Command } from 'commander';
import { CANCEL_SIGNAL } from '../../shared/names';
import type { CancelSignalArgs } from '../../shared/types';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { formatTime, statusName, prose } from '../format';
import { followCopy, resultLine } from '../outcome';
import { describeCopy } from './status';

interface CancelFlags {
  reason?: string;
  wait?: boolean;
  json?: boolean;
}

async function cancel(ctx: CliContext, workflowId: string, flags: CancelFlags): Promise<void> {
  const { client } = await ctx.temporal();
  const desc = await describeCopy(client, workflowId);
  const status = statusName(desc.status.name);
  if (status !== 'Running') {
    throw new CliError(
      `copy ${workflowId} is already closed (${status} ${formatTime(desc.closeTime)}): there is nothing to cancel`,
    );
  }
  const reason = flags.reason ?? 'cancelled with snapcopy cancel';
  const args: CancelSignalArgs = { reason };
  await client.workflow.getHandle(workflowId).signal(CANCEL_SIGNAL, args);
  const requested = { workflowId, runId: desc.runId, cancelRequested: true, reason };

  if (!flags.wait) {
    if (flags.json) ctx.json(requested);
    else {
      ctx.out(
        `cancel requested for ${workflowId} (${reason}): a copy still copying is deleted, an available one is ` +
          'kept unless the copy was started with --on-cancel-after-available delete',
      );
      ctx.out(`follow: snapcopy status ${workflowId}`);
    }
    return;
  }

  const result = await followCopy(ctx, client, workflowId, { enabled: flags.json === true, base: requested });
  if (!result) return;
  if (!flags.json) ctx.out(`${workflowId}: ${resultLine(result)}`);
  if (result.summary.outcome !== 'cancelled') {
    // The copy finished before the signal was handled.
    throw new CliError(
      `copy ${workflowId} finished (${result.summary.outcome}) before the cancel took effect`,
    );
  }
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
