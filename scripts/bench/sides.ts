// The two sides of a scenario, on the same emulator settings: snapcopy (copyDbClusterSnapshot workflows
// started as the CLI starts them) and the peer script. Each answers what it saw; metrics.ts and
// report.ts make figures of it together with what the emulator and Temporal recorded.
import { setMaxListeners } from 'node:events';
import { TerminatedFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { copyStartOptions, progressQuery, WORKFLOW_TYPE, type CopyWorkflow } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import { SLOTS_WORKFLOW_TYPE } from '../../src/shared/slots';
import type { CopyDbClusterSnapshotInput } from '../../src/shared/types';
import { validateCopyInput } from '../../src/shared/validation';
import { KEY_ALIAS, peerCopy, rds, SOURCE_REGION, type PeerCopy, type PeerSource, type Sources } from './aws';
import { emulatorCopies } from '../lib/emulator-api';
import type { BenchStack } from './stack';
import type { Scenario } from './scenarios';

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
}

export function planCopies(scenario: Scenario, sources: Sources, stamp: string): PlannedCopy[] {
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
      });
    }
  });
  return planned;
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
}

export interface HistoryCount {
  /** Events in every run of every copy workflow of this side. */
  copyEvents: number;
  copyRuns: number;
  /** Events in every run of this Region's copySlots scheduler (none while it does not exist). */
  schedulerEvents: number;
  schedulerRuns: number;
}

export interface SideOptions {
  stack: BenchStack;
  scenario: Scenario;
  sources: Sources;
  copies: PlannedCopy[];
  say: (line: string) => void;
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

async function createdTargets(stack: BenchStack, region: string): Promise<Set<string>> {
  const { copies } = await emulatorCopies(stack.emulator.endpoint);
  return new Set(copies.filter((c) => c.region === region).map((c) => c.id));
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
 * Region), without it when it is same-Region.
 */
function inputOf(copy: PlannedCopy, scenario: Scenario): CopyDbClusterSnapshotInput {
  const byName = scenario.sourceForm === 'name';
  const crossRegion = scenario.targetRegion !== SOURCE_REGION;
  return {
    SourceDBClusterSnapshotIdentifier: byName ? copy.sourceName : copy.sourceArn,
    TargetDBClusterSnapshotIdentifier: copy.target,
    ...(!byName || crossRegion ? { SourceRegion: SOURCE_REGION } : {}),
    TargetRegion: scenario.targetRegion,
    KmsKeyId: KEY_ALIAS,
    ...(copy.priority !== undefined ? { options: { priority: copy.priority } } : {}),
  };
}

/** snapcopy: every copy a copyDbClusterSnapshot workflow, started with the CLI's start options. */
export async function runSnapcopy({ stack, scenario, copies, say }: SideOptions): Promise<SideRun> {
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
  for (let b = 0; b < scenario.batches.length; b++) {
    if (b > 0) {
      // The earlier copies have all asked: each has started at the emulator or waits for a slot.
      const earlier = copies.filter((c) => c.batch < b);
      await until(
        'the earlier copies never all started or queued',
        async () => {
          const created = await createdTargets(stack, scenario.targetRegion);
          const waiting = await Promise.all(
            earlier
              .filter((c) => !created.has(c.target))
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
  const history = await countHistory(
    client,
    new Set([...handles.values()].map((h) => h.workflowId)),
    scenario,
  );
  return { t0, end, batchStartedAt, doneAt, errors, timedOut, history };
}

/** Ends whatever this side left running: its copy workflows and its Region's scheduler, terminated. */
export async function stopSnapcopy(
  client: Client,
  scenario: Scenario,
  copies: PlannedCopy[],
): Promise<number> {
  const ids = new Set(copies.map((c) => defaultWorkflowId(scenario.targetRegion, c.target)));
  const running: string[] = [];
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    const ours =
      (wf.type === WORKFLOW_TYPE && ids.has(wf.workflowId)) ||
      (wf.type === SLOTS_WORKFLOW_TYPE && wf.workflowId.endsWith(`-${scenario.targetRegion}`));
    if (ours) running.push(wf.workflowId);
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
 * History events of every run of the side's copy workflows and of the Region's copySlots scheduler.
 * Visibility has closed runs' lengths; running ones are described for their current length.
 */
export async function countHistory(
  client: Client,
  workflowIds: Set<string>,
  scenario: Scenario,
): Promise<HistoryCount> {
  const count: HistoryCount = { copyEvents: 0, copyRuns: 0, schedulerEvents: 0, schedulerRuns: 0 };
  const seen = new Set<string>();
  const lengthOf = async (wf: {
    workflowId: string;
    runId: string;
    historyLength: number;
    status: { name: string };
  }) =>
    wf.status.name === 'RUNNING'
      ? (await client.workflow.getHandle(wf.workflowId, wf.runId).describe()).historyLength
      : wf.historyLength;
  const query = `WorkflowType = '${WORKFLOW_TYPE}' OR WorkflowType = '${SLOTS_WORKFLOW_TYPE}'`;
  for await (const wf of client.workflow.list({ query })) {
    if (wf.type === WORKFLOW_TYPE && workflowIds.has(wf.workflowId)) {
      count.copyEvents += await lengthOf(wf);
      count.copyRuns++;
      seen.add(wf.runId);
    } else if (wf.type === SLOTS_WORKFLOW_TYPE && wf.workflowId.endsWith(`-${scenario.targetRegion}`)) {
      count.schedulerEvents += await lengthOf(wf);
      count.schedulerRuns++;
    }
  }
  // A run that visibility does not list yet (just continued as new): its current length from describe.
  for (const id of workflowIds) {
    const latest = await client.workflow.getHandle(id).describe();
    if (!seen.has(latest.runId)) {
      count.copyEvents += latest.historyLength;
      count.copyRuns++;
    }
  }
  return count;
}

/** The peer: the plain script, every source at once (Promise.all), in the bench's own process. */
export async function runPeer({ stack, scenario, sources, copies, say }: SideOptions): Promise<{
  run: SideRun;
  stop: () => void;
}> {
  const client = rds(stack.emulator.endpoint, scenario.targetRegion);
  // By name across Regions the script resolves each name's ARN in the source Region first (aws.ts).
  const byNameAcross = scenario.sourceForm === 'name' && scenario.targetRegion !== SOURCE_REGION;
  const sourceClient = byNameAcross ? rds(stack.emulator.endpoint, SOURCE_REGION) : undefined;
  const sourceOf = (copy: PlannedCopy): PeerSource =>
    scenario.sourceForm === 'name'
      ? { identifier: copy.sourceName, ...(sourceClient ? { resolveIn: sourceClient } : {}) }
      : { identifier: copy.sourceArn };
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
      running.push(peerCopy(client, sourceOf(copy), record, sources.targetKeyArn, abort.signal));
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
      client.destroy();
      sourceClient?.destroy();
    },
  };
}
