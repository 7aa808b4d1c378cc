import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_AUTOMATED_NAME_LENGTH,
  REGION_PATTERN,
  clusterSnapshotArn,
  dbIdentifierProblem,
  isArn,
  isGovCloudRegion,
  isKmsAliasName,
  isKmsKeyId,
  isRegionName,
  parseArn,
  parseKmsKeyRef,
  parseRdsArn,
  partitionOfRegion,
  snapshotNameProblem,
} from '../../src/shared/arn';

/** Every Region of every partition, as @aws-sdk's partitions.json lists them (pseudo-Regions `*-global` left out). */
const REGIONS_BY_PARTITION: Record<string, string[]> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'me-west-1',
    'mx-central-1',
    'sa-east-1',
    'sa-west-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-eusc': ['eusc-de-east-1'],
  'aws-iso': ['us-iso-east-1', 'us-iso-west-1'],
  'aws-iso-b': ['us-isob-east-1', 'us-isob-west-1'],
  'aws-iso-e': ['eu-isoe-west-1'],
  'aws-iso-f': ['us-isof-east-1', 'us-isof-south-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};
const ALL_REGIONS = Object.values(REGIONS_BY_PARTITION).flat();

const UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

describe('Region names', () => {
  it.each(ALL_REGIONS)('accepts the real Region %s', (region) => {
    expect(REGION_PATTERN.test(region)).toBe(true);
    expect(isRegionName(region)).toBe(true);
  });

  it.each([
    'aws-global',
    'aws-cn-global',
    'US-EAST-1',
    'us-east',
    'useast1',
    'us-east-123',
    'us_east_1',
    ' us-east-1',
    'us-east-1 ',
    'u-east-1',
    'us-east-1a',
    '',
  ])('rejects %j', (region) => {
    expect(isRegionName(region)).toBe(false);
  });

  it('rejects what is not a string', () => {
    expect(isRegionName(undefined)).toBe(false);
    expect(isRegionName(1)).toBe(false);
  });

  it.each(Object.entries(REGIONS_BY_PARTITION))(
    'maps the Regions of %s to their partition',
    (partition, regions) => {
      for (const region of regions) expect(partitionOfRegion(region)).toBe(partition);
    },
  );

  it('falls back to aws for an unknown geography, as the SDK does', () => {
    expect(partitionOfRegion('xx-east-1')).toBe('aws');
  });

  it('knows the GovCloud Regions', () => {
    expect(isGovCloudRegion('us-gov-west-1')).toBe(true);
    expect(isGovCloudRegion('us-gov-east-1')).toBe(true);
    expect(isGovCloudRegion('us-east-1')).toBe(false);
    expect(isGovCloudRegion('us-iso-east-1')).toBe(false);
  });
});

describe('isArn / parseArn', () => {
  it('recognises ARNs by their prefix', () => {
    expect(isArn('arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a')).toBe(true);
    expect(isArn('my-snapshot')).toBe(false);
    expect(isArn('rds:my-cluster-2024-01-01-00-00')).toBe(false);
    expect(isArn(42)).toBe(false);
  });

  it('splits an ARN and keeps colons in the resource', () => {
    expect(parseArn('arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:c-2024-01-01-00-00')).toEqual({
      partition: 'aws',
      service: 'rds',
      region: 'us-east-1',
      accountId: '123456789012',
      resource: 'cluster-snapshot:rds:c-2024-01-01-00-00',
    });
    expect(parseArn('arn:aws:s3:::my-bucket')).toEqual({
      partition: 'aws',
      service: 's3',
      region: '',
      accountId: '',
      resource: 'my-bucket',
    });
  });

  it.each(['arn:aws', 'arn:aws:rds:us-east-1:123456789012', 'arn::rds:us-east-1:1:x', 'not-an-arn'])(
    'refuses %j',
    (s) => {
      expect(parseArn(s)).toBeUndefined();
    },
  );
});

describe('parseRdsArn', () => {
  it('parses a cluster snapshot ARN', () => {
    expect(
      parseRdsArn('arn:aws:rds:us-west-2:123456789012:cluster-snapshot:aurora-cluster1-snapshot-20161115'),
    ).toEqual({
      partition: 'aws',
      region: 'us-west-2',
      accountId: '123456789012',
      resourceType: 'cluster-snapshot',
      resourceId: 'aurora-cluster1-snapshot-20161115',
    });
  });

  it('keeps the rds: prefix of an automated snapshot', () => {
    expect(
      parseRdsArn('arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:c-2016-09-14-10-38')?.resourceId,
    ).toBe('rds:c-2016-09-14-10-38');
  });

  it('parses ARNs of other RDS resource types and other partitions (judging them is validation’s job)', () => {
    expect(parseRdsArn('arn:aws:rds:us-east-1:123456789012:snapshot:s1')?.resourceType).toBe('snapshot');
    expect(parseRdsArn('arn:aws:rds:us-east-1:123456789012:cluster:c1')?.resourceType).toBe('cluster');
    expect(parseRdsArn('arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster-snapshot:s')?.partition).toBe(
      'aws-us-gov',
    );
  });

  it.each([
    ['another service', 'arn:aws:kms:us-east-1:123456789012:key/' + UUID],
    ['a short account', 'arn:aws:rds:us-east-1:12345:cluster-snapshot:s'],
    ['a malformed Region', 'arn:aws:rds:useast1:123456789012:cluster-snapshot:s'],
    ['no resource ID', 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:'],
    ['no resource type', 'arn:aws:rds:us-east-1:123456789012:s'],
    ['a bad partition', 'arn:amazon:rds:us-east-1:123456789012:cluster-snapshot:s'],
    ['a plain name', 'my-snapshot'],
  ])('refuses an ARN with %s', (_what, s) => {
    expect(parseRdsArn(s)).toBeUndefined();
  });

  it('round-trips clusterSnapshotArn (the ID lowercased, as AWS stores it)', () => {
    const arn = clusterSnapshotArn('aws-cn', 'cn-north-1', '123456789012', 'My-Snap');
    expect(arn).toBe('arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:my-snap');
    expect(parseRdsArn(arn)).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      accountId: '123456789012',
      resourceType: 'cluster-snapshot',
      resourceId: 'my-snap',
    });
  });

  it('round-trips any Region, account and automated name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_REGIONS),
        fc.stringMatching(/^\d{12}$/),
        fc.stringMatching(/^(rds:)?[a-z][a-z0-9]{0,20}$/),
        (region, account, id) => {
          const partition = partitionOfRegion(region);
          expect(parseRdsArn(clusterSnapshotArn(partition, region, account, id))).toEqual({
            partition,
            region,
            accountId: account,
            resourceType: 'cluster-snapshot',
            resourceId: id,
          });
        },
      ),
    );
  });
});

describe('DB identifiers', () => {
  it.each(['a', 'my-cluster-snapshot2', 'A1-b2-C3', 'x'.repeat(63)])('accepts %j', (id) => {
    expect(dbIdentifierProblem(id)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(64), 'at most 63 characters'],
    ['1abc', 'must start with a letter'],
    ['-abc', 'must start with a letter'],
    ['ab_c', 'found "_" at position 3'],
    ['ab c', 'only ASCII letters, digits and hyphens'],
    ['abé', 'only ASCII letters, digits and hyphens'],
    ['abc-', 'must not end with a hyphen'],
    ['my--snap', 'must not contain two consecutive hyphens'],
  ])('rejects %j: %s', (id, problem) => {
    expect(dbIdentifierProblem(id)).toContain(problem);
  });

  it('accepts automated names up to 80 characters after rds:, with the same character rules', () => {
    expect(snapshotNameProblem('rds:sample-cluster-2016-09-14-10-38')).toBeUndefined();
    expect(snapshotNameProblem('RDS:sample-cluster-2016-09-14-10-38')).toBeUndefined();
    expect(snapshotNameProblem('rds:' + 'c'.repeat(MAX_AUTOMATED_NAME_LENGTH))).toBeUndefined();
    expect(snapshotNameProblem('rds:' + 'c'.repeat(MAX_AUTOMATED_NAME_LENGTH + 1))).toContain('at most 80');
    expect(snapshotNameProblem('rds:')).toContain('after "rds:" must not be empty');
    expect(snapshotNameProblem('rds:c--1')).toContain('two consecutive hyphens');
    expect(snapshotNameProblem('awsbackup:job-1')).toContain('only ASCII letters');
  });
});

describe('KMS key references', () => {
  it.each([
    [UUID, 'key-id'],
    [UUID.toUpperCase(), 'key-id'],
    [MRK, 'key-id'],
    [`arn:aws:kms:us-east-1:123456789012:key/${UUID}`, 'key-arn'],
    [`arn:aws:kms:eu-west-1:123456789012:key/${MRK}`, 'key-arn'],
    ['alias/my-key', 'alias-name'],
    ['alias/aws/rds', 'alias-name'],
    ['alias/team_a/db-key', 'alias-name'],
    ['arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/my-key', 'alias-arn'],
  ])('recognises %s as %s', (value, form) => {
    expect(parseKmsKeyRef(value)).toMatchObject({ form, value });
  });

  it('reports Region, account and key of an ARN', () => {
    expect(parseKmsKeyRef(`arn:aws:kms:us-west-2:111122223333:key/${UUID}`)).toEqual({
      form: 'key-arn',
      value: `arn:aws:kms:us-west-2:111122223333:key/${UUID}`,
      partition: 'aws',
      region: 'us-west-2',
      accountId: '111122223333',
      keyId: UUID,
    });
    expect(parseKmsKeyRef('arn:aws:kms:us-west-2:111122223333:alias/x')).toMatchObject({
      aliasName: 'alias/x',
    });
    expect(parseKmsKeyRef('alias/x')).toEqual({ form: 'alias-name', value: 'alias/x', aliasName: 'alias/x' });
  });

  it.each([
    'my-key',
    'alias/',
    'alias/has space',
    'alias/dots.not.allowed',
    'alias/' + 'a'.repeat(251),
    'mrk-1234',
    '1234abcd-12ab-34cd-56ef-1234567890a',
    `arn:aws:kms:us-east-1:123456789012:key/not-a-uuid`,
    `arn:aws:kms:us-east-1:1234:key/${UUID}`,
    `arn:aws:kms:useast1:123456789012:key/${UUID}`,
    `arn:aws:kms:us-east-1:123456789012:secret/${UUID}`,
    `arn:aws:rds:us-east-1:123456789012:key/${UUID}`,
  ])('refuses %j', (value) => {
    expect(parseKmsKeyRef(value)).toBeUndefined();
  });

  it('limits an alias to 256 characters in all', () => {
    expect(isKmsAliasName('alias/' + 'a'.repeat(250))).toBe(true);
    expect(isKmsAliasName('alias/' + 'a'.repeat(251))).toBe(false);
    expect(isKmsKeyId(MRK)).toBe(true);
    expect(isKmsKeyId('alias/x')).toBe(false);
  });
});
