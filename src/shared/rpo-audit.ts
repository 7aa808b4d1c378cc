// The RPO audit of a plan (auditPlan, every 15 minutes): its rows, which of them turned `breach` or `missing`
// since the previous audit and which recovered, and the one SNS message that says so. A row AWS could not be
// asked about this time is `unknown` and keeps its last known status, so an outage never flaps the state.
// Pure and workflow-safe.
import { formatDurationCompact } from './duration';
import type { RpoRow, RpoStatus } from './rpo';

export const AUDIT_WORKFLOW_TYPE = 'auditPlan';
/** The audit schedule of a plan: `snapcopy-rpo-<plan>`. */
export const AUDIT_SCHEDULE_PREFIX = 'snapcopy-rpo-';
/** How often the audit runs. */
export const AUDIT_INTERVAL_SECONDS = 15 * 60;

export function auditScheduleId(plan: string): string {
  return `${AUDIT_SCHEDULE_PREFIX}${plan}`;
}

/** A row as the audit keeps it: `unknown` when AWS could not be asked (its status is the last known one). */
export type AuditRow = RpoRow & { unknown?: true };

export interface AuditResult {
  plan: string;
  /** When the audit looked (ISO, workflow time). */
  at: string;
  rpoSeconds: number;
  rows: AuditRow[];
  /** Rows that turned breach or missing, and rows that recovered, since the previous audit. */
  turned: { bad: AuditRow[]; recovered: AuditRow[] };
  /** Destinations AWS could not be asked about (`region/account`), with why. */
  unreachable: { destination: string; error: string }[];
  /** The SNS message ID when the turn was told. */
  notified?: string;
  notifyError?: string;
}

/** One row's identity across audits. */
export function rowKey(r: Pick<RpoRow, 'cluster' | 'region' | 'accountId'>): string {
  return `${r.cluster}|${r.region}|${r.accountId ?? ''}`;
}

const bad = (s: RpoStatus | undefined) => s === 'breach' || s === 'missing';

/**
 * The rows as this audit keeps them (an unknown row carries its previous status and copy), and the turns since
 * the previous audit: a row is `bad` when it is breach or missing now and was ok (or did not exist, or there was
 * no previous audit); `recovered` when it is ok now and was breach or missing. Unknown rows never turn.
 */
export function auditTurns(
  previous: readonly AuditRow[] | undefined,
  now: readonly AuditRow[],
): { rows: AuditRow[]; bad: AuditRow[]; recovered: AuditRow[] } {
  const before = new Map((previous ?? []).map((r) => [rowKey(r), r]));
  const rows: AuditRow[] = [];
  const turnedBad: AuditRow[] = [];
  const recovered: AuditRow[] = [];
  for (const row of now) {
    const was = before.get(rowKey(row));
    if (row.unknown) {
      // Keep what was known: the gauges and the next audit compare with it, not with a guess.
      rows.push(was ? { ...was, unknown: true } : row);
      continue;
    }
    rows.push(row);
    if (bad(row.status) && !bad(was?.status)) turnedBad.push(row);
    else if (row.status === 'ok' && was !== undefined && bad(was.status)) recovered.push(row);
  }
  return { rows, bad: turnedBad, recovered };
}

function rowLine(r: AuditRow): string {
  const where = `${r.cluster} -> ${r.region}${r.accountId ? ` (${r.accountId})` : ''}`;
  if (r.status === 'missing') return `- ${where}: missing, no available copy (RPO ${r.rpo})`;
  const age = r.ageSeconds === undefined ? '?' : formatDurationCompact(r.ageSeconds);
  return `- ${where}: ${r.status}, newest copy ${r.copy ?? '?'} has data from ${r.recoveryPoint ?? '?'} (${age} old, RPO ${r.rpo})`;
}

/** The SNS message of a turn: Subject (at most 99 printable ASCII characters) and text. */
export function auditMessage(result: Pick<AuditResult, 'plan' | 'at' | 'turned' | 'rows'>): {
  subject: string;
  text: string;
} {
  const { bad: b, recovered: r } = result.turned;
  const parts = [
    ...(b.length ? [`${b.length} breach or missing`] : []),
    ...(r.length ? [`${r.length} recovered`] : []),
  ];
  const subject = `snapcopy RPO ${result.plan}: ${parts.join(', ')}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);
  const stillBad = result.rows.filter((x) => bad(x.status)).length;
  const lines = [
    `snapcopy RPO audit of plan ${result.plan} at ${result.at}: ${stillBad} of ${result.rows.length} rows breach or missing now.`,
    ...(b.length ? ['', 'Turned breach or missing:', ...b.map(rowLine)] : []),
    ...(r.length ? ['', 'Recovered:', ...r.map(rowLine)] : []),
    '',
    `See: snapcopy rpo ${result.plan}`,
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}
