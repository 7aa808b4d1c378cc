// The one set of emulator fixtures: real resources in the AWS emulator, made through the real SDK — KMS keys
// (with an alias), Aurora PostgreSQL clusters (encrypted or not) and manual snapshots of them. For the demo,
// the bench, the chaos suite and the tests (test/helpers/aws-fixtures.ts re-exports this file).
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DBClusterAlreadyExistsFault,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';

/** The tags a source snapshot made by createClusterSnapshot carries unless told otherwise. */
export const SOURCE_SNAPSHOT_TAGS: Tag[] = [{ Key: 'team', Value: 'databases' }];

export interface KeyOptions {
  /** The key's description (default `snapcopy test key`). */
  description?: string;
  /** Leave an alias that already exists as it is (the demo, on a stack kept from an earlier run). */
  keepExistingAlias?: boolean;
}

/** A customer managed KMS key, and `alias` pointing at it when given. */
export async function createKey(
  kms: KMSClient,
  alias?: string,
  opts: KeyOptions = {},
): Promise<{ keyArn: string; keyId: string }> {
  const key = await kms.send(new CreateKeyCommand({ Description: opts.description ?? 'snapcopy test key' }));
  const keyId = key.KeyMetadata?.KeyId;
  const keyArn = key.KeyMetadata?.Arn;
  if (!keyId || !keyArn) throw new Error('CreateKey answered no key');
  if (alias) {
    try {
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    } catch (err) {
      if (!(opts.keepExistingAlias && (err as Error).name === 'AlreadyExistsException')) throw err;
    }
  }
  return { keyArn, keyId };
}

export interface ClusterOptions {
  /** Encrypt its storage with this key (ID or ARN); otherwise unencrypted. */
  kmsKeyId?: string;
  /** A cluster of that name may already be there (the demo, on a stack kept from an earlier run). */
  mayExist?: boolean;
}

/** An Aurora PostgreSQL cluster. */
export async function createCluster(rds: RDSClient, cluster: string, opts: ClusterOptions = {}): Promise<void> {
  try {
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: cluster,
        Engine: 'aurora-postgresql',
        MasterUsername: 'snapcopy',
        MasterUserPassword: 'snapcopy-password-1',
        ...(opts.kmsKeyId ? { StorageEncrypted: true, KmsKeyId: opts.kmsKeyId } : {}),
      }),
    );
  } catch (err) {
    if (!(opts.mayExist && err instanceof DBClusterAlreadyExistsFault)) throw err;
  }
}

/** A manual snapshot of `cluster` (with `tags`, if any); answers its ARN. */
export async function createSnapshot(
  rds: RDSClient,
  cluster: string,
  snapshot: string,
  tags?: Tag[],
): Promise<string> {
  const { DBClusterSnapshot } = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: cluster,
      DBClusterSnapshotIdentifier: snapshot,
      ...(tags ? { Tags: tags } : {}),
    }),
  );
  if (!DBClusterSnapshot?.DBClusterSnapshotArn) throw new Error('CreateDBClusterSnapshot answered no ARN');
  return DBClusterSnapshot.DBClusterSnapshotArn;
}

/**
 * An Aurora PostgreSQL cluster (encrypted with `kmsKeyId` when given) and a manual snapshot of it, tagged
 * team=databases unless `tags` says otherwise; answers the snapshot's ARN.
 */
export async function createClusterSnapshot(
  rds: RDSClient,
  cluster: string,
  snapshot: string,
  kmsKeyId?: string,
  tags: Tag[] = SOURCE_SNAPSHOT_TAGS,
): Promise<string> {
  await createCluster(rds, cluster, kmsKeyId ? { kmsKeyId } : {});
  return createSnapshot(rds, cluster, snapshot, tags);
}
