// `snapcopy slots`, what it prints. Pure.
import type { SlotsView } from '../../../shared/slots';
import { formatTime, plural, table } from '../../format';

export const NO_SCHEDULER = 'no copy-slot scheduler is running (one starts with the first copy to a Region)';

export function capacityLine(v: SlotsView): string {
  const used = `${v.holders.length} of ${v.capacity} slots in use`;
  const lowered =
    v.capacity < v.configuredCapacity
      ? ` (capacity ${v.capacity} of ${v.configuredCapacity} configured: AWS counts copies snapcopy did not start)`
      : v.capacity !== v.configuredCapacity
        ? ` (configured ${v.configuredCapacity})`
        : '';
  const checked = v.checkedAt ? `; AWS checked ${formatTime(v.checkedAt)}` : '';
  return `${used}${lowered}, ${plural(v.queue.length, 'copy', 'copies')} waiting${checked}`;
}

export function renderScheduler(v: SlotsView): string {
  const lines = [`${v.region} (account ${v.accountId}): ${capacityLine(v)}`];
  if (v.holders.length > 0) {
    lines.push(
      indent(
        table(
          ['HOLDER', 'PRIORITY', 'HELD SINCE'],
          v.holders.map((h) => [h.workflowId, String(h.priority), formatTime(h.since)]),
        ),
      ),
    );
  }
  if (v.queue.length > 0) {
    lines.push(
      indent(
        table(
          ['#', 'WAITING', 'PRIORITY', 'WAITING SINCE'],
          v.queue.map((q, i) => [String(i + 1), q.workflowId, String(q.priority), formatTime(q.since)]),
        ),
      ),
    );
  }
  return lines.join('\n');
}

export function renderSlots(views: SlotsView[]): string {
  if (views.length === 0) return NO_SCHEDULER;
  return views.map(renderScheduler).join('\n\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
