// Safety of restore tests (verifyCopy) under faults, property-based: fast-check generates a history — 1–3
// restore tests of copies in two Regions of one account (so some queue for the Region's restore slot), random
// restore / writer / delete times and poll intervals, clusters already there that snapcopy did not make (some
// tagged almost like its own), a DB cluster quota with little room, restores whose answer is lost, and per
// test perhaps a cancel (signal or Temporal cancellation) at some point of its life, its cluster's or writer's
// tags stripped or changed at some point (someone took it over), a foreign cluster appearing under its
// cluster's name just before the restore, a failing check (engine, version, key, a cluster that ends
// inaccessible, the SQL canary low or refused) or a deadline — and runs it on the real time-skipping server
// against the in-memory AWS (test/helpers/fake-restores.ts; a fresh server per history, as in
// safety.property.test.ts). Every activity goes through a recorder that fires the events and checks, then:
//  a. no cluster or instance is deleted unless, at that moment, it carries snapcopy:managed=true,
//     snapcopy:verify-of and the deleting workflow's snapcopy:workflow-id; no restore adopts a cluster
//     without them; every foreign cluster is there at the end, tags unchanged;
//  b. after the history nothing the tests made is left but clusters and writers whose tags were taken away
//     (and a cluster that still holds such a writer: AWS refuses to delete it), and foreign clusters; a test's
//     result says cleanedUp: false exactly when something under its names is left;
//  c. at most one (SNAPCOPY_RESTORE_TESTS_PER_REGION) throwaway cluster exists per account and Region at any
//     time (checked whenever a restore made one): clusters given up because their tags were taken away no
//     longer count, they are not snapcopy's;
// and a test nothing disturbed ends `restorable`, a failed one as RestoreTestFailed.
// SNAPCOPY_SAFETY_SEED, _PATH, _RUNS and _EXAMPLE steer it as they do safety.property.test.ts.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  RESTORE_TEST_FAILED,
  VERIFY_WORKFLOW_TYPE,
  verifyCancelSignal,
  verifyProgressQuery,
  verifyWorkflowId,
  writerInstanceId,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../src/shared/restore-tests';
import type { Tag } from '../../src/shared/types';
import { ACCOUNT, FakeAws } from '../helpers/fake-aws';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { cancelTakenIn, safetyParameters, sometimes } from '../helpers/safety';
import { createTimeSkippingEnv, timeSkippingWorkflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const REGIONS = ['us-west-2', 'eu-west-1'] as const;
type Region = (typeof REGIONS)[number];
const MINUTE = 60_000;
/** Wall-clock bound of one history: a restore test that never ends is a failure, not a hung test. */
const SCENARIO_TIMEOUT_MS = 60_000;
const keyOf = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

// ---------------------------------------------------------------------------------------------------
// The scenario

/** A point of a test's life, met when it calls the activity (or, `minutes`, at its first call that late). */
type Point =
  | { kind: 'slot' } // while it asks for the restore slot
  | { kind: 'restore' } // while RestoreDBClusterFromSnapshot is called
  | { kind: 'cluster-look'; n: number } // at its n-th look at the cluster (the last ones are the checks')
  | { kind: 'writer' } // while CreateDBInstance is called
  | { kind: 'writer-look'; n: number }
  | { kind: 'cleanup' } // at its first delete
  | { kind: 'minutes'; m: number };

/** How someone takes a cluster or writer over: a tag removed or changed, or all of them gone. */
type TagEdit = 'managed' | 'managed-false' | 'verify-of' | 'workflow-id' | 'all';
/** A cluster snapcopy did not make, tagged like this. */
type ForeignTags = 'none' | 'managed-false' | 'no-verify-of' | 'other-workflow';
type CheckFault = 'engine' | 'version' | 'key' | 'ends-in' | 'sql-low' | 'sql-refused';

interface TestSpec {
  region: Region;
  pollSeconds: number;
  deadlineMinutes?: number;
  /** options.check: the SQL canary (passing unless a sql fault says otherwise). */
  sql?: boolean;
  cancel?: { at: Point; how: 'signal' | 'temporal' };
  strip?: { what: 'cluster' | 'writer'; edit: TagEdit; at: Point };
  /** A foreign cluster with these tags appears under the test's cluster name just before its restore. */
  clash?: ForeignTags;
  fault?: CheckFault;
}

interface Scenario {
  tests: TestSpec[];
  restoreMinutes: number;
  instanceMinutes: number;
  deleteMinutes: number;
  foreign: { region: Region; tags: ForeignTags; lookAlike: boolean }[];
  /** DB clusters the quota allows beyond the foreign ones of the fullest Region. */
  quotaSlack: number;
  lostRestores: number;
}

const pointArb: fc.Arbitrary<Point> = fc.oneof(
  fc.constant({ kind: 'slot' as const }),
  fc.constant({ kind: 'restore' as const }),
  fc.integer({ min: 1, max: 6 }).map((n) => ({ kind: 'cluster-look' as const, n })),
  fc.constant({ kind: 'writer' as const }),
  fc.integer({ min: 1, max: 4 }).map((n) => ({ kind: 'writer-look' as const, n })),
  fc.constant({ kind: 'cleanup' as const }),
  fc.integer({ min: 1, max: 45 }).map((m) => ({ kind: 'minutes' as const, m })),
);
const foreignTagsArb = fc.constantFrom<ForeignTags>(
  'none',
  'managed-false',
  'no-verify-of',
  'other-workflow',
);

const testArb: fc.Arbitrary<TestSpec> = fc.record(
  {
    region: fc.constantFrom<Region>(...REGIONS),
    pollSeconds: fc.constantFrom(30, 60, 120),
    deadlineMinutes: sometimes(fc.constantFrom(10, 30, 60), 4),
    sql: fc.boolean(),
    cancel: sometimes(
      fc.record({ at: pointArb, how: fc.constantFrom<'signal' | 'temporal'>('signal', 'temporal') }),
      1,
    ),
    strip: sometimes(
      fc.record({
        what: fc.constantFrom<'cluster' | 'writer'>('cluster', 'writer'),
        edit: fc.constantFrom<TagEdit>('managed', 'managed-false', 'verify-of', 'workflow-id', 'all'),
        at: pointArb,
      }),
      2,
    ),
    clash: sometimes(foreignTagsArb, 5),
    fault: sometimes(
      fc.constantFrom<CheckFault>('engine', 'version', 'key', 'ends-in', 'sql-low', 'sql-refused'),
      2,
    ),
  },
  { requiredKeys: ['region', 'pollSeconds', 'sql'] },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  tests: fc.array(testArb, { minLength: 1, maxLength: 3 }),
  restoreMinutes: fc.integer({ min: 1, max: 30 }),
  instanceMinutes: fc.integer({ min: 1, max: 15 }),
  deleteMinutes: fc.integer({ min: 0, max: 5 }),
  foreign: fc.array(
    fc.record({ region: fc.constantFrom<Region>(...REGIONS), tags: foreignTagsArb, lookAlike: fc.boolean() }),
    { maxLength: 3 },
  ),
  quotaSlack: fc.constantFrom(0, 1, 3, 3),
  lostRestores: fc.constantFrom(0, 0, 1, 2),
});

// ---------------------------------------------------------------------------------------------------
// The record the recorder keeps

const MANAGED = 'snapcopy:managed';
const VERIFY_OF = 'snapcopy:verify-of';
const WORKFLOW_ID = 'snapcopy:workflow-id';
const tagOf = (tags: readonly Tag[], key: string) => tags.find((t) => t.Key === key)?.Value;
/** The contract (docs/contract.md), not the code under test: what a restore test may delete. */
const ownedBy = (tags: readonly Tag[], workflowId: string) =>
  tagOf(tags, MANAGED) === 'true' && !!tagOf(tags, VERIFY_OF) && tagOf(tags, WORKFLOW_ID) === workflowId;

type Outcome =
  | { kind: 'result'; result: VerifyCopyResult }
  | { kind: 'failed'; type: string; message: string; result?: VerifyCopyResult }
  | { kind: 'cancelled (Temporal)' };

interface Track {
  index: number;
  spec: TestSpec;
  workflowId: string;
  snapshot: string;
  startedAt: number;
  clusterId?: string;
  clusterLooks: number;
  writerLooks: number;
  cancelFired: boolean;
  stripFired: boolean;
  clashFired: boolean;
  faultApplied: boolean;
  /** A Temporal cancel's point was met: it goes out when one of the test's activities next answers. */
  temporalCancelDue?: boolean;
  outcome?: Outcome;
}

interface Run {
  scenario: Scenario;
  aws: FakeAws;
  tracks: Track[];
  /** Keys (fake-restores' `kind/account/region/id`) of clusters snapcopy did not make, and their tags. */
  foreign: Map<string, Tag[]>;
  /** Keys of what a test's restore or writer call made, and the workflow that made it. */
  made: Map<string, string>;
  /** Keys whose deletion the recorder saw accepted (each checked against its tags then). */
  deleted: Set<string>;
  violations: string[];
  events: string[];
}

const resourceKey = (kind: 'cluster' | 'instance', region: string, id: string) =>
  `${kind}/${ACCOUNT}/${region}/${id}`;

function foreignTags(kind: ForeignTags, workflowId: string, snapshotArn: string): Tag[] {
  switch (kind) {
    case 'none':
      return [{ Key: 'team', Value: 'db' }];
    case 'managed-false':
      return [
        { Key: MANAGED, Value: 'false' },
        { Key: VERIFY_OF, Value: snapshotArn },
        { Key: WORKFLOW_ID, Value: workflowId },
      ];
    case 'no-verify-of':
      return [
        { Key: MANAGED, Value: 'true' },
        { Key: WORKFLOW_ID, Value: workflowId },
      ];
    case 'other-workflow':
      return [
        { Key: MANAGED, Value: 'true' },
        { Key: VERIFY_OF, Value: snapshotArn },
        { Key: WORKFLOW_ID, Value: 'snapcopy-verify-someone-else' },
      ];
  }
}

function edited(tags: Tag[], edit: TagEdit): Tag[] {
  const without = (key: string) => tags.filter((t) => t.Key !== key);
  switch (edit) {
    case 'managed':
      return without(MANAGED);
    case 'managed-false':
      return [...without(MANAGED), { Key: MANAGED, Value: 'false' }];
    case 'verify-of':
      return without(VERIFY_OF);
    case 'workflow-id':
      return [...without(WORKFLOW_ID), { Key: WORKFLOW_ID, Value: 'taken-over' }];
    case 'all':
      return [];
  }
}

const snapshotArnOf = (region: string, id: string) =>
  `arn:aws:rds:${region}:${ACCOUNT}:cluster-snapshot:${id}`;

// ---------------------------------------------------------------------------------------------------
// Running a scenario

function setUp(aws: FakeAws, sc: Scenario, tracks: Track[]): Promise<Map<string, Tag[]>> {
  const r = aws.restores;
  r.restoreMs = sc.restoreMinutes * MINUTE;
  r.instanceMs = sc.instanceMinutes * MINUTE;
  r.deleteMs = sc.deleteMinutes * MINUTE;
  r.lostRestoreResponses = sc.lostRestores;
  const perRegion = REGIONS.map((region) => sc.foreign.filter((f) => f.region === region).length);
  r.clusterQuota = Math.max(...perRegion) + sc.quotaSlack;
  for (const t of tracks) {
    aws.addSnapshot({
      region: t.spec.region,
      identifier: t.snapshot,
      encrypted: true,
      kmsKeyId: keyOf(t.spec.region),
    });
  }
  return (async () => {
    const foreign = new Map<string, Tag[]>();
    for (const [i, f] of sc.foreign.entries()) {
      const id = f.lookAlike ? `snapcopy-verify-f000000${i}` : `someone-elses-${i}`;
      const tags = foreignTags(f.tags, tracks[0]!.workflowId, snapshotArnOf(f.region, tracks[0]!.snapshot));
      await r.addForeignCluster(f.region, id, tags);
      foreign.set(resourceKey('cluster', f.region, id), structuredClone(tags));
    }
    return foreign;
  })();
}

function inputOf(t: Track): VerifyCopyInput {
  const s = t.spec;
  const sql = s.sql || s.fault === 'sql-low' || s.fault === 'sql-refused';
  return {
    SnapshotIdentifier: t.snapshot,
    Region: s.region,
    options: {
      pollSeconds: s.pollSeconds,
      ...(s.deadlineMinutes !== undefined ? { deadlineSeconds: s.deadlineMinutes * 60 } : {}),
      ...(sql
        ? {
            check: {
              secretArn: `arn:aws:secretsmanager:${s.region}:${ACCOUNT}:secret:canary-AbCdEf`,
              sql: 'select count(*) from orders',
              expect: 1,
            },
          }
        : {}),
    },
  };
}

type Activities = ReturnType<FakeAws['activities']>;
type AnyActivity = (...args: unknown[]) => Promise<unknown>;

/** The fake's activities behind a recorder that fires the scenario's events and checks (a) and (c). */
function recorded(env: TestWorkflowEnvironment, run: Run, base: Activities): Activities {
  const { aws } = run;
  const byWorkflow = new Map(run.tracks.map((t) => [t.workflowId, t]));
  const live = async (kind: 'cluster' | 'instance', region: string, id: string) =>
    (await aws.restores.live()).find((r) => r.kind === kind && r.region === region && r.identifier === id);

  const met = (
    t: Track,
    at: Point,
    name: string,
    now: number,
    counted: { cluster: boolean; writer: boolean },
  ) => {
    switch (at.kind) {
      case 'slot':
        return name === 'requestCopySlot';
      case 'restore':
        return name === 'restoreThrowawayCluster';
      case 'writer':
        return name === 'createWriterInstance';
      case 'cluster-look':
        return counted.cluster && t.clusterLooks === at.n;
      case 'writer-look':
        return counted.writer && t.writerLooks === at.n;
      case 'cleanup':
        return name.startsWith('deleteThrowaway');
      case 'minutes':
        return now >= t.startedAt + at.m * MINUTE;
    }
  };

  const fireCancel = async (t: Track, where: string) => {
    const c = t.spec.cancel!;
    t.cancelFired = true;
    run.events.push(`cancel ${t.snapshot} (${c.how}) ${where}`);
    const handle = env.client.workflow.getHandle(t.workflowId);
    if (c.how === 'signal') await handle.signal(verifyCancelSignal, { reason: 'property test' });
    else {
      await handle.cancel();
      await cancelTakenIn(handle); // this activity answers only once the workflow asked to cancel it
    }
  };

  const fireStrip = async (t: Track, where: string) => {
    const s = t.spec.strip!;
    t.stripFired = true;
    if (!t.clusterId) return;
    const id = s.what === 'cluster' ? t.clusterId : writerInstanceId(t.clusterId);
    const key = resourceKey(s.what === 'cluster' ? 'cluster' : 'instance', t.spec.region, id);
    const r = aws.restores.resources.get(key);
    if (!r || run.made.get(key) !== t.workflowId || !(await live(r.kind, r.region, id))) return;
    r.tags = edited(r.tags, s.edit);
    run.events.push(`strip ${s.edit} from ${id} (${t.snapshot}) ${where}`);
  };

  /** (c): at most one throwaway cluster per account and Region, those given up on not counted. */
  const checkOnePerRegion = async (when: string) => {
    const now = await aws.restores.live();
    for (const region of REGIONS) {
      const ours = now.filter((r) => {
        const key = resourceKey('cluster', r.region, r.identifier);
        const maker = run.made.get(key);
        if (r.kind !== 'cluster' || r.region !== region || maker === undefined) return false;
        if (!ownedBy(r.tags, maker)) return false;
        return !now.some(
          (i) => i.kind === 'instance' && i.cluster === r.identifier && !ownedBy(i.tags, maker),
        );
      });
      if (ours.length > 1)
        run.violations.push(
          `c: ${when}: ${ours.length} throwaway clusters in ${region}: ${ours.map((r) => r.identifier).join(', ')}`,
        );
    }
  };

  const wrap =
    (name: string, fn: AnyActivity): AnyActivity =>
    async (...args: unknown[]) => {
      const t = byWorkflow.get(Context.current().info.workflowExecution?.workflowId ?? '');
      if (!t) return fn(...args); // the restore-slot scheduler
      const now = await env.currentTimeMs();
      const input = args[0] as { region: string; identifier?: string; clusterIdentifier?: string };
      const counted = { cluster: false, writer: false };
      if (name === 'describeThrowawayCluster') counted.cluster = ++t.clusterLooks > 0;
      if (name === 'describeThrowawayInstance') counted.writer = ++t.writerLooks > 0;
      if (name === 'restoreThrowawayCluster') t.clusterId ??= input.clusterIdentifier;

      // A foreign cluster under the test's name, just before the restore.
      if (name === 'restoreThrowawayCluster' && t.spec.clash && !t.clashFired) {
        t.clashFired = true;
        const id = input.clusterIdentifier!;
        const key = resourceKey('cluster', t.spec.region, id);
        if (!(await live('cluster', t.spec.region, id))) {
          const tags = foreignTags(t.spec.clash, t.workflowId, snapshotArnOf(t.spec.region, t.snapshot));
          await aws.restores.addForeignCluster(t.spec.region, id, tags);
          run.foreign.set(key, structuredClone(tags));
          run.events.push(`foreign cluster ${id} (${t.spec.clash}) appears before ${t.snapshot}'s restore`);
        }
      }
      if (t.spec.strip && !t.stripFired && met(t, t.spec.strip.at, name, now, counted))
        await fireStrip(t, `at ${JSON.stringify(t.spec.strip.at)}`);
      if (t.spec.cancel && !t.cancelFired && met(t, t.spec.cancel.at, name, now, counted)) {
        if (t.spec.cancel.how === 'signal') await fireCancel(t, `at ${JSON.stringify(t.spec.cancel.at)}`);
        else t.temporalCancelDue = true;
      }
      // A Temporal cancel goes out once this activity has answered, so that it answers (not a retryable
      // failure: on the time-skipping server an activity whose cancellation was requested and that then fails
      // retryably, a lost restore answer, is never resolved and the workflow waits until its run timeout);
      // an activity that fails leaves it to the test's next one.
      if (t.temporalCancelDue && !t.cancelFired) {
        const answer = await perform(name, t, fn, args);
        await fireCancel(t, `at ${JSON.stringify(t.spec.cancel!.at)}`);
        return answer;
      }
      return perform(name, t, fn, args);
    };

  const perform = async (name: string, t: Track, fn: AnyActivity, args: unknown[]): Promise<unknown> => {
    const input = args[0] as { region: string; identifier?: string; clusterIdentifier?: string };

    if (name === 'deleteThrowawayCluster' || name === 'deleteThrowawayInstance') {
      const kind = name === 'deleteThrowawayCluster' ? 'cluster' : 'instance';
      const id = input.identifier!;
      const key = resourceKey(kind, t.spec.region, id);
      const before = await live(kind, t.spec.region, id);
      const tags = before ? structuredClone(before.tags) : [];
      try {
        return await fn(...args);
      } finally {
        const after = aws.restores.resources.get(key);
        if (before && before.deleteRequestedAt === undefined && after?.deleteRequestedAt !== undefined) {
          run.deleted.add(key);
          // (a) at the moment of the delete: snapcopy's tags, and this workflow's.
          if (!ownedBy(tags, t.workflowId))
            run.violations.push(
              `a: ${t.snapshot}'s workflow deleted ${kind} ${id} tagged ${JSON.stringify(tags)}${run.foreign.has(key) ? ' (foreign)' : ''}`,
            );
        }
      }
    }

    if (name === 'restoreThrowawayCluster') {
      const id = input.clusterIdentifier!;
      const key = resourceKey('cluster', t.spec.region, id);
      const existed = aws.restores.resources.has(key);
      try {
        const answer = (await fn(...args)) as { tags: Tag[] };
        // (a) a restore answers with a cluster it may later delete: never one it did not make.
        if (!ownedBy(answer.tags, t.workflowId))
          run.violations.push(
            `a: ${t.snapshot}'s restore adopted ${id} tagged ${JSON.stringify(answer.tags)}`,
          );
        return answer;
      } finally {
        const r = aws.restores.resources.get(key);
        if (r && !existed && !run.foreign.has(key)) {
          run.made.set(key, t.workflowId);
          applyFault(run, t, r);
        }
        await checkOnePerRegion(`after ${t.snapshot}'s restore of ${id}`);
      }
    }

    if (name === 'createWriterInstance') {
      const key = resourceKey(
        'instance',
        t.spec.region,
        (input as { instanceIdentifier?: string }).instanceIdentifier!,
      );
      const existed = aws.restores.resources.has(key);
      try {
        return await fn(...args);
      } finally {
        if (!existed && aws.restores.resources.has(key)) run.made.set(key, t.workflowId);
      }
    }

    if (name === 'runSqlCheck' && (t.spec.fault === 'sql-low' || t.spec.fault === 'sql-refused')) {
      await fn(...args); // the Data API's own refusals first (endpoint off, cluster not available)
      run.events.push(`SQL canary of ${t.snapshot}: ${t.spec.fault}`);
      if (t.spec.fault === 'sql-low') return { rows: 1, first: 0 };
      throw ApplicationFailure.create({
        type: 'BadRequestException',
        message: 'relation "orders" does not exist (injected)',
        nonRetryable: true,
      });
    }
    return fn(...args);
  };

  return Object.fromEntries(
    Object.entries(base).map(([name, fn]) => [name, wrap(name, fn as AnyActivity)]),
  ) as unknown as Activities;
}

/** A check that fails: the restored cluster is not what the snapshot said. */
function applyFault(
  run: Run,
  t: Track,
  r: { engine?: string; engineVersion?: string; kmsKeyId?: string; status?: string },
) {
  const f = t.spec.fault;
  if (!f || t.faultApplied || f.startsWith('sql-')) return;
  t.faultApplied = true;
  run.events.push(`restored cluster of ${t.snapshot}: ${f} differs`);
  if (f === 'engine') r.engine = 'aurora-mysql';
  if (f === 'version') r.engineVersion = '15.2';
  if (f === 'key') r.kmsKeyId = `arn:aws:kms:${t.spec.region}:${ACCOUNT}:key/other`;
  if (f === 'ends-in') r.status = 'inaccessible-encryption-credentials';
}

async function outcomeOf(promise: Promise<VerifyCopyResult>): Promise<Outcome> {
  try {
    return { kind: 'result', result: await promise };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if (err.cause instanceof CancelledFailure) return { kind: 'cancelled (Temporal)' };
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    return {
      kind: 'failed',
      type: cause?.type ?? String(err.cause?.name),
      message: err.cause?.message ?? err.message,
      ...(cause?.details?.[0] ? { result: cause.details[0] as VerifyCopyResult } : {}),
    };
  }
}

/** Phases a test stays in while time stands still (no result awaited yet), or has passed on its own. */
const SETTLED = new Set([
  'waiting-for-slot',
  'restoring',
  'creating-writer',
  'checking',
  'cleaning-up',
  'done',
]);

async function runScenario(env: TestWorkflowEnvironment, scenario: Scenario): Promise<Run> {
  const aws = new FakeAws(() => env.currentTimeMs());
  const t0 = await env.currentTimeMs();
  const tracks: Track[] = scenario.tests.map((spec, index) => {
    const snapshot = `copy-${index}`;
    return {
      index,
      spec,
      workflowId: verifyWorkflowId(spec.region, snapshot),
      snapshot,
      startedAt: t0,
      clusterLooks: 0,
      writerLooks: 0,
      cancelFired: false,
      stripFired: false,
      clashFired: false,
      faultApplied: false,
    };
  });
  const run: Run = {
    scenario,
    aws,
    tracks,
    foreign: new Map(),
    made: new Map(),
    deleted: new Set(),
    violations: [],
    events: [],
  };
  for (const [k, v] of await setUp(aws, scenario, tracks)) run.foreign.set(k, v);
  let timer: NodeJS.Timeout | undefined;
  await withFakeAwsWorker(
    env,
    aws,
    { regions: REGIONS, wrapActivities: (base) => recorded(env, run, base) },
    async (taskQueue) => {
      const handles: WorkflowHandle[] = [];
      for (const t of tracks) {
        t.startedAt = await env.currentTimeMs();
        handles.push(
          await env.client.workflow.start(VERIFY_WORKFLOW_TYPE, {
            taskQueue,
            workflowId: t.workflowId,
            args: [inputOf(t)],
          }),
        );
      }
      const all = (async () => {
        // Each settles first (time stands still until a result is awaited), then one result at a time: the
        // time-skipping client unlocks time once per pending result() call.
        for (const h of handles) {
          await waitFor(`${h.workflowId} settles`, async () => {
            const d = await h.describe();
            if (d.status.name !== 'RUNNING') return;
            const p = await h.query(verifyProgressQuery);
            if (!SETTLED.has(p.phase)) throw new Error(`phase ${p.phase}`);
          });
        }
        for (const [i, h] of handles.entries())
          tracks[i]!.outcome = await outcomeOf(h.result() as Promise<VerifyCopyResult>);
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`the restore tests did not all end within ${SCENARIO_TIMEOUT_MS} ms (wall clock)`),
            ),
          SCENARIO_TIMEOUT_MS,
        );
      });
      await Promise.race([all, timeout]).catch(async (err: unknown) => {
        const where = [];
        for (const h of handles) {
          const p = await h.query(verifyProgressQuery).catch((e: unknown) => String(e));
          where.push(`${h.workflowId}: ${JSON.stringify(p)}`);
        }
        throw new Error(`${String(err)}\n${where.join('\n')}\n--- trace\n${run.events.join('\n')}`, {
          cause: err,
        });
      });
    },
  ).finally(() => clearTimeout(timer));
  return run;
}

// ---------------------------------------------------------------------------------------------------
// The invariants after the history

async function violations(run: Run): Promise<string[]> {
  const out = [...run.violations];
  const live = await run.aws.restores.live();
  const liveKey = (r: { kind: 'cluster' | 'instance'; region: string; identifier: string }) =>
    resourceKey(r.kind, r.region, r.identifier);
  // (a) every foreign cluster is there, its tags as they were; nothing was deleted the recorder did not check.
  for (const [key, tags] of run.foreign) {
    const r = live.find((x) => liveKey(x) === key);
    if (!r) out.push(`a: foreign ${key} is gone`);
    else if (JSON.stringify(r.tags) !== JSON.stringify(tags))
      out.push(`a: foreign ${key} has tags ${JSON.stringify(r.tags)}`);
  }
  for (const r of run.aws.restores.all()) {
    const key = liveKey(r);
    if (r.deleteRequestedAt !== undefined && !run.deleted.has(key)) out.push(`a: ${key} deleted unseen`);
  }
  // (b) nothing the tests made is left, but what was taken over (and a cluster holding a writer taken over).
  for (const r of live) {
    const key = liveKey(r);
    if (run.foreign.has(key)) continue;
    const maker = run.made.get(key);
    if (maker === undefined) {
      out.push(`b: ${key} was made by no test`);
      continue;
    }
    const takenOver = !ownedBy(r.tags, maker);
    const holdsTakenOver =
      r.kind === 'cluster' &&
      live.some((i) => i.kind === 'instance' && i.cluster === r.identifier && !ownedBy(i.tags, maker));
    if (!takenOver && !holdsTakenOver) out.push(`b: ${key} (${r.now}) left behind by ${maker}`);
  }
  for (const t of run.tracks) {
    const o = t.outcome;
    const name = `${t.snapshot} (${o?.kind}${o?.kind === 'failed' ? ` ${o.type}` : ''})`;
    if (!o) {
      out.push(`?: ${t.snapshot} has no outcome`);
      continue;
    }
    if (o.kind === 'failed' && o.type !== RESTORE_TEST_FAILED) out.push(`?: ${name}: ${o.message}`);
    const result = o.kind === 'result' ? o.result : o.kind === 'failed' ? o.result : undefined;
    if (result) {
      const left = live.filter(
        (r) =>
          r.region === t.spec.region &&
          t.clusterId !== undefined &&
          (r.identifier === t.clusterId || r.identifier === writerInstanceId(t.clusterId)),
      );
      if (result.cleanedUp !== (left.length === 0))
        out.push(
          `b: ${name} says cleanedUp: ${result.cleanedUp}, left: ${left.map((r) => `${r.kind} ${r.identifier}`).join(', ') || 'nothing'}`,
        );
    }
    // Nothing disturbed it (no event of its own, room in the quota for every leftover): it restores.
    const s = t.spec;
    const undisturbed =
      !s.cancel &&
      !s.strip &&
      !s.clash &&
      !s.fault &&
      s.deadlineMinutes === undefined &&
      run.scenario.quotaSlack >= run.tracks.length;
    if (undisturbed && !(o.kind === 'result' && o.result.outcome === 'restorable'))
      out.push(
        `liveness: ${name}, undisturbed, ended ${o.kind === 'result' ? o.result.outcome : o.kind}${o.kind === 'failed' ? `: ${o.message}` : ''}`,
      );
  }
  return out;
}

let runs = 0;
const seen = new Map<string, number>();
const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

function tally(run: Run): void {
  for (const t of run.tracks) {
    const o = t.outcome;
    count(
      o?.kind === 'result'
        ? o.result.outcome
        : o?.kind === 'failed'
          ? `failed ${o.result?.cleanedUp === false ? '(left)' : ''}`
          : String(o?.kind),
    );
    if (o?.kind === 'result' && !o.result.cleanedUp) count('cleanedUp: false');
  }
  for (const e of run.events) count(e.split(' ')[0]!);
  if (run.deleted.size) count('histories with deletes');
}

it('restore tests delete only what they made, leave nothing else, one throwaway cluster per Region at a time', async () => {
  await timeSkippingWorkflowBundle();
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const env = await createTimeSkippingEnv();
      try {
        const run = await runScenario(env, scenario);
        runs++;
        tally(run);
        const found = await violations(run);
        if (found.length > 0)
          throw new Error(
            `${found.join('\n')}\n--- events\n${run.events.join('\n')}\n--- outcomes\n${run.tracks.map((t) => `${t.snapshot}: ${JSON.stringify(t.outcome)}`).join('\n')}`,
          );
      } finally {
        await env.teardown();
      }
    }),
    safetyParameters<Scenario>({ seed: 20261210, runs: 10, timeLimitMs: 45_000 }),
  );
  console.log(`${runs} restore-test histories:`, Object.fromEntries([...seen].sort()));
  expect(runs).toBeGreaterThan(0);
}, 120_000);
