// `snapcopy copy`, what it prints. Pure.
import { noWorkerNote } from '../../workers';
import { formatTime, type StatusName } from '../../format';
import type { StartedCopy } from './start';

/** A refused start: a copy with this workflow ID is running or already ran (or exists, state unknown). */
export function duplicateMessage(
  workflowId: string,
  status?: StatusName,
  startTime?: Date,
  closeTime?: Date,
): string {
  if (status === undefined) return `a copy with workflow ID ${workflowId} already exists`;
  if (status === 'Running') {
    return (
      `a copy with workflow ID ${workflowId} is already running (started ${formatTime(startTime)}); ` +
      `follow it with: snapcopy status ${workflowId}`
    );
  }
  return (
    `a copy with workflow ID ${workflowId} already ran (${status} ${formatTime(closeTime)}); ` +
    'pass --allow-rerun to start it again, or choose another --target or --workflow-id'
  );
}

/** The copy would only start once a worker polls its task queue. */
export function noWorkerWarning(namespace: string, taskQueue: string): string {
  return noWorkerNote('the copy', namespace, taskQueue);
}

/** The started copy, and (unless following it) how to follow or cancel it. */
export function renderStarted(s: StartedCopy, opts: { following?: boolean } = {}): string {
  const lines = [`started ${s.workflowId}: ${s.summary}`];
  if (s.url) lines.push(`Temporal UI: ${s.url}`);
  if (!opts.following) {
    lines.push(`follow: snapcopy status ${s.workflowId}    cancel: snapcopy cancel ${s.workflowId}`);
  }
  return lines.join('\n');
}
