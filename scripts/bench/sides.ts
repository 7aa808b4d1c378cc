// The two sides of a scenario, on the same emulator settings: snapcopy (copyDbClusterSnapshot workflows
// started as the CLI starts them) and the peer script. Each answers what it saw; metrics.ts and
// report.ts make figures of it together with what the emulator and Temporal recorded.
import { setMaxListeners } from 'node:events';
import { TerminatedFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { copyStartOptions, progressQuery, WORKFLOW_TYPE, type CopyWorkflow } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import { SHARE_WORKFLOW_TYPE, shareWorkflowId } from '../../src/shared/shares';
import { SLOTS_WORKFLOW_TYPE, slotsWorkflowId } from '../../src/shared/slots';
import type { CopyDbClusterSnapshotInput } from '../../src/shared/types';
import { validateCopyInput } from '../../src/shared/validation';
import {
  KEY_ALIAS,
  peerClients,
  peerCopy,
  rds,
  SOURCE_REGION,
  type PeerCopy,
  type PeerSource,
  type PeerTarget,
  type Sources,
} from './aws';
import { emulatorCopies } from '../lib/emulator-api';
import type { WorkerProcess } from '../lib/worker-process';
import { walkHistories } from './histories';
import { copyKey, summariseHistories, type HistorySummary } from './metrics';
import type { Sampler } from './sampler';
import type { BenchStack } from './stack';
import {
  destinationKey,
  destinationOf,
  destinationsOf,
  WORKER_ACCOUNT,
  type Destination,
  type Scenario,
} from './scenarios';

/** One copy of the scenario. */
export interface PlannedCopy {
  index: number;
  batch: number;
  priority?: number;
  sourceArn: string;
  /** The source snapshot's name (in SOURCE_REGION). */
  sourceName: string;
  /** Target identifier, lowercase. */
  target: string;
  /** Where it goes: round-robin over the scenario's destinations. */
  destination: Destination;
}

export function planCopies(
  scenario: Scenario,
  sources: Pick<Sources, 'arns' | 'names'>,
  stamp: string,
): PlannedCopy[] {
  const destinations = destinationsOf(scenario);
  const planned: PlannedCopy[] = [];
  scenario.batches.forEach((batch, b) => {
    for (let i = 0; i < batch.count; i++) {
      const index = planned.length;
      planned.push({
        index,
        batch: b,
        ...(batch.priority !== undefined ? { priority: batch.priority } : {}),
        sourceArn: sources.arns[index]!,
        sourceName: sources.names[index]!,
        target: `bench-${scenario.name}-${stamp}-${String(index).padStart(3, '0')}`,
        destination: destinationOf(destinations, index),
      });
    }
  });
  return planned;
}

/** The planned copy's key among the emulator's copies (metrics.copyKey). */
export function plannedKey(copy: PlannedCopy): string {
  return copyKey({ ...copy.destination, id: copy.target });
}

/** What a side saw, in epoch ms on this machine's clock (the emulator's and Temporal's too). */
export interface SideRun {
  /** Just before the first copy was started. */
  t0: number;
  /** The end of the measurement: the last copy done, the window's end, or the timeout. */
  end: number;
  /** When each batch was started. */
  batchStartedAt: number[];
  /** When each copy was noticed done, by target: the workflow closed / the waiter returned. */
  doneAt: Record<string, number>;
  errors: Record<string, string>;
  timedOut: boolean;
  history?: HistoryCount;
  /** The worker SIGKILLed mid-run (scenario.killWorkerAt), and when, in seconds from t0. */
  killed?: { pid: number; atSeconds: number };
}

/** The side's workflows' histories, summed (metrics.summariseHistories). */
export type HistoryCount = HistorySummary;

export interface SideOptions {
  stack: BenchStack;
  scenario: Scenario;
  sources: Sources;
  copies: PlannedCopy[];
  say: (line: string) => void;
  /** epoch ms, before the side's sources were made: Temporal runs started earlier are an earlier side's. */
  since: number;
  /** snapcopy's worker processes and the side's sampler (to read a worker's memory before killing it). */
  workers?: readonly WorkerProcess[];
  sampler?: Sampler;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (checked every `everyMs`), or throws after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

/** The planned copies' keys that the emulator has a copy of. */
async function createdTargets(stack: BenchStack): Promise<Set<string>> {
  const { copies } = await emulatorCopies(stack.emulator.endpoint);
  return new Set(copies.map(copyKey));
}

/** The measurement's end: the window's, or when every copy is done (false: timed out). */
async function awaitEnd(
  scenario: Scenario,
  t0: number,
  allDone: Promise<unknown>,
): Promise<{ end: number; timedOut: boolean }> {
  if (scenario.windowSeconds !== undefined) {
    await sleep(Math.max(0, t0 + scenario.windowSeconds * 1000 - Date.now()));
    return { end: t0 + scenario.windowSeconds * 1000, timedOut: false };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(
      () => resolve('timeout'),
      Math.max(0, t0 + scenario.timeoutSeconds * 1000 - Date.now()),
    );
  });
  const outcome = await Promise.race([allDone.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  return { end: Date.now(), timedOut: outcome === 'timeout' };
}

/**
 * The input `snapcopy copy` is given. By ARN: the ARN, with SourceRegion (as the bench always gave it).
 * By name: the name, with SourceRegion when the copy is cross-Region (as a user gives a name from another
 * Region), without it when it is same-Region. Into another account: its TargetRoleArn. Encrypted sources:
 * the destination's key alias as KmsKeyId (each destination has one of that name).
 */
function inputOf(copy: PlannedCopy, scenario: Scenario): CopyDbClusterSnapshotInput {
  const byName = scenario.sourceForm === 'name';
  const { region, roleArn } = copy.destination;
  const crossRegion = region !== SOURCE_REGION;
  return {
    SourceDBClusterSnapshotIdentifier: byName ? copy.sourceName : copy.sourceArn,
    TargetDBClusterSnapshotIdentifier: copy.target,
    ...(!byName || crossRegion ? { SourceRegion: SOURCE_REGION } : {}),
    TargetRegion: region,
    ...(roleArn ? { TargetRoleArn: roleArn } : {}),
    ...((scenario.encryptedSources ?? true) ? { KmsKeyId: KEY_ALIAS } : {}),
    ...(copy.priority !== undefined ? { options: { priority: copy.priority } } : {}),
  };
}

/** The Temporal workflows of a side: its copies (and their child copies), schedulers and share holders. */
export interface SideWorkflows {
  copies: Set<string>;
  schedulers: Set<string>;
  shares: Set<string>;
  belongs: (workflowId: string, type: string) => boolean;
}

/**
 * The side's workflows by ID: each copy's (and its children's, `<copy>-intermediate` / `-re-encrypt`),
 * the copySlots scheduler of each destination (and, into other accounts, of the account's source Region,
 * where intermediate copies take slots), and the sourceShare holder of each copy into another account.
 */
export function sideWorkflows(copies: readonly PlannedCopy[]): SideWorkflows {
  const ids = new Set(copies.map((c) => defaultWorkflowId(c.destination.region, c.target)));
  const schedulers = new Set<string>();
  const shares = new Set<string>();
  for (const { destination: d, sourceName } of copies) {
    schedulers.add(slotsWorkflowId(d.accountId, d.region));
    if (d.accountId === WORKER_ACCOUNT) continue;
    schedulers.add(slotsWorkflowId(d.accountId, SOURCE_REGION));
    shares.add(
      shareWorkflowId({
        sourceAccountId: WORKER_ACCOUNT,
        region: SOURCE_REGION,
        identifier: sourceName,
        accountId: d.accountId,
      }),
    );
  }
  return {
    copies: ids,
    schedulers,
    shares,
    belongs: (id, type) =>
      type === WORKFLOW_TYPE
        ? ids.has(id) || ids.has(id.replace(/-(intermediate|re-encrypt)$/, ''))
        : type === SLOTS_WORKFLOW_TYPE
          ? schedulers.has(id)
          : type === SHARE_WORKFLOW_TYPE && shares.has(id),
  };
}

const CLASS_OF: Record<string, 'copy' | 'scheduler' | 'share'> = {
  [WORKFLOW_TYPE]: 'copy',
  [SLOTS_WORKFLOW_TYPE]: 'scheduler',
  [SHARE_WORKFLOW_TYPE]: 'share',
};

/**
 * SIGKILLs the first worker once `share` of the copies is available at the emulator (its memory read just
 * before); resolves with it, or undefined if the side ended first (`ended` set).
 */
async function killWhenAvailable(
  stack: BenchStack,
  copies: readonly PlannedCopy[],
  share: number,
  worker: WorkerProcess,
  t0: number,
  ended: { now: boolean },
  sampler: Sampler | undefined,
  say: (line: string) => void,
): Promise<{ pid: number; atSeconds: number } | undefined> {
  const keys = new Set(copies.map(plannedKey));
  const needed = Math.ceil(copies.length * share);
  while (!ended.now) {
    try {
      const { copies: emulated } = await emulatorCopies(stack.emulator.endpoint);
      const available = emulated.filter((c) => c.availableAt !== undefined && keys.has(copyKey(c))).length;
      if (available >= needed) {
        sampler?.sampleMemory();
        await worker.kill();
        const atSeconds = (Date.now() - t0) / 1000;
        say(
          `snapcopy: ${available}/${copies.length} available: SIGKILLed worker ${worker.pid} at ${atSeconds.toFixed(1)} s`,
        );
        return { pid: worker.pid, atSeconds };
      }
    } catch {
      // the emulator did not answer this time: look again
    }
    await sleep(1000);
  }
  return undefined;
}

/** snapcopy: every copy a copyDbClusterSnapshot workflow, started with the CLI's start options. */
export async function runSnapcopy({
  stack,
  scenario,
  copies,
  say,
  since,
  workers = [],
  sampler,
}: SideOptions): Promise<SideRun> {
  const { client, taskQueue } = stack;
  const handles = new Map<string, WorkflowHandle<CopyWorkflow>>();
  const doneAt: Record<string, number> = {};
  const errors: Record<string, string> = {};
  const results: Promise<void>[] = [];
  const batchStartedAt: number[] = [];

  const start = async (copy: PlannedCopy) => {
    const input = inputOf(copy, scenario);
    const options = copyStartOptions(input, validateCopyInput(input));
    const handle = await client.workflow.start<CopyWorkflow>(WORKFLOW_TYPE, {
      ...options,
      taskQueue,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    handles.set(copy.target, handle);
    results.push(
      handle.result().then(
        async () => {
          doneAt[copy.target] = (await handle.describe()).closeTime?.getTime() ?? Date.now();
        },
        (err: unknown) => {
          // Terminated: the bench stopped it at the end of a measurement window.
          if (!(err instanceof WorkflowFailedError && err.cause instanceof TerminatedFailure)) {
            errors[copy.target] = err instanceof Error ? err.message : String(err);
          }
        },
      ),
    );
  };

  const t0 = Date.now();
  const ended = { now: false };
  const killing =
    scenario.killWorkerAt !== undefined && workers.length > 1
      ? killWhenAvailable(stack, copies, scenario.killWorkerAt, workers[0]!, t0, ended, sampler, say)
      : Promise.resolve(undefined);
  for (let b = 0; b < scenario.batches.length; b++) {
    if (b > 0) {
      // The earlier copies have all asked: each has started at the emulator or waits for a slot.
      const earlier = copies.filter((c) => c.batch < b);
      await until(
        'the earlier copies never all started or queued',
        async () => {
          const created = await createdTargets(stack);
          const waiting = await Promise.all(
            earlier
              .filter((c) => !created.has(plannedKey(c)))
              .map(
                async (c) => (await handles.get(c.target)!.query(progressQuery)).phase === 'waiting-for-slot',
              ),
          );
          return waiting.every(Boolean);
        },
        scenario.timeoutSeconds * 1000,
      );
    }
    batchStartedAt.push(Date.now());
    const batch = copies.filter((c) => c.batch === b);
    for (let i = 0; i < batch.length; i += 25) await Promise.all(batch.slice(i, i + 25).map(start));
    say(
      `snapcopy: started ${batch.length} copies${batch[0]?.priority ? ` at priority ${batch[0].priority}` : ''}`,
    );
  }

  const { end, timedOut } = await awaitEnd(scenario, t0, Promise.all(results));
  ended.now = true;
  const killed = await killing;
  const history = await countHistory(client, copies, since);
  return { t0, end, batchStartedAt, doneAt, errors, timedOut, history, ...(killed ? { killed } : {}) };
}

/**
 * Ends whatever this side left running: its copy workflows (children included) and the copySlots
 * schedulers and sourceShare holders of its destinations, terminated.
 */
export async function stopSnapcopy(client: Client, copies: readonly PlannedCopy[]): Promise<number> {
  const ours = sideWorkflows(copies);
  const running: string[] = [];
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    if (ours.belongs(wf.workflowId, wf.type)) running.push(wf.workflowId);
  }
  for (let i = 0; i < running.length; i += 25) {
    await Promise.all(
      running.slice(i, i + 25).map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('bench: measurement over')
          .catch(() => undefined),
      ),
    );
  }
  return running.length;
}

/**
 * The full histories of every run (continued-as-new ones included) of the side's workflows (sideWorkflows)
 * started since `since`, summed: events, billable actions and workflow task latencies, by kind.
 */
export async function countHistory(
  client: Client,
  copies: readonly PlannedCopy[],
  since: number,
): Promise<HistoryCount> {
  const ours = sideWorkflows(copies);
  const runs = await walkHistories(client, {
    roots: [...ours.copies, ...ours.schedulers, ...ours.shares],
    types: Object.keys(CLASS_OF),
    belongs: ours.belongs,
    since,
  });
  return summariseHistories(runs.map((r) => ({ kind: CLASS_OF[r.type] ?? 'copy', events: r.events })));
}

/** The peer: the plain script, every source at once (Promise.all), in the bench's own process. */
export async function runPeer({ stack, scenario, sources, copies, say }: SideOptions): Promise<{
  run: SideRun;
  stop: () => void;
}> {
  const { endpoint } = stack.emulator;
  const destinations = destinationsOf(scenario);
  const clients = peerClients(endpoint, destinations);
  // By name across Regions the script resolves each name's ARN in the source Region first (aws.ts); into
  // another account it shares the source from there (the source account's own credentials).
  const byNameAcross =
    scenario.sourceForm === 'name' && destinations.some((d) => d.region !== SOURCE_REGION || d.roleArn);
  const sharing = destinations.some((d) => d.roleArn);
  const sourceClient = byNameAcross || sharing ? rds(endpoint, SOURCE_REGION) : undefined;
  const sourceOf = (copy: PlannedCopy): PeerSource => {
    const { region, roleArn } = copy.destination;
    return scenario.sourceForm === 'name'
      ? {
          identifier: copy.sourceName,
          ...(sourceClient && (region !== SOURCE_REGION || roleArn) ? { resolveIn: sourceClient } : {}),
        }
      : { identifier: copy.sourceArn };
  };
  const targetOf = (copy: PlannedCopy): PeerTarget => {
    const key = destinationKey(copy.destination);
    const keyArn = sources.targetKeyArns[key];
    return {
      client: clients.get(key)!,
      ...(keyArn ? { keyArn } : {}),
      ...(copy.destination.roleArn
        ? {
            share: {
              source: sourceClient!,
              snapshot: copy.sourceName,
              accountId: copy.destination.accountId,
            },
          }
        : {}),
    };
  };
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one signal for every copy: each pending call and sleep listens to it
  const records = new Map<string, PeerCopy>();
  const running: Promise<void>[] = [];
  const batchStartedAt: number[] = [];

  const t0 = Date.now();
  for (let b = 0; b < scenario.batches.length; b++) {
    if (b > 0) {
      const earlier = copies.filter((c) => c.batch < b).map((c) => records.get(c.target)!);
      await until(
        'the peer never started or was refused every earlier copy',
        () =>
          Promise.resolve(earlier.every((r) => r.acceptedAt !== undefined || r.firstRefusedAt !== undefined)),
        scenario.timeoutSeconds * 1000,
        100,
      );
    }
    batchStartedAt.push(Date.now());
    const batch = copies.filter((c) => c.batch === b);
    for (const copy of batch) {
      const record: PeerCopy = { target: copy.target };
      records.set(copy.target, record);
      running.push(peerCopy(sourceOf(copy), record, targetOf(copy), abort.signal));
    }
    say(`peer: started ${batch.length} copies`);
  }

  const { end, timedOut } = await awaitEnd(scenario, t0, Promise.all(running));
  const doneAt: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const r of records.values()) {
    if (r.waiterReturnedAt !== undefined) doneAt[r.target] = r.waiterReturnedAt;
    if (r.error !== undefined) errors[r.target] = r.error;
  }
  return {
    run: { t0, end, batchStartedAt, doneAt, errors, timedOut },
    stop: () => {
      abort.abort(new Error('bench: measurement over'));
      for (const client of clients.values()) client.destroy();
      sourceClient?.destroy();
    },
  };
}
