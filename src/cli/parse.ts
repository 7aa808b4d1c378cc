// Parsers for option values: each throws commander's InvalidArgumentError, which exits with code 2.
import { InvalidArgumentError } from 'commander';
import type { Tag } from '../shared/types';

/** A whole number (the copy input rules then check its range and name the field). */
export function parseInteger(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, written `90`, `90s`, `15m`, `6h` or `1d` (combinations such as `1h30m` too). */
export function parseDurationSeconds(value: string): number {
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new InvalidArgumentError('must be a duration such as 90, 90s, 15m, 6h, 1d or 1h30m.');
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2] ?? 's'] ?? 1), 0);
}

/** `Key=Value`: the first `=` splits, so values may contain `=`; `Key=` is an empty value. */
export function parseTag(value: string): Tag {
  const eq = value.indexOf('=');
  if (eq < 0) throw new InvalidArgumentError('must be Key=Value (use Key= for an empty value).');
  return { Key: value.slice(0, eq), Value: value.slice(eq + 1) };
}

/** Repeatable options: each occurrence is parsed and appended. */
export function repeatable<T>(
  parse: (value: string) => T,
): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

export const collectString = repeatable((value: string) => value);
