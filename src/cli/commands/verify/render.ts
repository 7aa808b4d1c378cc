// `snapcopy verify`, what it prints. Pure.
import type { VerifyCopyResult } from '../../../shared/restore-tests';
import { fields } from '../../format';
import { verifyResultRows } from '../../verify-view';
import { noWorkerNote } from '../../workers';
import type { StartedVerify } from './report';

export function noWorkerWarning(namespace: string, taskQueue: string): string {
  return noWorkerNote('the restore test', namespace, taskQueue);
}

/** The started restore test, and (unless following it) how to follow it. */
export function renderStarted(s: StartedVerify, opts: { following?: boolean } = {}): string {
  const lines = [`started ${s.workflowId}: ${s.summary}`];
  if (s.url) lines.push(`Temporal UI: ${s.url}`);
  if (!opts.following) {
    lines.push(`follow: snapcopy status ${s.workflowId}`);
  }
  return lines.join('\n');
}

/** How the restore test ended: outcome, timings, each check, cleanup. */
export function renderVerifyResult(r: VerifyCopyResult): string {
  return fields(verifyResultRows(r));
}
