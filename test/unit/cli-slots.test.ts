// `snapcopy slots` (render and report against a fake Temporal) and a waiting copy's live queue position.
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { NO_SCHEDULER, capacityLine, renderSlots } from '../../src/cli/commands/slots/render';
import {
  SLOTS_VISIBILITY_QUERY,
  checkRegion,
  slotsReport,
  type SlotsSource,
} from '../../src/cli/commands/slots/report';
import { progressLine } from '../../src/cli/commands/status/render';
import { describePhase } from '../../src/cli/progress-view';
import { positionIn, withLivePosition } from '../../src/cli/slot-position';
import { slotsWorkflowId, type SlotsView } from '../../src/shared/slots';
import type { Progress } from '../../src/shared/types';

const ACCOUNT = '123456789012';

const view = (over: Partial<SlotsView> = {}): SlotsView => ({
  accountId: ACCOUNT,
  region: 'us-west-2',
  capacity: 5,
  configuredCapacity: 5,
  holders: [],
  queue: [],
  ...over,
});

const entry = (workflowId: string, priority = 3, since = '2026-11-24T03:00:00.000Z') => ({
  workflowId,
  priority,
  since,
});

function fakeSource(views: SlotsView[], failing: string[] = []): SlotsSource & { queries: string[] } {
  const byId = new Map(views.map((v) => [slotsWorkflowId(v.accountId, v.region), v]));
  const queries: string[] = [];
  return {
    queries,
    async *list(query) {
      queries.push(query);
      for (const id of [...byId.keys(), ...failing]) yield await Promise.resolve(id);
    },
    query(workflowId) {
      const v = byId.get(workflowId);
      return v ? Promise.resolve(v) : Promise.reject(new Error('query timed out'));
    },
  };
}

describe('snapcopy slots: render', () => {
  it('says so in one line when no scheduler runs', () => {
    expect(renderSlots([])).toBe(NO_SCHEDULER);
    expect(NO_SCHEDULER.split('\n')).toHaveLength(1);
  });

  it('shows capacity, holders and the queue in grant order with positions', () => {
    const text = renderSlots([
      view({
        holders: [entry('snapcopy-us-west-2-a', 3, '2026-11-24T03:00:01.000Z')],
        queue: [entry('snapcopy-us-west-2-p1', 1), entry('snapcopy-us-west-2-b', 3)],
      }),
    ]);
    expect(text).toMatch(/^us-west-2 \(account 123456789012\): 1 of 5 slots in use, 2 copies waiting/);
    expect(text).toMatch(
      /HOLDER\s+PRIORITY\s+HELD SINCE\n\s+snapcopy-us-west-2-a\s+3\s+2026-11-24 03:00:01Z/,
    );
    const lines = text.split('\n');
    const p1 = lines.findIndex((l) => l.includes('snapcopy-us-west-2-p1'));
    const b = lines.findIndex((l) => l.includes('snapcopy-us-west-2-b'));
    expect(lines[p1]).toMatch(/^\s+1\s+snapcopy-us-west-2-p1\s+1\s+2026-11-24 03:00:00Z$/);
    expect(lines[b]).toMatch(/^\s+2\s+snapcopy-us-west-2-b\s+3\s/);
  });

  it('notes a capacity that AWS-side copies lowered, and when AWS was last asked', () => {
    const line = capacityLine(
      view({ capacity: 3, configuredCapacity: 5, checkedAt: '2026-11-24T03:05:00.000Z' }),
    );
    expect(line).toBe(
      '0 of 3 slots in use (capacity 3 of 5 configured: AWS counts copies snapcopy did not start), ' +
        '0 copies waiting; AWS checked 2026-11-24 03:05:00Z',
    );
    expect(capacityLine(view())).toBe('0 of 5 slots in use, 0 copies waiting');
  });

  it('separates schedulers of several Regions', () => {
    const text = renderSlots([view(), view({ region: 'eu-west-1' })]);
    expect(text.split('\n\n')).toHaveLength(2);
  });
});

describe('snapcopy slots: report', () => {
  it('lists running copySlots workflows and queries each, ordered by account and Region', async () => {
    const source = fakeSource([view({ region: 'us-west-2' }), view({ region: 'eu-west-1' })]);
    const report = await slotsReport(source);
    expect(source.queries).toEqual([SLOTS_VISIBILITY_QUERY]);
    expect(SLOTS_VISIBILITY_QUERY).toBe("WorkflowType = 'copySlots' AND ExecutionStatus = 'Running'");
    expect(report.schedulers.map((s) => s.region)).toEqual(['eu-west-1', 'us-west-2']);
    expect(report.unanswered).toEqual([]);
  });

  it('keeps only the Region asked for (by workflow ID, without querying the others)', async () => {
    const source = fakeSource(
      [view({ region: 'us-west-2' }), view({ region: 'us-west-1' })],
      ['snapcopy-slots-999999999999-eu-west-1'],
    );
    const report = await slotsReport(source, 'us-west-2');
    expect(report.schedulers.map((s) => s.region)).toEqual(['us-west-2']);
    expect(report.unanswered).toEqual([]);
  });

  it('reports a scheduler that does not answer, and the others all the same', async () => {
    const report = await slotsReport(fakeSource([view()], ['snapcopy-slots-1-eu-west-1']));
    expect(report.schedulers).toHaveLength(1);
    expect(report.unanswered).toEqual([
      { workflowId: 'snapcopy-slots-1-eu-west-1', error: 'query timed out' },
    ]);
  });

  it('answers no scheduler as an empty list', async () => {
    expect(await slotsReport(fakeSource([]))).toEqual({ schedulers: [], unanswered: [] });
  });

  it('checks --target-region before connecting', () => {
    expect(checkRegion(undefined)).toBeUndefined();
    expect(checkRegion('us-west-2')).toBe('us-west-2');
    expect(() => checkRegion('not a region')).toThrow(/--target-region/);
  });
});

describe('a waiting copy’s place in the queue', () => {
  const waiting = (over: Partial<Progress> = {}): Progress => ({
    phase: 'waiting-for-slot',
    targetRegion: 'us-west-2',
    targetIdentifier: 'prod-1-dr',
    percent: 0,
    polls: 0,
    runs: 1,
    pruned: [],
    retired: [],
    slotWaits: 0,
    cancelRequested: false,
    ...over,
  });
  const ID = 'snapcopy-us-west-2-prod-1-dr';
  const SLOTS_ID = slotsWorkflowId(ACCOUNT, 'us-west-2');

  /** A client whose workflows answer only the scheduler's slots query. */
  const clientWith = (answer: () => Promise<SlotsView>) =>
    ({
      withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
      workflow: {
        getHandle: (id: string) => ({
          query: () => (id === SLOTS_ID ? answer() : Promise.reject(new Error(`no ${id}`))),
        }),
      },
    }) as unknown as Client;

  it('is shown as the position while waiting, the attempts for a copy without one', () => {
    expect(describePhase(waiting({ queuePosition: 3 }))).toBe('waiting for a copy slot (position 3)');
    expect(describePhase(waiting({ slotWaits: 2 }))).toBe('waiting for a copy slot (2)');
    expect(progressLine(waiting({ queuePosition: 1 }))).toBe('waiting for a copy slot (position 1), 0%');
  });

  it('counts from 1 in grant order', () => {
    const v = { queue: [entry('a'), entry(ID), entry('c')] };
    expect(positionIn(v, ID)).toBe(2);
    expect(positionIn(v, 'nobody')).toBeUndefined();
  });

  it('is the live one from the scheduler when it answers, the copy’s own otherwise', async () => {
    const live = clientWith(() => Promise.resolve(view({ queue: [entry(ID)] })));
    const p = waiting({ queuePosition: 4, slotsWorkflowId: SLOTS_ID });
    expect((await withLivePosition(live, ID, p)).queuePosition).toBe(1);

    const silent = clientWith(() => Promise.reject(new Error('no worker')));
    expect((await withLivePosition(silent, ID, p)).queuePosition).toBe(4);

    const granted = clientWith(() => Promise.resolve(view({ holders: [entry(ID)] })));
    expect((await withLivePosition(granted, ID, p)).queuePosition).toBe(4);
  });

  it('asks no scheduler when the copy is not waiting or names none', async () => {
    const never = clientWith(() => Promise.reject(new Error('must not be asked')));
    const copying = waiting({ phase: 'copying', slotsWorkflowId: SLOTS_ID });
    expect(await withLivePosition(never, ID, copying)).toBe(copying);
    const older = waiting({ queuePosition: 2 });
    expect(await withLivePosition(never, ID, older)).toBe(older);
  });
});
