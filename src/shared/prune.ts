// Which snapcopy-owned copies may be deleted to make room. Pure, workflow-safe, shared with the CLI.
import type { OwnedCopy } from './types';
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from './names';
import { isManaged } from './ownership';

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
  /** Owned, available copies of the cluster, newest first (what `keep` counts). */
  candidates: OwnedCopy[];
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
      blockedReason: 'the source has no cluster identifier to match copies by',
    };
  }
  const candidates = input.copies
    .filter(
      (c) =>
        isManaged(c.tags) &&
        c.sourceCluster === input.sourceCluster &&
        // A copy still copying is someone's work in progress, not an old copy.
        c.status === 'available' &&
        !exclude.has(c.identifier.toLowerCase()),
    )
    .sort((a, b) => createdAt(b) - createdAt(a) || b.identifier.localeCompare(a.identifier));
  const prunable = candidates.slice(Math.max(0, input.keep)).reverse(); // oldest first
  const selected = prunable.slice(0, Math.max(0, input.count));
  let blockedReason: string | undefined;
  if (selected.length < input.count) {
    blockedReason =
      candidates.length === 0
        ? `no available snapcopy-owned copy of cluster ${input.sourceCluster} exists to prune (only snapshots tagged ${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE} are ever deleted)`
        : `only ${candidates.length} available snapcopy-owned ${candidates.length === 1 ? 'copy' : 'copies'} of cluster ${input.sourceCluster} exist and keep=${input.keep} protects the newest ${input.keep}`;
  }
  return { selected, candidates, blockedReason };
}
