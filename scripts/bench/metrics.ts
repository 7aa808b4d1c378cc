// The bench's arithmetic, pure: percentiles, utilisation of the copy slots (from sampled copies in flight
// and, exactly, from the emulator's copy timelines), the physical limit of a fleet, ratios; and for the
// scale scenarios: when every slot was first busy, copies lost and duplicated, throttled calls, Temporal
// Cloud's billable actions and workflow task latency from event histories.
import type { EmulatorCopy } from '../lib/emulator-api';

/** The p-th percentile (0-100) by linear interpolation between closest ranks; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** The shortest time N copies can take with `limit` in flight at once: ceil(N / limit) × copySeconds. */
export function physicalLimitSeconds(copies: number, limit: number, copySeconds: number): number {
  return Math.ceil(copies / limit) * copySeconds;
}

/**
 * The physical limit over several destinations, each with `limit` copies in flight at once: the slowest
 * destination's, max over destinations of ceil(copies there / limit) × copySeconds.
 */
export function physicalLimitOfDestinations(
  copiesThere: readonly number[],
  limit: number,
  copySeconds: number,
): number {
  return Math.max(0, ...copiesThere.map((n) => physicalLimitSeconds(n, limit, copySeconds)));
}

/** a ÷ b, undefined when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return a / b;
}

export interface InFlightSample {
  /** Epoch ms. */
  at: number;
  inFlight: number;
}

/**
 * Mean copies in flight over [from, to] ÷ limit, from samples: each sample holds until the next one (a
 * step function), the first one also back to `from`. Undefined without samples or with an empty window.
 */
export function utilisationFromSamples(
  samples: readonly InFlightSample[],
  limit: number,
  from: number,
  to: number,
): number | undefined {
  const inWindow = [...samples].filter((s) => s.at <= to).sort((a, b) => a.at - b.at);
  if (inWindow.length === 0 || to <= from || limit <= 0) return undefined;
  let area = 0;
  for (let i = 0; i < inWindow.length; i++) {
    const start = i === 0 ? from : Math.max(from, inWindow[i]!.at);
    const end = i + 1 < inWindow.length ? Math.max(from, inWindow[i + 1]!.at) : to;
    if (end > start) area += inWindow[i]!.inFlight * (end - start);
  }
  return area / ((to - from) * limit);
}

/** When a copy stopped taking a slot: available, failed or deleted, whichever came first; undefined while it runs. */
export function copyEnd(copy: EmulatorCopy): number | undefined {
  const ends = [copy.availableAt, copy.failedAt, copy.deletedAt].filter((t): t is number => t !== undefined);
  return ends.length ? Math.min(...ends) : undefined;
}

/** Which copies of the emulator's timelines count: a Region's (any account), or those a predicate picks. */
export type CopiesOf = string | ((copy: EmulatorCopy) => boolean);

function matcher(where: CopiesOf): (copy: EmulatorCopy) => boolean {
  return typeof where === 'string' ? (copy) => copy.region === where : where;
}

/**
 * Exact utilisation over [from, to] from the emulator's timelines: the time each copy of `where` (a Region,
 * or the scenario's destinations) was in flight (created → end, or → `to` while still running), summed,
 * ÷ (slots × window), `slots` being the limit times the destinations.
 */
export function utilisationFromTimeline(
  copies: readonly EmulatorCopy[],
  where: CopiesOf,
  slots: number,
  from: number,
  to: number,
): number | undefined {
  if (to <= from || slots <= 0) return undefined;
  const ours = matcher(where);
  let busy = 0;
  for (const copy of copies) {
    if (!ours(copy)) continue;
    const start = Math.max(from, copy.createdAt);
    const end = Math.min(to, copyEnd(copy) ?? to);
    if (end > start) busy += end - start;
  }
  return busy / ((to - from) * slots);
}

/** Starts (+1) and ends (-1) of the copies in flight, in time order; at equal times an end goes first. */
function flightEvents(copies: readonly EmulatorCopy[]): [number, number, EmulatorCopy][] {
  const events: [number, number, EmulatorCopy][] = [];
  for (const copy of copies) {
    events.push([copy.createdAt, 1, copy]);
    const end = copyEnd(copy);
    if (end !== undefined) events.push([end, -1, copy]);
  }
  // A slot freed and taken in the same millisecond is one slot.
  return events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The most copies of `where` (a Region, or a predicate) in flight at any one moment of the timelines. */
export function peakInFlight(copies: readonly EmulatorCopy[], where: CopiesOf): number {
  let now = 0;
  let peak = 0;
  for (const [, delta] of flightEvents(copies.filter(matcher(where)))) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

export interface CountSample {
  /** Epoch ms. */
  at: number;
  /** A running total (e.g. AWS calls counted so far). */
  count: number;
}

/** The least time a rate is computed over: a few seconds after a window's end says nothing. */
export const MIN_RATE_SPAN_MS = 10_000;

/**
 * The total's rate per minute between the first sample at or after `from` and `end` (where it is
 * `endCount`): undefined when no sample falls in the window, or it leaves less than MIN_RATE_SPAN_MS.
 */
export function ratePerMinute(
  samples: readonly CountSample[],
  from: number,
  end: number,
  endCount: number,
): number | undefined {
  const first = [...samples].sort((a, b) => a.at - b.at).find((s) => s.at >= from && s.at < end);
  if (!first || end - first.at < MIN_RATE_SPAN_MS) return undefined;
  return ((endCount - first.count) * 60_000) / (end - first.at);
}

export interface LagSummary {
  count: number;
  p50?: number;
  p95?: number;
  max?: number;
}

/** Seconds between pairs of epoch-ms times (`available` → noticed), summarised. */
export function lagSummary(lagsMs: readonly number[]): LagSummary {
  const seconds = lagsMs.map((ms) => ms / 1000);
  return {
    count: seconds.length,
    p50: percentile(seconds, 50),
    p95: percentile(seconds, 95),
    max: seconds.length ? Math.max(...seconds) : undefined,
  };
}

/** A destination's copy slots: its account and Region, and how many of its slots can be busy at once. */
export interface SlotPool {
  accountId: string;
  region: string;
  /** min(limit, copies assigned there): a destination given 2 copies has 2 slots to fill, not 5. */
  slots: number;
}

/**
 * "Until all N slots are busy": the first moment (epoch ms) at which every destination has all its slots
 * busy AT ONCE — each pool at least `slots` copies in flight simultaneously, N being the pools' slots
 * summed — from the emulator's timelines; undefined when that never happened. (Not each destination's own
 * first full moment and then the latest of those: a destination that filled and emptied again before the
 * last one filled never had all N busy together.) Pools with no slot are full from the start.
 */
export function allSlotsBusyAt(
  copies: readonly EmulatorCopy[],
  pools: readonly SlotPool[],
): number | undefined {
  const key = (c: { accountId: string; region: string }) => `${c.accountId}/${c.region}`;
  const wanted = new Map(pools.map((p) => [key(p), p.slots]));
  const inFlight = new Map<string, number>();
  let full = pools.filter((p) => p.slots <= 0).length;
  if (full === pools.length) return undefined;
  for (const [at, delta, copy] of flightEvents(copies.filter((c) => wanted.has(key(c))))) {
    const k = key(copy);
    const need = wanted.get(k)!;
    const before = inFlight.get(k) ?? 0;
    const after = before + delta;
    inFlight.set(k, after);
    if (need > 0 && before < need && after >= need) full++;
    if (need > 0 && before >= need && after < need) full--;
    if (full === pools.length) return at;
  }
  return undefined;
}

/** `account/Region/target` of an emulator copy: a target is one copy made in one account and Region. */
export function copyKey(copy: { accountId: string; region: string; id: string }): string {
  return `${copy.accountId}/${copy.region}/${copy.id}`;
}

/**
 * Targets (copyKey) the emulator accepted more than one copy of: CopyDBClusterSnapshot accepted twice for
 * one target, or a target created, deleted and created again — each emulator copy is one accepted
 * CopyDBClusterSnapshot. Among `targets` only (the planned ones).
 */
export function duplicatedTargets(copies: readonly EmulatorCopy[], targets: ReadonlySet<string>): string[] {
  const seen = new Map<string, number>();
  for (const copy of copies) {
    const k = copyKey(copy);
    if (targets.has(k)) seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** Planned targets (copyKey) never available at the emulator: lost, when the side ran to completion. */
export function lostTargets(copies: readonly EmulatorCopy[], targets: readonly string[]): string[] {
  const available = new Set(copies.filter((c) => c.availableAt !== undefined).map(copyKey));
  return targets.filter((t) => !available.has(t));
}

/** Calls the emulator answered with a throttling error: RDS's `Throttling`, KMS's `ThrottlingException`. */
export function throttledCalls(errors: Record<string, Record<string, Record<string, number>>>): number {
  let n = 0;
  for (const actions of Object.values(errors)) {
    for (const codes of Object.values(actions)) {
      for (const [code, calls] of Object.entries(codes)) {
        if (/^Throttl/.test(code)) n += calls;
      }
    }
  }
  return n;
}

export interface LatencySummary {
  count: number;
  /** seconds */
  p50?: number;
  p99?: number;
  max?: number;
  /** how many took longer than a second */
  overOneSecond: number;
}

/** Durations in ms, summarised in seconds. */
export function latencySummary(ms: readonly number[]): LatencySummary {
  const seconds = ms.map((v) => v / 1000);
  return {
    count: seconds.length,
    p50: percentile(seconds, 50),
    p99: percentile(seconds, 99),
    max: seconds.length ? seconds.reduce((a, b) => Math.max(a, b)) : undefined,
    overOneSecond: seconds.filter((s) => s > 1).length,
  };
}

/**
 * One event of a workflow run's history, with what the measures need of its attributes. `type` is the
 * proto enum name (EVENT_TYPE_…), as Temporal Cloud's actions page names them.
 */
export interface HistoryEvent {
  id: number;
  type: string;
  /** epoch ms */
  at: number;
  /** ACTIVITY_TASK_STARTED: the attempt (1 for the first). */
  attempt?: number;
  /** WORKFLOW_TASK_STARTED / _COMPLETED: the task's scheduled event; _COMPLETED: its started event. */
  scheduledEventId?: number;
  startedEventId?: number;
  /** WORKFLOW_TASK_COMPLETED: meteringMetadata.nonfirstLocalActivityExecutionAttempts. */
  localActivityRetries?: number;
  /** UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: the attributes' names. */
  searchAttributes?: string[];
  /** WORKFLOW_TASK_FAILED: its cause. */
  cause?: string;
  /** ACTIVITY_TASK_COMPLETED: the heartbeats its result says it sent (followTargetSnapshot reports them). */
  heartbeats?: number;
  /** WORKFLOW_EXECUTION_STARTED: the run it continues (continue-as-new), and whether it has a parent. */
  continuedFrom?: string;
  hasParent?: boolean;
  /** MARKER_RECORDED of a local activity: its activity type. */
  localActivity?: string;
}

/**
 * Temporal Cloud's billable actions, as far as a workflow's event history shows them — THE table of what
 * counts. Source: https://docs.temporal.io/cloud/actions (sections Workflow, Activity, Timer, Signal,
 * Update; docs.temporal.io/cloud/actions-usage marks the same events as billable in a history).
 *
 * Activity Heartbeats are counted where the activity's result reports them (the follow activity's
 * `heartbeats`: the ones it sent; the SDK may hold some back, so this is an upper bound; a failed attempt's
 * are not in any result). Not counted, since no history shows them (they would add to the figure): Queries
 * (billed per Query a worker receives; the scale scenarios send none), Workflow Task heartbeats of long
 * Local Activities. Free: every other event, among them WORKFLOW_EXECUTION_
 * CONTINUED_AS_NEW (the new run's start is the action), SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED (a
 * signal is one action, counted where it is received), timers fired or cancelled, completions.
 */
export const ACTION_TABLE: readonly { event: string; action: string; counts: string }[] = [
  {
    event: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    action: 'workflow started',
    counts:
      '1 (client start, continue-as-new run, child); a signal-with-start that started it: 1 with its signal',
  },
  {
    event: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    action: 'child workflow initiated',
    counts: "1 (the intent; the child's own start is the second of the two the docs name)",
  },
  {
    event: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
    action: 'signal',
    counts:
      "1 (each signal once, where it is received: from a client, an activity's signal-with-start, or another workflow)",
  },
  {
    event: 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    action: 'update',
    counts: '1 (a rejected update is billed too but never written to history)',
  },
  { event: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', action: 'activity', counts: '1' },
  { event: 'EVENT_TYPE_ACTIVITY_TASK_STARTED', action: 'activity retry', counts: 'attempt − 1' },
  {
    event: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
    action: 'activity heartbeats',
    counts: "the result's `heartbeats` (the follow activity reports those it sent)",
  },
  {
    event: 'EVENT_TYPE_MARKER_RECORDED',
    action: 'local activities',
    counts: 'every marker of one workflow task together: 1',
  },
  {
    event: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    action: 'local activity retries',
    counts: 'meteringMetadata.nonfirstLocalActivityExecutionAttempts',
  },
  { event: 'EVENT_TYPE_TIMER_STARTED', action: 'timer', counts: '1 (condition() with a timeout too)' },
  {
    event: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
    action: 'search attributes upsert',
    counts: '1 per upsert, 0 when it only sets TemporalChangeVersion',
  },
  { event: 'EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED', action: 'options updated', counts: '1' },
  { event: 'EVENT_TYPE_WORKFLOW_TASK_FAILED', action: 'reset', counts: '1 when its cause is a reset' },
];

export interface ActionCount {
  total: number;
  /** By ACTION_TABLE's `action`. */
  byAction: Record<string, number>;
}

/** The billable actions of one run's history (events in order), by ACTION_TABLE. */
export function billableActions(events: readonly HistoryEvent[]): ActionCount {
  const byAction: Record<string, number> = {};
  const add = (action: string, n = 1) => {
    if (n > 0) byAction[action] = (byAction[action] ?? 0) + n;
  };
  const [first, second] = events;
  // Signal-with-start that started the run: WORKFLOW_EXECUTION_STARTED then its signal before any workflow
  // task (a plain start schedules its first task right after it); one action for both.
  const signalWithStart =
    first?.type === 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' &&
    !first.continuedFrom &&
    !first.hasParent &&
    second?.type === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED';
  let task: number | undefined; // the workflow task whose commands are being recorded
  const markedTasks = new Set<number | undefined>();
  for (const e of events) {
    switch (e.type) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED':
        add('workflow started');
        break;
      case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED':
        add('child workflow initiated');
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED':
        if (!(signalWithStart && e === second)) add('signal');
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED':
        add('update');
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED':
        add('activity');
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_STARTED':
        add('activity retry', (e.attempt ?? 1) - 1);
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED':
        add('activity heartbeats', e.heartbeats ?? 0);
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED':
        task = e.id;
        add('local activity retries', e.localActivityRetries ?? 0);
        break;
      case 'EVENT_TYPE_MARKER_RECORDED':
        if (!markedTasks.has(task)) add('local activities');
        markedTasks.add(task);
        break;
      case 'EVENT_TYPE_TIMER_STARTED':
        add('timer');
        break;
      case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
        if ((e.searchAttributes ?? []).some((name) => name !== 'TemporalChangeVersion'))
          add('search attributes upsert');
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED':
        add('options updated');
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_FAILED':
        if (e.cause === 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW') add('reset');
        break;
    }
  }
  return { total: Object.values(byAction).reduce((a, b) => a + b, 0), byAction };
}

/**
 * Each completed workflow task's latency in ms: scheduled → completed (the whole wait a workflow sees:
 * queueing for a worker, then the worker's own part) and started → completed (the worker's part alone). A
 * task whose completion records local activities' markers stayed open while they ran, and one that a new task
 * follows at once was a heartbeat of a task held open by local activities still running: their worker part
 * holds those AWS calls too. `startedToCompletedWithoutLocal` is the worker's part of the other tasks, and
 * `startedToCompletedByLocal` the worker's part by what held the task open: the local activities it recorded
 * (their types, sorted and joined by `+`), `heartbeat`, or `none`.
 */
export function workflowTaskLatencies(events: readonly HistoryEvent[]): {
  scheduledToCompleted: number[];
  startedToCompleted: number[];
  startedToCompletedWithoutLocal: number[];
  startedToCompletedByLocal: Record<string, number[]>;
} {
  const at = new Map<number, number>();
  const scheduledToCompleted: number[] = [];
  const startedToCompleted: number[] = [];
  const startedToCompletedWithoutLocal: number[] = [];
  const startedToCompletedByLocal: Record<string, number[]> = {};
  events.forEach((e, i) => {
    if (e.type === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' || e.type === 'EVENT_TYPE_WORKFLOW_TASK_STARTED') {
      at.set(e.id, e.at);
    } else if (e.type === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') {
      const scheduled = e.scheduledEventId !== undefined ? at.get(e.scheduledEventId) : undefined;
      const started = e.startedEventId !== undefined ? at.get(e.startedEventId) : undefined;
      if (scheduled !== undefined) scheduledToCompleted.push(e.at - scheduled);
      if (started === undefined) return;
      const ms = e.at - started;
      startedToCompleted.push(ms);
      const heldBy = heldOpenBy(events, i);
      if (heldBy === 'none') startedToCompletedWithoutLocal.push(ms);
      (startedToCompletedByLocal[heldBy] ??= []).push(ms);
    }
  });
  return {
    scheduledToCompleted,
    startedToCompleted,
    startedToCompletedWithoutLocal,
    startedToCompletedByLocal,
  };
}

/**
 * What held the task completed at `i` open: the local activities whose markers are among its commands (every
 * marker before the next task completes is this task's; their types, sorted, `+`), `heartbeat` when a new task
 * follows at once, else `none` (a patch's marker is no call).
 */
function heldOpenBy(events: readonly HistoryEvent[], i: number): string {
  if (events[i + 1]?.type === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED') return 'heartbeat';
  const types = new Set<string>();
  for (let j = i + 1; j < events.length && events[j]!.type !== 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED'; j++) {
    const type = events[j]!.localActivity;
    if (type) types.add(type);
  }
  return types.size ? [...types].sort().join('+') : 'none';
}

/** What a side's workflows are: copies (their child copies too), copySlots schedulers, sourceShare holders. */
export type WorkflowKind = 'copy' | 'scheduler' | 'share';

export interface HistorySummary {
  /** Events of every run (continued-as-new ones included), by kind. */
  copyEvents: number;
  copyRuns: number;
  schedulerEvents: number;
  schedulerRuns: number;
  shareEvents: number;
  shareRuns: number;
  /** Billable actions (ACTION_TABLE), by kind and in all by action. */
  actions: { copy: number; scheduler: number; share: number; byAction: Record<string, number> };
  /** Every completed workflow task of every run: scheduled → completed, and started → completed. */
  workflowTasks: {
    scheduledToCompleted: LatencySummary;
    startedToCompleted: LatencySummary;
    startedToCompletedWithoutLocal?: LatencySummary;
    /** The worker's part by what held the task open (workflowTaskLatencies' `startedToCompletedByLocal`). */
    startedToCompletedByLocal?: Record<string, LatencySummary>;
  };
  /** The same, scheduled → completed, by kind (for the results file). */
  workflowTasksByKind: Partial<Record<WorkflowKind, LatencySummary>>;
}

/** Sums the runs' histories: events, billable actions and workflow task latencies. */
export function summariseHistories(
  runs: readonly { kind: WorkflowKind; events: readonly HistoryEvent[] }[],
): HistorySummary {
  const s: HistorySummary = {
    copyEvents: 0,
    copyRuns: 0,
    schedulerEvents: 0,
    schedulerRuns: 0,
    shareEvents: 0,
    shareRuns: 0,
    actions: { copy: 0, scheduler: 0, share: 0, byAction: {} },
    workflowTasks: { scheduledToCompleted: latencySummary([]), startedToCompleted: latencySummary([]) },
    workflowTasksByKind: {},
  };
  const scheduled: number[] = [];
  const started: number[] = [];
  const startedWithoutLocal: number[] = [];
  const startedByLocal: Record<string, number[]> = {};
  const byKind: Partial<Record<WorkflowKind, number[]>> = {};
  for (const { kind, events } of runs) {
    s[`${kind}Events`] += events.length;
    s[`${kind}Runs`]++;
    const actions = billableActions(events);
    s.actions[kind] += actions.total;
    for (const [action, n] of Object.entries(actions.byAction)) {
      s.actions.byAction[action] = (s.actions.byAction[action] ?? 0) + n;
    }
    const latencies = workflowTaskLatencies(events);
    scheduled.push(...latencies.scheduledToCompleted);
    started.push(...latencies.startedToCompleted);
    startedWithoutLocal.push(...latencies.startedToCompletedWithoutLocal);
    for (const [held, ms] of Object.entries(latencies.startedToCompletedByLocal))
      (startedByLocal[held] ??= []).push(...ms);
    (byKind[kind] ??= []).push(...latencies.scheduledToCompleted);
  }
  for (const [kind, ms] of Object.entries(byKind))
    if (ms.length) s.workflowTasksByKind[kind as WorkflowKind] = latencySummary(ms);
  s.workflowTasks = {
    scheduledToCompleted: latencySummary(scheduled),
    startedToCompleted: latencySummary(started),
    startedToCompletedWithoutLocal: latencySummary(startedWithoutLocal),
    startedToCompletedByLocal: Object.fromEntries(
      Object.entries(startedByLocal).map(([held, ms]) => [held, latencySummary(ms)]),
    ),
  };
  return s;
}
