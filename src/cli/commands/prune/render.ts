// `snapcopy prune`, what it prints. Pure.
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import { formatTime, plural, table } from '../../format';
import type { Fate, PruneReport } from './report';

const FATE_LABEL: Record<Fate, string> = {
  'would-delete': 'would delete',
  deleted: 'deleted',
  absent: 'already gone',
  kept: 'kept (available)',
  held: 'kept (on hold)',
  failed: 'FAILED',
};

export function renderPrune(r: PruneReport): string {
  const lines = [
    `${r.targetRegion}: snapcopy-owned copies (${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE}), keeping the newest ` +
      `${r.keep} per source cluster${r.dryRun ? ' (dry run: nothing is deleted)' : ''}`,
  ];
  if (r.clusters.length === 0 && r.untagged.length === 0) lines.push('no snapcopy-owned copies found');
  for (const c of r.clusters) {
    lines.push('', `cluster ${c.sourceCluster}`);
    const rows = [
      ...c.delete.map((d) => [
        FATE_LABEL[d.result],
        d.identifier,
        formatTime(d.createTime),
        d.status,
        d.error ?? '',
      ]),
      ...c.keep.map((k) => ['keep', k.identifier, formatTime(k.createTime), k.status, k.reason]),
    ];
    lines.push(table(['', 'SNAPSHOT', 'CREATED', 'STATUS', ''], rows).replace(/^/gm, '  '));
  }
  if (r.untagged.length) {
    lines.push(
      '',
      `never pruned (no ${OWNERSHIP_TAGS.sourceCluster} tag): ${r.untagged.map((u) => u.identifier).join(', ')}`,
    );
  }
  const done = r.dryRun ? `would delete ${r.wouldDelete}` : `deleted ${r.deleted}`;
  const held = r.keptForHold ? ` (${r.keptForHold} for a hold)` : '';
  lines.push('', `${done}, kept ${r.kept}${held}${r.failed ? `, ${r.failed} failed` : ''}`);
  return lines.join('\n');
}

export function confirmQuestion(count: number, region: string): string {
  return `delete ${plural(count, 'snapshot')} in ${region}?`;
}

export function needsYesMessage(count: number): string {
  return `nothing deleted: pass --yes to delete the ${plural(count, 'snapshot')} listed above (or --dry-run to only list)`;
}

export function failedDeletionsNote(failed: number): string {
  return `snapcopy: ${plural(failed, 'deletion')} failed (see above)`;
}
