// The chaos suite: copies across Regions through the real worker (a separate process) and a Temporal dev
// server with a SQLite file, while the AWS emulator throttles, fails and loses responses, the worker is
// SIGKILLed and restarted, the Temporal server is killed and restarted, and some copies are cancelled. Then
// it checks what snapcopy promises: every copy ended as asked (copied, or cancelled with no target), exactly
// one available target per copy, nothing else in the destinations but what was there, and every snapshot
// snapcopy does not own unchanged, tags included.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { cancelSignal, copyStartOptions, progressQuery } from '../../src/shared/contract';
import {
  VERIFY_WORKFLOW_TYPE,
  verifyProgressQuery,
  verifyWorkflowId,
  type VerifyCopyInput,
  type VerifyCopyResult,
} from '../../src/shared/restore-tests';
import { WORKFLOW_TYPE } from '../../src/shared/names';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { validateCopyInput } from '../../src/shared/validation';
import { configureFaults, emulatorRestores, faultCounters, type FaultKind } from '../lib/emulator-api';
import { startEmulator } from '../lib/emulator';
import { startTemporalServer } from '../lib/temporal-server';
import {
  quietRuntime,
  startWorkerProcess,
  waitForPoller,
  workerEnvironment,
  writeWorkflowBundle,
  type WorkerProcess,
} from '../lib/worker-process';
import { ChaosAws, KEY_ALIAS, SOURCE_REGION, tagText, type Snapshot } from './aws';

export const DESTINATIONS = ['us-west-2', 'eu-west-1'] as const;
/** The Region whose manual-snapshot quota is set so that copies must prune older snapcopy copies. */
const PRUNED_REGION = 'us-west-2';
/** Clusters copied to eu-west-1 (us-west-2 gets copies of one cluster, whose older copies are prunable). */
const OTHER_CLUSTERS = 3;
const OLD_OWNED = 3;
const FOREIGN = 3;
/** Restore tests run here, away from the copies' destinations (their inventories and quotas stay as they were). */
export const RESTORE_REGION = 'eu-central-1';
/** Phases of a restore test in which a worker kill lands mid-restore. */
const MID_RESTORE = new Set(['restoring', 'creating-writer']);

export interface ChaosOptions {
  copies: number;
  copySeconds: number;
  /** Copies in flight per Region at the emulator (AWS: 5). */
  copyLimit: number;
  /** Fractions of every AWS call of the worker. */
  throttle: number;
  error5xx: number;
  lostResponse: number;
  /** SIGKILL the worker (and start a new one) this often. */
  workerKillEverySeconds: number;
  /** At most this many worker kills (default: no limit while copies run). */
  maxWorkerKills?: number;
  /** Kill and restart the Temporal server this many times (0 or 1)... */
  temporalRestarts: number;
  /** ...this long after the copies were started. */
  temporalRestartAfterSeconds?: number;
  /** Copies cancelled mid-copy. */
  cancels: number;
  /**
   * Restore tests (verifyCopy) of snapshots prepared in RESTORE_REGION, started with the copies, under the
   * same faults; the first worker kill then waits until one is mid-restore. Default 0.
   */
  restoreTests?: number;
  /** The emulator's restore, instance and delete seconds (defaults 6, 4, 1). */
  restoreSeconds?: number;
  instanceSeconds?: number;
  deleteSeconds?: number;
  seed: number;
  timeoutSeconds: number;
  logDir: string;
  say?: (line: string) => void;
}

export interface ChaosCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ChaosReport {
  pass: boolean;
  copies: number;
  copied: number;
  cancelled: number;
  faults: Record<FaultKind, number>;
  awsCalls: number;
  workerKills: number;
  temporalRestarts: number;
  pruned: number;
  /** Restore tests: how many, how many ended restorable, the phase each first worker kill found one in. */
  restoreTests: number;
  restorable: number;
  killedInPhase?: string;
  elapsedSeconds: number;
  checks: ChaosCheck[];
}

interface RestoreTest {
  workflowId: string;
  input: VerifyCopyInput;
  result?: VerifyCopyResult;
  error?: string;
}

interface Copy {
  index: number;
  input: CopyDbClusterSnapshotInput;
  workflowId: string;
  region: string;
  target: string;
  cancel: boolean;
  cancelSent?: boolean;
  result?: CopyDbClusterSnapshotResult;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` until it answers: the Temporal server may be down for a while, the caller must not care. */
async function persist<T>(what: string, fn: () => Promise<T>, untilMs: number): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > untilMs) throw new Error(`${what}: ${String(err)}`);
      await sleep(500);
    }
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const say = o.say ?? (() => undefined);
  const began = Date.now();
  const until = began + o.timeoutSeconds * 1000;
  quietRuntime();
  fs.mkdirSync(o.logDir, { recursive: true });
  const westCopies = Math.ceil(o.copies / 2);
  const emulator = await startEmulator({
    copySeconds: o.copySeconds,
    copyLimit: o.copyLimit,
    // us-west-2 ends with FOREIGN + OLD_OWNED + its copies unless snapcopy prunes: two short, so it must.
    snapshotQuota: FOREIGN + OLD_OWNED + westCopies - Math.min(2, OLD_OWNED),
    logFile: path.join(o.logDir, 'emulator.log'),
    restoreSeconds: o.restoreSeconds ?? 6,
    instanceSeconds: o.instanceSeconds ?? 4,
    deleteSeconds: o.deleteSeconds ?? 1,
  });
  // On a SQLite file, so what it knew (workflows, timers, the copy slots) survives a SIGKILL and a restart
  // as a real cluster's persistence does.
  const temporal = await startTemporalServer({
    dbFile: path.join(o.logDir, 'temporal.db'),
    logFile: path.join(o.logDir, 'temporal.log'),
    logLevel: 'error',
  });
  const aws = new ChaosAws(emulator.endpoint);
  let worker: WorkerProcess | undefined;
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  try {
    say(`AWS emulator ${emulator.endpoint}, Temporal ${temporal.address} (SQLite), logs in ${o.logDir}`);
    const bundlePath = await writeWorkflowBundle(path.join(o.logDir, 'workflow-bundle.js'));
    const taskQueue = `chaos-${randomUUID().slice(0, 8)}`;
    const env = workerEnvironment({
      awsEndpoint: emulator.endpoint,
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      taskQueue,
      bundlePath,
    });
    const launchWorker = async () => {
      const w = startWorkerProcess(path.join(o.logDir, 'worker.log'), env);
      await waitForPoller(client, temporal.namespace, taskQueue, w, 120_000);
      return w;
    };

    // Before any fault: sources, keys, what snapcopy must not touch, what it may prune.
    const sourceKey = await aws.key(SOURCE_REGION);
    for (const region of DESTINATIONS) await aws.key(region);
    const sourceArns: string[] = [];
    for (let c = 0; c <= OTHER_CLUSTERS; c++) {
      await aws.cluster(SOURCE_REGION, `chaos-c${c}`, sourceKey);
      sourceArns.push(await aws.snapshot(SOURCE_REGION, `chaos-c${c}`, `chaos-c${c}-snap`));
    }
    const foreign: Snapshot[] = [];
    for (const region of DESTINATIONS) {
      await aws.cluster(region, 'someone-elses');
      for (let f = 0; f < FOREIGN; f++) {
        const tags = [
          { Key: 'team', Value: `other-${f}` },
          // Looks like snapcopy's, is not: only managed=true is ownership.
          ...(f === 0 ? [{ Key: 'snapcopy:managed', Value: 'false' }] : []),
        ];
        const identifier = `foreign-${f}`;
        await aws.snapshot(region, 'someone-elses', identifier, tags);
        foreign.push({ region, identifier, status: 'available', tags });
      }
    }
    await aws.cluster(PRUNED_REGION, 'old-copies');
    const oldOwned: string[] = [];
    for (let k = 0; k < OLD_OWNED; k++) {
      const identifier = `old-c0-${k}`;
      await aws.snapshot(
        PRUNED_REGION,
        'old-copies',
        identifier,
        aws.ownedTags('chaos-c0', `snapcopy-${PRUNED_REGION}-${identifier}`, sourceArns[0]!),
      );
      oldOwned.push(identifier);
    }

    // Snapshots for the restore tests, encrypted, where no copy goes.
    const restoreTests: RestoreTest[] = [];
    if ((o.restoreTests ?? 0) > 0) {
      const key = await aws.key(RESTORE_REGION);
      await aws.cluster(RESTORE_REGION, 'chaos-verify', key);
      for (let k = 0; k < (o.restoreTests ?? 0); k++) {
        const id = `chaos-verify-${k}`;
        await aws.snapshot(RESTORE_REGION, 'chaos-verify', id);
        restoreTests.push({
          workflowId: verifyWorkflowId(RESTORE_REGION, id),
          input: { SnapshotIdentifier: id, Region: RESTORE_REGION, options: { pollSeconds: 1 } },
        });
      }
    }

    worker = await launchWorker();
    await configureFaults(emulator.endpoint, {
      seed: o.seed,
      default: { throttle: o.throttle, error5xx: o.error5xx, lostResponse: o.lostResponse },
    });

    // Every second copy to us-west-2 (all of cluster c0, so pruning has older copies to take); cancels
    // among the eu-west-1 ones, spread out.
    const copies: Copy[] = [];
    const eu = Array.from({ length: o.copies }, (_, i) => i).filter((i) => i % 2 === 1);
    const cancelled = new Set(
      eu.filter((_, k) => k % Math.max(1, Math.floor(eu.length / o.cancels)) === 0).slice(0, o.cancels),
    );
    for (let i = 0; i < o.copies; i++) {
      const region = DESTINATIONS[i % 2]!;
      const cluster = region === PRUNED_REGION ? 0 : 1 + (i % OTHER_CLUSTERS);
      const target = `chaos-${String(i).padStart(3, '0')}`;
      const input: CopyDbClusterSnapshotInput = {
        SourceDBClusterSnapshotIdentifier: sourceArns[cluster]!,
        TargetDBClusterSnapshotIdentifier: target,
        SourceRegion: SOURCE_REGION,
        TargetRegion: region,
        KmsKeyId: KEY_ALIAS,
        CopyTags: true,
        options: { minPollSeconds: 1, maxPollSeconds: 3, keep: 1 },
      };
      const start = copyStartOptions(input, validateCopyInput(input));
      copies.push({
        index: i,
        input,
        workflowId: start.workflowId,
        region,
        target,
        cancel: cancelled.has(i),
      });
      await persist(
        'start a copy',
        () => client.workflow.start(WORKFLOW_TYPE, { ...start, taskQueue }),
        until,
      );
    }
    for (const t of restoreTests) {
      await persist(
        'start a restore test',
        () =>
          client.workflow.start(VERIFY_WORKFLOW_TYPE, {
            workflowId: t.workflowId,
            taskQueue,
            args: [t.input],
          }),
        until,
      );
    }
    say(
      `started ${o.copies} copies and ${restoreTests.length} restore tests (${cancelled.size} to cancel) with ${Math.round((o.throttle + o.error5xx + o.lostResponse) * 100)}% AWS faults`,
    );

    const handle = (c: Copy): WorkflowHandle => client.workflow.getHandle(c.workflowId);
    const open = new Set<Copy | RestoreTest>([...copies, ...restoreTests]);
    let killedInPhase: string | undefined;
    let workerKills = 0;
    let temporalRestarts = 0;
    let nextKill = Date.now() + o.workerKillEverySeconds * 1000;
    const restartAt = Date.now() + (o.temporalRestartAfterSeconds ?? 30) * 1000;

    while (open.size > 0) {
      if (Date.now() > until) throw new Error(`${open.size} copies still open after ${o.timeoutSeconds} s`);
      // Cancels: once the copy is really copying, well before its end.
      for (const c of copies) {
        if (!c.cancel || c.cancelSent || !open.has(c)) continue;
        const p = await handle(c)
          .query(progressQuery)
          .catch(() => undefined);
        if (p?.phase === 'copying' && p.percent < 60) {
          await handle(c)
            .signal(cancelSignal, { reason: 'chaos' })
            .then(() => (c.cancelSent = true))
            .catch(() => undefined);
        }
      }
      if (temporalRestarts < o.temporalRestarts && Date.now() >= restartAt) {
        say('killing the Temporal server (SIGKILL), starting it again on its SQLite file');
        await temporal.kill();
        await sleep(1_000);
        await temporal.restart();
        temporalRestarts++;
      }
      // The first kill waits for a restore test mid-restore (its restore or writer being made).
      let restorePhase: string | undefined;
      if (workerKills === 0 && restoreTests.length > 0 && Date.now() >= nextKill) {
        for (const t of restoreTests) {
          const p = await client.workflow
            .getHandle(t.workflowId)
            .query(verifyProgressQuery)
            .catch(() => undefined);
          if (p && MID_RESTORE.has(p.phase)) restorePhase ??= p.phase;
        }
      }
      const killNow =
        Date.now() >= nextKill &&
        (o.maxWorkerKills === undefined || workerKills < o.maxWorkerKills) &&
        (workerKills > 0 || restoreTests.length === 0 || restorePhase !== undefined);
      if (killNow) {
        if (workerKills === 0) killedInPhase = restorePhase;
        await worker?.kill();
        workerKills++;
        worker = await persist('start a worker', launchWorker, until);
        nextKill = Date.now() + o.workerKillEverySeconds * 1000;
      }
      for (const c of [...open]) {
        const d = await client.workflow
          .getHandle(c.workflowId)
          .describe()
          .catch(() => undefined);
        if (d && d.status.name !== 'RUNNING') open.delete(c);
      }
      await sleep(1_000);
    }

    await configureFaults(emulator.endpoint, {});
    const counters = await faultCounters(emulator.endpoint);
    for (const c of copies) {
      const outcome = await persist(
        'a result',
        () =>
          handle(c)
            .result()
            .then(
              (r) => ({ result: r as CopyDbClusterSnapshotResult }),
              (err: unknown) => {
                // Anything but the workflow's own failure (the server not answering): ask again.
                if (!(err instanceof WorkflowFailedError)) throw err;
                const cause = err.cause as { type?: string; message?: string } | undefined;
                return { error: `${cause?.type ?? 'failed'}: ${cause?.message ?? err.message}` };
              },
            ),
        until,
      );
      if ('result' in outcome) c.result = outcome.result;
      else c.error = outcome.error;
    }
    for (const t of restoreTests) {
      const outcome = await persist(
        'a restore test result',
        () =>
          client.workflow
            .getHandle(t.workflowId)
            .result()
            .then(
              (r) => ({ result: r as VerifyCopyResult }),
              (err: unknown) => {
                if (!(err instanceof WorkflowFailedError)) throw err;
                const cause = err.cause as { type?: string; message?: string } | undefined;
                return { error: `${cause?.type ?? 'failed'}: ${cause?.message ?? err.message}` };
              },
            ),
        until,
      );
      if ('result' in outcome) t.result = outcome.result;
      else t.error = outcome.error;
    }
    const checks = await check(aws, copies, foreign, oldOwned);
    if (restoreTests.length > 0) checks.push(...(await checkRestores(emulator.endpoint, restoreTests)));
    const faults: Record<FaultKind, number> = { throttle: 0, error5xx: 0, lostResponse: 0, latency: 0 };
    for (const actions of Object.values(counters.faults)) {
      for (const kinds of Object.values(actions)) {
        for (const [kind, n] of Object.entries(kinds)) faults[kind as FaultKind] += n ?? 0;
      }
    }
    const awsCalls = Object.values(counters.calls)
      .flatMap((a) => Object.values(a))
      .reduce((a, b) => a + b, 0);
    const pruned =
      oldOwned.length -
      (await aws.inventory(PRUNED_REGION)).filter((s) => oldOwned.includes(s.identifier)).length;
    return {
      pass: checks.every((c) => c.ok),
      copies: copies.length,
      copied: copies.filter((c) => c.result?.summary.outcome === 'copied').length,
      cancelled: copies.filter((c) => c.result?.summary.outcome === 'cancelled').length,
      faults,
      awsCalls,
      workerKills,
      temporalRestarts,
      pruned,
      restoreTests: restoreTests.length,
      restorable: restoreTests.filter((t) => t.result?.outcome === 'restorable').length,
      ...(killedInPhase ? { killedInPhase } : {}),
      elapsedSeconds: Math.round((Date.now() - began) / 1000),
      checks,
    };
  } finally {
    await worker?.stop();
    await connection.close().catch(() => undefined);
    await temporal.stop();
    await emulator.stop();
    aws.destroy();
  }
}

async function check(
  aws: ChaosAws,
  copies: Copy[],
  foreign: Snapshot[],
  oldOwned: string[],
): Promise<ChaosCheck[]> {
  const checks: ChaosCheck[] = [];
  const add = (name: string, bad: string[]) =>
    checks.push({
      name,
      ok: bad.length === 0,
      ...(bad.length ? { detail: bad.slice(0, 5).join('; ') } : {}),
    });

  add(
    'every copy ended as asked (copied; cancelled when cancelled mid-copy)',
    copies.flatMap((c) => {
      const outcome = c.result?.summary.outcome;
      const wanted = c.cancelSent ? 'cancelled' : 'copied';
      return outcome === wanted
        ? []
        : [`${c.target}: ${outcome ?? c.error ?? 'no result'} (wanted ${wanted})`];
    }),
  );

  const inventory = new Map<string, Snapshot>();
  for (const region of DESTINATIONS)
    for (const s of await aws.inventory(region)) inventory.set(`${region}/${s.identifier}`, s);
  const keptTargets = copies.filter(
    (c) => c.result?.summary.outcome === 'copied' || c.result?.summary.targetDeleted === false,
  );
  add(
    'exactly one available target per copy, none per cancelled copy',
    copies.flatMap((c) => {
      const s = inventory.get(`${c.region}/${c.target}`);
      const kept = keptTargets.includes(c);
      if (kept && s?.status !== 'available') return [`${c.target}: ${s?.status ?? 'missing'}`];
      if (!kept && s) return [`${c.target}: left behind (${s.status})`];
      return [];
    }),
  );

  const allowed = new Set([
    ...keptTargets.map((c) => `${c.region}/${c.target}`),
    ...foreign.map((f) => `${f.region}/${f.identifier}`),
    ...oldOwned.map((id) => `${PRUNED_REGION}/${id}`),
  ]);
  add(
    'nothing else in the destinations (no orphan, no duplicate)',
    [...inventory.keys()].filter((k) => !allowed.has(k)),
  );

  add(
    'every snapshot snapcopy does not own is unchanged, tags included',
    foreign.flatMap((f) => {
      const s = inventory.get(`${f.region}/${f.identifier}`);
      if (!s) return [`${f.region}/${f.identifier}: deleted`];
      if (s.status !== 'available') return [`${f.identifier}: ${s.status}`];
      return tagText(s.tags) === tagText(f.tags) ? [] : [`${f.identifier}: tags ${tagText(s.tags)}`];
    }),
  );
  return checks;
}

/**
 * Restore tests: every one ends `restorable` (the injected faults are all retryable: throttling, 5xx, lost
 * responses, a killed worker) with cleanedUp, and the emulator's record shows every cluster and instance any
 * of them made gone.
 */
async function checkRestores(endpoint: string, tests: RestoreTest[]): Promise<ChaosCheck[]> {
  const bad = (name: string, list: string[]): ChaosCheck => ({
    name,
    ok: list.length === 0,
    ...(list.length ? { detail: list.slice(0, 5).join('; ') } : {}),
  });
  const { restores } = await emulatorRestores(endpoint);
  return [
    bad(
      'every restore test ended restorable and cleaned up',
      tests.flatMap((t) =>
        t.result?.outcome === 'restorable' && t.result.cleanedUp
          ? []
          : [
              `${t.input.SnapshotIdentifier}: ${t.result ? `${t.result.outcome}, cleanedUp ${t.result.cleanedUp}` : (t.error ?? 'no result')}`,
            ],
      ),
    ),
    bad(
      'every throwaway cluster and instance is gone',
      restores.filter((r) => r.status !== 'deleted').map((r) => `${r.kind} ${r.identifier}: ${r.status}`),
    ),
  ];
}

/** The one line the suite prints. */
export function chaosLine(r: ChaosReport): string {
  return (
    `chaos: ${r.copies} copies (${r.copied} copied, ${r.cancelled} cancelled), ${r.awsCalls} AWS calls with ` +
    `${r.faults.throttle} throttled, ${r.faults.error5xx} 5xx, ${r.faults.lostResponse} lost responses; ` +
    `${r.workerKills} worker kills, ${r.temporalRestarts} Temporal restart${r.temporalRestarts === 1 ? '' : 's'}, ` +
    `${r.pruned} pruned` +
    (r.restoreTests > 0
      ? `, ${r.restorable}/${r.restoreTests} restore tests restorable${r.killedInPhase ? ` (worker killed while ${r.killedInPhase})` : ''}`
      : '') +
    `; ${r.elapsedSeconds} s — ${r.pass ? 'PASS' : 'FAIL'}`
  );
}
