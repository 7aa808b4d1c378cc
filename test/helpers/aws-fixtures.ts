// Real resources in the AWS emulator, made through the real SDK: encrypted Aurora snapshots and KMS keys.
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CreateDBClusterCommand, CreateDBClusterSnapshotCommand, type RDSClient } from '@aws-sdk/client-rds';

export async function createKey(kms: KMSClient, alias?: string): Promise<{ keyArn: string; keyId: string }> {
  const key = await kms.send(new CreateKeyCommand({ Description: 'snapcopy test key' }));
  const keyId = key.KeyMetadata!.KeyId!;
  if (alias) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  return { keyArn: key.KeyMetadata!.Arn!, keyId };
}

/** An Aurora PostgreSQL cluster (encrypted with `kmsKeyId` when given) and a manual snapshot of it. */
export async function createClusterSnapshot(
  rds: RDSClient,
  cluster: string,
  snapshot: string,
  kmsKeyId?: string,
): Promise<string> {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: cluster,
      Engine: 'aurora-postgresql',
      MasterUsername: 'snapcopy',
      MasterUserPassword: 'snapcopy-password-1',
      ...(kmsKeyId ? { StorageEncrypted: true, KmsKeyId: kmsKeyId } : {}),
    }),
  );
  const snap = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: cluster,
      DBClusterSnapshotIdentifier: snapshot,
      Tags: [{ Key: 'team', Value: 'databases' }],
    }),
  );
  return snap.DBClusterSnapshot!.DBClusterSnapshotArn!;
}
