// One run of a plan (the plans contract, docs/plans.md): the runCopyPlan workflow's names, input and result, shared by the
// workflow, the activities that report a run (SNS) and the CLI. Workflow-safe: no Node built-ins, no I/O.
import { defineQuery } from '@temporalio/workflow';
import { formatDurationCompact } from './duration';
import type { Outcome } from './types';

export const PLAN_WORKFLOW_TYPE = 'runCopyPlan';
/** Prefix of a plan's runs: `snapcopy-plan-<name>-<yyyymmdd>-<hhmmss>` (the scheduled time, UTC). */
export const PLAN_RUN_ID_PREFIX = 'snapcopy-plan-';

/** `20261202-030000` (UTC) of a time. */
export function runStamp(at: Date): string {
  const iso = at.toISOString(); // 2026-12-02T03:00:00.000Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** The workflow ID of a plan's run at `at` (its scheduled time, or now for a run started by hand). */
export function planRunWorkflowId(name: string, at: Date): string {
  return `${PLAN_RUN_ID_PREFIX}${name}-${runStamp(at)}`;
}

const RUN_ID = /^snapcopy-plan-(.+)-(\d{8})-(\d{6})$/;

/** The plan name and run time of a run's workflow ID, or undefined when it is not one. */
export function parsePlanRunWorkflowId(id: string): { name: string; at: Date } | undefined {
  const m = RUN_ID.exec(id);
  if (!m) return undefined;
  const [, name, d, t] = m as unknown as [string, string, string, string];
  const at = new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`,
  );
  return Number.isNaN(at.getTime()) ? undefined : { name, at };
}

/**
 * The input of runCopyPlan: the plan as its file states it (checked again by the workflow with the same
 * schema), and the file it came from, for messages.
 */
export interface RunCopyPlanInput {
  plan: unknown;
  /** Where the plan came from (a file path), shown in the UI and in messages. */
  origin?: string;
}

/**
 * What happened to one cluster in one destination. `already-present`: its newest snapshot had been copied
 * there before; `already-running`: another run is copying it now; `failed`: the copy failed;
 * `no-snapshot`: the cluster has no available snapshot to copy.
 */
export type PlanRowOutcome = Outcome | 'already-running' | 'failed' | 'no-snapshot';

export interface PlanRunRow {
  cluster: string;
  destination: string;
  outcome: PlanRowOutcome;
  /** The copy's workflow ID (the child). */
  workflowId?: string;
  source?: string;
  target?: string;
  targetArn?: string;
  /** Seconds the child ran, start to end. */
  durationSeconds?: number;
  /** The ApplicationFailure type when the copy failed (DBClusterSnapshotNotFoundFault, ...). */
  failureType?: string;
  message?: string;
  /** Copies retention deleted after this copy succeeded. */
  retired: string[];
  /** Copies retention left alone for a hold (snapcopy:hold), with the reason; absent when none. */
  held?: { identifier: string; hold: string }[];
  /** The plan's restore test of this row's copy (plans with verify). */
  verify?: PlanRowVerify;
}

/**
 * A row's restore test: `restorable` / `failed` / `cancelled` (run now), `testing` (still running),
 * `recent` (its cluster's last passed test here is within verify.every: not tested this run), `deferred`
 * (due, but beyond verify.maxPerRun this run: the longest untested go first), `already-running` (another
 * test of the copy runs), `skipped` (the destination says verify: false, or the copy was not made).
 */
export type PlanVerifyOutcome =
  'restorable' | 'failed' | 'cancelled' | 'testing' | 'recent' | 'deferred' | 'already-running';

export interface PlanRowVerify {
  outcome: PlanVerifyOutcome;
  /** The verifyCopy workflow (run now, or running). */
  workflowId?: string;
  /** When the cluster's last passed test here ended (ISO), when known. */
  lastPassedAt?: string;
  /** What a restore took (cluster and writer available), seconds. */
  totalSeconds?: number;
  failure?: string;
}

export interface PlanRunResult {
  plan: string;
  workflowId: string;
  startedAt: string;
  finishedAt: string;
  /** Clusters found (by names and tags) and copied to each destination. */
  clusters: string[];
  destinations: string[];
  rows: PlanRunRow[];
  counts: Record<PlanRowOutcome, number>;
  /** Restore tests by outcome (plans with verify). */
  restoreTests?: Partial<Record<PlanVerifyOutcome, number>>;
  /** Whether something was not copied (a row failed or had no snapshot), or a restore test failed. */
  failed: boolean;
  /** The SNS message ID when the run was reported. */
  notified?: string;
  /** Why the report could not be sent (the run's outcome does not depend on it). */
  notifyError?: string;
}

/** Rows that count as "not copied": the run fails when there is one. */
export const FAILED_OUTCOMES: readonly PlanRowOutcome[] = ['failed', 'no-snapshot'];

/** The `planRun` query: the table so far (rows of copies still running have outcome `copying`). */
export interface PlanRunProgress {
  plan: string;
  phase: 'finding-clusters' | 'copying' | 'verifying' | 'notifying' | 'completed' | 'failed';
  rows: (Omit<PlanRunRow, 'outcome'> & { outcome: PlanRowOutcome | 'copying' })[];
}

export const planRunQuery = defineQuery<PlanRunProgress>('planRun');

/** Failure type of a plan run that copied less than it should (counts and names in the message). */
export const PLAN_RUN_FAILED = 'PlanRunFailed';

/** A row's restore test in a few words: outcome, what the restore took, or when it last passed. */
export function restoreTestCell(v: PlanRowVerify | undefined): string {
  if (!v) return '';
  if (v.outcome === 'restorable' && v.totalSeconds !== undefined) {
    return `restorable in ${formatDurationCompact(v.totalSeconds)}`;
  }
  if ((v.outcome === 'recent' || v.outcome === 'deferred') && v.lastPassedAt) {
    return `${v.outcome} (passed ${v.lastPassedAt.slice(0, 16).replace('T', ' ')})`;
  }
  return v.outcome;
}
