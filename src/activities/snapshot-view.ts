// SDK DBClusterSnapshot → the workflow's DBClusterSnapshotView (plain JSON: dates as ISO strings).
import type { DBClusterSnapshot, Tag as SdkTag } from '@aws-sdk/client-rds';
import type { DBClusterSnapshotView, Tag } from '../shared/types';

export function toIso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Drops key-less entries; a missing value is the empty string (AWS allows empty tag values). */
export function toTags(list: SdkTag[] | undefined): Tag[] {
  return (list ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ Key: t.Key, Value: t.Value ?? '' }]));
}

export { isManaged, tagValue } from '../shared/ownership';

/** Only fields that are present are copied, so the view stays small in workflow history. */
export function toSnapshotView(s: DBClusterSnapshot, tags?: Tag[]): DBClusterSnapshotView {
  const view: DBClusterSnapshotView = {
    AvailabilityZones: s.AvailabilityZones,
    DBClusterSnapshotIdentifier: s.DBClusterSnapshotIdentifier,
    DBClusterIdentifier: s.DBClusterIdentifier,
    SnapshotCreateTime: toIso(s.SnapshotCreateTime),
    Engine: s.Engine,
    EngineMode: s.EngineMode,
    AllocatedStorage: s.AllocatedStorage,
    Status: s.Status,
    Port: s.Port,
    VpcId: s.VpcId,
    ClusterCreateTime: toIso(s.ClusterCreateTime),
    MasterUsername: s.MasterUsername,
    EngineVersion: s.EngineVersion,
    LicenseModel: s.LicenseModel,
    SnapshotType: s.SnapshotType,
    PercentProgress: s.PercentProgress,
    StorageEncrypted: s.StorageEncrypted,
    KmsKeyId: s.KmsKeyId,
    DBClusterSnapshotArn: s.DBClusterSnapshotArn,
    SourceDBClusterSnapshotArn: s.SourceDBClusterSnapshotArn,
    IAMDatabaseAuthenticationEnabled: s.IAMDatabaseAuthenticationEnabled,
    TagList: tags ?? (s.TagList ? toTags(s.TagList) : undefined),
    DBSystemId: s.DBSystemId,
    StorageType: s.StorageType,
    DbClusterResourceId: s.DbClusterResourceId,
    StorageThroughput: s.StorageThroughput,
  };
  for (const key of Object.keys(view) as (keyof DBClusterSnapshotView)[]) {
    if (view[key] === undefined) delete view[key];
  }
  return view;
}
