// The bench's arithmetic, pure: percentiles, utilisation of the copy slots (from sampled copies in flight
// and, exactly, from the emulator's copy timelines), the physical limit of a fleet, ratios.
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

/**
 * Exact utilisation over [from, to] from the emulator's timelines: the time each copy of `region` was in
 * flight (created → end, or → `to` while still running), summed, ÷ (limit × window).
 */
export function utilisationFromTimeline(
  copies: readonly EmulatorCopy[],
  region: string,
  limit: number,
  from: number,
  to: number,
): number | undefined {
  if (to <= from || limit <= 0) return undefined;
  let busy = 0;
  for (const copy of copies) {
    if (copy.region !== region) continue;
    const start = Math.max(from, copy.createdAt);
    const end = Math.min(to, copyEnd(copy) ?? to);
    if (end > start) busy += end - start;
  }
  return busy / ((to - from) * limit);
}

/** The most copies of `region` in flight at any one moment of the timelines. */
export function peakInFlight(copies: readonly EmulatorCopy[], region: string): number {
  const events: [number, number][] = [];
  for (const copy of copies) {
    if (copy.region !== region) continue;
    events.push([copy.createdAt, 1]);
    const end = copyEnd(copy);
    if (end !== undefined) events.push([end, -1]);
  }
  // At equal times an end goes first: a slot freed and taken in the same millisecond is one slot.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
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

/**
 * The total's rate per minute between the first sample at or after `from` and `end` (where it is
 * `endCount`): undefined when no sample falls in the window.
 */
export function ratePerMinute(
  samples: readonly CountSample[],
  from: number,
  end: number,
  endCount: number,
): number | undefined {
  const first = [...samples].sort((a, b) => a.at - b.at).find((s) => s.at >= from && s.at < end);
  if (!first) return undefined;
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
