// What Temporal remembers of past restore tests: for a plan's clusters in one destination Region, when each
// last passed (a verifyCopy that ended `restorable`, found by its search attributes). Temporal calls only,
// no AWS; the answer survives worker and plan-run restarts because it is Temporal's visibility.
import { SA_PHASE, SA_SOURCE_CLUSTER, SA_TARGET_REGION } from '../shared/search-attributes';
import { VERIFY_WORKFLOW_TYPE } from '../shared/restore-tests';
import {
  ScheduleNotFoundError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { AuditResult } from '../shared/rpo-audit';
import { ApplicationFailure } from '@temporalio/common';
import type { LastRestoreTest } from '../shared/rpo';
import type { SlotActivitiesOptions } from './copy-slots';

export interface LastPassedInput {
  region: string;
  /** Lowercased cluster identifiers (the copies' snapcopy:source-cluster). */
  clusters: string[];
}

/** Cluster → when its newest passed restore test ended (ISO); clusters never tested are absent. */
export type LastPassed = Record<string, string>;

const quoted = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** totalSeconds of a closed test's result (a failed test carries it in its failure's details[0]). */
async function totalSecondsOf(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<number | undefined> {
  const seconds = (r: unknown) => {
    const v = (r as { totalSeconds?: unknown } | undefined)?.totalSeconds;
    return typeof v === 'number' ? v : undefined;
  };
  try {
    return seconds(await client.workflow.getHandle(workflowId, runId).result());
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    return cause instanceof ApplicationFailure ? seconds(cause.details?.[0]) : undefined;
  }
}

/**
 * The newest closed restore test of each of `clusters`' copies in `region` (visibility: verifyCopy by
 * SnapcopyTargetRegion and SnapcopySourceCluster; SnapcopyPhase is its outcome once closed), with its
 * totalSeconds from its result. One visibility listing per Region, one result per cluster tested.
 */
export async function lastRestoreTests(
  client: Client,
  input: LastPassedInput,
): Promise<Record<string, LastRestoreTest>> {
  const wanted = new Set(input.clusters);
  const query = [
    `WorkflowType = ${quoted(VERIFY_WORKFLOW_TYPE)}`,
    `${SA_TARGET_REGION.name} = ${quoted(input.region)}`,
    `ExecutionStatus != 'Running'`,
  ].join(' AND ');
  const newest = new Map<string, LastRestoreTest & { runId: string }>();
  for await (const w of client.workflow.list({ query })) {
    const cluster = w.typedSearchAttributes.get(SA_SOURCE_CLUSTER);
    const at = w.closeTime?.toISOString();
    if (!cluster || !at || !wanted.has(cluster)) continue;
    const known = newest.get(cluster);
    if (known && known.at >= at) continue;
    const phase = w.typedSearchAttributes.get(SA_PHASE);
    // A test ended by Temporal's own cancel or terminate may not have set its outcome as its phase.
    const outcome =
      phase === 'restorable' || phase === 'failed' || phase === 'cancelled'
        ? phase
        : w.status.name.toLowerCase();
    newest.set(cluster, { workflowId: w.workflowId, runId: w.runId, at, outcome });
  }
  const out: Record<string, LastRestoreTest> = {};
  for (const [cluster, { runId, ...test }] of [...newest].sort(([a], [b]) => a.localeCompare(b))) {
    const totalSeconds = await totalSecondsOf(client, test.workflowId, runId);
    out[cluster] = totalSeconds === undefined ? test : { ...test, totalSeconds };
  }
  return out;
}

export interface PreviousAuditInput {
  /** The audit schedule (`snapcopy-rpo-<plan>`). */
  scheduleId: string;
  /** This audit's own workflow ID and first run (never its own previous; a schedule reuses an ID). */
  workflowId: string;
  runId: string;
}

export function createRestoreHistoryActivities(opts: Pick<SlotActivitiesOptions, 'client'>) {
  return {
    /** The last closed restore test per cluster in a Region (see lastRestoreTests). */
    async lastRestoreTests(input: LastPassedInput): Promise<Record<string, LastRestoreTest>> {
      return lastRestoreTests(await opts.client(), input);
    },

    /**
     * The previous audit's result: the schedule's most recent action before this one that completed (its
     * rows' statuses are what "turned" is measured against). Undefined when there is none (first audit, or
     * started by hand without the schedule).
     */
    async previousAudit(input: PreviousAuditInput): Promise<AuditResult | undefined> {
      const client = await opts.client();
      let actions;
      try {
        actions = (await client.schedule.getHandle(input.scheduleId).describe()).info.recentActions;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      }
      for (const a of [...actions].reverse()) {
        const wf = a.action.workflow;
        if (wf.workflowId === input.workflowId && wf.firstExecutionRunId === input.runId) continue;
        try {
          return (await client.workflow
            .getHandle(wf.workflowId, wf.firstExecutionRunId)
            .result()) as AuditResult;
        } catch (err) {
          if (err instanceof WorkflowFailedError || err instanceof WorkflowNotFoundError) continue;
          throw err;
        }
      }
      return undefined;
    },

    async lastPassedRestoreTests(input: LastPassedInput): Promise<LastPassed> {
      const client = await opts.client();
      const wanted = new Set(input.clusters);
      const query = [
        `WorkflowType = ${quoted(VERIFY_WORKFLOW_TYPE)}`,
        `${SA_TARGET_REGION.name} = ${quoted(input.region)}`,
        // A finished test shows its outcome as its phase.
        `${SA_PHASE.name} = 'restorable'`,
        `ExecutionStatus = 'Completed'`,
      ].join(' AND ');
      const last: LastPassed = {};
      for await (const w of client.workflow.list({ query })) {
        const cluster = w.typedSearchAttributes.get(SA_SOURCE_CLUSTER);
        const at = w.closeTime?.toISOString();
        if (!cluster || !at || !wanted.has(cluster)) continue;
        if (!last[cluster] || last[cluster] < at) last[cluster] = at;
      }
      return last;
    },
  };
}

export type RestoreHistoryActivities = ReturnType<typeof createRestoreHistoryActivities>;

export function noRestoreHistoryActivities(): RestoreHistoryActivities {
  const missing = (): never => {
    throw new Error('restore-test history needs a Temporal client: createActivities(aws, { client })');
  };
  return {
    lastPassedRestoreTests: missing,
    lastRestoreTests: missing,
    previousAudit: missing,
  };
}
