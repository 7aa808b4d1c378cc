// Recovery points and RPOs (docs/rpo.md): how old the data of a cluster's newest copy in a destination is,
// compared with the plan's RPO. Pure and workflow-safe (no Node built-ins, no I/O, no clock: `now` is given),
// so `snapcopy rpo` and an audit workflow compute the same rows.
import { formatDurationCompact } from './duration';

/** The shortest RPO a plan may give: a run's ID carries its time to the second, runs are a minute apart. */
export const MIN_RPO_SECONDS = 60;
/** A daily cron's default RPO: a day, plus two hours for the copy itself and a late start. */
export const DAILY_CRON_RPO_SECONDS = 26 * 3600;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** An ISO 8601 UTC instant such as `2026-12-02T03:00:12.000Z` (what snapcopy:recovery-point holds). */
export function isIsoInstant(value: string): boolean {
  return ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
}

/** An RPO as people write it: whole days (`14d`), else whole hours (`26h`, `108h`), else compact (`90m`, `1h30m`). */
export function formatRpo(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  return formatDurationCompact(seconds);
}

// --- the default RPO of a schedule -----------------------------------------------------------------------------

export interface DefaultRpo {
  seconds: number;
  /** Why, for people: `twice every 6h`, `daily cron`, ... */
  reason: string;
}

/**
 * A plan's RPO when it gives none: twice `every`; for a cron, 26h when it runs once every day, else twice the
 * longest gap between two consecutive runs (times of day × the days it runs, over four years so every month
 * length and leap day is seen; UTC, so a daylight-saving hour is not counted); 26h for a cron this cannot
 * read (`L`, `W`, `#`).
 */
export function defaultRpo(schedule: { cron: string } | { everySeconds: number }): DefaultRpo {
  if ('everySeconds' in schedule) {
    return {
      seconds: 2 * schedule.everySeconds,
      reason: `twice every ${formatDurationCompact(schedule.everySeconds)}`,
    };
  }
  const gap = cronLongestGapSeconds(schedule.cron);
  if (gap === undefined) return { seconds: DAILY_CRON_RPO_SECONDS, reason: 'cron not read: 26h' };
  if (gap === 86_400) return { seconds: DAILY_CRON_RPO_SECONDS, reason: 'daily cron' };
  return {
    seconds: 2 * gap,
    reason: `twice the cron's longest gap, ${formatRpo(gap)}`,
  };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The values a cron field allows (names, `*`, `?`, lists, ranges, steps), or undefined when it cannot tell. */
function cronField(field: string, min: number, max: number, names: string[] = []): Set<number> | undefined {
  const values = new Set<number>();
  const value = (text: string): number | undefined => {
    const named = names.indexOf(text.toUpperCase());
    if (named >= 0) return named + (names === MONTHS ? 1 : 0);
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const part of field.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (m[1] === '*' || m[1] === '?') [lo, hi] = [min, max];
    else {
      const [a, b, ...rest] = (m[1] ?? '').split('-');
      if (rest.length > 0 || a === undefined) return undefined;
      lo = value(a);
      hi = b === undefined ? (m[2] === undefined ? lo : max) : value(b);
    }
    if (lo === undefined || hi === undefined || lo > hi || lo < min || hi > max) return undefined;
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values.size === 0 ? undefined : values;
}

const DAY_MS = 86_400_000;
/** Four years from a Monday in a leap year: every month length, leap day and weekday. */
const SPAN_START = Date.UTC(2024, 0, 1);
const SPAN_DAYS = 4 * 365 + 1;

/** The longest time between two consecutive runs of a 5-field cron, in seconds; undefined if not readable. */
export function cronLongestGapSeconds(cron: string): number | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minF, hourF, domF, monF, dowF] = fields as [string, string, string, string, string];
  const minutes = cronField(minF, 0, 59);
  const hours = cronField(hourF, 0, 23);
  const doms = cronField(domF, 1, 31);
  const months = cronField(monF, 1, 12, MONTHS);
  const dows = cronField(dowF, 0, 7, DAYS);
  if (!minutes || !hours || !doms || !months || !dows) return undefined;
  if (dows.has(7)) dows.add(0);
  const times = [...hours].flatMap((h) => [...minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined) return undefined;
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  // Standard cron: with both day fields restricted, a day runs when either matches.
  const domAny = domF === '*' || domF === '?';
  const dowAny = dowF === '*' || dowF === '?';
  let previousDay: number | undefined;
  let days = 0;
  for (let d = 0; d < SPAN_DAYS; d++) {
    const date = new Date(SPAN_START + d * DAY_MS);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const byDom = doms.has(date.getUTCDate());
    const byDow = dows.has(date.getUTCDay());
    const runs = domAny && dowAny ? true : domAny ? byDow : dowAny ? byDom : byDom || byDow;
    if (!runs) continue;
    days++;
    if (previousDay !== undefined) longest = Math.max(longest, (d - previousDay) * 1440 - last + first);
    previousDay = d;
  }
  // Fewer than two days with runs in four years (e.g. 30 February): no gap to speak of.
  if (days < 2) return undefined;
  return longest * 60;
}

// --- recovery points and rows ----------------------------------------------------------------------------------

/** A snapcopy copy in a destination, as its listing tells (see src/activities/recovery-points.ts). */
export interface RecoveryPointCopy {
  identifier: string;
  arn: string;
  status: string;
  /** The copy's snapcopy:source-cluster tag (lowercased cluster identifier). */
  sourceCluster?: string;
  /** The copy's snapcopy:recovery-point tag, as written on it. */
  recoveryPointTag?: string;
  /** The copy's own SnapshotCreateTime (ISO). */
  snapshotCreateTime?: string;
}

/** Where a recovery point was read: the tag, or the fallback for copies made before the tag existed. */
export type RecoveryPointSource = 'tag' | 'snapshot-create-time';

export interface RecoveryPoint {
  at: string;
  from: RecoveryPointSource;
}

/**
 * A copy's recovery point: its snapcopy:recovery-point tag (a well-formed ISO instant), else — copies made
 * before the tag existed — the copy's own SnapshotCreateTime (docs/rpo.md says why and what it may cost).
 */
export function recoveryPointOf(copy: RecoveryPointCopy): RecoveryPoint | undefined {
  const tag = copy.recoveryPointTag;
  if (tag !== undefined && isIsoInstant(tag)) return { at: new Date(tag).toISOString(), from: 'tag' };
  const created = copy.snapshotCreateTime;
  if (created !== undefined && !Number.isNaN(Date.parse(created))) {
    return { at: new Date(created).toISOString(), from: 'snapshot-create-time' };
  }
  return undefined;
}

/** The newest available copy of `cluster` (by recovery point; copies without one never count). */
export function newestCopyOf(
  copies: readonly RecoveryPointCopy[],
  cluster: string,
): { copy: RecoveryPointCopy; point: RecoveryPoint } | undefined {
  let best: { copy: RecoveryPointCopy; point: RecoveryPoint } | undefined;
  for (const copy of copies) {
    if (copy.status !== 'available' || copy.sourceCluster !== cluster.toLowerCase()) continue;
    const point = recoveryPointOf(copy);
    if (point === undefined) continue;
    if (
      best === undefined ||
      point.at > best.point.at ||
      (point.at === best.point.at && copy.identifier > best.copy.identifier)
    ) {
      best = { copy, point };
    }
  }
  return best;
}

export const RPO_STATUSES = ['ok', 'breach', 'missing'] as const;
export type RpoStatus = (typeof RPO_STATUSES)[number];

/**
 * `missing` without a copy; else `ok` while the recovery point's age is at most the RPO (an age equal to the
 * RPO still meets it: the RPO is the most data one may lose), `breach` once it is older. A recovery point in
 * the future (clock skew) has age 0.
 */
export function rpoStatus(ageSeconds: number | undefined, rpoSeconds: number): RpoStatus {
  if (ageSeconds === undefined) return 'missing';
  return ageSeconds <= rpoSeconds ? 'ok' : 'breach';
}

/** The last restore test of a cluster's copies in a destination Region (Temporal's visibility). */
export interface LastRestoreTest {
  workflowId: string;
  /** When it ended (ISO). */
  at: string;
  /** restorable, failed or cancelled. */
  outcome: string;
  /** The result's totalSeconds, when it got that far. */
  totalSeconds?: number;
}

export interface RpoRow {
  plan: string;
  cluster: string;
  region: string;
  /** The destination's account (its role's), absent for the caller's own account. */
  accountId?: string;
  status: RpoStatus;
  copy?: string;
  copyArn?: string;
  recoveryPoint?: string;
  recoveryPointFrom?: RecoveryPointSource;
  /** Whole seconds since the recovery point. */
  ageSeconds?: number;
  rpoSeconds: number;
  /** As the plan gives it (`26h`). */
  rpo: string;
  lastRestoreTest?: LastRestoreTest;
}

export interface RpoRowInput {
  plan: string;
  cluster: string;
  region: string;
  accountId?: string;
  rpoSeconds: number;
  /** The RPO as the plan gives it (default: formatRpo of rpoSeconds). */
  rpo?: string;
  /** The destination's snapcopy copies (any cluster; the cluster's are picked here). */
  copies: readonly RecoveryPointCopy[];
  now: Date;
  lastRestoreTest?: LastRestoreTest;
}

/** One row: the cluster's newest copy in the destination, its recovery point, age and status. */
export function rpoRow(input: RpoRowInput): RpoRow {
  const newest = newestCopyOf(input.copies, input.cluster);
  const ageSeconds =
    newest === undefined
      ? undefined
      : Math.max(0, Math.floor((input.now.getTime() - Date.parse(newest.point.at)) / 1000));
  const row: RpoRow = {
    plan: input.plan,
    cluster: input.cluster.toLowerCase(),
    region: input.region,
    ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
    status: rpoStatus(ageSeconds, input.rpoSeconds),
    rpoSeconds: input.rpoSeconds,
    rpo: input.rpo ?? formatRpo(input.rpoSeconds),
  };
  if (newest !== undefined) {
    row.copy = newest.copy.identifier;
    row.copyArn = newest.copy.arn;
    row.recoveryPoint = newest.point.at;
    row.recoveryPointFrom = newest.point.from;
    row.ageSeconds = ageSeconds;
  }
  if (input.lastRestoreTest !== undefined) row.lastRestoreTest = input.lastRestoreTest;
  return row;
}

/** 1 when any row is `breach` or `missing` (CI and cron fail), else 0. */
export function rpoExitCode(rows: readonly Pick<RpoRow, 'status'>[]): 0 | 1 {
  return rows.some((r) => r.status !== 'ok') ? 1 : 0;
}
