// snapcopy rpo's output: CSV quoting (RFC 4180), the table, and the usage errors (exit 2, one line).
import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../src/cli/csv';
import { CSV_HEADER, renderCsv, renderTable } from '../../src/cli/commands/rpo/render';
import type { RpoReport } from '../../src/cli/commands/rpo/report';
import { runInProcess } from '../helpers/cli';

const report: RpoReport = {
  at: '2026-12-02T12:00:00.000Z',
  plans: ['prod-dr'],
  notes: [],
  rows: [
    {
      plan: 'prod-dr',
      cluster: 'prod-a',
      region: 'us-west-2',
      status: 'ok',
      copy: 'prod-a-20261202-030000',
      copyArn: 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-a-20261202-030000',
      recoveryPoint: '2026-12-02T03:00:00.000Z',
      recoveryPointFrom: 'tag',
      ageSeconds: 32_400,
      rpoSeconds: 93_600,
      rpo: '26h',
      lastRestoreTest: {
        workflowId: 'w',
        at: '2026-12-01T03:20:00.000Z',
        outcome: 'restorable',
        totalSeconds: 933,
      },
    },
    {
      plan: 'prod-dr',
      cluster: 'prod-b',
      region: 'eu-west-1',
      accountId: '222222222222',
      status: 'missing',
      rpoSeconds: 93_600,
      rpo: '26h',
    },
  ],
};

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, doubling quotes; leaves plain fields bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(toCsv(['a', 'b'], [['x,y', undefined]])).toBe('a,b\r\n"x,y",\r\n');
  });

  it('has a header row and one line per row, CRLF-ended', () => {
    const lines = renderCsv(report).split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines[1]).toBe(
      'prod-dr,prod-a,us-west-2,,ok,prod-a-20261202-030000,arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-a-20261202-030000,' +
        '2026-12-02T03:00:00.000Z,tag,32400,26h,93600,2026-12-01T03:20:00.000Z,restorable,15.6,2026-12-02T12:00:00.000Z',
    );
    expect(lines[2]).toBe(
      'prod-dr,prod-b,eu-west-1,222222222222,missing,,,,,,26h,93600,,,,2026-12-02T12:00:00.000Z',
    );
    expect(lines[3]).toBe('');
  });
});

describe('table', () => {
  it('one line per row, the fallback marked, and what is not ok counted', () => {
    const text = renderTable({
      ...report,
      rows: [{ ...report.rows[0]!, recoveryPointFrom: 'snapshot-create-time' }, report.rows[1]!],
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^PLAN +CLUSTER +DESTINATION +COPY +RECOVERY POINT +AGE +RPO +STATUS +LAST RESTORE TEST$/,
    );
    expect(lines[1]).toMatch(
      /prod-a .* 2026-12-02 03:00:00Z \* +9h 0m +26h +ok +2026-12-01 03:20:00Z restorable 16m$/,
    );
    expect(lines[2]).toMatch(/prod-b +eu-west-1 \(222222222222\) +- +- +- +26h +missing +-$/);
    expect(text).toContain(
      "* no snapcopy:recovery-point tag (copied before it existed): the copy's SnapshotCreateTime",
    );
    expect(lines.at(-1)).toBe('0 breach, 1 missing of 2 rows at 2026-12-02 12:00:00Z');
  });
});

describe('usage errors', () => {
  it('--json with --csv, and a malformed plan name: one line, exit 2, before connecting', async () => {
    const both = await runInProcess(['rpo', '--json', '--csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('snapcopy: give --json or --csv, not both\n');
    const bad = await runInProcess(['rpo', 'no_such plan']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'snapcopy: "no_such plan" is not a plan name (1 to 40 letters, digits or hyphens)\n',
    );
  });
});
