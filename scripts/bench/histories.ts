// The full event histories of every workflow a snapcopy side ran: its copies (and their child copies),
// the copySlots schedulers and sourceShare holders of its destinations — every run, continued-as-new ones
// included — fetched from Temporal and reduced to what metrics.ts counts (HistoryEvent).
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { HistoryEvent } from './metrics';

/** One run of one workflow, its events in order. */
export interface WorkflowRun {
  workflowId: string;
  runId: string;
  type: string;
  /** epoch ms */
  startedAt: number;
  events: HistoryEvent[];
}

/** A history event as proto JSON gives it (int64s as strings, enums by name, times as RFC 3339). */
interface JsonEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
  [attributes: string]: unknown;
}

type Attrs = Record<string, unknown> | undefined;

const int = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));

/** The events of a proto JSON history (historyToJSON), reduced to HistoryEvent; with the run's links. */
export function toHistoryEvents(history: { events?: JsonEvent[] }): {
  events: HistoryEvent[];
  type?: string;
  runId?: string;
  continuedTo?: string;
  children: string[];
} {
  const events: HistoryEvent[] = [];
  const children: string[] = [];
  let type: string | undefined;
  let runId: string | undefined;
  let continuedTo: string | undefined;
  for (const raw of history.events ?? []) {
    const attrs = Object.entries(raw).find(([k]) => k.endsWith('EventAttributes'))?.[1] as Attrs;
    const e: HistoryEvent = { id: Number(raw.eventId), type: raw.eventType, at: Date.parse(raw.eventTime) };
    switch (raw.eventType) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED': {
        type = (attrs?.workflowType as { name?: string } | undefined)?.name;
        runId = attrs?.originalExecutionRunId as string | undefined;
        const from = attrs?.continuedExecutionRunId as string | undefined;
        if (from) e.continuedFrom = from;
        if (attrs?.parentWorkflowExecution) e.hasParent = true;
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        continuedTo = attrs?.newExecutionRunId as string | undefined;
        break;
      case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED': {
        const id = attrs?.workflowId as string | undefined;
        if (id) children.push(id);
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_STARTED':
        e.attempt = int(attrs?.attempt) ?? 1;
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_STARTED':
        e.scheduledEventId = int(attrs?.scheduledEventId);
        break;
      case 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED': {
        e.scheduledEventId = int(attrs?.scheduledEventId);
        e.startedEventId = int(attrs?.startedEventId);
        const metering = attrs?.meteringMetadata as Attrs;
        const retries = int(metering?.nonfirstLocalActivityExecutionAttempts);
        if (retries) e.localActivityRetries = retries;
        break;
      }
      case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES': {
        const sa = attrs?.searchAttributes as { indexedFields?: Record<string, unknown> } | undefined;
        e.searchAttributes = Object.keys(sa?.indexedFields ?? {});
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_TASK_FAILED':
        if (typeof attrs?.cause === 'string') e.cause = attrs.cause;
        break;
      case 'EVENT_TYPE_MARKER_RECORDED': {
        const type = localActivityType(attrs);
        if (type) e.localActivity = type;
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED': {
        const heartbeats = reportedHeartbeats(attrs?.result);
        if (heartbeats) e.heartbeats = heartbeats;
        break;
      }
    }
    events.push(e);
  }
  return { events, type, runId, continuedTo, children };
}

/** A local activity's marker: its activity type (the SDK's marker data, JSON); else undefined. */
function localActivityType(attrs: Attrs): string | undefined {
  if (attrs?.markerName !== 'core_local_activity') return undefined;
  const details = attrs.details as Record<string, unknown> | undefined;
  const value = firstJsonPayload(details?.data) as { activity_type?: unknown } | undefined;
  return typeof value?.activity_type === 'string' ? value.activity_type : undefined;
}

/** The `heartbeats` an activity's JSON result reports (the follow activity's), if any. */
function reportedHeartbeats(result: unknown): number | undefined {
  const value = firstJsonPayload(result) as { heartbeats?: unknown } | undefined;
  return typeof value?.heartbeats === 'number' ? value.heartbeats : undefined;
}

/** The first payload of proto JSON `Payloads`, decoded as JSON; undefined when absent or not JSON. */
function firstJsonPayload(payloads: unknown): unknown {
  const data = (payloads as { payloads?: { data?: string }[] } | undefined)?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    return JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export interface WalkOptions {
  /** The workflow IDs to start from (the latest run of each is fetched unless visibility lists it). */
  roots: Iterable<string>;
  /** Workflow types listed through visibility (runs started since `since`), kept when `belongs` says so. */
  types: readonly string[];
  belongs: (workflowId: string, type: string) => boolean;
  /** epoch ms: runs started before are an earlier side's. */
  since: number;
  concurrency?: number;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'WorkflowNotFoundError' || /not ?found/i.test((err as Error | undefined)?.message ?? '');
}

/**
 * Every run of the side's workflows: those visibility lists (started since `since`, of `types`, that
 * `belongs` keeps), the latest run of every root it does not list yet, and, from the histories, each run's
 * predecessor and successor by continue-as-new and its children.
 */
export async function walkHistories(client: Client, opts: WalkOptions): Promise<WorkflowRun[]> {
  const runs = new Map<string, WorkflowRun>();
  const queued = new Set<string>(); // `id/runId` or `id/` (latest run)
  const queue: { workflowId: string; runId?: string }[] = [];
  const enqueue = (workflowId: string, runId?: string) => {
    const key = `${workflowId}/${runId ?? ''}`;
    if ((runId && runs.has(runId)) || queued.has(key)) return;
    queued.add(key);
    queue.push({ workflowId, ...(runId ? { runId } : {}) });
  };
  const listed = new Set<string>();
  const query = `StartTime >= '${new Date(opts.since).toISOString()}' AND (${opts.types
    .map((t) => `WorkflowType = '${t}'`)
    .join(' OR ')})`;
  for await (const wf of client.workflow.list({ query })) {
    if (!opts.belongs(wf.workflowId, wf.type)) continue;
    listed.add(wf.workflowId);
    enqueue(wf.workflowId, wf.runId);
  }
  for (const id of opts.roots) if (!listed.has(id)) enqueue(id);

  const fetchOne = async ({ workflowId, runId }: { workflowId: string; runId?: string }) => {
    let history;
    try {
      history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    } catch (err) {
      if (isNotFound(err)) return; // a root that never ran (e.g. a destination's scheduler, no copy got there)
      throw err;
    }
    const json = JSON.parse(historyToJSON(history)) as { events?: JsonEvent[] };
    const found = toHistoryEvents(json);
    const id = runId ?? found.runId;
    const startedAt = found.events[0]?.at ?? 0;
    if (!id || runs.has(id) || startedAt < opts.since) return;
    runs.set(id, { workflowId, runId: id, type: found.type ?? 'unknown', startedAt, events: found.events });
    const from = found.events[0]?.continuedFrom;
    if (from) enqueue(workflowId, from);
    if (found.continuedTo) enqueue(workflowId, found.continuedTo);
    for (const child of found.children) enqueue(child);
  };
  // In rounds: a round's histories may name further runs (continue-as-new, children) for the next one.
  while (queue.length > 0) {
    const round = queue.splice(0);
    const workers = Array.from({ length: opts.concurrency ?? 8 }, async () => {
      for (let next = round.shift(); next; next = round.shift()) await fetchOne(next);
    });
    await Promise.all(workers);
  }
  return [...runs.values()];
}
