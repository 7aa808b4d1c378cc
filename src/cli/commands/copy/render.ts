// `snapcopy copy`, what it prints. Pure.
import { noWorkerNote } from '../../workers';
import type { StartedCopy } from './report';

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
