// Parsers for option values: each throws commander's InvalidArgumentError, which exits with code 2.
import { InvalidArgumentError } from 'commander';
import { DURATION_EXAMPLES, DurationError, parseDurationSeconds as parseDuration } from '../shared/duration';
import { RETENTION_RULES, type RetentionRules } from '../shared/retention-rules';
import type { Tag } from '../shared/types';

/** A whole number (the copy input rules then check its range and name the field). */
export function parseInteger(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

/** Whole seconds, written `90`, `90s`, `15m`, `6h`, `1d` or `1h30m` (the shared duration syntax). */
export function parseDurationSeconds(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof DurationError) {
      throw new InvalidArgumentError(`must be a duration such as ${DURATION_EXAMPLES} (whole seconds).`);
    }
    throw err;
  }
}

/** `Key=Value`: the first `=` splits, so values may contain `=`; `Key=` is an empty value. */
export function parseTag(value: string): Tag {
  const eq = value.indexOf('=');
  if (eq < 0) throw new InvalidArgumentError('must be Key=Value (use Key= for an empty value).');
  return { Key: value.slice(0, eq), Value: value.slice(eq + 1) };
}

/** `keepLast=7,daily=7,weekly=4,monthly=12`: retention rules (the copy input rules then check the counts). */
export function parseRetention(value: string): RetentionRules {
  const rules: RetentionRules = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, count, ...rest] = part.split('=');
    const rule = RETENTION_RULES.find((r) => r.toLowerCase() === name?.trim().toLowerCase());
    if (rule === undefined || count === undefined || rest.length > 0 || !/^\d+$/.test(count.trim())) {
      throw new InvalidArgumentError(
        `must be rule=count pairs separated by commas, rules ${RETENTION_RULES.join(', ')} (e.g. keepLast=7,daily=7).`,
      );
    }
    rules[rule] = Number(count);
  }
  return rules;
}

/** Repeatable options: each occurrence is parsed and appended. */
export function repeatable<T>(
  parse: (value: string) => T,
): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

export const collectString = repeatable((value: string) => value);
