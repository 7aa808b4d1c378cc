// Cross-account activities: the caller's account, sharing a snapshot with the destination account (and taking
// the share back), and whether the destination account can use the source snapshot's KMS key.
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DBClusterSnapshotNotFoundFault,
  DescribeDBClusterSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  callerAccount,
  checkSourceKey,
  shareSnapshot,
  snapshotSharedWith,
  unshareSnapshot,
} from '../../src/activities/cross-account';
import { createActivities } from '../../src/activities';
import { createAwsClients, type AwsClients } from '../../src/activities/clients';
import type { CheckSourceKeyInput, ShareSnapshotInput } from '../../src/activities/types';
import type { AssumedRole } from '../../src/shared/cross-account';
import { sourceKeyPolicyStatements } from '../../src/shared/cross-account';
import { expectFailure, kmsError, networkError, rdsError, SOURCE_REGION } from './helpers';

const SOURCE_ACCOUNT = '111111111111';
const TARGET_ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
const SOURCE_ROLE: AssumedRole = {
  roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/snapcopy-source`,
  externalId: 'ext-42',
};
const TARGET_ROLE: AssumedRole = { roleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/snapcopy-target` };
const KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** Real clients whose assumed roles get distinct fake credentials; `assumed` records what was assumed. */
function clientsWithRoles() {
  const assumed = vi.fn(
    (role: AssumedRole, region: string) => () =>
      Promise.resolve({ accessKeyId: `AKID|${role.roleArn}|${region}`, secretAccessKey: 'secret' }),
  );
  const clients = createAwsClients({
    rds: { credentials },
    kms: { credentials },
    sts: { credentials },
    assumeRole: assumed,
  });
  return { clients, assumed };
}

const rds = mockClient(RDSClient);
const sts = mockClient(STSClient);
beforeEach(() => {
  rds.reset();
  sts.reset();
});
afterAll(() => {
  rds.restore();
  sts.restore();
});

describe('callerAccount', () => {
  it("returns STS's Account for the default credentials", async () => {
    const { clients, assumed } = clientsWithRoles();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: SOURCE_ACCOUNT, Arn: 'arn:aws:iam::x', UserId: 'u' });
    await expect(callerAccount(clients, { region: SOURCE_REGION })).resolves.toBe(SOURCE_ACCOUNT);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(assumed).not.toHaveBeenCalled();
  });

  it("asks the role's client (assuming that role in that Region)", async () => {
    const { clients, assumed } = clientsWithRoles();
    sts.on(GetCallerIdentityCommand).resolves({ Account: TARGET_ACCOUNT });
    await expect(callerAccount(clients, { region: 'eu-west-1', role: TARGET_ROLE })).resolves.toBe(
      TARGET_ACCOUNT,
    );
    expect(assumed).toHaveBeenCalledTimes(1);
    expect(assumed).toHaveBeenCalledWith(TARGET_ROLE, 'eu-west-1');
    const call = sts.commandCalls(GetCallerIdentityCommand)[0];
    expect(call?.thisValue).toBe(clients.sts('eu-west-1', TARGET_ROLE));
    expect(call?.thisValue).not.toBe(clients.sts('eu-west-1'));
    const sent = await (call?.thisValue as STSClient).config.credentials();
    expect(sent.accessKeyId).toBe(`AKID|${TARGET_ROLE.roleArn}|eu-west-1`);
  });

  it("the worker's activity asks STS once per worker and credentials, not once per copy; a failure is asked again", async () => {
    const { clients } = clientsWithRoles();
    const activities = createActivities(clients);
    sts
      .on(GetCallerIdentityCommand)
      .rejectsOnce(networkError('ECONNRESET'))
      .resolves({ Account: SOURCE_ACCOUNT });
    await expect(activities.callerAccount({ region: SOURCE_REGION })).rejects.toThrow();
    const answers = await Promise.all(
      ['us-east-1', 'us-west-2', 'eu-west-1', 'us-east-1'].map((region) =>
        activities.callerAccount({ region }),
      ),
    );
    expect(answers).toEqual(Array(4).fill(SOURCE_ACCOUNT));
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(2); // the failure, then one answer
    await activities.callerAccount({ region: SOURCE_REGION, role: TARGET_ROLE });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(3); // other credentials: asked once more
  });

  it('is a retryable failure when STS answers without an account', async () => {
    const { clients } = clientsWithRoles();
    sts.on(GetCallerIdentityCommand).resolves({});
    await expectFailure(
      callerAccount(clients, { region: SOURCE_REGION, role: TARGET_ROLE }),
      'AwsIncompleteResponse',
      false,
      'STS returned no account',
    );
  });

  it('names the role when STS refuses it', async () => {
    const { clients } = clientsWithRoles();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
      }),
    );
    await expectFailure(
      callerAccount(clients, { region: SOURCE_REGION, role: TARGET_ROLE }),
      'AccessDenied',
      true,
      `Finding the account of ${TARGET_ROLE.roleArn}`,
      'sts:AssumeRole',
    );
  });
});

const SHARE: ShareSnapshotInput = {
  region: SOURCE_REGION,
  identifier: 'src-snap',
  accountId: TARGET_ACCOUNT,
  role: SOURCE_ROLE,
};

function sharedWith(
  values: string[] | undefined,
  others: { AttributeName: string; AttributeValues: string[] }[] = [],
) {
  rds.on(DescribeDBClusterSnapshotAttributesCommand).resolves({
    DBClusterSnapshotAttributesResult: {
      DBClusterSnapshotIdentifier: SHARE.identifier,
      DBClusterSnapshotAttributes: [
        ...others,
        ...(values === undefined ? [] : [{ AttributeName: 'restore', AttributeValues: values }]),
      ],
    },
  });
}

describe('snapshotSharedWith', () => {
  it("returns the restore attribute's accounts", async () => {
    const { clients } = clientsWithRoles();
    sharedWith([OTHER_ACCOUNT, TARGET_ACCOUNT], [{ AttributeName: 'other', AttributeValues: ['x'] }]);
    await expect(snapshotSharedWith(clients, SHARE)).resolves.toEqual([OTHER_ACCOUNT, TARGET_ACCOUNT]);
    const call = rds.commandCalls(DescribeDBClusterSnapshotAttributesCommand)[0];
    expect(call?.args[0].input).toEqual({ DBClusterSnapshotIdentifier: 'src-snap' });
    expect(call?.thisValue).toBe(clients.rds(SOURCE_REGION, SOURCE_ROLE));
  });

  it('returns [] when there is no restore attribute, or no result at all', async () => {
    const { clients } = clientsWithRoles();
    sharedWith(undefined, [{ AttributeName: 'other', AttributeValues: ['x'] }]);
    await expect(snapshotSharedWith(clients, SHARE)).resolves.toEqual([]);
    rds.reset();
    rds.on(DescribeDBClusterSnapshotAttributesCommand).resolves({});
    await expect(snapshotSharedWith(clients, SHARE)).resolves.toEqual([]);
  });

  it('a missing snapshot is a non-retryable not-found failure naming it', async () => {
    const { clients } = clientsWithRoles();
    rds
      .on(DescribeDBClusterSnapshotAttributesCommand)
      .rejects(rdsError('DBClusterSnapshotNotFoundFault', 'DBClusterSnapshot src-snap not found.', 404));
    await expectFailure(
      snapshotSharedWith(clients, SHARE),
      'DBClusterSnapshotNotFoundFault',
      true,
      "'src-snap'",
    );
  });
});

describe('shareSnapshot', () => {
  it('adds only the destination account, keeping the shares already there', async () => {
    const { clients, assumed } = clientsWithRoles();
    sharedWith([OTHER_ACCOUNT]);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
    await expect(shareSnapshot(clients, SHARE)).resolves.toEqual({ changed: true });
    const modify = rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand);
    expect(modify).toHaveLength(1);
    expect(modify[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'src-snap',
      AttributeName: 'restore',
      ValuesToAdd: [TARGET_ACCOUNT],
    });
    expect(modify[0]?.args[0].input.ValuesToRemove).toBeUndefined();
    expect(modify[0]?.thisValue).toBe(clients.rds(SOURCE_REGION, SOURCE_ROLE));
    expect(assumed).toHaveBeenCalledWith(SOURCE_ROLE, SOURCE_REGION);
  });

  it('adds the share to a snapshot shared with nobody yet', async () => {
    const { clients } = clientsWithRoles();
    sharedWith(undefined);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
    await expect(shareSnapshot(clients, SHARE)).resolves.toEqual({ changed: true });
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)[0]?.args[0].input.ValuesToAdd).toEqual([
      TARGET_ACCOUNT,
    ]);
  });

  it.each([
    ['already shared with the account', [OTHER_ACCOUNT, TARGET_ACCOUNT]],
    ['public (all)', ['all']],
  ])('changes nothing when %s', async (_label, values) => {
    const { clients } = clientsWithRoles();
    sharedWith(values);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
    await expect(shareSnapshot(clients, SHARE)).resolves.toEqual({ changed: false });
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)).toHaveLength(0);
  });

  it('a refused share is a failure naming the snapshot and the account', async () => {
    const { clients } = clientsWithRoles();
    sharedWith([]);
    rds
      .on(ModifyDBClusterSnapshotAttributeCommand)
      .rejects(rdsError('SharedSnapshotQuotaExceeded', 'You have exceeded the number of accounts.'));
    const failure = await expectFailure(
      shareSnapshot(clients, SHARE),
      'SharedSnapshotQuotaExceeded',
      false,
      /^Sharing 'src-snap' in us-east-1 with account 222222222222: /,
    );
    expect(failure.message).toContain('exceeded the number of accounts');
  });

  it('a network error is retryable', async () => {
    const { clients } = clientsWithRoles();
    rds.on(DescribeDBClusterSnapshotAttributesCommand).rejects(networkError('ECONNRESET'));
    await expectFailure(shareSnapshot(clients, SHARE), 'NetworkError', false);
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)).toHaveLength(0);
  });
});

describe('unshareSnapshot', () => {
  it('removes only that account, leaving the other shares', async () => {
    const { clients } = clientsWithRoles();
    sharedWith([OTHER_ACCOUNT, TARGET_ACCOUNT]);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
    await expect(unshareSnapshot(clients, SHARE)).resolves.toEqual({ changed: true });
    const modify = rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand);
    expect(modify).toHaveLength(1);
    expect(modify[0]?.args[0].input).toEqual({
      DBClusterSnapshotIdentifier: 'src-snap',
      AttributeName: 'restore',
      ValuesToRemove: [TARGET_ACCOUNT],
    });
    expect(modify[0]?.args[0].input.ValuesToAdd).toBeUndefined();
    expect(modify[0]?.thisValue).toBe(clients.rds(SOURCE_REGION, SOURCE_ROLE));
  });

  it.each([
    ['shared with others only', [OTHER_ACCOUNT]],
    ['public (all) but not with the account', ['all']],
    ['shared with nobody', []],
  ])('changes nothing when %s', async (_label, values) => {
    const { clients } = clientsWithRoles();
    sharedWith(values);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).resolves({});
    await expect(unshareSnapshot(clients, SHARE)).resolves.toEqual({ changed: false });
    expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)).toHaveLength(0);
  });

  it('a snapshot that is gone has no share (describe or modify)', async () => {
    const { clients } = clientsWithRoles();
    const gone = () =>
      new DBClusterSnapshotNotFoundFault({
        message: 'DBClusterSnapshot src-snap not found.',
        $metadata: { httpStatusCode: 404 },
      });
    rds.on(DescribeDBClusterSnapshotAttributesCommand).rejects(gone());
    await expect(unshareSnapshot(clients, SHARE)).resolves.toEqual({ changed: false });
    rds.reset();
    sharedWith([TARGET_ACCOUNT]);
    rds.on(ModifyDBClusterSnapshotAttributeCommand).rejects(gone());
    await expect(unshareSnapshot(clients, SHARE)).resolves.toEqual({ changed: false });
  });

  it('other errors fail, naming the share', async () => {
    const { clients } = clientsWithRoles();
    sharedWith([TARGET_ACCOUNT]);
    rds
      .on(ModifyDBClusterSnapshotAttributeCommand)
      .rejects(rdsError('InvalidDBClusterSnapshotStateFault', 'Snapshot is not available.'));
    await expectFailure(
      unshareSnapshot(clients, SHARE),
      'InvalidDBClusterSnapshotStateFault',
      true,
      "Removing the share of 'src-snap' in us-east-1 with account 222222222222",
    );
  });
});

// --- checkSourceKey ----------------------------------------------------------------------------------------

const CHECK: CheckSourceKeyInput = {
  region: SOURCE_REGION,
  keyArn: KEY_ARN,
  source: SOURCE_ROLE,
  target: TARGET_ROLE,
  targetAccountId: TARGET_ACCOUNT,
};

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, action: string | string[]) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  Resource: '*',
});
const OWNER_STATEMENT = allow({ AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:root` }, 'kms:*');

/**
 * Clients whose source-role and target-role KMS clients are separate instances, each mocked on its own: a
 * call reaching the wrong account's client shows up on the wrong mock.
 */
function keyClients(input: CheckSourceKeyInput = CHECK) {
  const { clients, assumed } = clientsWithRoles();
  const source = mockClient(clients.kms(input.region, input.source));
  const target = mockClient(clients.kms(input.region, input.target));
  return { clients, assumed, source, target };
}

describe('checkSourceKey', () => {
  it('an AWS managed key is reported without reading its policy or asking the destination', async () => {
    const { clients, source, target } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyManager: 'AWS' } });
    await expect(checkSourceKey(clients, CHECK)).resolves.toEqual({ keyArn: KEY_ARN, keyManager: 'AWS' });
    expect(source.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
    expect(source.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
    expect(target.calls()).toHaveLength(0);
  });

  it("a customer key whose policy lets the destination's root do kms:* is usable", async () => {
    const { clients, assumed, source, target } = keyClients();
    source
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyManager: 'CUSTOMER' } });
    source.on(GetKeyPolicyCommand).resolves({
      Policy: policy(OWNER_STATEMENT, allow({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, 'kms:*')),
    });
    target
      .on(DescribeKeyCommand)
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyManager: 'CUSTOMER' } });
    await expect(checkSourceKey(clients, CHECK)).resolves.toEqual({
      keyArn: KEY_ARN,
      keyManager: 'CUSTOMER',
    });

    // The source account's role reads the key and its policy; the destination's role describes it.
    expect(source.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(source.commandCalls(GetKeyPolicyCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      PolicyName: 'default',
    });
    expect(target.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(target.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
    expect(target.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
    expect(assumed.mock.calls).toEqual([
      [SOURCE_ROLE, SOURCE_REGION],
      [TARGET_ROLE, SOURCE_REGION],
    ]);
    expect(clients.kms(SOURCE_REGION, SOURCE_ROLE)).not.toBe(clients.kms(SOURCE_REGION, TARGET_ROLE));
  });

  it('a key metadata without KeyManager counts as a customer key', async () => {
    const { clients, source, target } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k' } });
    source.on(GetKeyPolicyCommand).resolves({ Policy: policy(allow({ AWS: TARGET_ACCOUNT }, 'kms:*')) });
    target.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k' } });
    await expect(checkSourceKey(clients, CHECK)).resolves.toEqual({
      keyArn: KEY_ARN,
      keyManager: 'CUSTOMER',
    });
  });

  it('a policy without kms:CreateGrant for the destination is refused with the statements to add', async () => {
    const { clients, source, target } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source.on(GetKeyPolicyCommand).resolves({
      Policy: policy(
        OWNER_STATEMENT,
        allow({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, [
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:Encrypt',
        ]),
      ),
    });
    target.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k' } });
    const failure = await expectFailure(
      checkSourceKey(clients, CHECK),
      'KMSKeyNotAccessibleFault',
      true,
      'kms:CreateGrant',
      `Account ${TARGET_ACCOUNT}`,
      KEY_ARN,
      `SnapcopyUseKeyFrom${TARGET_ACCOUNT}`,
      'snapcopy iam-policy --cross-account',
    );
    expect(failure.message).toContain(JSON.stringify(sourceKeyPolicyStatements('aws', TARGET_ACCOUNT)));
    expect(failure.message).toContain(`does not allow kms:CreateGrant for that account`);
    expect(failure.message).not.toMatch(/does not allow[^.]*kms:Decrypt/);
    // Refused on the policy alone: the destination is not asked.
    expect(target.calls()).toHaveLength(0);
  });

  it('lists every missing action, and a key without a policy misses all three', async () => {
    const { clients, source } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source.on(GetKeyPolicyCommand).resolves({});
    await expectFailure(
      checkSourceKey(clients, CHECK),
      'KMSKeyNotAccessibleFault',
      true,
      'does not allow kms:DescribeKey, kms:CreateGrant, kms:Decrypt for that account',
    );
  });

  it('a policy that lets only another account in is refused', async () => {
    const { clients, source } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source
      .on(GetKeyPolicyCommand)
      .resolves({ Policy: policy(allow({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, 'kms:*')) });
    await expectFailure(checkSourceKey(clients, CHECK), 'KMSKeyNotAccessibleFault', true, 'kms:CreateGrant');
  });

  it("the recommended statements use the key's partition", async () => {
    const cnKey = `arn:aws-cn:kms:cn-north-1:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const input = { ...CHECK, region: 'cn-north-1', keyArn: cnKey };
    const { clients, source } = keyClients(input);
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source.on(GetKeyPolicyCommand).resolves({ Policy: policy(OWNER_STATEMENT) });
    const failure = await expectFailure(
      checkSourceKey(clients, input),
      'KMSKeyNotAccessibleFault',
      true,
      cnKey,
    );
    expect(failure.message).toContain(`"AWS":"arn:aws-cn:iam::${TARGET_ACCOUNT}:root"`);
  });

  it.each(['AccessDeniedException', 'NotFoundException'])(
    'a policy that allows it but a destination DescribeKey refused (%s) names kms:DescribeKey',
    async (name) => {
      const { clients, source, target } = keyClients();
      source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
      source
        .on(GetKeyPolicyCommand)
        .resolves({ Policy: policy(allow({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, 'kms:*')) });
      target
        .on(DescribeKeyCommand)
        .rejects(kmsError(name, `User arn:aws:sts::${TARGET_ACCOUNT}:assumed-role/x is not authorized`));
      await expectFailure(
        checkSourceKey(clients, CHECK),
        'KMSKeyNotAccessibleFault',
        true,
        'kms:DescribeKey from that account was refused',
        'is not authorized',
        `Account ${TARGET_ACCOUNT}`,
        KEY_ARN,
        'snapcopy iam-policy --cross-account',
      );
      expect(source.commandCalls(DescribeKeyCommand)).toHaveLength(1);
      expect(target.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    },
  );

  it('throttling by KMS is retryable (reading the key, and describing it from the destination)', async () => {
    const { clients, source, target } = keyClients();
    source.on(DescribeKeyCommand).rejectsOnce(kmsError('ThrottlingException', 'Rate exceeded'));
    await expectFailure(
      checkSourceKey(clients, CHECK),
      'Throttling',
      false,
      `Reading the source snapshot's KMS key ${KEY_ARN}`,
    );

    source.reset();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source
      .on(GetKeyPolicyCommand)
      .resolves({ Policy: policy(allow({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, 'kms:*')) });
    target.on(DescribeKeyCommand).rejects(kmsError('ThrottlingException', 'Rate exceeded'));
    await expectFailure(
      checkSourceKey(clients, CHECK),
      'Throttling',
      false,
      `Describing the source key ${KEY_ARN} from account ${TARGET_ACCOUNT}`,
    );
  });

  it('a source role refused reading the policy fails non-retryably', async () => {
    const { clients, source, target } = keyClients();
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source
      .on(GetKeyPolicyCommand)
      .rejects(kmsError('AccessDeniedException', 'not authorized: kms:GetKeyPolicy'));
    await expectFailure(checkSourceKey(clients, CHECK), 'KMSKeyNotAccessibleFault', true, 'kms:GetKeyPolicy');
    expect(target.calls()).toHaveLength(0);
  });

  it('without roles, the default client answers both questions', async () => {
    const { clients, assumed } = clientsWithRoles();
    const input: CheckSourceKeyInput = {
      region: SOURCE_REGION,
      keyArn: KEY_ARN,
      targetAccountId: TARGET_ACCOUNT,
    };
    const kms = mockClient(clients.kms(SOURCE_REGION));
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: policy(allow('*', 'kms:*')) });
    await expect(checkSourceKey(clients, input)).resolves.toEqual({
      keyArn: KEY_ARN,
      keyManager: 'CUSTOMER',
    });
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(2);
    expect(assumed).not.toHaveBeenCalled();
  });
});

describe('with a hand-built AwsClients', () => {
  it('kms(region, role) is asked for the source role, then the target role', async () => {
    const sourceKms = new KMSClient({ region: SOURCE_REGION, credentials });
    const targetKms = new KMSClient({ region: SOURCE_REGION, credentials });
    const source = mockClient(sourceKms);
    const target = mockClient(targetKms);
    source.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER' } });
    source
      .on(GetKeyPolicyCommand)
      .resolves({ Policy: policy(allow({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:role/any` }, 'kms:*')) });
    target.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k' } });
    const kms = vi.fn((_region: string, role?: AssumedRole) =>
      role === SOURCE_ROLE ? sourceKms : targetKms,
    );
    const clients = { kms } as unknown as AwsClients;
    await expect(checkSourceKey(clients, CHECK)).resolves.toMatchObject({ keyManager: 'CUSTOMER' });
    expect(kms.mock.calls).toEqual([
      [SOURCE_REGION, SOURCE_ROLE],
      [SOURCE_REGION, TARGET_ROLE],
    ]);
    expect(source.calls()).toHaveLength(2);
    expect(target.calls()).toHaveLength(1);
  });
});
