// Recorded workflow histories for replay tests. `SNAPCOPY_RECORD_HISTORIES=1 npx vitest run test/workflows`
// rewrites them from the workflow tests; commit them when the workflow changes on purpose.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR } from './paths';

export { HISTORIES_DIR };

/** A fixture: the history plus the workflow ID it ran under (the workflow reads its own ID). */
export interface RecordedHistory {
  workflowId: string;
  history: unknown;
}

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.SNAPCOPY_RECORD_HISTORIES) return;
  const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as unknown;
  const fixture: RecordedHistory = { workflowId: handle.workflowId, history };
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(fixture, null, 1));
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The activity types of a history's local activities, in order (read from their markers' data). */
export function localActivityTypes(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data =
      marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
    if (!data) return [];
    return [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type];
  });
}
