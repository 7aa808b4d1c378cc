// Durations as people write them (`90`, `90s`, `15m`, `6h`, `1d`, `1h30m`, `1h 30m`, `1500ms`, `0.5m`) and as
// snapcopy prints them. Each `<number><unit>` part is read by the `ms` library as the Temporal SDK ships it
// (@temporalio/common's msToNumber, the same strings the SDK's own Duration options take), so units and
// spellings are the SDK's; the parts of a combination are added up. A bare number is seconds unless the
// caller says otherwise. Workflow-safe (no Node built-ins): the CLI, the worker and the workflow share it.
import { msToNumber } from '@temporalio/common/lib/time';

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

export const DURATION_EXAMPLES = '90, 90s, 15m, 6h, 1d or 1h30m';

const NUMBER = /^\d+(?:\.\d+)?$/;
/** One `<number><unit>` part; the unit is checked by `ms`. */
const PART = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*/i;

export interface ParseDurationOptions {
  /** What a bare number means (default `seconds`). */
  bare?: 'seconds' | 'milliseconds';
}

/** Milliseconds; throws DurationError for anything that is not a non-negative duration. */
export function parseDurationMs(value: string, opts: ParseDurationOptions = {}): number {
  const text = value.trim();
  if (NUMBER.test(text)) return Number(text) * (opts.bare === 'milliseconds' ? 1 : 1000);
  let rest = text;
  let total = 0;
  while (rest !== '') {
    const part = PART.exec(rest);
    if (!part) throw new DurationError(`"${value}" is not a duration such as ${DURATION_EXAMPLES}`);
    try {
      total += msToNumber(`${part[1]}${part[2]}` as Parameters<typeof msToNumber>[0]);
    } catch {
      throw new DurationError(`"${value}" is not a duration such as ${DURATION_EXAMPLES}`);
    }
    rest = rest.slice(part[0].length);
  }
  if (text === '' || !Number.isFinite(total)) {
    throw new DurationError(`"${value}" is not a duration such as ${DURATION_EXAMPLES}`);
  }
  return total;
}

/** Whole seconds (what the copy options and the schedule flags take); a bare number is seconds. */
export function parseDurationSeconds(value: string): number {
  const ms = parseDurationMs(value);
  if (ms % 1000 !== 0) throw new DurationError(`"${value}" is not a whole number of seconds`);
  return ms / 1000;
}

/**
 * For people: `1h 5m`, `3m 20s`, `45s` (hours and minutes once past the hour, minutes and seconds once past
 * the minute). The Temporal UI's details, the progress view and `snapcopy status` all show it.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

const COMPACT_UNITS: [number, string][] = [
  [86400, 'd'],
  [3600, 'h'],
  [60, 'm'],
  [1, 's'],
];

/** Exact and compact, as it would be typed: `1d`, `6h`, `1h30m`, `90s` → `1m30s`, `0s`. Parses back. */
export function formatDurationCompact(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  let text = '';
  for (const [size, unit] of COMPACT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text || '0s';
}
