// The report of one plan run (the plans contract, `notify`): the plain text people read, the SNS Subject, and
// the run as compact JSON for a message attribute, together within SNS's size limits. Workflow-safe and
// pure: no Node built-ins, no clocks (durations come from the result's own timestamps).
import { formatDurationCompact } from './duration';
import { keptForHoldNote } from './ownership';
import {
  FAILED_OUTCOMES,
  restoreTestCell,
  type PlanRowOutcome,
  type PlanRunResult,
  type PlanRunRow,
} from './plan-run';

/** SNS: a message, its Subject and its attributes (names, types, values) together, in UTF-8 bytes. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** AWS's Publish reference says "less than 100 characters" (moto allows 100): 99 fits both. */
export const MAX_SUBJECT_LENGTH = 99;
export const PLAN_RUN_ATTRIBUTE = 'snapcopy-plan-run';
export const PLAN_RUN_ATTRIBUTE_TYPE = 'String';
/** The text's default share of the message; the attribute gets what the text leaves (planRunReport). */
export const DEFAULT_TEXT_MAX_BYTES = 128 * 1024;
/** A failure message in the table is cut to this; the "Failed" section below it has the whole message. */
const TABLE_MESSAGE_LENGTH = 120;
/** Even the "Failed" section cuts a message here (AWS messages are short; a stack trace is not). */
const DETAIL_MESSAGE_LENGTH = 2000;
/** Names listed in the headline before "and N more". */
const LISTED_NAMES = 20;

/** The JSON attribute: the result, possibly without some rows (failed rows are kept first). */
export type PlanRunAttribute = PlanRunResult & {
  truncated?: true;
  /** Rows left out to fit SNS's limit (the counts still count them). */
  omittedRows?: number;
  /** Set when even the cluster list had to go. */
  omittedClusters?: number;
};

export interface PlanRunReport {
  subject: string;
  text: string;
  /** The value of the PLAN_RUN_ATTRIBUTE message attribute. */
  attribute: string;
}

// --- counts ----------------------------------------------------------------------------------------------------

/** Headline order: what was done, then what was not. */
const COUNT_ORDER: readonly PlanRowOutcome[] = [
  'copied',
  'already-present',
  'already-running',
  'cancelled',
  'no-snapshot',
  'failed',
];

function countPhrases(result: PlanRunResult, order: readonly PlanRowOutcome[]): string[] {
  return order
    .filter((o) => (result.counts[o] ?? 0) > 0)
    .map((o) => `${result.counts[o]} ${o.replace(/-/g, ' ')}`);
}

function status(result: PlanRunResult): string {
  return result.failed ? 'FAILED' : 'ok';
}

// --- subject ---------------------------------------------------------------------------------------------------

/** Printable ASCII only, whitespace runs as one space: SNS refuses line breaks and control characters. */
function asciiLine(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
}

/**
 * The SNS Subject: `snapcopy plan prod-dr FAILED: 1 failed, 5 copied`. Not-copied counts come first (they are
 * what the reader needs and the Subject is short); counts that do not fit are dropped whole for `...`.
 */
export function planRunSubject(result: PlanRunResult): string {
  const head = asciiLine(`snapcopy plan ${result.plan} ${status(result)}`);
  const notCopied = COUNT_ORDER.filter((o) => FAILED_OUTCOMES.includes(o));
  const order = [...notCopied, ...COUNT_ORDER.filter((o) => !notCopied.includes(o))];
  const unrestorable = result.restoreTests?.failed ?? 0;
  const phrases = [
    ...(unrestorable > 0 ? [`${unrestorable} restore test${unrestorable === 1 ? '' : 's'} failed`] : []),
    ...countPhrases(result, order),
  ];
  let subject = phrases.length === 0 ? `${head}: nothing to copy` : head;
  for (const [i, phrase] of phrases.entries()) {
    const next = `${subject}${i === 0 ? ': ' : ', '}${phrase}`;
    const more = i < phrases.length - 1 ? ', ...'.length : 0;
    if (next.length + more > MAX_SUBJECT_LENGTH) {
      subject += i === 0 ? ': ...' : ', ...';
      break;
    }
    subject = next;
  }
  return cut(subject, MAX_SUBJECT_LENGTH); // a plan name too long for even the head (never a valid one)
}

// --- text ------------------------------------------------------------------------------------------------------

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function names(list: string[]): string {
  const shown = list.slice(0, LISTED_NAMES).join(', ');
  return list.length > LISTED_NAMES ? `${shown} and ${list.length - LISTED_NAMES} more` : shown;
}

function secondsBetween(from: string, to: string): number | undefined {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

function failureText(row: PlanRunRow): string | undefined {
  if (row.failureType === undefined && row.message === undefined) return undefined;
  return [row.failureType, row.message?.replace(/\s+/g, ' ').trim()].filter(Boolean).join(': ');
}

const isFailedRow = (row: PlanRunRow): boolean =>
  FAILED_OUTCOMES.includes(row.outcome) || row.verify?.outcome === 'failed';

/** Left-aligned columns two spaces apart; the last column is not padded (it is the long one). */
function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

const COLUMNS = ['CLUSTER', 'DESTINATION', 'OUTCOME', 'TARGET', 'DURATION', 'RETIRED', 'FAILURE'];
/** Plans with restore tests get a column for them, before the failure. */
const VERIFY_COLUMNS = [...COLUMNS.slice(0, -1), 'RESTORE TEST', 'FAILURE'];

function rowCells(row: PlanRunRow, verify: boolean): string[] {
  return [
    row.cluster,
    row.destination,
    row.outcome,
    row.target ?? '-',
    row.durationSeconds === undefined ? '-' : formatDurationCompact(row.durationSeconds),
    String(row.retired.length),
    ...(verify ? [restoreTestCell(row.verify) || '-'] : []),
    cut(failureText(row) ?? '', TABLE_MESSAGE_LENGTH),
  ];
}

/**
 * The rows kept when only `n` fit: failed rows first (they are why the message is sent), then the others,
 * each in the run's order; the kept rows keep the run's order.
 */
function keptRows(rows: PlanRunRow[], n: number): PlanRunRow[] {
  if (n >= rows.length) return rows;
  const byPriority = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => Number(isFailedRow(b.row)) - Number(isFailedRow(a.row)) || a.index - b.index);
  const keep = new Set(byPriority.slice(0, n).map((e) => e.index));
  return rows.filter((_, i) => keep.has(i));
}

function renderWith(result: PlanRunResult, rows: PlanRunRow[]): string {
  const counts = countPhrases(result, COUNT_ORDER);
  const took = secondsBetween(result.startedAt, result.finishedAt);
  const lines = [
    `snapcopy plan ${result.plan}: ${status(result)} - ${counts.length > 0 ? counts.join(', ') : 'nothing to copy'}`,
    `run ${result.workflowId}, ${result.startedAt} to ${result.finishedAt}` +
      (took === undefined ? '' : ` (${formatDurationCompact(took)})`),
    `clusters (${result.clusters.length}): ${result.clusters.length > 0 ? names(result.clusters) : 'none found'}`,
    `destinations (${result.destinations.length}): ${names(result.destinations)}`,
    '',
  ];
  if (result.rows.length === 0) {
    lines.push('No copies: no cluster matched the plan.');
  } else {
    const verify = result.rows.some((r) => r.verify !== undefined);
    lines.push(
      ...table(
        verify ? VERIFY_COLUMNS : COLUMNS,
        rows.map((r) => rowCells(r, verify)),
      ),
    );
    const omitted = result.rows.length - rows.length;
    if (omitted > 0) {
      lines.push(
        `... ${omitted} more row${omitted === 1 ? '' : 's'} not shown (the run's result has them all)`,
      );
    }
  }
  const failed = rows.filter((r) => FAILED_OUTCOMES.includes(r.outcome) && failureText(r) !== undefined);
  if (failed.length > 0) {
    lines.push('', 'Failed:');
    for (const r of failed) {
      const wf = r.workflowId === undefined ? '' : ` (${r.workflowId})`;
      lines.push(
        `- ${r.cluster} -> ${r.destination}${wf}: ${cut(failureText(r) ?? '', DETAIL_MESSAGE_LENGTH)}`,
      );
    }
  }
  const held = rows.filter((r) => r.held?.length);
  if (held.length > 0) {
    lines.push('', 'On hold (never deleted):');
    for (const r of held) {
      lines.push(
        `- ${r.cluster} -> ${r.destination}: ${cut(keptForHoldNote(r.held ?? []), DETAIL_MESSAGE_LENGTH)}`,
      );
    }
  }
  const unrestorable = rows.filter((r) => r.verify?.outcome === 'failed');
  if (unrestorable.length > 0) {
    lines.push('', 'Failed restore tests:');
    for (const r of unrestorable) {
      const wf = r.verify?.workflowId === undefined ? '' : ` (${r.verify.workflowId})`;
      const why = r.verify?.failure?.replace(/\s+/g, ' ').trim() ?? 'failed';
      lines.push(
        `- ${r.cluster} -> ${r.destination} ${r.target ?? ''}${wf}: ${cut(why, DETAIL_MESSAGE_LENGTH)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** UTF-8 length without TextEncoder (not every sandbox has it); a lone surrogate counts as U+FFFD's 3. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The largest n in [0, max] with fits(n), given fits is monotone (fewer rows, fewer bytes). */
function largestFitting(max: number, fits: (n: number) => boolean): number {
  if (fits(max)) return max;
  let lo = 0;
  let hi = max; // fits(lo) is assumed; fits(hi) is false
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface RenderOptions {
  /** Rows beyond what fits in this many UTF-8 bytes are left out (failed rows kept first). */
  maxBytes?: number;
}

/**
 * The plain-text report: a headline (plan, ok/FAILED, counts), the run's workflow ID and times, the
 * clusters and destinations, a fixed-width table cluster × destination → outcome, target, duration,
 * retired copies, failure; then each failed copy's workflow ID and whole message.
 */
export function renderPlanRunText(result: PlanRunResult, opts: RenderOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_TEXT_MAX_BYTES;
  const n = largestFitting(
    result.rows.length,
    (k) => utf8Bytes(renderWith(result, keptRows(result.rows, k))) <= maxBytes,
  );
  return renderWith(result, keptRows(result.rows, n));
}

// --- attribute -------------------------------------------------------------------------------------------------

/**
 * The result as compact JSON for the PLAN_RUN_ATTRIBUTE message attribute, at most `maxBytes` UTF-8 bytes:
 * rows beyond what fits are dropped (failed rows kept first) and the JSON says `truncated: true` and how
 * many rows it left out; if not even the row-less result fits, the cluster list goes too.
 */
export function planRunAttributes(result: PlanRunResult, maxBytes = SNS_MAX_MESSAGE_BYTES / 2): string {
  const whole = JSON.stringify(result);
  if (utf8Bytes(whole) <= maxBytes) return whole;
  const withRows = (k: number, dropClusters = false): string => {
    const attribute: PlanRunAttribute = {
      ...result,
      ...(dropClusters ? { clusters: [] } : {}),
      rows: keptRows(result.rows, k),
      truncated: true,
      omittedRows: result.rows.length - k,
      ...(dropClusters ? { omittedClusters: result.clusters.length } : {}),
    };
    return JSON.stringify(attribute);
  };
  const fits = (json: string): boolean => utf8Bytes(json) <= maxBytes;
  if (!fits(withRows(0))) return withRows(0, true); // the rest is bounded by the plan's own rules
  return withRows(largestFitting(result.rows.length, (k) => fits(withRows(k))));
}

/**
 * Subject, text and attribute of one SNS message that stays within SNS_MAX_MESSAGE_BYTES: the text takes
 * up to DEFAULT_TEXT_MAX_BYTES and the attribute what is left.
 */
export function planRunReport(result: PlanRunResult): PlanRunReport {
  const subject = planRunSubject(result);
  const text = renderPlanRunText(result);
  const overhead = utf8Bytes(subject) + utf8Bytes(PLAN_RUN_ATTRIBUTE) + utf8Bytes(PLAN_RUN_ATTRIBUTE_TYPE);
  const attribute = planRunAttributes(result, SNS_MAX_MESSAGE_BYTES - overhead - utf8Bytes(text));
  return { subject, text, attribute };
}
