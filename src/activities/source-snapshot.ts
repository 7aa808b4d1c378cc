// Describe the source snapshot (name, `rds:` automated name or ARN) and check it can be copied.
import type { DBClusterSnapshot, DescribeDBClusterSnapshotsCommandInput } from '@aws-sdk/client-rds';
import { FailureType } from '../shared/names';
import type { Tag } from '../shared/types';
import type { AwsClients } from './clients';
import { ActivityFailureType, fault, retryableFailure, toActivityFailure } from './errors';
import { parseRoleArn } from '../shared/cross-account';
import { parseArn } from '../shared/arn';
import { toIso, toTags } from './snapshot-view';
import { describeClusterSnapshot, readTags } from './target-snapshot';
import type { DescribeSourceInput, SourceSnapshotInfo } from './types';

const CLUSTER_SNAPSHOT_PREFIX = 'cluster-snapshot:';

/** The snapshot name inside a cluster-snapshot ARN, or undefined for any other ARN. */
function nameFromArn(resource: string): string | undefined {
  return resource.startsWith(CLUSTER_SNAPSHOT_PREFIX)
    ? resource.slice(CLUSTER_SNAPSHOT_PREFIX.length)
    : undefined;
}

export async function describeSourceSnapshot(
  clients: AwsClients,
  input: DescribeSourceInput,
): Promise<SourceSnapshotInfo> {
  const { region, identifier } = input;
  const what = `Source DB cluster snapshot '${identifier}' in ${region}`;
  const arn = parseArn(identifier);
  if (arn && (arn.service !== 'rds' || nameFromArn(arn.resource) === undefined)) {
    throw fault(FailureType.InvalidParameterValue, `${what}: not a DB cluster snapshot ARN`);
  }
  if (arn && arn.region !== region) {
    throw fault(
      FailureType.InvalidParameterCombination,
      `${what}: the ARN is in ${arn.region}, not in the source Region ${region}`,
    );
  }
  const name = arn ? (nameFromArn(arn.resource) ?? '') : identifier;
  // The caller's account: the role's when one is assumed, else the default credentials' (when known).
  const callerAccount =
    input.callerAccountId ?? (input.role ? parseRoleArn(input.role.roleArn)?.accountId : clients.accountId);
  // An ARN of the caller's own snapshot is looked up by its name, which shares calls (snapshot-lookups).
  const own = arn !== undefined && callerAccount !== undefined && arn.accountId === callerAccount;
  const params: Omit<DescribeDBClusterSnapshotsCommandInput, 'DBClusterSnapshotIdentifier'> = {
    // AWS: "If this identifier is for an automated snapshot, the SnapshotType parameter must also be specified."
    ...(name.startsWith('rds:') ? { SnapshotType: 'automated' } : {}),
    // Snapshots shared from another account are only found by ARN with IncludeShared.
    ...(arn && !own ? { IncludeShared: true } : {}),
  };

  const rds = clients.rds(region, input.role);
  let snapshot: DBClusterSnapshot | null;
  try {
    snapshot = await describeClusterSnapshot(rds, own ? name : identifier, params);
    const foundArn = snapshot?.DBClusterSnapshotArn;
    if (own && foundArn !== undefined && foundArn.toLowerCase() !== identifier.toLowerCase()) {
      snapshot = null;
    }
    if (!snapshot && arn && !own) {
      // moto (and possibly other emulators) only matches names, not ARNs: retry by name and accept the
      // answer only if it is the very snapshot the ARN names.
      const byName = await describeClusterSnapshot(rds, name, params);
      if (byName?.DBClusterSnapshotArn?.toLowerCase() === identifier.toLowerCase()) snapshot = byName;
    }
    if (!snapshot) throw fault(FailureType.NotFound, `${what}: not found`);
  } catch (err) {
    throw toActivityFailure(err, `Describing ${what}`);
  }

  const snapshotArn = snapshot.DBClusterSnapshotArn ?? (arn ? identifier : undefined);
  const parsed = snapshotArn ? parseArn(snapshotArn) : undefined;
  if (!snapshotArn || !parsed) {
    throw retryableFailure(ActivityFailureType.IncompleteResponse, `${what}: AWS returned no ARN`);
  }
  const snapshotType = snapshot.SnapshotType ?? 'manual';
  const shared =
    snapshotType === 'shared' ||
    snapshotType === 'public' ||
    (callerAccount !== undefined && parsed.accountId !== callerAccount);

  let tags: Tag[];
  try {
    // Tags of another account's snapshot are not ours to list; AWS returns what we may see in TagList.
    tags = shared ? toTags(snapshot.TagList) : await readTags(rds, snapshot);
  } catch (err) {
    throw toActivityFailure(err, `Reading the tags of ${what}`);
  }

  const status = snapshot.Status ?? 'unknown';
  if (status !== 'available') {
    throw fault(
      FailureType.InvalidSnapshotState,
      `${what} is '${status}'; it must be 'available' to be copied`,
    );
  }

  const createTime = toIso(snapshot.SnapshotCreateTime);
  return {
    arn: snapshotArn,
    identifier: snapshot.DBClusterSnapshotIdentifier ?? name,
    region: parsed.region || region,
    accountId: parsed.accountId,
    status,
    encrypted: snapshot.StorageEncrypted ?? false,
    // Only meaningful when encrypted (moto reports a placeholder key on unencrypted snapshots).
    ...(snapshot.StorageEncrypted && snapshot.KmsKeyId ? { kmsKeyId: snapshot.KmsKeyId } : {}),
    clusterIdentifier: snapshot.DBClusterIdentifier ?? '',
    ...(snapshot.Engine ? { engine: snapshot.Engine } : {}),
    snapshotType,
    shared,
    ...(snapshot.AllocatedStorage !== undefined ? { allocatedStorage: snapshot.AllocatedStorage } : {}),
    ...(createTime !== undefined ? { createTime } : {}),
    tags,
  };
}
