// Retention of a plan (the plans contract, docs/plans.md): which copies of one cluster in one destination to keep and which to
// delete. A copy is kept when any rule keeps it — the newest `keepLast`; any copy younger than `maxAgeDays`;
// the newest copy of each of the last `daily` days, `weekly` ISO weeks and `monthly` months (UTC, the current
// day / week / month included) — and the rest is deleted. Never deleted, whatever the rules: a copy without
// snapcopy's ownership tag, a copy on hold (snapcopy:hold), the copy just made, the newest owned copy, a copy
// that is not `available`, and a copy whose creation time is unknown. A held copy is kept *in addition*: it is
// left out of what the rules choose among, so it never takes the place of a copy a rule keeps (keepLast 3 with
// one held copy keeps the newest 3 copies not on hold, and the held one). Pure and workflow-safe: `now` is
// given, nothing is read.
import { holdOf, holdReason, isManaged } from './ownership';
import type { RetentionRule, RetentionRules } from './plan';
import type { OwnedCopy } from './types';

export type { RetentionRules } from './plan';

export interface KeptCopy {
  copy: OwnedCopy;
  /**
   * Why: `just made`, `newest`, `keepLast`, `maxAgeDays`, `daily 2026-11-30`, `weekly 2026-W49`,
   * `monthly 2026-11`, or the guards `not owned`, `on hold: <reason>`, `not available`, `no create time`.
   */
  reasons: string[];
}

export interface RetentionSelection {
  /** Newest first. */
  keep: KeptCopy[];
  /** Newest first: owned, available copies no rule keeps. */
  delete: OwnedCopy[];
}

const DAY_MS = 86_400_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-11-30` (UTC). */
export function dayKey(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `2026-11` (UTC). */
export function monthKey(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** The ISO week `2026-W49` (weeks start on Monday; week 1 holds the year's first Thursday; UTC). */
export function isoWeekKey(t: number): string {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(midnight + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const dayOfYear = Math.round((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  return `${year}-W${pad(Math.floor((dayOfYear - 1) / 7) + 1)}`;
}

/** The keys of the last `n` periods up to and including the one holding `now`. */
function lastDays(now: number, n: number): Set<string> {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Set(Array.from({ length: n }, (_, i) => dayKey(midnight - i * DAY_MS)));
}

function lastWeeks(now: number, n: number): Set<string> {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const monday = midnight - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return new Set(Array.from({ length: n }, (_, i) => isoWeekKey(monday - i * 7 * DAY_MS)));
}

function lastMonths(now: number, n: number): Set<string> {
  const d = new Date(now);
  return new Set(
    Array.from({ length: n }, (_, i) => monthKey(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1))),
  );
}

function createdAt(copy: OwnedCopy): number | undefined {
  if (copy.createTime === undefined) return undefined;
  const t = Date.parse(copy.createTime);
  return Number.isNaN(t) ? undefined : t;
}

/** Newest first; equal times by identifier, so the order (and "the newest") never depends on the input's. */
function newestFirst(a: { t: number; copy: OwnedCopy }, b: { t: number; copy: OwnedCopy }): number {
  return (
    b.t - a.t || (a.copy.identifier < b.copy.identifier ? -1 : a.copy.identifier > b.copy.identifier ? 1 : 0)
  );
}

/** A rule's count: absent, negative or not a whole number is 0 (keeps nothing). */
function count(rules: RetentionRules, rule: RetentionRule): number {
  const n = rules[rule];
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Splits the copies of one cluster in one destination into those to keep (with the reasons) and those to
 * delete. `justMade` is the identifier of the copy the run just made (compared case-insensitively).
 */
export function selectRetention(
  copies: readonly OwnedCopy[],
  rules: RetentionRules,
  now: Date | string | number,
  justMade?: string,
): RetentionSelection {
  const nowMs = new Date(now).getTime();
  const just = justMade?.toLowerCase();
  const reasons = new Map<OwnedCopy, string[]>();
  const reason = (copy: OwnedCopy, why: string) => {
    const list = reasons.get(copy);
    if (list === undefined) reasons.set(copy, [why]);
    else if (!list.includes(why)) list.push(why);
  };

  // The copies the rules choose among: owned, not on hold, available (the one just made is available,
  // whatever a stale listing says), with a known creation time.
  const ranked: { t: number; copy: OwnedCopy }[] = [];
  for (const copy of copies) {
    const isJust = just !== undefined && copy.identifier.toLowerCase() === just;
    if (isJust) reason(copy, 'just made');
    if (!isManaged(copy.tags)) {
      reason(copy, 'not owned');
      continue;
    }
    const hold = copy.hold ?? holdOf(copy.tags);
    if (hold !== undefined) {
      reason(copy, `on hold: ${holdReason(hold)}`);
      continue;
    }
    if (copy.status !== 'available' && !isJust) reason(copy, 'not available');
    const t = createdAt(copy);
    if (t === undefined) {
      reason(copy, 'no create time');
      continue;
    }
    if (copy.status === 'available' || isJust) ranked.push({ t, copy });
  }
  ranked.sort(newestFirst);

  const newest = ranked[0];
  if (newest !== undefined) reason(newest.copy, 'newest');
  ranked.slice(0, count(rules, 'keepLast')).forEach((r) => reason(r.copy, 'keepLast'));
  const maxAgeDays = count(rules, 'maxAgeDays');
  for (const r of ranked) if (nowMs - r.t < maxAgeDays * DAY_MS) reason(r.copy, 'maxAgeDays');

  const tiers: [string, (t: number) => string, Set<string>][] = [
    ['daily', dayKey, lastDays(nowMs, count(rules, 'daily'))],
    ['weekly', isoWeekKey, lastWeeks(nowMs, count(rules, 'weekly'))],
    ['monthly', monthKey, lastMonths(nowMs, count(rules, 'monthly'))],
  ];
  for (const [tier, keyOf, periods] of tiers) {
    const seen = new Set<string>();
    for (const r of ranked) {
      const key = keyOf(r.t);
      if (!periods.has(key) || seen.has(key)) continue;
      seen.add(key); // ranked is newest first: the first copy of a period is its newest
      reason(r.copy, `${tier} ${key}`);
    }
  }

  const ordered = copies
    .map((copy) => ({ t: createdAt(copy) ?? Infinity, copy }))
    .sort(newestFirst)
    .map((x) => x.copy);
  const keep: KeptCopy[] = [];
  const remove: OwnedCopy[] = [];
  for (const copy of ordered) {
    const why = reasons.get(copy);
    if (why === undefined) remove.push(copy);
    else keep.push({ copy, reasons: why });
  }
  return { keep, delete: remove };
}
