// What the Temporal UI shows of a copy: the current-details markdown and the timeline's summaries.
import { describe, expect, it } from 'vitest';
import { formatDetails, summaries } from '../../src/workflows/copy/ui';
import type { Progress } from '../../src/shared/types';

const base: Progress = {
  phase: 'copying',
  targetRegion: 'us-west-2',
  targetIdentifier: 'prod-copy',
  status: 'copying',
  percent: 40,
  etaSeconds: 3900,
  polls: 3,
  runs: 1,
  pruned: [],
  retired: [],
  slotWaits: 0,
  cancelRequested: false,
};

describe('formatDetails', () => {
  it('shows the phase, progress and estimate of a running copy', () => {
    expect(formatDetails({ ...base, nextPollAt: '2026-12-01T00:01:00.000Z' })).toBe(
      [
        '**copying** — 40%, about 1h 5m left',
        '',
        '- target: `prod-copy` in us-west-2 (copying)',
        '- polls: 3, next at 2026-12-01T00:01:00.000Z',
      ].join('\n'),
    );
  });

  it('shows a cross-account copy’s share and each hop with its account, Region and state', () => {
    const text = formatDetails({
      ...base,
      sharedWith: '222222222222',
      hops: [
        {
          hop: 'intermediate',
          accountId: '222222222222',
          region: 'us-east-1',
          identifier: 'prod-copy-hop1',
          workflowId: 'snapcopy-us-west-2-prod-copy-intermediate',
          status: 'available',
        },
        {
          hop: 'final',
          accountId: '222222222222',
          region: 'us-west-2',
          identifier: 'prod-copy',
          workflowId: 'snapcopy-us-west-2-prod-copy',
          status: 'copying',
        },
      ],
    });
    expect(text).toContain('- source shared with account 222222222222 (taken back when the copy ends)');
    expect(text).toContain(
      '- hop intermediate: `prod-copy-hop1` in 222222222222/us-east-1 — available (snapcopy-us-west-2-prod-copy-intermediate)',
    );
    expect(text).toContain('- hop final: `prod-copy` in 222222222222/us-west-2 — copying');
  });

  it('says so when no estimate exists yet', () => {
    expect(formatDetails({ ...base, etaSeconds: undefined })).toMatch(
      /^\*\*copying\*\* — 40%, about unknown left/,
    );
  });

  it('lists source, key, waits, pruned and retired copies, the cancel and the error', () => {
    const text = formatDetails({
      ...base,
      phase: 'failed',
      sourceArn: 'arn:src',
      kmsKeyArn: 'arn:key',
      slotWaits: 2,
      pruned: [{ DBClusterSnapshotIdentifier: 'old-1', DBClusterSnapshotArn: 'arn:old-1' }],
      retired: [{ DBClusterSnapshotIdentifier: 'old-2', DBClusterSnapshotArn: 'arn:old-2' }],
      cancelRequested: true,
      cancelReason: 'ops',
      message: 'hidden behind the error',
      error: { type: 'SnapshotQuotaExceededFault', message: 'full' },
    });
    expect(text.split('\n')).toEqual([
      '**failed**',
      '',
      '- target: `prod-copy` in us-west-2 (copying)',
      '- source: `arn:src`',
      '- KMS key: `arn:key`',
      '- polls: 3',
      '- waited for a copy slot 2 time(s)',
      '- pruned: old-1',
      '- retired: old-2',
      '- cancel requested: ops',
      '- error (SnapshotQuotaExceededFault): full',
    ]);
  });
});

describe('summaries', () => {
  it('names timers by what they wait for', () => {
    expect(summaries.nextPoll(45)).toBe('next poll in 45s');
    expect(summaries.nextPoll(125)).toBe('next poll in 2m 5s');
    expect(summaries.slotWait(60)).toBe('waiting for a copy slot (next try in 1m 0s)');
    expect(summaries.goneWait('old-1', 5)).toBe('wait 5s for old-1 to be gone');
  });
});
