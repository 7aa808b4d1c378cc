// `snapcopy cancel <workflow-id>`: the workflow's `cancel` signal (it deletes a target still copying).
// A small command: registration, the Temporal call and what it prints in this one file.
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { cancelSignal } from '../../../shared/contract';
import { CANCEL_SIGNAL } from '../../../shared/names';
import type { CopyDbClusterSnapshotResult } from '../../../shared/types';
import type { CliContext } from '../../context';
import { copyHandle, describeCopy } from '../../copies';
import { CliError } from '../../errors';
import { followCopy } from '../../follow';
import { formatTime, prose, statusName, type StatusName } from '../../format';
import { resultLine } from '../../outcome';

export const DEFAULT_REASON = 'cancelled with snapcopy cancel';

interface CancelFlags {
  reason?: string;
  wait?: boolean;
  json?: boolean;
}

export interface CancelRequested {
  workflowId: string;
  runId: string;
  cancelRequested: true;
  reason: string;
}

/** Signals a running copy to cancel; a closed one is refused (there is nothing to cancel). */
export async function requestCancel(
  client: Client,
  workflowId: string,
  reason: string = DEFAULT_REASON,
): Promise<CancelRequested> {
  const desc = await describeCopy(client, workflowId);
  const status = statusName(desc.status.name);
  if (status !== 'Running') throw new CliError(alreadyClosedMessage(workflowId, status, desc.closeTime));
  await copyHandle(client, workflowId).signal(cancelSignal, { reason });
  return { workflowId, runId: desc.runId, cancelRequested: true, reason };
}

export function alreadyClosedMessage(workflowId: string, status: StatusName, closeTime?: Date): string {
  return `copy ${workflowId} is already closed (${status} ${formatTime(closeTime)}): there is nothing to cancel`;
}

export function renderRequested(r: CancelRequested): string {
  return (
    `cancel requested for ${r.workflowId} (${r.reason}): a copy still copying is deleted, an available one is ` +
    'kept unless the copy was started with --on-cancel-after-available delete\n' +
    `follow: snapcopy status ${r.workflowId}`
  );
}

export function renderCancelled(workflowId: string, result: CopyDbClusterSnapshotResult): string {
  return `${workflowId}: ${resultLine(result)}`;
}

/** The copy finished before the signal was handled. */
export function finishedFirstMessage(workflowId: string, result: CopyDbClusterSnapshotResult): string {
  return `copy ${workflowId} finished (${result.summary.outcome}) before the cancel took effect`;
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
