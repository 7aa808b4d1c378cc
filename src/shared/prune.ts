// Which snapcopy-owned copies may be deleted to make room. Pure, workflow-safe, shared with the CLI.
// A copy on hold (snapcopy:hold) is never selected and does not count toward `keep`: it is kept in
// addition to the newest `keep`, never in place of one of them.
import type { OwnedCopy } from './types';
import { HOLD_TAG, MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from './names';
import { isHeld, isManaged } from './ownership';

export interface PruneSelectionInput {
  copies: OwnedCopy[];
  sourceCluster: string;
  /** The newest `keep` owned copies of the cluster are never selected. */
  keep: number;
  /** How many to select at most (the workflow prunes one at a time: only as many as needed). */
  count: number;
  /** Identifiers never to select (e.g. the copy being made). */
  exclude?: string[];
}

export interface PruneSelection {
  selected: OwnedCopy[];
  /** Owned, available copies of the cluster not on hold, newest first (what `keep` counts). */
  candidates: OwnedCopy[];
  /** Owned copies of the cluster on hold (never selected, whatever their status), newest first. */
  held: OwnedCopy[];
  /** Why nothing (or fewer than `count`) could be selected. */
  blockedReason?: string;
}

function createdAt(copy: OwnedCopy): number {
  const t = copy.createTime ? Date.parse(copy.createTime) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t; // unknown age: treat as newest, never prune first
}

export function selectSnapshotsToPrune(input: PruneSelectionInput): PruneSelection {
  const exclude = new Set((input.exclude ?? []).map((id) => id.toLowerCase()));
  if (input.sourceCluster === '') {
    return {
      selected: [],
      candidates: [],
      held: [],
      blockedReason: 'the source has no cluster identifier to match copies by',
    };
  }
  const newestFirst = (a: OwnedCopy, b: OwnedCopy) =>
    createdAt(b) - createdAt(a) || b.identifier.localeCompare(a.identifier);
  const ofCluster = input.copies.filter(
    (c) =>
      isManaged(c.tags) &&
      c.sourceCluster === input.sourceCluster &&
      !exclude.has(c.identifier.toLowerCase()),
  );
  const held = ofCluster.filter(isHeld).sort(newestFirst);
  const candidates = ofCluster
    // A copy still copying is someone's work in progress, not an old copy; a held one is never a candidate.
    .filter((c) => c.status === 'available' && !isHeld(c))
    .sort(newestFirst);
  const prunable = candidates.slice(Math.max(0, input.keep)).reverse(); // oldest first
  const selected = prunable.slice(0, Math.max(0, input.count));
  let blockedReason: string | undefined;
  if (selected.length < input.count) {
    const onHold =
      held.length === 0
        ? ''
        : `; ${held.length} ${held.length === 1 ? 'copy is' : 'copies are'} on hold (${HOLD_TAG}) and never pruned: ${held.map((c) => c.identifier).join(', ')}`;
    blockedReason =
      candidates.length === 0
        ? `no available snapcopy-owned copy of cluster ${input.sourceCluster} exists to prune (only snapshots tagged ${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE} are ever deleted)${onHold}`
        : `only ${candidates.length} available snapcopy-owned ${candidates.length === 1 ? 'copy' : 'copies'} of cluster ${input.sourceCluster} ${held.length ? 'not on hold ' : ''}exist and keep=${input.keep} protects the newest ${input.keep}${onHold}`;
  }
  return { selected, candidates, held, blockedReason };
}
