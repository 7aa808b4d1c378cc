// Schedule times from --cron / --every / --timezone, and the memo a snapcopy schedule carries (the spec as
// written, and what it copies) so `schedule list` and `describe` can show them. Pure.
import type { ScheduleSpec } from '@temporalio/client';
import { formatDurationCompact } from '../../../shared/duration';
import { UsageError } from '../../errors';

export interface ScheduleMemo {
  /** The spec as given: `cron "0 3 * * *" (UTC)` or `every 1d`. */
  spec: string;
  sourceCluster: string;
  sourceRegion: string;
  targetRegion: string;
  kmsKey?: string;
  retain?: number;
}

export const MEMO_KEY = 'snapcopy';

const CRON_SHORTHANDS = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every\s+\S+)$/i;

/** Shortest interval: target names carry the minute, so two slots in one minute would name the same copy. */
export const MIN_INTERVAL_SECONDS = 60;

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new UsageError(
      `--timezone ${JSON.stringify(timezone)} is not an IANA time zone name such as UTC or Europe/Berlin`,
    );
  }
}

export function scheduleSpecOf(flags: { cron?: string; every?: number; timezone: string }): {
  spec: ScheduleSpec;
  text: string;
} {
  if ((flags.cron === undefined) === (flags.every === undefined)) {
    throw new UsageError('give exactly one of --cron <expression> or --every <interval>');
  }
  checkTimezone(flags.timezone);
  if (flags.cron !== undefined) {
    const cron = flags.cron.trim().replace(/\s+/g, ' ');
    const fieldCount = cron.split(' ').length;
    if (!CRON_SHORTHANDS.test(cron) && (fieldCount < 5 || fieldCount > 7)) {
      throw new UsageError(
        `--cron ${JSON.stringify(flags.cron)} is not a cron expression: give 5 fields (minute hour day-of-month ` +
          'month day-of-week), e.g. "0 3 * * *", or a shorthand such as @daily',
      );
    }
    return {
      spec: { cronExpressions: [cron], timezone: flags.timezone },
      text: `cron "${cron}" (${flags.timezone})`,
    };
  }
  const every = flags.every ?? 0;
  if (every < MIN_INTERVAL_SECONDS) {
    throw new UsageError(
      `--every must be at least ${formatDurationCompact(MIN_INTERVAL_SECONDS)}: a copy's name carries the minute of its slot`,
    );
  }
  return {
    spec: { intervals: [{ every: every * 1000 }], timezone: flags.timezone },
    text: `every ${formatDurationCompact(every)}`,
  };
}

export function memoOf(memo: Record<string, unknown> | undefined): ScheduleMemo | undefined {
  const value = memo?.[MEMO_KEY];
  if (value === null || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.spec !== 'string' || typeof m.sourceCluster !== 'string') return undefined;
  const out: ScheduleMemo = {
    spec: m.spec,
    sourceCluster: m.sourceCluster,
    sourceRegion: typeof m.sourceRegion === 'string' ? m.sourceRegion : '?',
    targetRegion: typeof m.targetRegion === 'string' ? m.targetRegion : '?',
  };
  if (typeof m.kmsKey === 'string') out.kmsKey = m.kmsKey;
  if (typeof m.retain === 'number') out.retain = m.retain;
  return out;
}
