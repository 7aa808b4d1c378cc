// The RPO audit's turns and message: pure.
import { describe, expect, it } from 'vitest';
import { auditMessage, auditScheduleId, auditTurns, type AuditRow } from '../../src/shared/rpo-audit';

const row = (cluster: string, status: AuditRow['status'], over: Partial<AuditRow> = {}): AuditRow => ({
  plan: 'p',
  cluster,
  region: 'us-west-2',
  status,
  rpoSeconds: 3600,
  rpo: '1h',
  ...over,
});

describe('auditTurns', () => {
  it('without a previous audit, every breach or missing row is a turn; ok rows are not', () => {
    const t = auditTurns(undefined, [row('a', 'missing'), row('b', 'ok'), row('c', 'breach')]);
    expect(t.bad.map((r) => r.cluster)).toEqual(['a', 'c']);
    expect(t.recovered).toEqual([]);
  });

  it('breach → missing is no new turn; ok → breach is; breach → ok recovers; a new row counts as was-ok', () => {
    const t = auditTurns(
      [row('a', 'breach'), row('b', 'ok'), row('c', 'missing')],
      [row('a', 'missing'), row('b', 'breach'), row('c', 'ok'), row('d', 'missing')],
    );
    expect(t.bad.map((r) => r.cluster)).toEqual(['b', 'd']);
    expect(t.recovered.map((r) => r.cluster)).toEqual(['c']);
  });

  it('an unknown row keeps its last known state and never turns; one never seen stays as it is', () => {
    const t = auditTurns(
      [row('a', 'ok', { copy: 'a-1' })],
      [row('a', 'missing', { unknown: true }), row('b', 'missing', { unknown: true })],
    );
    expect(t.rows).toEqual([
      row('a', 'ok', { copy: 'a-1', unknown: true }),
      row('b', 'missing', { unknown: true }),
    ]);
    expect(t.bad).toEqual([]);
  });

  it('tells rows apart by cluster, Region and account', () => {
    const t = auditTurns(
      [row('a', 'ok', { accountId: '111111111111' })],
      [row('a', 'breach', { accountId: '222222222222' })],
    );
    expect(t.bad).toHaveLength(1);
  });
});

describe('auditMessage', () => {
  it('a Subject within SNS limits and the rows that turned, by kind', () => {
    const bad = row('a', 'breach', {
      copy: 'a-1',
      recoveryPoint: '2026-12-01T00:00:00.000Z',
      ageSeconds: 7200,
    });
    const ok = row('b', 'ok');
    const m = auditMessage({
      plan: 'p',
      at: '2026-12-06T00:00:00.000Z',
      rows: [bad, ok],
      turned: { bad: [bad], recovered: [ok] },
    });
    expect(m.subject).toBe('snapcopy RPO p: 1 breach or missing, 1 recovered');
    expect(m.text).toContain(
      'Turned breach or missing:\n- a -> us-west-2: breach, newest copy a-1 has data from 2026-12-01T00:00:00.000Z (2h old, RPO 1h)',
    );
    expect(m.text).toContain('Recovered:\n- b -> us-west-2: ok');
    expect(
      auditMessage({ plan: 'x'.repeat(200), at: '', rows: [], turned: { bad: [bad], recovered: [] } }).subject
        .length,
    ).toBeLessThanOrEqual(99);
  });

  it('names the audit schedule snapcopy-rpo-<plan>', () => {
    expect(auditScheduleId('prod-dr')).toBe('snapcopy-rpo-prod-dr');
  });
});
