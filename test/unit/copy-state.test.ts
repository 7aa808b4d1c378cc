// The state a copy run starts from: fresh, carried by the previous run, or one of the flat shapes that
// runs recorded before CopyState carried (they are in running workflows' histories).
import { describe, expect, it } from 'vitest';
import { readCarriedState, type CopyState } from '../../src/workflows/copy/state';

const NOW = '2026-12-01T00:00:00.000Z';

describe('readCarriedState', () => {
  it('starts fresh without a carried state', () => {
    expect(readCarriedState(undefined, NOW)).toEqual({
      startedAt: NOW,
      runs: 1,
      polls: 0,
      slotWaits: 0,
      pruned: [],
      undo: {},
    });
  });

  it('takes a carried CopyState whole and counts this run', () => {
    const carried: CopyState = {
      startedAt: '2026-11-30T00:00:00.000Z',
      runs: 2,
      polls: 500,
      slotWaits: 3,
      pruned: [{ DBClusterSnapshotIdentifier: 'old', DBClusterSnapshotArn: 'arn:old' }],
      cancel: { reason: 'ops' },
      undo: { target: { available: false } },
      copy: {
        sourceArn: 'arn:src',
        sourceRegion: 'us-east-1',
        sourceCluster: 'prod',
        startedAt: '2026-11-30T00:01:00.000Z',
        anchor: { at: 1, percent: 0 },
        queuedPolls: 4,
        lastPercent: 0,
      },
    };
    expect(readCarriedState(carried, NOW)).toEqual({ ...carried, runs: 3 });
  });

  it('reads the legacy state of a run that continued while waiting to start the copy', () => {
    const legacy = {
      stage: 'starting',
      startedAt: '2026-12-01T21:38:08.602Z',
      polls: 0,
      runs: 1,
      slotWaits: 10,
      pruned: [],
      cancelRequested: false,
    };
    const state = readCarriedState(legacy, NOW);
    expect(state).toEqual({
      startedAt: legacy.startedAt,
      runs: 2,
      polls: 0,
      slotWaits: 10,
      pruned: [],
      undo: {},
    });
    expect(state.copy).toBeUndefined(); // starts over from the source
  });

  const legacyCopying = {
    sourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-2026-11-20',
    sourceRegion: 'us-east-1',
    sourceCluster: 'prod',
    kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
    targetArn: 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-2026-11-20-copy',
    startedAt: '2026-12-01T21:37:02.685Z',
    copyStartedAt: '2026-12-01T21:37:02.921Z',
    polls: 250,
    runs: 1,
    slotWaits: 0,
    pruned: [],
    anchor: { at: 1796175997439, percent: 0 },
    queuedPolls: 251,
    lastPercent: 0,
    cancelRequested: true,
    cancelReason: 'ops',
  };

  it.each([
    ['with its stage', { stage: 'copying', ...legacyCopying }],
    ['from before the stage existed', legacyCopying],
  ])('reads the legacy state of a run that continued while copying (%s)', (_, legacy) => {
    expect(readCarriedState(legacy, NOW)).toEqual({
      startedAt: legacyCopying.startedAt,
      runs: 2,
      polls: 250,
      slotWaits: 0,
      pruned: [],
      cancel: { reason: 'ops' },
      undo: { target: { available: false } },
      copy: {
        sourceArn: legacyCopying.sourceArn,
        sourceRegion: 'us-east-1',
        sourceCluster: 'prod',
        kmsKeyArn: legacyCopying.kmsKeyArn,
        targetArn: legacyCopying.targetArn,
        startedAt: legacyCopying.copyStartedAt,
        anchor: legacyCopying.anchor,
        queuedPolls: 251,
        lastPercent: 0,
      },
    });
  });
});
