// The workflow thread's V8 heap limit. The SDK starts its workflow thread without resource limits, so the
// thread gets V8's default for the machine (4 GiB of old space with 16 GiB of RAM or more), and V8 lets a
// heap with that much room grow to up to four times what it holds before a full collection. In the
// `thousand` bench (1,000 copies, 100 cached) the thread's heap grew to 197 MiB holding about 60: the
// largest part of the worker's RSS. Under a limit of 1 GiB V8 grows it by at most 1.6 times.
//
// The main thread's heap (the SDK's bridge, the activities, the clients) grows the same way: to 117-157 MiB
// holding about 41. Its limit can only be given to node at start-up; V8's growth factor, though, is read at
// every collection, so the worker sets that for both heaps instead.
import v8 from 'node:v8';

/** What the limit leaves for each cached workflow: about three times the ~0.3 MiB one was measured to hold. */
const MIB_PER_CACHED_WORKFLOW = 1;
/** The bundle, the SDK and what the cached workflows share, with room to spare (about 50 MiB measured). */
const BASE_MIB = 256;
/** Below about 1 GiB V8's growth factor hardly falls further, while full collections come more often. */
const FLOOR_MIB = 1024;

/** The limit for a worker caching `maxCachedWorkflows` workflows, in MiB. */
export function workflowHeapLimitMb(maxCachedWorkflows: number): number {
  return Math.max(FLOOR_MIB, BASE_MIB + MIB_PER_CACHED_WORKFLOW * maxCachedWorkflows);
}

/** How much a heap may grow past what it held after a full collection: V8's factor under a 1 GiB limit. */
export const HEAP_GROWING_PERCENT = 60;

function flagGiven(name: RegExp, execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((f) => name.test(f));
}

/** Whether the process was started with its own heap limit (on the command line or in NODE_OPTIONS). */
export function heapLimitGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return flagGiven(/^--max[-_]old[-_]space[-_]size(=|$)/, execArgv, nodeOptions);
}

/** Whether node was told how to size its heaps: a limit, or a growth factor of its own. */
export function heapSizingGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return (
    heapLimitGiven(execArgv, nodeOptions) ||
    flagGiven(/^--heap[-_]growing[-_]percent(=|$)/, execArgv, nodeOptions)
  );
}

/** What node was started with: its own arguments, NODE_OPTIONS, and the heap limit V8 chose from them. */
export interface NodeHeapSettings {
  execArgv: readonly string[];
  nodeOptions: string | undefined;
  defaultLimitMb: number;
}

/**
 * The limit to set, or undefined to keep what there is: a limit given to node itself is kept, and so is a
 * default already lower (a small machine's).
 */
export function workflowHeapLimitToSet(
  maxCachedWorkflows: number,
  node: NodeHeapSettings,
): number | undefined {
  if (heapLimitGiven(node.execArgv, node.nodeOptions)) return undefined;
  const limit = workflowHeapLimitMb(maxCachedWorkflows);
  return limit < node.defaultLimitMb ? limit : undefined;
}

/**
 * The growth factor to set for both heaps, in percent past what a heap holds, or undefined to keep V8's:
 * kept when node was told how to size its heaps, and when its default limit is already small enough for
 * V8 to grow heaps by no more than this.
 */
export function heapGrowingPercentToSet(node: NodeHeapSettings): number | undefined {
  if (heapSizingGiven(node.execArgv, node.nodeOptions)) return undefined;
  return node.defaultLimitMb > FLOOR_MIB ? HEAP_GROWING_PERCENT : undefined;
}

function nodeHeapSettings(): NodeHeapSettings {
  return {
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    defaultLimitMb: v8.getHeapStatistics().heap_size_limit / 1024 / 1024,
  };
}

/**
 * Sets how far the process's heaps, the main thread's included, may grow past what they hold after a full
 * collection (V8 reads the factor at every collection). Returns the percentage set, or undefined.
 */
export function limitHeapGrowth(): number | undefined {
  const percent = heapGrowingPercentToSet(nodeHeapSettings());
  if (percent !== undefined) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}

/**
 * Sets the old-space limit of the V8 isolates started from now on: the workflow thread, which
 * Worker.create starts. Call it before creating the worker; the main thread's heap is not changed.
 * Returns the limit set, or undefined when none was.
 */
export function limitWorkflowThreadHeap(maxCachedWorkflows: number): number | undefined {
  const limit = workflowHeapLimitToSet(maxCachedWorkflows, nodeHeapSettings());
  if (limit !== undefined) v8.setFlagsFromString(`--max-old-space-size=${limit}`);
  return limit;
}
