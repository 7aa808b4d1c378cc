// The bench's pure parts (scripts/bench): percentiles, slot utilisation from samples and from the
// emulator's timelines, the peak in flight, the priority check, scenario overrides and the table.
import { describe, expect, it } from 'vitest';
import type { EmulatorCopy } from '../../scripts/lib/emulator-api';
import {
  copyEnd,
  lagSummary,
  peakInFlight,
  percentile,
  physicalLimitSeconds,
  ratePerMinute,
  ratio,
  utilisationFromSamples,
  utilisationFromTimeline,
} from '../../scripts/bench/metrics';
import {
  describeScenario,
  markdownScenario,
  priorityCheck,
  renderScenario,
  type SideResult,
} from '../../scripts/bench/report';
import { SCENARIOS, selectScenarios, totalCopies, withOverrides } from '../../scripts/bench/scenarios';
import type { PlannedCopy } from '../../scripts/bench/sides';
import { fmt, pct, renderTable, times } from '../../scripts/bench/table';

function copy(
  id: string,
  createdAt: number,
  ends: Partial<EmulatorCopy> = {},
  region = 'us-west-2',
): EmulatorCopy {
  return { region, accountId: '123456789012', id, status: 'copying', createdAt, ...ends };
}

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5], 100)).toBe(5);
    expect(percentile([0, 10], 95)).toBeCloseTo(9.5);
  });

  it('summarises lags in seconds', () => {
    expect(lagSummary([1000, 3000, 2000])).toEqual({ count: 3, p50: 2, p95: 2.9, max: 3 });
    expect(lagSummary([])).toEqual({ count: 0, p50: undefined, p95: undefined, max: undefined });
  });
});

describe('limits and ratios', () => {
  it('the physical limit is ceil(N / limit) rounds of a copy', () => {
    expect(physicalLimitSeconds(20, 5, 20)).toBe(80);
    expect(physicalLimitSeconds(21, 5, 20)).toBe(100);
    expect(physicalLimitSeconds(3, 5, 600)).toBe(600);
  });

  it('a running total per minute, from the first sample in the window to the end', () => {
    const samples = [
      { at: 0, count: 0 },
      { at: 30_000, count: 300 },
      { at: 65_000, count: 310 },
      { at: 125_000, count: 330 },
    ];
    expect(ratePerMinute(samples, 60_000, 185_000, 350)).toBeCloseTo(20); // 40 calls over 2 minutes
    expect(ratePerMinute(samples, 0, 60_000, 320)).toBeCloseTo(320);
    expect(ratePerMinute(samples, 200_000, 240_000, 400)).toBeUndefined();
  });

  it('ratio is undefined without both sides', () => {
    expect(ratio(212, 80)).toBeCloseTo(2.65);
    expect(ratio(undefined, 80)).toBeUndefined();
    expect(ratio(1, 0)).toBeUndefined();
  });
});

describe('slot utilisation', () => {
  it('from samples: a step function over the window, divided by the limit', () => {
    const samples = [
      { at: 1000, inFlight: 5 },
      { at: 3000, inFlight: 1 },
      { at: 4000, inFlight: 0 },
    ];
    // 0-3 s: 5 (the first sample also holds back to the start), 3-4 s: 1, 4-5 s: 0 → 16 slot-seconds of 25.
    expect(utilisationFromSamples(samples, 5, 0, 5000)).toBeCloseTo(16 / 25);
    expect(utilisationFromSamples([{ at: 0, inFlight: 5 }], 5, 0, 10_000)).toBe(1);
    expect(utilisationFromSamples([], 5, 0, 1000)).toBeUndefined();
    expect(utilisationFromSamples(samples, 5, 1000, 1000)).toBeUndefined();
  });

  it('from the timeline: each copy busy from created to its end, clipped to the window', () => {
    const copies = [
      copy('a', 0, { availableAt: 10_000 }),
      copy('b', 5000, { deletedAt: 7000 }),
      copy('c', 8000), // still running: busy to the window's end
      copy('d', 0, { availableAt: 20_000 }, 'us-east-1'), // another Region
    ];
    expect(utilisationFromTimeline(copies, 'us-west-2', 2, 0, 10_000)).toBeCloseTo((10 + 2 + 2) / 20);
    expect(utilisationFromTimeline(copies, 'us-west-2', 2, 5000, 10_000)).toBeCloseTo((5 + 2 + 2) / 10);
  });

  it('a copy ends at its first of available, failed, deleted', () => {
    expect(copyEnd(copy('a', 0))).toBeUndefined();
    expect(copyEnd(copy('a', 0, { availableAt: 9, deletedAt: 12 }))).toBe(9);
    expect(copyEnd(copy('a', 0, { failedAt: 4, deletedAt: 3 }))).toBe(3);
  });

  it('the peak in flight counts a slot freed and taken in the same millisecond once', () => {
    const copies = [
      copy('a', 0, { availableAt: 100 }),
      copy('b', 0, { availableAt: 50 }),
      copy('c', 50, { availableAt: 150 }),
      copy('d', 100),
    ];
    expect(peakInFlight(copies, 'us-west-2')).toBe(2);
    expect(peakInFlight(copies, 'eu-west-1')).toBe(0);
  });
});

describe('priority check', () => {
  const planned = (index: number, batch: number, priority: number): PlannedCopy => ({
    index,
    batch,
    priority,
    sourceArn: `arn:${index}`,
    sourceName: `name-${index}`,
    target: `t${index}`,
    destination: { accountId: '123456789012', region: 'us-west-2' },
  });
  const copies = [planned(0, 0, 5), planned(1, 0, 5), planned(2, 0, 5), planned(3, 1, 1)];

  it('passes when the high-priority copy starts before every low-priority copy still queued', () => {
    const created = new Map([
      ['t0', { createdAt: 0 }],
      ['t3', { createdAt: 200 }],
      ['t1', { createdAt: 300 }],
      ['t2', { createdAt: 400 }],
    ]);
    expect(priorityCheck(copies, { batchStartedAt: [0, 100] }, created)).toEqual({
      order: [5, 1, 5, 5],
      queuedAtSubmit: 2,
      passed: true,
    });
  });

  it('fails when a queued low-priority copy starts first, or the high-priority one never starts', () => {
    const created = new Map([
      ['t0', { createdAt: 0 }],
      ['t1', { createdAt: 250 }],
      ['t3', { createdAt: 260 }],
    ]);
    expect(priorityCheck(copies, { batchStartedAt: [0, 100] }, created)).toEqual({
      order: [5, 5, 1, -1],
      queuedAtSubmit: 2,
      passed: false,
    });
    expect(
      priorityCheck(copies, { batchStartedAt: [0, 100] }, new Map([['t0', { createdAt: 0 }]])).passed,
    ).toBe(false);
  });
});

describe('scenarios', () => {
  it('has fleet, queued (by ARN and by name), priorities and the scale ones, selectable by name', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'fleet',
      'queued',
      'queued-by-name',
      'priorities',
      'regions',
      'burst',
      'thousand',
      'workers',
    ]);
    expect(SCENARIOS.filter((s) => !s.scale).map((s) => s.name)).toEqual([
      'fleet',
      'queued',
      'queued-by-name',
      'priorities',
    ]);
    expect(selectScenarios(['priorities', 'fleet']).map((s) => s.name)).toEqual(['priorities', 'fleet']);
    expect(() => selectScenarios(['nope'])).toThrow(/unknown scenario "nope"/);
  });

  it('queued-by-name is queued with the sources by name, in a Region of its own', () => {
    const [queued, byName] = selectScenarios(['queued', 'queued-by-name']);
    expect(queued!.sourceForm).toBe('arn');
    expect(byName!.sourceForm).toBe('name');
    const { name: _a, targetRegions: regionsA, sourceForm: _f, ...rest } = queued!;
    const { name: _b, targetRegions: regionsB, sourceForm: _g, ...restByName } = byName!;
    expect(restByName).toEqual(rest);
    expect(regionsB).toHaveLength(1);
    expect(regionsB).not.toEqual(regionsA);
    expect(describeScenario(byName!)).toBe(
      '300 copies × 600 s, limit 5, measured over 240 s, to eu-west-2, sources by name',
    );
    expect(describeScenario(queued!)).toBe('300 copies × 600 s, limit 5, measured over 240 s, to eu-west-1');
  });

  it('overrides resize the first batch and change the emulator settings', () => {
    const [priorities] = selectScenarios(['priorities']);
    const small = withOverrides(priorities!, { copies: 4, copySeconds: 5, limit: 2 });
    expect(small.batches).toEqual([
      { count: 4, priority: 5 },
      { count: 3, priority: 1 },
    ]);
    expect(totalCopies(small)).toBe(7);
    expect(small).toMatchObject({ copySeconds: 5, copyLimit: 2 });
    const [queued] = selectScenarios(['queued']);
    expect(withOverrides(queued!, { windowSeconds: 30 })).toMatchObject({
      windowSeconds: 30,
      timeoutSeconds: 30,
    });
    expect(withOverrides(priorities!, { windowSeconds: 30 }).windowSeconds).toBeUndefined();
  });
});

describe('table', () => {
  it('pads columns: the first left, the rest right', () => {
    expect(
      renderTable(
        ['metric', 'a', 'b'],
        [
          ['makespan (s)', '90.5', '212.0'],
          ['calls', '7', '1'],
        ],
      ),
    ).toBe(
      [
        'metric           a      b',
        '------------  ----  -----',
        'makespan (s)  90.5  212.0',
        'calls            7      1',
      ].join('\n'),
    );
  });

  it('formats numbers, ratios and percentages, with a dash for none', () => {
    expect(fmt(2.345, 1)).toBe('2.3');
    expect(fmt(undefined)).toBe('–');
    expect(times(2.6512)).toBe('2.65×');
    expect(pct(0.384)).toBe('38%');
    expect(pct(Number.NaN)).toBe('–');
  });

  it('renders a scenario: snapcopy beside the peer, their ratio and the aims met or not', () => {
    const [fleet] = selectScenarios(['fleet']);
    const side = (name: 'snapcopy' | 'peer', makespan: number, calls: number): SideResult => ({
      side: name,
      copies: 20,
      started: 20,
      done: 20,
      errors: [],
      timedOut: false,
      measuredSeconds: makespan,
      makespanSeconds: makespan,
      physicalLimitSeconds: 80,
      makespanRatio: makespan / 80,
      utilisation: { sampled: 0.95, timeline: 0.94, peakInFlight: 5, samples: 80 },
      detectionLagSeconds: { count: 20, p50: 1, p95: 2, max: 3 },
      awsCalls: {
        total: calls,
        perCopy: calls / 20,
        perMinute: calls,
        byAction: { 'rds:CopyDBClusterSnapshot': calls },
        errors: { 'rds:CopyDBClusterSnapshot:SnapshotQuotaExceeded': 1 },
      },
      timeline: [],
    });
    const text = renderScenario({
      scenario: fleet!,
      snapcopy: side('snapcopy', 84, 40),
      peer: side('peer', 210, 80),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('fleet: 20 copies × 20 s, limit 5, to us-west-2');
    expect(lines.find((l) => l.startsWith('makespan (s)'))).toMatch(/84\.0\s+210\.0\s+0\.40×$/);
    expect(lines.find((l) => l.startsWith('makespan ÷ limit'))).toMatch(
      /1\.05×\s+2\.63×\s+0\.40×\s+≤ 1\.10× ✓$/,
    );
    expect(lines.find((l) => l.startsWith('slot utilisation (sampled)'))).toMatch(
      /95%\s+95%\s+1\.00×\s+≥ 90% ✓$/,
    );
    expect(lines.find((l) => l.includes('refused: SnapshotQuotaExceeded'))).toMatch(/1\s+1\s+1\.00×$/);
    expect(lines.find((l) => l.startsWith('history events per copy'))).toMatch(/–\s+–\s+–$/);
  });

  it('renders a scenario as Markdown for the README: CopyDBClusterSnapshot alone of the calls by action', () => {
    const [fleet] = selectScenarios(['fleet']);
    const side = (name: 'snapcopy' | 'peer', makespan: number, calls: number): SideResult => ({
      side: name,
      copies: 20,
      started: 20,
      done: 20,
      errors: [],
      timedOut: false,
      measuredSeconds: makespan,
      makespanSeconds: makespan,
      physicalLimitSeconds: 80,
      makespanRatio: makespan / 80,
      utilisation: { sampled: 0.95, timeline: 0.94, peakInFlight: 5, samples: 80 },
      detectionLagSeconds: { count: 20, p50: 1, p95: 2, max: 3 },
      awsCalls: {
        total: calls,
        perCopy: calls / 20,
        perMinute: calls,
        byAction: { 'rds:CopyDBClusterSnapshot': calls, 'kms:DescribeKey': 1 },
        errors: { 'rds:CopyDBClusterSnapshot:SnapshotQuotaExceeded': 1 },
      },
      timeline: [],
    });
    const md = markdownScenario({
      scenario: fleet!,
      snapcopy: side('snapcopy', 84, 40),
      peer: side('peer', 210, 80),
    });
    const lines = md.split('\n');
    expect(lines[0]).toBe('**fleet**: 20 copies × 20 s, limit 5, to us-west-2');
    expect(lines[2]).toBe('| metric | snapcopy | peer | snapcopy/peer | aim (snapcopy) |');
    expect(lines).toContain('| makespan ÷ limit | 1.05× | 2.63× | 0.40× | ≤ 1.10× ✓ |');
    expect(lines).toContain('| ↳ rds:CopyDBClusterSnapshot | 40 | 80 | 0.50× |   |');
    expect(lines).toContain('| ↳ refused: SnapshotQuotaExceeded | 1 | 1 | 1.00× |   |');
    expect(md).not.toContain('DescribeKey');
  });
});
