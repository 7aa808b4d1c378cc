// The "current details" the Temporal UI shows on a copy's page (Temporal markdown). Pure.
import type { Progress } from '../shared/types';

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return 'unknown';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}

export function formatDetails(p: Progress): string {
  const lines = [
    `**${p.phase}**${p.phase === 'copying' ? ` — ${p.percent}%, about ${duration(p.etaSeconds)} left` : ''}`,
    '',
    `- target: \`${p.targetIdentifier}\` in ${p.targetRegion}${p.status ? ` (${p.status})` : ''}`,
  ];
  if (p.sourceArn) lines.push(`- source: \`${p.sourceArn}\``);
  if (p.kmsKeyArn) lines.push(`- KMS key: \`${p.kmsKeyArn}\``);
  if (p.polls) lines.push(`- polls: ${p.polls}${p.nextPollAt ? `, next at ${p.nextPollAt}` : ''}`);
  if (p.slotWaits) lines.push(`- waited for a copy slot ${p.slotWaits} time(s)`);
  if (p.pruned.length)
    lines.push(`- pruned: ${p.pruned.map((s) => s.DBClusterSnapshotIdentifier).join(', ')}`);
  if (p.retired.length)
    lines.push(`- retired: ${p.retired.map((s) => s.DBClusterSnapshotIdentifier).join(', ')}`);
  if (p.cancelRequested) lines.push(`- cancel requested${p.cancelReason ? `: ${p.cancelReason}` : ''}`);
  if (p.error) lines.push(`- error (${p.error.type}): ${p.error.message}`);
  else if (p.message) lines.push(`- ${p.message}`);
  return lines.join('\n');
}
