// `plan diff` and `plan apply`, what they print. Pure.
import { auditScheduleId } from '../../../shared/rpo-audit';
import type { ChangePart, PlanChange, PlanDiff } from './diff';
import { planSummaryText, scheduleText } from './schedules';

export const KEPT_TEXT = 'not in the files (kept; --prune deletes)';

export function partText(p: ChangePart): string {
  if (p.part === 'plan content') {
    return p.keys && p.keys.length > 0 ? `plan content (${p.keys.join(', ')})` : `plan content (${p.from})`;
  }
  const label = p.part === 'origin' ? 'file' : p.part;
  return `${label} ${p.from} → ${p.to}`;
}

function partsText(parts: ChangePart[]): string {
  return parts.map(partText).join('; ');
}

/** One line of `plan diff`. */
export function diffLine(c: PlanChange): string {
  switch (c.kind) {
    case 'create':
      return `+ create   ${c.name} (${c.file}): schedule ${c.scheduleId}, ${scheduleText(c.plan)}, ${planSummaryText(c.plan)}; RPO audit ${auditScheduleId(c.name)} every 15m`;
    case 'update':
      return `~ update   ${c.name} (${c.file}): ${partsText(c.parts)}${c.paused ? ' (paused; stays paused)' : ''}`;
    case 'delete':
      return `- delete   ${c.name}: not in the files (schedule ${c.scheduleId}${c.origin ? `, from ${c.origin}` : ''}, and its RPO audit ${auditScheduleId(c.name)})`;
    case 'unchanged':
      return `= same     ${c.name} (${c.file})`;
    case 'kept':
      return `  kept     ${c.name}: ${KEPT_TEXT}`;
  }
}

/** `1 to create, 0 to update, ...` (`1 created, ...` once done), or `no changes`. */
export function summaryLine(d: PlanDiff, done: boolean): string {
  const { create, update, delete: del, unchanged, kept } = d.counts;
  if (!d.changed) return kept > 0 ? `no changes (${kept} kept)` : 'no changes';
  const verbs = done ? ['created', 'updated', 'deleted'] : ['to create', 'to update', 'to delete'];
  const parts = [
    `${create} ${verbs[0]}`,
    `${update} ${verbs[1]}`,
    `${del} ${verbs[2]}`,
    `${unchanged} unchanged`,
  ];
  if (kept > 0) parts.push(`${kept} kept`);
  return parts.join(', ');
}

export function renderDiff(d: PlanDiff): string {
  return [...d.changes.map(diffLine), summaryLine(d, false)].join('\n');
}

/** One line per change made (and per schedule kept), then the summary; "no changes" when there was none. */
export function applyLine(c: PlanChange): string | undefined {
  switch (c.kind) {
    case 'create':
      return `created schedule ${c.scheduleId} (plan ${c.name} from ${c.file}): ${scheduleText(c.plan)}; RPO audit ${auditScheduleId(c.name)} every 15m`;
    case 'update':
      return `updated schedule ${c.scheduleId} (plan ${c.name} from ${c.file}): ${partsText(c.parts)}${c.paused ? '; still paused' : ''}`;
    case 'delete':
      return `deleted schedule ${c.scheduleId} and its RPO audit (plan ${c.name}, not in the files): runs and copies are untouched`;
    case 'kept':
      return `kept schedule ${c.scheduleId} (plan ${c.name}): ${KEPT_TEXT}`;
    case 'unchanged':
      return undefined;
  }
}

export function renderApplied(d: PlanDiff): string {
  const lines = d.changes.map(applyLine).filter((l): l is string => l !== undefined);
  return [...lines, summaryLine(d, true)].join('\n');
}

/** The --json form of a diff: the changes without the plans themselves. */
export function diffJson(d: PlanDiff, applied?: boolean) {
  return {
    changed: d.changed,
    ...(applied !== undefined ? { applied } : {}),
    counts: d.counts,
    changes: d.changes.map((c) => ({
      kind: c.kind,
      name: c.name,
      scheduleId: c.scheduleId,
      ...('file' in c ? { file: c.file } : {}),
      ...('origin' in c && c.origin !== undefined ? { origin: c.origin } : {}),
      ...(c.kind === 'update' ? { parts: c.parts, paused: c.paused } : {}),
    })),
  };
}
