// `snapcopy prune`, the report (AWS): the workflow's own selection and deletion code, run in this
// process (no workflow). Only `available` copies tagged snapcopy:managed=true are ever candidates, and every
// deletion re-checks that tag first.
import type { Activities } from '../../../activities';
import { ApplicationFailure } from '@temporalio/common';
import { OWNERSHIP_TAGS, SNAPSHOT_HELD } from '../../../shared/names';
import type { OwnedCopy } from '../../../shared/types';
import { validateRegion } from '../../../shared/validation';
import { UsageError, explain } from '../../errors';
import { planPrune, type PrunePlan } from './plan';

export interface PruneFlags {
  targetRegion: string;
  sourceCluster?: string;
  keep: number;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

/**
 * `kept`: never here (prune does not ask deleteOwnedSnapshot to keep available copies), but the type allows it.
 * `held`: put on hold after the listing; the delete refused it (SnapshotHeld) — kept, not a failure.
 */
export type Fate = 'would-delete' | 'deleted' | 'absent' | 'kept' | 'held' | 'failed';

export interface SnapshotEntry {
  identifier: string;
  arn: string;
  status: string;
  createTime?: string;
  sourceCluster?: string;
}

export interface Removal extends SnapshotEntry {
  result: Fate;
  error?: string;
}

const entry = (c: OwnedCopy): SnapshotEntry => ({
  identifier: c.identifier,
  arn: c.arn,
  status: c.status,
  ...(c.createTime ? { createTime: c.createTime } : {}),
  ...(c.sourceCluster ? { sourceCluster: c.sourceCluster } : {}),
});

/** The flags, normalised (a cluster name lowercased, as AWS stores it) and checked before any AWS call. */
export function pruneFlagsOf(flags: PruneFlags): PruneFlags {
  validateRegion(flags.targetRegion, '--target-region');
  if (!Number.isInteger(flags.keep) || flags.keep < 0) throw new UsageError('--keep must be 0 or more');
  if (flags.dryRun && flags.yes) throw new UsageError('give either --dry-run or --yes, not both');
  return flags.sourceCluster === undefined
    ? flags
    : { ...flags, sourceCluster: flags.sourceCluster.toLowerCase() };
}

/** What would go and what stays: snapcopy-owned copies in the Region, per source cluster. */
export async function planIn(activities: Activities, flags: PruneFlags): Promise<PrunePlan> {
  const copies = await activities.listOwnedCopies({
    region: flags.targetRegion,
    ...(flags.sourceCluster !== undefined ? { sourceCluster: flags.sourceCluster } : {}),
  });
  return planPrune(copies, { keep: flags.keep, sourceCluster: flags.sourceCluster });
}

/** The copies the plan removes. */
export function victimsOf(plan: PrunePlan): OwnedCopy[] {
  return plan.clusters.flatMap((c) => c.remove);
}

/** Deletes the victims one at a time; a failure is recorded and the rest go on. */
export async function deleteVictims(
  activities: Activities,
  region: string,
  victims: OwnedCopy[],
): Promise<Map<string, Removal>> {
  const results = new Map<string, Removal>();
  for (const copy of victims) {
    try {
      const { result } = await activities.deleteOwnedSnapshot({ region, identifier: copy.identifier });
      results.set(copy.identifier, { ...entry(copy), result });
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === SNAPSHOT_HELD) {
        results.set(copy.identifier, { ...entry(copy), result: 'held', error: err.message });
        continue;
      }
      results.set(copy.identifier, { ...entry(copy), result: 'failed', error: explain(err).message });
    }
  }
  return results;
}

/** The report of a plan and what became of each deletion so far (none yet: all would-delete). */
export function pruneReport(
  flags: PruneFlags,
  plan: PrunePlan,
  results: ReadonlyMap<string, Removal>,
  dryRun: boolean,
) {
  const clusters = plan.clusters.map((c) => ({
    sourceCluster: c.sourceCluster,
    delete: c.remove.map(
      (copy): Removal => results.get(copy.identifier) ?? { ...entry(copy), result: 'would-delete' },
    ),
    keep: c.keep.map((k) => ({
      ...entry(k.copy),
      reason: k.reason,
      ...(k.hold !== undefined ? { hold: k.hold } : {}),
    })),
  }));
  const all = clusters.flatMap((c) => c.delete);
  return {
    targetRegion: flags.targetRegion,
    sourceCluster: flags.sourceCluster ?? null,
    keep: flags.keep,
    dryRun,
    clusters,
    untagged: plan.untagged.map((c) => ({
      ...entry(c),
      reason: `no ${OWNERSHIP_TAGS.sourceCluster} tag: never pruned`,
    })),
    deleted: all.filter((d) => d.result === 'deleted' || d.result === 'absent').length,
    wouldDelete: all.filter((d) => d.result === 'would-delete').length,
    failed: all.filter((d) => d.result === 'failed').length,
    kept: clusters.reduce((n, c) => n + c.keep.length, 0) + plan.untagged.length,
    /** Of the kept, those kept for a hold (snapcopy:hold). */
    keptForHold: clusters.reduce((n, c) => n + c.keep.filter((k) => k.hold !== undefined).length, 0),
  };
}

export type PruneReport = ReturnType<typeof pruneReport>;
