import { DescribeKeyCommand, KMSClient, type KeyMetadata, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { activities, expectFailure, kmsError, TARGET_REGION } from './helpers';

const kms = mockClient(KMSClient);
beforeEach(() => kms.reset());

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${TARGET_REGION}:123456789012:key/${KEY_ID}`;

function key(over: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    KeyId: KEY_ID,
    Arn: KEY_ARN,
    AWSAccountId: '123456789012',
    Enabled: true,
    KeyState: 'Enabled',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    MultiRegion: false,
    ...over,
  };
}

const resolve = (keyId: string, region = TARGET_REGION) => activities().resolveKmsKey({ region, keyId });

describe('resolveKmsKey', () => {
  it.each([
    ['key ID', KEY_ID],
    ['key ARN', KEY_ARN],
    ['alias name', 'alias/snapcopy'],
    ['alias ARN', `arn:aws:kms:${TARGET_REGION}:123456789012:alias/snapcopy`],
  ])('resolves a %s to the key ARN', async (_label, keyId) => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: key() });
    await expect(resolve(keyId)).resolves.toEqual({ keyArn: KEY_ARN, keyId: KEY_ID, multiRegion: false });
    expect(kms.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({ KeyId: keyId });
  });

  it('accepts a multi-Region replica key in the destination Region', async () => {
    const mrk = `mrk-1234abcd12ab34cd56ef1234567890ab`;
    const arn = `arn:aws:kms:${TARGET_REGION}:123456789012:key/${mrk}`;
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: key({
        KeyId: mrk,
        Arn: arn,
        MultiRegion: true,
        MultiRegionConfiguration: {
          MultiRegionKeyType: 'REPLICA',
          PrimaryKey: { Arn: `arn:aws:kms:us-east-1:123456789012:key/${mrk}`, Region: 'us-east-1' },
        },
      }),
    });
    await expect(resolve(arn)).resolves.toEqual({ keyArn: arn, keyId: mrk, multiRegion: true });
  });

  it('accepts the sparse metadata moto returns (no KeyUsage, no MultiRegion)', async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' },
    });
    await expect(resolve('alias/snapcopy')).resolves.toEqual({
      keyArn: KEY_ARN,
      keyId: KEY_ID,
      multiRegion: false,
    });
  });

  it.each<[string, Partial<KeyMetadata>, string]>([
    ['disabled', { KeyState: 'Disabled', Enabled: false }, 'disabled'],
    ['pending deletion', { KeyState: 'PendingDeletion', Enabled: false }, 'pending deletion'],
    ['pending import', { KeyState: 'PendingImport' }, 'PendingImport'],
    ['asymmetric', { KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048' }, 'asymmetric'],
    ['signing usage', { KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' }, 'SIGN_VERIFY'],
    ['HMAC', { KeyUsage: 'GENERATE_VERIFY_MAC', KeySpec: 'HMAC_256' }, 'GENERATE_VERIFY_MAC'],
    ['another Region', { Arn: `arn:aws:kms:eu-west-1:123456789012:key/${KEY_ID}` }, 'eu-west-1'],
  ])('refuses a %s key', async (_label, over, reason) => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: key(over) });
    await expectFailure(
      resolve('alias/snapcopy'),
      'KMSKeyNotAccessibleFault',
      true,
      reason,
      'alias/snapcopy',
    );
  });

  it('refuses a key ARN of another Region without calling KMS', async () => {
    await expectFailure(
      resolve(`arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`),
      'KMSKeyNotAccessibleFault',
      true,
      'us-east-1',
      'Regional',
    );
    expect(kms.calls()).toHaveLength(0);
  });

  it('reports a key that does not exist', async () => {
    kms
      .on(DescribeKeyCommand)
      .rejects(new NotFoundException({ message: 'Alias alias/nope is not found.', $metadata: {} }));
    await expectFailure(
      resolve('alias/nope'),
      'KMSKeyNotAccessibleFault',
      true,
      'not found',
      'Alias alias/nope is not found.',
    );
  });

  it('reports access denied', async () => {
    kms.on(DescribeKeyCommand).rejects(kmsError('AccessDeniedException', 'User is not authorized', 400));
    await expectFailure(resolve(KEY_ID), 'KMSKeyNotAccessibleFault', true, 'access denied');
  });

  it('retries KMS throttling and internal errors', async () => {
    kms.on(DescribeKeyCommand).rejects(kmsError('ThrottlingException', 'Rate exceeded'));
    await expectFailure(resolve(KEY_ID), 'Throttling', false);
    kms.on(DescribeKeyCommand).rejects(kmsError('KMSInternalException', 'oops', 500));
    await expectFailure(resolve(KEY_ID), 'AwsServerError', false);
  });
});
