// Plain-text output helpers: tables, times, workflow status names, durations.
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { formatDuration } from '../shared/duration';

export { formatDuration, formatDurationCompact } from '../shared/duration';

/** Workflow status as snapcopy prints it (and its JSON carries). */
export type StatusName =
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'Cancelled'
  | 'Terminated'
  | 'ContinuedAsNew'
  | 'TimedOut'
  | 'Paused'
  | 'Unknown';

const STATUS_NAMES: Record<WorkflowExecutionStatusName, StatusName> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  TERMINATED: 'Terminated',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
  TIMED_OUT: 'TimedOut',
  PAUSED: 'Paused',
  UNSPECIFIED: 'Unknown',
  UNKNOWN: 'Unknown',
};

export function statusName(name: WorkflowExecutionStatusName): StatusName {
  return STATUS_NAMES[name];
}

/** An estimate of time left, `1h 5m` / `3m 20s` / `45s`, or `--` when there is none. */
export function formatEta(seconds: number | undefined): string {
  return seconds === undefined ? '--' : formatDuration(seconds);
}

/** `2026-11-24 03:00:12Z` (UTC, second precision), or `-`. */
export function formatTime(value: Date | string | undefined): string {
  if (value === undefined) return '-';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function isoOrUndefined(value: Date | undefined): string | undefined {
  return value === undefined ? undefined : value.toISOString();
}

/** Left-aligned columns separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `label  value` lines with the labels padded to one width; undefined values are left out. */
export function fields(entries: [string, string | undefined][]): string {
  const shown = entries.filter((e): e is [string, string] => e[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Help text written with line breaks for the source's sake: single breaks become spaces (commander wraps to
 * the terminal), blank lines and `- ` list items stay.
 */
export function prose(text: string): string {
  return text.replace(/([^\n])\n(?!\n|- )/g, '$1 ');
}
