// `snapcopy list`, the report: the visibility query for the filters, and the copies it finds.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../../shared/contract';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../../shared/search-attributes';
import { validateRegion } from '../../../shared/validation';
import { UsageError } from '../../errors';
import { isoOrUndefined, statusName, type StatusName } from '../../format';

/** --state values and the ExecutionStatus each stands for in a visibility query. */
export const STATES = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
} as const;
export type State = keyof typeof STATES;

export interface ListFilters {
  state?: State;
  sourceRegion?: string;
  targetRegion?: string;
  sourceCluster?: string;
  query?: string;
}

export interface CopyRow {
  workflowId: string;
  runId: string;
  status: StatusName;
  phase?: string;
  percent?: number;
  sourceRegion?: string;
  targetRegion?: string;
  sourceCluster?: string;
  startTime: string;
  closeTime?: string;
  taskQueue: string;
}

/** A string literal for a visibility query. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The visibility query for the filters (a bad Region is an InputError: exit 2). Runs that continued as new are
 * left out: their successor is listed.
 */
export function listQuery(flags: ListFilters): string {
  const clauses = [`WorkflowType = ${literal(WORKFLOW_TYPE)}`];
  clauses.push(
    flags.state ? `ExecutionStatus = ${literal(STATES[flags.state])}` : `ExecutionStatus != 'ContinuedAsNew'`,
  );
  if (flags.sourceRegion !== undefined) {
    clauses.push(
      `${SA_SOURCE_REGION.name} = ${literal(validateRegion(flags.sourceRegion, '--source-region'))}`,
    );
  }
  if (flags.targetRegion !== undefined) {
    clauses.push(
      `${SA_TARGET_REGION.name} = ${literal(validateRegion(flags.targetRegion, '--target-region'))}`,
    );
  }
  if (flags.sourceCluster !== undefined) {
    // AWS stores identifiers lowercased, and so does the workflow in this attribute.
    clauses.push(`${SA_SOURCE_CLUSTER.name} = ${literal(flags.sourceCluster.toLowerCase())}`);
  }
  if (flags.query) clauses.push(`(${flags.query})`);
  return clauses.join(' AND ');
}

export function rowOf(info: WorkflowExecutionInfo): CopyRow {
  const sa = info.typedSearchAttributes;
  const row: CopyRow = {
    workflowId: info.workflowId,
    runId: info.runId,
    status: statusName(info.status.name),
    startTime: info.startTime.toISOString(),
    taskQueue: info.taskQueue,
  };
  const set = <K extends keyof CopyRow>(key: K, value: CopyRow[K] | undefined) => {
    if (value !== undefined) row[key] = value;
  };
  set('phase', sa.get(SA_PHASE));
  set('percent', sa.get(SA_PERCENT));
  set('sourceRegion', sa.get(SA_SOURCE_REGION));
  set('targetRegion', sa.get(SA_TARGET_REGION));
  set('sourceCluster', sa.get(SA_SOURCE_CLUSTER));
  set('closeTime', isoOrUndefined(info.closeTime));
  return row;
}

/** --limit: at least 1. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be at least 1');
  return limit;
}

/** At most `limit` copies matching the visibility query, newest first (visibility's order). */
export async function listCopies(client: Client, query: string, limit: number): Promise<CopyRow[]> {
  const rows: CopyRow[] = [];
  for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    rows.push(rowOf(info));
    if (rows.length >= limit) break;
  }
  return rows;
}
