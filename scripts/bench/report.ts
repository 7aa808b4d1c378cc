// Figures of one side of a scenario, from what it saw, what the emulator recorded (copy timelines, AWS
// calls) and Temporal's histories; and the report: a table per scenario, snapcopy beside the peer.
import type { EmulatorCopies, EmulatorStats } from '../lib/emulator-api';
import { totalCalls } from '../lib/emulator-api';
import {
  lagSummary,
  peakInFlight,
  ratePerMinute,
  physicalLimitSeconds,
  ratio,
  utilisationFromSamples,
  utilisationFromTimeline,
  type LagSummary,
} from './metrics';
import type { Samples } from './sampler';
import type { Aims, Scenario } from './scenarios';
import { totalCopies } from './scenarios';
import type { HistoryCount, PlannedCopy, SideRun } from './sides';
import { fmt, pct, renderTable, times } from './table';

const MIB = 1024 * 1024;

export interface SideResult {
  side: 'snapcopy' | 'peer';
  copies: number;
  /** Copies accepted by CopyDBClusterSnapshot within the measurement. */
  started: number;
  /** Copies noticed done (workflow closed / waiter returned) within the measurement. */
  done: number;
  errors: string[];
  timedOut: boolean;
  measuredSeconds: number;
  /** First start → last copy noticed done; only when every copy was. */
  makespanSeconds?: number;
  physicalLimitSeconds: number;
  makespanRatio?: number;
  utilisation: { sampled?: number; timeline?: number; peakInFlight: number; samples: number };
  detectionLagSeconds: LagSummary;
  awsCalls: {
    total: number;
    perCopy: number;
    perMinute: number;
    /** The rate once the first minute is over (the starts' own calls are behind). */
    perMinuteAfterFirst?: number;
    /** `service:Action` → calls */
    byAction: Record<string, number>;
    /** `service:Action:Code` → failed calls */
    errors: Record<string, number>;
  };
  history?: HistoryCount & { events: number; perCopy: number };
  workerRss?: { peakMiB?: number; hwmMiB?: number; hwmReset: boolean };
  priorities?: PriorityCheck;
  /** The machine's 1-minute load average when the side ended (the bench shares its cores). */
  loadAverage?: number;
  /** Each copy, in seconds from the first start: created and available at the emulator, noticed done. */
  timeline: CopyTimes[];
}

export interface CopyTimes {
  target: string;
  priority?: number;
  created?: number;
  available?: number;
  done?: number;
}

export interface PriorityCheck {
  /** Priorities in the order the copies were created at the emulator (`-` for never created). */
  order: number[];
  /** Low-priority copies not yet created when the high-priority ones were submitted. */
  queuedAtSubmit: number;
  /** Every high-priority copy was created before every one of those. */
  passed: boolean;
}

export interface SideInputs {
  side: 'snapcopy' | 'peer';
  scenario: Scenario;
  copies: PlannedCopy[];
  run: SideRun;
  timeline: EmulatorCopies;
  stats: EmulatorStats;
  samples: Samples;
}

export function sideResult({
  side,
  scenario,
  copies,
  run,
  timeline,
  stats,
  samples,
}: SideInputs): SideResult {
  const n = totalCopies(scenario);
  const region = scenario.targetRegion;
  const byTarget = new Map(timeline.copies.filter((c) => c.region === region).map((c) => [c.id, c]));
  const measuredSeconds = (run.end - run.t0) / 1000;
  const doneTimes = Object.values(run.doneAt);
  const allDone = doneTimes.length === n;
  // To completion, the window ends with the last copy noticed done; otherwise where the side stopped.
  const windowEnd = allDone ? Math.max(...doneTimes) : run.end;
  const makespanSeconds = allDone ? (windowEnd - run.t0) / 1000 : undefined;
  const limitSeconds = physicalLimitSeconds(n, scenario.copyLimit, scenario.copySeconds);
  const lags = copies.flatMap((c) => {
    const available = byTarget.get(c.target)?.availableAt;
    const done = run.doneAt[c.target];
    return available !== undefined && done !== undefined ? [done - available] : [];
  });
  const byAction: Record<string, number> = {};
  for (const [service, actions] of Object.entries(stats.calls)) {
    for (const [action, calls] of Object.entries(actions)) byAction[`${service}:${action}`] = calls;
  }
  const errors: Record<string, number> = {};
  for (const [service, actions] of Object.entries(stats.errors)) {
    for (const [action, codes] of Object.entries(actions)) {
      for (const [code, calls] of Object.entries(codes)) errors[`${service}:${action}:${code}`] = calls;
    }
  }
  const total = totalCalls(stats);
  const minutes = (Math.max(run.end, timeline.now) - stats.since) / 60_000;
  return {
    side,
    copies: n,
    started: copies.filter((c) => (byTarget.get(c.target)?.createdAt ?? Infinity) <= run.end).length,
    done: doneTimes.length,
    errors: Object.entries(run.errors).map(([target, message]) => `${target}: ${message}`),
    timedOut: run.timedOut,
    measuredSeconds,
    makespanSeconds,
    physicalLimitSeconds: limitSeconds,
    makespanRatio: ratio(makespanSeconds, limitSeconds),
    utilisation: {
      sampled: utilisationFromSamples(samples.inFlight, scenario.copyLimit, run.t0, windowEnd),
      timeline: utilisationFromTimeline(timeline.copies, region, scenario.copyLimit, run.t0, windowEnd),
      peakInFlight: peakInFlight(timeline.copies, region),
      samples: samples.inFlight.length,
    },
    detectionLagSeconds: lagSummary(lags),
    awsCalls: {
      total,
      perCopy: total / n,
      perMinute: minutes > 0 ? total / minutes : 0,
      perMinuteAfterFirst: ratePerMinute(samples.calls, run.t0 + 60_000, timeline.now, total),
      byAction,
      errors,
    },
    ...(run.history
      ? {
          history: {
            ...run.history,
            events: run.history.copyEvents + run.history.schedulerEvents,
            perCopy: (run.history.copyEvents + run.history.schedulerEvents) / n,
          },
        }
      : {}),
    ...(side === 'snapcopy'
      ? {
          workerRss: {
            ...(samples.peakRss !== undefined ? { peakMiB: samples.peakRss / MIB } : {}),
            ...(samples.hwm !== undefined ? { hwmMiB: samples.hwm / MIB } : {}),
            hwmReset: samples.hwmReset,
          },
        }
      : {}),
    ...(scenario.batches.length > 1 ? { priorities: priorityCheck(copies, run, byTarget) } : {}),
    timeline: copies.map((c) => {
      const at = (ms: number) => Math.round(ms - run.t0) / 1000;
      const emulated = byTarget.get(c.target);
      const times: CopyTimes = {
        target: c.target,
        ...(c.priority !== undefined ? { priority: c.priority } : {}),
      };
      if (emulated) times.created = at(emulated.createdAt);
      if (emulated?.availableAt !== undefined) times.available = at(emulated.availableAt);
      const done = run.doneAt[c.target];
      if (done !== undefined) times.done = at(done);
      return times;
    }),
  };
}

/** Did the last batch (high priority) start before every copy of the earlier ones still queued when it was submitted? */
export function priorityCheck(
  copies: readonly PlannedCopy[],
  run: Pick<SideRun, 'batchStartedAt'>,
  byTarget: ReadonlyMap<string, { createdAt: number }>,
): PriorityCheck {
  const last = run.batchStartedAt.length - 1;
  const submittedAt = run.batchStartedAt[last] ?? Infinity;
  const created = (c: PlannedCopy) => byTarget.get(c.target)?.createdAt ?? Infinity;
  const high = copies.filter((c) => c.batch === last);
  const queued = copies.filter((c) => c.batch < last && created(c) > submittedAt);
  const order = [...copies]
    .sort((a, b) => created(a) - created(b) || a.index - b.index)
    .map((c) => (Number.isFinite(created(c)) ? (c.priority ?? 0) : -1));
  const latestHigh = Math.max(...high.map(created));
  const earliestQueued = Math.min(...queued.map(created));
  return {
    order,
    queuedAtSubmit: queued.length,
    passed: Number.isFinite(latestHigh) && latestHigh < earliestQueued,
  };
}

export interface ScenarioResult {
  scenario: Scenario;
  snapcopy?: SideResult;
  peer?: SideResult;
}

type Row = [string, string, string, string, string];

function aimMark(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? ' ✓' : ' ✗';
}

/** The scenario's table: a metric per row, snapcopy and the peer side by side, their ratio, and the aim. */
export function renderScenario(result: ScenarioResult): string {
  const title = `${result.scenario.name}: ${describeScenario(result.scenario)}`;
  return `${title}\n${renderTable(HEADER, scenarioRows(result))}`;
}

const HEADER = ['metric', 'snapcopy', 'peer', 'snapcopy/peer', 'aim (snapcopy)'];

/**
 * The scenario as a Markdown table for the README: the rows of the text table, without the breakdown of
 * AWS calls by action beyond CopyDBClusterSnapshot.
 */
export function markdownScenario(result: ScenarioResult): string {
  let action = ''; // the AWS action the indented rows below belong to
  const rows = scenarioRows(result).filter(([metric]) => {
    if (/^ {2}[a-z]+:[A-Za-z]+$/.test(metric)) action = metric.trim();
    const breakdown = action !== '' && (metric === `  ${action}` || metric.startsWith('    '));
    return !breakdown || action.endsWith(':CopyDBClusterSnapshot');
  });
  const cell = (c: string, col: number) =>
    col === 0 && c.startsWith('  ') ? `↳ ${c.trim()}` : c.trim() || ' ';
  const line = (row: readonly string[]) => `| ${row.map(cell).join(' | ')} |`;
  return [
    `**${result.scenario.name}**: ${describeScenario(result.scenario)}`,
    '',
    line(HEADER),
    `| --- | ${HEADER.slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** A metric per row: snapcopy, the peer, their ratio, the aim (met ✓ or not ✗). */
export function scenarioRows({ scenario, snapcopy: s, peer: p }: ScenarioResult): Row[] {
  const a: Aims = scenario.aims;
  const rows: Row[] = [];
  const row = (
    metric: string,
    get: (r: SideResult) => number | undefined,
    show: (v: number | undefined) => string,
    { compare = true, aim }: { compare?: boolean; aim?: { text: string; ok: (v: number) => boolean } } = {},
  ) => {
    const sv = s ? get(s) : undefined;
    const pv = p ? get(p) : undefined;
    const aimText = aim ? `${aim.text}${sv !== undefined ? aimMark(aim.ok(sv)) : ''}` : '';
    rows.push([metric, show(sv), show(pv), compare ? times(ratio(sv, pv)) : '', aimText]);
  };
  const count = (v: number | undefined) => fmt(v, 0);
  const windowed = scenario.windowSeconds !== undefined;
  row('copies started', (r) => r.started, count, { compare: false });
  row('copies done', (r) => r.done, count, { compare: false });
  if (windowed) {
    row('measured (s)', (r) => r.measuredSeconds, count, { compare: false });
  } else {
    row(
      'makespan (s)',
      (r) => r.makespanSeconds,
      (v) => fmt(v, 1),
    );
    row('physical limit (s)', (r) => r.physicalLimitSeconds, count, { compare: false });
    row('makespan ÷ limit', (r) => r.makespanRatio, times, {
      ...(a.makespanRatio !== undefined
        ? { aim: { text: `≤ ${a.makespanRatio.toFixed(2)}×`, ok: (v) => v <= a.makespanRatio! } }
        : {}),
    });
  }
  row('slot utilisation (sampled)', (r) => r.utilisation.sampled, pct, {
    ...(a.utilisation !== undefined
      ? { aim: { text: `≥ ${pct(a.utilisation)}`, ok: (v) => v >= a.utilisation! } }
      : {}),
  });
  row('slot utilisation (timeline)', (r) => r.utilisation.timeline, pct);
  row('peak copies in flight', (r) => r.utilisation.peakInFlight, count, { compare: false });
  if (!windowed) {
    row(
      'detection lag p50 (s)',
      (r) => r.detectionLagSeconds.p50,
      (v) => fmt(v, 1),
    );
    row(
      'detection lag p95 (s)',
      (r) => r.detectionLagSeconds.p95,
      (v) => fmt(v, 1),
      {
        ...(a.detectionLagP95 !== undefined
          ? { aim: { text: `≤ ${a.detectionLagP95}`, ok: (v) => v <= a.detectionLagP95! } }
          : {}),
      },
    );
  }
  row('AWS calls', (r) => r.awsCalls.total, count);
  row(
    'AWS calls per copy',
    (r) => r.awsCalls.perCopy,
    (v) => fmt(v, 1),
  );
  row(
    'AWS calls per minute',
    (r) => r.awsCalls.perMinute,
    (v) => fmt(v, 1),
    {
      ...(a.awsCallsPerMinute !== undefined
        ? { aim: { text: `≤ ${a.awsCallsPerMinute}`, ok: (v) => v <= a.awsCallsPerMinute! } }
        : {}),
    },
  );
  row(
    '  after the first minute',
    (r) => r.awsCalls.perMinuteAfterFirst,
    (v) => fmt(v, 1),
  );
  const keys = (pick: (r: SideResult) => Record<string, number>) =>
    [...new Set([s, p].flatMap((r) => (r ? Object.keys(pick(r)) : [])))].sort();
  const failures = keys((r) => r.awsCalls.errors);
  for (const action of keys((r) => r.awsCalls.byAction)) {
    row(`  ${action}`, (r) => r.awsCalls.byAction[action] ?? 0, count);
    for (const failure of failures.filter((f) => f.startsWith(`${action}:`))) {
      row(`    refused: ${failure.slice(action.length + 1)}`, (r) => r.awsCalls.errors[failure] ?? 0, count);
    }
  }
  row(
    'history events per copy',
    (r) => r.history?.perCopy,
    (v) => fmt(v, 1),
    {
      ...(a.historyEventsPerCopy !== undefined
        ? { aim: { text: `≤ ${a.historyEventsPerCopy}`, ok: (v) => v <= a.historyEventsPerCopy! } }
        : {}),
    },
  );
  row(
    '  of which copySlots',
    (r) => (r.history ? r.history.schedulerEvents / r.copies : undefined),
    (v) => fmt(v, 1),
  );
  row('worker RSS peak (MiB)', (r) => r.workerRss?.hwmMiB ?? r.workerRss?.peakMiB, count, {
    ...(a.workerRssMiB !== undefined
      ? { aim: { text: `≤ ${a.workerRssMiB}`, ok: (v) => v <= a.workerRssMiB! } }
      : {}),
  });
  if (s?.priorities || p?.priorities) {
    const order = (r: SideResult | undefined) =>
      r?.priorities?.order.map((x) => (x < 0 ? '-' : String(x))).join('') ?? '–';
    const passed = (r: SideResult | undefined) =>
      r?.priorities ? `${r.priorities.passed ? 'yes' : 'no'} (${r.priorities.queuedAtSubmit} queued)` : '–';
    rows.push(['start order (priorities)', order(s), order(p), '', '']);
    rows.push([
      'high priority first',
      passed(s),
      passed(p),
      '',
      a.priorityOrder ? `yes${aimMark(s?.priorities?.passed)}` : '',
    ]);
  }
  return rows;
}

/**
 * e.g. `20 copies × 20 s, limit 5, to us-west-2` (`, sources by name` when by name), from the parameters
 * actually run.
 */
export function describeScenario(scenario: Scenario): string {
  const batches = scenario.batches
    .map((b) => `${b.count}${b.priority !== undefined ? ` priority-${b.priority}` : ''} copies`)
    .join(' then ');
  const window = scenario.windowSeconds !== undefined ? `, measured over ${scenario.windowSeconds} s` : '';
  // By ARN is the bench's usual form and goes unsaid, so that earlier titles read as before.
  const form = scenario.sourceForm === 'name' ? ', sources by name' : '';
  return `${batches} × ${scenario.copySeconds} s, limit ${scenario.copyLimit}${window}, to ${scenario.targetRegion}${form}`;
}
