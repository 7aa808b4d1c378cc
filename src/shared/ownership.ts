// Reading snapcopy's ownership and hold tags: the one check every delete decision rests on. Pure, workflow-safe.
import { HOLD_TAG, MANAGED_TAG_VALUE, OWNERSHIP_TAGS, SNAPSHOT_HELD, SNAPSHOT_NOT_OWNED } from './names';
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

/**
 * The hold's reason when the tags carry `snapcopy:hold` (an empty value is still a hold), else undefined.
 * The tag key is matched exactly, as AWS stores it (tag keys are case-sensitive).
 */
export function holdOf(tags: readonly Tag[] | undefined): string | undefined {
  return tagValue(tags, HOLD_TAG);
}

/** A listed copy under a hold: by the listing's `hold` or, for a listing without it, by its tags. */
export function isHeld(copy: { hold?: string; tags?: readonly Tag[] }): boolean {
  return copy.hold !== undefined || holdOf(copy.tags) !== undefined;
}

/** A hold's reason for messages: `(no reason given)` for an empty value. */
export function holdReason(hold: string): string {
  return hold === '' ? '(no reason given)' : hold;
}

/** Why snapcopy may not delete a snapshot with these tags (ownership only), or undefined when it may. */
export function ownershipRefusal(tags: readonly Tag[], workflowId?: string): string | undefined {
  if (!isManaged(tags)) {
    const actual = tagValue(tags, OWNERSHIP_TAGS.managed);
    return actual === undefined
      ? `it lacks the tag ${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE}`
      : `its tag ${OWNERSHIP_TAGS.managed} is '${actual}', not '${MANAGED_TAG_VALUE}'`;
  }
  if (workflowId !== undefined) {
    const owner = tagValue(tags, OWNERSHIP_TAGS.workflowId);
    if (owner !== workflowId) {
      return owner === undefined
        ? `it lacks the tag ${OWNERSHIP_TAGS.workflowId}=${workflowId}`
        : `its tag ${OWNERSHIP_TAGS.workflowId} is '${owner}', not '${workflowId}'`;
    }
  }
  return undefined;
}

export interface DeleteRefusal {
  /** SnapshotNotOwnedBySnapcopy or SnapshotHeld: the failure type the delete activity raises. */
  type: typeof SNAPSHOT_NOT_OWNED | typeof SNAPSHOT_HELD;
  reason: string;
  /** For SnapshotHeld: the hold's reason (the tag's value). */
  hold?: string;
}

/**
 * The check every delete makes on the tags it read right before deleting (the real activity and the tests'
 * fake AWS alike): not snapcopy's (or not this workflow's) → SnapshotNotOwnedBySnapcopy; under a hold →
 * SnapshotHeld; else undefined, and the delete may go ahead.
 */
export function deleteRefusal(tags: readonly Tag[], workflowId?: string): DeleteRefusal | undefined {
  const notOwned = ownershipRefusal(tags, workflowId);
  if (notOwned !== undefined) return { type: SNAPSHOT_NOT_OWNED, reason: notOwned };
  const hold = holdOf(tags);
  if (hold !== undefined) {
    return { type: SNAPSHOT_HELD, reason: `it is on hold (${HOLD_TAG}: ${holdReason(hold)})`, hold };
  }
  return undefined;
}

/** `kept for hold: prod-1 (legal INC-42), prod-2 ((no reason given))` — one wording for every place that shows it. */
export function keptForHoldNote(held: readonly { identifier: string; hold: string }[]): string {
  return `kept for hold: ${held.map((h) => `${h.identifier} (${holdReason(h.hold)})`).join(', ')}`;
}
