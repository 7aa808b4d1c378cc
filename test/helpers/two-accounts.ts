// Two accounts in the in-memory AWS, as the cross-account workflow tests and properties use them: a prod
// snapshot in the source account (someone else's share of it included, which must stay), the source's keys
// (a customer managed key the destination may use, aws/rds, a share key) and the destination's DR keys.
import { FakeAws } from './fake-aws';

const MINUTE = 60 * 1000;

export const SOURCE_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const SOURCE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/snapcopy-source`;
export const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/snapcopy-target`;
export const EAST = 'us-east-1';
export const WEST = 'us-west-2';
export const SOURCE_KEY = `arn:aws:kms:${EAST}:${SOURCE_ACCOUNT}:key/1111aaaa-0000-4000-8000-000000000001`;
export const AWS_RDS_KEY = `arn:aws:kms:${EAST}:${SOURCE_ACCOUNT}:key/1111aaaa-0000-4000-8000-000000000002`;

export type Encryption = 'none' | 'cmk' | 'aws/rds';

export interface Accounts {
  source: string;
  target: string;
}
const ROLES_ONLY: Accounts = { source: SOURCE_ACCOUNT, target: TARGET_ACCOUNT };

/** A prod snapshot in the source account, and keys: the source's, a share key, the destination's. */
export function twoAccountsAws(
  clock: () => Promise<number>,
  encryption: Encryption,
  allowTarget = true,
  accounts: Accounts = ROLES_ONLY,
): FakeAws {
  const { source: SOURCE_ACCOUNT, target: TARGET_ACCOUNT } = accounts;
  const aws = new FakeAws(clock);
  aws.copyDurationMs = 30 * MINUTE;
  aws.keys.push(
    {
      account: SOURCE_ACCOUNT,
      region: EAST,
      keyId: '1111aaaa-0000-4000-8000-000000000001',
      aliases: [],
      ...(allowTarget ? { allowAccounts: [TARGET_ACCOUNT] } : {}),
    },
    {
      account: SOURCE_ACCOUNT,
      region: EAST,
      keyId: '1111aaaa-0000-4000-8000-000000000002',
      aliases: ['alias/aws/rds'],
      awsManaged: true,
    },
    {
      account: SOURCE_ACCOUNT,
      region: EAST,
      keyId: '1111aaaa-0000-4000-8000-000000000003',
      aliases: ['alias/share'],
      allowAccounts: [TARGET_ACCOUNT],
    },
    {
      account: TARGET_ACCOUNT,
      region: EAST,
      keyId: '2222bbbb-0000-4000-8000-000000000001',
      aliases: ['alias/dr'],
    },
    {
      account: TARGET_ACCOUNT,
      region: WEST,
      keyId: '2222bbbb-0000-4000-8000-000000000002',
      aliases: ['alias/dr'],
    },
  );
  aws.addSnapshot({
    account: SOURCE_ACCOUNT,
    region: EAST,
    identifier: 'prod-2026-12-01',
    cluster: 'prod',
    encrypted: encryption !== 'none',
    ...(encryption === 'cmk' ? { kmsKeyId: SOURCE_KEY.replace(ROLES_ONLY.source, SOURCE_ACCOUNT) } : {}),
    ...(encryption === 'aws/rds' ? { kmsKeyId: AWS_RDS_KEY.replace(ROLES_ONLY.source, SOURCE_ACCOUNT) } : {}),
    sharedWith: ['333333333333'], // someone else's share, which must stay
  });
  return aws;
}
