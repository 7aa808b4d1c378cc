// Reading snapcopy's ownership tags: the one check every delete decision rests on. Pure, workflow-safe.
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from './names';
import type { Tag } from './types';

export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Tagged `snapcopy:managed=true`: made by snapcopy, so snapcopy may delete it. */
export function isManaged(tags: readonly Tag[] | undefined): boolean {
  return tagValue(tags, OWNERSHIP_TAGS.managed) === MANAGED_TAG_VALUE;
}

/** Made by this very workflow (its ID in `snapcopy:workflow-id`). */
export function isOwnedBy(tags: readonly Tag[] | undefined, workflowId: string): boolean {
  return isManaged(tags) && tagValue(tags, OWNERSHIP_TAGS.workflowId) === workflowId;
}
