// `snapcopy cancel`, what it prints. Pure.
import type { CopyDbClusterSnapshotResult } from '../../../shared/types';
import { formatTime, type StatusName } from '../../format';
import { resultLine } from '../../outcome';
import type { CancelRequested } from './report';

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
