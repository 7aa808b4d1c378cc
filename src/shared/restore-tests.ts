// The restore-test contract (fixed names, docs/contract.md "Restore tests"): the verifyCopy workflow restores a
// copy into a throwaway DB cluster with one writer, checks it, times it and deletes what it made. Used by the
// workflow, its activities, the CLI, plans and the tests. Workflow-safe.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { CANCEL_SIGNAL, PROGRESS_QUERY } from './names';

export const VERIFY_WORKFLOW_TYPE = 'verifyCopy';
/** The failure a restore test ends with when a check fails or AWS refuses (the fault's name inside). */
export const RESTORE_TEST_FAILED = 'RestoreTestFailed';
/** A cluster or instance that lacks the restore-test tags: never deleted. */
export const RESOURCE_NOT_OWNED = 'ResourceNotOwnedBySnapcopy';
/** The throwaway cluster or writer refuses the call for now (still creating): the workflow waits and asks again. */
export const THROWAWAY_BUSY = 'ThrowawayResourceBusy';

/** Tags on every throwaway cluster and instance, beside `snapcopy:managed=true` and `snapcopy:workflow-id`. */
export const VERIFY_OF_TAG = 'snapcopy:verify-of';

/** At most this many restore tests at once per account and Region (SNAPCOPY_RESTORE_TESTS_PER_REGION). */
export const DEFAULT_RESTORE_TESTS_PER_REGION = 1;

/** `snapcopy-verify-<Region>-<lowercased snapshot identifier>` (the name, or the ARN's last part). */
export function verifyWorkflowId(region: string, snapshotIdentifier: string): string {
  const name = snapshotIdentifier.startsWith('arn:')
    ? snapshotIdentifier.slice(snapshotIdentifier.lastIndexOf(':') + 1)
    : snapshotIdentifier;
  return `snapcopy-verify-${region}-${name.toLowerCase()}`;
}

/** `snapcopy-restore-slots-<accountId>-<region>`: the restore tests' own slot scheduler (a copySlots workflow). */
export function restoreSlotsWorkflowId(accountId: string, region: string): string {
  return `snapcopy-restore-slots-${accountId}-${region}`;
}

/** `snapcopy-verify-<8 lowercase hex>` */
export function throwawayClusterId(hex8: string): string {
  return `snapcopy-verify-${hex8}`;
}

/** `<cluster>-writer` */
export function writerInstanceId(clusterId: string): string {
  return `${clusterId}-writer`;
}

/** The optional SQL canary, run through the RDS Data API against the restored cluster. */
export interface SqlCheck {
  /** Secrets Manager ARN of the database credentials (the Data API's `secretArn`). */
  secretArn: string;
  database?: string;
  sql: string;
  /**
   * What the first column of the first row must be: a number is a minimum (`select count(*) …` expecting at
   * least 1), a string must match exactly. Default: the statement succeeds.
   */
  expect?: number | string;
}

export interface VerifyOptions {
  /** The writer's instance class (default per engine, docs/restore-tests.md). */
  instanceClass?: string;
  dbSubnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
  /** Give up (clean up, fail) this many seconds after the restore slot was granted. Default 4 hours. */
  deadlineSeconds?: number;
  /** The longest wait between two looks at the throwaway cluster and writer, seconds (default 60). */
  pollSeconds?: number;
  check?: SqlCheck;
  /** sts:ExternalId for assuming TargetRoleArn. */
  externalId?: string;
}

export interface VerifyCopyInput {
  /** The copy to restore: a name or an ARN. */
  SnapshotIdentifier: string;
  Region: string;
  /** A role in the account the snapshot lives in; default: the worker's own account. */
  TargetRoleArn?: string;
  options?: VerifyOptions;
}

export type VerifyOutcome = 'restorable' | 'failed' | 'cancelled';

export type VerifyPhase =
  | 'validating'
  | 'describing'
  | 'waiting-for-slot'
  | 'restoring'
  | 'creating-writer'
  | 'checking'
  | 'cleaning-up'
  | 'done';

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyCopyResult {
  outcome: VerifyOutcome;
  snapshotArn: string;
  region: string;
  clusterIdentifier?: string;
  /** RestoreDBClusterFromSnapshot until the cluster is `available`. */
  restoreSeconds?: number;
  /** CreateDBInstance until the writer is `available`. */
  writerSeconds?: number;
  /** From the restore call until the writer is `available`: what a restore takes. */
  totalSeconds?: number;
  checks: VerifyCheck[];
  /** True only once AWS says both the writer and the cluster are gone (or were never made). */
  cleanedUp: boolean;
  startedAt: string;
  endedAt: string;
  /** The fault or failed check, when the outcome is `failed`. */
  failure?: string;
}

/** The `progress` query's answer for a verify workflow. */
export interface VerifyProgress {
  phase: VerifyPhase;
  snapshotIdentifier: string;
  region: string;
  snapshotArn?: string;
  clusterIdentifier?: string;
  queuePosition?: number;
  /** Seconds each finished phase took, in order. */
  timings: { phase: VerifyPhase; seconds: number }[];
  checks: VerifyCheck[];
  cancelRequested: boolean;
  message?: string;
  outcome?: VerifyOutcome;
}

export const verifyProgressQuery = defineQuery<VerifyProgress>(PROGRESS_QUERY);
// The copy's CancelSignalArgs, spelled out: types.ts imports VerifyOptions from here (no import cycle).
export const verifyCancelSignal = defineSignal<[{ reason?: string }?]>(CANCEL_SIGNAL);
