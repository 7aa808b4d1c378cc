// `snapcopy rpo`, what it prints: a table for people, CSV for auditors (RFC 4180), JSON as the report is. Pure.
import { formatDuration } from '../../../shared/duration';
import type { RpoRow } from '../../../shared/rpo';
import { toCsv } from '../../csv';
import { formatTime, plural, table } from '../../format';
import type { RpoReport } from './report';

const destination = (r: RpoRow) => (r.accountId ? `${r.region} (${r.accountId})` : r.region);

function restoreCell(r: RpoRow): string {
  const t = r.lastRestoreTest;
  if (!t) return '-';
  const minutes = t.totalSeconds === undefined ? '' : ` ${Math.round(t.totalSeconds / 60)}m`;
  return `${formatTime(t.at)} ${t.outcome}${minutes}`;
}

export function renderTable(report: RpoReport): string {
  if (report.rows.length === 0) return 'no clusters: no applied plan selects any (snapcopy plan list)';
  const rows = report.rows.map((r) => [
    r.plan,
    r.cluster,
    destination(r),
    r.copy ?? '-',
    r.recoveryPoint === undefined
      ? '-'
      : `${formatTime(r.recoveryPoint)}${r.recoveryPointFrom === 'tag' ? '' : ' *'}`,
    r.ageSeconds === undefined ? '-' : formatDuration(r.ageSeconds),
    r.rpo,
    r.status,
    restoreCell(r),
  ]);
  const lines = [
    table(
      [
        'PLAN',
        'CLUSTER',
        'DESTINATION',
        'COPY',
        'RECOVERY POINT',
        'AGE',
        'RPO',
        'STATUS',
        'LAST RESTORE TEST',
      ],
      rows,
    ),
  ];
  if (report.rows.some((r) => r.recoveryPointFrom === 'snapshot-create-time')) {
    lines.push("* no snapcopy:recovery-point tag (copied before it existed): the copy's SnapshotCreateTime");
  }
  const bad = report.rows.filter((r) => r.status !== 'ok');
  lines.push(
    bad.length === 0
      ? `all ${plural(report.rows.length, 'row')} ok at ${formatTime(report.at)}`
      : `${bad.filter((r) => r.status === 'breach').length} breach, ${bad.filter((r) => r.status === 'missing').length} missing of ${plural(report.rows.length, 'row')} at ${formatTime(report.at)}`,
  );
  return lines.join('\n');
}

export const CSV_HEADER = [
  'plan',
  'cluster',
  'region',
  'account',
  'status',
  'copy',
  'copy_arn',
  'recovery_point',
  'recovery_point_from',
  'age_seconds',
  'rpo',
  'rpo_seconds',
  'last_restore_test_at',
  'last_restore_test_outcome',
  'last_restore_test_minutes',
  'checked_at',
] as const;

export function renderCsv(report: RpoReport): string {
  return toCsv(
    CSV_HEADER,
    report.rows.map((r) => [
      r.plan,
      r.cluster,
      r.region,
      r.accountId,
      r.status,
      r.copy,
      r.copyArn,
      r.recoveryPoint,
      r.recoveryPointFrom,
      r.ageSeconds,
      r.rpo,
      r.rpoSeconds,
      r.lastRestoreTest?.at,
      r.lastRestoreTest?.outcome,
      r.lastRestoreTest?.totalSeconds === undefined
        ? undefined
        : Math.round((r.lastRestoreTest.totalSeconds / 60) * 10) / 10,
      report.at,
    ]),
  );
}
