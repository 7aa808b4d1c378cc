// The copy-slot book (src/workflows/slots/book.ts), the pure rules under the copySlots scheduler: examples,
// and property-based runs over random sequences of requests, releases, reclaims, looks at AWS and grants,
// checked step by step against a model of what each operation must do.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SlotEntry } from '../../src/shared/slots';
import { freshSlotsState, grantOrder, SlotBook } from '../../src/workflows/slots/book';

const T0 = Date.parse('2026-11-24T03:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const entry = (workflowId: string, priority: number, ms: number): SlotEntry => ({
  workflowId,
  priority,
  since: at(ms),
});
const book = (capacity = 2): SlotBook => new SlotBook(freshSlotsState('123456789012', 'us-west-2', capacity));
const ids = (es: readonly SlotEntry[]): string[] => es.map((e) => e.workflowId);

describe('SlotBook examples', () => {
  it('grants by priority, then by who asked first, whatever the arrival of the priorities', () => {
    const b = book(1);
    b.observeAws(1, at(0)); // the one slot is held by a copy snapcopy did not start
    // IDs sort the other way round from arrival, so only `since` can give the FIFO order.
    b.request(entry('p5-d', 5, 1));
    b.request(entry('p5-c', 5, 2));
    b.request(entry('p1-b', 1, 3));
    b.request(entry('p5-b', 5, 4));
    b.request(entry('p1-a', 1, 5));
    b.request(entry('p5-a', 5, 6));
    expect(b.grant(at(10))).toEqual([]);
    expect(ids(b.view().queue)).toEqual(['p1-b', 'p1-a', 'p5-d', 'p5-c', 'p5-b', 'p5-a']);
    expect(b.position('p5-d')).toBe(3);
    b.observeAws(0, at(20)); // the foreign copy finished
    const order: string[] = [];
    for (let t = 30; b.view().queue.length > 0; t += 10) {
      const granted = b.grant(at(t));
      expect(granted).toHaveLength(1);
      order.push(...ids(granted));
      b.release(granted[0]!.workflowId, 'done');
    }
    expect(order).toEqual(['p1-b', 'p1-a', 'p5-d', 'p5-c', 'p5-b', 'p5-a']);
  });

  it('breaks a tie of priority and time by workflow ID, so every replay grants the same copy', () => {
    const b = book(1);
    b.request(entry('copy-b', 3, 0));
    b.request(entry('copy-a', 3, 0));
    expect(ids(b.grant(at(1)))).toEqual(['copy-a']);
  });

  it('never grants a holder again, and answers `holding` when a holder asks again', () => {
    const b = book(2);
    b.request(entry('a', 3, 0));
    expect(ids(b.grant(at(1)))).toEqual(['a']);
    expect(b.request(entry('a', 3, 0))).toBe('holding');
    expect(b.grant(at(2))).toEqual([]);
    expect(b.view().holders).toEqual([{ workflowId: 'a', priority: 3, since: at(1) }]);
    expect(b.view().queue).toEqual([]);
  });

  it('keeps a waiter in its place when it asks again, even with another priority or time', () => {
    const b = book(0);
    b.request(entry('a', 3, 0));
    b.request(entry('b', 3, 1));
    const v = b.version;
    expect(b.request(entry('b', 1, 9))).toBe('waiting');
    expect(b.view().queue).toEqual([entry('a', 3, 0), entry('b', 3, 1)]);
    expect(b.version).toBe(v); // nothing changed: the scheduler need not wake
  });

  it('lowers the capacity to the holders left on a refusal, and a look at AWS restores it', () => {
    const b = book(5);
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) b.request(entry(id, 3, i));
    expect(b.grant(at(10))).toHaveLength(4);
    b.release('c', 'refused'); // two copies snapcopy did not start took the slots it counted on
    expect(b.view().capacity).toBe(3);
    b.release('d', 'refused');
    expect(b.view().capacity).toBe(2);
    // The refused copies ask again with their first time: ahead of a later arrival of the same priority.
    b.request(entry('e', 3, 5));
    b.request(entry('d', 3, 3));
    b.request(entry('c', 3, 2));
    expect(ids(b.view().queue)).toEqual(['c', 'd', 'e']);
    expect(b.grant(at(11))).toEqual([]);
    b.observeAws(4, at(12)); // a, b and two foreign copies in flight
    expect(b.view().capacity).toBe(3);
    expect(b.view().checkedAt).toBe(at(12));
    expect(ids(b.grant(at(13)))).toEqual(['c']);
    b.observeAws(3, at(14)); // the foreign copies are gone
    expect(b.view().capacity).toBe(5);
    expect(ids(b.grant(at(15)))).toEqual(['d', 'e']);
  });

  it('a refusal by a copy that no longer holds changes no capacity', () => {
    const b = book(3);
    b.request(entry('a', 3, 0));
    b.grant(at(1));
    b.release('ghost', 'refused');
    expect(b.view().capacity).toBe(3);
    b.release('a', 'done');
    b.release('a', 'refused');
    expect(b.view().capacity).toBe(3);
  });

  it('reclaims holders and waiters that closed, answering who lost their place', () => {
    const b = book(1);
    b.request(entry('a', 3, 0));
    b.request(entry('b', 3, 1));
    b.request(entry('c', 3, 2));
    b.grant(at(3));
    expect(b.reclaim(['a', 'c', 'never-seen'])).toEqual(['a', 'c']);
    expect(b.view().holders).toEqual([]);
    expect(ids(b.view().queue)).toEqual(['b']);
    expect(ids(b.grant(at(4)))).toEqual(['b']);
  });

  it('counts copies beyond its holders as foreign, never below 0 nor above the configured capacity', () => {
    const b = book(3);
    b.observeAws(7, at(0));
    expect(b.view().capacity).toBe(0);
    b.request(entry('a', 3, 0));
    b.observeAws(0, at(1));
    expect(b.view().capacity).toBe(3);
    b.grant(at(2));
    b.observeAws(1, at(3)); // that one is a's own copy
    expect(b.view().capacity).toBe(3);
  });

  it('answers a view that is a copy, not the live state', () => {
    const b = book(1);
    b.request(entry('a', 3, 0));
    const view = b.view();
    view.queue[0]!.priority = 1;
    view.queue.push(entry('x', 1, 0));
    expect(b.view().queue).toEqual([entry('a', 3, 0)]);
  });
});

// ---- property-based: random operation sequences checked against a model ----

const WORKFLOW_IDS = ['copy-a', 'copy-b', 'copy-c', 'copy-d', 'copy-e', 'copy-f', 'copy-g', 'copy-h'];

type Op =
  | { op: 'request'; id: number; priority: number; gap: number }
  | { op: 'release'; id: number; reason: 'done' | 'refused' }
  | { op: 'reclaim'; ids: number[] }
  | { op: 'observeAws'; inFlight: number }
  | { op: 'grant' };

const idArb = fc.integer({ min: 0, max: WORKFLOW_IDS.length - 1 });
/** `inFlightMax`: what AWS may report; AWS itself never counts more than its limit (the configured capacity). */
const opArb = (inFlightMax: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('request' as const),
        id: idArb,
        priority: fc.integer({ min: 1, max: 5 }),
        // 0: asks in the same millisecond as the one before (a tie broken by workflow ID).
        gap: fc.integer({ min: 0, max: 3 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('release' as const),
        id: idArb,
        reason: fc.constantFrom('done' as const, 'refused' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('reclaim' as const),
        ids: fc.uniqueArray(idArb, { maxLength: 3 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('observeAws' as const),
        inFlight: fc.integer({ min: 0, max: inFlightMax }),
      }),
    },
    { weight: 3, arbitrary: fc.constant({ op: 'grant' as const }) },
  );

interface Run {
  configured: number;
  ops: Op[];
}

const runArb = (inFlightMax: (configured: number) => number): fc.Arbitrary<Run> =>
  fc.integer({ min: 0, max: 5 }).chain((configured) =>
    fc.record({
      configured: fc.constant(configured),
      ops: fc.array(opArb(inFlightMax(configured)), { minLength: 1, maxLength: 80 }),
    }),
  );

/** What the book must be: who holds, and each copy's first request (a copy keeps its `since` when it asks again). */
interface Model {
  holders: Set<string>;
  asked: Map<string, { priority: number; since: string }>;
}

/** The state invariants that hold after every operation, whatever AWS reports. */
function checkShape(b: SlotBook, configured: number): void {
  const v = b.view();
  expect(v.configuredCapacity).toBe(configured);
  expect(v.capacity).toBeGreaterThanOrEqual(0);
  expect(v.capacity).toBeLessThanOrEqual(configured);
  expect(Number.isInteger(v.capacity)).toBe(true);
  const holders = ids(v.holders);
  const queue = ids(v.queue);
  expect(new Set(holders).size).toBe(holders.length);
  expect(new Set(queue).size).toBe(queue.length);
  expect(holders.filter((h) => queue.includes(h))).toEqual([]);
  expect([...v.queue].sort(grantOrder)).toEqual(v.queue);
  for (const [i, q] of v.queue.entries()) expect(b.position(q.workflowId)).toBe(i + 1);
  for (const h of holders) {
    expect(b.holds(h)).toBe(true);
    expect(b.position(h)).toBeUndefined();
  }
  expect(b.busy).toBe(holders.length + queue.length > 0);
}

/** A view without checkedAt: what the scheduler acts on (a change must bump the version, or it never wakes). */
function acted(b: SlotBook) {
  const { checkedAt: _checkedAt, ...rest } = b.view();
  return rest;
}

/**
 * Runs `ops` on a fresh book, checking each operation against the model and the invariants. `realistic`:
 * AWS never reports more copies in flight than its limit, so holders never exceed the capacity.
 */
function play({ configured, ops }: Run, realistic: boolean): { granted: SlotEntry[][] } {
  const b = book(configured);
  const model: Model = { holders: new Set(), asked: new Map() };
  let clock = 0;
  const grantedLog: SlotEntry[][] = [];
  for (const o of ops) {
    const before = b.view();
    const beforeActed = acted(b);
    const version = b.version;
    switch (o.op) {
      case 'request': {
        const workflowId = WORKFLOW_IDS[o.id]!;
        clock += o.gap;
        // As a copy does: a copy asking again (lost grant, refusal, new run) sends its first `since`.
        const first = model.asked.get(workflowId) ?? { priority: o.priority, since: at(clock) };
        const wasHolder = model.holders.has(workflowId);
        const wasAt = b.position(workflowId);
        const answer = b.request({ workflowId, ...first });
        model.asked.set(workflowId, first);
        expect(answer).toBe(wasHolder ? 'holding' : 'waiting');
        if (wasHolder || wasAt !== undefined) {
          // Asking again changes nothing: not the holders, not the place in the queue.
          expect(b.view()).toEqual(before);
          expect(b.version).toBe(version);
        } else {
          const me = b.view().queue.find((q) => q.workflowId === workflowId);
          expect(me).toEqual({ workflowId, ...first });
          // Its place: behind everyone it does not come before, ahead of everyone it does.
          const ahead = before.queue.filter((q) => grantOrder(q, me!) < 0).length;
          expect(b.position(workflowId)).toBe(ahead + 1);
          expect(b.view().holders).toEqual(before.holders);
        }
        break;
      }
      case 'release': {
        const workflowId = WORKFLOW_IDS[o.id]!;
        const wasHolder = model.holders.has(workflowId);
        b.release(workflowId, o.reason);
        model.holders.delete(workflowId);
        const v = b.view();
        expect(ids(v.holders)).toEqual(ids(before.holders).filter((h) => h !== workflowId));
        expect(v.queue).toEqual(before.queue.filter((q) => q.workflowId !== workflowId));
        expect(v.capacity).toBe(
          o.reason === 'refused' && wasHolder ? Math.min(before.capacity, v.holders.length) : before.capacity,
        );
        break;
      }
      case 'reclaim': {
        const closed = o.ids.map((i) => WORKFLOW_IDS[i]!);
        const known = new Set([...ids(before.holders), ...ids(before.queue)]);
        const lost = b.reclaim(closed);
        expect([...lost].sort()).toEqual(closed.filter((c) => known.has(c)).sort());
        for (const c of closed) model.holders.delete(c);
        const v = b.view();
        expect(ids(v.holders)).toEqual(ids(before.holders).filter((h) => !closed.includes(h)));
        expect(v.queue).toEqual(before.queue.filter((q) => !closed.includes(q.workflowId)));
        expect(v.capacity).toBe(before.capacity); // a closed copy is no refusal
        break;
      }
      case 'observeAws': {
        clock += 1;
        b.observeAws(o.inFlight, at(clock));
        const v = b.view();
        const foreign = Math.max(0, o.inFlight - before.holders.length);
        expect(v.capacity).toBe(Math.max(0, configured - foreign));
        expect(v.checkedAt).toBe(at(clock));
        expect(v.holders).toEqual(before.holders);
        expect(v.queue).toEqual(before.queue);
        break;
      }
      case 'grant': {
        clock += 1;
        const granted = b.grant(at(clock));
        grantedLog.push(granted);
        const v = b.view();
        // Nothing granted twice: never to a copy that holds.
        for (const g of granted) expect(model.holders.has(g.workflowId)).toBe(false);
        // Exactly the head of the queue, in grant order, as many as there is room for.
        const room = Math.max(0, before.capacity - before.holders.length);
        expect(granted.length).toBe(Math.min(room, before.queue.length));
        expect(ids(granted)).toEqual(ids(before.queue.slice(0, granted.length)));
        for (const g of granted) {
          expect(g.since).toBe(at(clock));
          expect(g.priority).toBe(model.asked.get(g.workflowId)!.priority);
        }
        // Nobody left waiting comes before someone granted (with their first `since`).
        for (const g of granted) {
          const first = { workflowId: g.workflowId, ...model.asked.get(g.workflowId)! };
          for (const q of v.queue) expect(grantOrder(first, q)).toBeLessThan(0);
        }
        // Never a grant beyond the capacity.
        if (granted.length > 0) expect(v.holders.length).toBeLessThanOrEqual(v.capacity);
        expect(v.holders.length).toBeLessThanOrEqual(Math.max(before.holders.length, v.capacity));
        expect(ids(v.holders)).toEqual([...ids(before.holders), ...ids(granted)]);
        for (const g of granted) model.holders.add(g.workflowId);
        break;
      }
    }
    checkShape(b, configured);
    expect(new Set(ids(b.view().holders))).toEqual(model.holders);
    if (realistic) expect(b.view().holders.length).toBeLessThanOrEqual(b.view().capacity);
    // A change the scheduler must act on always bumps the version it waits on.
    if (JSON.stringify(acted(b)) !== JSON.stringify(beforeActed)) expect(b.version).not.toBe(version);
  }
  return { granted: grantedLog };
}

describe('SlotBook properties', () => {
  it('holds its invariants over random requests, releases, reclaims, looks at AWS and grants', () => {
    fc.assert(
      fc.property(
        runArb((configured) => configured),
        (run) => {
          play(run, true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never grants beyond the capacity even when AWS reports more copies than its limit', () => {
    fc.assert(
      fc.property(
        runArb((configured) => configured + 6),
        (run) => {
          play(run, false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grants every copy in priority-then-arrival order when slots free one at a time', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            id: fc.string({ minLength: 1, maxLength: 6 }),
            priority: fc.integer({ min: 1, max: 5 }),
            ms: fc.integer({ min: 0, max: 50 }),
          }),
          { selector: (r) => r.id, minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 3 }),
        (requests, capacity) => {
          const b = book(capacity);
          b.observeAws(capacity, at(0)); // every slot held elsewhere while they all ask
          for (const r of requests) b.request(entry(r.id, r.priority, r.ms));
          expect(b.grant(at(100))).toEqual([]);
          b.observeAws(0, at(101));
          const order: string[] = [];
          for (let t = 200; b.busy; t++) {
            const granted = b.grant(at(t));
            order.push(...ids(granted));
            // The oldest holder finishes; a slot frees.
            b.release(b.view().holders[0]!.workflowId, 'done');
          }
          const expected = requests
            .map((r) => entry(r.id, r.priority, r.ms))
            .sort(grantOrder)
            .map((e) => e.workflowId);
          expect(order).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a refused copy that asks again gets its place back, ahead of later arrivals of its priority', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ priority: fc.integer({ min: 1, max: 5 }), gap: fc.integer({ min: 1, max: 5 }) }),
          { minLength: 2, maxLength: 10 },
        ),
        fc.nat(),
        (arrivals, pick) => {
          const b = book(arrivals.length);
          let t = 0;
          const requests = arrivals.map((a, i) => entry(`c${i}`, a.priority, (t += a.gap)));
          // The first half holds slots, the rest waits (as many slots as holders, none spare).
          const half = Math.ceil(requests.length / 2);
          for (const r of requests.slice(0, half)) b.request(r);
          b.grant(at(1000));
          b.observeAws(requests.length, at(1001)); // the rest of the slots is taken elsewhere
          for (const r of requests.slice(half)) b.request(r);
          const refused = requests[pick % half]!;
          b.release(refused.workflowId, 'refused');
          expect(b.view().capacity).toBe(half - 1);
          b.request(refused);
          const q = b.view().queue;
          const ahead = q.filter((e) => grantOrder(e, refused) < 0).map((e) => e.workflowId);
          expect(ids(q.slice(0, ahead.length))).toEqual(ahead);
          expect(b.position(refused.workflowId)).toBe(ahead.length + 1);
          for (const later of requests.slice(half))
            if (later.priority === refused.priority)
              expect(b.position(refused.workflowId)!).toBeLessThan(b.position(later.workflowId)!);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SlotBook.observeAws while holders leave', () => {
  it('does not take a copy whose holder gave its slot back during the look for someone else’s', () => {
    const book = new SlotBook(freshSlotsState('123456789012', 'us-west-2', 2));
    book.request({ workflowId: 'a', priority: 3, since: '2026-12-01T00:00:00.000Z' });
    book.request({ workflowId: 'b', priority: 3, since: '2026-12-01T00:00:01.000Z' });
    book.grant('2026-12-01T00:00:02.000Z');
    const ours = book.getState().holders.length;
    // AWS counted both copies; a's copy finished and a gave its slot back before the answer arrived.
    book.release('a', 'done');
    book.observeAws(2, '2026-12-01T00:03:00.000Z', ours);
    expect(book.view().capacity).toBe(2);
  });
});
