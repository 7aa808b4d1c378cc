// `snapcopy status`, what it prints. Pure.
import type { Progress } from '../../../shared/types';
import { fields, formatEta, formatTime } from '../../format';
import { resultLine } from '../../outcome';
import { describePhase } from '../../progress-view';
import type { StatusReport } from './report';

export function progressLine(p: Progress): string {
  const eta = p.etaSeconds !== undefined && p.phase === 'copying' ? `, eta ${formatEta(p.etaSeconds)}` : '';
  return `${describePhase(p)}, ${p.percent}%${eta}`;
}

export function renderStatus(r: StatusReport): string {
  const p = r.progress;
  const sa = r.searchAttributes;
  const summary = r.result?.summary;
  const target =
    p?.targetArn ??
    (p ? `${p.targetIdentifier} in ${p.targetRegion}` : undefined) ??
    summary?.targetArn ??
    r.result?.DBClusterSnapshot?.DBClusterSnapshotArn;
  const phase = p
    ? progressLine(p)
    : sa.phase !== undefined
      ? `${sa.phase}${sa.percent !== undefined ? `, ${sa.percent}%` : ''}`
      : undefined;
  return fields([
    ['workflow', r.workflowId],
    ['status', r.status],
    ['phase', phase],
    ['summary', r.summary],
    [
      'source',
      p?.sourceArn ?? summary?.sourceArn ?? (sa.sourceCluster ? `cluster ${sa.sourceCluster}` : undefined),
    ],
    [
      'regions',
      `${p?.sourceRegion ?? sa.sourceRegion ?? '?'} → ${p?.targetRegion ?? sa.targetRegion ?? '?'}`,
    ],
    ['target', target],
    ['kms key', p?.kmsKeyArn ?? summary?.kmsKeyArn],
    ['started', formatTime(r.startTime)],
    ['closed', r.closeTime ? formatTime(r.closeTime) : undefined],
    [
      'polls',
      p && p.polls > 0 ? `${p.polls}${p.nextPollAt ? ` (next ${formatTime(p.nextPollAt)})` : ''}` : undefined,
    ],
    ['cancel', p?.cancelRequested ? `requested${p.cancelReason ? `: ${p.cancelReason}` : ''}` : undefined],
    ['message', p?.error ? `${p.error.type}: ${p.error.message}` : p?.message],
    ['progress', r.progressUnavailable],
    ['result', r.result ? resultLine(r.result) : undefined],
    ['failure', r.failure ? `${r.failure.type}: ${r.failure.message}` : undefined],
  ]);
}
