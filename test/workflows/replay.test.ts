// Replays recorded histories against today's workflow code: a change that would break running
// workflows (non-determinism) fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, type RecordedHistory } from '../helpers/histories';
import { workflowBundle } from '../helpers/temporal';

const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    // Today's shapes, those of 0.1 (v0.1-*: before copy slots, read through the patch and the state reader)
    // and of 0.2 (v0.2-*: before each side's account was known up front and shares had a holder).
    expect(files.length).toBeGreaterThanOrEqual(27);
    expect(files.filter((f) => f.startsWith('v0.1-'))).toHaveLength(7);
    expect(files.filter((f) => f.startsWith('v0.2-'))).toHaveLength(9);
    expect(files).toContain('source-share-three-copies.json');
    // A copy whose short waits were spent in the follow activity (recorded end to end).
    expect(files).toContain('followed-in-activity.json');
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const fixture = JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as RecordedHistory;
    const history = historyFromJSON(fixture.history);
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, fixture.workflowId);
  });
});
