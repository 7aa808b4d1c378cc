import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OWNERSHIP_TAGS } from '../../src/shared/names';
import type { Tag } from '../../src/shared/types';
import {
  DEFAULT_OPTIONS,
  type InputErrorType,
  MAX_TAGS,
  OWNERSHIP_TAG_COUNT,
  type SourceFacts,
  type ValidatedInput,
  validateAgainstSource,
  validateCopyInput,
  validateRegion,
  validateTags,
} from '../../src/shared/validation';
import { caught } from '../helpers/failures';

const UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ACCOUNT = '123456789012';
const arnOf = (region: string, id: string, partition = 'aws', account = ACCOUNT) =>
  `arn:${partition}:rds:${region}:${account}:cluster-snapshot:${id}`;

const base = {
  SourceDBClusterSnapshotIdentifier: 'my-cluster-snapshot1',
  TargetDBClusterSnapshotIdentifier: 'my-cluster-snapshot2',
  TargetRegion: 'us-east-1',
};
const input = (overrides: Record<string, unknown> = {}) => ({ ...base, ...overrides });

function expectInputError(fn: () => unknown, type: InputErrorType, field: string, message: string | RegExp) {
  const error = caught(fn);
  expect({ type: error.type, field: error.field }).toEqual({ type, field });
  expect(error.message).toMatch(message);
  return error;
}

const invalid = (overrides: Record<string, unknown>, field: string, message: string | RegExp) =>
  expectInputError(() => validateCopyInput(input(overrides)), 'InvalidParameterValue', field, message);
const conflicting = (overrides: Record<string, unknown>, field: string, message: string | RegExp) =>
  expectInputError(() => validateCopyInput(input(overrides)), 'InvalidParameterCombination', field, message);

const tagsOf = (n: number, prefix = 'k'): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

describe('InputError and constants', () => {
  it('is an Error named after its type', () => {
    const error = caught(() => validateCopyInput(input({ TargetRegion: 'nowhere' })));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.type).toBe('InvalidParameterValue');
    expect(error.field).toBe('TargetRegion');
  });

  it('counts the ownership tags of names.ts', () => {
    expect(MAX_TAGS).toBe(50);
    expect(OWNERSHIP_TAG_COUNT).toBe(Object.keys(OWNERSHIP_TAGS).length);
  });

  it('runs zod jitless (no new Function in the workflow sandbox)', () => {
    expect(z.config().jitless).toBe(true);
  });
});

describe('validateCopyInput: the API reference example and normalization', () => {
  it("validates the CopyDBClusterSnapshot reference's example with every default filled in", () => {
    const v = validateCopyInput({
      SourceDBClusterSnapshotIdentifier: 'rds:sample-cluster-2016-09-14-10-38',
      TargetDBClusterSnapshotIdentifier: 'cluster-snapshot-copy-1',
      TargetRegion: 'us-east-1',
    });
    expect(v).toEqual<ValidatedInput>({
      source: { form: 'automated', identifier: 'rds:sample-cluster-2016-09-14-10-38' },
      sourceRegion: 'us-east-1',
      targetRegion: 'us-east-1',
      crossRegion: false,
      targetIdentifier: 'cluster-snapshot-copy-1',
      copyTags: false,
      tags: [],
      options: {
        minPollSeconds: 15,
        maxPollSeconds: 300,
        followInActivitySeconds: 60,
        pruneOnQuota: true,
        keep: 1,
        onCancelAfterAvailable: 'keep',
        slotWaitSeconds: 60,
        pollsPerRun: 250,
        priority: 3,
      },
    });
    expect(v.options).toEqual(DEFAULT_OPTIONS);
  });

  it('normalizes a full cross-Region input', () => {
    const source = arnOf('us-west-2', 'aurora-cluster1-snapshot-20161115');
    const tags = [{ Key: 'team', Value: 'db' }];
    const v = validateCopyInput({
      SourceDBClusterSnapshotIdentifier: source,
      TargetDBClusterSnapshotIdentifier: 'My-Copy',
      TargetRegion: 'us-east-1',
      KmsKeyId: 'alias/rds-copies',
      CopyTags: true,
      Tags: tags,
      options: {
        minPollSeconds: 5,
        maxPollSeconds: 60,
        deadlineSeconds: 3600,
        onCancelAfterAvailable: 'delete',
      },
    });
    expect(v).toMatchObject({
      source: {
        form: 'arn',
        identifier: source,
        arn: { region: 'us-west-2', accountId: ACCOUNT, resourceType: 'cluster-snapshot' },
      },
      sourceRegion: 'us-west-2',
      targetRegion: 'us-east-1',
      crossRegion: true,
      targetIdentifier: 'my-copy',
      kmsKey: { form: 'alias-name', value: 'alias/rds-copies' },
      copyTags: true,
      tags,
      options: {
        ...DEFAULT_OPTIONS,
        minPollSeconds: 5,
        maxPollSeconds: 60,
        deadlineSeconds: 3600,
        onCancelAfterAvailable: 'delete',
      },
    });
    expect(v.tags).not.toBe(tags);
    expect(v.preSignedUrl).toBeUndefined();
  });

  it('leaves deadlineSeconds, kmsKey and preSignedUrl out when not given', () => {
    const v = validateCopyInput(input());
    expect('deadlineSeconds' in v.options).toBe(false);
    expect('kmsKey' in v).toBe(false);
    expect('preSignedUrl' in v).toBe(false);
  });
});

describe('validateCopyInput: structure', () => {
  it.each([null, 42, 'x', [], undefined])('rejects %j as input', (value) => {
    expectInputError(
      () => validateCopyInput(value),
      'InvalidParameterValue',
      'input',
      'input must be an object',
    );
  });

  it('requires a source: a snapshot, or a cluster whose newest snapshot is copied, but not both', () => {
    const given: Record<string, unknown> = input();
    delete given.SourceDBClusterSnapshotIdentifier;
    expectInputError(
      () => validateCopyInput(given),
      'InvalidParameterValue',
      'SourceDBClusterSnapshotIdentifier',
      'SourceDBClusterSnapshotIdentifier is required (or SourceDBClusterIdentifier',
    );
    invalid(
      { SourceDBClusterSnapshotIdentifier: '' },
      'SourceDBClusterSnapshotIdentifier',
      'must not be empty',
    );
    expectInputError(
      () => validateCopyInput({ ...input(), SourceDBClusterIdentifier: 'prod' }),
      'InvalidParameterCombination',
      'SourceDBClusterIdentifier',
      'not both',
    );
    const byCluster = validateCopyInput({ ...given, SourceDBClusterIdentifier: 'Prod-Cluster' });
    expect(byCluster.source).toEqual({ form: 'cluster', identifier: 'prod-cluster' });
    expectInputError(
      () => validateCopyInput({ ...given, SourceDBClusterIdentifier: 'prod--x' }),
      'InvalidParameterValue',
      'SourceDBClusterIdentifier',
      'two consecutive hyphens',
    );
  });

  it('accepts options.retain of at least 1', () => {
    expect(validateCopyInput({ ...input(), options: { retain: 7 } }).options.retain).toBe(7);
    expect(validateCopyInput(input()).options.retain).toBeUndefined();
    invalid({ options: { retain: 0 } }, 'options.retain', 'options.retain');
  });

  it.each(['TargetDBClusterSnapshotIdentifier', 'TargetRegion'])('requires %s', (field) => {
    const given: Record<string, unknown> = input();
    delete given[field];
    expectInputError(() => validateCopyInput(given), 'InvalidParameterValue', field, `${field} is required`);
    invalid({ [field]: '' }, field, `${field} must not be empty`);
    invalid({ [field]: 7 }, field, `${field} must be a string (got 7)`);
  });

  it.each(['KmsKeyId', 'SourceRegion', 'PreSignedUrl'])('refuses an empty or non-string %s', (field) => {
    invalid({ [field]: '' }, field, `${field} must not be empty (leave the field out instead)`);
    invalid({ [field]: null }, field, `${field} must be a string (or be left out) (got null)`);
  });

  it('requires CopyTags to be a boolean', () => {
    invalid({ CopyTags: 'true' }, 'CopyTags', 'CopyTags must be true or false (got "true")');
    expect(validateCopyInput(input({ CopyTags: true })).copyTags).toBe(true);
  });

  it('names an unknown top-level field and suggests the one meant', () => {
    invalid(
      { TargetRegoin: 'us-east-1' },
      'TargetRegoin',
      'TargetRegoin is not a known field of the input (did you mean TargetRegion?)',
    );
    invalid({ sourceRegion: 'us-east-1' }, 'sourceRegion', 'did you mean SourceRegion?');
    invalid(
      { DBClusterIdentifier: 'c' },
      'DBClusterIdentifier',
      /not a known field of the input \(known fields: .*KmsKeyId/,
    );
  });

  it('prefers the unknown-field message over the "required" it causes', () => {
    const given: Record<string, unknown> = { ...input(), TargetDbClusterSnapshotIdentifier: 'x' };
    delete given.TargetDBClusterSnapshotIdentifier;
    expectInputError(
      () => validateCopyInput(given),
      'InvalidParameterValue',
      'TargetDbClusterSnapshotIdentifier',
      'did you mean TargetDBClusterSnapshotIdentifier?',
    );
  });

  it('names an unknown options key', () => {
    invalid(
      { options: { pollSeconds: 5 } },
      'options.pollSeconds',
      /options\.pollSeconds is not a known field of options/,
    );
    invalid({ options: { pollsperrun: 50 } }, 'options.pollsperrun', 'did you mean pollsPerRun?');
    invalid({ options: 'fast' }, 'options', 'options must be an object (got "fast")');
  });
});

describe('validateCopyInput: options', () => {
  it.each([
    ['minPollSeconds', 0, 'must be an integer of at least 1'],
    ['minPollSeconds', 1.5, 'must be an integer of at least 1'],
    ['minPollSeconds', '15', 'must be an integer of at least 1 (got "15")'],
    ['maxPollSeconds', 0, 'must be an integer of at least 1'],
    ['deadlineSeconds', 59, 'must be an integer of at least 60 (got 59)'],
    ['deadlineSeconds', Infinity, 'must be an integer of at least 60 (got Infinity)'],
    ['keep', -1, 'must be an integer of at least 0 (got -1)'],
    ['keep', NaN, 'must be an integer of at least 0 (got NaN)'],
    ['slotWaitSeconds', 0, 'must be an integer of at least 1'],
    ['pollsPerRun', 9, 'must be an integer from 10 to 5000 (got 9)'],
    ['pollsPerRun', 5001, 'must be an integer from 10 to 5000 (got 5001)'],
    ['priority', 0, 'must be an integer from 1 to 5 (got 0)'],
    ['priority', 6, 'must be an integer from 1 to 5 (got 6)'],
    ['priority', 2.5, 'must be an integer from 1 to 5 (got 2.5)'],
    ['onCancelAfterAvailable', 'discard', 'must be "keep" or "delete" (got "discard")'],
    ['pruneOnQuota', 'yes', 'must be true or false (got "yes")'],
  ])('rejects options.%s = %j', (key, value, message) => {
    invalid({ options: { [key]: value } }, `options.${key}`, `options.${key} ${message}`);
  });

  it.each([
    ['minPollSeconds', 1],
    ['maxPollSeconds', 15],
    ['deadlineSeconds', 60],
    ['keep', 0],
    ['slotWaitSeconds', 1],
    ['pollsPerRun', 10],
    ['pollsPerRun', 5000],
    ['priority', 1],
    ['priority', 5],
    ['onCancelAfterAvailable', 'delete'],
    ['pruneOnQuota', false],
  ])('accepts the boundary options.%s = %j', (key, value) => {
    expect(validateCopyInput(input({ options: { [key]: value } })).options).toMatchObject({ [key]: value });
  });

  it('requires maxPollSeconds >= minPollSeconds, given or default', () => {
    conflicting(
      { options: { minPollSeconds: 60, maxPollSeconds: 30 } },
      'options.maxPollSeconds',
      'options.maxPollSeconds 30 must be at least options.minPollSeconds 60',
    );
    conflicting(
      { options: { maxPollSeconds: 10 } },
      'options.maxPollSeconds',
      'options.maxPollSeconds 10 must be at least the default options.minPollSeconds 15',
    );
    expect(
      validateCopyInput(input({ options: { minPollSeconds: 30, maxPollSeconds: 30 } })).options,
    ).toMatchObject({
      minPollSeconds: 30,
      maxPollSeconds: 30,
    });
  });
});

describe('validateCopyInput: TargetDBClusterSnapshotIdentifier', () => {
  it('lowercases the target (AWS identifiers are case-insensitive)', () => {
    expect(
      validateCopyInput(input({ TargetDBClusterSnapshotIdentifier: 'My-Cluster-Snapshot2' }))
        .targetIdentifier,
    ).toBe('my-cluster-snapshot2');
    expect(
      validateCopyInput(input({ TargetDBClusterSnapshotIdentifier: 'x'.repeat(63) })).targetIdentifier,
    ).toBe('x'.repeat(63));
  });

  it.each([
    ['my--snap', 'TargetDBClusterSnapshotIdentifier "my--snap" must not contain two consecutive hyphens'],
    ['snap-', 'TargetDBClusterSnapshotIdentifier "snap-" must not end with a hyphen'],
    ['1snap', 'TargetDBClusterSnapshotIdentifier "1snap" must start with a letter'],
    ['snap_1', 'may contain only ASCII letters, digits and hyphens (found "_" at position 5)'],
    ['snap.1', 'may contain only ASCII letters, digits and hyphens'],
    ['x'.repeat(64), 'must be at most 63 characters long (it has 64)'],
    ['rds:snap', 'may contain only ASCII letters, digits and hyphens (found ":"'],
  ])('rejects %j', (id, message) => {
    invalid({ TargetDBClusterSnapshotIdentifier: id }, 'TargetDBClusterSnapshotIdentifier', message);
  });

  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const alnum = fc.constantFrom(...(letters + '0123456789'));
  /** 1–63 characters, first a letter, single hyphens between non-empty alphanumeric runs. */
  const validIdentifier = fc
    .tuple(
      fc.constantFrom(...letters),
      fc.string({ unit: alnum, maxLength: 8 }),
      fc.array(fc.string({ unit: alnum, minLength: 1, maxLength: 8 }), { maxLength: 6 }),
    )
    .map(([first, head, runs]) => [first + head, ...runs].join('-'));

  it('accepts every valid identifier and returns it lowercased (property)', () => {
    fc.assert(
      fc.property(validIdentifier, (id) => {
        const v = validateCopyInput(
          input({ TargetDBClusterSnapshotIdentifier: id, SourceDBClusterSnapshotIdentifier: 'src' }),
        );
        expect(v.targetIdentifier).toBe(id.toLowerCase());
        expect(
          validateCopyInput(input({ TargetDBClusterSnapshotIdentifier: v.targetIdentifier }))
            .targetIdentifier,
        ).toBe(v.targetIdentifier);
      }),
    );
  });

  it('rejects any identifier with "--" or a trailing hyphen (property)', () => {
    const withDoubleHyphen = validIdentifier.chain((id) =>
      fc.integer({ min: 1, max: id.length }).map((at) => id.slice(0, at) + '--' + id.slice(at)),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          withDoubleHyphen,
          validIdentifier.map((id) => id + '-'),
        ),
        (id) => {
          const error = caught(() => validateCopyInput(input({ TargetDBClusterSnapshotIdentifier: id })));
          expect(error.type).toBe('InvalidParameterValue');
          expect(error.field).toBe('TargetDBClusterSnapshotIdentifier');
          expect(error.message).toMatch(/two consecutive hyphens|end with a hyphen|at most 63 characters/);
        },
      ),
    );
  });
});

describe('validateCopyInput: SourceDBClusterSnapshotIdentifier', () => {
  const field = 'SourceDBClusterSnapshotIdentifier';

  it('accepts a name, an automated name and an ARN', () => {
    expect(validateCopyInput(input({ [field]: 'My-Snap' })).source).toEqual({
      form: 'name',
      identifier: 'My-Snap',
    });
    expect(validateCopyInput(input({ [field]: 'rds:c1-2024-01-31-04-05' })).source).toEqual({
      form: 'automated',
      identifier: 'rds:c1-2024-01-31-04-05',
    });
    const automatedArn = arnOf('us-east-1', 'rds:c1-2024-01-31-04-05');
    expect(validateCopyInput(input({ [field]: automatedArn })).source).toEqual({
      form: 'arn',
      identifier: automatedArn,
      arn: {
        partition: 'aws',
        region: 'us-east-1',
        accountId: ACCOUNT,
        resourceType: 'cluster-snapshot',
        resourceId: 'rds:c1-2024-01-31-04-05',
      },
    });
  });

  it.each([
    ['bad--name', 'SourceDBClusterSnapshotIdentifier "bad--name" must not contain two consecutive hyphens'],
    ['9lives', 'must start with a letter'],
    [
      'rds:c1--x',
      'is an automated snapshot name whose part after "rds:" must not contain two consecutive hyphens',
    ],
    ['rds:', 'part after "rds:" must not be empty'],
    ['awsbackup:job-1', 'may contain only ASCII letters'],
  ])('rejects the name %j', (id, message) => {
    invalid({ [field]: id }, field, message);
  });

  it.each([
    [arnOf('us-east-1', 's').replace(':cluster-snapshot:', ':snapshot:'), 'ARN of a DB instance snapshot'],
    [
      arnOf('us-east-1', 's').replace(':cluster-snapshot:', ':cluster:'),
      'ARN of a DB cluster (give the ARN of one of its snapshots)',
    ],
    [arnOf('us-east-1', 's').replace(':cluster-snapshot:', ':db:'), 'ARN of a DB instance'],
    [arnOf('us-east-1', 's').replace(':cluster-snapshot:', ':og:'), 'an RDS resource of type "og"'],
    ['arn:aws:s3:::bucket', 'is an ARN of the s3 service, not of an RDS DB cluster snapshot'],
    ['arn:aws:rds', 'is not a well-formed ARN'],
    [arnOf('us-east-1', 's', 'aws', '12345'), 'must carry a 12-digit account ID (got "12345")'],
    [arnOf('US-EAST-1', 's'), 'has no well-formed Region (got "US-EAST-1"'],
    [
      arnOf('us-east-1', 'bad--id'),
      'has an invalid snapshot name "bad--id": it must not contain two consecutive hyphens',
    ],
    [arnOf('us-east-1', ''), 'is not a well-formed RDS ARN'],
    [arnOf('cn-north-1', 's', 'aws'), 'names partition aws, but Region cn-north-1 is in partition aws-cn'],
  ])('rejects the ARN %s', (arn, message) => {
    invalid({ [field]: arn }, field, message);
  });

  it('mentions the cluster-snapshot resource type for a DB instance snapshot ARN', () => {
    invalid(
      { [field]: arnOf('us-east-1', 's').replace(':cluster-snapshot:', ':snapshot:') },
      field,
      ':cluster-snapshot:',
    );
  });
});

describe('validateCopyInput: Regions', () => {
  it.each([
    'us-east-1',
    'eu-central-2',
    'ap-southeast-4',
    'us-gov-west-1',
    'cn-north-1',
    'il-central-1',
    'mx-central-1',
  ])('accepts TargetRegion %s', (region) => {
    expect(validateCopyInput(input({ TargetRegion: region })).targetRegion).toBe(region);
  });

  it.each(['US-EAST-1', 'us-east', 'useast1', 'aws-global', 'us-east-1a'])(
    'rejects TargetRegion %j with an example',
    (region) => {
      invalid(
        { TargetRegion: region },
        'TargetRegion',
        /is not a well-formed AWS Region name; give one such as us-east-1/,
      );
    },
  );

  it('rejects a malformed SourceRegion', () => {
    invalid(
      { SourceRegion: 'Oregon' },
      'SourceRegion',
      'SourceRegion "Oregon" is not a well-formed AWS Region name',
    );
  });

  it('validateRegion returns the Region and refuses non-strings', () => {
    expect(validateRegion('eu-west-1', 'region')).toBe('eu-west-1');
    expectInputError(
      () => validateRegion(undefined, '--region'),
      'InvalidParameterValue',
      '--region',
      'such as us-east-1',
    );
    expectInputError(
      () => validateRegion(3, 'r'),
      'InvalidParameterValue',
      'r',
      'r must be an AWS Region name such as us-east-1 (got 3)',
    );
  });

  it('derives the source Region: SourceRegion, else the ARN, else TargetRegion', () => {
    expect(validateCopyInput(input({ SourceRegion: 'us-west-2' }))).toMatchObject({
      sourceRegion: 'us-west-2',
      crossRegion: true,
    });
    expect(
      validateCopyInput(input({ SourceDBClusterSnapshotIdentifier: arnOf('eu-west-1', 's') })),
    ).toMatchObject({
      sourceRegion: 'eu-west-1',
      crossRegion: true,
    });
    expect(validateCopyInput(input())).toMatchObject({ sourceRegion: 'us-east-1', crossRegion: false });
    expect(
      validateCopyInput(
        input({ SourceDBClusterSnapshotIdentifier: arnOf('us-east-1', 's'), SourceRegion: 'us-east-1' }),
      ),
    ).toMatchObject({ sourceRegion: 'us-east-1', crossRegion: false });
  });

  it('allows a name in another Region when SourceRegion is given, and automated names too', () => {
    expect(validateCopyInput(input({ SourceRegion: 'eu-west-1' })).source.form).toBe('name');
    expect(
      validateCopyInput(
        input({ SourceRegion: 'eu-west-1', SourceDBClusterSnapshotIdentifier: 'rds:c-2024-01-01-00-00' }),
      ),
    ).toMatchObject({ crossRegion: true, source: { form: 'automated' } });
  });

  it("requires an ARN's Region to match SourceRegion", () => {
    conflicting(
      { SourceDBClusterSnapshotIdentifier: arnOf('us-west-2', 's'), SourceRegion: 'eu-west-1' },
      'SourceRegion',
      /SourceRegion eu-west-1 does not match the Region of SourceDBClusterSnapshotIdentifier .* \(us-west-2\)/,
    );
  });

  it("requires the ARN's partition to be the target Region's", () => {
    conflicting(
      { SourceDBClusterSnapshotIdentifier: arnOf('us-gov-west-1', 's', 'aws-us-gov') },
      'SourceDBClusterSnapshotIdentifier',
      'is in partition aws-us-gov, but TargetRegion us-east-1 is in partition aws: snapshots cannot be copied between partitions',
    );
  });

  it("requires SourceRegion's partition to be the target Region's", () => {
    conflicting(
      { SourceRegion: 'cn-north-1' },
      'SourceRegion',
      'SourceRegion cn-north-1 is in partition aws-cn, but TargetRegion us-east-1 is in partition aws',
    );
    expect(
      validateCopyInput(input({ SourceRegion: 'cn-northwest-1', TargetRegion: 'cn-north-1' })).crossRegion,
    ).toBe(true);
  });
});

describe('validateCopyInput: copy onto itself', () => {
  it('refuses the same name in the same Region, whatever the case', () => {
    const message = 'is the source snapshot itself (same name, same Region us-east-1)';
    conflicting(
      { SourceDBClusterSnapshotIdentifier: 'snap-a', TargetDBClusterSnapshotIdentifier: 'SNAP-A' },
      'TargetDBClusterSnapshotIdentifier',
      message,
    );
    conflicting(
      {
        SourceDBClusterSnapshotIdentifier: 'Snap-A',
        TargetDBClusterSnapshotIdentifier: 'snap-a',
        SourceRegion: 'us-east-1',
      },
      'TargetDBClusterSnapshotIdentifier',
      message,
    );
  });

  it('allows the same name from another Region', () => {
    expect(
      validateCopyInput(
        input({
          SourceDBClusterSnapshotIdentifier: 'snap-a',
          TargetDBClusterSnapshotIdentifier: 'snap-a',
          SourceRegion: 'us-west-2',
        }),
      ).crossRegion,
    ).toBe(true);
    expect(
      validateCopyInput(
        input({
          SourceDBClusterSnapshotIdentifier: arnOf('us-west-2', 'snap-a'),
          TargetDBClusterSnapshotIdentifier: 'snap-a',
        }),
      ).crossRegion,
    ).toBe(true);
  });
});

describe('validateCopyInput: KmsKeyId', () => {
  it.each([
    [UUID, 'key-id'],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', 'key-id'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:key/${UUID}`, 'key-arn'],
    ['alias/aws/rds', 'alias-name'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/copies`, 'alias-arn'],
  ])('accepts %s as %s', (value, form) => {
    expect(validateCopyInput(input({ KmsKeyId: value })).kmsKey).toMatchObject({ form, value });
  });

  it('reports Region and account of a key ARN', () => {
    expect(
      validateCopyInput(input({ KmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${UUID}` })).kmsKey,
    ).toEqual({
      form: 'key-arn',
      value: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${UUID}`,
      region: 'us-east-1',
      accountId: ACCOUNT,
    });
  });

  it.each([
    ['my-key', 'is not a KMS key reference; give a key ID (UUID or mrk-<32 hex digits>), a key ARN'],
    ['alias/', 'is not a valid alias name: an alias name is "alias/" followed by 1 or more'],
    ['alias/my key', 'is not a valid alias name'],
    ['alias/' + 'a'.repeat(251), 'at most 256 characters in all'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:key/not-a-uuid`, 'has an invalid key ID "not-a-uuid"'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/a b`, 'has an invalid alias'],
    [`arn:aws:kms:us-east-1:${ACCOUNT}:grant/x`, 'must name key/<key ID> or alias/<name> after the account'],
    [`arn:aws:kms:us-east-1:1:key/${UUID}`, 'must carry a 12-digit account ID (got "1")'],
    [`arn:aws:kms:east:${ACCOUNT}:key/${UUID}`, 'has no well-formed Region (got "east"'],
    [
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:x`,
      'is an ARN of the secretsmanager service, not of a KMS key',
    ],
    ['arn:aws:kms', 'is not a well-formed ARN'],
    [
      `arn:aws:kms:cn-north-1:${ACCOUNT}:key/${UUID}`,
      'names partition aws, but Region cn-north-1 is in partition aws-cn',
    ],
  ])('rejects %s', (value, message) => {
    invalid({ KmsKeyId: value }, 'KmsKeyId', message);
  });

  it('refuses a key ARN of another Region: keys are Regional', () => {
    invalid(
      { KmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${UUID}`, SourceRegion: 'us-west-2' },
      'KmsKeyId',
      'is a KMS key of us-west-2, but KMS keys are Regional and the copy is made in us-east-1: give a KMS key of the destination Region us-east-1',
    );
    invalid(
      { KmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:alias/copies` },
      'KmsKeyId',
      'give a KMS key of the destination Region us-east-1',
    );
  });

  it('points a multi-Region key ARN of another Region at its replica', () => {
    invalid(
      { KmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab` },
      'KmsKeyId',
      'for a multi-Region key, its replica in us-east-1',
    );
  });
});

describe('validateTags', () => {
  it('accepts Unicode letters, digits, white space and _ . : / = + - @, and empty values', () => {
    const tags = [
      { Key: 'Team Name', Value: 'Datenbank-Überwachung' },
      { Key: '部署', Value: '数据库 ２' },
      { Key: 'path/to:x=y+z-w@q_r.s', Value: '' },
      { Key: 'cost\u00a0center', Value: '42' },
      { Key: 'Env', Value: 'prod' },
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'snapcopy:not-a-key' },
    ];
    expect(validateTags(tags)).toEqual(tags);
  });

  it('counts characters as code points, like AWS', () => {
    const letter = '\u{1d49c}'; // MATHEMATICAL SCRIPT CAPITAL A: one letter, two UTF-16 units
    expect(validateTags([{ Key: letter.repeat(128), Value: letter.repeat(256) }])).toHaveLength(1);
    expectInputError(
      () => validateTags([{ Key: letter.repeat(129), Value: '' }]),
      'InvalidParameterValue',
      'Tags[0].Key',
      'must be at most 128 characters long (it has 129)',
    );
  });

  it('treats absent tags as none', () => {
    expect(validateTags(undefined)).toEqual([]);
  });

  it.each<[unknown, string, string]>([
    [{ Key: 'a', Value: 'b' }, 'Tags', 'Tags must be an array of { Key, Value } objects'],
    [[null], 'Tags[0]', 'Tags[0] must be an object with Key and Value (got null)'],
    [[{ Value: 'b' }], 'Tags[0].Key', 'Tags[0].Key is required'],
    [[{ Key: 'a' }], 'Tags[0].Value', 'Tags[0].Value is required'],
    [
      [{ Key: 'a', Value: 1 }],
      'Tags[0].Value',
      'Tags[0].Value must be a string (use "" for an empty value) (got 1)',
    ],
    [
      [{ key: 'a', Key: 'a', Value: '' }],
      'Tags[0].key',
      'Tags[0].key is not a known field of Tags[0] (did you mean Key?)',
    ],
    [[{ Key: '', Value: 'b' }], 'Tags[0].Key', 'Tags[0].Key must not be empty (1 to 128 characters)'],
    [[{ Key: 'k'.repeat(129), Value: '' }], 'Tags[0].Key', 'at most 128 characters'],
    [
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      'Tags[0].Value',
      'Tags[0].Value must be at most 256 characters long (it has 257)',
    ],
    [
      [{ Key: 'a#b', Value: '' }],
      'Tags[0].Key',
      'Tags[0].Key "a#b" contains "#": tags may contain only Unicode letters',
    ],
    [[{ Key: 'a', Value: 'line\nbreak' }], 'Tags[0].Value', 'contains "\\n"'],
    [[{ Key: 'mood', Value: 'ok 😀' }], 'Tags[0].Value', 'contains "😀"'],
    [
      [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }],
      'Tags[0].Key',
      'must not start with "aws:": that prefix is reserved by AWS',
    ],
    [[{ Key: 'AWS:x', Value: 'x' }], 'Tags[0].Key', 'must not start with "aws:"'],
    [[{ Key: 'rds:x', Value: 'x' }], 'Tags[0].Key', 'must not start with "rds:"'],
    [[{ Key: 'k', Value: 'aws:x' }], 'Tags[0].Value', 'Tags[0].Value "aws:x" must not start with "aws:"'],
    [[{ Key: 'k', Value: 'Rds:x' }], 'Tags[0].Value', 'must not start with "rds:"'],
    [
      [{ Key: 'snapcopy:managed', Value: 'true' }],
      'Tags[0].Key',
      "reserved for snapcopy's own ownership tags",
    ],
    [[{ Key: 'SnapCopy:mine', Value: 'x' }], 'Tags[0].Key', 'must not start with "snapcopy:"'],
    [
      [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
        { Key: 'a', Value: '3' },
      ],
      'Tags[2].Key',
      'Tags[2].Key "a" duplicates Tags[0].Key: tag keys must be unique',
    ],
  ])('rejects %j', (tags, field, message) => {
    expectInputError(() => validateTags(tags), 'InvalidParameterValue', field, message);
    expectInputError(() => validateCopyInput(input({ Tags: tags })), 'InvalidParameterValue', field, message);
  });

  it('allows 45 tags and explains why not 46', () => {
    expect(validateTags(tagsOf(45))).toHaveLength(45);
    expectInputError(
      () => validateTags(tagsOf(46)),
      'InvalidParameterValue',
      'Tags',
      'Tags has 46 tags, but at most 45 are allowed: a resource carries at most 50 tags and snapcopy adds its 5 own tags (snapcopy:managed, snapcopy:source-arn, snapcopy:source-cluster, snapcopy:workflow-id, snapcopy:recovery-point)',
    );
  });

  it('names the field the CLI gives', () => {
    expectInputError(
      () => validateTags([{ Key: 'aws:x', Value: '' }], '--tag'),
      'InvalidParameterValue',
      '--tag[0].Key',
      '--tag[0].Key "aws:x"',
    );
  });

  const tagChar = fc.constantFrom(...'aZ9_.:/=+-@ éßÜ字한٣'.split(''), '\u00a0', '\u{1d49c}');
  const reserved = (s: string) => /^(aws:|rds:)/i.test(s);
  const tag = fc.record({
    Key: fc
      .string({ unit: tagChar, minLength: 1, maxLength: 128 })
      .filter((k) => !reserved(k) && !/^snapcopy:/i.test(k)),
    Value: fc.string({ unit: tagChar, maxLength: 256 }).filter((v) => !reserved(v)),
  });
  const tagSet = (minLength: number, maxLength: number) =>
    fc.uniqueArray(tag, { selector: (t) => t.Key, minLength, maxLength });

  it('accepts any valid tag set of up to 45 tags (property)', () => {
    fc.assert(
      fc.property(tagSet(0, 45), (tags) => {
        expect(validateTags(tags)).toEqual(tags);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects any tag set of 46 or more (property)', () => {
    fc.assert(
      fc.property(tagSet(46, 60), (tags) => {
        const error = caught(() => validateTags(tags));
        expect({ type: error.type, field: error.field }).toEqual({
          type: 'InvalidParameterValue',
          field: 'Tags',
        });
        expect(error.message).toContain(`Tags has ${tags.length} tags, but at most 45 are allowed`);
      }),
      { numRuns: 30 },
    );
  });
});

describe('validateCopyInput: PreSignedUrl', () => {
  const url = 'https://rds.us-gov-east-1.amazonaws.com/?Action=CopyDBClusterSnapshot&X-Amz-Signature=abc';

  it('is accepted for a GovCloud cross-Region copy', () => {
    const v = validateCopyInput(
      input({ TargetRegion: 'us-gov-west-1', SourceRegion: 'us-gov-east-1', PreSignedUrl: url }),
    );
    expect(v.preSignedUrl).toBe(url);
  });

  it('is refused outside GovCloud: the SDK generates it', () => {
    conflicting(
      { SourceRegion: 'us-west-2', PreSignedUrl: url },
      'PreSignedUrl',
      'PreSignedUrl applies only to copies between AWS GovCloud (US) Regions; for TargetRegion us-east-1 the AWS SDK generates the presigned URL',
    );
  });

  it('is refused for a copy within one Region', () => {
    conflicting(
      { TargetRegion: 'us-gov-west-1', PreSignedUrl: url },
      'PreSignedUrl',
      'is only for cross-Region copies',
    );
  });

  it.each([
    'http://rds.us-gov-east-1.amazonaws.com/?x=1',
    'not a url',
    'https://',
    'https://host with space/',
  ])('must be an https URL, not %j', (value) => {
    invalid(
      { TargetRegion: 'us-gov-west-1', SourceRegion: 'us-gov-east-1', PreSignedUrl: value },
      'PreSignedUrl',
      'PreSignedUrl must be an https:// URL',
    );
  });
});

describe('validateAgainstSource', () => {
  const plain: SourceFacts = { encrypted: false, shared: false, tagCount: 0 };
  const encrypted: SourceFacts = { encrypted: true, shared: false, tagCount: 0 };
  const shared: SourceFacts = { encrypted: true, shared: true, tagCount: 0 };
  const crossRegion = (extra: Record<string, unknown> = {}) =>
    validateCopyInput(input({ SourceDBClusterSnapshotIdentifier: arnOf('us-west-2', 'src'), ...extra }));
  const sameRegion = (extra: Record<string, unknown> = {}) => validateCopyInput(input(extra));
  const kms = { KmsKeyId: 'alias/copies' };
  const check = (v: ValidatedInput, facts: SourceFacts, field: string, message: string) =>
    expectInputError(() => validateAgainstSource(v, facts), 'InvalidParameterCombination', field, message);

  it('accepts the ordinary cases', () => {
    expect(() => validateAgainstSource(sameRegion(), plain)).not.toThrow();
    expect(() => validateAgainstSource(crossRegion(), plain)).not.toThrow();
    expect(() => validateAgainstSource(sameRegion(), encrypted)).not.toThrow();
    expect(() => validateAgainstSource(sameRegion(kms), encrypted)).not.toThrow();
    expect(() => validateAgainstSource(crossRegion(kms), encrypted)).not.toThrow();
    expect(() => validateAgainstSource(sameRegion(kms), shared)).not.toThrow();
    expect(() => validateAgainstSource(crossRegion(), { ...plain, shared: true })).not.toThrow();
  });

  it('refuses a KmsKeyId for an unencrypted source', () => {
    check(
      sameRegion(kms),
      plain,
      'KmsKeyId',
      'is not encrypted: an unencrypted snapshot cannot be copied with a KMS key',
    );
  });

  it('requires a KMS key of the destination Region for an encrypted cross-Region copy', () => {
    check(
      crossRegion(),
      encrypted,
      'KmsKeyId',
      'from us-west-2 to us-east-1, so a KMS key of the destination Region us-east-1 is required',
    );
  });

  it('refuses an encrypted shared snapshot across Regions, KmsKeyId or not', () => {
    const message =
      'is an encrypted snapshot shared from another account, and such a snapshot cannot be copied across Regions';
    check(crossRegion(kms), shared, 'SourceDBClusterSnapshotIdentifier', message);
    check(crossRegion(), shared, 'SourceDBClusterSnapshotIdentifier', message);
  });

  it('requires a KmsKeyId of this account for an encrypted shared snapshot', () => {
    check(
      validateCopyInput(
        input({ SourceDBClusterSnapshotIdentifier: arnOf('us-east-1', 'theirs', 'aws', '999999999999') }),
      ),
      shared,
      'KmsKeyId',
      'shared from another account, so a KmsKeyId of this account is required',
    );
  });

  it('refuses an own snapshot given by ARN copied onto itself, but not a shared one of the same name', () => {
    const v = validateCopyInput(
      input({
        SourceDBClusterSnapshotIdentifier: arnOf('us-east-1', 'Snap-A'),
        TargetDBClusterSnapshotIdentifier: 'snap-a',
      }),
    );
    check(v, plain, 'TargetDBClusterSnapshotIdentifier', 'a snapshot cannot be copied onto itself');
    expect(() => validateAgainstSource(v, { ...plain, shared: true })).not.toThrow();
  });

  it('keeps CopyTags within 50 tags: source + Tags + 4 ownership tags + the recovery point', () => {
    const v = sameRegion({ CopyTags: true, Tags: tagsOf(40) });
    expect(() => validateAgainstSource(v, { ...plain, tagCount: 5 })).not.toThrow();
    check(
      v,
      { ...plain, tagCount: 6 },
      'CopyTags',
      'CopyTags would put 51 tags on the copy (6 from the source, 40 from Tags, 5 snapcopy tags), but a resource carries at most 50',
    );
    expect(() =>
      validateAgainstSource(sameRegion({ Tags: tagsOf(40) }), { ...plain, tagCount: 40 }),
    ).not.toThrow();
  });

  it('counts tag keys shared by the source and Tags once when the source keys are known', () => {
    const v = sameRegion({ CopyTags: true, Tags: tagsOf(40) });
    const sourceKeys = [...tagsOf(40).map((t) => t.Key), 'extra', OWNERSHIP_TAGS.managed];
    expect(() =>
      validateAgainstSource(v, { ...plain, tagCount: sourceKeys.length, tagKeys: sourceKeys }),
    ).not.toThrow();
    const many = Array.from({ length: 10 }, (_, i) => `other${i}`);
    check(
      v,
      { ...plain, tagCount: many.length, tagKeys: many },
      'CopyTags',
      'CopyTags would put 55 tags on the copy',
    );
  });
});
