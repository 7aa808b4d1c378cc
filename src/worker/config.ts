// The worker's own settings, from the environment (Temporal's connection settings live in
// ../temporal-connection.ts). Read once at start-up; a bad value stops the worker with a clear message
// instead of running half-configured.
import type { LogLevel } from '@temporalio/common';
import { DurationError, parseDurationMs } from '../shared/duration';
import type { BudgetRate } from '../activities/aws-budget';
import { DEFAULT_RDS_BUDGET } from '../activities/clients';
import { DEFAULT_RESTORE_TESTS_PER_REGION } from '../shared/restore-tests';
import { DEFAULT_SLOT_CAPACITY } from '../shared/slots';

/** Prometheus scrape port (the fixed contract: worker metrics 9464). */
export const DEFAULT_METRICS_PORT = 9464;
/** All interfaces: in a container the scraper is on another host. */
export const DEFAULT_METRICS_HOST = '0.0.0.0';
/** How long in-flight activities may run on after SIGTERM before they are cancelled (and retried elsewhere). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;
export const DEFAULT_LOG_LEVEL: LogLevel = 'INFO';
/**
 * Workflows kept in the worker's sticky cache. A fleet queues hundreds of copies that wait on a slot signal
 * for hours; the SDK's default (sized from the heap) keeps every one of them in memory. An evicted copy
 * replays its short history (about 35 events for a whole copy) when its signal, timer or activity arrives.
 * But an evicted copy's next task joins the shared queue behind every copy still arriving, where a cached
 * one's goes to the worker's sticky queue, and its replay costs the one workflow thread: in `npm run bench --
 * --scenario thousand` (1,000 copies at once) the worker's part of a task was 2.7-3.0 s at p99 with 100
 * cached (423-468 MiB RSS), 1.2 s with 200 (486 MiB) and with 300 (474 MiB), since the workflow thread's
 * heap limit (./heap.ts); 200 keeps 1,000 copies within 512 MiB with room for the runs' spread.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 200;
/**
 * No deadlock watchdog by default: the SDK's costs a native thread per call into workflow code (see
 * deadlock.ts); `thousand` measured the worker's part of a task at 0.82 s p99 without it against 1.06 s.
 */
export const DEFAULT_WORKFLOW_DEADLOCK_TIMEOUT_MS: number | false = false;

// Worker tuning (docs/operations.md#worker-tuning). Each default is the SDK 1.24 default but the workflow
// task and activity slots (see there); `npm run bench` is where new figures come from.
/** Fixed slot counts unless SNAPCOPY_TUNER says otherwise (the SDK's default). */
export const DEFAULT_TUNER: TunerKind = 'fixed';
/**
 * Workflow tasks run at once (maxConcurrentWorkflowTaskExecutions; SDK default 40; never more than cached).
 * A task holds its slot while its local activities wait on Temporal and AWS, so when hundreds of copies
 * arrive, 40 at once only queue on a busy machine: in `regions`, `burst` and `thousand` (paired runs) 20 cut
 * the worker's part of a task from 0.8-1.1 s to 0.6-0.8 s at p99 (0.89 s at most) and filled the slots sooner.
 */
export const DEFAULT_WORKFLOW_TASK_SLOTS = 20;
/**
 * Activities run at once (maxConcurrentActivityTaskExecutions; SDK default 100). A copy's follow activity
 * sleeps between its polls for up to two minutes: a thousand copies' follows must not hold the slots their
 * starts and cleanups need, and a sleeping activity costs next to nothing.
 */
export const DEFAULT_ACTIVITY_SLOTS = 1000;
/** Local activities run at once (maxConcurrentLocalActivityExecutions; SDK default 100). */
export const DEFAULT_LOCAL_ACTIVITY_SLOTS = 100;
/** Workflow task polls at once, capped at the workflow task slots (SDK default: min(10, slots)). */
export const DEFAULT_WORKFLOW_POLLERS = 10;
/** Activity task polls at once, capped at the activity slots (SDK default: min(10, slots)). */
export const DEFAULT_ACTIVITY_POLLERS = 10;
/** Resource-based tuner's memory target, a fraction of the machine's (Temporal advises no more than 0.8). */
export const DEFAULT_TUNER_TARGET_MEMORY = 0.8;
/** Resource-based tuner's CPU target, a fraction of the machine's (headroom for other processes). */
export const DEFAULT_TUNER_TARGET_CPU = 0.9;

export const TUNERS = ['fixed', 'resource-based'] as const;
export type TunerKind = (typeof TUNERS)[number];
/** A poller count, or `auto`: the SDK's autoscaling poller behaviour (it follows the server's hints). */
export type Pollers = number | 'auto';

/** The variables that set fixed slot counts, which the SDK refuses beside a resource-based tuner. */
const SLOT_VARIABLES = [
  'SNAPCOPY_WORKFLOW_TASK_SLOTS',
  'SNAPCOPY_ACTIVITY_SLOTS',
  'SNAPCOPY_LOCAL_ACTIVITY_SLOTS',
] as const;
const TARGET_VARIABLES = ['SNAPCOPY_TUNER_TARGET_MEMORY', 'SNAPCOPY_TUNER_TARGET_CPU'] as const;

/** Slots: how many tasks of each kind run at once; pollers: how many polls for them are open at once. */
export type WorkerTuning =
  | {
      tuner: 'fixed';
      workflowTaskSlots: number;
      activitySlots: number;
      localActivitySlots: number;
      workflowPollers: Pollers;
      activityPollers: Pollers;
    }
  | {
      /** The SDK's ResourceBasedTuner hands out slots while memory and CPU stay under these fractions. */
      tuner: 'resource-based';
      targetMemory: number;
      targetCpu: number;
      workflowPollers: Pollers;
      activityPollers: Pollers;
    };

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const METRICS_OFF = new Set(['0', 'off', 'false', 'no', 'none', 'disabled']);

/**
 * SNAPCOPY_RDS_CALLS_PER_SECOND / SNAPCOPY_RDS_BURST: the worker's own budget of RDS calls per account and
 * Region (see DEFAULT_RDS_BUDGET for why half AWS's refill and a fifth of its burst); `off` sends unbudgeted.
 */
export function parseRdsBudget(env: NodeJS.ProcessEnv): BudgetRate | false {
  const rate = read(env, 'SNAPCOPY_RDS_CALLS_PER_SECOND');
  const burst = parseIntegerSetting(read(env, 'SNAPCOPY_RDS_BURST'), 'SNAPCOPY_RDS_BURST', {
    min: 1,
    max: 10_000,
    default: DEFAULT_RDS_BUDGET.burst,
    what: 'calls',
  });
  if (rate !== undefined && rate.toLowerCase() === 'off') {
    if (read(env, 'SNAPCOPY_RDS_BURST') !== undefined)
      throw new ConfigError(
        'SNAPCOPY_RDS_BURST',
        'is set while SNAPCOPY_RDS_CALLS_PER_SECOND is off; unset one of them',
      );
    return false;
  }
  if (rate === undefined) return { perSecond: DEFAULT_RDS_BUDGET.perSecond, burst };
  const perSecond = Number(rate);
  if (!Number.isFinite(perSecond) || perSecond <= 0 || perSecond > 1000) {
    throw new ConfigError(
      'SNAPCOPY_RDS_CALLS_PER_SECOND',
      `"${rate}" is not a rate of calls a second (a number above 0 and at most 1000, e.g. 6) or off`,
    );
  }
  return { perSecond, burst };
}

export interface WorkerConfig {
  logLevel: LogLevel;
  /** Where Prometheus metrics are served, or undefined when metrics are off. */
  metrics?: { host: string; port: number };
  shutdownGraceMs: number;
  /** Copy slots per account and destination Region for the schedulers this worker starts (AWS: 5). */
  slotCapacity: number;
  /** Restore tests at once per account and Region (verifyCopy's restore slots; DB clusters cost). */
  restoreTestsPerRegion: number;
  /** Workflows held in the sticky cache (the rest replay from history when they next have work). */
  maxCachedWorkflows: number;
  /** Task slots (or the resource-based tuner) and pollers. */
  tuning: WorkerTuning;
  /** The worker's budget of RDS calls per account and Region, or false for none. */
  rdsBudget: BudgetRate | false;
  /** How long one call into workflow code may run before the SDK fails its task, or false for no watchdog. */
  workflowDeadlockTimeoutMs: number | false;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Unset and empty count as "use the default": compose files often pass `VAR=` through. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function parseLogLevel(value: string | undefined, variable = 'SNAPCOPY_LOG_LEVEL'): LogLevel {
  if (value === undefined) return DEFAULT_LOG_LEVEL;
  const upper = value.toUpperCase();
  const level = upper === 'WARNING' ? 'WARN' : upper;
  const known = LOG_LEVELS.find((l) => l === level);
  if (!known) throw new ConfigError(variable, `"${value}" is not one of ${LOG_LEVELS.join(', ')}`);
  return known;
}

/** `30` (seconds), `30s`, `1500ms`, `2m`, `1h` → milliseconds (the shared duration syntax). */
export function parseDuration(value: string, variable: string): number {
  try {
    return Math.round(parseDurationMs(value));
  } catch (err) {
    if (err instanceof DurationError) throw new ConfigError(variable, err.message);
    throw err;
  }
}

export function parseMetricsPort(
  value: string | undefined,
  variable = 'SNAPCOPY_METRICS_PORT',
): number | undefined {
  if (value === undefined) return DEFAULT_METRICS_PORT;
  if (METRICS_OFF.has(value.toLowerCase())) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(variable, `"${value}" is not a port (1-65535), or 0/off to disable metrics`);
  }
  return port;
}

/** SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT: `off`, or a duration from 1 s to 1 h (the SDK's own is 5 s). */
export function parseWorkflowDeadlockTimeout(value: string | undefined): number | false {
  const variable = 'SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT';
  if (value === undefined) return DEFAULT_WORKFLOW_DEADLOCK_TIMEOUT_MS;
  if (value.toLowerCase() === 'off') return false;
  const ms = parseDuration(value, variable);
  if (ms < 1000 || ms > 3_600_000) {
    throw new ConfigError(variable, `"${value}" is not off or a duration from 1s to 1h (e.g. 5s)`);
  }
  return ms;
}

/** SNAPCOPY_SLOT_CAPACITY: 1–100 (AWS's limit is 5; raise it only after AWS raised yours). */
export function parseSlotCapacity(value: string | undefined, variable = 'SNAPCOPY_SLOT_CAPACITY'): number {
  if (value === undefined) return DEFAULT_SLOT_CAPACITY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new ConfigError(variable, `"${value}" is not a number of copy slots (an integer from 1 to 100)`);
  }
  return n;
}

/** SNAPCOPY_RESTORE_TESTS_PER_REGION: 1–40 (a DB cluster each; AWS's default quota is 40 per Region). */
export function parseRestoreTestsPerRegion(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RESTORE_TESTS_PER_REGION;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 40) {
    throw new ConfigError(
      'SNAPCOPY_RESTORE_TESTS_PER_REGION',
      `"${value}" is not a number of restore tests at once (an integer from 1 to 40)`,
    );
  }
  return n;
}

/** SNAPCOPY_MAX_CACHED_WORKFLOWS: 1–100000 workflows in the sticky cache. */
export function parseMaxCachedWorkflows(
  value: string | undefined,
  variable = 'SNAPCOPY_MAX_CACHED_WORKFLOWS',
): number {
  if (value === undefined) return DEFAULT_MAX_CACHED_WORKFLOWS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new ConfigError(variable, `"${value}" is not a number of workflows (an integer from 1 to 100000)`);
  }
  return n;
}

/** An integer from `min` to `max`, or the default when unset; `what` names the unit in the error. */
export function parseIntegerSetting(
  value: string | undefined,
  variable: string,
  range: { min: number; max: number; default: number; what: string },
): number {
  if (value === undefined) return range.default;
  const n = Number(value);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw new ConfigError(
      variable,
      `"${value}" is not a number of ${range.what} (an integer from ${range.min} to ${range.max})`,
    );
  }
  return n;
}

/** SNAPCOPY_WORKFLOW_POLLERS / SNAPCOPY_ACTIVITY_POLLERS: a count in `min`–100, or `auto`. */
export function parsePollers(
  value: string | undefined,
  variable: string,
  range: { min: number; default: Pollers },
): Pollers {
  if (value === undefined) return range.default;
  if (value.toLowerCase() === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < range.min || n > 100) {
    throw new ConfigError(
      variable,
      `"${value}" is not a number of pollers (an integer from ${range.min} to 100) or auto`,
    );
  }
  return n;
}

export function parseTuner(value: string | undefined, variable = 'SNAPCOPY_TUNER'): TunerKind {
  if (value === undefined) return DEFAULT_TUNER;
  const tuner = TUNERS.find((t) => t === value.toLowerCase());
  if (!tuner) throw new ConfigError(variable, `"${value}" is not one of ${TUNERS.join(', ')}`);
  return tuner;
}

/** SNAPCOPY_TUNER_TARGET_MEMORY / _CPU: a fraction, 0 < x ≤ 1 (0.8 is 80 % of the machine). */
export function parseFraction(value: string | undefined, variable: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new ConfigError(
      variable,
      `"${value}" is not a fraction (a number above 0 and at most 1, e.g. 0.8)`,
    );
  }
  return n;
}

/**
 * The SDK runs no more workflow tasks at once than it caches workflows (it lowers the slots with a warning):
 * the default slots follow a smaller cache, and slots set above the cache are refused.
 */
function withinCache(
  tuning: WorkerConfig['tuning'],
  cache: number,
  slotsSet: boolean,
): WorkerConfig['tuning'] {
  if (tuning.tuner !== 'fixed' || tuning.workflowTaskSlots <= cache) return tuning;
  if (slotsSet) {
    throw new ConfigError(
      'SNAPCOPY_WORKFLOW_TASK_SLOTS',
      `${tuning.workflowTaskSlots} workflow task slots exceed SNAPCOPY_MAX_CACHED_WORKFLOWS (${cache}); set at most ${cache}, or raise the cache`,
    );
  }
  const workflowTaskSlots = Math.max(2, cache);
  const workflowPollers =
    typeof tuning.workflowPollers === 'number'
      ? Math.min(tuning.workflowPollers, workflowTaskSlots)
      : tuning.workflowPollers;
  return { ...tuning, workflowTaskSlots, workflowPollers };
}

/**
 * SNAPCOPY_TUNER and the slot and poller settings. The SDK takes either fixed slot counts or a tuner, never
 * both, so a slot count beside `resource-based` (or a target beside `fixed`) is refused rather than ignored.
 */
export function parseTuning(env: NodeJS.ProcessEnv): WorkerTuning {
  const tuner = parseTuner(read(env, 'SNAPCOPY_TUNER'));
  // The SDK needs 2 workflow task pollers (and slots) while the sticky cache is on, which it always is here.
  const pollers = (defaults: { workflow: number; activity: number }) => ({
    workflowPollers: parsePollers(read(env, 'SNAPCOPY_WORKFLOW_POLLERS'), 'SNAPCOPY_WORKFLOW_POLLERS', {
      min: 2,
      default: defaults.workflow,
    }),
    activityPollers: parsePollers(read(env, 'SNAPCOPY_ACTIVITY_POLLERS'), 'SNAPCOPY_ACTIVITY_POLLERS', {
      min: 1,
      default: defaults.activity,
    }),
  });
  if (tuner === 'resource-based') {
    const slots = SLOT_VARIABLES.filter((name) => read(env, name) !== undefined);
    if (slots.length > 0) {
      throw new ConfigError(
        'SNAPCOPY_TUNER',
        `resource-based cannot be combined with ${slots.join(', ')}: the resource-based tuner sizes the slots itself; unset ${slots.join(', ')} or set SNAPCOPY_TUNER=fixed`,
      );
    }
    return {
      tuner,
      targetMemory: parseFraction(
        read(env, 'SNAPCOPY_TUNER_TARGET_MEMORY'),
        'SNAPCOPY_TUNER_TARGET_MEMORY',
        DEFAULT_TUNER_TARGET_MEMORY,
      ),
      targetCpu: parseFraction(
        read(env, 'SNAPCOPY_TUNER_TARGET_CPU'),
        'SNAPCOPY_TUNER_TARGET_CPU',
        DEFAULT_TUNER_TARGET_CPU,
      ),
      ...pollers({ workflow: DEFAULT_WORKFLOW_POLLERS, activity: DEFAULT_ACTIVITY_POLLERS }),
    };
  }
  const target = TARGET_VARIABLES.find((name) => read(env, name) !== undefined);
  if (target) {
    throw new ConfigError(
      target,
      `only applies with SNAPCOPY_TUNER=resource-based (SNAPCOPY_TUNER is ${tuner}); set SNAPCOPY_TUNER=resource-based or unset ${target}`,
    );
  }
  const workflowTaskSlots = parseIntegerSetting(
    read(env, 'SNAPCOPY_WORKFLOW_TASK_SLOTS'),
    'SNAPCOPY_WORKFLOW_TASK_SLOTS',
    { min: 2, max: 10_000, default: DEFAULT_WORKFLOW_TASK_SLOTS, what: 'workflow task slots' },
  );
  const activitySlots = parseIntegerSetting(read(env, 'SNAPCOPY_ACTIVITY_SLOTS'), 'SNAPCOPY_ACTIVITY_SLOTS', {
    min: 1,
    max: 10_000,
    default: DEFAULT_ACTIVITY_SLOTS,
    what: 'activity slots',
  });
  const localActivitySlots = parseIntegerSetting(
    read(env, 'SNAPCOPY_LOCAL_ACTIVITY_SLOTS'),
    'SNAPCOPY_LOCAL_ACTIVITY_SLOTS',
    { min: 1, max: 10_000, default: DEFAULT_LOCAL_ACTIVITY_SLOTS, what: 'local activity slots' },
  );
  // As the SDK does: the default poller count never exceeds the slots; an explicit one above them is refused.
  const { workflowPollers, activityPollers } = pollers({
    workflow: Math.min(DEFAULT_WORKFLOW_POLLERS, workflowTaskSlots),
    activity: Math.min(DEFAULT_ACTIVITY_POLLERS, activitySlots),
  });
  for (const [pollers, slots, pollersVar, slotsVar] of [
    [workflowPollers, workflowTaskSlots, 'SNAPCOPY_WORKFLOW_POLLERS', 'SNAPCOPY_WORKFLOW_TASK_SLOTS'],
    [activityPollers, activitySlots, 'SNAPCOPY_ACTIVITY_POLLERS', 'SNAPCOPY_ACTIVITY_SLOTS'],
  ] as const) {
    if (read(env, pollersVar) !== undefined && pollers !== 'auto' && pollers > slots) {
      throw new ConfigError(
        pollersVar,
        `${pollers} pollers is more than ${slotsVar} (${slots}): a poll needs a free slot; lower ${pollersVar} or raise ${slotsVar}`,
      );
    }
  }
  return { tuner, workflowTaskSlots, activitySlots, localActivitySlots, workflowPollers, activityPollers };
}

export function workerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const port = parseMetricsPort(read(env, 'SNAPCOPY_METRICS_PORT'));
  const maxCachedWorkflows = parseMaxCachedWorkflows(read(env, 'SNAPCOPY_MAX_CACHED_WORKFLOWS'));
  const grace = read(env, 'SNAPCOPY_SHUTDOWN_GRACE');
  return {
    logLevel: parseLogLevel(read(env, 'SNAPCOPY_LOG_LEVEL')),
    ...(port !== undefined
      ? { metrics: { host: read(env, 'SNAPCOPY_METRICS_HOST') ?? DEFAULT_METRICS_HOST, port } }
      : {}),
    shutdownGraceMs:
      grace === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : parseDuration(grace, 'SNAPCOPY_SHUTDOWN_GRACE'),
    slotCapacity: parseSlotCapacity(read(env, 'SNAPCOPY_SLOT_CAPACITY')),
    restoreTestsPerRegion: parseRestoreTestsPerRegion(read(env, 'SNAPCOPY_RESTORE_TESTS_PER_REGION')),
    maxCachedWorkflows,
    tuning: withinCache(
      parseTuning(env),
      maxCachedWorkflows,
      read(env, 'SNAPCOPY_WORKFLOW_TASK_SLOTS') !== undefined,
    ),
    rdsBudget: parseRdsBudget(env),
    workflowDeadlockTimeoutMs: parseWorkflowDeadlockTimeout(read(env, 'SNAPCOPY_WORKFLOW_DEADLOCK_TIMEOUT')),
  };
}
