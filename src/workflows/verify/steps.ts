// The restore test's steps, each resumable from the carried state (a continued run skips what is done):
// describe the copy, wait for a restore slot, restore, wait, add the writer, wait, check.
import { condition, continueAsNew, uuid4, workflowInfo } from '@temporalio/workflow';
import {
  RESTORE_TEST_FAILED,
  restoreSlotsWorkflowId,
  throwawayClusterId,
  writerInstanceId,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../shared/restore-tests';
import { DEFAULT_PRIORITY } from '../../shared/slots';
import { defaultInstanceClass, validateVerifyInput, type ValidatedVerify } from '../../shared/verify-input';
import { InputError } from '../../shared/messages';
import { activityCause, call, failure } from '../copy/activities';
import { iso, now } from '../clock';
import { verifySummaries as say } from './summaries';
import type { RestoreTest, VerifyState } from './state';
import type { ThrowawayCluster, ThrowawayInstance } from '../../activities/restore-test';

/** Thrown at a checkpoint once a cancel was requested; the workflow cleans up and ends `cancelled`. */
export class CancelRequested extends Error {
  override readonly name = 'CancelRequested';
}

/** Polls per run before continuing as new (each about 11 events). */
export const POLLS_PER_RUN = 150;
/** The first look at a new cluster or writer; later looks back off to options.pollSeconds. */
const FIRST_POLL_SECONDS = 10;

type NextRun = (input: VerifyCopyInput, state: VerifyState) => Promise<VerifyCopyResult>;

export function validate(t: RestoreTest): void {
  try {
    t.v = validateVerifyInput(t.input);
  } catch (err) {
    if (err instanceof InputError) throw failure(err.type, err.message, { field: err.field });
    throw err;
  }
  t.showRegion();
}

function where(t: RestoreTest): { region: string; role?: ValidatedVerify['role'] } {
  return { region: t.v.region, ...(t.v.role ? { role: t.v.role } : {}) };
}

/**
 * The deadline bounds what costs: from the slot's grant (a queue of restore tests behind one slot may wait
 * for hours, and waiting costs nothing). Before the grant there is none.
 */
function deadlineMs(t: RestoreTest): number {
  const from = t.state.marks.slotGranted;
  return from === undefined ? Infinity : from + t.v.options.deadlineSeconds * 1000;
}

/** Goes on, or ends the test: a cancel first, then the deadline. */
export function checkpoint(t: RestoreTest): void {
  if (t.cancelRequested) throw new CancelRequested();
  if (now() >= deadlineMs(t)) {
    throw failure(
      RESTORE_TEST_FAILED,
      `the restore test did not finish within options.deadlineSeconds=${t.v.options.deadlineSeconds} (it was ${t.state.phase})`,
    );
  }
}

/** Waits `seconds`, cut short by a cancel, never past the deadline. */
async function pause(t: RestoreTest, seconds: number): Promise<void> {
  const ms = Math.max(1000, Math.min(seconds * 1000, deadlineMs(t) - now()));
  await condition(() => t.cancelRequested, ms, { summary: say.nextLook(ms / 1000) });
}

/** Looks until `done` (backing off to options.pollSeconds), continuing as new when the run's budget is spent. */
async function lookUntil<T>(t: RestoreTest, look: () => Promise<T>, done: (x: T) => boolean): Promise<T> {
  let delay = Math.min(FIRST_POLL_SECONDS, t.v.options.pollSeconds);
  for (;;) {
    checkpoint(t);
    const seen = await look();
    t.state.polls++;
    t.pollsThisRun++;
    if (done(seen)) return seen;
    if (t.pollsThisRun >= POLLS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<NextRun>(t.input, t.state);
    }
    await pause(t, delay);
    delay = Math.min(t.v.options.pollSeconds, Math.ceil(delay * 1.5));
  }
}

export async function describeSnapshot(t: RestoreTest): Promise<void> {
  if (t.state.snapshot) return;
  t.setPhase('describing');
  const s = await call('describeRestorableSnapshot', say.describe(t.v.snapshotIdentifier, t.v.region), {
    ...where(t),
    identifier: t.v.snapshotIdentifier,
  });
  if (s.status !== 'available') {
    throw failure(
      RESTORE_TEST_FAILED,
      `InvalidDBClusterSnapshotStateFault: snapshot ${s.identifier} is ${s.status}, not available: only a finished copy can be restored`,
    );
  }
  t.state.snapshot = {
    arn: s.arn,
    accountId: s.accountId,
    engine: s.engine,
    ...(s.engineVersion ? { engineVersion: s.engineVersion } : {}),
    encrypted: s.encrypted,
    ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
    ...(s.sourceCluster ? { sourceCluster: s.sourceCluster } : {}),
  };
  if (s.sourceCluster) t.showSourceCluster(s.sourceCluster);
}

/** One restore test at a time per account and Region (SNAPCOPY_RESTORE_TESTS_PER_REGION): DB clusters cost. */
export async function takeRestoreSlot(t: RestoreTest): Promise<void> {
  const snapshot = t.state.snapshot!;
  if (t.state.slot?.granted) return;
  checkpoint(t);
  const since = t.state.slot?.since ?? iso();
  // Recorded before asking: the grant may arrive while the request is on its way.
  t.state.slot = {
    slotsWorkflowId: restoreSlotsWorkflowId(snapshot.accountId, t.v.region),
    since,
    granted: false,
  };
  t.setPhase('waiting-for-slot', `waiting for a restore-test slot in ${t.v.region}`);
  // A plain activity, not a local one: a restore test asks once, and its history has room for it.
  await call('requestCopySlot', say.requestSlot(t.v.region), {
    accountId: snapshot.accountId,
    region: t.v.region,
    taskQueue: workflowInfo().taskQueue,
    request: { workflowId: t.workflowId, priority: DEFAULT_PRIORITY, since },
    kind: 'restores',
    ...(t.v.role ? { role: t.v.role } : {}),
  });
  // No timer: a waiting test adds no event until its grant (or a cancel) comes.
  await condition(() => t.state.slot?.granted === true || t.cancelRequested);
  checkpoint(t);
  t.state.marks.slotGranted ??= now();
}

export async function restoreCluster(t: RestoreTest): Promise<void> {
  const snapshot = t.state.snapshot!;
  if (!t.state.cluster) {
    // Recorded before the call: cleanup deletes it even when the call's answer is lost.
    t.state.cluster = { identifier: throwawayClusterId(uuid4().replace(/-/g, '').slice(0, 8)) };
  }
  const id = t.state.cluster.identifier;
  if (t.state.marks.restoreCalled === undefined) {
    checkpoint(t);
    t.setPhase('restoring', `restoring into ${id}`);
    t.state.marks.restoreCalled = now();
    const made = await call('restoreThrowawayCluster', say.restore(snapshot.arn, id), {
      ...where(t),
      snapshotArn: snapshot.arn,
      clusterIdentifier: id,
      engine: snapshot.engine,
      ...(snapshot.engineVersion ? { engineVersion: snapshot.engineVersion } : {}),
      ...(t.v.options.dbSubnetGroupName ? { dbSubnetGroupName: t.v.options.dbSubnetGroupName } : {}),
      ...(t.v.options.vpcSecurityGroupIds ? { vpcSecurityGroupIds: t.v.options.vpcSecurityGroupIds } : {}),
      workflowId: t.workflowId,
    });
    if (made.arn) t.state.cluster.arn = made.arn;
  }
}

/** Cluster and instance states a restore or a writer passes through on its way to `available`. */
const ON_THE_WAY = new Set([
  'creating',
  'backing-up',
  'modifying',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'renaming',
  'resetting-master-credentials',
  'starting',
  'rebooting',
  'upgrading',
]);

function notOnTheWay(what: string, status: string | undefined): never {
  throw failure(
    RESTORE_TEST_FAILED,
    status === undefined
      ? `${what} disappeared before it was available (deleted outside snapcopy?)`
      : `${what} became ${status} instead of available`,
  );
}

export async function waitForCluster(t: RestoreTest): Promise<ThrowawayCluster | undefined> {
  if (t.state.marks.clusterAvailable !== undefined) return undefined;
  const id = t.state.cluster!.identifier;
  t.setPhase('restoring', `waiting for ${id} to be available`);
  const seen = await lookUntil(
    t,
    () => call('describeThrowawayCluster', say.lookCluster(id), { ...where(t), clusterIdentifier: id }),
    (c) => {
      if (c?.status === 'available') return true;
      if (!c || !ON_THE_WAY.has(c.status)) notOnTheWay(`cluster ${id}`, c?.status);
      return false;
    },
  );
  t.state.marks.clusterAvailable = now();
  if (seen?.arn) t.state.cluster!.arn = seen.arn;
  return seen ?? undefined;
}

export async function createWriter(t: RestoreTest): Promise<void> {
  const snapshot = t.state.snapshot!;
  const clusterId = t.state.cluster!.identifier;
  if (!t.state.writer) t.state.writer = { identifier: writerInstanceId(clusterId) };
  if (t.state.marks.writerCalled !== undefined) return;
  checkpoint(t);
  const instanceClass = t.v.options.instanceClass ?? defaultInstanceClass(snapshot.engine);
  t.setPhase('creating-writer', `creating ${t.state.writer.identifier} (${instanceClass})`);
  t.state.marks.writerCalled = now();
  await call('createWriterInstance', say.writer(t.state.writer.identifier, instanceClass), {
    ...where(t),
    clusterIdentifier: clusterId,
    instanceIdentifier: t.state.writer.identifier,
    instanceClass,
    engine: snapshot.engine,
    snapshotArn: snapshot.arn,
    workflowId: t.workflowId,
  });
}

export async function waitForWriter(t: RestoreTest): Promise<ThrowawayInstance | undefined> {
  if (t.state.marks.writerAvailable !== undefined) return undefined;
  const id = t.state.writer!.identifier;
  t.setPhase('creating-writer', `waiting for ${id} to be available`);
  const seen = await lookUntil(
    t,
    () => call('describeThrowawayInstance', say.lookWriter(id), { ...where(t), identifier: id }),
    (i) => {
      if (i?.status === 'available') return true;
      if (!i || !ON_THE_WAY.has(i.status)) notOnTheWay(`writer ${id}`, i?.status);
      return false;
    },
  );
  t.state.marks.writerAvailable = now();
  return seen ?? undefined;
}

/** The last part of a KMS key ARN (its key ID), so an ARN and an ID of one key compare equal. */
function keyIdOf(key: string | undefined): string | undefined {
  return key?.slice(key.lastIndexOf('/') + 1);
}

/** The checks; a failed one fails the test (after cleanup) naming it. */
export async function runChecks(t: RestoreTest): Promise<void> {
  if (t.state.checks.length > 0) return;
  const snapshot = t.state.snapshot!;
  const clusterId = t.state.cluster!.identifier;
  t.setPhase('checking');
  const c = await call('describeThrowawayCluster', say.lookCluster(clusterId), {
    ...where(t),
    clusterIdentifier: clusterId,
  });
  const w = await call('describeThrowawayInstance', say.lookWriter(t.state.writer!.identifier), {
    ...where(t),
    identifier: t.state.writer!.identifier,
  });
  t.addCheck({
    name: 'cluster available',
    ok: c?.status === 'available',
    detail: `cluster ${clusterId} is ${c?.status ?? 'gone'}`,
  });
  t.addCheck({
    name: 'writer available',
    ok: w?.status === 'available',
    detail: `writer ${t.state.writer!.identifier} is ${w?.status ?? 'gone'}`,
  });
  t.addCheck({
    name: 'engine',
    ok: c?.engine === snapshot.engine,
    detail: `restored ${c?.engine ?? 'unknown'}, snapshot ${snapshot.engine}`,
  });
  t.addCheck({
    name: 'engine version',
    ok: snapshot.engineVersion === undefined || c?.engineVersion === snapshot.engineVersion,
    detail: `restored ${c?.engineVersion ?? 'unknown'}, snapshot ${snapshot.engineVersion ?? 'unknown'}`,
  });
  const keyOk = !snapshot.encrypted || keyIdOf(c?.kmsKeyId) === keyIdOf(snapshot.kmsKeyId);
  t.addCheck({
    name: 'encryption',
    ok: c?.storageEncrypted === snapshot.encrypted && keyOk,
    detail: snapshot.encrypted
      ? `restored ${c?.storageEncrypted ? `encrypted with ${c.kmsKeyId ?? 'no key'}` : 'unencrypted'}, snapshot encrypted with ${snapshot.kmsKeyId ?? 'unknown'}`
      : `restored ${c?.storageEncrypted ? 'encrypted' : 'unencrypted'}, snapshot unencrypted`,
  });
  if (t.v.options.check && c) await sqlCheck(t, c);
  const failed = t.state.checks.filter((x) => !x.ok);
  if (failed.length) {
    throw failure(
      RESTORE_TEST_FAILED,
      `check ${failed.map((x) => `${x.name} (${x.detail})`).join('; ')} failed`,
    );
  }
}

/** The optional SQL canary through the Data API: its answer against `expect`. */
async function sqlCheck(t: RestoreTest, c: ThrowawayCluster): Promise<void> {
  const check = t.v.options.check!;
  const arn = c.arn ?? t.state.cluster!.arn ?? '';
  let detail: string;
  let ok = false;
  try {
    await call('enableDataApi', say.dataApi(c.identifier), {
      ...where(t),
      identifier: c.identifier,
      clusterArn: arn,
      workflowId: t.workflowId,
    });
    const r = await call('runSqlCheck', say.sql(c.identifier), {
      ...where(t),
      clusterArn: arn,
      secretArn: check.secretArn,
      sql: check.sql,
      ...(check.database ? { database: check.database } : {}),
    });
    const got = r.first;
    if (check.expect === undefined) {
      ok = true;
      detail = `ran, ${r.rows} row(s)`;
    } else if (typeof check.expect === 'number') {
      const n = typeof got === 'number' ? got : typeof got === 'string' ? Number(got) : NaN;
      ok = Number.isFinite(n) && n >= check.expect;
      detail = `returned ${JSON.stringify(got ?? null)}, expected at least ${check.expect}`;
    } else {
      ok = got !== undefined && got !== null && String(got) === check.expect;
      detail = `returned ${JSON.stringify(got ?? null)}, expected ${JSON.stringify(check.expect)}`;
    }
  } catch (err) {
    const cause = activityCause(err);
    if (!cause) throw err;
    detail = `the Data API refused: ${cause.message}`;
  }
  t.addCheck({ name: 'sql', ok, detail });
}
