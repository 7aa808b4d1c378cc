// Target names for copies of "the newest snapshot of a cluster". Pure, workflow-safe.
import { MAX_IDENTIFIER_LENGTH } from './arn';

/**
 * `<cluster>-<yyyymmdd>-<hhmmss>` (UTC) from the scheduled time: the same schedule slot always names the same
 * target, so a retried or backfilled run adopts its own copy instead of making a second one.
 */
export function deriveTargetIdentifier(cluster: string, at: Date): string {
  const iso = at.toISOString(); // 2026-11-24T03:00:00.000Z
  const suffix = `-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  const base = cluster
    .toLowerCase()
    .slice(0, MAX_IDENTIFIER_LENGTH - suffix.length)
    .replace(/-+$/, '');
  return `${base}${suffix}`;
}
