// The worker's own settings, from the environment (Temporal's connection settings live in
// ../temporal-connection.ts). Read once at start-up; a bad value stops the worker with a clear message
// instead of running half-configured.
import type { LogLevel } from '@temporalio/common';
import { DurationError, parseDurationMs } from '../shared/duration';
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
 * replays its short history when its signal or timer arrives, which costs far less than holding it.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const METRICS_OFF = new Set(['0', 'off', 'false', 'no', 'none', 'disabled']);

export interface WorkerConfig {
  logLevel: LogLevel;
  /** Where Prometheus metrics are served, or undefined when metrics are off. */
  metrics?: { host: string; port: number };
  shutdownGraceMs: number;
  /** Copy slots per account and destination Region for the schedulers this worker starts (AWS: 5). */
  slotCapacity: number;
  /** Workflows held in the sticky cache (the rest replay from history when they next have work). */
  maxCachedWorkflows: number;
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

/** SNAPCOPY_SLOT_CAPACITY: 1–100 (AWS's limit is 5; raise it only after AWS raised yours). */
export function parseSlotCapacity(value: string | undefined, variable = 'SNAPCOPY_SLOT_CAPACITY'): number {
  if (value === undefined) return DEFAULT_SLOT_CAPACITY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new ConfigError(variable, `"${value}" is not a number of copy slots (an integer from 1 to 100)`);
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

export function workerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const port = parseMetricsPort(read(env, 'SNAPCOPY_METRICS_PORT'));
  const grace = read(env, 'SNAPCOPY_SHUTDOWN_GRACE');
  return {
    logLevel: parseLogLevel(read(env, 'SNAPCOPY_LOG_LEVEL')),
    ...(port !== undefined
      ? { metrics: { host: read(env, 'SNAPCOPY_METRICS_HOST') ?? DEFAULT_METRICS_HOST, port } }
      : {}),
    shutdownGraceMs:
      grace === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : parseDuration(grace, 'SNAPCOPY_SHUTDOWN_GRACE'),
    slotCapacity: parseSlotCapacity(read(env, 'SNAPCOPY_SLOT_CAPACITY')),
    maxCachedWorkflows: parseMaxCachedWorkflows(read(env, 'SNAPCOPY_MAX_CACHED_WORKFLOWS')),
  };
}
