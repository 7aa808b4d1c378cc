import {
  DBClusterSnapshotNotFoundFault,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  type DBClusterSnapshot,
  type DescribeDBClusterSnapshotsCommandInput,
} from '@aws-sdk/client-rds';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/activities';
import { markedUrgency } from '../../src/activities/aws-budget';
import { describeByNames, SnapshotLookups, WATCH_MS } from '../../src/activities/snapshot-lookups';
import { sightTargetSnapshot } from '../../src/activities/target-snapshot';
import { activities, ownedTags, SOURCE_REGION, snapshot, snapshotArn, TARGET_REGION } from './helpers';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A describe whose calls the test answers one by one. */
function controlled() {
  const calls: {
    names: readonly string[];
    urgent: boolean;
    answer(found: string[]): void;
    fail(err: Error): void;
  }[] = [];
  const describe = (names: readonly string[], urgent: boolean) =>
    new Promise<DBClusterSnapshot[]>((resolve, reject) => {
      calls.push({
        names,
        urgent,
        answer: (found) => resolve(found.map((id) => ({ DBClusterSnapshotIdentifier: id }))),
        fail: reject,
      });
    });
  return { calls, describe };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SnapshotLookups', () => {
  it('sends lookups made while its calls are out together, in one call, and answers each by name', async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 50, 1);
    const a = lookups.lookup('a');
    const rest = ['b', 'C', 'missing'].map((n) => lookups.lookup(n));
    expect(calls.map((c) => c.names)).toEqual([['a']]);
    calls[0]!.answer(['a']);
    await expect(a).resolves.toEqual({ DBClusterSnapshotIdentifier: 'a' });
    await settle();
    expect(calls.map((c) => c.names)).toEqual([['a'], ['b', 'c', 'missing']]);
    calls[1]!.answer(['b', 'c']);
    await expect(Promise.all(rest)).resolves.toEqual([
      { DBClusterSnapshotIdentifier: 'b' },
      { DBClusterSnapshotIdentifier: 'c' },
      null,
    ]);
  });

  it("sends local activities' lookups in calls of their own, urgent, never waiting behind other calls", async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 3, 1);
    const local = new MockActivityEnvironment({ isLocal: true });
    const plain = ['a', 'b', 'c'].map((n) => lookups.lookup(n)); // a goes; b, c wait for it
    const x = local.run(() => lookups.lookup('x'));
    expect(calls.map((c) => [c.names, c.urgent])).toEqual([
      [['a'], false],
      [['x', 'b', 'c'], true], // the urgent one first, others that fit ride along
    ]);
    const y = local.run(() => lookups.lookup('y'));
    const z = new MockActivityEnvironment().run(() => lookups.lookup('z'));
    expect(calls).toHaveLength(2); // one call out per lane
    calls[1]!.answer(['x', 'b']);
    await expect(x).resolves.toEqual({ DBClusterSnapshotIdentifier: 'x' });
    await settle();
    expect(calls.map((c) => [c.names, c.urgent])).toEqual([
      [['a'], false],
      [['x', 'b', 'c'], true],
      [['y', 'z'], true],
    ]);
    calls[0]!.answer(['a']);
    calls[2]!.answer(['y', 'z']);
    await expect(Promise.all([...plain, y, z])).resolves.toEqual([
      { DBClusterSnapshotIdentifier: 'a' },
      { DBClusterSnapshotIdentifier: 'b' },
      null,
      { DBClusterSnapshotIdentifier: 'y' },
      { DBClusterSnapshotIdentifier: 'z' },
    ]);
  });

  it('never answers a lookup from a call sent before it was asked', async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 50, 1);
    const first = lookups.lookup('a');
    const again = lookups.lookup('a');
    calls[0]!.answer(['a']);
    await first;
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.answer([]);
    await expect(again).resolves.toBeNull();
  });

  it('keeps to its calls in flight and names per call', async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 2, 2);
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => lookups.lookup(n));
    expect(calls.map((c) => c.names)).toEqual([['a'], ['b']]);
    calls[0]!.answer(['a']);
    await settle();
    expect(calls.map((c) => c.names)).toEqual([['a'], ['b'], ['c', 'd']]);
    calls[1]!.answer(['b']);
    calls[2]!.answer(['c', 'd']);
    await settle();
    calls[3]!.answer(['e', 'f']);
    expect((await Promise.all(all)).map((s) => s?.DBClusterSnapshotIdentifier)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
    ]);
  });

  it('fails only the lookups of a call that failed; the next call goes on', async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 50, 1);
    const a = lookups.lookup('a');
    const b = lookups.lookup('b');
    calls[0]!.fail(new Error('Throttling'));
    await expect(a).rejects.toThrow('Throttling');
    await settle();
    calls[1]!.answer(['b']);
    await expect(b).resolves.toEqual({ DBClusterSnapshotIdentifier: 'b' });
  });

  it('rejects an aborted lookup at once and leaves it out of the next call', async () => {
    const { calls, describe } = controlled();
    const lookups = new SnapshotLookups(describe, 50, 1);
    const a = lookups.lookup('a');
    const abort = new AbortController();
    const b = lookups.lookup('b', abort.signal);
    const c = lookups.lookup('c');
    abort.abort();
    await expect(b).rejects.toMatchObject({ name: 'AbortError' });
    calls[0]!.answer(['a']);
    await a;
    await settle();
    expect(calls[1]!.names).toEqual(['c']);
    calls[1]!.answer(['c']);
    await expect(c).resolves.toEqual({ DBClusterSnapshotIdentifier: 'c' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(lookups.lookup('d', aborted.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toHaveLength(2);
  });
});

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

describe('describeByNames', () => {
  it('asks for one name by its identifier, and takes NotFound as none', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: 'a' })
      .resolves({ DBClusterSnapshots: [snapshot('a', SOURCE_REGION)] })
      .on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: 'gone' })
      .rejects(new DBClusterSnapshotNotFoundFault({ message: 'not found', $metadata: {} }));
    const describe = describeByNames(new RDSClient({ region: SOURCE_REGION }));
    expect((await describe(['a'], false)).map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['a']);
    await expect(describe(['gone'], false)).resolves.toEqual([]);
  });

  it('asks for several names with a db-cluster-snapshot-id filter, page by page', async () => {
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolvesOnce({ DBClusterSnapshots: [snapshot('a', SOURCE_REGION)], Marker: 'm1' })
      .resolvesOnce({ DBClusterSnapshots: [snapshot('b', SOURCE_REGION)] });
    const found = await describeByNames(new RDSClient({ region: SOURCE_REGION }))(['a', 'b'], false);
    expect(found.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['a', 'b']);
    const inputs = rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Filters: [{ Name: 'db-cluster-snapshot-id', Values: ['a', 'b'] }], MaxRecords: 100 },
      { Filters: [{ Name: 'db-cluster-snapshot-id', Values: ['a', 'b'] }], MaxRecords: 100, Marker: 'm1' },
    ]);
  });

  it("marks its calls urgent or not for the budget, whoever's context sends them", async () => {
    const seen: (boolean | undefined)[] = [];
    rds.on(DescribeDBClusterSnapshotsCommand).callsFake(() => {
      seen.push(markedUrgency());
      return { DBClusterSnapshots: [] };
    });
    const describe = describeByNames(new RDSClient({ region: SOURCE_REGION }));
    const local = new MockActivityEnvironment({ isLocal: true });
    await local.run(() => describe(['a'], false));
    await describe(['a', 'b'], true);
    expect(seen).toEqual([false, true]);
  });
});

describe('describeSourceSnapshot of its own account by ARN', () => {
  it('looks the snapshot up by its name, without IncludeShared', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'snap1');
    rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolves({ DBClusterSnapshots: [snapshot('snap1', SOURCE_REGION)] });
    const info = await activities().describeSourceSnapshot({
      region: SOURCE_REGION,
      identifier: arn,
      callerAccountId: '123456789012',
    });
    expect(info.arn).toBe(arn);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterSnapshotIdentifier: 'snap1' },
    ]);
  });

  it('takes a snapshot of that name with another ARN as not found', async () => {
    const arn = snapshotArn(SOURCE_REGION, 'snap1');
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('snap1', SOURCE_REGION, { DBClusterSnapshotArn: snapshotArn('us-east-1', 'other') }),
      ],
    });
    await expect(
      activities().describeSourceSnapshot({
        region: SOURCE_REGION,
        identifier: arn,
        callerAccountId: '123456789012',
      }),
    ).rejects.toMatchObject({ type: 'DBClusterSnapshotNotFoundFault' });
  });
});

describe('SnapshotLookups following copies', () => {
  function manualClock() {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }
  const copying = (...ids: string[]) =>
    ids.map((id) => ({ DBClusterSnapshotIdentifier: id, Status: 'copying' }));

  it('asks every call for the copies it follows, and a sighting within maxAgeMs serves without a call', async () => {
    const clock = manualClock();
    const asked: string[][] = [];
    let answer = (ids: readonly string[]): DBClusterSnapshot[] => copying(...ids);
    const lookups = new SnapshotLookups(
      (names) => (asked.push([...names]), Promise.resolve(answer(names))),
      50,
      2,
      clock.now,
    );
    await lookups.sight('b', { follow: true });
    const a = await lookups.sight('a', { follow: true });
    expect(asked).toEqual([['b'], ['a', 'b']]);
    clock.advance(10_000);
    const b = await lookups.sight('b', { follow: true, maxAgeMs: 10_000 });
    expect(b).toEqual({ snapshot: { DBClusterSnapshotIdentifier: 'b', Status: 'copying' }, at: a.at });
    expect(asked).toHaveLength(2);
    // Older than allowed, or no maxAgeMs: a call of its own.
    await lookups.sight('b', { follow: true, maxAgeMs: 9_999 });
    await lookups.sight('b', { follow: true });
    expect(asked).toHaveLength(4);
    // Seen available: later calls no longer ask for it, but its last sighting still serves.
    answer = (ids) =>
      ids.map((id) => ({ DBClusterSnapshotIdentifier: id, Status: id === 'a' ? 'available' : 'copying' }));
    await lookups.sight('c');
    await lookups.sight('c');
    expect(asked.slice(4)).toEqual([
      ['c', 'b', 'a'],
      ['c', 'b'],
    ]);
    await expect(lookups.sight('a', { maxAgeMs: 60_000 })).resolves.toMatchObject({
      snapshot: { Status: 'available' },
    });
    expect(asked).toHaveLength(6);
  });

  it('forgets a followed copy nobody asked for in WATCH_MS, and its sighting', async () => {
    const clock = manualClock();
    const asked: string[][] = [];
    const lookups = new SnapshotLookups(
      (names) => (asked.push([...names]), Promise.resolve(copying(...names))),
      50,
      2,
      clock.now,
    );
    await lookups.sight('old', { follow: true });
    clock.advance(WATCH_MS + 1);
    await lookups.sight('x');
    await lookups.sight('old', { maxAgeMs: Number.MAX_SAFE_INTEGER });
    expect(asked).toEqual([['old'], ['x'], ['old']]);
  });

  it('takes a followed copy missing from a call as gone', async () => {
    const asked: string[][] = [];
    let there = ['gone', 'x'];
    const lookups = new SnapshotLookups(
      (names) => (
        asked.push([...names]),
        Promise.resolve(copying(...names.filter((n) => there.includes(n))))
      ),
    );
    await lookups.sight('gone', { follow: true });
    there = ['x'];
    await lookups.sight('x');
    await expect(lookups.sight('gone', { maxAgeMs: 60_000 })).resolves.toMatchObject({ snapshot: null });
    expect(asked).toEqual([['gone'], ['x', 'gone']]);
  });
});

describe('sightTargetSnapshot', () => {
  it('answers a copy from another copy’s call of a moment ago in the same account and Region', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).callsFake((input: DescribeDBClusterSnapshotsCommandInput) => {
      const ids = input.DBClusterSnapshotIdentifier
        ? [input.DBClusterSnapshotIdentifier]
        : input.Filters![0]!.Values!;
      return {
        DBClusterSnapshots: ids.map((id) =>
          snapshot(id, TARGET_REGION, { Status: 'copying', PercentProgress: 40, TagList: ownedTags() }),
        ),
      };
    });
    const clients = createAwsClients({ rds: { credentials }, kms: { credentials } });
    await sightTargetSnapshot(clients, { region: TARGET_REGION, identifier: 'b' }, 0);
    await sightTargetSnapshot(clients, { region: TARGET_REGION, identifier: 'a' }, 0);
    const b = await sightTargetSnapshot(clients, { region: TARGET_REGION, identifier: 'b' }, 60_000);
    expect(b.view).toMatchObject({
      DBClusterSnapshotIdentifier: 'b',
      Status: 'copying',
      PercentProgress: 40,
    });
    expect(b.ageMs).toBeGreaterThanOrEqual(0);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterSnapshotIdentifier: 'b' },
      { Filters: [{ Name: 'db-cluster-snapshot-id', Values: ['a', 'b'] }], MaxRecords: 100 },
    ]);
    // Another Region (another client) shares nothing.
    await sightTargetSnapshot(clients, { region: 'eu-west-1', identifier: 'b' }, 60_000);
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(3);
  });
});
