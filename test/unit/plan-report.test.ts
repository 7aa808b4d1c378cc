// The plan run report: the text table, the SNS Subject's rules and the JSON attribute within SNS's limit.
import { describe, expect, it } from 'vitest';
import {
  MAX_SUBJECT_LENGTH,
  PLAN_RUN_ATTRIBUTE,
  PLAN_RUN_ATTRIBUTE_TYPE,
  SNS_MAX_MESSAGE_BYTES,
  planRunAttributes,
  planRunReport,
  planRunSubject,
  renderPlanRunText,
  utf8Bytes,
  type PlanRunAttribute,
} from '../../src/shared/plan-report';
import type { PlanRowOutcome, PlanRunResult, PlanRunRow } from '../../src/shared/plan-run';

const NO_COUNTS: Record<PlanRowOutcome, number> = {
  copied: 0,
  cancelled: 0,
  'already-present': 0,
  'already-running': 0,
  failed: 0,
  'no-snapshot': 0,
};

function countsOf(rows: PlanRunRow[]): Record<PlanRowOutcome, number> {
  const counts = { ...NO_COUNTS };
  for (const r of rows) counts[r.outcome] += 1;
  return counts;
}

function result(rows: PlanRunRow[], over: Partial<PlanRunResult> = {}): PlanRunResult {
  return {
    plan: 'prod-dr',
    workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
    startedAt: '2026-12-02T03:00:05.000Z',
    finishedAt: '2026-12-02T03:41:10.000Z',
    clusters: [...new Set(rows.map((r) => r.cluster))],
    destinations: [...new Set(rows.map((r) => r.destination))],
    rows,
    counts: countsOf(rows),
    failed: rows.some((r) => r.outcome === 'failed' || r.outcome === 'no-snapshot'),
    ...over,
  };
}

const copied = (cluster: string, destination: string, over: Partial<PlanRunRow> = {}): PlanRunRow => ({
  cluster,
  destination,
  outcome: 'copied',
  workflowId: `snapcopy-${destination}-${cluster}-20261202-030000`,
  target: `${cluster}-20261202-030000`,
  durationSeconds: 252,
  retired: [],
  ...over,
});

const failedRow = (cluster: string, destination: string, message = 'Key alias/dr is disabled.'): PlanRunRow =>
  copied(cluster, destination, {
    outcome: 'failed',
    target: undefined,
    durationSeconds: 9,
    failureType: 'KMSKeyNotAccessibleFault',
    message,
  });

const RUN = result([
  copied('prod-a', 'us-west-2', { retired: ['prod-a-20261125-030000', 'prod-a-20261126-030000'] }),
  copied('prod-a', 'eu-west-1', { durationSeconds: 3725 }),
  copied('prod-b', 'us-west-2', { outcome: 'already-present', durationSeconds: 2 }),
  failedRow('prod-b', 'eu-west-1'),
]);

describe('renderPlanRunText', () => {
  it('a headline, the run, and a fixed-width table with a failed section', () => {
    expect(renderPlanRunText(RUN)).toBe(
      [
        'snapcopy plan prod-dr: FAILED - 2 copied, 1 already present, 1 failed',
        'run snapcopy-plan-prod-dr-20261202-030000, 2026-12-02T03:00:05.000Z to 2026-12-02T03:41:10.000Z (41m5s)',
        'clusters (2): prod-a, prod-b',
        'destinations (2): us-west-2, eu-west-1',
        '',
        'CLUSTER  DESTINATION  OUTCOME          TARGET                  DURATION  RETIRED  FAILURE',
        'prod-a   us-west-2    copied           prod-a-20261202-030000  4m12s     2',
        'prod-a   eu-west-1    copied           prod-a-20261202-030000  1h2m5s    0',
        'prod-b   us-west-2    already-present  prod-b-20261202-030000  2s        0',
        'prod-b   eu-west-1    failed           -                       9s        0        KMSKeyNotAccessibleFault: Key alias/dr is disabled.',
        '',
        'Failed:',
        '- prod-b -> eu-west-1 (snapcopy-eu-west-1-prod-b-20261202-030000): KMSKeyNotAccessibleFault: Key alias/dr is disabled.',
        '',
      ].join('\n'),
    );
  });

  it('says ok when everything was copied, and what a run without clusters found', () => {
    const ok = renderPlanRunText(result([copied('prod-a', 'us-west-2')]));
    expect(ok.split('\n')[0]).toBe('snapcopy plan prod-dr: ok - 1 copied');
    expect(ok).not.toContain('Failed:');

    const empty = renderPlanRunText(result([], { destinations: ['us-west-2'] }));
    expect(empty).toContain('snapcopy plan prod-dr: ok - nothing to copy');
    expect(empty).toContain('clusters (0): none found');
    expect(empty).toContain('No copies: no cluster matched the plan.');
  });

  it('keeps a long failure message on one line, cut in the table and whole below', () => {
    const long = `first line\n  second line ${'x'.repeat(300)}`;
    const text = renderPlanRunText(result([failedRow('prod-a', 'us-west-2', long)]));
    const row = text.split('\n').find((l) => l.startsWith('prod-a'));
    expect(row).toMatch(/KMSKeyNotAccessibleFault: first line second line x+\.\.\.$/);
    expect(row?.length).toBeLessThan(220);
    expect(text).toContain(`KMSKeyNotAccessibleFault: first line second line ${'x'.repeat(300)}\n`);
  });

  it('leaves rows out beyond maxBytes, failed rows kept first, and says how many', () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      copied(`cluster-${String(i).padStart(3, '0')}`, 'us-west-2'),
    );
    rows[150] = failedRow('cluster-150', 'us-west-2');
    const text = renderPlanRunText(result(rows), { maxBytes: 4000 });
    expect(utf8Bytes(text)).toBeLessThanOrEqual(4000);
    expect(text).toContain('cluster-150  us-west-2    failed');
    expect(text).toContain('cluster-000');
    const shown = text.split('\n').filter((l) => l.startsWith('cluster-')).length;
    expect(text).toContain(`... ${200 - shown} more rows not shown (the run's result has them all)`);
    expect(shown).toBeGreaterThan(5);
  });
});

describe('restore tests in the report', () => {
  const tested = result(
    [
      copied('prod-a', 'us-west-2', {
        verify: { outcome: 'restorable', workflowId: 'snapcopy-verify-us-west-2-a', totalSeconds: 1500 },
      }),
      copied('prod-b', 'us-west-2', {
        target: 'prod-b-copy',
        verify: {
          outcome: 'failed',
          workflowId: 'snapcopy-verify-us-west-2-b',
          failure: 'check engine version (restored 11.9, snapshot 16.4) failed',
        },
      }),
      copied('prod-c', 'us-west-2', {
        verify: { outcome: 'recent', lastPassedAt: '2026-12-01T03:10:00.000Z' },
      }),
    ],
    { failed: true, restoreTests: { restorable: 1, failed: 1, recent: 1 } },
  );

  it('adds a RESTORE TEST column and lists the failed tests with their workflow and why', () => {
    const text = renderPlanRunText(tested);
    expect(text).toContain('RESTORE TEST');
    expect(text).toMatch(/prod-a .* restorable in 25m/);
    expect(text).toMatch(/prod-c .* recent \(passed 2026-12-01 03:10\)/);
    expect(text).toContain(
      'Failed restore tests:\n- prod-b -> us-west-2 prod-b-copy (snapcopy-verify-us-west-2-b): check engine version (restored 11.9, snapshot 16.4) failed',
    );
  });

  it('puts the failed tests first in the Subject', () => {
    expect(planRunSubject(tested)).toBe('snapcopy plan prod-dr FAILED: 1 restore test failed, 3 copied');
  });

  it('has no RESTORE TEST column for a plan without restore tests', () => {
    expect(renderPlanRunText(RUN)).not.toContain('RESTORE TEST');
  });
});

describe('planRunSubject', () => {
  it('names the plan, ok or FAILED, not-copied counts first', () => {
    expect(planRunSubject(RUN)).toBe('snapcopy plan prod-dr FAILED: 1 failed, 2 copied, 1 already present');
    expect(planRunSubject(result([copied('a', 'us-west-2')]))).toBe('snapcopy plan prod-dr ok: 1 copied');
    expect(planRunSubject(result([]))).toBe('snapcopy plan prod-dr ok: nothing to copy');
  });

  it(`stays within ${MAX_SUBJECT_LENGTH} printable ASCII characters, dropping whole counts`, () => {
    const counts: Record<PlanRowOutcome, number> = {
      copied: 123456,
      cancelled: 7890,
      'already-present': 45678,
      'already-running': 9012,
      failed: 3456,
      'no-snapshot': 7891,
    };
    const subject = planRunSubject(result([], { plan: 'a'.repeat(40), counts, failed: true }));
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toBe(`snapcopy plan ${'a'.repeat(40)} FAILED: 7891 no snapshot, 3456 failed, ...`);
  });

  it('replaces line breaks, control and non-ASCII characters, and cuts a name that cannot fit', () => {
    const odd = planRunSubject(result([], { plan: 'prød\n\tdr\u0007' }));
    expect(odd).toBe('snapcopy plan pr?d dr? ok: nothing to copy');
    const huge = planRunSubject(result([], { plan: 'p'.repeat(300) }));
    expect(huge).toHaveLength(MAX_SUBJECT_LENGTH);
    expect(huge.endsWith('...')).toBe(true);
    expect(huge).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('planRunAttributes', () => {
  it('is the result as compact JSON', () => {
    const json = planRunAttributes(RUN);
    expect(json).not.toMatch(/\n|": /);
    expect(JSON.parse(json)).toEqual(RUN);
  });

  it('drops rows beyond the limit, failed rows first, and marks the JSON truncated', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => copied(`cluster-${i}`, 'us-west-2'));
    rows[999] = failedRow('cluster-999', 'us-west-2');
    const run = result(rows);
    const json = planRunAttributes(run, 40_000);
    expect(utf8Bytes(json)).toBeLessThanOrEqual(40_000);
    const parsed = JSON.parse(json) as PlanRunAttribute;
    expect(parsed.truncated).toBe(true);
    expect(parsed.omittedRows).toBe(1000 - parsed.rows.length);
    expect(parsed.rows.length).toBeGreaterThan(50);
    expect(parsed.rows.at(-1)).toEqual(rows[999]);
    expect(parsed.rows[0]).toEqual(rows[0]);
    expect(parsed.counts).toEqual(run.counts); // the counts still count every row
    // As many rows as fit: one more would not.
    const n = parsed.rows.length;
    expect(parsed.rows).toEqual([...rows.slice(0, n - 1), rows[999]]);
    const oneMore = { ...parsed, rows: [...rows.slice(0, n), rows[999]], omittedRows: 1000 - n - 1 };
    expect(utf8Bytes(JSON.stringify(oneMore))).toBeGreaterThan(40_000);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const run = result([failedRow('prod-a', 'us-west-2', 'é'.repeat(600))]);
    const chars = JSON.stringify(run).length;
    const parsed = JSON.parse(planRunAttributes(run, chars + 10)) as PlanRunAttribute;
    expect(parsed.truncated).toBe(true);
    expect(parsed.rows).toEqual([]);
  });

  it('drops the cluster list too when not even the row-less result fits', () => {
    const clusters = Array.from({ length: 2000 }, (_, i) => `cluster-with-a-long-name-${i}`);
    const run = result([copied('x', 'us-west-2')], { clusters });
    const parsed = JSON.parse(planRunAttributes(run, 10_000)) as PlanRunAttribute;
    expect(parsed).toMatchObject({ truncated: true, clusters: [], omittedClusters: 2000, omittedRows: 1 });
  });
});

describe('planRunReport', () => {
  it('subject, text and attribute together fit one SNS message', () => {
    const rows = Array.from({ length: 4000 }, (_, i) =>
      failedRow(`cluster-${i}`, i % 2 ? 'us-west-2' : 'eu-west-1', `Snapshot ${i} not found.`),
    );
    const report = planRunReport(result(rows));
    const total =
      utf8Bytes(report.subject) +
      utf8Bytes(report.text) +
      utf8Bytes(PLAN_RUN_ATTRIBUTE) +
      utf8Bytes(PLAN_RUN_ATTRIBUTE_TYPE) +
      utf8Bytes(report.attribute);
    expect(total).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(report.text).toContain('more rows not shown');
    expect((JSON.parse(report.attribute) as PlanRunAttribute).truncated).toBe(true);
  });

  it('a small run is sent whole', () => {
    const report = planRunReport(RUN);
    expect(report.text).toBe(renderPlanRunText(RUN));
    expect(JSON.parse(report.attribute)).toEqual(RUN);
  });
});
