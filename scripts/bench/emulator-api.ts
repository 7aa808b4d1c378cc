// The AWS emulator's observation endpoints (emulator/server.py): AWS calls counted by action, every copy's
// timeline, copies in flight per Region, and moto's reset. For the bench and the emulator's tests.

/** AWS calls the emulator served since `since` (epoch ms): calls[service][action], errors[service][action][code]. */
export interface EmulatorStats {
  since: number;
  calls: Record<string, Record<string, number>>;
  errors: Record<string, Record<string, Record<string, number>>>;
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

/** All calls counted, every service and action. */
export function totalCalls(stats: EmulatorStats): number {
  return Object.values(stats.calls)
    .flatMap((actions) => Object.values(actions))
    .reduce((a, b) => a + b, 0);
}
