// The tags a copy is created with. Pure, workflow-safe.
import type { Tag } from './types';

/**
 * AWS ignores CopyTags whenever Tags is given (moto documents this as verified against AWS), and snapcopy
 * always gives Tags (its ownership tags). So CopyTags is honoured here: the source's tags first, the
 * user's tags over them, and never the source's own snapcopy:, aws: or rds: tags (the activity adds this copy's
 * ownership tags; aws: and rds: tags are AWS's to set).
 */
export function tagsForCopy(opts: { copyTags: boolean; sourceTags: Tag[]; userTags: Tag[] }): Tag[] {
  const merged = new Map<string, string>();
  if (opts.copyTags) {
    for (const t of opts.sourceTags) {
      if (/^(aws|rds|snapcopy):/i.test(t.Key)) continue;
      merged.set(t.Key, t.Value);
    }
  }
  for (const t of opts.userTags) merged.set(t.Key, t.Value);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}
