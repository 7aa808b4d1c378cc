// The sourceShare workflow: one per shared snapshot and destination account, it owns the share snapcopy
// adds (the mutex sample's shape: a workflow that owns a resource). Copies ask by signal-with-start and are
// told by signal once the share is in place; each gives it back by signal when it ends, and the last one to
// leave makes the holder take the share back — whatever order the copies end in, across restarts. A share
// that was there before the holder first looked is somebody else's and is never removed.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { awsRetry } from './retry';
import {
  releaseShareSignal,
  requestShareSignal,
  shareReadySignal,
  sharesQuery,
  type ShareReady,
  type ShareTarget,
  type ShareView,
} from '../shared/shares';
import { activityCause } from './copy/activities';

/** Carried whole by continue-as-new. */
export interface ShareState {
  /** Copies that hold the share. */
  holders: string[];
  /** Holders not told yet that the share is in place. */
  waiting: string[];
  /** The share is in place (ours or somebody else's). */
  shared: boolean;
  /** The share is snapcopy's: this holder added it, so the last copy's release takes it back. */
  added: boolean;
}

export interface SourceShareInput extends ShareTarget {
  state?: ShareState;
}

/** Between looks for holders that closed without giving the share back (terminated, timed out). */
export const HOLDER_CHECK_MS = 10 * 60 * 1000;
/** Between tries of a share removal AWS does not answer (cleanup must finish). */
const UNSHARE_RETRY_MS = 60 * 1000;
const EVENTS_PER_RUN = 2_000;

const { shareSnapshot, unshareSnapshot, closedWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '30m',
  retry: awsRetry({ maximumInterval: '1m' }),
});

export async function sourceShare(input: SourceShareInput): Promise<void> {
  const s: ShareState = input.state ?? { holders: [], waiting: [], shared: false, added: false };
  const where = {
    region: input.region,
    identifier: input.identifier,
    accountId: input.accountId,
    ...(input.role ? { role: input.role } : {}),
  };
  let version = 0;
  // Thin handlers: they record; the loop below acts.
  setHandler(requestShareSignal, ({ workflowId }) => {
    if (!s.holders.includes(workflowId)) s.holders.push(workflowId);
    if (!s.waiting.includes(workflowId)) s.waiting.push(workflowId);
    version++;
  });
  setHandler(releaseShareSignal, ({ workflowId }) => {
    s.holders = s.holders.filter((h) => h !== workflowId);
    s.waiting = s.waiting.filter((h) => h !== workflowId);
    version++;
  });
  setHandler(sharesQuery, (): ShareView => {
    const { role: _role, ...target } = input;
    return {
      region: target.region,
      identifier: target.identifier,
      sourceAccountId: target.sourceAccountId,
      accountId: target.accountId,
      holders: [...s.holders],
      state: !s.shared ? 'unshared' : s.added ? 'shared-by-snapcopy' : 'shared-before',
    };
  });

  for (;;) {
    if (s.waiting.length) {
      const error = s.shared ? undefined : await share();
      await tell(s.waiting.splice(0), error);
      continue;
    }
    if (!s.holders.length) {
      if (s.shared && s.added) await unshare();
      s.shared = false;
      s.added = false;
      // A copy that asked while the share was being taken back is served by sharing again.
      if (s.waiting.length || s.holders.length) continue;
      return;
    }
    if (workflowInfo().historyLength > EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof sourceShare>({ ...input, state: s });
    }
    const seen = version;
    if (!(await condition(() => version !== seen, HOLDER_CHECK_MS))) await dropClosedHolders();
  }

  /** Adds the share unless it is there; remembers whether it was ours. An error goes to the copies. */
  async function share(): Promise<ShareReady['error']> {
    try {
      const { changed } = await shareSnapshot(where);
      s.shared = true;
      s.added = changed;
      return undefined;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = activityCause(err);
      return { type: cause?.type ?? 'Error', message: cause?.message ?? String(err) };
    }
  }

  /** Takes the share back; waits out AWS outages (a share left behind is what this workflow exists to prevent). */
  async function unshare(): Promise<void> {
    for (;;) {
      try {
        await unshareSnapshot(where);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const cause = activityCause(err);
        if (cause?.nonRetryable) {
          log.warn('source share: AWS refused to take the share back; it is left in place', {
            ...where,
            error: cause.message,
          });
          return;
        }
        await sleep(UNSHARE_RETRY_MS);
      }
    }
  }

  /** Tells each copy; one that is gone (closed) no longer holds the share, nor does one that was refused. */
  async function tell(copies: string[], error: ShareReady['error']): Promise<void> {
    const ready: ShareReady = {
      shareWorkflowId: workflowInfo().workflowId,
      added: s.added,
      ...(error ? { error } : {}),
    };
    await Promise.all(
      copies.map(async (workflowId) => {
        let told = true;
        try {
          await getExternalWorkflowHandle(workflowId).signal(shareReadySignal, ready);
        } catch {
          told = false;
        }
        if (error || !told) s.holders = s.holders.filter((h) => h !== workflowId);
      }),
    );
  }

  async function dropClosedHolders(): Promise<void> {
    try {
      const closed = await closedWorkflows({ workflowIds: s.holders });
      if (closed.length) {
        s.holders = s.holders.filter((h) => !closed.includes(h));
        version++;
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('source share: could not look at its holders; trying again later', { error: String(err) });
    }
  }
}
