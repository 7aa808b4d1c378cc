// What AWS says about a plan's recovery points (docs/rpo.md), one AWS thing each, for `snapcopy rpo` and an
// audit workflow alike: the clusters a plan selects now (one DescribeDBClusters listing in the source Region,
// with the plan's source role), and the snapcopy copies in a destination (one paginated
// DescribeDBClusterSnapshots listing of manual snapshots with their tags, with the destination's role) —
// one listing per destination and account, never one per cluster.
import { OWNERSHIP_TAGS, RECOVERY_POINT_TAG } from '../shared/names';
import type { RecoveryPointCopy } from '../shared/rpo';
import type { AwsClients } from './clients';
import { listOwnedCopies } from './owned-copies';
import { choosePlanClusters, type ChosenClusters } from './plan-sources';
import { tagValue } from './snapshot-view';
import type { AssumedRole, FindPlanSourcesInput } from './types';

export type { ChosenClusters } from './plan-sources';

/** The clusters a plan selects now (names and tags), as a run chooses them; no snapshot is looked up. */
export function planClustersNow(clients: AwsClients, input: FindPlanSourcesInput): Promise<ChosenClusters> {
  return choosePlanClusters(clients, input);
}

export interface ListRecoveryPointsInput {
  /** The destination Region. */
  region: string;
  /** The destination's role (another account); the default credentials without. */
  role?: AssumedRole;
  /** Only copies of these clusters (lowercased; snapcopy:source-cluster); all snapcopy copies without. */
  clusters?: string[];
}

/** snapcopy's copies in a destination (any status), with what their recovery points are read from. */
export async function listRecoveryPoints(
  clients: AwsClients,
  input: ListRecoveryPointsInput,
): Promise<RecoveryPointCopy[]> {
  const wanted =
    input.clusters === undefined ? undefined : new Set(input.clusters.map((c) => c.toLowerCase()));
  const owned = await listOwnedCopies(clients, {
    region: input.region,
    ...(input.role ? { role: input.role } : {}),
  });
  return owned.flatMap((c): RecoveryPointCopy[] => {
    const sourceCluster = tagValue(c.tags, OWNERSHIP_TAGS.sourceCluster)?.toLowerCase();
    if (wanted !== undefined && (sourceCluster === undefined || !wanted.has(sourceCluster))) return [];
    const tag = tagValue(c.tags, RECOVERY_POINT_TAG);
    return [
      {
        identifier: c.identifier,
        arn: c.arn,
        status: c.status,
        ...(sourceCluster !== undefined ? { sourceCluster } : {}),
        ...(tag !== undefined ? { recoveryPointTag: tag } : {}),
        ...(c.createTime !== undefined ? { snapshotCreateTime: c.createTime } : {}),
      },
    ];
  });
}
