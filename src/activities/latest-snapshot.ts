// The newest `available` snapshot of a cluster (automated or manual), for schedules that name a cluster.
import type { DBClusterSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { FailureType } from '../shared/names';
import type { AwsClients } from './clients';
import { snapshotPages } from './snapshot-pages';
import { fault, toActivityFailure } from './errors';
import { isManaged, toTags } from './snapshot-view';
import { describeSourceSnapshot } from './source-snapshot';
import type { FindLatestSnapshotInput, SourceSnapshotInfo } from './types';

/**
 * The newest `available` snapshot of a cluster, automated or manual, never one of snapcopy's own copies:
 * a copy keeps its source's cluster ID, so in a same-Region schedule snapcopy's previous copy would
 * otherwise be "the newest snapshot", and copies of copies would pile up.
 */
export async function newestSnapshotOf(
  rds: RDSClient,
  clusterIdentifier: string,
): Promise<DBClusterSnapshot | undefined> {
  let newest: DBClusterSnapshot | undefined;
  // Without SnapshotType AWS lists both automated and manual snapshots of the cluster.
  for await (const page of snapshotPages(rds, { DBClusterIdentifier: clusterIdentifier })) {
    for (const s of page.DBClusterSnapshots ?? []) {
      if (s.Status !== 'available' || !s.SnapshotCreateTime || !s.DBClusterSnapshotArn) continue;
      if (isManaged(toTags(s.TagList))) continue;
      if (!newest || s.SnapshotCreateTime > newest.SnapshotCreateTime!) newest = s;
    }
  }
  return newest;
}

export async function findLatestClusterSnapshot(
  clients: AwsClients,
  input: FindLatestSnapshotInput,
): Promise<SourceSnapshotInfo> {
  let newest: DBClusterSnapshot | undefined;
  try {
    newest = await newestSnapshotOf(clients.rds(input.region, input.role), input.clusterIdentifier);
  } catch (err) {
    throw toActivityFailure(
      err,
      `Listing the snapshots of cluster '${input.clusterIdentifier}' in ${input.region}`,
    );
  }
  if (!newest?.DBClusterSnapshotArn) {
    throw fault(
      FailureType.NotFound,
      `Cluster '${input.clusterIdentifier}' in ${input.region} has no available snapshot to copy`,
    );
  }
  // The full description (tags, sharing, encryption) the workflow needs, from the one place that makes it.
  return describeSourceSnapshot(clients, {
    region: input.region,
    identifier: newest.DBClusterSnapshotArn,
    ...(input.role ? { role: input.role } : {}),
    ...(input.callerAccountId ? { callerAccountId: input.callerAccountId } : {}),
  });
}
