// Reading a KMS key policy: does it let another account use the key?
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceKeyPolicyStatements } from '../../src/shared/cross-account';
import { KEY_ACTIONS_FOR_COPY, keyPolicyAllows, missingKeyActions } from '../../src/shared/key-policy';

const ACCOUNT = '222222222222';
const OTHER = '333333333333';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, action: unknown) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  Resource: '*',
});
const deny = (principal: unknown, action: unknown) => ({ ...allow(principal, action), Effect: 'Deny' });

describe('keyPolicyAllows: principals', () => {
  it.each<[string, unknown]>([
    ['everyone ("*")', '*'],
    ['everyone ({ AWS: "*" })', { AWS: '*' }],
    ['the bare account ID', { AWS: ACCOUNT }],
    ["the account's root", { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
    ['a role in the account', { AWS: `arn:aws:iam::${ACCOUNT}:role/snapcopy/target` }],
    ['a user in the account', { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }],
    ['an assumed-role session in the account', { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s` }],
    ['the account in another partition', { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }],
    [
      'a list that includes the account',
      { AWS: [`arn:aws:iam::${OTHER}:root`, `arn:aws:iam::${ACCOUNT}:root`] },
    ],
  ])('allows %s', (_label, principal) => {
    expect(keyPolicyAllows(policy(allow(principal, 'kms:Decrypt')), ACCOUNT, 'kms:Decrypt')).toBe(true);
  });

  it.each<[string, unknown]>([
    ['another account', { AWS: `arn:aws:iam::${OTHER}:root` }],
    ["another account's bare ID", { AWS: OTHER }],
    ['a list of other accounts', { AWS: [OTHER, `arn:aws:iam::${OTHER}:role/x`] }],
    ['an account whose ID contains this one', { AWS: `arn:aws:iam::1${ACCOUNT.slice(1)}:root` }],
    ['a service principal', { Service: 'rds.amazonaws.com' }],
    ['no principal', undefined],
    ['a principal that is neither * nor an object', 42],
    ['an ARN naming the account in the resource part only', { AWS: `arn:aws:iam::${OTHER}:role/${ACCOUNT}` }],
  ])('refuses %s', (_label, principal) => {
    expect(keyPolicyAllows(policy(allow(principal, 'kms:Decrypt')), ACCOUNT, 'kms:Decrypt')).toBe(false);
  });
});

describe('keyPolicyAllows: actions', () => {
  const root = { AWS: `arn:aws:iam::${ACCOUNT}:root` };
  const allows = (action: unknown, asked: string) =>
    keyPolicyAllows(policy(allow(root, action)), ACCOUNT, asked);

  it('matches an exact action', () => {
    expect(allows('kms:CreateGrant', 'kms:CreateGrant')).toBe(true);
    expect(allows('kms:CreateGrant', 'kms:Decrypt')).toBe(false);
    expect(allows('kms:CreateGrant', 'kms:CreateGrants')).toBe(false);
  });

  it('matches the wildcards * and ?', () => {
    expect(allows('kms:*', 'kms:CreateGrant')).toBe(true);
    expect(allows('*', 'kms:DescribeKey')).toBe(true);
    expect(allows('kms:Create*', 'kms:CreateGrant')).toBe(true);
    expect(allows('kms:Create*', 'kms:Decrypt')).toBe(false);
    expect(allows('kms:De?crypt', 'kms:Decrypt')).toBe(false);
    expect(allows('kms:Decr?pt', 'kms:Decrypt')).toBe(true);
    expect(allows('rds:*', 'kms:Decrypt')).toBe(false);
  });

  it('treats the other regex characters literally', () => {
    expect(allows('kms.Decrypt', 'kms:Decrypt')).toBe(false);
    expect(allows('kms:(Decrypt)', 'kms:Decrypt')).toBe(false);
    expect(allows('kms:Decrypt|kms:Encrypt', 'kms:Decrypt')).toBe(false);
  });

  it('is case-insensitive, as IAM action names are', () => {
    expect(allows('KMS:createGRANT', 'kms:CreateGrant')).toBe(true);
    expect(allows('kms:create*', 'kms:CreateGrant')).toBe(true);
  });

  it('takes a list of actions', () => {
    expect(allows(['kms:Encrypt', 'kms:Decrypt'], 'kms:Decrypt')).toBe(true);
    expect(allows(['kms:Encrypt', 'kms:Decrypt'], 'kms:CreateGrant')).toBe(false);
    expect(allows(['kms:Encrypt', 42, null, 'kms:CreateGrant'], 'kms:CreateGrant')).toBe(true);
  });

  it('ignores a statement without actions', () => {
    expect(allows(undefined, 'kms:Decrypt')).toBe(false);
    expect(allows({ not: 'a list' }, 'kms:Decrypt')).toBe(false);
  });
});

describe('keyPolicyAllows: statements', () => {
  const root = { AWS: `arn:aws:iam::${ACCOUNT}:root` };

  it('an explicit Deny wins over any Allow, in any order', () => {
    expect(
      keyPolicyAllows(policy(allow(root, 'kms:*'), deny('*', 'kms:CreateGrant')), ACCOUNT, 'kms:CreateGrant'),
    ).toBe(false);
    expect(
      keyPolicyAllows(policy(deny(root, 'kms:Create*'), allow('*', '*')), ACCOUNT, 'kms:CreateGrant'),
    ).toBe(false);
  });

  it('a Deny of another account or another action does not matter', () => {
    const p = policy(allow(root, 'kms:*'), deny({ AWS: OTHER }, 'kms:*'), deny(root, 'kms:Decrypt'));
    expect(keyPolicyAllows(p, ACCOUNT, 'kms:CreateGrant')).toBe(true);
    expect(keyPolicyAllows(p, ACCOUNT, 'kms:Decrypt')).toBe(false);
    expect(keyPolicyAllows(p, OTHER, 'kms:CreateGrant')).toBe(false);
  });

  it('only Effect "Allow" allows', () => {
    const odd = { ...allow(root, 'kms:*'), Effect: 'Permit' };
    expect(keyPolicyAllows(policy(odd), ACCOUNT, 'kms:Decrypt')).toBe(false);
    const none = { Principal: root, Action: 'kms:*' };
    expect(keyPolicyAllows(policy(none), ACCOUNT, 'kms:Decrypt')).toBe(false);
  });

  it('takes a single Statement object as well as a list', () => {
    const single = JSON.stringify({ Version: '2012-10-17', Statement: allow(root, 'kms:*') });
    expect(keyPolicyAllows(single, ACCOUNT, 'kms:CreateGrant')).toBe(true);
    expect(keyPolicyAllows(single, OTHER, 'kms:CreateGrant')).toBe(false);
  });

  it.each([
    ['invalid JSON', '{"Statement": ['],
    ['an empty string', ''],
    ['JSON null', 'null'],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['an empty Statement list', '{"Statement":[]}'],
  ])('allows nothing for %s', (_label, text) => {
    expect(keyPolicyAllows(text, ACCOUNT, 'kms:Decrypt')).toBe(false);
  });
});

describe('missingKeyActions', () => {
  const root = { AWS: `arn:aws:iam::${ACCOUNT}:root` };

  it('is the three copy actions, in order', () => {
    expect(KEY_ACTIONS_FOR_COPY).toEqual(['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt']);
  });

  it('lists exactly the missing actions, in KEY_ACTIONS_FOR_COPY order', () => {
    expect(missingKeyActions(policy(allow(root, 'kms:*')), ACCOUNT)).toEqual([]);
    expect(missingKeyActions(policy(allow(root, ['kms:Decrypt', 'kms:DescribeKey'])), ACCOUNT)).toEqual([
      'kms:CreateGrant',
    ]);
    expect(missingKeyActions(policy(allow(root, ['kms:Decrypt'])), ACCOUNT)).toEqual([
      'kms:DescribeKey',
      'kms:CreateGrant',
    ]);
    expect(missingKeyActions(policy(allow(root, 'kms:Describe*')), ACCOUNT)).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
    ]);
    expect(missingKeyActions(policy(allow(root, 'kms:*'), deny(root, 'kms:Decrypt')), ACCOUNT)).toEqual([
      'kms:Decrypt',
    ]);
    expect(missingKeyActions('not json', ACCOUNT)).toEqual(KEY_ACTIONS_FOR_COPY);
    expect(missingKeyActions(policy(allow(root, 'kms:*')), OTHER)).toEqual(KEY_ACTIONS_FOR_COPY);
  });

  it("the statements snapcopy recommends are enough (the grant statement's Condition is not evaluated)", () => {
    const owner = allow({ AWS: 'arn:aws:iam::111111111111:root' }, 'kms:*');
    const p = policy(owner, ...sourceKeyPolicyStatements('aws', ACCOUNT));
    expect(missingKeyActions(p, ACCOUNT)).toEqual([]);
  });
});

describe('property: the recommended statements', () => {
  const account = fc.stringMatching(/^\d{12}$/);
  const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b');

  it('allow every copy action for their account, and none for any other account', () => {
    fc.assert(
      fc.property(partition, account, account, (p, acct, other) => {
        fc.pre(acct !== other);
        const text = policy(...sourceKeyPolicyStatements(p, acct));
        expect(missingKeyActions(text, acct)).toEqual([]);
        for (const action of KEY_ACTIONS_FOR_COPY) {
          expect(keyPolicyAllows(text, acct, action)).toBe(true);
          expect(keyPolicyAllows(text, other, action)).toBe(false);
        }
        expect(missingKeyActions(text, other)).toEqual(KEY_ACTIONS_FOR_COPY);
      }),
    );
  });

  it('a Deny of kms:* for the account takes every copy action away', () => {
    fc.assert(
      fc.property(partition, account, (p, acct) => {
        const text = policy(...sourceKeyPolicyStatements(p, acct), deny({ AWS: acct }, 'kms:*'));
        expect(missingKeyActions(text, acct)).toEqual(KEY_ACTIONS_FOR_COPY);
      }),
    );
  });
});

describe('conditional Deny (an organisation guardrail)', () => {
  it('does not take a Deny with a Condition to apply, but an unconditional one does', () => {
    const allow = sourceKeyPolicyStatements('aws', '222222222222');
    const guardrail = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    };
    const guarded = JSON.stringify({ Statement: [...allow, guardrail] });
    expect(missingKeyActions(guarded, '222222222222')).toEqual([]);
    const { Condition: _condition, ...unconditional } = guardrail;
    const denied = JSON.stringify({ Statement: [...allow, unconditional] });
    expect(missingKeyActions(denied, '222222222222')).toEqual([...KEY_ACTIONS_FOR_COPY]);
  });
});
