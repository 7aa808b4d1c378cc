// The one contract between clients (CLI, demo, schedules, tests, ops tooling) and the copy workflow:
// its typed signal and query, its signature, and how a copy is started. Workflow-safe (no I/O).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { CANCEL_SIGNAL, defaultWorkflowId, PROGRESS_QUERY, WORKFLOW_TYPE } from './names';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from './search-attributes';
import type {
  CancelSignalArgs,
  CopyDbClusterSnapshotInput,
  CopyDbClusterSnapshotResult,
  Progress,
} from './types';
import type { ValidatedInput } from './validation';

export const cancelSignal = defineSignal<[CancelSignalArgs?]>(CANCEL_SIGNAL);
export const progressQuery = defineQuery<Progress>(PROGRESS_QUERY);

/**
 * The copy workflow as clients call it: `client.workflow.start<CopyWorkflow>(WORKFLOW_TYPE, ...)`. The
 * workflow itself takes a second, internal argument (the state carried across continue-as-new).
 */
export type CopyWorkflow = (input: CopyDbClusterSnapshotInput) => Promise<CopyDbClusterSnapshotResult>;
export { WORKFLOW_TYPE };

/** The one-line summary the Temporal UI shows for the copy. */
export function copySummary(v: ValidatedInput): string {
  const source =
    v.source.form === 'cluster' ? `newest snapshot of cluster ${v.source.identifier}` : v.source.identifier;
  return `copy ${source} ${v.sourceRegion} → ${v.targetRegion} as ${v.targetIdentifier}`;
}

/** Search attributes set at start, so the copy is filterable from its first second. */
export function initialSearchAttributes(v: ValidatedInput): SearchAttributePair[] {
  return [
    { key: SA_SOURCE_REGION, value: v.sourceRegion },
    { key: SA_TARGET_REGION, value: v.targetRegion },
    ...(v.source.form === 'cluster' ? [{ key: SA_SOURCE_CLUSTER, value: v.source.identifier }] : []),
    { key: SA_PHASE, value: 'validating' },
    { key: SA_PERCENT, value: 0 },
  ];
}

export interface CopyStartOptions {
  workflowId: string;
  args: [CopyDbClusterSnapshotInput];
  staticSummary: string;
  typedSearchAttributes: SearchAttributePair[];
}

/**
 * What every start of a copy shares (CLI, demo, schedules, tests): the default workflow ID, the UI's
 * summary and the initial search attributes. Callers add the task queue and their ID policies.
 */
export function copyStartOptions(
  input: CopyDbClusterSnapshotInput,
  v: ValidatedInput,
  workflowId: string = defaultWorkflowId(v.targetRegion, v.targetIdentifier),
): CopyStartOptions {
  return {
    workflowId,
    args: [input],
    staticSummary: copySummary(v),
    typedSearchAttributes: initialSearchAttributes(v),
  };
}
