// The one duration module: parse (the SDK's `ms` units, combinations, bare numbers) and the two renderings.
import { describe, expect, it } from 'vitest';
import {
  DurationError,
  formatDuration,
  formatDurationCompact,
  parseDurationMs,
  parseDurationSeconds,
} from '../../src/shared/duration';

describe('parseDurationMs', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['6h', 21_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1500ms', 1500],
    ['0.5m', 30_000],
    ['2 days', 172_800_000],
    [' 1H ', 3_600_000],
  ])('%s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('a bare number can mean milliseconds', () => {
    expect(parseDurationMs('250', { bare: 'milliseconds' })).toBe(250);
  });

  it.each(['', 'soon', '-1s', '1x', '1h-', 'h', '1h30', '1e3s'])('refuses %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(DurationError);
  });
});

describe('parseDurationSeconds', () => {
  it('whole seconds only', () => {
    expect(parseDurationSeconds('1h30m')).toBe(5400);
    expect(parseDurationSeconds('2000ms')).toBe(2);
    expect(() => parseDurationSeconds('1500ms')).toThrow(/whole number of seconds/);
  });
});

describe('formatDuration (as the workflow details have it)', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [200, '3m 20s'],
    [3600, '1h 0m'],
    [3900, '1h 5m'],
    [30 * 3600 + 60, '30h 1m'],
    [44.6, '45s'],
  ])('%s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatDurationCompact', () => {
  it.each([
    [0, '0s'],
    [15, '15s'],
    [90, '1m30s'],
    [300, '5m'],
    [5400, '1h30m'],
    [86_400, '1d'],
    [90_061, '1d1h1m1s'],
  ])('%s → %s, which parses back', (seconds, text) => {
    expect(formatDurationCompact(seconds)).toBe(text);
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it('the human form parses back too', () => {
    for (const s of [45, 200, 3900]) expect(parseDurationSeconds(formatDuration(s))).toBe(s);
  });
});
