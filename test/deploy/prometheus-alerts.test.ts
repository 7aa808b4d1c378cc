// deploy/prometheus/alerts.yml: promtool accepts the rules and their unit tests (alerts.test.yml) pass;
// every alert has cases where it fires and where it must not, and the tests catch a broken rule (a
// changed threshold, a dropped term or `for`). promtool is Debian's, installed on demand like Chromium.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensurePromtool, promtool, type PromtoolResult } from '../helpers/promtool';
import { ROOT } from '../helpers/paths';

const DIR = path.join(ROOT, 'deploy/prometheus');
const RULES = path.join(DIR, 'alerts.yml');
const TESTS = path.join(DIR, 'alerts.test.yml');
const ALERTS = [
  'SnapcopyCopyFailed',
  'SnapcopyPlanRunFailed',
  'SnapcopyRestoreTestFailed',
  'SnapcopySlotWaitTooLong',
  'SnapcopyWorkerNotPolling',
];

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
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] | null }[];
  }[];
}

let rulesText: string;
let rules: Rule[];
let tests: TestFile;
let tmp: string | undefined;

function explain(r: PromtoolResult): string {
  return `promtool exited ${r.code}\n${r.stdout}\n${r.stderr}`;
}

beforeAll(async () => {
  // On a fresh machine promtool is installed with apt first (minutes, not the default hook timeout).
  await ensurePromtool();
  rulesText = await readFile(RULES, 'utf8');
  rules = (parse(rulesText) as RuleFile).groups.flatMap((g) => g.rules);
  tests = parse(await readFile(TESTS, 'utf8')) as TestFile;
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
    const r = await promtool(['test', 'rules', TESTS]);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('are the documented alerts, each with a severity, a summary and a description that says what to do', () => {
    expect(rules.map((r) => r.alert)).toEqual(ALERTS);
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
  });

  it('are each tested where they fire and where they must not', () => {
    expect(tests.rule_files).toEqual(['alerts.yml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
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
    }
    // No case tests an alert that does not exist (promtool would just expect nothing to fire).
    for (const c of cases) expect(ALERTS, `${c.alertname} at ${c.eval_time}`).toContain(c.alertname);
  });

  // Each mutation breaks one rule in a way its tests must notice: promtool then fails on that alert.
  const MUTATIONS: { alert: string; what: string; change: (rule: Rule) => void }[] = [
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
  ];

  it.each(MUTATIONS)('fail their tests when $alert is broken: $what', async ({ alert, change }) => {
    tmp ??= await mkdtemp(path.join(os.tmpdir(), 'snapcopy-alerts-'));
    const dir = await mkdtemp(path.join(tmp, 'mutant-'));
    const mutant = parse(rulesText) as RuleFile;
    const rule = mutant.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
    if (!rule) throw new Error(`no rule ${alert} in alerts.yml`);
    change(rule);
    await writeFile(path.join(dir, 'alerts.yml'), stringify(mutant));
    await copyFile(TESTS, path.join(dir, 'alerts.test.yml'));

    // The mutant is still a valid rule file: it is the unit tests that must catch it.
    const check = await promtool(['check', 'rules', path.join(dir, 'alerts.yml')]);
    expect(check.code, explain(check)).toBe(0);
    const r = await promtool(['test', 'rules', path.join(dir, 'alerts.test.yml')]);
    expect(r.code, `the tests did not notice the broken ${alert}\n${explain(r)}`).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`alertname: ${alert}`);
  });
});
