// Recovery points and RPO rows (src/shared/rpo.ts) and the plan's rpo field: the boundaries.
import { describe, expect, it } from 'vitest';
import { checkPlan, type Plan } from '../../src/shared/plan';
import {
  cronLongestGapSeconds,
  defaultRpo,
  formatRpo,
  isIsoInstant,
  recoveryPointOf,
  rpoExitCode,
  rpoRow,
  rpoStatus,
  type RecoveryPointCopy,
} from '../../src/shared/rpo';
import { canonicalPlanFile, changedPlanKeys, planDigest } from '../../src/cli/commands/plan/canonical';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const H = 3600;

function copy(over: Partial<RecoveryPointCopy> = {}): RecoveryPointCopy {
  return {
    identifier: 'prod-a-20261202-030000',
    arn: 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-a-20261202-030000',
    status: 'available',
    sourceCluster: 'prod-a',
    recoveryPointTag: '2026-12-02T03:00:00.000Z',
    snapshotCreateTime: '2026-12-02T03:40:00.000Z',
    ...over,
  };
}

function row(copies: RecoveryPointCopy[], rpoSeconds = 26 * H) {
  return rpoRow({ plan: 'prod-dr', cluster: 'prod-a', region: 'us-west-2', rpoSeconds, copies, now: NOW });
}

/** A copy whose recovery point is `seconds` before NOW. */
const aged = (seconds: number) =>
  copy({ recoveryPointTag: new Date(NOW.getTime() - seconds * 1000).toISOString() });

describe('row status at the boundaries', () => {
  it('ok just under and at the RPO, breach one second over, missing without a copy', () => {
    expect(row([aged(26 * H - 1)]).status).toBe('ok');
    expect(row([aged(26 * H)])).toMatchObject({ status: 'ok', ageSeconds: 26 * H });
    expect(row([aged(26 * H + 1)])).toMatchObject({ status: 'breach', ageSeconds: 26 * H + 1 });
    const none = row([]);
    expect(none).toMatchObject({ status: 'missing', rpo: '26h', rpoSeconds: 26 * H });
    expect(none.copy).toBeUndefined();
    expect(none.ageSeconds).toBeUndefined();
    expect(rpoStatus(undefined, 60)).toBe('missing');
  });

  it('missing when the only copies are of another cluster, not available, or have no time at all', () => {
    expect(row([copy({ sourceCluster: 'prod-b' })]).status).toBe('missing');
    expect(row([copy({ status: 'copying' })]).status).toBe('missing');
    expect(row([copy({ recoveryPointTag: undefined, snapshotCreateTime: undefined })]).status).toBe(
      'missing',
    );
  });

  it('takes the newest available copy by recovery point, not by its own creation time', () => {
    const older = copy({
      identifier: 'old',
      recoveryPointTag: '2026-12-01T03:00:00.000Z',
      snapshotCreateTime: '2026-12-02T11:00:00.000Z', // copied late: its own time says nothing
    });
    const newer = copy({ identifier: 'new', recoveryPointTag: '2026-12-02T03:00:00.000Z' });
    const r = row([
      older,
      newer,
      copy({ identifier: 'copying', status: 'copying', recoveryPointTag: '2026-12-02T11:59:00.000Z' }),
    ]);
    expect(r).toMatchObject({ copy: 'new', recoveryPoint: '2026-12-02T03:00:00.000Z', ageSeconds: 9 * H });
  });

  it('a recovery point in the future (clock skew) is age 0 and ok', () => {
    expect(row([aged(-120)])).toMatchObject({ status: 'ok', ageSeconds: 0 });
  });
});

describe('recovery point', () => {
  it('is the tag when it is an ISO instant', () => {
    expect(recoveryPointOf(copy())).toEqual({ at: '2026-12-02T03:00:00.000Z', from: 'tag' });
  });

  it("falls back to the copy's SnapshotCreateTime without the tag, or with a malformed one", () => {
    const fallback = { at: '2026-12-02T03:40:00.000Z', from: 'snapshot-create-time' };
    expect(recoveryPointOf(copy({ recoveryPointTag: undefined }))).toEqual(fallback);
    expect(recoveryPointOf(copy({ recoveryPointTag: 'yesterday' }))).toEqual(fallback);
    expect(recoveryPointOf(copy({ recoveryPointTag: '2026-12-02 03:00' }))).toEqual(fallback);
    expect(row([copy({ recoveryPointTag: undefined })])).toMatchObject({
      recoveryPointFrom: 'snapshot-create-time',
      ageSeconds: 8 * H + 20 * 60,
    });
  });

  it('isIsoInstant takes UTC instants only', () => {
    expect(isIsoInstant('2026-12-02T03:00:00Z')).toBe(true);
    expect(isIsoInstant('2026-12-02T03:00:00.123Z')).toBe(true);
    expect(isIsoInstant('2026-12-02T03:00:00+01:00')).toBe(false);
    expect(isIsoInstant('2026-13-02T03:00:00Z')).toBe(false);
  });
});

describe('exit code', () => {
  it('1 when any row is breach or missing, 0 when all are ok or there are none', () => {
    expect(rpoExitCode([])).toBe(0);
    expect(rpoExitCode([{ status: 'ok' }, { status: 'ok' }])).toBe(0);
    expect(rpoExitCode([{ status: 'ok' }, { status: 'breach' }])).toBe(1);
    expect(rpoExitCode([{ status: 'missing' }])).toBe(1);
  });
});

describe('default RPO per schedule', () => {
  it('twice every', () => {
    expect(defaultRpo({ everySeconds: 6 * H })).toEqual({ seconds: 12 * H, reason: 'twice every 6h' });
    expect(defaultRpo({ everySeconds: 60 }).seconds).toBe(120);
  });

  it('26h for a cron that runs once every day', () => {
    expect(defaultRpo({ cron: '0 3 * * *' })).toEqual({ seconds: 26 * H, reason: 'daily cron' });
    expect(defaultRpo({ cron: '30 23 * * ?' }).seconds).toBe(26 * H);
  });

  it("twice the longest gap between a cron's runs otherwise", () => {
    expect(defaultRpo({ cron: '0 3,15 * * *' }).seconds).toBe(24 * H);
    expect(defaultRpo({ cron: '0 */6 * * *' }).seconds).toBe(12 * H);
    // Weekdays every 6h: Friday 18:00 to Monday 00:00 is the longest gap (54h).
    expect(cronLongestGapSeconds('0 */6 * * 1-5')).toBe(54 * H);
    expect(defaultRpo({ cron: '0 */6 * * MON-FRI' }).seconds).toBe(108 * H);
    expect(defaultRpo({ cron: '0 3 * * 0' })).toEqual({
      seconds: 14 * 24 * H,
      reason: "twice the cron's longest gap, 7d",
    });
    // The first of every month: the longest gap is 31 days.
    expect(cronLongestGapSeconds('0 3 1 * *')).toBe(31 * 24 * H);
    expect(cronLongestGapSeconds('0 3 * * 7')).toBe(7 * 24 * H);
  });

  it('26h, said so, for a cron it cannot read', () => {
    expect(defaultRpo({ cron: '0 3 L * *' })).toEqual({ seconds: 26 * H, reason: 'cron not read: 26h' });
    expect(defaultRpo({ cron: '0 3 30 2 *' }).reason).toBe('cron not read: 26h');
  });

  it('formats an RPO in days or hours when whole', () => {
    expect(formatRpo(26 * H)).toBe('26h');
    expect(formatRpo(14 * 24 * H)).toBe('14d');
    expect(formatRpo(90 * 60)).toBe('1h30m');
    expect(formatRpo(60)).toBe('1m');
  });
});

describe('plan rpo', () => {
  const base = {
    name: 'dr',
    schedule: { every: '6h' },
    source: { region: 'us-east-1', clusters: ['prod'] },
    destinations: [{ region: 'us-west-2' }],
  };
  const plan = (over: Record<string, unknown>): Plan => {
    const c = checkPlan({ ...base, ...over });
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    return c.plan;
  };
  const problems = (over: Record<string, unknown>) => {
    const c = checkPlan({ ...base, ...over });
    return c.ok ? [] : c.problems;
  };

  it('derives the default from the schedule, and takes a given one of at least 1m', () => {
    expect(plan({}).rpo).toEqual({ text: '12h', seconds: 12 * H, derived: 'twice every 6h' });
    expect(plan({ schedule: { cron: '0 3 * * *' } }).rpo).toMatchObject({
      seconds: 26 * H,
      derived: 'daily cron',
    });
    expect(plan({ rpo: '26h' }).rpo).toEqual({ text: '26h', seconds: 26 * H });
    expect(plan({ rpo: '1m' }).rpo.seconds).toBe(60);
    expect(plan({ rpo: '60' }).rpo.seconds).toBe(60);
  });

  it('refuses less than 1m, fractions of a second and what is not a duration', () => {
    const short = problems({ rpo: '59s' });
    expect(short.map((p) => p.path)).toEqual([['rpo']]);
    expect(short[0]?.message).toContain('"59s" is shorter than 1m');
    expect(problems({ rpo: '0' })[0]?.path).toEqual(['rpo']);
    expect(problems({ rpo: '90500ms' })[0]?.message).toMatch(/whole number of seconds/);
    expect(problems({ rpo: 'daily' })[0]?.message).toMatch(/not a duration/);
    expect(problems({ rpo: 26 })[0]?.message).toMatch(/must be a string/);
  });

  it('the canonical plan file carries a given rpo, and only a given one (a derived one follows the schedule)', () => {
    const derived = plan({});
    expect(canonicalPlanFile(derived).rpo).toBeUndefined();
    const given = plan({ rpo: '12h' });
    expect(canonicalPlanFile(given).rpo).toBe('12h');
    for (const p of [derived, given]) {
      const again = checkPlan(canonicalPlanFile(p));
      expect(again.ok && again.plan).toEqual(p);
    }
    expect(changedPlanKeys(derived, given)).toEqual(['rpo']);
    expect(planDigest(derived)).not.toBe(planDigest(given));
    expect(changedPlanKeys(plan({ rpo: '12h' }), plan({ rpo: '720m' }))).toEqual(['rpo']);
  });
});
