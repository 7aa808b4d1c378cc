// The copySlots workflow: one per account and destination Region, it shares AWS's limit of copies in
// flight among the copies that need it (the mutex sample's shape: a workflow that owns a resource, driven
// by signals). Copies ask (signal-with-start), wait without polling, and are told by signal when their
// slot is free; a slot that frees goes to the next copy at once. AWS stays the truth: a periodic check
// counts the copies in flight in the Region (copies snapcopy did not start take slots too) and reclaims
// the slots of copies that closed without giving them back.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { iso, now } from './clock';
import type { AssumedRole } from '../activities/types';
import { awsRetry } from './retry';
import {
  releaseSlotSignal,
  requestSlotSignal,
  slotGrantedSignal,
  slotsQuery,
  type SlotEntry,
} from '../shared/slots';
import { recordOldestSlotWait } from './metrics';
import { freshSlotsState, SlotBook, type SlotsState } from './slots/book';

export interface CopySlotsInput {
  accountId: string;
  region: string;
  /** Slots snapcopy may use in this account and Region (AWS's limit: 5). */
  capacity: number;
  /** The account's role (TargetRoleArn) for looking at its copies in flight; default credentials without. */
  role?: AssumedRole;
  /**
   * `restores`: the slots of restore tests (snapcopy-restore-slots-…): no copies in flight to count at AWS,
   * only holders that closed to reclaim. Default `copies`.
   */
  kind?: 'copies' | 'restores';
  /** Carried by continue-as-new. */
  state?: SlotsState;
  /** Holders that asked again and were not told yet when the previous run continued as new. */
  regrant?: string[];
}

/** Between looks at AWS while a copy waits for a slot (one look for all of them, never per copy). */
export const CHECK_INTERVAL_MS = 3 * 60 * 1000;
/** An idle scheduler ends after this long; the next copy's signal-with-start begins a new one. */
export const IDLE_MS = 30 * 60 * 1000;
/** Events per run before continuing as new (far below Temporal's 10,240-event warning). */
export const EVENTS_PER_RUN = 4_000;

/**
 * Schedulers since this patch wait for the next look at AWS on one timer per interval, not a timer per wake-up
 * (a started and a cancelled timer — two events and an action — for every request and release while copies
 * wait). Earlier histories replay without it.
 */
export const ONE_CHECK_TIMER_PATCH = 'slots-one-check-timer';

const { countCopiesInFlight, closedWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '10m',
  retry: awsRetry({ maximumInterval: '1m' }),
});

export async function copySlots(input: CopySlotsInput): Promise<void> {
  const book = new SlotBook(input.state ?? freshSlotsState(input.accountId, input.region, input.capacity));
  setHandler(slotsQuery, () => book.view());
  // Thin handlers: they record; the loop below grants.
  const regrant = new Set<string>(input.regrant ?? []);
  setHandler(requestSlotSignal, (r) => {
    if (book.request(r) === 'holding') regrant.add(r.workflowId);
  });
  setHandler(releaseSlotSignal, (r) => book.release(r.workflowId, r.reason));

  const oneTimer = patched(ONE_CHECK_TIMER_PATCH);
  let checkedAt = 0;
  // The one timer for the next look at AWS: the look it was set for, and whether it fired.
  let timerFor: number | undefined;
  let timerFired = false;
  const untilChangedOrCheck = async (changedOrAsked: () => boolean): Promise<void> => {
    if (timerFor !== checkedAt) {
      const look = checkedAt;
      timerFor = look;
      timerFired = false;
      void sleep(Math.max(1, checkedAt + CHECK_INTERVAL_MS - now())).then(() => {
        if (timerFor === look) timerFired = true;
      });
    }
    await condition(() => changedOrAsked() || timerFired);
  };
  for (;;) {
    await tell(book, [...book.grant(iso()), ...takeHolders(book, regrant)]);
    if (workflowInfo().historyLength > EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof copySlots>({ ...input, state: book.getState(), regrant: [...regrant] });
    }
    // Look at AWS only while a copy waits, a few minutes apart: then a foreign copy or a lost holder matters.
    const waiting = book.getState().queue.length > 0;
    if (waiting && now() - checkedAt >= CHECK_INTERVAL_MS) {
      await lookAtAws(book, input.role, input.kind ?? 'copies');
      checkedAt = now();
      continue;
    }
    showOldestWait(book);
    // Slots given back while the grants above were being told are granted now, not at the next signal.
    if (book.grantable || regrant.size > 0) continue;
    const seen = book.version;
    const changedOrAsked = () => book.version !== seen || regrant.size > 0;
    if (waiting && oneTimer) await untilChangedOrCheck(changedOrAsked);
    else if (waiting) await condition(changedOrAsked, checkedAt + CHECK_INTERVAL_MS - now());
    else if (book.busy) await condition(changedOrAsked);
    else if (!(await condition(changedOrAsked, IDLE_MS))) return; // idle: a copy's signal-with-start begins anew
  }
}

/** For alerts: how long the oldest waiting copy has waited (refreshed at least every check interval). */
function showOldestWait(book: SlotBook): void {
  const { accountId, region, queue } = book.getState();
  const oldest = queue.reduce((min, e) => Math.min(min, Date.parse(e.since)), Infinity);
  recordOldestSlotWait(accountId, region, Number.isFinite(oldest) ? Math.max(0, (now() - oldest) / 1000) : 0);
}

function takeHolders(book: SlotBook, regrant: Set<string>): SlotEntry[] {
  const again = book.view().holders.filter((h) => regrant.has(h.workflowId));
  regrant.clear();
  return again;
}

/** Signals each new holder; a copy that is gone (closed, never existed) gives its slot back at once. */
async function tell(book: SlotBook, holders: SlotEntry[]): Promise<void> {
  const { workflowId } = workflowInfo();
  await Promise.all(
    holders.map(async (h) => {
      try {
        await getExternalWorkflowHandle(h.workflowId).signal(slotGrantedSignal, {
          slotsWorkflowId: workflowId,
          grantedAt: h.since,
        });
      } catch {
        book.release(h.workflowId, 'done');
      }
    }),
  );
}

/**
 * The periodic check: copies in flight in the Region (AWS's truth), and holders that closed. A check that
 * cannot be made (AWS throttling or down past the activity's retries) changes nothing: the scheduler
 * keeps granting what it knows and looks again at the next interval — it must never fail and strand
 * its queue.
 */
async function lookAtAws(
  book: SlotBook,
  role: AssumedRole | undefined,
  kind: 'copies' | 'restores',
): Promise<void> {
  const { region, holders } = book.getState();
  const ours = holders.length; // holders only leave while AWS answers
  // Waiters need no check: a grant to a copy that is gone fails and frees the slot at once.
  const [inFlight, closed] = await Promise.all([
    kind === 'restores'
      ? undefined
      : countCopiesInFlight({ region, ...(role ? { role } : {}) }).catch(unlessCancelled),
    closedWorkflows({ workflowIds: holders.map((e) => e.workflowId) }).catch(unlessCancelled),
  ]);
  if (closed) book.reclaim(closed);
  if (inFlight !== undefined) book.observeAws(inFlight, iso(), ours);
}

function unlessCancelled(err: unknown): undefined {
  if (isCancellation(err)) throw err;
  log.warn('copy slots: the look at AWS failed; trying again at the next interval', { error: String(err) });
  return undefined;
}
