// Phase 1b: who is who. The source's account and the destination's, and whose credentials read the source —
// known before the copy waits for its slot, without describing the source. A side without a role is the
// worker's own account (STS GetCallerIdentity, which the worker asks once, not once per copy).
import { quick } from './activities';
import { checkpoint } from './checkpoint';
import type { CopyRun } from './run';
import type { CopyAccounts } from './state';
import { summaries } from './ui';

export async function resolveAccounts(run: CopyRun): Promise<void> {
  if (!run.accountsFirst) return;
  const { v } = run;
  const arnAccount = v.source.arn?.accountId;
  const viaTargetRole = !v.sourceRole && v.targetRole !== undefined && arnAccount === v.targetAccountId;
  const needWorker = !v.targetRole || (!v.sourceRole && !viaTargetRole);
  if (needWorker) await checkpoint(run, 'before the copy started');
  const worker = needWorker
    ? await quick(true, 'callerAccount', summaries.workerAccount, { region: v.targetRegion })
    : undefined;
  const source = v.sourceAccountId ?? worker!;
  run.accounts = {
    source,
    destination: v.targetAccountId ?? worker!,
    reader: v.sourceRole ? 'source-role' : source === worker ? 'worker' : 'destination',
  };
}

/**
 * Whether snapcopy prepares the source for another account (key checks, share, intermediates) — then the
 * copy takes the destination's slot only when its own copy is about to start, not while those run.
 */
export function preparesCrossAccount(accounts: CopyAccounts): boolean {
  return accounts.source !== accounts.destination && accounts.reader !== 'destination';
}
