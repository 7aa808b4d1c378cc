// The copySlots scheduler with real copies, on the real time-skipping Temporal test server: real workers
// run the copy workflows and the scheduler, the copy-slot activities talk to the test server, and the AWS
// activities are the in-memory AWS (test/helpers/fake-aws.ts). env.sleep skips workflow time.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTemporalActivities } from '../../src/activities';
import type { StartCopyInput } from '../../src/activities/types';
import { progressQuery } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import { slotsQuery, slotsWorkflowId, type SlotsView } from '../../src/shared/slots';
import type { CopyDbClusterSnapshotInput, Progress } from '../../src/shared/types';
import { cancelSignal, copyDbClusterSnapshot } from '../../src/workflows';
import { ACCOUNT, FakeAws } from '../helpers/fake-aws';
import { createTimeSkippingEnv, timeSkippingWorkflowBundle } from '../helpers/temporal';
import { waitFor, waitForProgress } from '../helpers/wait';

let env: TestWorkflowEnvironment;

// A server per test: each test skips time on its own, and a scheduler or a pending result of one test
// (the time-skipping server counts them to decide when to skip) cannot hold up the next.
beforeAll(async () => {
  await timeSkippingWorkflowBundle();
});

beforeEach(async () => {
  env = await createTimeSkippingEnv();
  await timeSkippingWorkflowBundle();
});

afterEach(async () => {
  await env?.teardown();
});

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const REGION = 'us-west-2';
const SCHEDULER = slotsWorkflowId(ACCOUNT, REGION);

type CopyHandle = WorkflowHandleWithFirstExecutionRunId<typeof copyDbClusterSnapshot>;

/** What the test sees of every successful start: who, when (workflow time), and how many copies were copying. */
interface Started {
  workflowId: string;
  target: string;
  at: number;
  /** Every copy copying in the Region, foreign ones included. */
  copying: number;
  /** Of those, snapcopy's (copies of the `prod` cluster; foreign ones are of `other`). */
  own: number;
}

interface Harness {
  taskQueue: string;
  started: Started[];
  refused: string[];
  handles: CopyHandle[];
  /** `source`: how the copy names its source (default: the prod snapshot's ARN). */
  start(target: string, priority?: number, source?: Partial<CopyDbClusterSnapshotInput>): Promise<CopyHandle>;
}

interface HarnessOptions {
  /** Slots per account and Region of the schedulers this worker starts (default: AWS's 5). */
  capacity?: number;
  /** Copy duration for the nth successful start (default: aws.copyDurationMs for every copy). */
  durationOf?: (n: number) => number;
}

function newAws(): FakeAws {
  const aws = new FakeAws(() => env.currentTimeMs());
  aws.addSnapshot({ region: 'us-east-1', identifier: 'prod-2026-11-20', cluster: 'prod' });
  return aws;
}

/** Copies in flight in the destination Region now, as AWS counts them: all, and snapcopy's own. */
async function copyingNow(aws: FakeAws): Promise<{ copying: number; own: number }> {
  let copying = 0;
  let own = 0;
  const now = await env.currentTimeMs();
  for (const s of aws.snapshots.values()) {
    if (s.region !== REGION || !s.copy || s.deletedAt !== undefined) continue;
    const done = now >= s.copy.startedAt + s.copy.queueMs + s.copy.durationMs;
    if (s.status !== 'copying' || done) continue;
    copying++;
    if (s.cluster === 'prod') own++;
  }
  return { copying, own };
}

/**
 * Runs `fn` with a worker on a fresh task queue (copies and their scheduler), whose startCopy records
 * every successful start with the number of copies copying right after it. Ends the scheduler and every
 * copy still running afterwards, so the next test starts from nothing.
 */
async function withWorker<T>(
  aws: FakeAws,
  fn: (h: Harness) => Promise<T>,
  { capacity, durationOf }: HarnessOptions = {},
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const activities = aws.activities(
    createTemporalActivities({
      client: () => Promise.resolve(env.client),
      ...(capacity !== undefined ? { capacity } : {}),
    }),
  );
  const harness: Harness = {
    taskQueue,
    started: [],
    refused: [],
    handles: [],
    async start(target, priority, source) {
      const input: CopyDbClusterSnapshotInput = {
        SourceDBClusterSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:prod-2026-11-20`,
        TargetDBClusterSnapshotIdentifier: target,
        SourceRegion: 'us-east-1',
        TargetRegion: REGION,
        ...source,
        ...(priority !== undefined ? { options: { priority } } : {}),
      };
      const handle = await env.client.workflow.start(copyDbClusterSnapshot, {
        taskQueue,
        workflowId: defaultWorkflowId(REGION, target),
        args: [input],
      });
      harness.handles.push(handle);
      return handle;
    },
  };
  const startCopy = activities.startCopy;
  activities.startCopy = async (input: StartCopyInput) => {
    if (durationOf) aws.copyDurationMs = durationOf(harness.started.length);
    try {
      const result = await startCopy(input);
      harness.started.push({
        workflowId: input.workflowId,
        target: input.targetIdentifier,
        at: await env.currentTimeMs(),
        ...(await copyingNow(aws)),
      });
      return result;
    } catch (err) {
      harness.refused.push(input.workflowId);
      throw err;
    }
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await timeSkippingWorkflowBundle(),
    activities,
  });
  try {
    return await worker.runUntil(fn(harness));
  } finally {
    for (const h of [...harness.handles, env.client.workflow.getHandle(SCHEDULER)]) {
      await h.terminate('test over').catch(() => undefined);
    }
  }
}

/**
 * The scheduler's `slots`. Only a running scheduler is asked: a closed one (the last test's) would need
 * a worker on a task queue nobody polls any more to answer.
 */
async function slots(): Promise<SlotsView> {
  const handle = env.client.workflow.getHandle(SCHEDULER);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') throw new Error(`the scheduler is ${status.name}`);
  return handle.query(slotsQuery);
}

/** Queries the scheduler until `predicate` holds; answers that view. */
function slotsUntil(what: string, predicate: (v: SlotsView) => boolean): Promise<SlotsView> {
  return waitFor(what, async () => {
    const v = await slots();
    if (!predicate(v)) throw new Error(`slots are ${JSON.stringify(v)}`);
    return v;
  });
}

const idOf = (target: string) => defaultWorkflowId(REGION, target);
const queueIds = (v: SlotsView) => v.queue.map((q) => q.workflowId);
const holderIds = (v: SlotsView) => v.holders.map((h) => h.workflowId);
const listed = (v: SlotsView, target: string) => [...queueIds(v), ...holderIds(v)].includes(idOf(target));

/** Starts a copy and waits until the scheduler has it (so the next one asks later: FIFO is defined). */
async function startListed(h: Harness, target: string, priority?: number): Promise<CopyHandle> {
  const handle = await h.start(target, priority);
  await slotsUntil(`${target} never reached the scheduler`, (v) => listed(v, target));
  return handle;
}

/** A copy snapcopy did not start (AWS Backup, a person), copying in the destination Region until `endsAt`. */
async function addForeignCopy(aws: FakeAws, identifier: string, endsInMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  aws.addSnapshot({
    region: REGION,
    identifier,
    cluster: 'other',
    status: 'copying',
    createdAt: now,
    copy: { startedAt: now, queueMs: 0, durationMs: endsInMs, sourceKey: 'us-east-1/prod-2026-11-20' },
  });
}

/**
 * The copies' results, one after the other: the time-skipping client unlocks time for each result it
 * awaits, and concurrent awaits unbalance the test server's lock.
 */
async function resultsOf(handles: readonly CopyHandle[]) {
  const results = [];
  for (const h of handles) results.push(await h.result());
  return results;
}

async function historyLength(handle: WorkflowHandle): Promise<number> {
  return (await handle.fetchHistory()).events?.length ?? 0;
}

const waitingForSlot = (p: Progress) => p.phase === 'waiting-for-slot';

describe('copySlots with real copies', () => {
  it('grants by priority, then in arrival order, as slots held by foreign copies free one by one', async () => {
    const aws = newAws();
    aws.copyDurationMs = 2 * HOUR;
    // AWS's 5 slots are held by copies snapcopy did not start, ending 10 minutes apart.
    for (let i = 0; i < 5; i++) await addForeignCopy(aws, `backup-${i}`, (20 + 10 * i) * MINUTE);
    const { started, results } = await withWorker(aws, async (h) => {
      // Workflow IDs sort against arrival, so only the arrival order can give the FIFO order.
      for (const t of ['p5-d', 'p5-c', 'p5-b', 'p5-a']) await startListed(h, t, 5);
      for (const t of ['p1-b', 'p1-a']) await startListed(h, t, 1);
      // Every granted start is refused while the foreign copies hold the Region: all six end up waiting.
      const full = await slotsUntil(
        'the six copies never all waited',
        (v) => v.queue.length === 6 && v.capacity === 0,
      );
      expect(queueIds(full)).toEqual(['p1-b', 'p1-a', 'p5-d', 'p5-c', 'p5-b', 'p5-a'].map(idOf));
      expect(full.holders).toEqual([]);
      const results = await resultsOf(h.handles);
      return { started: h.started, results };
    });
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    expect(started.map((s) => s.target)).toEqual(['p1-b', 'p1-a', 'p5-d', 'p5-c', 'p5-b', 'p5-a']);
    // AWS's limit was never passed (the refused starts created nothing).
    for (const s of started) expect(s.copying).toBeLessThanOrEqual(5);
  });

  it('drops a copy cancelled while waiting from the queue; the others keep their order and copy', async () => {
    const aws = newAws();
    aws.copyDurationMs = 20 * MINUTE;
    aws.foreignCopiesUntil = (await env.currentTimeMs()) + 10 * HOUR;
    const { results, after } = await withWorker(aws, async (h) => {
      for (const t of ['w-1', 'w-2', 'w-3']) await startListed(h, t);
      await slotsUntil('the three copies never all waited', (v) => v.queue.length === 3);
      const [w1, w2, w3] = h.handles as [CopyHandle, CopyHandle, CopyHandle];
      await waitForProgress(w2, waitingForSlot);
      await w2.signal(cancelSignal, { reason: 'not this one' });
      const cancelled = await w2.result();
      expect(cancelled.summary.outcome).toBe('cancelled');
      const after = await slots();
      aws.foreignCopiesUntil = 0; // the foreign copies end: the next look at AWS frees the slots
      const results = await resultsOf([w1, w3]);
      return { results, after };
    });
    expect(queueIds(after)).toEqual([idOf('w-1'), idOf('w-3')]);
    expect(after.holders).toEqual([]);
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    expect(aws.get(REGION, 'w-2')).toBeUndefined();
    expect(aws.get(REGION, 'w-1')?.status).toBe('available');
    expect(aws.get(REGION, 'w-3')?.status).toBe('available');
  });

  it('gives the slot of a copy cancelled while copying to the next waiting copy at once', async () => {
    const aws = newAws();
    aws.copyLimit = 2;
    aws.copyDurationMs = 10 * HOUR;
    const { view, h2Copying } = await withWorker(
      aws,
      async (h) => {
        const h1 = await h.start('h-1');
        const h2 = await h.start('h-2');
        await waitForProgress(h1, (p) => p.phase === 'copying');
        await waitForProgress(h2, (p) => p.phase === 'copying');
        const h3 = await h.start('h-3');
        await waitForProgress(h3, waitingForSlot);
        await slotsUntil('h-3 never waited', (v) => queueIds(v).includes(idOf('h-3')));
        const looks = aws.callsOf('countCopiesInFlight').length;
        await h1.signal(cancelSignal, { reason: 'wrong one' });
        // No time skipped (no result awaited): the slot goes to h-3 when h-1 gives it back, not at a
        // later look at AWS.
        await waitForProgress(h1, (p) => p.phase === 'cancelled');
        await waitForProgress(h3, (p) => p.phase === 'copying');
        const view = await slots();
        const h2Copying = await h2.query(progressQuery);
        expect(aws.callsOf('countCopiesInFlight')).toHaveLength(looks);
        const cancelled = await h1.result();
        expect(cancelled.summary.outcome).toBe('cancelled');
        expect(cancelled.summary.targetDeleted).toBe(true);
        return { view, h2Copying };
      },
      { capacity: 2 },
    );
    expect(holderIds(view).sort()).toEqual([idOf('h-2'), idOf('h-3')].sort());
    expect(view.queue).toEqual([]);
    expect(h2Copying.phase).toBe('copying');
    expect(aws.get(REGION, 'h-1')).toBeUndefined();
  });

  it('reclaims the slot of a terminated holder within minutes, and the queue drains', async () => {
    const aws = newAws();
    aws.copyLimit = 2;
    aws.copyDurationMs = HOUR;
    const { seen, results, h3Start, h2Start } = await withWorker(
      aws,
      async (h) => {
        const h1 = await h.start('t-1');
        const h2 = await h.start('t-2');
        await waitForProgress(h1, (p) => p.phase === 'copying');
        await waitForProgress(h2, (p) => p.phase === 'copying');
        const h3 = await h.start('t-3');
        await waitForProgress(h3, waitingForSlot);
        await h1.terminate('operator');
        // A few minutes later the scheduler has looked: t-1 lost its slot, but its copy still runs in
        // AWS (a terminated workflow stops nothing there), so that slot stays taken.
        await env.sleep('4m');
        const seen = await slotsUntil(
          't-1 was never reclaimed',
          (v) => !holderIds(v).includes(idOf('t-1')) && v.capacity === 1,
        );
        // The orphaned copy is deleted (by a person): the next look gives its slot to t-3.
        aws.snapshots.delete(`${REGION}/t-1`);
        await env.sleep('4m');
        await waitForProgress(h3, (p) => p.phase === 'copying');
        const results = await resultsOf([h2, h3]);
        const startOf = (t: string) => h.started.find((s) => s.target === t)!.at;
        return { seen, results, h3Start: startOf('t-3'), h2Start: startOf('t-2') };
      },
      { capacity: 2 },
    );
    expect(holderIds(seen)).toEqual([idOf('t-2')]);
    expect(queueIds(seen)).toEqual([idOf('t-3')]);
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    // t-3 started long before t-2's hour-long copy ended: it got t-1's slot, not t-2's.
    expect(h3Start - h2Start).toBeLessThan(30 * MINUTE);
  });

  it('lowers its capacity for a foreign copy started in AWS, and the queue still drains', async () => {
    const aws = newAws();
    aws.copyLimit = 3;
    aws.copyDurationMs = HOUR;
    const t0 = await env.currentTimeMs();
    await addForeignCopy(aws, 'hand-made-copy', 90 * MINUTE);
    const { lowered, results, started, refused } = await withWorker(
      aws,
      async (h) => {
        for (const t of ['f-1', 'f-2', 'f-3', 'f-4', 'f-5']) await startListed(h, t);
        const lowered = await slotsUntil(
          'the scheduler never lowered its capacity for the foreign copy',
          (v) => v.capacity === 2 && v.holders.length === 2 && v.queue.length === 3,
        );
        const results = await resultsOf(h.handles);
        return { lowered, results, started: h.started, refused: h.refused };
      },
      { capacity: 3 },
    );
    expect(lowered.configuredCapacity).toBe(3);
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    expect(started).toHaveLength(5);
    expect(refused.length).toBeGreaterThanOrEqual(1); // the start that met the foreign copy
    for (const s of started) expect(s.copying).toBeLessThanOrEqual(3);
    // While the foreign copy ran, at most two of ours copied; once it ended, a look at AWS gave its
    // slot back: three of ours copied at once, before the two then copying had ended.
    const foreignEnd = t0 + 90 * MINUTE;
    for (const s of started.filter((s) => s.at < foreignEnd)) expect(s.own).toBeLessThanOrEqual(2);
    const three = started.filter((s) => s.own === 3);
    expect(three).toHaveLength(1);
    expect(three[0]!.at).toBeGreaterThanOrEqual(foreignEnd);
  });

  it('never has more copies copying than its capacity over a run of 12 copies', async () => {
    const aws = newAws();
    aws.copyLimit = 100; // only the scheduler keeps the count down
    const durations = [25, 40, 10, 55, 30, 15, 45, 20, 35, 50, 12, 28].map((m) => m * MINUTE);
    const { started, refused, results } = await withWorker(
      aws,
      async (h) => {
        for (let i = 0; i < 12; i++) await h.start(`run-${String(i).padStart(2, '0')}`, 1 + (i % 5));
        const results = await resultsOf(h.handles);
        return { started: h.started, refused: h.refused, results };
      },
      { capacity: 3, durationOf: (n) => durations[n % durations.length]! },
    );
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    expect(refused).toEqual([]);
    expect(started).toHaveLength(12);
    expect(new Set(started.map((s) => s.workflowId)).size).toBe(12);
    for (const s of started) expect(s.copying).toBeLessThanOrEqual(3);
    expect(Math.max(...started.map((s) => s.copying))).toBe(3);
  });

  it('waits for its next look at AWS on one timer per interval, not a timer per request or release', async () => {
    const aws = newAws();
    aws.copyLimit = 100;
    const { results, timers, cancelled, minutes } = await withWorker(
      aws,
      async (h) => {
        const t0 = await env.currentTimeMs();
        for (let i = 0; i < 10; i++) await h.start(`tick-${i}`);
        const results = await resultsOf(h.handles);
        const minutes = ((await env.currentTimeMs()) - t0) / MINUTE;
        const events = (await env.client.workflow.getHandle(SCHEDULER).fetchHistory()).events ?? [];
        return {
          results,
          minutes,
          timers: events.filter((e) => e.timerStartedEventAttributes).length,
          cancelled: events.filter((e) => e.timerCanceledEventAttributes).length,
        };
      },
      { capacity: 1, durationOf: () => 2 * MINUTE },
    );
    for (const r of results) expect(r.summary.outcome).toBe('copied');
    // Ten copies one after the other: 30 requests, grants and releases, and about 20 minutes of waiting.
    expect(minutes).toBeGreaterThanOrEqual(18);
    expect(cancelled).toBe(0);
    expect(timers).toBeLessThanOrEqual(Math.ceil(minutes / 3) + 2);
  });

  it('adds no history event to a waiting copy while it waits', async () => {
    const aws = newAws();
    aws.copyDurationMs = 20 * MINUTE;
    aws.foreignCopiesUntil = (await env.currentTimeMs()) + 3 * HOUR;
    const { before, after, looks, results } = await withWorker(aws, async (h) => {
      for (const t of ['q-1', 'q-2', 'q-3']) await startListed(h, t);
      await slotsUntil('the copies never all waited', (v) => v.queue.length === 3 && v.capacity === 0);
      for (const c of h.handles) await waitForProgress(c, waitingForSlot);
      const before = await Promise.all(h.handles.map(historyLength));
      const looksBefore = aws.callsOf('countCopiesInFlight').length;
      await env.sleep('1h');
      const still = await slots();
      expect(queueIds(still)).toEqual(['q-1', 'q-2', 'q-3'].map(idOf));
      for (const c of h.handles) expect((await c.query(progressQuery)).phase).toBe('waiting-for-slot');
      const after = await Promise.all(h.handles.map(historyLength));
      const looks = aws.callsOf('countCopiesInFlight').length - looksBefore;
      const results = await resultsOf(h.handles);
      return { before, after, looks, results };
    });
    expect(after).toEqual(before);
    // The hour passed for the scheduler: it looked at AWS every few minutes meanwhile.
    expect(looks).toBeGreaterThanOrEqual(10);
    for (const r of results) expect(r.summary.outcome).toBe('copied');
  });

  it('a waiting copy makes no AWS call whatever its source form (ARN, name, rds: name, cluster), and describes its source only once it has its slot', async () => {
    const aws = newAws();
    aws.addSnapshot({ region: 'us-east-1', identifier: 'rds:prod-2026-11-21-03-00', cluster: 'prod' });
    aws.copyDurationMs = 2 * HOUR;
    const reads = () =>
      aws.calls.filter((c) => ['describeSourceSnapshot', 'findLatestClusterSnapshot'].includes(c.name));
    const forms: [string, Partial<CopyDbClusterSnapshotInput>][] = [
      ['f-name', { SourceDBClusterSnapshotIdentifier: 'prod-2026-11-20' }],
      ['f-automated', { SourceDBClusterSnapshotIdentifier: 'rds:prod-2026-11-21-03-00' }],
      ['f-cluster', { SourceDBClusterSnapshotIdentifier: undefined, SourceDBClusterIdentifier: 'prod' }],
    ];
    const { readsWhileQueued, whileWaiting, results } = await withWorker(
      aws,
      async (h) => {
        // One slot, held by a copy by ARN; then a copy of each other form queues behind it.
        await h.start('f-arn');
        await slotsUntil('f-arn never held the slot', (v) => holderIds(v).includes(idOf('f-arn')));
        for (const [t, source] of forms) await h.start(t, undefined, source);
        await slotsUntil('the copies never all waited', (v) => v.queue.length === forms.length);
        for (const c of h.handles.slice(1)) await waitForProgress(c, waitingForSlot);
        const readsWhileQueued = reads().length;
        const before = aws.calls.length;
        await env.sleep('1h');
        // The scheduler looks at AWS for all of them now and then; the waiting copies make no call.
        const whileWaiting = aws.calls.slice(before).filter((c) => c.name !== 'countCopiesInFlight');
        const results = await resultsOf(h.handles);
        // Every copy gave its slot back, the one that found its snapshot already copied included.
        expect((await slots()).holders).toEqual([]);
        return { readsWhileQueued, whileWaiting, results };
      },
      { capacity: 1 },
    );
    expect(readsWhileQueued).toBe(1); // the holder's only
    // Only the holder's polls of its own target.
    expect(
      new Set(whileWaiting.map((c) => `${c.name} ${(c.input as { identifier?: string }).identifier}`)),
    ).toEqual(new Set(['followTargetSnapshot f-arn']));
    // The cluster's newest snapshot is the automated one, which f-automated copied just before.
    expect(results.map((r) => r.summary.outcome)).toEqual(['copied', 'copied', 'copied', 'already-present']);
    expect(reads()).toHaveLength(1 + forms.length); // once each, after its slot
  });

  it('a copy that waited for its slot no longer says so once it copies', async () => {
    const aws = newAws();
    aws.copyDurationMs = 30 * MINUTE;
    const { waiting, copying } = await withWorker(
      aws,
      async (h) => {
        await h.start('m-1');
        await slotsUntil('m-1 never held the slot', (v) => holderIds(v).includes(idOf('m-1')));
        const second = await h.start('m-2');
        const waiting = await waitForProgress(second, waitingForSlot);
        await h.handles[0]!.result(); // time passes until m-1 is done and hands its slot on
        const copying = await waitForProgress(second, (p) => p.phase === 'copying');
        await resultsOf(h.handles);
        return { waiting, copying };
      },
      { capacity: 1 },
    );
    // The live place is the scheduler's (the CLI asks it): asking never waits for the scheduler to answer.
    expect(waiting.message).toBe(`waiting for a copy slot in ${REGION}`);
    expect(copying.message).toBeUndefined();
  });

  it('continues as new with a full queue, losing nobody and keeping the order', async () => {
    const aws = newAws();
    aws.copyDurationMs = 30 * MINUTE;
    aws.foreignCopiesUntil = (await env.currentTimeMs()) + 1000 * HOUR;
    const { firstRunEnd, before, after, lengths, results, runs } = await withWorker(aws, async (h) => {
      const plan: [string, number][] = [
        ['can-1', 3],
        ['can-2', 5],
        ['can-3', 1],
        ['can-4', 3],
        ['can-5', 2],
        ['can-6', 1],
        ['can-7', 4],
      ];
      for (const [t, p] of plan) await startListed(h, t, p);
      const before = await slotsUntil(
        'the copies never all waited',
        (v) => v.queue.length === plan.length && v.capacity === 0,
      );
      for (const c of h.handles) await waitForProgress(c, waitingForSlot);
      const lengths = await Promise.all(h.handles.map(historyLength));
      const scheduler = env.client.workflow.getHandle(SCHEDULER);
      const firstRunId = (await scheduler.describe()).runId;
      // The scheduler looks at AWS every 3 minutes while copies wait: hours of that fill a run's history.
      let runs = 1;
      for (let hours = 0; runs === 1 && hours < 40; hours += 2) {
        await env.sleep('2h');
        if ((await scheduler.describe()).runId !== firstRunId) runs++;
      }
      const firstRun = await env.client.workflow.getHandle(SCHEDULER, firstRunId).fetchHistory();
      const after = await slots();
      const lengthsAfter = await Promise.all(h.handles.map(historyLength));
      aws.foreignCopiesUntil = 0;
      const results = await resultsOf(h.handles);
      return {
        firstRunEnd: firstRun.events?.at(-1),
        before,
        after,
        lengths: { before: lengths, after: lengthsAfter },
        results,
        runs,
      };
    });
    expect(runs).toBe(2);
    expect(firstRunEnd?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    // Everybody is still there, in the same order, with the same priority and place.
    expect(after.queue).toEqual(before.queue);
    expect(queueIds(after)).toEqual(
      ['can-3', 'can-6', 'can-5', 'can-1', 'can-4', 'can-7', 'can-2'].map(idOf),
    );
    expect(after.holders).toEqual([]);
    // Hours of waiting, a scheduler run ended: the waiting copies' histories did not change.
    expect(lengths.after).toEqual(lengths.before);
    for (const r of results) expect(r.summary.outcome).toBe('copied');
  }, 240_000); // hours of workflow time in 2-hour steps: the slowest test of the file
});
