import { DescribeDBClusterSnapshotsCommand, RDSClient, type DBClusterSnapshot } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/activities';
import { followTarget, followTargetSnapshot, type FollowTicker } from '../../src/activities/follow-target';
import { toSnapshotView } from '../../src/activities/snapshot-view';
import { followPlan, followSighting } from '../../src/shared/polling';
import type { FollowTargetInput, FollowTargetResult } from '../../src/activities/types';
import { ownedTags, snapshot, TARGET_REGION } from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const clients = () => createAwsClients({ rds: { credentials }, kms: { credentials } });
const T0 = Date.parse('2026-12-06T10:00:00Z');

/** When each describe was made (the manual clock's time). */
let polledAt: number[] = [];
let clockNow = () => T0;

/** A clock that moves only when the activity sleeps, recording each sleep and heartbeat. */
function manualTicker(resumed?: FollowTargetResult) {
  let t = T0;
  clockNow = () => t;
  const sleeps: number[] = [];
  const heartbeats: FollowTargetResult[] = [];
  const ticker: FollowTicker = {
    now: () => t,
    sleep: (ms) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    heartbeat: (p) => heartbeats.push(p),
    resumed: () => resumed,
  };
  return { ticker, sleeps, heartbeats, at: () => t };
}

/** The target as AWS describes it at each call, in order (the last one repeats). */
function targetSays(...states: Array<Pick<DBClusterSnapshot, 'Status' | 'PercentProgress'> | null>): void {
  let i = 0;
  polledAt = [];
  rds.on(DescribeDBClusterSnapshotsCommand).callsFake(() => {
    polledAt.push(clockNow());
    const s = states[Math.min(i++, states.length - 1)];
    return {
      DBClusterSnapshots: s ? [snapshot('copy1', TARGET_REGION, { ...s, TagList: ownedTags() })] : [],
    };
  });
}

function input(over: Partial<FollowTargetInput> = {}): FollowTargetInput {
  return {
    region: TARGET_REGION,
    identifier: 'copy1',
    following: { anchor: { at: T0, percent: 0 }, queuedPolls: 1, percent: 0 },
    waitSeconds: 15,
    minPollSeconds: 15,
    maxPollSeconds: 300,
    inlineSeconds: 60,
    showChangesSeconds: 20,
    untilMs: T0 + 300_000,
    ...over,
  };
}

describe('followTargetSnapshot', () => {
  it('waits, polls, and keeps polling while the next poll is near, until the copy is available', async () => {
    targetSays({ Status: 'copying', PercentProgress: 50 }, { Status: 'available', PercentProgress: 100 });
    const { ticker, sleeps, heartbeats } = manualTicker();
    const result = await followTargetSnapshot(clients(), input(), ticker);
    expect(result.polls).toBe(2);
    expect(result.view).toMatchObject({ Status: 'available', PercentProgress: 100 });
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(2);
    // 15 s, then the landing the rule plans from 0% → 50% in 15 s: shortly after the estimated end.
    expect(polledAt[0]).toBe(T0 + 15_000);
    expect(polledAt[1]! - polledAt[0]!).toBeGreaterThan(10_000);
    expect(polledAt[1]! - polledAt[0]!).toBeLessThanOrEqual(20_000);
    // About 30 s of following: at most one heartbeat (each one is a billable action).
    expect(heartbeats.length).toBeLessThanOrEqual(1);
    expect(result.heartbeats).toBe(heartbeats.length);
    expect(sleeps.length).toBeGreaterThan(0);
  });

  it('hands back, with the state after its last sighting, once the next poll is further away than inlineSeconds', async () => {
    targetSays({ Status: 'copying', PercentProgress: 0 });
    const { ticker } = manualTicker();
    const result = await followTargetSnapshot(clients(), input({ inlineSeconds: 20 }), ticker);
    // Queued at 0%: the backoff's next wait (30 s) exceeds 20.
    expect(result.polls).toBe(1);
    expect(result.following.queuedPolls).toBe(2);
    expect(result.view).toMatchObject({ Status: 'copying' });
    expect(result.at).toBe(T0 + 15_000);
  });

  it('never plans a poll past untilMs (the slice or the deadline)', async () => {
    targetSays({ Status: 'copying', PercentProgress: 0 });
    const { ticker, at } = manualTicker();
    const result = await followTargetSnapshot(
      clients(),
      input({ inlineSeconds: 300, untilMs: T0 + 100_000 }),
      ticker,
    );
    expect(at()).toBeLessThanOrEqual(T0 + 100_000);
    expect(result.polls).toBeGreaterThan(1);
  });

  it('returns at once on a target that is gone or ended in another state', async () => {
    targetSays(null);
    const gone = await followTargetSnapshot(clients(), input(), manualTicker().ticker);
    expect(gone).toMatchObject({ polls: 1, view: null });
    rds.reset();
    targetSays({ Status: 'failed', PercentProgress: 12 });
    const failed = await followTargetSnapshot(clients(), input(), manualTicker().ticker);
    expect(failed.view).toMatchObject({ Status: 'failed' });
    expect(failed.polls).toBe(1);
  });

  it('hands back a changed percentage once it has run showChangesSeconds, so the workflow shows it', async () => {
    targetSays({ Status: 'copying', PercentProgress: 0 }, { Status: 'copying', PercentProgress: 2 });
    const { ticker } = manualTicker();
    const result = await followTargetSnapshot(
      clients(),
      input({ waitSeconds: 1, minPollSeconds: 1, maxPollSeconds: 2 }),
      ticker,
    );
    expect(result.following.percent).toBe(2);
    expect(result.at! - T0).toBeGreaterThanOrEqual(20_000);
    expect(result.at! - T0).toBeLessThanOrEqual(23_000);
  });

  it('heartbeats every 20 s while it runs longer, with how far it got', async () => {
    targetSays({ Status: 'copying', PercentProgress: 0 });
    const { ticker, heartbeats, sleeps } = manualTicker();
    const result = await followTargetSnapshot(
      clients(),
      input({ waitSeconds: 1, minPollSeconds: 1, maxPollSeconds: 2, untilMs: T0 + 120_000 }),
      ticker,
    );
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(20_000);
    expect(heartbeats.length).toBeGreaterThanOrEqual(5);
    expect(heartbeats.length).toBeLessThanOrEqual(6);
    expect(result.heartbeats).toBe(heartbeats.length);
    expect(heartbeats.at(-1)?.polls).toBeGreaterThan(10);
  });

  it('a retry goes on from the last heartbeat at once, without waiting again', async () => {
    targetSays({ Status: 'available', PercentProgress: 100 });
    const before: FollowTargetResult = {
      following: { anchor: { at: T0, percent: 10 }, queuedPolls: 0, percent: 40 },
      polls: 3,
      heartbeats: 1,
    };
    const { ticker, sleeps } = manualTicker(before);
    const result = await followTargetSnapshot(clients(), input(), ticker);
    expect(sleeps).toEqual([]);
    expect(result.polls).toBe(4);
  });

  it('a cancel during its sleep ends it without another poll', async () => {
    targetSays({ Status: 'copying', PercentProgress: 0 });
    const { ticker } = manualTicker();
    const cancelled: FollowTicker = {
      ...ticker,
      sleep: () => Promise.reject(new Error('cancelled')),
    };
    await expect(followTargetSnapshot(clients(), input(), cancelled)).rejects.toThrow('cancelled');
    expect(rds.commandCalls(DescribeDBClusterSnapshotsCommand)).toHaveLength(0);
  });

  it('takes a sighting up to slackSeconds old for its first poll, and plans the next one from that sighting', async () => {
    const { ticker, sleeps } = manualTicker();
    const asked: number[] = [];
    const views = [
      { view: snapshot('copy1', TARGET_REGION, { Status: 'copying', PercentProgress: 10 }), ageMs: 5_000 },
      { view: snapshot('copy1', TARGET_REGION, { Status: 'available', PercentProgress: 100 }), ageMs: 0 },
    ];
    const result = await followTarget(
      input({
        waitSeconds: 30,
        slackSeconds: 10,
        inlineSeconds: 300,
        showChangesSeconds: 3600,
        untilMs: T0 + 3_600_000,
        following: { anchor: { at: T0, percent: 0 }, queuedPolls: 0, percent: 0 },
      }),
      ticker,
      (maxAgeMs) => {
        asked.push(maxAgeMs);
        const next = views.shift()!;
        return Promise.resolve({ view: toSnapshotView(next.view, []), ageMs: next.ageMs });
      },
    );
    expect(asked[0]).toBe(10_000);
    expect(sleeps[0]).toBe(20_000);
    // The first sighting was made 5 s before its poll (at T0 + 25 s); the next is planned from then.
    const planned = followPlan(followSighting(input().following, { at: T0 + 25_000, percent: 10 }), 15, 300);
    expect(asked[1]).toBe(planned.slackSeconds * 1000);
    expect(result.at).toBe(T0 + 25_000 + planned.seconds * 1000);
    expect(result.view).toMatchObject({ Status: 'available' });
  });
});
