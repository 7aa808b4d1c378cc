// deploy/prometheus/alerts.yml: promtool accepts the rules and their unit tests (alerts.test.yml, and
// alerts.days.test.yml for alerts about days) pass; every alert has cases where it fires and where it must
// not, and the tests catch a broken rule (a changed threshold, a dropped term, rule or `for`). promtool is
// Debian's, installed on demand like Chromium.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensurePromtool, promtool, type PromtoolResult } from '../helpers/promtool';
import { ROOT } from '../helpers/paths';

const DIR = path.join(ROOT, 'deploy/prometheus');
const RULES = path.join(DIR, 'alerts.yml');
const TEST_FILES = ['alerts.test.yml', 'alerts.days.test.yml'];
const TESTS = TEST_FILES.map((f) => path.join(DIR, f));
const ALERTS = [
  'SnapcopyCopyFailed',
  'SnapcopyPlanRunFailed',
  'SnapcopyRestoreTestFailed',
  'SnapcopySlotWaitTooLong',
  'SnapcopyWorkerNotPolling',
  'SnapcopyRpoBreached',
  'SnapcopyRestoreTestOverdue',
];
/** Alerts made of several rules, one per `reason` label (each with its own description and `for`). */
const REASONS: Record<string, string[]> = {
  SnapcopyRpoBreached: ['too_old', 'missing', 'stale', 'absent'],
  SnapcopyRestoreTestOverdue: ['overdue', 'never_restorable'],
};

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface TestFile {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test?: {
      eval_time: string;
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string> }[] | null;
    }[];
  }[];
}

let rulesText: string;
let rules: Rule[];
let tests: TestFile[];
let tmp: string | undefined;

/** `text` with each `[from, to]` replaced, every `from` required to be there (or the mutant is no mutant). */
function replaced(text: string, changes: [string, string][]): string {
  for (const [from, to] of changes) {
    expect(text, `the rule has no ${from}`).toContain(from);
    text = text.replaceAll(from, to);
  }
  return text;
}

function explain(r: PromtoolResult): string {
  return `promtool exited ${r.code}\n${r.stdout}\n${r.stderr}`;
}

beforeAll(async () => {
  // On a fresh machine promtool is installed with apt first (minutes, not the default hook timeout).
  await ensurePromtool();
  rulesText = await readFile(RULES, 'utf8');
  rules = (parse(rulesText) as RuleFile).groups.flatMap((g) => g.rules);
  tests = await Promise.all(TESTS.map(async (f) => parse(await readFile(f, 'utf8')) as TestFile));
}, 660_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('Prometheus alert rules', () => {
  it('pass `promtool check rules`', async () => {
    const r = await promtool(['check', 'rules', RULES]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('pass their unit tests (`promtool test rules`)', async () => {
    const r = await promtool(['test', 'rules', ...TESTS]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
    expect(r.stdout + r.stderr).not.toContain('FAILED');
  });

  it('are the documented alerts, each with a severity, a summary and a description that says what to do', () => {
    expect([...new Set(rules.map((r) => r.alert))]).toEqual(ALERTS);
    for (const alert of ALERTS) {
      const reasons = rules.filter((r) => r.alert === alert).map((r) => r.labels?.reason);
      expect(reasons, alert).toEqual(REASONS[alert] ?? [undefined]);
    }
    for (const rule of rules) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      // Every description names a command or a metric to look at.
      expect(rule.annotations?.description, rule.alert).toMatch(/`(snapcopy |up\{)/);
    }
    // Not noisy: the state alerts wait before firing.
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('SnapcopySlotWaitTooLong')?.for).toBe('10m');
    expect(byName.get('SnapcopyWorkerNotPolling')?.for).toBe('5m');
    // A worker restart (no heartbeat until the audit runs again, within 15 minutes) is not an absent audit.
    expect(rules.find((r) => r.labels?.reason === 'absent')?.for).toBe('45m');
  });

  it('are each tested where they fire and where they must not', () => {
    for (const t of tests) expect(t.rule_files).toEqual(['alerts.yml']);
    const cases = tests.flatMap((t) => t.tests.flatMap((c) => c.alert_rule_test ?? []));
    for (const alert of ALERTS) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} has no case where it fires`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} has no case where it must not fire`,
      ).toBe(true);
      // Each of its rules fires somewhere.
      const fired = new Set(mine.flatMap((c) => (c.exp_alerts ?? []).map((a) => a.exp_labels?.reason)));
      for (const reason of REASONS[alert] ?? [])
        expect(fired, `${alert}{reason="${reason}"}`).toContain(reason);
    }
    // No case tests an alert that does not exist (promtool would just expect nothing to fire).
    for (const c of cases) expect(ALERTS, `${c.alertname} at ${c.eval_time}`).toContain(c.alertname);
  });

  // Each mutation breaks one rule in a way its tests must notice: promtool then fails on that alert.
  // `reason` picks one rule of an alert made of several; `change` returning 'remove' drops the rule.
  const MUTATIONS: {
    alert: string;
    reason?: string;
    what: string;
    change: (rule: Rule) => void | 'remove';
  }[] = [
    {
      alert: 'SnapcopyCopyFailed',
      what: 'increase() alone (misses the first failure of a type)',
      change: (r) => {
        r.expr =
          'sum by (namespace, failure_type, source_region, target_region) (increase(snapcopy_copies_failed[1h])) > 0';
      },
    },
    {
      alert: 'SnapcopyPlanRunFailed',
      what: 'increase() alone (misses the first failed run)',
      change: (r) => {
        r.expr = 'sum by (namespace, plan) (increase(snapcopy_plan_runs_failed[1h])) > 0';
      },
    },
    {
      alert: 'SnapcopyRestoreTestFailed',
      what: 'increase() alone (misses the first failed test in a Region)',
      change: (r) => {
        r.expr =
          'sum by (namespace, region) (increase(snapcopy_restore_tests_total{outcome="failed"}[1h])) > 0';
      },
    },
    {
      alert: 'SnapcopyRestoreTestFailed',
      what: 'every outcome counted (restorable tests fire)',
      change: (r) => {
        expect(r.expr).toContain('{outcome="failed"}');
        r.expr = r.expr.replaceAll('{outcome="failed"}', '');
      },
    },
    {
      alert: 'SnapcopyRestoreTestFailed',
      what: 'the name without its _total (what a second suffix would make it)',
      change: (r) => {
        r.expr = r.expr.replaceAll('snapcopy_restore_tests_total', 'snapcopy_restore_tests');
      },
    },
    {
      alert: 'SnapcopyRestoreTestFailed',
      what: 'summed over Regions (one alert that does not say where)',
      change: (r) => {
        expect(r.expr).toContain('sum by (namespace, region)');
        r.expr = r.expr.replace('sum by (namespace, region)', 'sum by (namespace)');
      },
    },
    {
      alert: 'SnapcopySlotWaitTooLong',
      what: 'a 7h threshold instead of 6h',
      change: (r) => {
        expect(r.expr).toContain('> 6 * 3600');
        r.expr = r.expr.replace('> 6 * 3600', '> 7 * 3600');
      },
    },
    {
      alert: 'SnapcopySlotWaitTooLong',
      what: 'no staleness guard (a leftover value fires forever)',
      change: (r) => {
        r.expr = 'max by (account_id, region) (snapcopy_slot_oldest_wait_seconds) > 6 * 3600';
      },
    },
    {
      alert: 'SnapcopyWorkerNotPolling',
      what: 'no `for` (a short pause of the pollers fires)',
      change: (r) => {
        delete r.for;
      },
    },
    {
      alert: 'SnapcopyWorkerNotPolling',
      what: 'a sum of pollers instead of absent() (a worker that is down is not seen)',
      change: (r) => {
        r.expr = 'sum(temporal_num_pollers{job="snapcopy-worker", poller_type="workflow_task"}) == 0';
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: "compared with the loosest plan's RPO instead of its own",
      change: (r) => {
        r.expr = replaced(r.expr, [
          ['on (plan) group_left', 'on () group_left'],
          ['min by (plan) (', 'max ('],
        ]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: "no `on (plan) group_left` (a row never matches its plan's RPO)",
      change: (r) => {
        r.expr = replaced(r.expr, [['> on (plan) group_left', '>']]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: "the RPO per worker, not per plan (two workers' series clash)",
      change: (r) => {
        r.expr = replaced(r.expr, [
          ['min by (plan) (last_over_time(snapcopy_rpo_seconds[1h]))', 'snapcopy_rpo_seconds'],
        ]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: "the oldest recovery point of the workers' (a leftover value fires)",
      change: (r) => {
        r.expr = replaced(r.expr, [
          ['max by (plan, cluster, region, account)', 'min by (plan, cluster, region, account)'],
        ]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: 'no last_over_time (a breach resolves while the worker restarts)',
      change: (r) => {
        r.expr = replaced(r.expr, [
          [
            'last_over_time(snapcopy_recovery_point_timestamp_seconds[1h])',
            'snapcopy_recovery_point_timestamp_seconds',
          ],
          ['last_over_time(snapcopy_rpo_seconds[1h])', 'snapcopy_rpo_seconds'],
        ]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'too_old',
      what: 'a missing copy (0) taken for a recovery point too (it fires twice)',
      change: (r) => {
        r.expr = replaced(r.expr, [['[1h]) > 0', '[1h])']]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'missing',
      what: 'the missing case forgotten (0 = no restorable copy does not fire)',
      change: () => 'remove',
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'stale',
      what: 'staleness forgotten (a stopped audit is silence)',
      change: () => 'remove',
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'stale',
      what: 'no last_over_time (a plan whose worker died is silence)',
      change: (r) => {
        r.expr = replaced(r.expr, [
          [
            'last_over_time(snapcopy_rpo_audit_timestamp_seconds[7d])',
            'snapcopy_rpo_audit_timestamp_seconds',
          ],
        ]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'stale',
      what: '4 audit runs instead of 3',
      change: (r) => {
        r.expr = replaced(r.expr, [['> 3 * 900', '> 4 * 900']]);
      },
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'absent',
      what: 'no absent() (no heartbeat at all is silence)',
      change: () => 'remove',
    },
    {
      alert: 'SnapcopyRpoBreached',
      reason: 'absent',
      what: 'no `for` (a worker restart fires)',
      change: (r) => {
        delete r.for;
      },
    },
    {
      alert: 'SnapcopyRestoreTestOverdue',
      reason: 'overdue',
      what: 'a 9-day threshold instead of 8',
      change: (r) => {
        r.expr = replaced(r.expr, [['> 8 * 86400', '> 9 * 86400']]);
      },
    },
    {
      alert: 'SnapcopyRestoreTestOverdue',
      reason: 'overdue',
      what: 'every outcome taken for a pass (a later failure hides the overdue test)',
      change: (r) => {
        r.expr = replaced(r.expr, [['{outcome="restorable"}', '']]);
      },
    },
    {
      alert: 'SnapcopyRestoreTestOverdue',
      reason: 'never_restorable',
      what: 'no `unless` (failures fire where a test passed)',
      change: (r) => {
        r.expr = r.expr.slice(0, r.expr.indexOf('unless'));
      },
    },
    {
      alert: 'SnapcopyRestoreTestOverdue',
      reason: 'never_restorable',
      what: 'cancelled tests taken for failures',
      change: (r) => {
        r.expr = replaced(r.expr, [['{outcome="failed"}', '{outcome!="restorable"}']]);
      },
    },
  ];

  it.each(MUTATIONS)('fail their tests when $alert is broken: $what', async ({ alert, reason, change }) => {
    tmp ??= await mkdtemp(path.join(os.tmpdir(), 'snapcopy-alerts-'));
    const dir = await mkdtemp(path.join(tmp, 'mutant-'));
    const mutant = parse(rulesText) as RuleFile;
    const group = mutant.groups.find((g) =>
      g.rules.some((r) => r.alert === alert && r.labels?.reason === reason),
    );
    const index = group?.rules.findIndex((r) => r.alert === alert && r.labels?.reason === reason) ?? -1;
    if (!group || index < 0) throw new Error(`no rule ${alert} (reason ${reason}) in alerts.yml`);
    if (change(group.rules[index]!) === 'remove') group.rules.splice(index, 1);
    await writeFile(path.join(dir, 'alerts.yml'), stringify(mutant));
    for (const f of TEST_FILES) await copyFile(path.join(DIR, f), path.join(dir, f));

    // The mutant is still a valid rule file: it is the unit tests that must catch it.
    const check = await promtool(['check', 'rules', path.join(dir, 'alerts.yml')]);
    expect(check.code, explain(check)).toBe(0);
    const r = await promtool(['test', 'rules', ...TEST_FILES.map((f) => path.join(dir, f))]);
    expect(r.code, `the tests did not notice the broken ${alert}\n${explain(r)}`).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`alertname: ${alert}`);
  });
});
