// The activities as the workflow calls them: one set of options (retries, timeouts, cancellation) and
// a one-line summary on every call, so the Temporal UI's timeline reads as a story.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  type ActivityFunctionWithOptions,
  type ActivityOptions,
  type LocalActivityFunctionWithOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { SNAPSHOT_HELD, SNAPSHOT_NOT_OWNED } from '../../shared/names';
import { awsRetry } from '../retry';

// Throttling, 5xx and network errors are retried with backoff for up to half an hour per call.
// WAIT_CANCELLATION_COMPLETED: a cancelled start still reports whether it created the target, so the
// cleanup that follows can find it.
const activityOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '30m',
  retry: awsRetry({ maximumInterval: '2m' }, [SNAPSHOT_NOT_OWNED]),
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
const activities = proxyActivities<Activities>(activityOptions);

// Short read-only calls (and the copy-slot signals) as local activities: one marker event each instead
// of an activity's three plus a workflow task's three, which keeps a copy's history small while it waits.
const localOptions: LocalActivityOptions = {
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '30m',
  retry: activityOptions.retry,
};
const localActivities = proxyLocalActivities<Activities>(localOptions);

/**
 * One AWS request each, answered in a second or two: a worker that dies mid-call (SIGKILL, a lost host) is
 * noticed by this timeout alone, so it is short — a copy then waits 30 s for the retry, not 2 minutes.
 * Listings that page through a Region keep the longer one.
 */
const SINGLE_REQUEST: ReadonlySet<keyof Activities> = new Set<keyof Activities>([
  'describeTargetSnapshot',
  'describeSourceSnapshot',
  'resolveKmsKey',
  'startCopy',
  'deleteOwnedSnapshot',
]);
const SINGLE_REQUEST_TIMEOUT = '30s';

/** Calls an activity with a one-line summary (see ui.ts for the wording). */
export function call<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as ActivityFunctionWithOptions<Activities[K]>;
  const timeout = SINGLE_REQUEST.has(name) ? { startToCloseTimeout: SINGLE_REQUEST_TIMEOUT } : {};
  return fn.executeWithOptions({ ...activityOptions, ...timeout, summary }, args);
}

/** Longest a follow activity runs before it hands back (its progress then shows in the workflow's query). */
export const FOLLOW_SLICE_SECONDS = 120;
/** A follow activity hands back a changed percentage once it has run this long: progress shows at most this late. */
export const FOLLOW_SHOWS_CHANGES_SECONDS = 20;

// The follow activity sleeps between its polls: a heartbeat every 20 s tells a dead worker from a sleeping one
// within 30 s, and a cancel need not wait for it (it only reads).
const followOptions: ActivityOptions = {
  ...activityOptions,
  startToCloseTimeout: `${FOLLOW_SLICE_SECONDS + 60}s`,
  heartbeatTimeout: '30s',
  cancellationType: ActivityCancellationType.TRY_CANCEL,
};

// One poll with no wait (the poll after a workflow timer) is a single request, timed like the describe it
// replaces: it never sleeps, so it has no heartbeat to miss.
const pollOnceOptions: ActivityOptions = { ...activityOptions, startToCloseTimeout: SINGLE_REQUEST_TIMEOUT };

/** Follows the copy in one activity (followTargetSnapshot), with a one-line summary; `once`: one poll. */
export function follow(
  summary: string,
  input: Parameters<Activities['followTargetSnapshot']>[0],
  once = false,
): ReturnType<Activities['followTargetSnapshot']> {
  const options = once ? pollOnceOptions : followOptions;
  return activities.followTargetSnapshot.executeWithOptions({ ...options, summary }, [input]);
}

// A cancel waits for a local start's answer too (as for the plain activity): whether it created the target.
const localStartOptions: LocalActivityOptions = {
  ...localOptions,
  startToCloseTimeout: SINGLE_REQUEST_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * A quick call: a local activity when `local` (copies started with copy slots; the start itself since
 * LEAN_ARRIVAL_PATCH), else a plain one, as the histories of earlier copies recorded it.
 */
export function quick<K extends keyof Activities>(
  local: boolean,
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  if (!local) return call(name, summary, ...args);
  const fn = localActivities[name] as LocalActivityFunctionWithOptions<Activities[K]>;
  const options = name === 'startCopy' ? localStartOptions : localOptions;
  return fn.executeWithOptions({ ...options, summary }, args);
}

/**
 * The typed ApplicationFailure an activity failed with, if any: an activity's failure wraps it, a local
 * activity's is the ApplicationFailure itself.
 */
export function activityCause(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}

/**
 * The hold's reason when an activity refused a delete because the snapshot is on hold (SnapshotHeld), else
 * undefined: a hold set after the listing still wins, and the caller keeps the copy.
 */
export function heldReason(err: unknown): string | undefined {
  const cause = activityCause(err);
  if (cause?.type !== SNAPSHOT_HELD) return undefined;
  const details = cause.details?.[0] as { hold?: unknown } | undefined;
  return typeof details?.hold === 'string' ? details.hold : '';
}

/** A failure of the workflow itself, typed for callers (never retried). */
export function failure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}
