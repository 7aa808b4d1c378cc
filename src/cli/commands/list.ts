// `snapcopy list`: copies from Temporal visibility, filtered by state and snapcopy's search attributes.
import { Option, type Command } from 'commander';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../shared/names';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../shared/search-attributes';
import { InputError, validateRegion } from '../../shared/validation';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { formatTime, isoOrUndefined, statusName, table, type StatusName, prose } from '../format';
import { parseInteger } from '../parse';

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

interface ListFlags {
  state?: State;
  sourceRegion?: string;
  targetRegion?: string;
  sourceCluster?: string;
  query?: string;
  limit: number;
  json?: boolean;
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

function region(value: string, flag: string): string {
  try {
    return validateRegion(value, flag);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
}

/** The visibility query for the flags. Runs that continued as new are left out: their successor is listed. */
export function listQuery(flags: Omit<ListFlags, 'limit' | 'json'>): string {
  const clauses = [`WorkflowType = ${literal(WORKFLOW_TYPE)}`];
  clauses.push(
    flags.state ? `ExecutionStatus = ${literal(STATES[flags.state])}` : `ExecutionStatus != 'ContinuedAsNew'`,
  );
  if (flags.sourceRegion !== undefined) {
    clauses.push(`${SA_SOURCE_REGION.name} = ${literal(region(flags.sourceRegion, '--source-region'))}`);
  }
  if (flags.targetRegion !== undefined) {
    clauses.push(`${SA_TARGET_REGION.name} = ${literal(region(flags.targetRegion, '--target-region'))}`);
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

export function renderRows(rows: CopyRow[]): string {
  return table(
    ['WORKFLOW ID', 'STATUS', 'PHASE', '%', 'REGIONS', 'CLUSTER', 'STARTED'],
    rows.map((r) => [
      r.workflowId,
      r.status,
      r.phase ?? '-',
      r.percent === undefined ? '-' : String(r.percent),
      `${r.sourceRegion ?? '?'} → ${r.targetRegion ?? '?'}`,
      r.sourceCluster ?? '-',
      formatTime(r.startTime),
    ]),
  );
}

async function list(ctx: CliContext, flags: ListFlags): Promise<void> {
  if (!Number.isInteger(flags.limit) || flags.limit < 1) throw new UsageError('--limit must be at least 1');
  const query = listQuery(flags);
  const { client } = await ctx.temporal();
  const rows: CopyRow[] = [];
  for await (const info of client.workflow.list({ query, pageSize: Math.min(flags.limit, 1000) })) {
    rows.push(rowOf(info));
    if (rows.length >= flags.limit) break;
  }
  if (flags.json) ctx.json(rows);
  else if (rows.length === 0) ctx.out('no copies match');
  else ctx.out(renderRows(rows));
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .summary('list copies (Temporal visibility)')
    .description(
      prose(
        "List copies from Temporal's visibility store, newest first, filtered by state and by snapcopy's search\n" +
          'attributes. Visibility is eventually consistent: a copy started a moment ago may take a second to appear.',
      ),
    )
    .addOption(new Option('--state <state>', 'only copies in this state').choices(Object.keys(STATES)))
    .option('--source-region <region>', 'only copies from this Region')
    .option('--target-region <region>', 'only copies to this Region')
    .option('--source-cluster <cluster>', 'only copies of this DB cluster')
    .option('--query <visibility-query>', 'an extra Temporal visibility query clause, ANDed with the filters')
    .option('--limit <n>', 'at most this many copies', parseInteger, 50)
    .option('--json', 'print JSON (an array of copies)')
    .addHelpText('after', '\nExit codes: 0 listed (also when none match), 1 Temporal error, 2 usage.')
    .action(async (flags: ListFlags) => list(ctx, flags));
}
