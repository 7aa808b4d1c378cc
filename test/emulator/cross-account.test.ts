// Cross-account cluster-snapshot copies in the local AWS emulator (emulator/server.py), through the real
// AWS SDK: account A (the emulator's default credentials) shares snapshots, account B (credentials from STS
// AssumeRole into a role of B) copies them. AWS's rules hold: a snapshot is seen and copied only while its
// `restore` attribute lists B; an encrypted one only in its own Region, with a KmsKeyId of B, and only when
// the key policy of A's key lets B use it; a snapshot encrypted with aws/rds cannot be shared. KMS keys of A
// are described and granted to B only as their key policy allows.
import {
  CreateGrantCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  CopyDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
  type DBClusterSnapshot,
  type RDSClientConfig,
} from '@aws-sdk/client-rds';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorConfig, startEmulator } from '../../scripts/lib/emulator';
import { emulatorCopies } from '../../scripts/lib/emulator-api';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { waitFor } from '../helpers/wait';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ACCOUNT_A = '123456789012'; // moto's account for credentials it did not issue
const ACCOUNT_B = '222222222222';
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/snapcopy-copier`;
const CALLER_B = `arn:aws:sts::${ACCOUNT_B}:assumed-role/snapcopy-copier/snapcopy`; // what AWS calls B's session
const BASE: EmulatorConfig = { copySeconds: 1, queueSeconds: 0, copyLimit: 5, snapshotQuota: 100 };
const LONG = 3600; // seconds: a copy that will not finish during the test unless the config changes

let emulator: Emulator;
let a: { rds: RDSClient; kms: KMSClient }; // account A, us-east-1
let b: { rds: RDSClient; kms: KMSClient }; // account B, us-east-1
let bWest: { rds: RDSClient; kms: KMSClient }; // account B, us-west-2
let plainArn: string; // A's unencrypted snapshot, shared with B by the tests that need it
let encryptedArn: string; // A's snapshot encrypted with A's customer managed key, shared with B
let sourceKeyArn: string; // that key of A
let bKey: { keyArn: string; keyId: string }; // B's key in us-east-1, aliased alias/b-copies
let bWestKeyArn: string;

function clients(
  region: string,
  credentials: RDSClientConfig['credentials'],
): { rds: RDSClient; kms: KMSClient } {
  const config = { endpoint: emulator.endpoint, region, credentials };
  return { rds: new RDSClient(config), kms: new KMSClient(config) };
}

/** Account B's credentials, as an application gets them: STS AssumeRole into a role of B, at the emulator. */
function accountB(): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    masterCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    params: { RoleArn: ROLE_B, RoleSessionName: 'snapcopy' },
    clientConfig: { region: EAST, endpoint: emulator.endpoint },
  });
}

function share(arnOrId: string, add: string[], remove: string[] = []) {
  return a.rds.send(
    new ModifyDBClusterSnapshotAttributeCommand({
      DBClusterSnapshotIdentifier: arnOrId.split(':').pop(),
      AttributeName: 'restore',
      ValuesToAdd: add,
      ValuesToRemove: remove,
    }),
  );
}

async function restoreAttribute(id: string): Promise<string[]> {
  const { DBClusterSnapshotAttributesResult } = await a.rds.send(
    new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }),
  );
  const restore = DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.find(
    (attribute) => attribute.AttributeName === 'restore',
  );
  return restore?.AttributeValues ?? [];
}

async function copy(rds: RDSClient, from: string, id: string, kmsKeyId?: string): Promise<DBClusterSnapshot> {
  const { DBClusterSnapshot } = await rds.send(
    new CopyDBClusterSnapshotCommand({
      SourceDBClusterSnapshotIdentifier: from,
      TargetDBClusterSnapshotIdentifier: id,
      ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
    }),
  );
  if (!DBClusterSnapshot) throw new Error(`copy ${id} answered no snapshot`);
  return DBClusterSnapshot;
}

async function describeArns(
  rds: RDSClient,
  input: ConstructorParameters<typeof DescribeDBClusterSnapshotsCommand>[0] = {},
): Promise<string[]> {
  const { DBClusterSnapshots } = await rds.send(new DescribeDBClusterSnapshotsCommand(input));
  return (DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotArn ?? '');
}

async function describe1(rds: RDSClient, id: string): Promise<DBClusterSnapshot> {
  const { DBClusterSnapshots } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }),
  );
  if (DBClusterSnapshots?.length !== 1) throw new Error(`${id}: ${DBClusterSnapshots?.length} described`);
  return DBClusterSnapshots[0]!;
}

function waitForStatus(rds: RDSClient, id: string, status: string): Promise<DBClusterSnapshot> {
  return waitFor(
    `${id} never turned ${status}`,
    async () => {
      const snapshot = await describe1(rds, id);
      if (snapshot.Status !== status)
        throw new Error(`it is ${snapshot.Status} at ${snapshot.PercentProgress}%`);
      return snapshot;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
}

/** Adds a statement to the key policy of A's key (kept: the default statement for A's own root). */
async function allowInKeyPolicy(keyArn: string, statement: object): Promise<void> {
  const { Policy } = await a.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
  const policy = JSON.parse(Policy ?? '{}') as { Statement: object[] };
  policy.Statement.push({ Effect: 'Allow', Resource: '*', ...statement });
  await a.kms.send(
    new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: JSON.stringify(policy) }),
  );
}

function grantDryRun(kms: KMSClient, keyId: string) {
  return kms.send(
    new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ROLE_B, Operations: ['Decrypt'], DryRun: true }),
  );
}

function denied(action: string, keyArn: string): string {
  return `User: ${CALLER_B} is not authorized to perform: ${action} on resource: ${keyArn} because no resource-based policy allows the ${action} action`;
}

beforeAll(async () => {
  emulator = await startEmulator(BASE);
  const defaults = { accessKeyId: 'test', secretAccessKey: 'test' };
  a = clients(EAST, defaults);
  const credentialsB = accountB();
  b = clients(EAST, credentialsB);
  bWest = clients(WEST, credentialsB);

  plainArn = await createClusterSnapshot(a.rds, 'plain', 'plain-1');
  sourceKeyArn = (await createKey(a.kms)).keyArn;
  encryptedArn = await createClusterSnapshot(a.rds, 'secret', 'secret-1', sourceKeyArn);
  await share(encryptedArn, [ACCOUNT_B]);
  bKey = await createKey(b.kms, 'alias/b-copies');
  bWestKeyArn = (await createKey(bWest.kms)).keyArn;
});

afterEach(async () => {
  await emulator.configure(BASE);
});

afterAll(async () => {
  await emulator?.stop();
});

describe('AWS emulator: cross-account snapshot copies', () => {
  it('has two accounts: the default credentials are A, the assumed role is B', async () => {
    expect(plainArn).toBe(`arn:aws:rds:${EAST}:${ACCOUNT_A}:cluster-snapshot:plain-1`);
    expect(sourceKeyArn).toMatch(new RegExp(`^arn:aws:kms:${EAST}:${ACCOUNT_A}:key/`));
    expect(bKey.keyArn).toMatch(new RegExp(`^arn:aws:kms:${EAST}:${ACCOUNT_B}:key/`));
    expect(bWestKeyArn).toMatch(new RegExp(`^arn:aws:kms:${WEST}:${ACCOUNT_B}:key/`));
    expect(await describeArns(b.rds)).toEqual([]); // B has no snapshot of its own
  });

  it('refuses to copy or describe a snapshot that is not shared with the account: not found', async () => {
    expect(await restoreAttribute('plain-1')).toEqual([]);
    await expect(copy(b.rds, plainArn, 'unshared-copy')).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
      message: `DBClusterSnapshot ${plainArn} not found.`,
    });
    await expect(describe1(b.rds, plainArn)).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
    expect(await describeArns(b.rds, { IncludeShared: true })).not.toContain(plainArn);
  });

  it('copies a shared unencrypted snapshot in its Region and across Regions: copying, then available', async () => {
    await share(plainArn, [ACCOUNT_B]);
    expect(await restoreAttribute('plain-1')).toEqual([ACCOUNT_B]);

    const east = await copy(b.rds, plainArn, 'plain-east');
    expect(east).toMatchObject({
      DBClusterSnapshotArn: `arn:aws:rds:${EAST}:${ACCOUNT_B}:cluster-snapshot:plain-east`,
      SourceDBClusterSnapshotArn: plainArn,
      Status: 'copying',
      PercentProgress: 0,
      StorageEncrypted: false,
    });
    const west = await copy(bWest.rds, plainArn, 'plain-west');
    expect(west).toMatchObject({
      DBClusterSnapshotArn: `arn:aws:rds:${WEST}:${ACCOUNT_B}:cluster-snapshot:plain-west`,
      SourceDBClusterSnapshotArn: plainArn,
      Status: 'copying',
    });
    // The copies are B's, and the emulator's copy timeline knows them as such.
    const { copies } = await emulatorCopies(emulator.endpoint);
    expect(copies.filter((c) => c.id.startsWith('plain-'))).toMatchObject([
      { id: 'plain-east', region: EAST, accountId: ACCOUNT_B },
      { id: 'plain-west', region: WEST, accountId: ACCOUNT_B },
    ]);
    await expect(describe1(a.rds, 'plain-east')).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });

    expect(await waitForStatus(b.rds, 'plain-east', 'available')).toMatchObject({ PercentProgress: 100 });
    expect(await waitForStatus(bWest.rds, 'plain-west', 'available')).toMatchObject({ PercentProgress: 100 });
  });

  it("copies a shared encrypted snapshot only with B's key, once A's key policy lets B use A's key", async () => {
    await expect(copy(b.rds, encryptedArn, 'secret-copy')).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('KmsKeyId') as string,
    });
    // A key that is not B's in this Region: A's own key, or an alias B does not have.
    for (const notB of [sourceKeyArn, 'alias/absent']) {
      await expect(copy(b.rds, encryptedArn, 'secret-copy', notB)).rejects.toMatchObject({
        name: 'KMSKeyNotAccessibleFault',
        message: `Specified KMS key [${notB}] does not exist, is not enabled or you do not have permissions to access it.`,
      });
    }
    // B's key, but the default key policy of A's key allows A's root only.
    await expect(copy(b.rds, encryptedArn, 'secret-copy', bKey.keyArn)).rejects.toMatchObject({
      name: 'KMSKeyNotAccessibleFault',
      message: `The source snapshot KMS key [${sourceKeyArn}] does not exist, is not enabled or you do not have permissions to access it.`,
    });
    // Allowing B to describe the key is not enough: RDS also creates a grant on it and decrypts with it.
    await allowInKeyPolicy(sourceKeyArn, { Principal: { AWS: ACCOUNT_B }, Action: 'kms:DescribeKey' });
    await expect(copy(b.rds, encryptedArn, 'secret-copy', bKey.keyArn)).rejects.toMatchObject({
      name: 'KMSKeyNotAccessibleFault',
    });

    await allowInKeyPolicy(sourceKeyArn, {
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT_B}:root`] },
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncrypt*'],
    });
    const started = await copy(b.rds, encryptedArn, 'secret-copy', 'alias/b-copies');
    expect(started).toMatchObject({
      DBClusterSnapshotArn: `arn:aws:rds:${EAST}:${ACCOUNT_B}:cluster-snapshot:secret-copy`,
      SourceDBClusterSnapshotArn: encryptedArn,
      KmsKeyId: bKey.keyArn,
      StorageEncrypted: true,
      Status: 'copying',
    });
    expect(await waitForStatus(b.rds, 'secret-copy', 'available')).toMatchObject({ KmsKeyId: bKey.keyArn });

    // Never across Regions, whatever the keys allow: copy it in its Region first.
    await expect(copy(bWest.rds, encryptedArn, 'secret-west', bWestKeyArn)).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: expect.stringContaining('cannot be copied to another Region') as string,
    });
    // B's own copy is B's to copy across Regions.
    const { DBClusterSnapshotArn: ownCopyArn } = await describe1(b.rds, 'secret-copy');
    expect(await copy(bWest.rds, ownCopyArn!, 'secret-west', bWestKeyArn)).toMatchObject({
      KmsKeyId: bWestKeyArn,
      Status: 'copying',
    });
  });

  it('refuses to share a snapshot encrypted with the AWS managed key aws/rds', async () => {
    const { KeyMetadata: awsRds } = await a.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/rds' }));
    expect(awsRds).toMatchObject({ KeyManager: 'AWS', AWSAccountId: ACCOUNT_A });
    await createClusterSnapshot(a.rds, 'managed', 'managed-1', awsRds!.Arn);

    await expect(share('managed-1', [ACCOUNT_B])).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('aws/rds') as string,
    });
    expect(await restoreAttribute('managed-1')).toEqual([]);
    // A customer managed key of A is no AWS managed key.
    const { KeyMetadata: customer } = await a.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
    expect(customer?.KeyManager).toBe('CUSTOMER');
  });

  it('describes the snapshots shared with the account: IncludeShared, SnapshotType shared, by ARN', async () => {
    await share(plainArn, [ACCOUNT_B]);
    const unshared = await createClusterSnapshot(a.rds, 'private', 'private-1');
    const own = await describeArns(b.rds);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((arn) => arn.includes(`:${ACCOUNT_B}:`))).toBe(true);

    const withShared = await describeArns(b.rds, { IncludeShared: true });
    expect(withShared).toEqual([...own, plainArn, encryptedArn]);
    expect(await describeArns(b.rds, { SnapshotType: 'shared' })).toEqual([plainArn, encryptedArn]);
    // Shared snapshots are per Region: none of A's are in us-west-2.
    expect(await describeArns(bWest.rds, { SnapshotType: 'shared' })).toEqual([]);
    expect(await describe1(b.rds, encryptedArn)).toMatchObject({
      DBClusterSnapshotArn: encryptedArn,
      StorageEncrypted: true,
      KmsKeyId: sourceKeyArn,
    });
    await expect(describe1(b.rds, unshared)).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
    // Only A reads or changes the attributes of A's snapshot.
    await expect(
      b.rds.send(
        new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: encryptedArn }),
      ),
    ).rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
  });

  it("describes and grants A's key to B only as its key policy allows", async () => {
    const key = (await createKey(a.kms)).keyArn;
    await expect(b.kms.send(new DescribeKeyCommand({ KeyId: key }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: denied('kms:DescribeKey', key),
    });
    await expect(grantDryRun(b.kms, key)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: denied('kms:CreateGrant', key),
    });
    // A key ID (not an ARN) always names a key of the caller's own account.
    await expect(b.kms.send(new DescribeKeyCommand({ KeyId: key.split('/').pop() }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const absent = key.replace(/[0-9a-f]{4}$/, (tail) => (tail === '0000' ? '1111' : '0000'));
    await expect(b.kms.send(new DescribeKeyCommand({ KeyId: absent }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });

    await allowInKeyPolicy(key, { Principal: { AWS: ROLE_B }, Action: ['kms:Describe*', 'kms:CreateGrant'] });
    const { KeyMetadata } = await b.kms.send(new DescribeKeyCommand({ KeyId: key }));
    expect(KeyMetadata).toMatchObject({ Arn: key, AWSAccountId: ACCOUNT_A, KeyManager: 'CUSTOMER' });
    await expect(grantDryRun(b.kms, key)).rejects.toMatchObject({
      name: 'DryRunOperationException',
      message: 'The request would have succeeded, but the DryRun option is set.',
    });
  });

  it('counts a shared copy against the copy limit, and fails it when A deletes its source', async () => {
    await share(plainArn, [ACCOUNT_B]);
    const doomed = await createClusterSnapshot(a.rds, 'doomed', 'doomed-1');
    await share(doomed, [ACCOUNT_B]);
    await emulator.configure({ copySeconds: LONG, copyLimit: 1 });

    expect(await copy(b.rds, doomed, 'doomed-copy')).toMatchObject({ Status: 'copying' });
    await expect(copy(b.rds, plainArn, 'over-limit')).rejects.toMatchObject({
      name: 'SnapshotQuotaExceededFault',
    });
    await a.rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'doomed-1' }));
    expect(await describe1(b.rds, 'doomed-copy')).toMatchObject({ Status: 'failed' });
    await b.rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'doomed-copy' }));
  });

  it('refuses a later copy once A stops sharing the snapshot', async () => {
    await share(plainArn, [ACCOUNT_B]);
    expect(await copy(b.rds, plainArn, 'before-unshare')).toMatchObject({ Status: 'copying' });

    await share(plainArn, [], [ACCOUNT_B]);
    expect(await restoreAttribute('plain-1')).toEqual([]);
    await expect(copy(b.rds, plainArn, 'after-unshare')).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
    await expect(describe1(b.rds, plainArn)).rejects.toMatchObject({
      name: 'DBClusterSnapshotNotFoundFault',
    });
    expect(await describeArns(b.rds, { IncludeShared: true })).not.toContain(plainArn);
  });
});
