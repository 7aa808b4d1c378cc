// Recorded workflow histories for replay tests. `SNAPCOPY_RECORD_HISTORIES=1 npx vitest run test/workflows`
// rewrites them from the workflow tests; commit them when the workflow changes on purpose.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ROOT } from './temporal';

export const HISTORIES_DIR = path.join(ROOT, 'test/fixtures/histories');

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.SNAPCOPY_RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
