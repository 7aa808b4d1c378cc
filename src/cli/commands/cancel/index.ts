// `snapcopy cancel <workflow-id>`: the workflow's `cancel` signal — a copy deletes a target still copying, a
// restore test (verifyCopy) deletes its throwaway cluster and writer. A small command: registration, the
// Temporal call and what it prints in this one file.
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
import { VERIFY_WORKFLOW_TYPE } from '../../../shared/restore-tests';
import { followVerify } from '../../verifies';

export const DEFAULT_REASON = 'cancelled with snapcopy cancel';

interface CancelFlags {
  reason?: string;
  wait?: boolean;
  json?: boolean;
}

export interface CancelRequested {
  workflowId: string;
  runId: string;
  /** `copy` or `restore test`. */
  kind: 'copy' | 'restore test';
  cancelRequested: true;
  reason: string;
}

/** Signals a running copy or restore test to cancel; a closed one is refused (there is nothing to cancel). */
export async function requestCancel(
  client: Client,
  workflowId: string,
  reason: string = DEFAULT_REASON,
): Promise<CancelRequested> {
  const desc = await describeCopy(client, workflowId, [VERIFY_WORKFLOW_TYPE]);
  const kind = desc.type === VERIFY_WORKFLOW_TYPE ? 'restore test' : 'copy';
  const status = statusName(desc.status.name);
  if (status !== 'Running')
    throw new CliError(alreadyClosedMessage(workflowId, status, desc.closeTime, kind));
  // Both workflows take the same `cancel` signal ({ reason }).
  await copyHandle(client, workflowId).signal(cancelSignal, { reason });
  return { workflowId, runId: desc.runId, kind, cancelRequested: true, reason };
}

export function alreadyClosedMessage(
  workflowId: string,
  status: StatusName,
  closeTime?: Date,
  kind: CancelRequested['kind'] = 'copy',
): string {
  return `${kind} ${workflowId} is already closed (${status} ${formatTime(closeTime)}): there is nothing to cancel`;
}

export function renderRequested(r: CancelRequested): string {
  const what =
    r.kind === 'restore test'
      ? 'its throwaway cluster and writer are deleted (the test ends cancelled)'
      : 'a copy still copying is deleted, an available one is kept unless the copy was started with ' +
        '--on-cancel-after-available delete';
  return `cancel requested for ${r.workflowId} (${r.reason}): ${what}\nfollow: snapcopy status ${r.workflowId}`;
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
  if (requested.kind === 'restore test') {
    const result = await followVerify(ctx, client, workflowId, {
      enabled: flags.json === true,
      base: requested,
    });
    if (!result) return;
    if (!flags.json)
      ctx.out(`${workflowId}: restore test ${result.outcome}, cleaned up ${result.cleanedUp ? 'yes' : 'NO'}`);
    if (result.outcome !== 'cancelled') {
      throw new CliError(`restore test ${workflowId} ended ${result.outcome} before the cancel took effect`);
    }
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
    .summary('cancel a running copy or restore test (deletes what it made that is not finished)')
    .description(
      prose(
        `Send a running copy the "${CANCEL_SIGNAL}" signal. A target still copying is deleted (AWS's way to cancel a\n` +
          'copy); once it is available it is kept, unless the copy was started with --on-cancel-after-available delete.\n' +
          'The workflow then ends with outcome "cancelled". A restore test (snapcopy verify) deletes its throwaway\n' +
          'cluster and writer and ends "cancelled".',
      ),
    )
    .argument('<workflow-id>', "the copy's (or the restore test's) workflow ID")
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
