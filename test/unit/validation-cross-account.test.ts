// validateCopyInput's cross-account rules: SourceRoleArn, TargetRoleArn, options.externalId and
// options.shareKmsKeyId, and what they must agree with.
import { describe, expect, it } from 'vitest';
import { InputError, type InputErrorType, validateCopyInput } from '../../src/shared/validation';
import { caught } from '../helpers/failures';
import { checkPlan } from '../../src/shared/plan';
import { roleArnProblem } from '../../src/shared/cross-account';

const UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const SOURCE = '111111111111';
const TARGET = '222222222222';
const OTHER = '333333333333';
const ROLE_FORM = 'arn:<partition>:iam::<12-digit account>:role/<name>';

const SOURCE_ROLE = `arn:aws:iam::${SOURCE}:role/snapcopy/source`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/snapcopy-target`;
const sourceArn = (region = 'us-west-2', account = SOURCE) =>
  `arn:aws:rds:${region}:${account}:cluster-snapshot:src-snap`;
const keyArn = (region: string, account: string) => `arn:aws:kms:${region}:${account}:key/${UUID}`;

/** A cross-account, cross-Region copy from us-west-2 (account SOURCE) to us-east-1 (account TARGET). */
const base = {
  SourceDBClusterSnapshotIdentifier: sourceArn(),
  TargetDBClusterSnapshotIdentifier: 'copy1',
  TargetRegion: 'us-east-1',
};
const input = (overrides: Record<string, unknown> = {}) => ({ ...base, ...overrides });

function expectInputError(
  overrides: Record<string, unknown>,
  type: InputErrorType,
  field: string,
  ...messageParts: (string | RegExp)[]
): InputError {
  const error = caught(() => validateCopyInput(input(overrides)));
  expect({ type: error.type, field: error.field }).toEqual({ type, field });
  expect(error.name).toBe(type);
  for (const part of messageParts) expect(error.message).toMatch(part);
  return error;
}

describe('SourceRoleArn / TargetRoleArn form', () => {
  it.each([
    ['a user ARN', `arn:aws:iam::${SOURCE}:user/alice`],
    ['a short account', 'arn:aws:iam::11111111111:role/r'],
    ['no role name', `arn:aws:iam::${SOURCE}:role/`],
    ['a Region in the ARN', `arn:aws:iam:us-east-1:${SOURCE}:role/r`],
    ['an STS session ARN', `arn:aws:sts::${SOURCE}:assumed-role/r/s`],
    ['a bare role name', 'snapcopy-source'],
    ['a bad partition', `arn:gcp:iam::${SOURCE}:role/r`],
    ['a space in the name', `arn:aws:iam::${SOURCE}:role/my role`],
  ])('refuses %s', (_label, arn) => {
    for (const field of ['SourceRoleArn', 'TargetRoleArn']) {
      expectInputError(
        { [field]: arn },
        'InvalidParameterValue',
        field,
        `${field} ${JSON.stringify(arn)} is not an IAM role ARN`,
        ROLE_FORM,
      );
    }
  });

  it('judges a role ARN by the same rule as a plan does: one message for one value', () => {
    for (const arn of [`arn:aws:iam::${SOURCE}:user/alice`, 'arn:aws:iam::12:role/x', 'snapcopy-source']) {
      const copy = (() => {
        try {
          validateCopyInput(input({ SourceRoleArn: arn }));
        } catch (err) {
          return (err as Error).message;
        }
      })();
      const plan = checkPlan({
        name: 'p',
        schedule: { every: '1d' },
        source: { region: 'us-east-1', clusters: ['a'], roleArn: arn },
        destinations: [{ region: 'us-west-2' }],
      });
      const planMessage = plan.ok
        ? undefined
        : plan.problems.find((p) => p.path.join('.') === 'source.roleArn')?.message;
      expect(copy).toBe(`SourceRoleArn ${roleArnProblem(arn)}`);
      expect(planMessage).toBe(roleArnProblem(arn));
    }
  });

  it('accepts a role with a path', () => {
    const v = validateCopyInput(input({ SourceRoleArn: `arn:aws:iam::${SOURCE}:role/a/b/c-role_1+=,.@` }));
    expect(v.sourceRole).toEqual({ roleArn: `arn:aws:iam::${SOURCE}:role/a/b/c-role_1+=,.@` });
  });

  it('refuses a role of another partition than the TargetRegion', () => {
    for (const field of ['SourceRoleArn', 'TargetRoleArn']) {
      const role = `arn:aws-cn:iam::${field === 'SourceRoleArn' ? SOURCE : TARGET}:role/r`;
      expectInputError(
        { [field]: role },
        'InvalidParameterCombination',
        field,
        'partition aws-cn',
        'partition aws',
      );
    }
  });

  it('accepts an aws-cn role for a copy within China', () => {
    const v = validateCopyInput({
      SourceDBClusterSnapshotIdentifier: `arn:aws-cn:rds:cn-north-1:${SOURCE}:cluster-snapshot:s`,
      TargetDBClusterSnapshotIdentifier: 'copy1',
      TargetRegion: 'cn-northwest-1',
      SourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/r`,
      TargetRoleArn: `arn:aws-cn:iam::${TARGET}:role/r`,
    });
    expect(v.sourceAccountId).toBe(SOURCE);
    expect(v.targetAccountId).toBe(TARGET);
  });

  it('suggests TargetRoleArn for the typo TargetRoleARN', () => {
    const error = expectInputError(
      { TargetRoleARN: TARGET_ROLE },
      'InvalidParameterValue',
      'TargetRoleARN',
      'did you mean TargetRoleArn?',
    );
    expect(error.message).toMatch(/^TargetRoleARN is not a known field/);
  });

  it('suggests SourceRoleArn for the typo SourceRolArn', () => {
    expectInputError(
      { SourceRolArn: SOURCE_ROLE },
      'InvalidParameterValue',
      'SourceRolArn',
      'did you mean SourceRoleArn?',
    );
  });

  it('suggests options.externalId for options.externalID', () => {
    expectInputError(
      { SourceRoleArn: SOURCE_ROLE, options: { externalID: 'abc' } },
      'InvalidParameterValue',
      'options.externalID',
      'did you mean externalId?',
    );
  });
});

describe('accounts that must agree', () => {
  it("SourceRoleArn must be in the source ARN's account", () => {
    const role = `arn:aws:iam::${OTHER}:role/r`;
    expectInputError(
      { SourceRoleArn: role },
      'InvalidParameterCombination',
      'SourceRoleArn',
      `account ${OTHER}`,
      `account ${SOURCE}`,
      'the source role must be in the source',
    );
  });

  it('SourceRoleArn with a source given by name takes the role account', () => {
    const v = validateCopyInput(
      input({ SourceDBClusterSnapshotIdentifier: 'src-snap', SourceRoleArn: SOURCE_ROLE }),
    );
    expect(v.sourceAccountId).toBe(SOURCE);
  });

  it("TargetRoleArn must be in the KmsKeyId ARN's account", () => {
    const error = expectInputError(
      { TargetRoleArn: TARGET_ROLE, KmsKeyId: keyArn('us-east-1', OTHER) },
      'InvalidParameterCombination',
      'KmsKeyId',
      `a key of account ${OTHER}`,
      `account ${TARGET} (TargetRoleArn)`,
    );
    expect(error.message).toContain(keyArn('us-east-1', OTHER));
  });

  it('TargetRoleArn accepts a key of its account, or a key given by alias or ID', () => {
    for (const KmsKeyId of [keyArn('us-east-1', TARGET), 'alias/dest', UUID]) {
      const v = validateCopyInput(input({ TargetRoleArn: TARGET_ROLE, KmsKeyId }));
      expect(v.kmsKey?.value).toBe(KmsKeyId);
      expect(v.targetAccountId).toBe(TARGET);
    }
  });

  it('without TargetRoleArn, a KmsKeyId ARN of another account is not checked here', () => {
    const v = validateCopyInput(input({ KmsKeyId: keyArn('us-east-1', OTHER) }));
    expect(v.kmsKey?.accountId).toBe(OTHER);
    expect(v.targetAccountId).toBeUndefined();
  });
});

describe('options.externalId', () => {
  it('needs a role', () => {
    expectInputError(
      { options: { externalId: 'ext-42' } },
      'InvalidParameterCombination',
      'options.externalId',
      'SourceRoleArn or TargetRoleArn',
    );
  });

  it.each([
    ['one character', 'a'],
    ['a space', 'ext 42'],
    ['a character outside the set', 'ext#42'],
    ['1225 characters', 'x'.repeat(1225)],
  ])('refuses %s', (_label, externalId) => {
    expectInputError(
      { TargetRoleArn: TARGET_ROLE, options: { externalId } },
      'InvalidParameterValue',
      'options.externalId',
      '2 to 1224 characters',
    );
  });

  it('refuses an empty string (leave it out instead)', () => {
    expectInputError(
      { TargetRoleArn: TARGET_ROLE, options: { externalId: '' } },
      'InvalidParameterValue',
      'options.externalId',
      'must not be empty',
    );
  });

  it('accepts 2 and 1224 characters of the allowed set', () => {
    for (const externalId of ['ab', 'x'.repeat(1224), 'A_z0+=,.@:/-']) {
      const v = validateCopyInput(input({ TargetRoleArn: TARGET_ROLE, options: { externalId } }));
      expect(v.targetRole).toEqual({ roleArn: TARGET_ROLE, externalId });
    }
  });
});

describe('options.shareKmsKeyId', () => {
  const share = keyArn('us-west-2', SOURCE);

  it('needs a role', () => {
    expectInputError(
      { options: { shareKmsKeyId: share } },
      'InvalidParameterCombination',
      'options.shareKmsKeyId',
      'SourceRoleArn / TargetRoleArn',
    );
  });

  it('must be a key of the source Region', () => {
    const wrong = keyArn('us-east-1', SOURCE);
    const error = expectInputError(
      { SourceRoleArn: SOURCE_ROLE, TargetRoleArn: TARGET_ROLE, options: { shareKmsKeyId: wrong } },
      'InvalidParameterValue',
      'options.shareKmsKeyId',
      'us-east-1',
      'us-west-2',
    );
    expect(error.message).toMatch(/^options\.shareKmsKeyId /);
  });

  it('follows the SourceRegion when it is given (source by name)', () => {
    const v = validateCopyInput(
      input({
        SourceDBClusterSnapshotIdentifier: 'src-snap',
        SourceRegion: 'eu-west-1',
        SourceRoleArn: SOURCE_ROLE,
        options: { shareKmsKeyId: keyArn('eu-west-1', SOURCE) },
      }),
    );
    expect(v.shareKmsKey).toMatchObject({ region: 'eu-west-1', accountId: SOURCE });
  });

  it('must not be malformed', () => {
    expectInputError(
      { TargetRoleArn: TARGET_ROLE, options: { shareKmsKeyId: 'not a key' } },
      'InvalidParameterValue',
      'options.shareKmsKeyId',
      /^options\.shareKmsKeyId "not a key" is not a KMS key reference/,
    );
  });

  it('must be a key of the source account', () => {
    const other = keyArn('us-west-2', OTHER);
    for (const roles of [{ SourceRoleArn: SOURCE_ROLE }, { TargetRoleArn: TARGET_ROLE }]) {
      expectInputError(
        { ...roles, options: { shareKmsKeyId: other } },
        'InvalidParameterCombination',
        'options.shareKmsKeyId',
        `a key of account ${OTHER}`,
        `source account ${SOURCE}`,
      );
    }
  });

  it('an alias or key ID is taken as is', () => {
    for (const shareKmsKeyId of ['alias/share', UUID]) {
      const v = validateCopyInput(input({ TargetRoleArn: TARGET_ROLE, options: { shareKmsKeyId } }));
      expect(v.shareKmsKey?.value).toBe(shareKmsKeyId);
      expect(v.shareKmsKey?.accountId).toBeUndefined();
    }
  });
});

describe('a valid cross-account input', () => {
  it('carries the roles, the accounts and the share key', () => {
    const v = validateCopyInput(
      input({
        SourceRoleArn: SOURCE_ROLE,
        TargetRoleArn: TARGET_ROLE,
        KmsKeyId: keyArn('us-east-1', TARGET),
        options: { externalId: 'ext-42', shareKmsKeyId: keyArn('us-west-2', SOURCE) },
      }),
    );
    expect(v.sourceRole).toEqual({ roleArn: SOURCE_ROLE, externalId: 'ext-42' });
    expect(v.targetRole).toEqual({ roleArn: TARGET_ROLE, externalId: 'ext-42' });
    expect(v.sourceAccountId).toBe(SOURCE);
    expect(v.targetAccountId).toBe(TARGET);
    expect(v.shareKmsKey).toEqual({
      form: 'key-arn',
      value: keyArn('us-west-2', SOURCE),
      region: 'us-west-2',
      accountId: SOURCE,
    });
    expect(v.kmsKey?.accountId).toBe(TARGET);
    expect(v.sourceRegion).toBe('us-west-2');
    expect(v.crossRegion).toBe(true);
    // The cross-account options become fields of their own, not options.
    expect(v.options).not.toHaveProperty('externalId');
    expect(v.options).not.toHaveProperty('shareKmsKeyId');
  });

  it('without an external ID, the roles carry none', () => {
    const v = validateCopyInput(input({ SourceRoleArn: SOURCE_ROLE, TargetRoleArn: TARGET_ROLE }));
    expect(v.sourceRole).toEqual({ roleArn: SOURCE_ROLE });
    expect(v.targetRole).toEqual({ roleArn: TARGET_ROLE });
    expect(v.shareKmsKey).toBeUndefined();
  });

  it('only a TargetRoleArn: the source account comes from the source ARN', () => {
    const v = validateCopyInput(input({ TargetRoleArn: TARGET_ROLE }));
    expect(v.sourceRole).toBeUndefined();
    expect(v.sourceAccountId).toBe(SOURCE);
    expect(v.targetRole).toEqual({ roleArn: TARGET_ROLE });
    expect(v.targetAccountId).toBe(TARGET);
  });

  it('no roles: no role fields, and the source account only from a source ARN', () => {
    const v = validateCopyInput(input());
    expect(v.sourceRole).toBeUndefined();
    expect(v.targetRole).toBeUndefined();
    expect(v.targetAccountId).toBeUndefined();
    expect(v.sourceAccountId).toBe(SOURCE);
    const byName = validateCopyInput(input({ SourceDBClusterSnapshotIdentifier: 'src-snap' }));
    expect(byName.sourceAccountId).toBeUndefined();
  });
});
