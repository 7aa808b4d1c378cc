// Restored DB clusters in the local AWS emulator (emulator/server.py) through the real AWS SDK, as snapcopy's
// restore tests will use them: a cluster RestoreDBClusterFromSnapshot makes is `creating` for restoreSeconds and
// its writer (CreateDBInstance) for instanceSeconds, then `available`; a deleted one is `deleting` for
// deleteSeconds, then gone. AWS's refusals hold (deleting what is creating, a cluster with live instances, a
// protected one; restoring from a snapshot not available; the cluster quota), the restored cluster has the
// snapshot's engine and encryption and the call's tags, the RDS Data API answers only an available cluster with
// its HTTP endpoint on, faults apply to the new actions, and it all happens in the caller's own account. Time
// never decides a test: the config turns `creating` and `deleting` into minutes or into nothing.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  EnableHttpEndpointCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  type DBCluster,
  type DBInstance,
  type RDSClientConfig,
  type Tag,
} from '@aws-sdk/client-rds';
import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Emulator,
  type EmulatorConfig,
  emulatorConfig,
  startEmulator,
} from '../../scripts/lib/emulator';
import {
  configureFaults,
  emulatorRestores,
  faultCounters,
  resetEmulator,
  resetEmulatorStats,
  setDataApiResults,
} from '../../scripts/lib/emulator-api';

const REGION = 'us-east-1';
const ACCOUNT_A = '123456789012'; // moto's account for credentials it did not issue
const ACCOUNT_B = '222222222222';
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/snapcopy-verifier`;
const LONG = 3600; // seconds: a state that will not end during the test unless the config changes
// Every test starts here: nothing takes any time, until a test says otherwise.
const BASE: EmulatorConfig = {
  copySeconds: 0,
  queueSeconds: 0,
  copyLimit: 5,
  snapshotQuota: 100,
  restoreSeconds: 0,
  instanceSeconds: 0,
  deleteSeconds: 0,
  clusterQuota: 40,
};
const SOURCE_TAGS: Tag[] = [{ Key: 'team', Value: 'databases' }];
const RESTORE_TAGS: Tag[] = [
  { Key: 'snapcopy:managed', Value: 'true' },
  { Key: 'snapcopy:verify-of', Value: 'orders-1' },
];
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_A}:secret:verify-db-AbCdEf`;

/** What an SDK call's failure carries. */
interface Failure extends Error {
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

let emulator: Emulator;
let rds: RDSClient; // account A, maxAttempts 1: each call is one request, its first answer is what the test sees
let data: RDSDataClient;
let kms: KMSClient;
let sourceKeyArn: string; // the source cluster's key
let snapshotArn: string; // `orders-1`, a manual snapshot of `orders` (aurora-postgresql 15.4, encrypted, protected)

function clients(credentials: RDSClientConfig['credentials']) {
  const config = { endpoint: emulator.endpoint, region: REGION, maxAttempts: 1, credentials };
  return { rds: new RDSClient(config), data: new RDSDataClient(config), kms: new KMSClient(config) };
}

/** Account B's credentials, as a worker gets them: STS AssumeRole into a role of B, at the emulator. */
function accountB() {
  return clients(
    fromTemporaryCredentials({
      masterCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      params: { RoleArn: ROLE_B, RoleSessionName: 'snapcopy' },
      clientConfig: { region: REGION, endpoint: emulator.endpoint },
    }),
  );
}

async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('the call succeeded');
}

async function createKey(client = kms): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
  if (!KeyMetadata?.Arn) throw new Error('CreateKey answered no key');
  return KeyMetadata.Arn;
}

async function restore(
  id: string,
  input: Partial<ConstructorParameters<typeof RestoreDBClusterFromSnapshotCommand>[0]> = {},
  client = rds,
): Promise<DBCluster> {
  const { DBCluster } = await client.send(
    new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: id,
      SnapshotIdentifier: 'orders-1',
      Engine: 'aurora-postgresql',
      Tags: RESTORE_TAGS,
      ...input,
    }),
  );
  if (!DBCluster) throw new Error(`restore ${id} answered no cluster`);
  return DBCluster;
}

async function createWriter(cluster: string, client = rds): Promise<DBInstance> {
  const { DBInstance } = await client.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${cluster}-writer`,
      DBClusterIdentifier: cluster,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
      Tags: RESTORE_TAGS,
    }),
  );
  if (!DBInstance) throw new Error(`CreateDBInstance ${cluster}-writer answered no instance`);
  return DBInstance;
}

async function cluster(id: string, client = rds): Promise<DBCluster> {
  const { DBClusters } = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  if (DBClusters?.length !== 1) throw new Error(`${id}: ${DBClusters?.length} described`);
  return DBClusters[0]!;
}

async function instance(id: string): Promise<DBInstance> {
  const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  if (DBInstances?.length !== 1) throw new Error(`${id}: ${DBInstances?.length} described`);
  return DBInstances[0]!;
}

function deleteCluster(id: string, client = rds) {
  return client.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }));
}

function deleteInstance(id: string) {
  return rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, SkipFinalSnapshot: true }));
}

function execute(resourceArn: string, client = data) {
  return client.send(
    new ExecuteStatementCommand({ resourceArn, secretArn: SECRET, sql: 'select count(*) from orders' }),
  );
}

async function restoresOf(id: string) {
  return (await emulatorRestores(emulator.endpoint)).restores.filter((r) => r.identifier === id);
}

beforeAll(async () => {
  emulator = await startEmulator(BASE);
  ({ rds, data, kms } = clients({ accessKeyId: 'test', secretAccessKey: 'test' }));
});

beforeEach(async () => {
  await configureFaults(emulator.endpoint, {});
  await emulator.configure(BASE);
  await resetEmulator(emulator.endpoint);
  sourceKeyArn = await createKey();
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'postgres',
      MasterUserPassword: 'correct-horse-battery',
      StorageEncrypted: true,
      KmsKeyId: sourceKeyArn,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      Tags: SOURCE_TAGS,
    }),
  );
  const { DBClusterSnapshot } = await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'orders',
      DBClusterSnapshotIdentifier: 'orders-1',
    }),
  );
  snapshotArn = DBClusterSnapshot?.DBClusterSnapshotArn ?? '';
  await resetEmulatorStats(emulator.endpoint);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator restores', () => {
  it('takes the restore settings from its flags and validates them at POST config', async () => {
    expect(await emulatorConfig(emulator.endpoint)).toEqual(BASE);
    await expect(emulator.configure({ restoreSeconds: -1 })).rejects.toThrow(
      /restoreSeconds must be a non-negative float/,
    );
    await expect(emulator.configure({ clusterQuota: 1.5 })).rejects.toThrow(
      /clusterQuota must be a non-negative int/,
    );
    await emulator.configure({ deleteSeconds: 2.5, instanceSeconds: 7 });
    expect(await emulatorConfig(emulator.endpoint)).toEqual({
      ...BASE,
      deleteSeconds: 2.5,
      instanceSeconds: 7,
    });
  });

  it('restores a cluster `creating` for restoreSeconds, then `available`, from a copy: its engine and key, the call’s tags', async () => {
    // A copy under another key: the restored cluster is encrypted with the copy's key, not its source cluster's.
    const copyKeyArn = await createKey();
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: 'orders-1',
        TargetDBClusterSnapshotIdentifier: 'orders-1-copy',
        KmsKeyId: copyKeyArn,
      }),
    );
    await emulator.configure({ restoreSeconds: LONG });
    const started = await restore('verify-1', {
      SnapshotIdentifier: 'orders-1-copy',
      CopyTagsToSnapshot: true,
    });
    const expected = {
      DBClusterIdentifier: 'verify-1',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      StorageEncrypted: true,
      KmsKeyId: copyKeyArn,
      TagList: RESTORE_TAGS,
      DeletionProtection: false, // the source cluster's protection is not restored: the call's (default false)
      CopyTagsToSnapshot: true,
      HttpEndpointEnabled: false,
    };
    expect(copyKeyArn).not.toBe(sourceKeyArn);
    expect(started).toMatchObject({ ...expected, Status: 'creating' });
    expect(await cluster('verify-1')).toMatchObject({ ...expected, Status: 'creating' });
    expect(await restoresOf('verify-1')).toEqual([
      expect.objectContaining({ accountId: ACCOUNT_A, region: REGION, kind: 'cluster', status: 'creating' }),
    ]);

    await emulator.configure({ restoreSeconds: 0 });
    expect(await cluster('verify-1')).toMatchObject({ ...expected, Status: 'available' });
    const [seen] = await restoresOf('verify-1');
    expect(seen).toMatchObject({ status: 'available', tags: RESTORE_TAGS });
    expect(seen!.snapshotArn).toMatch(/:cluster-snapshot:orders-1-copy$/);
    expect(seen!.availableAt).toBeGreaterThanOrEqual(seen!.createdAt);
    expect(seen).not.toHaveProperty('deleteRequestedAt');

    // No CopyTagsToSnapshot given: false, as AWS defaults it (the source cluster's true is not taken).
    expect(await restore('verify-2')).toMatchObject({ CopyTagsToSnapshot: false, KmsKeyId: sourceKeyArn });
  });

  it('creates the writer `creating` for instanceSeconds; nothing creating is deleted, nor a cluster with live instances', async () => {
    await emulator.configure({ restoreSeconds: LONG, instanceSeconds: LONG });
    await restore('verify-1');
    const creatingCluster = await failure(deleteCluster('verify-1'));
    expect(creatingCluster).toMatchObject({ name: 'InvalidDBClusterStateFault' });
    expect(creatingCluster.$metadata?.httpStatusCode).toBe(400);

    await emulator.configure({ restoreSeconds: 0 });
    const writer = await createWriter('verify-1');
    expect(writer).toMatchObject({
      DBInstanceStatus: 'creating',
      DBClusterIdentifier: 'verify-1',
      TagList: RESTORE_TAGS,
    });
    expect(await instance('verify-1-writer')).toMatchObject({ DBInstanceStatus: 'creating' });
    expect(await failure(deleteInstance('verify-1-writer'))).toMatchObject({
      name: 'InvalidDBInstanceStateFault',
    });
    expect(await failure(deleteCluster('verify-1'))).toMatchObject({
      name: 'InvalidDBClusterStateFault',
      message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
    });

    await emulator.configure({ instanceSeconds: 0 });
    expect(await instance('verify-1-writer')).toMatchObject({ DBInstanceStatus: 'available' });
    expect((await cluster('verify-1')).DBClusterMembers).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: 'verify-1-writer', IsClusterWriter: true }),
    ]);
    // Still refused while the writer is available (not deleting).
    expect(await failure(deleteCluster('verify-1'))).toMatchObject({ name: 'InvalidDBClusterStateFault' });
    const [seen] = await restoresOf('verify-1-writer');
    expect(seen).toMatchObject({
      kind: 'instance',
      clusterIdentifier: 'verify-1',
      status: 'available',
      tags: RESTORE_TAGS,
    });
  });

  it('deletes: `deleting` for deleteSeconds, then gone (NotFound), with the whole timeline in /restores', async () => {
    await restore('verify-1');
    await createWriter('verify-1');
    await emulator.configure({ deleteSeconds: LONG });

    const { DBInstance: deletingWriter } = await deleteInstance('verify-1-writer');
    expect(deletingWriter?.DBInstanceStatus).toBe('deleting');
    expect(await instance('verify-1-writer')).toMatchObject({ DBInstanceStatus: 'deleting' });
    expect(await failure(deleteInstance('verify-1-writer'))).toMatchObject({
      name: 'InvalidDBInstanceStateFault',
    });

    // Its only instance is deleting: the cluster may go.
    const { DBCluster: deleting } = await deleteCluster('verify-1');
    expect(deleting?.Status).toBe('deleting');
    expect(await cluster('verify-1')).toMatchObject({ Status: 'deleting' });
    expect(await failure(deleteCluster('verify-1'))).toMatchObject({ name: 'InvalidDBClusterStateFault' });
    // Its identifier is still taken.
    expect(await failure(restore('verify-1'))).toMatchObject({ name: 'DBClusterAlreadyExistsFault' });

    await emulator.configure({ deleteSeconds: 0 });
    expect(await failure(cluster('verify-1'))).toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect(await failure(instance('verify-1-writer'))).toMatchObject({ name: 'DBInstanceNotFoundFault' });
    const { restores } = await emulatorRestores(emulator.endpoint);
    expect(restores.map((r) => [r.kind, r.identifier, r.status])).toEqual([
      ['cluster', 'verify-1', 'deleted'],
      ['instance', 'verify-1-writer', 'deleted'],
    ]);
    for (const r of restores) {
      expect(r.availableAt).toBeGreaterThanOrEqual(r.createdAt);
      expect(r.deleteRequestedAt).toBeGreaterThanOrEqual(r.availableAt!);
      expect(r.goneAt).toBeGreaterThanOrEqual(r.deleteRequestedAt!);
    }
    // Gone: the identifier can be restored again.
    expect(await restore('verify-1')).toMatchObject({ Status: 'available' });
  });

  it('refuses to delete a cluster with DeletionProtection (InvalidParameterCombination)', async () => {
    await restore('verify-1', { DeletionProtection: true });
    expect(await cluster('verify-1')).toMatchObject({ DeletionProtection: true });
    expect(await failure(deleteCluster('verify-1'))).toMatchObject({
      name: 'InvalidParameterCombination',
      message: 'Cannot delete protected Cluster, please disable deletion protection and try again.',
    });
    expect(await cluster('verify-1')).toMatchObject({ Status: 'available' });
  });

  it('refuses to restore from a snapshot that is not available (a copy still copying)', async () => {
    await emulator.configure({ copySeconds: LONG });
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: 'orders-1',
        TargetDBClusterSnapshotIdentifier: 'orders-1-copy',
      }),
    );
    expect(await failure(restore('verify-1', { SnapshotIdentifier: 'orders-1-copy' }))).toMatchObject({
      name: 'InvalidDBClusterSnapshotStateFault',
    });
    expect(await failure(cluster('verify-1'))).toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect(await restoresOf('verify-1')).toEqual([]);
  });

  it('refuses a cluster beyond the quota per account and Region (DBClusterQuotaExceededFault); deleting ones count', async () => {
    await emulator.configure({ clusterQuota: 2 }); // `orders` and one more
    await restore('verify-1');
    const refused = await failure(restore('verify-2'));
    expect(refused).toMatchObject({ name: 'DBClusterQuotaExceededFault' });
    expect(refused.$metadata?.httpStatusCode).toBe(403); // AWS's model: DBClusterQuotaExceededFault is a 403
    expect(await failure(cluster('verify-2'))).toMatchObject({ name: 'DBClusterNotFoundFault' });

    await emulator.configure({ deleteSeconds: LONG });
    await deleteCluster('verify-1');
    expect(await failure(restore('verify-2'))).toMatchObject({ name: 'DBClusterQuotaExceededFault' });
    await emulator.configure({ deleteSeconds: 0 });
    expect(await restore('verify-2')).toMatchObject({ DBClusterIdentifier: 'verify-2' });
  });

  it('answers the Data API only for an available cluster with its HTTP endpoint enabled', async () => {
    await emulator.configure({ restoreSeconds: LONG });
    const { DBClusterArn: arn } = await restore('verify-1');
    if (!arn) throw new Error('no cluster ARN');
    const missing = await failure(execute(arn.replace(':verify-1', ':no-such-cluster')));
    expect(missing).toMatchObject({ name: 'BadRequestException' });
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    expect(await failure(execute(arn))).toMatchObject({ name: 'BadRequestException', message: /creating/ });

    await emulator.configure({ restoreSeconds: 0 });
    const disabled = await failure(execute(arn));
    expect(disabled.name).toBe('BadRequestException');
    expect(disabled.message).toContain('HttpEndpoint is not enabled for cluster verify-1');

    const enabled = await rds.send(new EnableHttpEndpointCommand({ ResourceArn: arn }));
    expect(enabled).toMatchObject({ ResourceArn: arn, HttpEndpointEnabled: true });
    expect(await cluster('verify-1')).toMatchObject({ HttpEndpointEnabled: true });
    expect(
      await failure(rds.send(new EnableHttpEndpointCommand({ ResourceArn: `${arn}-none` }))),
    ).toMatchObject({
      name: 'ResourceNotFoundFault',
    });

    // No result set: no records. With results queued, a new statement takes the last one queued, and keeps it.
    expect((await execute(arn)).records).toEqual([]);
    await setDataApiResults(emulator.endpoint, [
      { records: [[{ longValue: 1 }]] },
      { records: [[{ longValue: 42 }]] },
    ]);
    const other = (sql: string) =>
      data.send(new ExecuteStatementCommand({ resourceArn: arn, secretArn: SECRET, sql }));
    expect((await other('select 42')).records).toEqual([[{ longValue: 42 }]]);
    expect((await other('select 1')).records).toEqual([[{ longValue: 1 }]]);
    expect((await other('select 42')).records).toEqual([[{ longValue: 42 }]]);

    // A cluster being deleted is not there for the Data API.
    await emulator.configure({ deleteSeconds: LONG });
    await deleteCluster('verify-1');
    expect(await failure(execute(arn))).toMatchObject({ name: 'BadRequestException' });
  });

  it('applies the configured faults to the restore actions and the Data API', async () => {
    await configureFaults(emulator.endpoint, {
      actions: {
        'rds:RestoreDBClusterFromSnapshot': { throttle: 1 },
        'rds:DeleteDBCluster': { error5xx: 1 },
        'rds-data:ExecuteStatement': { throttle: 1 },
      },
    });
    expect(await failure(restore('verify-1'))).toMatchObject({ name: 'Throttling' });
    expect(await restoresOf('verify-1')).toEqual([]); // refused before moto saw it

    await configureFaults(emulator.endpoint, {
      actions: {
        'rds:RestoreDBClusterFromSnapshot': { lostResponse: 1 },
        'rds:CreateDBInstance': { throttle: 1 },
        'rds:DeleteDBCluster': { error5xx: 1 },
        'rds-data:ExecuteStatement': { throttle: 1 },
      },
    });
    // A lost response: the SDK sees a network error, yet the cluster was restored (a caller must find it).
    const lost = await failure(restore('verify-1'));
    expect(lost.$metadata?.httpStatusCode).toBeUndefined();
    expect(await cluster('verify-1')).toMatchObject({ Status: 'available' });
    expect(await restoresOf('verify-1')).toHaveLength(1);
    expect(await failure(createWriter('verify-1'))).toMatchObject({ name: 'Throttling' });
    expect(await failure(deleteCluster('verify-1'))).toMatchObject({ $fault: 'server' });
    const { DBClusterArn: arn } = await cluster('verify-1');
    const dataError = await failure(execute(arn!));
    expect(dataError).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(dataError.$metadata?.httpStatusCode).toBe(400);

    const { faults } = await faultCounters(emulator.endpoint);
    expect(faults).toEqual({
      rds: {
        RestoreDBClusterFromSnapshot: { throttle: 1, lostResponse: 1 },
        CreateDBInstance: { throttle: 1 },
        DeleteDBCluster: { error5xx: 1 },
      },
      'rds-data': { ExecuteStatement: { throttle: 1 } },
    });
    expect(await restoresOf('verify-1-writer')).toEqual([]);
    await configureFaults(emulator.endpoint, {});
    expect((await deleteCluster('verify-1')).DBCluster?.Status).toBe('deleting');
  });

  it('restores in the caller’s own account: an assumed role’s restore, describes and deletes are that account’s', async () => {
    const b = accountB();
    // A shares `orders-1`'s unencrypted twin with B; B restores it by ARN into B's account.
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'plain',
        Engine: 'aurora-postgresql',
        EngineVersion: '15.4',
        MasterUsername: 'postgres',
        MasterUserPassword: 'correct-horse-battery',
      }),
    );
    const { DBClusterSnapshot: shared } = await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'plain',
        DBClusterSnapshotIdentifier: 'plain-1',
      }),
    );
    await rds.send(
      new ModifyDBClusterSnapshotAttributeCommand({
        DBClusterSnapshotIdentifier: 'plain-1',
        AttributeName: 'restore',
        ValuesToAdd: [ACCOUNT_B],
      }),
    );
    const restored = await restore('verify-b', { SnapshotIdentifier: shared?.DBClusterSnapshotArn }, b.rds);
    expect(restored.DBClusterArn).toBe(`arn:aws:rds:${REGION}:${ACCOUNT_B}:cluster:verify-b`);
    expect(restored).toMatchObject({ StorageEncrypted: false, EngineVersion: '15.4', TagList: RESTORE_TAGS });
    await createWriter('verify-b', b.rds);
    expect(await cluster('verify-b', b.rds)).toMatchObject({ Status: 'available' });
    expect(await failure(cluster('verify-b'))).toMatchObject({ name: 'DBClusterNotFoundFault' }); // not in A
    expect((await restoresOf('verify-b'))[0]).toMatchObject({ accountId: ACCOUNT_B, kind: 'cluster' });
    expect((await restoresOf('verify-b-writer'))[0]).toMatchObject({
      accountId: ACCOUNT_B,
      kind: 'instance',
    });

    // The Data API in B: B's cluster, B's results.
    await b.rds.send(new EnableHttpEndpointCommand({ ResourceArn: restored.DBClusterArn }));
    await setDataApiResults(emulator.endpoint, [{ records: [[{ stringValue: 'b' }]] }], {
      accountId: ACCOUNT_B,
    });
    expect((await execute(restored.DBClusterArn!, b.data)).records).toEqual([[{ stringValue: 'b' }]]);
    expect(await failure(execute(restored.DBClusterArn!))).toMatchObject({ name: 'BadRequestException' }); // A

    // B's quota is B's: A's two clusters do not count against it.
    await emulator.configure({ clusterQuota: 2 });
    expect(await failure(restore('verify-a'))).toMatchObject({ name: 'DBClusterQuotaExceededFault' });
    await restore('verify-b2', { SnapshotIdentifier: shared?.DBClusterSnapshotArn }, b.rds);

    expect(await failure(deleteCluster('verify-b'))).toMatchObject({ name: 'DBClusterNotFoundFault' }); // A cannot
    await b.rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'verify-b-writer', SkipFinalSnapshot: true }),
    );
    await deleteCluster('verify-b', b.rds);
    await deleteCluster('verify-b2', b.rds);
    expect(await failure(cluster('verify-b', b.rds))).toMatchObject({ name: 'DBClusterNotFoundFault' });
    const mine = (await emulatorRestores(emulator.endpoint)).restores;
    expect(mine.map((r) => [r.accountId, r.identifier, r.status])).toEqual([
      [ACCOUNT_B, 'verify-b', 'deleted'],
      [ACCOUNT_B, 'verify-b-writer', 'deleted'],
      [ACCOUNT_B, 'verify-b2', 'deleted'],
    ]);
  });

  it('forgets every restore on /moto-api/reset', async () => {
    await restore('verify-1');
    expect((await emulatorRestores(emulator.endpoint)).restores).toHaveLength(1);
    await resetEmulator(emulator.endpoint);
    expect((await emulatorRestores(emulator.endpoint)).restores).toEqual([]);
    expect(await failure(cluster('verify-1'))).toMatchObject({ name: 'DBClusterNotFoundFault' });
  });

  it('keeps CreateDBCluster’s own clusters as moto makes them, but refuses an identifier in use', async () => {
    expect(await failure(deleteCluster('orders'))).toMatchObject({ name: 'InvalidParameterCombination' });
    expect(await restoresOf('orders')).toEqual([]);
    const again = rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'orders',
        Engine: 'aurora-postgresql',
        MasterUsername: 'postgres',
        MasterUserPassword: 'correct-horse-battery',
      }),
    );
    expect(await failure(again)).toMatchObject({ name: 'DBClusterAlreadyExistsFault' });
    expect(snapshotArn).toMatch(/:cluster-snapshot:orders-1$/);
  });
});
