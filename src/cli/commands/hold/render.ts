// `snapcopy hold`, what it prints. Pure.
import { formatDuration } from '../../../shared/duration';
import { HOLD_TAG } from '../../../shared/names';
import { holdReason } from '../../../shared/ownership';
import { formatTime, plural, table } from '../../format';
import type { HeldCopy, HoldChange } from './report';

export function renderChange(c: HoldChange): string {
  if (c.action === 'set') {
    const was =
      c.previous === undefined ? '' : c.changed ? ` (was: ${holdReason(c.previous)})` : ' (unchanged)';
    return `${c.identifier} in ${c.region} is on hold: ${holdReason(c.hold ?? '')}${was}; snapcopy never deletes it until the hold is cleared`;
  }
  return c.changed
    ? `hold cleared on ${c.identifier} in ${c.region} (was: ${holdReason(c.hold ?? '')}); prune and retention may delete it again`
    : `${c.identifier} in ${c.region} has no hold (${HOLD_TAG}): nothing to clear`;
}

export function renderList(held: HeldCopy[], regions: string[], now: Date): string {
  if (held.length === 0) return `no snapcopy copies on hold in ${regions.join(', ')}`;
  const age = (t: string | undefined) =>
    t === undefined ? '-' : formatDuration(Math.max(0, Math.round((now.getTime() - Date.parse(t)) / 1000)));
  const rows = held.map((h) => [
    h.identifier,
    h.region,
    h.sourceCluster ?? '-',
    formatTime(h.createTime),
    age(h.createTime),
    h.status,
    holdReason(h.hold),
  ]);
  return [
    table(['SNAPSHOT', 'REGION', 'CLUSTER', 'CREATED', 'AGE', 'STATUS', 'REASON'], rows),
    '',
    `${plural(held.length, 'copy', 'copies')} on hold`,
  ].join('\n');
}
