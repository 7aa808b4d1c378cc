// The share contract: one `sourceShare` workflow per shared snapshot and destination account holds the share
// snapcopy added for as long as any snapcopy copy needs it (the copy slots' shape: copies ask by
// signal-with-start, are told by signal, and give it back by signal). Workflow-safe.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AssumedRole } from './cross-account';

export const SHARE_WORKFLOW_TYPE = 'sourceShare';

/** `snapcopy-share-<source account>-<Region>-<lowercased snapshot name>-<destination account>` */
export function shareWorkflowId(where: ShareTarget): string {
  return `snapcopy-share-${where.sourceAccountId}-${where.region}-${where.identifier.toLowerCase()}-${where.accountId}`;
}

/** One snapshot shared with one account. */
export interface ShareTarget {
  region: string;
  /** The snapshot's name in the source account. */
  identifier: string;
  sourceAccountId: string;
  /** The destination account it is shared with. */
  accountId: string;
  /** The source account's role (SourceRoleArn); the worker's own credentials without. */
  role?: AssumedRole;
}

/** Sent by the holder when the share is in place (or could not be made) for the copy that asked. */
export interface ShareReady {
  shareWorkflowId: string;
  /** Whether the share is snapcopy's (false: it was there before, somebody else's, and is never removed). */
  added: boolean;
  /** Set when sharing failed; the copy fails with it. */
  error?: { type: string; message: string };
}

/** The `shares` query's answer. */
export interface ShareView extends Omit<ShareTarget, 'role'> {
  /** Copies that hold the share now. */
  holders: string[];
  state: 'unshared' | 'shared-by-snapcopy' | 'shared-before';
}

export const requestShareSignal = defineSignal<[{ workflowId: string }]>('requestShare');
export const releaseShareSignal = defineSignal<[{ workflowId: string }]>('releaseShare');
export const shareReadySignal = defineSignal<[ShareReady]>('shareReady');
export const sharesQuery = defineQuery<ShareView>('shares');
