// The bench's scale measures (scripts/bench): destinations and the physical limit over several, when every
// slot was first busy, copies lost and duplicated, throttled calls, billable actions and workflow task
// latency from histories, the history walker's reduction of proto JSON, and the scale scenarios' table.
import { describe, expect, it } from 'vitest';
import type { EmulatorCopy } from '../../scripts/lib/emulator-api';
import { toHistoryEvents } from '../../scripts/bench/histories';
import {
  ACTION_TABLE,
  allSlotsBusyAt,
  billableActions,
  duplicatedTargets,
  latencySummary,
  lostTargets,
  peakInFlight,
  physicalLimitOfDestinations,
  ratePerMinute,
  summariseHistories,
  throttledCalls,
  utilisationFromTimeline,
  workflowTaskLatencies,
  type HistoryEvent,
} from '../../scripts/bench/metrics';
import { describeScenario, renderScenario, type SideResult } from '../../scripts/bench/report';
import {
  copiesPerDestination,
  destinationOf,
  destinationsOf,
  selectScenarios,
  totalCopies,
  withOverrides,
  WORKER_ACCOUNT,
} from '../../scripts/bench/scenarios';
import { planCopies, sideWorkflows } from '../../scripts/bench/sides';

const A = '123456789012';
const B = '210000000001';

function copy(
  id: string,
  createdAt: number,
  ends: Partial<EmulatorCopy> = {},
  region = 'us-west-2',
  accountId = A,
): EmulatorCopy {
  return { region, accountId, id, status: 'copying', createdAt, ...ends };
}

/** Proto JSON `Payloads` holding one JSON value, as a history gives activity results and marker data. */
const payload = (value: unknown) => ({
  payloads: [{ metadata: {}, data: Buffer.from(JSON.stringify(value)).toString('base64') }],
});

describe('scale scenarios', () => {
  it('regions, burst, thousand and workers as the issue gives them', () => {
    const [regions, burst, thousand, workers] = selectScenarios(['regions', 'burst', 'thousand', 'workers']);
    expect(regions).toMatchObject({ copySeconds: 20, copyLimit: 5, sourceForm: 'arn', scale: true });
    expect(totalCopies(regions!)).toBe(240);
    expect(destinationsOf(regions!)).toHaveLength(8);
    expect(regions!.targetRegions).not.toContain('us-east-1');
    expect(regions!.windowSeconds).toBeUndefined();
    expect(regions!.rdsRateLimit).toEqual({ burst: 300, perSecond: 12 });
    expect(totalCopies(burst!)).toBe(300);
    expect(burst).toMatchObject({ copySeconds: 600, sourceForm: 'name', targetRegions: ['ap-southeast-2'] });
    expect(burst!.windowSeconds).toBeGreaterThan(0);
    expect(totalCopies(thousand!)).toBe(1000);
    expect(destinationsOf(thousand!)).toHaveLength(40);
    expect(
      destinationsOf(thousand!).every(
        (d) => d.roleArn === `arn:aws:iam::${d.accountId}:role/snapcopy-target`,
      ),
    ).toBe(true);
    const { name: _w, workers: n, killWorkerAt, ...rest } = workers!;
    const { name: _r, ...regionsRest } = regions!;
    expect(rest).toEqual(regionsRest);
    expect(n).toBe(3);
    expect(killWorkerAt).toBe(0.5);
    for (const s of [regions, burst, thousand, workers]) expect(s!.rdsRateLimit).toBeDefined();
    for (const s of selectScenarios(['fleet', 'queued', 'queued-by-name', 'priorities'])) {
      expect(s.rdsRateLimit).toBeUndefined();
      expect(s.scale).toBeUndefined();
      expect(destinationsOf(s)).toEqual([{ accountId: WORKER_ACCOUNT, region: s.targetRegions[0] }]);
    }
  });

  it('overrides apply to the new scenarios too', () => {
    const [thousand] = selectScenarios(['thousand']);
    const small = withOverrides(thousand!, { copies: 40, windowSeconds: 60, copySeconds: 30 });
    expect(totalCopies(small)).toBe(40);
    expect(small).toMatchObject({ windowSeconds: 60, timeoutSeconds: 60, copySeconds: 30 });
  });

  it('copies go round-robin over (account × Region) destinations', () => {
    const [thousand] = selectScenarios(['thousand']);
    const destinations = destinationsOf(thousand!);
    expect(destinations[0]).toMatchObject({ accountId: '210000000001', region: 'us-east-2' });
    expect(destinations[8]).toMatchObject({ accountId: '210000000002', region: 'us-east-2' });
    expect(destinationOf(destinations, 41)).toBe(destinations[1]);
    expect(copiesPerDestination(10, 4)).toEqual([3, 3, 2, 2]);
    expect(copiesPerDestination(1000, 40).every((n) => n === 25)).toBe(true);
    const planned = planCopies(
      withOverrides(thousand!, { copies: 3 }),
      { arns: ['a0', 'a1', 'a2'], names: ['n0', 'n1', 'n2'] },
      'x',
    );
    expect(planned.map((c) => [c.target, c.destination.accountId, c.destination.region])).toEqual([
      ['bench-thousand-x-000', '210000000001', 'us-east-2'],
      ['bench-thousand-x-001', '210000000001', 'us-west-1'],
      ['bench-thousand-x-002', '210000000001', 'ca-central-1'],
    ]);
  });

  it("the side's workflows: copies and their children, each destination's scheduler, shares into other accounts", () => {
    const [thousand, regions] = selectScenarios(['thousand', 'regions']);
    const sources = { arns: ['a0', 'a1'], names: ['bench-aurora-000', 'bench-aurora-001'] };
    const cross = sideWorkflows(planCopies(withOverrides(thousand!, { copies: 2 }), sources, 'x'));
    expect([...cross.copies]).toEqual([
      'snapcopy-us-east-2-bench-thousand-x-000',
      'snapcopy-us-west-1-bench-thousand-x-001',
    ]);
    expect([...cross.schedulers]).toEqual([
      `snapcopy-slots-${B}-us-east-2`,
      `snapcopy-slots-${B}-us-east-1`,
      `snapcopy-slots-${B}-us-west-1`,
    ]);
    expect([...cross.shares]).toEqual([
      `snapcopy-share-${A}-us-east-1-bench-aurora-000-${B}`,
      `snapcopy-share-${A}-us-east-1-bench-aurora-001-${B}`,
    ]);
    expect(
      cross.belongs('snapcopy-us-east-2-bench-thousand-x-000-intermediate', 'copyDbClusterSnapshot'),
    ).toBe(true);
    expect(cross.belongs('snapcopy-us-east-2-bench-thousand-x-009', 'copyDbClusterSnapshot')).toBe(false);
    expect(cross.belongs(`snapcopy-slots-${B}-us-east-2`, 'copySlots')).toBe(true);
    expect(cross.belongs(`snapcopy-slots-${A}-us-east-2`, 'copySlots')).toBe(false);
    const own = sideWorkflows(planCopies(withOverrides(regions!, { copies: 2 }), sources, 'y'));
    expect([...own.schedulers]).toEqual([`snapcopy-slots-${A}-us-east-2`, `snapcopy-slots-${A}-us-west-1`]);
    expect(own.shares.size).toBe(0);
  });

  it('describes a scenario by its destinations, workers and throttling; one-Region titles stay as they were', () => {
    const [fleet, regions, thousand, workers] = selectScenarios(['fleet', 'regions', 'thousand', 'workers']);
    expect(describeScenario(fleet!)).toBe('20 copies × 20 s, limit 5, to us-west-2');
    expect(describeScenario(regions!)).toBe(
      '240 copies × 20 s, limit 5, to 8 Regions, RDS throttled (burst 300, 12/s)',
    );
    expect(describeScenario(thousand!)).toBe(
      '1000 copies × 600 s, limit 5, measured over 300 s, to 8 Regions × 5 accounts through TargetRoleArn, ' +
        'unencrypted sources, RDS throttled (burst 300, 12/s)',
    );
    expect(describeScenario(workers!)).toContain('3 workers, one SIGKILLed once 50% are available');
  });
});

describe('rates', () => {
  it('no rate over a span shorter than 10 s (a sample just after a window ends)', () => {
    const samples = [
      { at: 0, count: 0 },
      { at: 60_200, count: 280 },
    ];
    expect(ratePerMinute(samples, 60_000, 60_500, 281)).toBeUndefined();
    expect(ratePerMinute(samples, 60_000, 75_000, 290)).toBeCloseTo(10 / (14.8 / 60));
  });
});

describe('slots over several destinations', () => {
  it('the physical limit is the slowest destination', () => {
    expect(physicalLimitOfDestinations([30, 30, 30], 5, 20)).toBe(120);
    expect(physicalLimitOfDestinations([6, 5], 5, 20)).toBe(40);
    expect(physicalLimitOfDestinations([20], 5, 20)).toBe(80); // one destination: as before
  });

  it('utilisation and the peak over the destinations a predicate picks', () => {
    const copies = [
      copy('a', 0, { availableAt: 10_000 }),
      copy('b', 0, { availableAt: 10_000 }, 'eu-west-1'),
      copy('c', 0, { availableAt: 10_000 }, 'us-west-2', B),
      copy('d', 0, { availableAt: 10_000 }, 'ap-south-1'), // not a destination
    ];
    const ours = (c: EmulatorCopy) => ['us-west-2', 'eu-west-1'].includes(c.region);
    // 3 copies busy 10 s of 3 destinations × 2 slots × 10 s
    expect(utilisationFromTimeline(copies, ours, 6, 0, 10_000)).toBeCloseTo(30 / 60);
    expect(peakInFlight(copies, ours)).toBe(3);
    expect(peakInFlight(copies, 'us-west-2')).toBe(2); // by Region, any account (as before)
  });

  it('all slots busy: the first moment every destination is full at once', () => {
    const pools = [
      { accountId: A, region: 'us-west-2', slots: 2 },
      { accountId: A, region: 'eu-west-1', slots: 1 },
    ];
    const copies = [
      copy('a', 1000, { availableAt: 5000 }),
      copy('b', 2000, { availableAt: 6000 }),
      copy('c', 3000, { availableAt: 9000 }, 'eu-west-1'),
    ];
    expect(allSlotsBusyAt(copies, pools)).toBe(3000);
    // eu-west-1 filled only after us-west-2 had emptied: never all at once.
    const late = [
      copy('a', 1000, { availableAt: 5000 }),
      copy('b', 2000, { availableAt: 6000 }),
      copy('c', 6000, {}, 'eu-west-1'),
    ];
    expect(allSlotsBusyAt(late, pools)).toBeUndefined();
    // A slot freed and taken in the same millisecond stays busy.
    const handover = [
      copy('a', 1000, { availableAt: 4000 }),
      copy('b', 2000, { availableAt: 9000 }),
      copy('d', 4000, {}),
      copy('c', 4000, {}, 'eu-west-1'),
    ];
    expect(allSlotsBusyAt(handover, pools)).toBe(2000 + 2000);
    // Another account's copies in the same Region are not the destination's.
    expect(
      allSlotsBusyAt([copy('x', 0, {}, 'eu-west-1', B), copy('a', 1, {}), copy('b', 2, {})], pools),
    ).toBeUndefined();
    // A destination with no copy planned is full from the start.
    expect(
      allSlotsBusyAt([copy('a', 7, {}), copy('b', 8, {})], [pools[0]!, { ...pools[1]!, slots: 0 }]),
    ).toBe(8);
  });

  it('lost: planned targets never available; duplicated: more than one emulator copy of a target', () => {
    const copies = [
      copy('t1', 0, { availableAt: 10 }),
      copy('t2', 0, { deletedAt: 5 }),
      copy('t2', 6, { availableAt: 20 }),
      copy('t3', 0, {}),
      copy('t1', 0, { availableAt: 10 }, 'us-west-2', B), // same name, another account: another target
      copy('t9', 0, { availableAt: 10 }), // not planned
      copy('t9', 0, { availableAt: 10 }),
    ];
    const planned = [`${A}/us-west-2/t1`, `${A}/us-west-2/t2`, `${A}/us-west-2/t3`, `${A}/us-west-2/t4`];
    expect(lostTargets(copies, planned)).toEqual([`${A}/us-west-2/t3`, `${A}/us-west-2/t4`]);
    expect(duplicatedTargets(copies, new Set(planned))).toEqual([`${A}/us-west-2/t2`]);
  });

  it('throttled calls are those answered Throttling or ThrottlingException', () => {
    expect(
      throttledCalls({
        rds: {
          CopyDBClusterSnapshot: { Throttling: 3, SnapshotQuotaExceeded: 4 },
          DescribeDBClusterSnapshots: { Throttling: 2 },
        },
        kms: { DescribeKey: { ThrottlingException: 1 } },
      }),
    ).toBe(6);
    expect(throttledCalls({})).toBe(0);
  });
});

/** A history from [type, extra] pairs, ids from 1, a second apart. */
function history(...events: [string, Partial<HistoryEvent>?][]): HistoryEvent[] {
  return events.map(([type, extra], i) => ({
    id: i + 1,
    type: `EVENT_TYPE_${type}`,
    at: i * 1000,
    ...extra,
  }));
}

describe('billable actions', () => {
  it('a plain start, activities with a retry, local activities per workflow task, timers, upserts', () => {
    const events = history(
      ['WORKFLOW_EXECUTION_STARTED'],
      ['WORKFLOW_TASK_SCHEDULED'],
      ['WORKFLOW_TASK_STARTED'],
      ['WORKFLOW_TASK_COMPLETED'],
      ['MARKER_RECORDED'], // two local activities of one task: one action
      ['MARKER_RECORDED'],
      ['UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: ['SnapcopyPhase'] }],
      ['UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: ['TemporalChangeVersion'] }], // free
      ['ACTIVITY_TASK_SCHEDULED'],
      ['TIMER_STARTED'],
      ['ACTIVITY_TASK_STARTED', { attempt: 3 }], // two retries
      ['ACTIVITY_TASK_COMPLETED'],
      ['WORKFLOW_TASK_SCHEDULED'],
      ['WORKFLOW_TASK_STARTED'],
      ['WORKFLOW_TASK_COMPLETED', { localActivityRetries: 2 }],
      ['MARKER_RECORDED'], // another task's: another action
      ['SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'], // counted where it is received
      ['WORKFLOW_EXECUTION_SIGNALED'],
      ['TIMER_FIRED'],
      ['WORKFLOW_EXECUTION_CONTINUED_AS_NEW'], // the new run's start is the action
    );
    expect(billableActions(events)).toEqual({
      total: 11,
      byAction: {
        'workflow started': 1,
        'local activities': 2,
        'search attributes upsert': 1,
        activity: 1,
        timer: 1,
        'activity retry': 2,
        'local activity retries': 2,
        signal: 1,
      },
    });
  });

  it('signal-with-start that started the run is one action with its signal; a later signal is one more', () => {
    const sws = history(
      ['WORKFLOW_EXECUTION_STARTED'],
      ['WORKFLOW_EXECUTION_SIGNALED'],
      ['WORKFLOW_TASK_SCHEDULED'],
      ['WORKFLOW_EXECUTION_SIGNALED'],
    );
    expect(billableActions(sws).total).toBe(2);
    // A continued run (or a child) is not a signal-with-start even with a signal right after its start.
    const continued = history(
      ['WORKFLOW_EXECUTION_STARTED', { continuedFrom: 'r0' }],
      ['WORKFLOW_EXECUTION_SIGNALED'],
    );
    expect(billableActions(continued).total).toBe(2);
  });

  it('children, updates, options and resets', () => {
    const events = history(
      ['WORKFLOW_EXECUTION_STARTED', { hasParent: true }],
      ['START_CHILD_WORKFLOW_EXECUTION_INITIATED'],
      ['WORKFLOW_EXECUTION_UPDATE_ACCEPTED'],
      ['WORKFLOW_EXECUTION_OPTIONS_UPDATED'],
      ['WORKFLOW_TASK_FAILED', { cause: 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW' }],
      ['WORKFLOW_TASK_FAILED', { cause: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR' }],
    );
    expect(billableActions(events).total).toBe(5);
  });

  it('heartbeats an activity reports in its result are actions; a result without them adds none', () => {
    const events = history(
      ['ACTIVITY_TASK_SCHEDULED'],
      ['ACTIVITY_TASK_COMPLETED', { heartbeats: 3 }],
      ['ACTIVITY_TASK_SCHEDULED'],
      ['ACTIVITY_TASK_COMPLETED'],
    );
    expect(billableActions(events)).toEqual({
      total: 5,
      byAction: { activity: 2, 'activity heartbeats': 3 },
    });
  });

  it("reads a follow activity's reported heartbeats from its completed event", () => {
    const found = toHistoryEvents({
      events: [
        {
          eventId: '1',
          eventTime: '2026-12-06T03:00:00Z',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
          activityTaskCompletedEventAttributes: { result: payload({ polls: 9, heartbeats: 2 }) },
        },
        {
          eventId: '2',
          eventTime: '2026-12-06T03:00:01Z',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
          activityTaskCompletedEventAttributes: { result: payload(null) },
        },
      ],
    });
    expect(found.events.map((e) => e.heartbeats)).toEqual([2, undefined]);
  });

  it("reads a local activity's type from its marker, and nothing from a patch's", () => {
    const found = toHistoryEvents({
      events: [
        {
          eventId: '1',
          eventTime: '2026-12-06T03:00:00Z',
          eventType: 'EVENT_TYPE_MARKER_RECORDED',
          markerRecordedEventAttributes: {
            markerName: 'core_local_activity',
            details: { data: payload({ seq: 2, attempt: 1, activity_type: 'requestCopySlot' }) },
          },
        },
        {
          eventId: '2',
          eventTime: '2026-12-06T03:00:00Z',
          eventType: 'EVENT_TYPE_MARKER_RECORDED',
          markerRecordedEventAttributes: {
            markerName: 'core_patch',
            details: { data: payload({ activity_type: 'not a local activity' }) },
          },
        },
      ],
    });
    expect(found.events.map((e) => e.localActivity)).toEqual(['requestCopySlot', undefined]);
  });

  it('the table names every event billableActions counts', () => {
    expect(ACTION_TABLE.map((r) => r.event)).toContain('EVENT_TYPE_MARKER_RECORDED');
    for (const row of ACTION_TABLE) expect(row.event).toMatch(/^EVENT_TYPE_[A-Z_]+$/);
  });
});

describe('workflow task latency', () => {
  it('scheduled → completed and started → completed, by the task’s own events', () => {
    const events: HistoryEvent[] = [
      { id: 1, type: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', at: 0 },
      { id: 2, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 0 },
      { id: 3, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 300, scheduledEventId: 2 },
      { id: 4, type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', at: 500, scheduledEventId: 2, startedEventId: 3 },
      { id: 5, type: 'EVENT_TYPE_TIMER_STARTED', at: 500 },
      { id: 6, type: 'EVENT_TYPE_TIMER_FIRED', at: 1000 },
      { id: 7, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 1000 },
      { id: 8, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 2500, scheduledEventId: 7 },
      { id: 9, type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', at: 2600, scheduledEventId: 7, startedEventId: 8 },
      { id: 10, type: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', at: 3000 },
      // A task held open by a local activity: first its heartbeat (a new task at once), then its marker.
      { id: 11, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 3000 },
      { id: 12, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 3000, scheduledEventId: 11 },
      {
        id: 13,
        type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        at: 11000,
        scheduledEventId: 11,
        startedEventId: 12,
      },
      { id: 14, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 11000 },
      { id: 15, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 11000, scheduledEventId: 14 },
      {
        id: 16,
        type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        at: 12000,
        scheduledEventId: 14,
        startedEventId: 15,
      },
      { id: 17, type: 'EVENT_TYPE_MARKER_RECORDED', at: 12000, localActivity: 'startCopy' },
      { id: 18, type: 'EVENT_TYPE_MARKER_RECORDED', at: 12000, localActivity: 'describeSourceSnapshot' },
      { id: 19, type: 'EVENT_TYPE_MARKER_RECORDED', at: 12000, localActivity: 'startCopy' },
      { id: 20, type: 'EVENT_TYPE_TIMER_STARTED', at: 12000 },
      { id: 21, type: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', at: 13000 },
      { id: 22, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 13000 },
      { id: 23, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 13100, scheduledEventId: 22 },
      {
        id: 24,
        type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        at: 13400,
        scheduledEventId: 22,
        startedEventId: 23,
      },
      // A patch's marker (no local activity), then a local activity's after a command of the same task.
      { id: 25, type: 'EVENT_TYPE_MARKER_RECORDED', at: 13400 },
      { id: 26, type: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', at: 13400 },
      { id: 27, type: 'EVENT_TYPE_MARKER_RECORDED', at: 13400, localActivity: 'requestCopySlot' },
      { id: 28, type: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', at: 14000 },
      { id: 29, type: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', at: 14000 },
      { id: 30, type: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', at: 14000, scheduledEventId: 29 },
      {
        id: 31,
        type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        at: 14050,
        scheduledEventId: 29,
        startedEventId: 30,
      },
      // Only a patch's marker: the task held nothing open.
      { id: 32, type: 'EVENT_TYPE_MARKER_RECORDED', at: 14050 },
    ];
    expect(workflowTaskLatencies(events)).toEqual({
      scheduledToCompleted: [500, 1600, 8000, 1000, 400, 50],
      startedToCompleted: [200, 100, 8000, 1000, 300, 50],
      startedToCompletedWithoutLocal: [200, 100, 50],
      startedToCompletedByLocal: {
        none: [200, 100, 50],
        requestCopySlot: [300],
        heartbeat: [8000],
        'describeSourceSnapshot+startCopy': [1000],
      },
    });
    expect(latencySummary([500, 1600, 100])).toMatchObject({
      count: 3,
      p50: 0.5,
      max: 1.6,
      overOneSecond: 1,
    });
    expect(latencySummary([])).toEqual({
      count: 0,
      p50: undefined,
      p99: undefined,
      max: undefined,
      overOneSecond: 0,
    });
  });

  it('summarises runs by kind: events, actions and every task', () => {
    const run = history(
      ['WORKFLOW_EXECUTION_STARTED'],
      ['WORKFLOW_TASK_SCHEDULED'],
      ['WORKFLOW_TASK_STARTED', { scheduledEventId: 2 }],
      ['WORKFLOW_TASK_COMPLETED', { scheduledEventId: 2, startedEventId: 3 }],
    );
    const s = summariseHistories([
      { kind: 'copy', events: run },
      { kind: 'copy', events: run },
      { kind: 'scheduler', events: run.slice(0, 2) },
      { kind: 'share', events: run },
    ]);
    expect(s).toMatchObject({
      copyEvents: 8,
      copyRuns: 2,
      schedulerEvents: 2,
      schedulerRuns: 1,
      shareEvents: 4,
      shareRuns: 1,
      actions: { copy: 2, scheduler: 1, share: 1, byAction: { 'workflow started': 4 } },
    });
    expect(s.workflowTasks.scheduledToCompleted).toMatchObject({ count: 3, p50: 2, max: 2 });
    expect(s.workflowTasks.startedToCompleted).toMatchObject({ count: 3, p50: 1 });
    expect(s.workflowTasksByKind).toMatchObject({ copy: { count: 2 }, share: { count: 1 } });
    expect(s.workflowTasksByKind.scheduler).toBeUndefined();
  });
});

describe('histories from proto JSON', () => {
  it('keeps the attributes the measures need, and the run’s links', () => {
    const json = {
      events: [
        {
          eventId: '1',
          eventTime: '2026-12-06T03:00:00.000Z',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
          workflowExecutionStartedEventAttributes: {
            workflowType: { name: 'copySlots' },
            originalExecutionRunId: 'run-2',
            continuedExecutionRunId: 'run-1',
          },
        },
        {
          eventId: '4',
          eventTime: '2026-12-06T03:00:01.500Z',
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
          workflowTaskCompletedEventAttributes: {
            scheduledEventId: '2',
            startedEventId: '3',
            meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 },
          },
        },
        {
          eventId: '5',
          eventTime: '2026-12-06T03:00:02Z',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
          activityTaskStartedEventAttributes: { attempt: 2 },
        },
        {
          eventId: '6',
          eventTime: '2026-12-06T03:00:02Z',
          eventType: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
          upsertWorkflowSearchAttributesEventAttributes: {
            searchAttributes: { indexedFields: { SnapcopyPhase: {}, SnapcopyProgress: {} } },
          },
        },
        {
          eventId: '7',
          eventTime: '2026-12-06T03:00:03Z',
          eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
          startChildWorkflowExecutionInitiatedEventAttributes: { workflowId: 'child-1' },
        },
        {
          eventId: '8',
          eventTime: '2026-12-06T03:00:04Z',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
          workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-3' },
        },
      ],
    };
    const found = toHistoryEvents(json);
    expect(found).toMatchObject({
      type: 'copySlots',
      runId: 'run-2',
      continuedTo: 'run-3',
      children: ['child-1'],
    });
    expect(found.events).toEqual([
      {
        id: 1,
        type: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        at: Date.parse('2026-12-06T03:00:00.000Z'),
        continuedFrom: 'run-1',
      },
      {
        id: 4,
        type: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        at: Date.parse('2026-12-06T03:00:01.500Z'),
        scheduledEventId: 2,
        startedEventId: 3,
        localActivityRetries: 2,
      },
      { id: 5, type: 'EVENT_TYPE_ACTIVITY_TASK_STARTED', at: Date.parse('2026-12-06T03:00:02Z'), attempt: 2 },
      {
        id: 6,
        type: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
        at: Date.parse('2026-12-06T03:00:02Z'),
        searchAttributes: ['SnapcopyPhase', 'SnapcopyProgress'],
      },
      {
        id: 7,
        type: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        at: Date.parse('2026-12-06T03:00:03Z'),
      },
      {
        id: 8,
        type: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
        at: Date.parse('2026-12-06T03:00:04Z'),
      },
    ]);
  });
});

describe('the scale table', () => {
  const side = (name: 'snapcopy' | 'peer', extra: Partial<SideResult> = {}): SideResult => ({
    side: name,
    copies: 24,
    started: 24,
    done: 24,
    errors: [],
    timedOut: false,
    measuredSeconds: 66,
    makespanSeconds: 66,
    physicalLimitSeconds: 60,
    makespanRatio: 1.1,
    utilisation: { sampled: 0.9, timeline: 0.9, peakInFlight: 24, samples: 60 },
    slots: { count: 24, allBusySeconds: 4.2 },
    detectionLagSeconds: { count: 24, p50: 1, p95: 2, max: 3 },
    lost: { count: 0, targets: [] },
    duplicated: { count: 0, targets: [] },
    awsCalls: { total: 100, perCopy: 4, perMinute: 90, byAction: {}, errors: {}, throttled: 3 },
    rdsRateLimit: true,
    timeline: [],
    ...extra,
  });

  it('shows the workers (the peer has none), slots busy, lost and duplicated, actions and task latency', () => {
    const [workers] = selectScenarios(['workers']);
    const text = renderScenario({
      scenario: withOverrides(workers!, { copies: 24, copySeconds: 10 }),
      snapcopy: side('snapcopy', {
        workers: { count: 3, killed: { pid: 7, atSeconds: 31.4 } },
        workerRss: { hwmMiB: 300, hwmReset: true, sumPeakMiB: 850 },
        history: {
          copyEvents: 24 * 40,
          copyRuns: 24,
          schedulerEvents: 80,
          schedulerRuns: 8,
          shareEvents: 0,
          shareRuns: 0,
          actions: { copy: 24 * 11, scheduler: 48, share: 0, byAction: {} },
          workflowTasks: {
            scheduledToCompleted: { count: 10, p50: 0.05, p99: 1.5, max: 2, overOneSecond: 2 },
            startedToCompleted: { count: 10, p50: 0.01, p99: 0.2, max: 0.3, overOneSecond: 0 },
            startedToCompletedWithoutLocal: { count: 6, p50: 0.01, p99: 0.1, max: 0.15, overOneSecond: 0 },
          },
          workflowTasksByKind: {},
          events: 24 * 40 + 80,
          perCopy: (24 * 40 + 80) / 24,
          actionsPerCopy: 13,
        },
      }),
      peer: side('peer'),
      temporalFloor: {
        workflows: 24,
        scheduledToCompleted: { count: 24, p50: 0.3, p99: 0.6, max: 0.7, overOneSecond: 0 },
        startedToCompleted: { count: 24, p50: 0.01, p99: 0.05, max: 0.06, overOneSecond: 0 },
      },
    });
    const line = (start: string) => text.split('\n').find((l) => l.startsWith(start));
    expect(line('worker processes')).toMatch(/3, 1 SIGKILLed at 31 s\s+none \(plain script\)$/);
    expect(line('RDS throttling')).toMatch(/on\s+on$/);
    expect(line('all 24 slots busy after (s)')).toMatch(/4\.2\s+4\.2\s+1\.00×\s+≤ 10 ✓$/);
    expect(line('copies lost')).toMatch(/0\s+0$/);
    expect(line('copies duplicated')).toMatch(/0\s+0$/);
    expect(line('billable actions per copy')).toMatch(/13\.0\s+–\s+–\s+≤ 15 ✓$/);
    expect(line('history events per copy')).toMatch(/43\.3\s+–\s+–\s+≤ 40 ✗$/);
    expect(line('workflow task latency p99 (s)')).toMatch(/1\.50\s+–\s+–$/);
    expect(line('workflow tasks over 1 s')).toMatch(/2\s+–\s+–$/);
    expect(line("  Temporal's floor: 24 no-op workflows, p99 (s)")).toMatch(/0\.60\s+–$/);
    expect(line('  snapcopy p99 ÷ the floor')).toMatch(/2\.50×\s+–$/);
    expect(line('  worker part max (s)')).toMatch(/0\.30\s+–\s+–$/);
    expect(line('  worker part p99, tasks without local activities (s)')).toMatch(/0\.10\s+–\s+–$/);
    expect(line('  all workers together (MiB)')).toMatch(/850\s+–\s+–$/);
    expect(line('  throttled')).toMatch(/3\s+3\s+1\.00×$/);
  });

  it('leaves the scale rows out of the other scenarios', () => {
    const [fleet] = selectScenarios(['fleet']);
    const text = renderScenario({ scenario: fleet!, snapcopy: side('snapcopy'), peer: side('peer') });
    for (const metric of [
      'worker processes',
      'all 24 slots',
      'copies lost',
      'billable actions',
      'workflow task',
    ])
      expect(text).not.toContain(metric);
  });
});
