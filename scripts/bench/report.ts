// Figures of one side of a scenario, from what it saw, what the emulator recorded (copy timelines, AWS
// calls) and Temporal's histories; and the report: a table per scenario, snapcopy beside the peer.
import type { EmulatorCopies, EmulatorStats } from '../lib/emulator-api';
import { totalCalls } from '../lib/emulator-api';
import {
  allSlotsBusyAt,
  copyKey,
  duplicatedTargets,
  lagSummary,
  lostTargets,
  peakInFlight,
  physicalLimitOfDestinations,
  ratePerMinute,
  ratio,
  throttledCalls,
  utilisationFromSamples,
  utilisationFromTimeline,
  type LagSummary,
  type LatencySummary,
} from './metrics';
import type { TemporalFloor } from './floor';
import type { Samples } from './sampler';
import type { Aims, Scenario } from './scenarios';
import { copiesPerDestination, destinationKey, destinationsOf, totalCopies } from './scenarios';
import { plannedKey, type HistoryCount, type PlannedCopy, type SideRun } from './sides';
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
  /** The slowest destination's ceil(copies there / limit) × copySeconds. */
  physicalLimitSeconds: number;
  makespanRatio?: number;
  utilisation: { sampled?: number; timeline?: number; peakInFlight: number; samples: number };
  /**
   * Slots that can be busy at once (each destination's min(limit, copies there), summed), and the seconds
   * from the first start until all of them were busy at one moment (metrics.allSlotsBusyAt; none: never).
   */
  slots?: { count: number; allBusySeconds?: number };
  detectionLagSeconds: LagSummary;
  /** Planned targets not available at the emulator at the end (to completion only), and the first few. */
  lost?: { count: number; targets: string[] };
  /** Planned targets the emulator accepted more than one copy of, and the first few. */
  duplicated?: { count: number; targets: string[] };
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
    /** Calls answered Throttling / ThrottlingException. */
    throttled?: number;
  };
  /** Whether the emulator throttled RDS (scenario.rdsRateLimit): 'unsupported' when it could not. */
  rdsRateLimit?: boolean | 'unsupported';
  history?: HistoryCount & { events: number; perCopy: number; actionsPerCopy: number };
  workerRss?: {
    peakMiB?: number;
    hwmMiB?: number;
    hwmReset: boolean;
    /** With several workers: the largest sum of their RSS sampled at one moment, and each one's peak. */
    sumPeakMiB?: number;
    perWorkerMiB?: { pid: number; peakMiB?: number }[];
  };
  /** snapcopy's worker processes, and the one SIGKILLed mid-run. */
  workers?: { count: number; killed?: { pid: number; atSeconds: number } };
  priorities?: PriorityCheck;
  /** The machine's 1-minute load average when the side ended (the bench shares its cores). */
  loadAverage?: number;
  /** Each copy, in seconds from the first start: created and available at the emulator, noticed done. */
  timeline: CopyTimes[];
}

export interface CopyTimes {
  target: string;
  /** `account/Region`, with several destinations. */
  to?: string;
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
  /** snapcopy's worker processes. */
  workers?: number;
  rdsRateLimit?: boolean | 'unsupported';
}

const FEW = 10;

export function sideResult({
  side,
  scenario,
  copies,
  run,
  timeline,
  stats,
  samples,
  workers,
  rdsRateLimit,
}: SideInputs): SideResult {
  const n = totalCopies(scenario);
  const destinations = destinationsOf(scenario);
  const several = destinations.length > 1;
  const keys = new Set(destinations.map(destinationKey));
  const ours = (c: { accountId: string; region: string }) => keys.has(destinationKey(c));
  const slots = scenario.copyLimit * destinations.length;
  const byTarget = new Map(timeline.copies.filter(ours).map((c) => [copyKey(c), c]));
  const emulatedOf = (c: PlannedCopy) => byTarget.get(plannedKey(c));
  const measuredSeconds = (run.end - run.t0) / 1000;
  const doneTimes = Object.values(run.doneAt);
  const allDone = doneTimes.length === n;
  // To completion, the window ends with the last copy noticed done; otherwise where the side stopped.
  const windowEnd = allDone ? Math.max(...doneTimes) : run.end;
  const makespanSeconds = allDone ? (windowEnd - run.t0) / 1000 : undefined;
  const perDestination = copiesPerDestination(n, destinations.length);
  const limitSeconds = physicalLimitOfDestinations(perDestination, scenario.copyLimit, scenario.copySeconds);
  const pools = destinations.map((d, i) => ({
    ...d,
    slots: Math.min(scenario.copyLimit, perDestination[i]!),
  }));
  const allBusyAt = allSlotsBusyAt(timeline.copies, pools);
  const lags = copies.flatMap((c) => {
    const available = emulatedOf(c)?.availableAt;
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
  const planned = copies.map(plannedKey);
  const lost = lostTargets(timeline.copies, planned);
  const duplicated = duplicatedTargets(timeline.copies, new Set(planned));
  const history = run.history;
  return {
    side,
    copies: n,
    started: copies.filter((c) => (emulatedOf(c)?.createdAt ?? Infinity) <= run.end).length,
    done: doneTimes.length,
    errors: Object.entries(run.errors).map(([target, message]) => `${target}: ${message}`),
    timedOut: run.timedOut,
    measuredSeconds,
    makespanSeconds,
    physicalLimitSeconds: limitSeconds,
    makespanRatio: ratio(makespanSeconds, limitSeconds),
    utilisation: {
      sampled: utilisationFromSamples(samples.inFlight, slots, run.t0, windowEnd),
      timeline: utilisationFromTimeline(timeline.copies, ours, slots, run.t0, windowEnd),
      peakInFlight: peakInFlight(timeline.copies, ours),
      samples: samples.inFlight.length,
    },
    slots: {
      count: pools.reduce((a, p) => a + p.slots, 0),
      ...(allBusyAt !== undefined ? { allBusySeconds: (allBusyAt - run.t0) / 1000 } : {}),
    },
    detectionLagSeconds: lagSummary(lags),
    ...(scenario.windowSeconds === undefined
      ? { lost: { count: lost.length, targets: lost.slice(0, FEW) } }
      : {}),
    duplicated: { count: duplicated.length, targets: duplicated.slice(0, FEW) },
    awsCalls: {
      total,
      perCopy: total / n,
      perMinute: minutes > 0 ? total / minutes : 0,
      perMinuteAfterFirst: ratePerMinute(samples.calls, run.t0 + 60_000, timeline.now, total),
      byAction,
      errors,
      throttled: throttledCalls(stats.errors),
    },
    ...(rdsRateLimit !== undefined ? { rdsRateLimit } : {}),
    ...(history
      ? {
          history: {
            ...history,
            events: history.copyEvents + history.schedulerEvents + history.shareEvents,
            perCopy: (history.copyEvents + history.schedulerEvents + history.shareEvents) / n,
            actionsPerCopy: (history.actions.copy + history.actions.scheduler + history.actions.share) / n,
          },
        }
      : {}),
    ...(side === 'snapcopy'
      ? {
          workerRss: {
            ...(samples.peakRss !== undefined ? { peakMiB: samples.peakRss / MIB } : {}),
            ...(samples.hwm !== undefined ? { hwmMiB: samples.hwm / MIB } : {}),
            hwmReset: samples.hwmReset,
            ...(samples.peakRssSum !== undefined ? { sumPeakMiB: samples.peakRssSum / MIB } : {}),
            ...(samples.workers
              ? {
                  perWorkerMiB: samples.workers.map((w) => ({
                    pid: w.pid,
                    ...(w.hwm !== undefined || w.peakRss !== undefined
                      ? { peakMiB: (w.hwm ?? w.peakRss!) / MIB }
                      : {}),
                  })),
                }
              : {}),
          },
          workers: { count: workers ?? 1, ...(run.killed ? { killed: run.killed } : {}) },
        }
      : {}),
    ...(scenario.batches.length > 1
      ? { priorities: priorityCheck(copies, run, byTargetName(copies, emulatedOf)) }
      : {}),
    timeline: copies.map((c) => {
      const at = (ms: number) => Math.round(ms - run.t0) / 1000;
      const emulated = emulatedOf(c);
      const times: CopyTimes = {
        target: c.target,
        ...(several ? { to: destinationKey(c.destination) } : {}),
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

/** The emulator's copy of each planned target, by target name (what priorityCheck looks up). */
function byTargetName(
  copies: readonly PlannedCopy[],
  emulatedOf: (c: PlannedCopy) => { createdAt: number } | undefined,
): Map<string, { createdAt: number }> {
  return new Map(copies.flatMap((c) => (emulatedOf(c) ? [[c.target, emulatedOf(c)!] as const] : [])));
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
  /** Scale scenarios: workflows that do nothing, started the same way (floor.ts). */
  temporalFloor?: TemporalFloor;
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
export function scenarioRows({ scenario, snapcopy: s, peer: p, temporalFloor }: ScenarioResult): Row[] {
  const a: Aims = scenario.aims;
  const scale = scenario.scale === true;
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
  /** An aim "≤ limit" (or "≥"), when the scenario has one. */
  const atMost = (limit: number | undefined, text = (v: number) => `≤ ${v}`) =>
    limit !== undefined ? { aim: { text: text(limit), ok: (v: number) => v <= limit } } : {};
  const count = (v: number | undefined) => fmt(v, 0);
  const one = (v: number | undefined) => fmt(v, 1);
  const two = (v: number | undefined) => fmt(v, 2);
  const windowed = scenario.windowSeconds !== undefined;
  if (scale) {
    const workers = (r: SideResult | undefined) => {
      if (!r) return '–';
      if (r.side === 'peer') return 'none (plain script)';
      const killed = r.workers?.killed;
      return `${r.workers?.count ?? 1}${killed ? `, 1 SIGKILLed at ${killed.atSeconds.toFixed(0)} s` : ''}`;
    };
    rows.push(['worker processes', workers(s), workers(p), '', '']);
    const throttling = (r: SideResult | undefined) =>
      r?.rdsRateLimit === undefined
        ? '–'
        : r.rdsRateLimit === 'unsupported'
          ? 'not in emulator'
          : r.rdsRateLimit
            ? 'on'
            : 'off';
    rows.push(['RDS throttling', throttling(s), throttling(p), '', '']);
  }
  row('copies started', (r) => r.started, count, { compare: false });
  row('copies done', (r) => r.done, count, { compare: false });
  if (windowed) {
    row('measured (s)', (r) => r.measuredSeconds, count, { compare: false });
  } else {
    row('makespan (s)', (r) => r.makespanSeconds, one);
    row('physical limit (s)', (r) => r.physicalLimitSeconds, count, { compare: false });
    row('makespan ÷ limit', (r) => r.makespanRatio, times, {
      ...atMost(a.makespanRatio, (v) => `≤ ${v.toFixed(2)}×`),
    });
  }
  row('slot utilisation (sampled)', (r) => r.utilisation.sampled, pct, {
    ...(a.utilisation !== undefined
      ? { aim: { text: `≥ ${pct(a.utilisation)}`, ok: (v) => v >= a.utilisation! } }
      : {}),
  });
  row('slot utilisation (timeline)', (r) => r.utilisation.timeline, pct);
  row('peak copies in flight', (r) => r.utilisation.peakInFlight, count, { compare: false });
  if (scale) {
    const slots = s?.slots?.count ?? p?.slots?.count;
    row(`all ${slots ?? ''} slots busy after (s)`, (r) => r.slots?.allBusySeconds, one, {
      ...atMost(a.allSlotsBusySeconds),
    });
  }
  if (!windowed) {
    row('detection lag p50 (s)', (r) => r.detectionLagSeconds.p50, one);
    row('detection lag p95 (s)', (r) => r.detectionLagSeconds.p95, one, { ...atMost(a.detectionLagP95) });
  }
  if (scale) {
    if (!windowed) row('copies lost', (r) => r.lost?.count, count, { compare: false });
    row('copies duplicated', (r) => r.duplicated?.count, count, { compare: false });
    row('errors', (r) => r.errors.length, count, { compare: false });
  }
  row('AWS calls', (r) => r.awsCalls.total, count);
  row('AWS calls per copy', (r) => r.awsCalls.perCopy, one);
  row('AWS calls per minute', (r) => r.awsCalls.perMinute, one, { ...atMost(a.awsCallsPerMinute) });
  row('  after the first minute', (r) => r.awsCalls.perMinuteAfterFirst, one, {
    ...atMost(a.awsCallsPerMinuteAfterFirst),
  });
  if (scale) row('  throttled', (r) => r.awsCalls.throttled, count);
  const keys = (pick: (r: SideResult) => Record<string, number>) =>
    [...new Set([s, p].flatMap((r) => (r ? Object.keys(pick(r)) : [])))].sort();
  const failures = keys((r) => r.awsCalls.errors);
  for (const action of keys((r) => r.awsCalls.byAction)) {
    row(`  ${action}`, (r) => r.awsCalls.byAction[action] ?? 0, count);
    for (const failure of failures.filter((f) => f.startsWith(`${action}:`))) {
      row(`    refused: ${failure.slice(action.length + 1)}`, (r) => r.awsCalls.errors[failure] ?? 0, count);
    }
  }
  const perCopy = (r: SideResult, n: number | undefined) =>
    r.history && n !== undefined ? n / r.copies : undefined;
  row('history events per copy', (r) => r.history?.perCopy, one, { ...atMost(a.historyEventsPerCopy) });
  row('  of which copySlots', (r) => perCopy(r, r.history?.schedulerEvents), one);
  if (scale) {
    // sourceShare holders exist only for copies into other accounts.
    const shares = scenario.targetAccounts !== undefined;
    if (shares) row('  of which sourceShare', (r) => perCopy(r, r.history?.shareEvents), one);
    row('billable actions per copy', (r) => r.history?.actionsPerCopy, one, { ...atMost(a.actionsPerCopy) });
    row('  of which copySlots', (r) => perCopy(r, r.history?.actions.scheduler), one);
    if (shares) row('  of which sourceShare', (r) => perCopy(r, r.history?.actions.share), one);
    const wft = (r: SideResult): LatencySummary | undefined => r.history?.workflowTasks.scheduledToCompleted;
    row('workflow task latency p50 (s)', (r) => wft(r)?.p50, two);
    row('workflow task latency p99 (s)', (r) => wft(r)?.p99, two, { ...atMost(a.workflowTaskP99Seconds) });
    row('workflow task latency max (s)', (r) => wft(r)?.max, two);
    if (temporalFloor) {
      // Not a side: the same number of workflows that do nothing, started the same way (floor.ts).
      const floor = temporalFloor.scheduledToCompleted;
      rows.push([
        `  Temporal's floor: ${temporalFloor.workflows} no-op workflows, p99 (s)`,
        two(floor.p99),
        '–',
        '',
        '',
      ]);
      const over = s && floor.p99 ? wft(s)?.p99 : undefined;
      rows.push([
        '  snapcopy p99 ÷ the floor',
        over !== undefined ? times(over / floor.p99!) : '–',
        '–',
        '',
        '',
      ]);
    }
    row('workflow tasks over 1 s', (r) => wft(r)?.overOneSecond, count);
    const worker = (r: SideResult) => r.history?.workflowTasks.startedToCompleted;
    const plain = (r: SideResult) => r.history?.workflowTasks.startedToCompletedWithoutLocal;
    row('  worker part p99 (s)', (r) => worker(r)?.p99, two);
    row('  worker part max (s)', (r) => worker(r)?.max, two);
    row('  worker part p99, tasks without local activities (s)', (r) => plain(r)?.p99, two);
    row('  worker part max, tasks without local activities (s)', (r) => plain(r)?.max, two);
  }
  row('worker RSS peak (MiB)', (r) => r.workerRss?.hwmMiB ?? r.workerRss?.peakMiB, count, {
    ...atMost(a.workerRssMiB),
  });
  if (scale && (s?.workerRss?.sumPeakMiB !== undefined || p?.workerRss?.sumPeakMiB !== undefined)) {
    row('  all workers together (MiB)', (r) => r.workerRss?.sumPeakMiB, count);
  }
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
 * actually run; several destinations, workers and throttling are said after it.
 */
export function describeScenario(scenario: Scenario): string {
  const batches = scenario.batches
    .map((b) => `${b.count}${b.priority !== undefined ? ` priority-${b.priority}` : ''} copies`)
    .join(' then ');
  const window = scenario.windowSeconds !== undefined ? `, measured over ${scenario.windowSeconds} s` : '';
  // By ARN is the bench's usual form and goes unsaid, so that earlier titles read as before.
  const form = scenario.sourceForm === 'name' ? ', sources by name' : '';
  const regions = scenario.targetRegions;
  const accounts = scenario.targetAccounts;
  const to =
    regions.length === 1 && !accounts
      ? regions[0]
      : `${regions.length === 1 ? regions[0] : `${regions.length} Regions`}${
          accounts ? ` × ${accounts.length} accounts through TargetRoleArn` : ''
        }`;
  const more = [
    ...(scenario.encryptedSources === false ? ['unencrypted sources'] : []),
    ...((scenario.workers ?? 1) > 1
      ? [
          `${scenario.workers} workers${
            scenario.killWorkerAt !== undefined
              ? `, one SIGKILLed once ${pct(scenario.killWorkerAt)} are available`
              : ''
          }`,
        ]
      : []),
    ...(scenario.rdsRateLimit
      ? [`RDS throttled (burst ${scenario.rdsRateLimit.burst}, ${scenario.rdsRateLimit.perSecond}/s)`]
      : []),
  ];
  return `${batches} × ${scenario.copySeconds} s, limit ${scenario.copyLimit}${window}, to ${to}${form}${more
    .map((m) => `, ${m}`)
    .join('')}`;
}
