// `snapcopy list`, what it prints. Pure.
import { formatTime, table } from '../../format';
import type { CopyRow } from './report';

export function renderRows(rows: CopyRow[]): string {
  if (rows.length === 0) return 'no copies match';
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
