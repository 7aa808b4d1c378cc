// deploy/grafana/snapcopy.json: a provisioning-ready dashboard whose every query parses as PromQL (promtool
// checks each panel target as a recording rule, template variables replaced by sample values) and uses only
// metric names the worker serves: snapcopy's own (src/shared/metric-names.ts, as the SDK's exporter names
// them: no `_total` added, histograms as _bucket/_sum/_count) and the Temporal metrics that
// test/worker/tuning-metrics.test.ts proves are served (test/helpers/temporal-metrics.ts). A typo'd metric or
// a broken expression fails (checked on mutated dashboards below).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { METRICS } from '../../src/shared/metric-names';
import { runtimeOptions } from '../../src/worker/telemetry';
import { workerConfig } from '../../src/worker/config';
import { ensurePromtool, promtool } from '../helpers/promtool';
import { ROOT } from '../helpers/paths';
import { temporalSeriesNames } from '../helpers/temporal-metrics';

const DASHBOARD = path.join(ROOT, 'deploy/grafana/snapcopy.json');

interface Target {
  refId: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

/** snapcopy's histograms: the ones the worker gives bucket boundaries (the rest are counters and gauges). */
function snapcopyHistograms(): string[] {
  const options = runtimeOptions(workerConfig({}), {
    log() {},
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error() {},
  });
  const metrics = options.telemetryOptions?.metrics;
  const prometheus = metrics && 'prometheus' in metrics ? metrics.prometheus : undefined;
  return Object.keys(prometheus?.histogramBucketOverrides ?? {});
}

/** Every series name the worker's endpoint serves that a dashboard may use. */
function exportedSeriesNames(): Set<string> {
  const histograms = new Set(snapcopyHistograms());
  const names = Object.values(METRICS).flatMap((name) =>
    histograms.has(name) ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  );
  return new Set([...names, ...temporalSeriesNames()]);
}

/** Sample values for the dashboard's variables and Grafana's built-in ones, so an expression parses. */
const SAMPLES: Record<string, string> = {
  plan: 'prod-dr',
  region: 'us-west-2',
  job: 'snapcopy-worker',
  __rate_interval: '5m',
  __interval: '1m',
  __range: '1h',
};

/** `expr` with `$name`, `${name}` and `${name:format}` replaced; unknown variables throw. */
function substitute(expr: string, samples: Record<string, string> = SAMPLES): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = samples[name];
    if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
    return value;
  });
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions or aggregations (followed
 * by `(`), keywords, label names (inside `{…}` and grouping lists) or numbers and durations. A selector by
 * `__name__` is refused rather than guessed at.
 */
function metricNames(expr: string): string[] {
  if (/__name__/.test(expr)) throw new Error(`selects by __name__: ${expr}`);
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ') // label lists
    .replace(/\boffset\s+-?\w+/gi, ' ')
    .replace(/(?<![\w:])\d[\w.+-]*/g, ' '); // numbers (1e9, 0.95, 0x1f) and durations
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const rest = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return [...new Set(names)];
}

/** Every panel, rows' nested panels included. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

interface Query {
  where: string;
  expr: string;
}

function queries(dashboard: Dashboard): Query[] {
  return allPanels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      where: `panel ${p.id} "${p.title}" target ${t.refId}`,
      expr: t.expr ?? '',
    })),
  );
}

/** The metric a `label_values(metric, label)` variable query reads. */
function variableMetric(v: Variable): string | undefined {
  const q = typeof v.query === 'string' ? v.query : v.query?.query;
  return q ? /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*\w+\s*\)$/.exec(q)?.[1] : undefined;
}

/** What is wrong with a dashboard's queries: unknown metrics, unparsable PromQL (by promtool). */
async function problems(dashboard: Dashboard, dir: string): Promise<string[]> {
  const known = exportedSeriesNames();
  const out: string[] = [];
  const rules: { record: string; expr: string }[] = [];
  for (const { where, expr } of queries(dashboard)) {
    if (!expr.trim()) {
      out.push(`${where}: no expression`);
      continue;
    }
    let parsed: string;
    try {
      parsed = substitute(expr);
      for (const name of metricNames(parsed)) {
        if (!known.has(name)) out.push(`${where}: ${name} is not a metric the worker serves`);
      }
    } catch (err) {
      out.push(`${where}: ${(err as Error).message}`);
      continue;
    }
    rules.push({ record: `dashboard:query_${rules.length}`, expr: parsed });
  }
  for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const metric = variableMetric(v);
    if (!metric) out.push(`variable ${v.name}: not a label_values(metric, label) query`);
    else if (!known.has(metric)) out.push(`variable ${v.name}: ${metric} is not a metric the worker serves`);
  }
  const file = path.join(dir, `dashboard-${Date.now()}-${Math.random().toString(36).slice(2)}.rules.yml`);
  await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
  const r = await promtool(['check', 'rules', file]);
  if (r.code !== 0 || !r.stdout.includes(`SUCCESS: ${rules.length} rules found`)) {
    out.push(`promtool check rules failed:\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

let text: string;
let dashboard: Dashboard;
let tmp: string;

beforeAll(async () => {
  await ensurePromtool();
  text = await readFile(DASHBOARD, 'utf8');
  dashboard = JSON.parse(text) as Dashboard;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'snapcopy-dashboard-'));
}, 660_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function mutated(change: (d: Dashboard) => void): Dashboard {
  const d = JSON.parse(text) as Dashboard;
  change(d);
  return d;
}

function firstTarget(d: Dashboard, metric: string): Target {
  const t = allPanels(d.panels)
    .flatMap((p) => p.targets ?? [])
    .find((t) => t.expr?.includes(metric));
  if (!t) throw new Error(`no target uses ${metric}`);
  return t;
}

describe('metricNames', () => {
  it('finds the selected metrics, not functions, keywords, labels, numbers or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, region) (rate(snapcopy_restore_duration_seconds_bucket{region=~"a|b"}[5m]))) ' +
          '> bool on (plan) group_left (cluster) min by (plan) (snapcopy_rpo_seconds offset 1h) * 1e3 ' +
          'unless label_replace(up, "x", "$1", "instance", "(.*)")',
      ),
    ).toEqual(['snapcopy_restore_duration_seconds_bucket', 'snapcopy_rpo_seconds', 'up']);
    expect(metricNames('time() - max(snapcopy_rpo_audit_timestamp_seconds) > 3 * 900')).toEqual([
      'snapcopy_rpo_audit_timestamp_seconds',
    ]);
    expect(() => metricNames('{__name__="snapcopy_rpo_seconds"}')).toThrow(/__name__/);
  });
});

describe('the series names a dashboard may use', () => {
  it("are snapcopy's (histograms by their series) and the proven Temporal ones", () => {
    const known = exportedSeriesNames();
    expect(known).toContain('snapcopy_copies_failed');
    expect(known).not.toContain('snapcopy_copies_failed_total');
    expect(known).toContain('snapcopy_restore_tests_total');
    expect(known).toContain('snapcopy_recovery_point_timestamp_seconds');
    expect(known).toContain('snapcopy_copy_duration_seconds_bucket');
    expect(known).toContain('snapcopy_restore_duration_seconds_count');
    expect(known).not.toContain('snapcopy_copy_duration_seconds');
    expect(known).toContain('temporal_worker_task_slots_used');
    expect(known).toContain('temporal_workflow_task_execution_latency_bucket');
  });
});

describe('the Grafana dashboard', () => {
  it('is provisioning-ready: uid, Prometheus as the ${datasource} variable everywhere, plan and region from label_values', () => {
    expect(dashboard.uid).toBe('snapcopy');
    expect(dashboard).not.toHaveProperty('__inputs');
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['plan', 'region']) {
      expect(vars.get(name)?.type, name).toBe('query');
      expect(variableMetric(vars.get(name)!), name).toBeDefined();
      expect(vars.get(name)?.datasource?.uid, name).toBe('${datasource}');
    }
    const panels = allPanels(dashboard.panels);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((p) => p.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.gridPos, p.title).toBeDefined();
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? [])
        expect(t.datasource?.uid, `${p.title} ${t.refId}`).toBe('${datasource}');
    }
  });

  it('has the panels operations needs', () => {
    const exprs = queries(dashboard).map((q) => q.expr);
    for (const metric of [
      'snapcopy_recovery_point_timestamp_seconds',
      'snapcopy_rpo_seconds',
      'snapcopy_rpo_audit_timestamp_seconds',
      'snapcopy_last_restore_test_timestamp_seconds',
      'snapcopy_slot_oldest_wait_seconds',
      'snapcopy_copies_failed',
      'snapcopy_restore_tests_total',
      'snapcopy_restore_duration_seconds_bucket',
      'snapcopy_plan_runs_completed',
      'snapcopy_plan_runs_failed',
      'temporal_worker_task_slots_used',
      'temporal_sticky_cache_size',
    ]) {
      expect(
        exprs.some((e) => e.includes(metric)),
        metric,
      ).toBe(true);
    }
    expect(exprs.filter((e) => e.includes('histogram_quantile(0.95'))).not.toHaveLength(0);
  });

  it("shows each fleet row's status: ok (0), breach (1), missing (2), against its own plan's RPO", async () => {
    const fleet = allPanels(dashboard.panels).find((p) => p.title.startsWith('Fleet RPO'));
    const status = fleet?.targets?.find((t) => t.refId === 'D')?.expr;
    if (!status) throw new Error('no status query in the fleet RPO table');
    const all = { ...SAMPLES, plan: '.*', region: '.*' };
    const worker = 'job="snapcopy-worker", instance="worker-1:9464", workflowType="auditPlan"';
    const row = (plan: string, cluster: string) =>
      `{${worker}, plan="${plan}", cluster="${cluster}", region="us-west-2", account="111111111111"}`;
    const labels = (plan: string, cluster: string) =>
      `{plan="${plan}", cluster="${cluster}", region="us-west-2", account="111111111111"}`;
    const file = path.join(tmp, 'fleet-status.test.yml');
    await writeFile(
      file,
      stringify({
        rule_files: [],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: `snapcopy_rpo_seconds{${worker}, plan="prod"}`, values: '3600x120' },
              { series: `snapcopy_rpo_seconds{${worker}, plan="qa"}`, values: '86400x120' },
              // At minute 100 (6000 s): 5400 s old under prod's hour, 5400 s under qa's day, missing.
              {
                series: `snapcopy_recovery_point_timestamp_seconds${row('prod', 'orders')}`,
                values: '600x120',
              },
              {
                series: `snapcopy_recovery_point_timestamp_seconds${row('qa', 'orders')}`,
                values: '600x120',
              },
              { series: `snapcopy_recovery_point_timestamp_seconds${row('prod', 'users')}`, values: '0x120' },
            ],
            promql_expr_test: [
              {
                expr: substitute(status, all),
                eval_time: '100m',
                exp_samples: [
                  { labels: labels('prod', 'orders'), value: 1 },
                  { labels: labels('qa', 'orders'), value: 0 },
                  { labels: labels('prod', 'users'), value: 2 },
                ],
              },
            ],
          },
        ],
      }),
    );
    const r = await promtool(['test', 'rules', file]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it('queries only metrics the worker serves, in PromQL that parses', async () => {
    expect(await problems(dashboard, tmp)).toEqual([]);
  });

  it('is rejected with a typo in a metric name', async () => {
    const d = mutated((d) => {
      const t = firstTarget(d, 'snapcopy_copies_failed');
      t.expr = t.expr!.replace('snapcopy_copies_failed', 'snapcopy_copy_failed');
    });
    expect(await problems(d, tmp)).toEqual([
      expect.stringContaining('snapcopy_copy_failed is not a metric the worker serves'),
    ]);
  });

  it('is rejected with a counter given a _total the exporter does not add, or a bare histogram name', async () => {
    const d = mutated((d) => {
      const t = firstTarget(d, 'snapcopy_copies_started');
      t.expr = t.expr!.replace('snapcopy_copies_started', 'snapcopy_copies_started_total');
      const h = firstTarget(d, 'snapcopy_copy_duration_seconds_bucket');
      h.expr = h.expr!.replace('snapcopy_copy_duration_seconds_bucket', 'snapcopy_copy_duration_seconds');
    });
    const found = await problems(d, tmp);
    expect(found).toHaveLength(2);
    expect(found.join('\n')).toContain('snapcopy_copies_started_total is not');
    expect(found.join('\n')).toContain('snapcopy_copy_duration_seconds is not');
  });

  it('is rejected with a Temporal metric no test proves is served, or in a variable query', async () => {
    const d = mutated((d) => {
      const t = firstTarget(d, 'temporal_sticky_cache_size');
      t.expr = t.expr!.replace('temporal_sticky_cache_size', 'temporal_sticky_cache_total_forced_eviction');
      const v = d.templating.list.find((v) => v.name === 'plan')!;
      v.query = { query: 'label_values(snapcopy_rpo, plan)' };
    });
    const found = (await problems(d, tmp)).join('\n');
    expect(found).toContain('temporal_sticky_cache_total_forced_eviction is not');
    expect(found).toContain('variable plan: snapcopy_rpo is not');
  });

  it('is rejected with PromQL that does not parse, or an unknown variable', async () => {
    const broken = mutated((d) => {
      const t = firstTarget(d, 'snapcopy_restore_tests_total');
      t.expr = t.expr!.replace('sum by (region, outcome) (', 'sum by (region, outcome) ((');
    });
    expect((await problems(broken, tmp)).join('\n')).toContain('promtool check rules failed');
    const unknown = mutated((d) => {
      const t = firstTarget(d, 'snapcopy_restore_tests_total');
      t.expr = t.expr!.replace('$region', '$destination');
    });
    expect((await problems(unknown, tmp)).join('\n')).toContain('unknown variable $destination');
  });
});
