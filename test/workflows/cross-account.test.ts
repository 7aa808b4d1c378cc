// Copies into another account on the time-skipping test server, with a two-account in-memory AWS
// (test/helpers/fake-aws.ts): share, keys, re-encryption, the two-hop cross-Region copy, and that every
// exit (success, cancel by signal or by Temporal, failure) leaves no share, no intermediate and no target.
import { tagValue } from '../../src/shared/ownership';
import { describe, expect, it } from 'vitest';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progressQuery } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import { shareWorkflowId } from '../../src/shared/shares';
import type { CopyDbClusterSnapshotInput, Progress } from '../../src/shared/types';
import { cancelSignal, copyDbClusterSnapshot } from '../../src/workflows';
import { ACCOUNT as WORKER_ACCOUNT, type FakeAws } from '../helpers/fake-aws';
import {
  EAST,
  SOURCE_ACCOUNT,
  SOURCE_ROLE,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  WEST,
  twoAccountsAws,
  type Accounts,
  type Encryption,
} from '../helpers/two-accounts';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { timeSkippingEnvPerTest } from '../helpers/temporal';
import { localActivityTypes, recordHistory } from '../helpers/histories';
import { failureOf } from '../helpers/failures';
import { waitFor } from '../helpers/wait';

const MINUTE = 60 * 1000;

let env: TestWorkflowEnvironment;
timeSkippingEnvPerTest((e) => (env = e));

const twoAccounts = (encryption: Encryption, allowTarget = true, accounts?: Accounts): FakeAws =>
  twoAccountsAws(() => env.currentTimeMs(), encryption, allowTarget, accounts);

function input(
  targetRegion: string,
  over: Partial<CopyDbClusterSnapshotInput> = {},
): CopyDbClusterSnapshotInput {
  return {
    SourceDBClusterSnapshotIdentifier: `arn:aws:rds:${EAST}:${SOURCE_ACCOUNT}:cluster-snapshot:prod-2026-12-01`,
    TargetDBClusterSnapshotIdentifier: 'prod-dr',
    TargetRegion: targetRegion,
    SourceRoleArn: SOURCE_ROLE,
    TargetRoleArn: TARGET_ROLE,
    KmsKeyId: 'alias/dr',
    ...over,
    options: { minPollSeconds: 60, ...over.options },
  };
}

function run<T>(
  aws: FakeAws,
  fn: (start: (i: CopyDbClusterSnapshotInput) => Promise<Handle>) => Promise<T>,
): Promise<T> {
  return withFakeAwsWorker(
    env,
    aws,
    { regions: [EAST, WEST], accounts: [SOURCE_ACCOUNT, TARGET_ACCOUNT] },
    (taskQueue) =>
      fn((i) =>
        env.client.workflow.start(copyDbClusterSnapshot, {
          taskQueue,
          workflowId: defaultWorkflowId(i.TargetRegion, i.TargetDBClusterSnapshotIdentifier!),
          args: [i],
        }),
      ),
  );
}
type Handle = WorkflowHandleWithFirstExecutionRunId<typeof copyDbClusterSnapshot>;

/** Skips workflow time two minutes at a time until the copy's progress matches (at most a day). */
async function whenProgress(handle: Handle, matches: (p: Progress) => boolean): Promise<Progress> {
  for (let i = 0; i < 720; i++) {
    const p = await handle.query(progressQuery);
    if (matches(p)) return p;
    await env.sleep('2m');
  }
  throw new Error(`progress never matched: ${JSON.stringify(await handle.query(progressQuery))}`);
}

/**
 * Waits (without moving time) until the copy that is copying now — the running hop's child, else the copy
 * itself — sleeps between two polls. The time-skipping server rejects a workflow's request to cancel an
 * activity that completed meanwhile (ACTIVITY_UNKNOWN; temporalio/sdk-typescript#1058) and then leaves
 * that workflow task open for ever, where a real server takes either order: a Temporal cancel sent while
 * no poll is in flight cannot meet it. Time is still while the test only reads, so the sleep holds. Read
 * from the history, not a query: under load a query can answer from a workflow task that has not yet seen
 * its timer fire (whenProgress moved time), and the poll it schedules next would meet the cancel. Locked
 * time still runs at the wall clock's pace, so the timer must also be at least 10 s from firing (a copy near
 * its end polls 2 s apart).
 */
async function betweenPolls(handle: Handle): Promise<string> {
  return waitFor(
    'a copy sleeping between two polls',
    async () => {
      const p = await handle.query(progressQuery);
      const hop = p.hops?.find((h) => h.status === 'copying');
      const sleeper = hop?.workflowId ?? handle.workflowId;
      const history = await env.client.workflow.getHandle(sleeper).fetchHistory();
      const wakesAt = sleepingUntil(history.events ?? []);
      if (wakesAt === undefined || wakesAt - (await env.currentTimeMs()) < 10_000) {
        throw new Error('a poll is in flight or near');
      }
      return sleeper;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
}

/** Waits (without moving time) until the workflow has taken a Temporal cancel in: a task after it completed. */
async function cancelTakenIn(workflowId: string): Promise<void> {
  await waitFor(
    `${workflowId} taking the cancel in`,
    async () => {
      const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const asked = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
      if (asked < 0 || !events.slice(asked + 1).some((e) => e.workflowTaskCompletedEventAttributes)) {
        throw new Error('the cancel is not taken in yet');
      }
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
}

type HistoryEvents = NonNullable<Awaited<ReturnType<Handle['fetchHistory']>>['events']>;

/**
 * When the workflow wakes (epoch ms): with no workflow task and no activity open, the earliest running timer's
 * due time; undefined while it is not sleeping on a timer.
 */
function sleepingUntil(events: HistoryEvents): number | undefined {
  const activities = new Set<string>();
  const timers = new Map<string, number>();
  let taskOpen = false;
  for (const e of events) {
    const id = String(e.eventId);
    if (e.workflowTaskScheduledEventAttributes) taskOpen = true;
    if (e.workflowTaskCompletedEventAttributes) taskOpen = false;
    if (e.activityTaskScheduledEventAttributes) activities.add(id);
    for (const ended of [
      e.activityTaskCompletedEventAttributes,
      e.activityTaskFailedEventAttributes,
      e.activityTaskTimedOutEventAttributes,
      e.activityTaskCanceledEventAttributes,
    ])
      if (ended) activities.delete(String(ended.scheduledEventId));
    const started = e.timerStartedEventAttributes;
    if (started?.timerId) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      const after = started.startToFireTimeout;
      timers.set(
        started.timerId,
        at + Number(after?.seconds ?? 0) * 1000 + Math.floor((after?.nanos ?? 0) / 1e6),
      );
    }
    for (const ended of [e.timerFiredEventAttributes, e.timerCanceledEventAttributes])
      if (ended?.timerId) timers.delete(ended.timerId);
  }
  if (taskOpen || activities.size > 0 || timers.size === 0) return undefined;
  return Math.min(...timers.values());
}

/** Every snapshot left, as `<account>/<region>/<id>`, and the source's shares. */
async function leftovers(
  aws: FakeAws,
  sourceAccount = SOURCE_ACCOUNT,
): Promise<{ snapshots: string[]; shares: string[] }> {
  const snapshots = [];
  for (const s of [...aws.snapshots.values()]) {
    const now = await aws.peek(s.region, s.identifier, s.account);
    if (now) snapshots.push(`${now.account}/${now.region}/${now.identifier}`);
  }
  const source = aws.get(EAST, 'prod-2026-12-01', sourceAccount);
  return { snapshots: snapshots.sort(), shares: source?.sharedWith ?? [] };
}
const ORIGINAL = `${SOURCE_ACCOUNT}/${EAST}/prod-2026-12-01`;

describe('cross-account copies', () => {
  it('same Region: shares the source, copies into the destination account with its key, unshares', async () => {
    const aws = twoAccounts('cmk');
    const result = await run(aws, async (start) => {
      const handle = await start(input(EAST));
      const shared = await whenProgress(handle, (p) => p.phase === 'copying');
      expect(shared.sharedWith).toBe(TARGET_ACCOUNT);
      expect(shared.slotsWorkflowId).toBe(`snapcopy-slots-${TARGET_ACCOUNT}-${EAST}`);
      expect(aws.get(EAST, 'prod-2026-12-01', SOURCE_ACCOUNT)?.sharedWith).toContain(TARGET_ACCOUNT);
      const r = await handle.result();
      await recordHistory(handle, 'cross-account-same-region');
      // It queued for the destination's slot before any AWS call: it described and shared its source then.
      const las = localActivityTypes((await handle.fetchHistory()).events ?? []);
      expect(las.indexOf('requestCopySlot')).toBeGreaterThanOrEqual(0);
      expect(las.indexOf('requestCopySlot')).toBeLessThan(las.indexOf('describeSourceSnapshot'));
      expect(las.indexOf('describeSourceSnapshot')).toBeLessThan(las.indexOf('requestShare'));
      return r;
    });
    expect(result.summary.outcome).toBe('copied');
    expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
      `arn:aws:rds:${EAST}:${TARGET_ACCOUNT}:cluster-snapshot:prod-dr`,
    );
    expect(result.DBClusterSnapshot?.KmsKeyId).toBe(
      `arn:aws:kms:${EAST}:${TARGET_ACCOUNT}:key/2222bbbb-0000-4000-8000-000000000001`,
    );
    expect(result.summary.crossAccount).toMatchObject({
      sourceAccountId: SOURCE_ACCOUNT,
      targetAccountId: TARGET_ACCOUNT,
      shared: true,
      hops: [{ hop: 'final', status: 'available', accountId: TARGET_ACCOUNT }],
    });
    expect(await leftovers(aws)).toEqual({
      snapshots: [ORIGINAL, `${TARGET_ACCOUNT}/${EAST}/prod-dr`],
      shares: ['333333333333'],
    });
    // The share was made in the source account, the copy in the destination's.
    expect(aws.callsOf('shareSnapshot')).toEqual([
      expect.objectContaining({ accountId: TARGET_ACCOUNT, role: { roleArn: SOURCE_ROLE } }),
    ]);
    expect(aws.callsOf('startCopy')).toEqual([
      expect.objectContaining({
        role: { roleArn: TARGET_ROLE },
        sourceIdentifier: input(EAST).SourceDBClusterSnapshotIdentifier,
      }),
    ]);
  });

  it('cross Region and encrypted: two hops, and the intermediate is deleted once the copy is available', async () => {
    const aws = twoAccounts('cmk');
    const { result, hops } = await run(aws, async (start) => {
      const handle = await start(input(WEST));
      const during = await whenProgress(handle, (p) => p.phase === 'copying');
      const r = await handle.result();
      await recordHistory(handle, 'cross-account-two-hops');
      // Its slot was taken first, given back while the intermediate copy ran, and asked for again.
      const steps = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes
          ? ['intermediate copy']
          : localActivityTypes([e]).filter((t) => t.endsWith('CopySlot')),
      );
      expect(steps).toEqual([
        'requestCopySlot',
        'releaseCopySlot',
        'intermediate copy',
        'requestCopySlot',
        'releaseCopySlot',
      ]);
      return { result: r, hops: during.hops };
    });
    expect(hops?.map((h) => [h.hop, h.accountId, h.region, h.identifier, h.status])).toEqual([
      ['intermediate', TARGET_ACCOUNT, EAST, 'prod-dr-hop1', 'available'],
      ['final', TARGET_ACCOUNT, WEST, 'prod-dr', 'copying'],
    ]);
    expect(result.summary.outcome).toBe('copied');
    expect(result.summary.crossAccount?.hops.map((h) => [h.hop, h.status])).toEqual([
      ['intermediate', 'deleted'],
      ['final', 'available'],
    ]);
    // The final hop copies the intermediate (the destination's own snapshot), not the shared source.
    const final = aws.callsOf('startCopy').at(-1) as { sourceIdentifier: string; sourceArn: string };
    expect(final.sourceIdentifier).toBe(
      `arn:aws:rds:${EAST}:${TARGET_ACCOUNT}:cluster-snapshot:prod-dr-hop1`,
    );
    expect(final.sourceArn).toBe(input(WEST).SourceDBClusterSnapshotIdentifier);
    expect(await leftovers(aws)).toEqual({
      snapshots: [ORIGINAL, `${TARGET_ACCOUNT}/${WEST}/prod-dr`],
      shares: ['333333333333'],
    });
  });

  it('an unencrypted source crosses Regions in one hop', async () => {
    const aws = twoAccounts('none');
    const result = await run(aws, async (start) =>
      (await start(input(WEST, { KmsKeyId: undefined }))).result(),
    );
    expect(result.summary.crossAccount?.hops.map((h) => h.hop)).toEqual(['final']);
    expect(await leftovers(aws)).toEqual({
      snapshots: [ORIGINAL, `${TARGET_ACCOUNT}/${WEST}/prod-dr`],
      shares: ['333333333333'],
    });
  });

  it('aws/rds without options.shareKmsKeyId: fails saying so, before changing anything', async () => {
    const aws = twoAccounts('aws/rds');
    const err = await run(aws, async (start) => failureOf((await start(input(EAST))).result()));
    expect(err.type).toBe('KMSKeyNotAccessibleFault');
    expect(err.message).toMatch(/aws\/rds.*cannot be shared.*options\.shareKmsKeyId/);
    expect(aws.mutations()).toEqual([]);
  });

  it('aws/rds with options.shareKmsKeyId: re-encrypts in the source account, shares that, deletes it', async () => {
    const aws = twoAccounts('aws/rds');
    const result = await run(aws, async (start) =>
      (await start(input(WEST, { options: { shareKmsKeyId: 'alias/share' } }))).result(),
    );
    expect(result.summary.crossAccount?.hops.map((h) => [h.hop, h.accountId, h.region, h.status])).toEqual([
      ['re-encrypt', SOURCE_ACCOUNT, EAST, 'deleted'],
      ['intermediate', TARGET_ACCOUNT, EAST, 'deleted'],
      ['final', TARGET_ACCOUNT, WEST, 'available'],
    ]);
    const reEncrypt = aws.callsOf('startCopy')[0] as { kmsKeyArn: string; role: { roleArn: string } };
    expect(reEncrypt.kmsKeyArn).toBe(
      `arn:aws:kms:${EAST}:${SOURCE_ACCOUNT}:key/1111aaaa-0000-4000-8000-000000000003`,
    );
    expect(reEncrypt.role.roleArn).toBe(SOURCE_ROLE);
    // The re-encrypted copy was shared, never the aws/rds original.
    expect(aws.callsOf('shareSnapshot')).toEqual([expect.objectContaining({ identifier: 'prod-dr-share' })]);
    // Every hop carries the ORIGINAL source's creation time as its recovery point, not its own source's.
    const original = new Date(aws.get(EAST, 'prod-2026-12-01', SOURCE_ACCOUNT)!.createdAt).toISOString();
    const points = aws.callsOf('startCopy').map((c) => (c as { recoveryPoint?: string }).recoveryPoint);
    expect(points).toEqual([original, original, original]);
    const final = aws.get(WEST, 'prod-dr', TARGET_ACCOUNT)!;
    expect(tagValue(final.tags, 'snapcopy:recovery-point')).toBe(original);
    expect(new Date(final.createdAt).toISOString()).not.toBe(original);
    expect(await leftovers(aws)).toEqual({
      snapshots: [ORIGINAL, `${TARGET_ACCOUNT}/${WEST}/prod-dr`],
      shares: ['333333333333'],
    });
  });

  it('a source key the destination may not use: KMSKeyNotAccessibleFault before any change', async () => {
    const aws = twoAccounts('cmk', false);
    const err = await run(aws, async (start) => failureOf((await start(input(EAST))).result()));
    expect(err.type).toBe('KMSKeyNotAccessibleFault');
    expect(err.message).toContain(TARGET_ACCOUNT);
    expect(aws.mutations()).toEqual([]);
  });

  const hopCases: [string, (p: Progress) => boolean, 'signal' | 'temporal'][] = [
    [
      'the re-encrypt hop',
      (p) => p.hops?.[0]?.hop === 're-encrypt' && p.hops[0].status === 'copying',
      'signal',
    ],
    [
      'the intermediate hop',
      (p) => p.hops?.[1]?.hop === 'intermediate' && p.hops[1].status === 'copying',
      'signal',
    ],
    ['the final hop', (p) => p.phase === 'copying', 'signal'],
    ['the re-encrypt hop (Temporal cancel)', (p) => p.hops?.[0]?.status === 'copying', 'temporal'],
    ['the intermediate hop (Temporal cancel)', (p) => p.hops?.[1]?.status === 'copying', 'temporal'],
    ['the final hop (Temporal cancel)', (p) => p.phase === 'copying', 'temporal'],
  ];
  for (const [name, when, how] of hopCases) {
    it(`a cancel during ${name} leaves no share, no intermediate and no target`, async () => {
      const aws = twoAccounts('aws/rds');
      await run(aws, async (start) => {
        const handle = await start(input(WEST, { options: { shareKmsKeyId: 'alias/share' } }));
        await whenProgress(handle, when);
        if (how === 'signal') {
          await handle.signal(cancelSignal, { reason: 'test' });
          expect((await handle.result()).summary.outcome).toBe('cancelled');
        } else {
          const sleeper = await betweenPolls(handle);
          await handle.cancel();
          // Awaiting the result lets the server skip time: first let the sleeping copy take the cancel in,
          // or its timer could fire and start a poll that the cancel then meets.
          await cancelTakenIn(sleeper);
          await expect(handle.result()).rejects.toThrow();
        }
      });
      expect(await leftovers(aws)).toEqual({ snapshots: [ORIGINAL], shares: ['333333333333'] });
    });
  }

  it('a deadline passing during the intermediate hop fails the copy and leaves nothing behind', async () => {
    const aws = twoAccounts('cmk');
    aws.copyDurationMs = 3 * 60 * MINUTE; // longer than the deadline
    const err = await run(aws, async (start) =>
      failureOf((await start(input(WEST, { options: { deadlineSeconds: 3600 } }))).result()),
    );
    expect(err.type).toBe('CopyDeadlineExceeded');
    expect(err.message).toContain('-intermediate');
    expect(await leftovers(aws)).toEqual({ snapshots: [ORIGINAL], shares: ['333333333333'] });
  });

  it("a failure in hop 2 deletes hop 1's intermediate and takes the share back", async () => {
    const aws = twoAccounts('cmk');
    const err = await run(aws, async (start) => {
      const handle = await start(input(WEST));
      await whenProgress(handle, (p) => p.phase === 'copying' && p.lastPolledAt !== undefined);
      const final = aws.get(WEST, 'prod-dr', TARGET_ACCOUNT);
      if (final) final.status = 'failed'; // AWS gave up on the copy
      return failureOf(handle.result());
    });
    expect(err.type).toBe('InvalidDBClusterSnapshotStateFault');
    expect(await leftovers(aws)).toEqual({ snapshots: [ORIGINAL], shares: ['333333333333'] });
  });
});

// The three ways a worker is deployed: a side without a role is the worker's own account (the fake's default
// credentials, WORKER_ACCOUNT), read with the worker's own credentials.
const LAYOUTS: { name: string; accounts: Accounts; roles: Partial<CopyDbClusterSnapshotInput> }[] = [
  {
    name: 'the worker in the source account (TargetRoleArn only)',
    accounts: { source: WORKER_ACCOUNT, target: TARGET_ACCOUNT },
    roles: { TargetRoleArn: TARGET_ROLE },
  },
  {
    name: 'the worker in the destination account (SourceRoleArn only)',
    accounts: { source: SOURCE_ACCOUNT, target: WORKER_ACCOUNT },
    roles: { SourceRoleArn: SOURCE_ROLE },
  },
  {
    name: 'the worker in a third, tooling account (both roles)',
    accounts: { source: SOURCE_ACCOUNT, target: TARGET_ACCOUNT },
    roles: { SourceRoleArn: SOURCE_ROLE, TargetRoleArn: TARGET_ROLE },
  },
];

/** A copy in a layout; the source by its name (in the source side's account) or by its ARN. */
function layoutInput(
  layout: (typeof LAYOUTS)[number],
  targetRegion: string,
  form: 'name' | 'arn',
  over: Partial<CopyDbClusterSnapshotInput> = {},
): CopyDbClusterSnapshotInput {
  const arn = `arn:aws:rds:${EAST}:${layout.accounts.source}:cluster-snapshot:prod-2026-12-01`;
  return {
    SourceDBClusterSnapshotIdentifier: form === 'arn' ? arn : 'prod-2026-12-01',
    ...(form === 'name' ? { SourceRegion: EAST } : {}),
    TargetDBClusterSnapshotIdentifier: 'prod-dr',
    TargetRegion: targetRegion,
    KmsKeyId: 'alias/dr',
    ...layout.roles,
    ...over,
    options: { minPollSeconds: 60, ...over.options },
  };
}

const roleOf = (call: unknown) => (call as { role?: { roleArn: string } }).role?.roleArn;

describe('worker deployments', () => {
  for (const layout of LAYOUTS) {
    for (const [form, region] of [
      ['name', WEST],
      ['arn', EAST],
    ] as const) {
      it(`${layout.name}: an encrypted source by ${form} copies into the destination ${region === WEST ? 'in two hops' : 'in one hop'}, leaving only the copy`, async () => {
        const { source, target } = layout.accounts;
        const aws = twoAccounts('cmk', true, layout.accounts);
        const result = await run(aws, async (start) =>
          (await start(layoutInput(layout, region, form))).result(),
        );
        expect(result.summary.outcome).toBe('copied');
        expect(result.DBClusterSnapshot?.DBClusterSnapshotArn).toBe(
          `arn:aws:rds:${region}:${target}:cluster-snapshot:prod-dr`,
        );
        expect(result.summary.crossAccount).toMatchObject({
          sourceAccountId: source,
          targetAccountId: target,
          shared: true,
        });
        expect(await leftovers(aws, source)).toEqual({
          snapshots: [`${source}/${EAST}/prod-2026-12-01`, `${target}/${region}/prod-dr`],
          shares: ['333333333333'],
        });
        // Each side's calls with its own credentials: its role, or the worker's own (no role).
        expect(aws.callsOf('shareSnapshot').map(roleOf)).toEqual([layout.roles.SourceRoleArn]);
        expect(aws.callsOf('unshareSnapshot').map(roleOf)).toEqual([layout.roles.SourceRoleArn]);
        const copies = aws.callsOf('startCopy').map(roleOf);
        expect(new Set(copies)).toEqual(new Set([layout.roles.TargetRoleArn]));
        // The worker's account was asked of STS at most once per copy workflow (the worker caches it).
        expect(aws.callsOf('callerAccount').every((c) => roleOf(c) === undefined)).toBe(true);
      });
    }
  }

  it('a source of another account without SourceRoleArn and not shared: fails naming SourceRoleArn, changing nothing', async () => {
    const aws = twoAccounts('cmk', true, { source: SOURCE_ACCOUNT, target: TARGET_ACCOUNT });
    const err = await run(aws, async (start) =>
      failureOf(
        (
          await start(
            layoutInput(LAYOUTS[0]!, EAST, 'arn', {
              SourceDBClusterSnapshotIdentifier: `arn:aws:rds:${EAST}:${SOURCE_ACCOUNT}:cluster-snapshot:prod-2026-12-01`,
            }),
          )
        ).result(),
      ),
    );
    expect(err.type, err.message).toBe('InvalidParameterCombination');
    expect(err.message).toMatch(
      /^SourceRoleArn: .*account 111111111111.*not the worker's own account.*222222222222/,
    );
    expect(aws.mutations()).toEqual([]);
  });

  it("a source its owner already shared with the destination: copied without a role, and the owner's share stays", async () => {
    const aws = twoAccounts('none', true, { source: SOURCE_ACCOUNT, target: WORKER_ACCOUNT });
    aws.get(EAST, 'prod-2026-12-01', SOURCE_ACCOUNT)!.sharedWith.push(WORKER_ACCOUNT);
    const result = await run(aws, async (start) =>
      (
        await start(layoutInput(LAYOUTS[1]!, EAST, 'arn', { SourceRoleArn: undefined, KmsKeyId: undefined }))
      ).result(),
    );
    expect(result.summary.outcome).toBe('copied');
    expect(aws.callsOf('shareSnapshot')).toEqual([]);
    expect((await leftovers(aws)).shares).toEqual(['333333333333', WORKER_ACCOUNT]);
  });
});

describe('a source shared by several copies', () => {
  it('keeps the share while any copy of it into that account runs, whatever order they end in, and takes it back after the last', async () => {
    const aws = twoAccounts('cmk');
    aws.copyDurationMs = 60 * MINUTE;
    const shares = () => [...(aws.get(EAST, 'prod-2026-12-01', SOURCE_ACCOUNT)?.sharedWith ?? [])];
    await run(aws, async (start) => {
      // Three copies of one source into one account: two in its Region, one across Regions (two hops).
      const a = await start(input(EAST, { TargetDBClusterSnapshotIdentifier: 'prod-dr-a' }));
      const b = await start(input(WEST, { TargetDBClusterSnapshotIdentifier: 'prod-dr-b' }));
      const c = await start(input(EAST, { TargetDBClusterSnapshotIdentifier: 'prod-dr-c' }));
      await whenProgress(a, (p) => p.phase === 'copying');
      await whenProgress(c, (p) => p.phase === 'copying');
      await whenProgress(b, (p) => p.hops?.[0]?.status === 'copying');
      // a is cancelled first, then b's intermediate copy fails in AWS: c still needs the share.
      await a.signal(cancelSignal, { reason: 'test' });
      expect((await a.result()).summary.outcome).toBe('cancelled');
      expect(shares()).toContain(TARGET_ACCOUNT);
      aws.get(EAST, 'prod-dr-b-hop1', TARGET_ACCOUNT)!.status = 'failed';
      expect((await failureOf(b.result())).type).toBe('InvalidDBClusterSnapshotStateFault');
      expect(shares()).toContain(TARGET_ACCOUNT);
      expect((await c.result()).summary.outcome).toBe('copied');
    });
    // After the last copy, and only then: the share snapcopy added is gone, the other one stays.
    expect(shares()).toEqual(['333333333333']);
    const holder = shareWorkflowId({
      region: EAST,
      identifier: 'prod-2026-12-01',
      sourceAccountId: SOURCE_ACCOUNT,
      accountId: TARGET_ACCOUNT,
    });
    await recordHistory(env.client.workflow.getHandle(holder), 'source-share-three-copies');
    // One share and one removal for all three copies (and b's intermediate copy, which also held it).
    expect(aws.callsOf('shareSnapshot')).toHaveLength(1);
    expect(aws.callsOf('unshareSnapshot')).toHaveLength(1);
  });

  it('never removes a share that was there before: the owner shared the source with the destination', async () => {
    const aws = twoAccounts('cmk');
    aws.get(EAST, 'prod-2026-12-01', SOURCE_ACCOUNT)!.sharedWith.push(TARGET_ACCOUNT);
    const results = await run(aws, async (start) => {
      const handles = await Promise.all(
        ['prod-dr-a', 'prod-dr-b'].map((t) => start(input(EAST, { TargetDBClusterSnapshotIdentifier: t }))),
      );
      // One result at a time: the time-skipping client unlocks time once per pending result() call, and two
      // at once let it skip while a workflow task is still being processed.
      const out = [];
      for (const h of handles) out.push(await h.result());
      return out;
    });
    expect(results.map((r) => [r.summary.outcome, r.summary.crossAccount?.shared])).toEqual([
      ['copied', false],
      ['copied', false],
    ]);
    expect((await leftovers(aws)).shares).toEqual(['333333333333', TARGET_ACCOUNT]);
    expect(aws.callsOf('unshareSnapshot')).toEqual([]);
  });
});
