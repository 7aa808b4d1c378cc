// The AWS emulator's observation and fault endpoints (emulator/server.py): AWS calls counted by action, every
// copy's timeline, copies in flight per Region, injected faults, and moto's reset. For the bench, the chaos
// suite and the emulator's tests.

/** AWS calls the emulator served since `since` (epoch ms): calls[service][action], errors[service][action][code]. */
export interface EmulatorStats {
  since: number;
  calls: Record<string, Record<string, number>>;
  errors: Record<string, Record<string, Record<string, number>>>;
  /**
   * Calls the RDS rate limit (`rdsRateLimit`) refused, throttled[service][action]. They count as `Throttling` in
   * `errors` too, beside the throttles injected as faults (counted under `faults`).
   */
  throttled: Record<string, Record<string, number>>;
}

/** One copy (CopyDBClusterSnapshot accepted), times in epoch ms on the emulator's clock. */
export interface EmulatorCopy {
  region: string;
  accountId: string;
  /** The target identifier (lowercased, as AWS stores it). */
  id: string;
  /** Its status now, or the last one before it was deleted. */
  status: string;
  createdAt: number;
  /** When it became `available`: created + queueSeconds + copySeconds, however late it was read. */
  availableAt?: number;
  /** When it turned `failed` (its source was deleted mid-copy). */
  failedAt?: number;
  /** When it was deleted (while copying: cancelled). */
  deletedAt?: number;
}

export interface EmulatorCopies {
  /** The emulator's clock when it answered (epoch ms). */
  now: number;
  /** Copies `copying` and not deleted, per Region (Regions with none are absent). */
  inFlight: Record<string, number>;
  /** In the order they were created. */
  copies: EmulatorCopy[];
}

/** A cluster RestoreDBClusterFromSnapshot made, or an instance CreateDBInstance made in a cluster; epoch ms. */
export interface EmulatorRestore {
  /** Lowercased, as AWS stores it. */
  identifier: string;
  accountId: string;
  region: string;
  kind: 'cluster' | 'instance';
  /** Its status now: `creating`, `available` (or what moto set since, e.g. `stopped`), `deleting` or `deleted`. */
  status: string;
  tags: { Key: string; Value: string }[];
  /** A cluster's: the snapshot it was restored from. */
  snapshotArn?: string;
  /** An instance's: its cluster. */
  clusterIdentifier?: string;
  createdAt: number;
  /** created + restoreSeconds (cluster) / instanceSeconds (instance), however late it was read. */
  availableAt?: number;
  /** When DeleteDBCluster / DeleteDBInstance accepted its deletion. */
  deleteRequestedAt?: number;
  /** deleteRequested + deleteSeconds: from then on AWS answers NotFound for it. */
  goneAt?: number;
}

export interface EmulatorRestores {
  /** The emulator's clock when it answered (epoch ms). */
  now: number;
  /** In the order they were made. */
  restores: EmulatorRestore[];
}

async function request<T>(endpoint: string, path: string, method: 'GET' | 'POST'): Promise<T> {
  const res = await fetch(new URL(path, endpoint), { method });
  if (!res.ok) throw new Error(`AWS emulator ${method} ${path} failed (${res.status}): ${await res.text()}`);
  return (await res.json()) as T;
}

export function emulatorStats(endpoint: string): Promise<EmulatorStats> {
  return request(endpoint, '/snapcopy-emulator/stats', 'GET');
}

/** Zeroes the call counters; answers the (empty) counters. */
export function resetEmulatorStats(endpoint: string): Promise<EmulatorStats> {
  return request(endpoint, '/snapcopy-emulator/stats', 'POST');
}

export function emulatorCopies(endpoint: string): Promise<EmulatorCopies> {
  return request(endpoint, '/snapcopy-emulator/copies', 'GET');
}

export function emulatorRestores(endpoint: string): Promise<EmulatorRestores> {
  return request(endpoint, '/snapcopy-emulator/restores', 'GET');
}

/** One answer of rds-data ExecuteStatement, as the Data API's JSON names its fields. */
export interface DataApiResult {
  records?: Record<string, unknown>[][];
  columnMetadata?: Record<string, unknown>[];
  numberOfRecordsUpdated?: number;
  generatedFields?: Record<string, unknown>[];
  formattedRecords?: string;
}

/**
 * Queues answers for rds-data ExecuteStatement in one account and Region (moto's
 * /moto-api/static/rds-data/statement-results). A statement (resourceArn and sql) takes the LAST result queued
 * the first time it runs and keeps it; a statement that finds the queue empty answers no records. The
 * emulator answers only for an `available` cluster with its HTTP endpoint enabled (else BadRequestException).
 */
export async function setDataApiResults(
  endpoint: string,
  results: DataApiResult[],
  where: { accountId?: string; region?: string } = {},
): Promise<void> {
  const res = await fetch(new URL('/moto-api/static/rds-data/statement-results', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      account_id: where.accountId ?? '123456789012',
      region: where.region ?? 'us-east-1',
      results,
    }),
  });
  if (!res.ok) throw new Error(`AWS emulator rds-data results refused (${res.status}): ${await res.text()}`);
  await res.body?.cancel();
}

/** moto's /moto-api/reset: every resource in every Region is gone, and so are the counters and timelines. */
export async function resetEmulator(endpoint: string): Promise<void> {
  const res = await fetch(new URL('/moto-api/reset', endpoint), { method: 'POST' });
  if (!res.ok) throw new Error(`AWS emulator reset failed (${res.status}): ${await res.text()}`);
  await res.body?.cancel();
}

/** Calls of one service by action, e.g. `{ CopyDBClusterSnapshot: 20, DescribeDBClusterSnapshots: 95 }`. */
export function callsOf(stats: EmulatorStats, service: string): Record<string, number> {
  return stats.calls[service] ?? {};
}

/** Calls the RDS rate limit refused, every service and action. */
export function throttledCalls(stats: EmulatorStats): number {
  return Object.values(stats.throttled ?? {})
    .flatMap((actions) => Object.values(actions))
    .reduce((a, b) => a + b, 0);
}

/** All calls counted, every service and action. */
export function totalCalls(stats: EmulatorStats): number {
  return Object.values(stats.calls)
    .flatMap((actions) => Object.values(actions))
    .reduce((a, b) => a + b, 0);
}

/** What befalls a share of an action's calls; fractions 0..1, their sum at most 1 (one draw picks one). */
export interface FaultSpec {
  /** Answered HTTP 400 `Throttling` (Query: RDS) / `ThrottlingException` (JSON: KMS), before moto sees it. */
  throttle?: number;
  /** Answered 500 `InternalFailure` or 503 `ServiceUnavailable` (even odds), before moto sees it. */
  error5xx?: number;
  /** Acted on by moto, then the connection is dropped unanswered (the SDK sees a network error). */
  lostResponse?: number;
  /** Every call first waits this long (ms)... */
  latencyMs?: number;
  /** ...plus up to this long more (ms, uniform). */
  jitterMs?: number;
}

/** The emulator's faults; setting them replaces the ones set before (`{}` removes them all). */
export interface EmulatorFaults {
  /** Seeds one random generator per action: the n-th call of an action meets the same fate every run. */
  seed?: number;
  /** For every AWS action without its own entry, and field by field under those with one. */
  default?: FaultSpec;
  /** By `service:Action`, e.g. `rds:CopyDBClusterSnapshot`, `kms:DescribeKey`. */
  actions?: Record<string, FaultSpec>;
}

export type FaultKind = 'throttle' | 'error5xx' | 'lostResponse' | 'latency';

/** Faults injected since `since`: faults[service][action][kind] (a delayed call counts as `latency`). */
export interface EmulatorFaultCounters {
  since: number;
  /** Every AWS call, faulted or not: calls[service][action]. */
  calls: Record<string, Record<string, number>>;
  faults: Record<string, Record<string, Partial<Record<FaultKind, number>>>>;
}

/** Sets the emulator's faults (POST /snapcopy-emulator/config); answers the effective ones. */
export async function configureFaults(endpoint: string, faults: EmulatorFaults): Promise<EmulatorFaults> {
  const res = await fetch(new URL('/snapcopy-emulator/config', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ faults }),
  });
  const body = (await res.json()) as { faults?: EmulatorFaults; error?: string };
  if (!res.ok) {
    throw new Error(`AWS emulator faults refused (${res.status}): ${body.error ?? JSON.stringify(body)}`);
  }
  return body.faults ?? {};
}

/** The fault counters (from /snapcopy-emulator/stats: zeroed with resetEmulatorStats or moto's reset). */
export async function faultCounters(endpoint: string): Promise<EmulatorFaultCounters> {
  const stats: EmulatorStats & Partial<EmulatorFaultCounters> = await emulatorStats(endpoint);
  return { since: stats.since, calls: stats.calls, faults: stats.faults ?? {} };
}

/** The emulator's RDS throttling: a token bucket per account and Region (AWS's: burst 300, 12 a second). */
export interface RdsRateLimit {
  burst: number;
  perSecond: number;
}

const CONFIG_PATH = '/snapcopy-emulator/config';

/**
 * Turns the emulator's RDS throttling on (`rdsRateLimit` in POST /snapcopy-emulator/config) or off (null:
 * posted only when the config shows it on). Answers false when the emulator does not know the key (an
 * emulator from before it), having changed nothing; throws on any other refusal.
 */
export async function configureRdsRateLimit(endpoint: string, limit: RdsRateLimit | null): Promise<boolean> {
  if (limit === null) {
    const current = (await request<Record<string, unknown>>(endpoint, CONFIG_PATH, 'GET')).rdsRateLimit;
    if (current === undefined || current === null || current === false) return current !== undefined;
  }
  const res = await fetch(new URL(CONFIG_PATH, endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rdsRateLimit: limit }),
  });
  const body = (await res.json()) as { error?: string };
  if (res.ok) return true;
  if (res.status === 400 && /unknown key 'rdsRateLimit'/.test(body.error ?? '')) return false;
  throw new Error(`AWS emulator rdsRateLimit refused (${res.status}): ${body.error ?? JSON.stringify(body)}`);
}
