// `snapcopy cancel`, the Temporal part: the contract's `cancel` signal to a running copy.
import type { Client } from '@temporalio/client';
import { cancelSignal } from '../../../shared/contract';
import { copyHandle, describeCopy } from '../../copies';
import { CliError } from '../../errors';
import { statusName } from '../../format';
import { alreadyClosedMessage } from './render';

export const DEFAULT_REASON = 'cancelled with snapcopy cancel';

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
