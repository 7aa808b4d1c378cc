// The runCopyPlan workflow on the real time-skipping Temporal test server: children per cluster and
// destination over the in-memory AWS (test/helpers/fake-aws.ts), with the real copy-slot activities.
import { describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  PLAN_RUN_FAILED,
  planRunQuery,
  planRunWorkflowId,
  type PlanRunResult,
  type RunCopyPlanInput,
} from '../../src/shared/plan-run';
import { runCopyPlan } from '../../src/workflows';
import { ACCOUNT, FakeAws } from '../helpers/fake-aws';
import { recordHistory } from '../helpers/histories';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { timeSkippingEnvPerTest } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { failureOf } from '../helpers/failures';

let env: TestWorkflowEnvironment;
timeSkippingEnvPerTest((e) => (env = e));

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SOURCE = 'us-east-1';
const DESTINATIONS = ['us-west-2', 'eu-west-1'];

function withWorker<T>(aws: FakeAws, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  return withFakeAwsWorker(env, aws, { regions: DESTINATIONS }, fn);
}

/** A plan as its YAML file states it. */
function plan(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'prod-dr',
    schedule: { cron: '0 3 * * *' },
    source: { region: SOURCE, clusters: ['prod-c'], tags: { backup: 'dr' } },
    destinations: [
      { region: 'us-west-2', kmsKeyId: 'alias/dr' },
      { region: 'eu-west-1', kmsKeyId: 'alias/dr' },
    ],
    tags: { purpose: 'dr' },
    priority: 2,
    notify: { snsTopicArn: `arn:aws:sns:${SOURCE}:${ACCOUNT}:snapcopy` },
    ...over,
  };
}

/** Three clusters (two by tag, one by name), one not selected; each with an encrypted newest snapshot. */
function fleet(aws: FakeAws, now: number): void {
  aws.copyDurationMs = 20 * MINUTE;
  for (const [cluster, tags] of [
    ['prod-a', { backup: 'dr' }],
    ['prod-b', { backup: 'dr', team: 'x' }],
    ['prod-c', {}],
    ['dev-d', { backup: 'none' }],
  ] as const) {
    aws.addCluster(SOURCE, cluster, tags);
    aws.addSnapshot({
      region: SOURCE,
      identifier: `rds:${cluster}-old`,
      cluster,
      createdAt: now - 2 * DAY,
      encrypted: true,
    });
    aws.addSnapshot({
      region: SOURCE,
      identifier: `rds:${cluster}-new`,
      cluster,
      createdAt: now - DAY,
      encrypted: true,
    });
  }
  for (const region of DESTINATIONS) aws.keys.push({ region, keyId: `key-${region}`, aliases: ['alias/dr'] });
}

async function runPlan(taskQueue: string, input: RunCopyPlanInput, at: Date) {
  return env.client.workflow.start(runCopyPlan, {
    taskQueue,
    workflowId: planRunWorkflowId('prod-dr', at),
    args: [input],
  });
}

describe('runCopyPlan', () => {
  it('copies 3 clusters to 2 Regions as children; one failing child fails only its row, and the run after all ended', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    // eu-west-1's key is disabled: prod-b's (and everyone's) copy there fails; the others do not stop.
    aws.keys.find((k) => k.region === 'eu-west-1')!.enabled = false;
    const failure = await withWorker(aws, async (tq) => {
      const handle = await runPlan(tq, { plan: plan(), origin: 'prod-dr.yaml' }, new Date(now));
      const failure = await failureOf(handle.result());
      const progress = await handle.query(planRunQuery);
      expect(progress.phase).toBe('failed');
      await recordHistory(handle, 'plan-run-one-destination-failing');
      return failure;
    });
    expect(failure.type).toBe(PLAN_RUN_FAILED);
    expect(failure.message).toBe(
      'plan prod-dr: 3 of 6 copies not made: prod-a → eu-west-1 (KMSKeyNotAccessibleFault), ' +
        'prod-b → eu-west-1 (KMSKeyNotAccessibleFault), prod-c → eu-west-1 (KMSKeyNotAccessibleFault)',
    );
    const result = failure.details?.[0] as PlanRunResult;
    expect(result.clusters).toEqual(['prod-a', 'prod-b', 'prod-c']);
    expect(result.rows.map((r) => [r.cluster, r.destination, r.outcome])).toEqual([
      ['prod-a', 'us-west-2', 'copied'],
      ['prod-a', 'eu-west-1', 'failed'],
      ['prod-b', 'us-west-2', 'copied'],
      ['prod-b', 'eu-west-1', 'failed'],
      ['prod-c', 'us-west-2', 'copied'],
      ['prod-c', 'eu-west-1', 'failed'],
    ]);
    const copied = result.rows.find((r) => r.cluster === 'prod-a' && r.destination === 'us-west-2')!;
    // Named from the source snapshot's creation time, with the default copy workflow ID.
    const target = `prod-a-${stamp(now - DAY)}`;
    expect(copied).toMatchObject({ target, workflowId: `snapcopy-us-west-2-${target}` });
    expect(copied.durationSeconds).toBeGreaterThanOrEqual(20 * 60);
    // The copies carry the plan's tags, key and priority; never the unselected cluster.
    const starts = aws.callsOf('startCopy') as {
      sourceIdentifier: string;
      tags: { Key: string }[];
      kmsKeyArn?: string;
    }[];
    expect(starts).toHaveLength(3);
    expect(starts.every((s) => s.kmsKeyArn === `arn:aws:kms:us-west-2:${ACCOUNT}:key/key-us-west-2`)).toBe(
      true,
    );
    expect(starts.every((s) => s.tags.some((t) => t.Key === 'purpose'))).toBe(true);
    expect(starts.some((s) => s.sourceIdentifier.includes('dev-d'))).toBe(false);
    // One report, of the failed run.
    expect(aws.published).toHaveLength(1);
    expect(aws.published[0]!.topicArn).toBe(`arn:aws:sns:${SOURCE}:${ACCOUNT}:snapcopy`);
    expect(aws.published[0]!.result.counts).toMatchObject({ copied: 3, failed: 3 });
    expect(result.notified).toBe('msg-1');
  });

  it('a second run of the same snapshots copies nothing twice: every row is already-present', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    const [first, second] = await withWorker(aws, async (tq) => {
      const first = await (await runPlan(tq, { plan: plan() }, new Date(now))).result();
      const second = await (await runPlan(tq, { plan: plan() }, new Date(now + 60 * MINUTE))).result();
      return [first, second];
    });
    expect(first.counts).toMatchObject({ copied: 6, failed: 0 });
    expect(first.failed).toBe(false);
    expect(second.rows.map((r) => r.outcome)).toEqual(Array(6).fill('already-present'));
    expect(aws.callsOf('startCopy')).toHaveLength(6);
    // notify.on defaults to failure: nothing to tell.
    expect(aws.published).toHaveLength(0);
  });

  it('applies retention per cluster and destination after the copy: exactly the owned copies no rule keeps', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    // Owned copies of prod-a in us-west-2, 3..6 days old, and a snapshot someone else made there.
    const owned = [3, 4, 5, 6].map((d) => `prod-a-old-${d}`);
    owned.forEach((id, i) => aws.addOwnedCopy('us-west-2', id, 'prod-a', now - (3 + i) * DAY));
    aws.addSnapshot({
      region: 'us-west-2',
      identifier: 'manual-keep',
      cluster: 'prod-a',
      createdAt: now - 9 * DAY,
    });
    const result = await withWorker(aws, async (tq) =>
      (await runPlan(tq, { plan: plan({ retention: { keepLast: 3 } }) }, new Date(now))).result(),
    );
    const row = result.rows.find((r) => r.cluster === 'prod-a' && r.destination === 'us-west-2')!;
    // keepLast 3: the copy just made and the two newest old ones stay.
    expect(row.retired.sort()).toEqual(['prod-a-old-5', 'prod-a-old-6']);
    expect(aws.get('us-west-2', 'prod-a-old-3')).toBeDefined();
    expect(aws.get('us-west-2', 'prod-a-old-4')).toBeDefined();
    expect(aws.get('us-west-2', 'manual-keep')).toBeDefined();
    const deleted = (aws.callsOf('deleteOwnedSnapshot') as { identifier: string }[]).map((c) => c.identifier);
    expect(deleted.sort()).toEqual(['prod-a-old-5', 'prod-a-old-6']);
  });

  it('a cancelled run cancels its copies: they delete their unfinished targets, nothing is left', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    aws.copyDurationMs = 2 * 60 * MINUTE;
    const copying = () => [...aws.snapshots.values()].filter((s) => s.status === 'copying').length;
    const err = await withWorker(aws, async (tq) => {
      const handle = await runPlan(tq, { plan: plan() }, new Date(now));
      await waitFor('all six copies started', () => expect(copying()).toBe(6));
      await handle.cancel();
      return handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const targets = [...aws.snapshots.values()].filter((s) => DESTINATIONS.includes(s.region));
    expect(targets).toEqual([]);
    expect(aws.callsOf('deleteOwnedSnapshot')).toHaveLength(6);
  });

  it('refuses an invalid plan before any AWS call, naming the key path and the rule', async () => {
    const aws = newAws();
    const failure = await withWorker(aws, async (tq) =>
      failureOf(
        (await runPlan(tq, { plan: plan({ priority: 9 }), origin: 'bad.yaml' }, new Date())).result(),
      ),
    );
    expect(failure.type).toBe('InvalidParameterValue');
    expect(failure.message).toMatch(/^the plan from bad\.yaml is not valid: priority: /);
    expect(aws.calls).toHaveLength(0);
  });

  it('runs 300 children (150 clusters × 2 Regions) with a history well under Temporal’s limits', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    aws.copyDurationMs = 10 * MINUTE;
    aws.manualQuota = 1_000; // 150 copies per Region: past AWS's default of 100 manual snapshots
    for (let i = 0; i < 150; i++) {
      const cluster = `c${String(i).padStart(3, '0')}`;
      aws.addCluster(SOURCE, cluster, { backup: 'dr' });
      aws.addSnapshot({ region: SOURCE, identifier: `rds:${cluster}-new`, cluster, createdAt: now - DAY });
    }
    const { result, events } = await withWorker(aws, async (tq) => {
      const handle = await runPlan(
        tq,
        {
          plan: plan({
            source: { region: SOURCE, tags: { backup: 'dr' } },
            destinations: DESTINATIONS.map((region) => ({ region })),
          }),
        },
        new Date(now),
      );
      const result = await handle.result();
      return { result, events: (await handle.fetchHistory()).events?.length ?? 0 };
    });
    expect(result.counts.copied).toBe(300);
    // Three events per child and a few per workflow task: far below the 10,240-event warning.
    expect(events).toBeLessThan(2_500);
  }, 300_000);
});

let awsClock: () => Promise<number>;
function newAws(): FakeAws {
  awsClock = () => env.currentTimeMs();
  return new FakeAws(awsClock);
}

function stamp(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

describe('runCopyPlan with verify (restore tests)', () => {
  it('tests each new copy in each destination that does not opt out, and shows each test in its row', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    const p = plan({
      destinations: [
        { region: 'us-west-2', kmsKeyId: 'alias/dr' },
        { region: 'eu-west-1', kmsKeyId: 'alias/dr', verify: false },
      ],
      verify: { every: '7d', pollSeconds: 60 },
    });
    const result = await withWorker(aws, async (tq) =>
      (await runPlan(tq, { plan: p, origin: 'prod-dr.yaml' }, new Date(now))).result(),
    );
    const byRow = result.rows.map((r) => [r.cluster, r.destination, r.outcome, r.verify?.outcome]);
    expect(byRow).toEqual([
      ['prod-a', 'us-west-2', 'copied', 'restorable'],
      ['prod-a', 'eu-west-1', 'copied', undefined],
      ['prod-b', 'us-west-2', 'copied', 'restorable'],
      ['prod-b', 'eu-west-1', 'copied', undefined],
      ['prod-c', 'us-west-2', 'copied', 'restorable'],
      ['prod-c', 'eu-west-1', 'copied', undefined],
    ]);
    expect(result.restoreTests).toEqual({ restorable: 3 });
    const row = result.rows[0]!;
    expect(row.verify?.workflowId).toBe(`snapcopy-verify-us-west-2-${row.target}`);
    expect(row.verify?.totalSeconds).toBeGreaterThan(0);
    // Each test restored the copy its row made, in its destination, and left nothing.
    const verified = aws.restores
      .all()
      .filter((r) => r.kind === 'cluster')
      .map((r) => r.tags.find((t) => t.Key === 'snapcopy:verify-of')?.Value)
      .sort();
    expect(verified).toEqual(
      result.rows
        .filter((r) => r.verify)
        .map((r) => r.targetArn)
        .sort(),
    );
    expect(aws.restores.all().every((r) => r.region === 'us-west-2')).toBe(true);
    expect(await aws.restores.live()).toEqual([]);
  });

  it('skips clusters whose last passed test is recent, and defers beyond maxPerRun (never tested first)', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    aws.restores.passed.set('us-west-2/prod-a', new Date(now - DAY).toISOString()); // recent
    aws.restores.passed.set('us-west-2/prod-b', new Date(now - 30 * DAY).toISOString()); // due, tested before
    const p = plan({
      destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }],
      verify: { every: '7d', maxPerRun: 1 },
    });
    const result = await withWorker(aws, async (tq) =>
      (await runPlan(tq, { plan: p, origin: 'prod-dr.yaml' }, new Date(now))).result(),
    );
    expect(result.rows.map((r) => [r.cluster, r.verify?.outcome])).toEqual([
      ['prod-a', 'recent'],
      ['prod-b', 'deferred'],
      ['prod-c', 'restorable'], // never tested: first
    ]);
    expect(result.rows[1]?.verify?.lastPassedAt).toBe(new Date(now - 30 * DAY).toISOString());
    expect(aws.restores.all().filter((r) => r.kind === 'cluster')).toHaveLength(1);
  });

  it('fails the run when a restore test fails (the copies stay), naming it, and the report lists it', async () => {
    const aws = newAws();
    const now = await env.currentTimeMs();
    fleet(aws, now);
    aws.restores.override = { engineVersion: '11.9' };
    const p = plan({
      destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }],
      verify: { every: '7d' },
    });
    const failure = await withWorker(aws, async (tq) =>
      failureOf((await runPlan(tq, { plan: p, origin: 'prod-dr.yaml' }, new Date(now))).result()),
    );
    expect(failure.type).toBe(PLAN_RUN_FAILED);
    expect(failure.message).toContain('3 restore tests failed: prod-a → us-west-2 (check engine version (');
    const result = failure.details?.[0] as PlanRunResult;
    expect(result.rows.map((r) => r.outcome)).toEqual(['copied', 'copied', 'copied']);
    expect(result.restoreTests).toEqual({ failed: 3 });
    const [published] = aws.published;
    expect(published?.result.rows.every((r) => r.verify?.outcome === 'failed')).toBe(true);
    expect(await aws.restores.live()).toEqual([]);
  });
});
