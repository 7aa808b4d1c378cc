// `snapcopy status`, what it prints. Pure.
import type { CopySummary, HopView, Progress } from '../../../shared/types';
import { fields, formatEta, formatTime } from '../../format';
import { resultLine } from '../../outcome';
import { describePhase } from '../../progress-view';
import type { StatusReport } from './report';

export function progressLine(p: Progress): string {
  const eta = p.etaSeconds !== undefined && p.phase === 'copying' ? `, eta ${formatEta(p.etaSeconds)}` : '';
  return `${describePhase(p)}, ${p.percent}%${eta}`;
}

/** A cross-account copy's two accounts. */
function accountsLine(p: Progress | undefined, summary: CopySummary | undefined): string | undefined {
  const x = summary?.crossAccount;
  if (x) return `${x.sourceAccountId} → ${x.targetAccountId}`;
  const final = p?.hops?.find((h) => h.hop === 'final');
  return final ? `→ ${final.accountId}` : undefined;
}

/** Each hop of a cross-account copy: `intermediate prod-dr-hop1 (222…/us-east-1) deleted; final …`. */
function hopsLine(hops: HopView[] | undefined): string | undefined {
  if (!hops?.length) return undefined;
  return hops.map((h) => `${h.hop} ${h.identifier} (${h.accountId}/${h.region}) ${h.status}`).join('; ');
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
    ['accounts', accountsLine(p, summary)],
    ['shared with', p?.sharedWith ? `account ${p.sharedWith} (until the copy ends)` : undefined],
    ['hops', hopsLine(p?.hops ?? summary?.crossAccount?.hops)],
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
