// `snapcopy iam-policy`, the report: the policy's input from the flags, checked (a bad Region is an InputError,
// the rest usage errors: exit 2), and the policy document(s) it makes (policy.ts, cross-account.ts). No I/O:
// the report is printed as JSON as it is.
import { ACCOUNT_ID_PATTERN, parseArn, partitionOfRegion, type ParsedArn } from '../../../shared/arn';
import { EXTERNAL_ID_PATTERN, parseRoleArn } from '../../../shared/cross-account';
import { validateRegion } from '../../../shared/validation';
import { UsageError } from '../../errors';
import {
  LAYOUTS,
  buildAllLayouts,
  buildCrossAccountPolicies,
  type CrossAccountInput,
  type CrossAccountPolicies,
  type Layout,
} from './cross-account';
import { buildIamPolicy, type IamPolicyInput, type PolicyDocument } from './policy';

export interface IamPolicyFlags {
  sourceRegion?: string[];
  targetRegion: string;
  kmsKeyArn?: string[];
  snsTopicArn?: string[];
  canarySecretArn?: string[];
  account?: string;
  json?: boolean;
  // --cross-account and the flags only it takes
  crossAccount?: boolean;
  sourceRoleArn?: string;
  targetRoleArn?: string;
  sourceKmsKeyArn?: string[];
  shareKmsKeyArn?: string;
  externalId?: string;
  workerPrincipal?: string;
  layout?: string;
}

/** The flags that only mean something with --cross-account. */
const CROSS_ACCOUNT_FLAGS = {
  sourceRoleArn: '--source-role-arn',
  targetRoleArn: '--target-role-arn',
  sourceKmsKeyArn: '--source-kms-key-arn',
  shareKmsKeyArn: '--share-kms-key-arn',
  externalId: '--external-id',
  workerPrincipal: '--worker-principal',
  layout: '--layout',
} as const satisfies Partial<Record<keyof IamPolicyFlags, string>>;

interface Regions {
  sourceRegions: string[];
  targetRegion: string;
  partition: string;
}

function regionsOf(flags: IamPolicyFlags): Regions {
  const targetRegion = validateRegion(flags.targetRegion, '--target-region');
  const sourceRegions = (flags.sourceRegion ?? [targetRegion]).map((r) =>
    validateRegion(r, '--source-region'),
  );
  const partition = partitionOfRegion(targetRegion);
  for (const r of sourceRegions) {
    if (partitionOfRegion(r) !== partition) {
      throw new UsageError(
        `--source-region ${r} is not in partition ${partition} of --target-region ${targetRegion}`,
      );
    }
  }
  return { sourceRegions, targetRegion, partition };
}

/** --account, else AWS_ACCOUNT_ID, else `*`. */
function accountOf(flags: IamPolicyFlags, envAccount: string | undefined): string {
  const account = flags.account ?? (envAccount || '*');
  if (account !== '*' && !ACCOUNT_ID_PATTERN.test(account)) {
    throw new UsageError(`--account ${JSON.stringify(account)} must be a 12-digit AWS account ID (or *)`);
  }
  return account;
}

/** A KMS key ARN (not an alias: IAM authorizes KMS operations on keys) in one of `regions`. */
function keyArnOf(
  flag: string,
  arn: string,
  partition: string,
  regions: Set<string>,
  regionRule: string,
): ParsedArn {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'kms' || !parsed.resource.startsWith('key/')) {
    throw new UsageError(
      `${flag} ${JSON.stringify(arn)} must be a KMS key ARN (arn:${partition}:kms:<region>:<account>:key/<key ID>); ` +
        'IAM authorizes KMS operations on keys, not aliases',
    );
  }
  if (!regions.has(parsed.region)) {
    throw new UsageError(`${flag} ${arn} is in ${parsed.region}, which is ${regionRule}`);
  }
  return parsed;
}

function topicArnsOf(flags: IamPolicyFlags, partition: string): string[] {
  return (flags.snsTopicArn ?? []).map((arn) => {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'sns' || parsed.resource === '' || parsed.resource.includes(':')) {
      throw new UsageError(
        `--sns-topic-arn ${JSON.stringify(arn)} must be an SNS topic ARN (arn:${partition}:sns:<region>:<account>:<topic>)`,
      );
    }
    return arn;
  });
}

/** Secrets Manager secret ARNs (the full ARN, with the suffix Secrets Manager adds) in the partition. */
function canarySecretArnsOf(flags: IamPolicyFlags, partition: string): string[] {
  return [
    ...new Set(
      (flags.canarySecretArn ?? []).map((arn) => {
        const parsed = parseArn(arn);
        if (
          parsed?.service !== 'secretsmanager' ||
          parsed.partition !== partition ||
          !/^secret:[^:*?]+$/.test(parsed.resource)
        ) {
          throw new UsageError(
            `--canary-secret-arn ${JSON.stringify(arn)} must be a Secrets Manager secret ARN ` +
              `(arn:${partition}:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)`,
          );
        }
        return arn;
      }),
    ),
  ];
}

const DESTINATION_REGION_RULE = 'neither a --source-region nor the --target-region';

export function policyInputOf(flags: IamPolicyFlags, envAccount: string | undefined): IamPolicyInput {
  const given = Object.entries(CROSS_ACCOUNT_FLAGS).filter(
    ([key]) => flags[key as keyof IamPolicyFlags] !== undefined,
  );
  if (given.length > 0) {
    throw new UsageError(`${given.map(([, flag]) => flag).join(', ')}: only with --cross-account`);
  }
  const { sourceRegions, targetRegion, partition } = regionsOf(flags);
  const account = accountOf(flags, envAccount);
  const regions = new Set([...sourceRegions, targetRegion]);
  const kmsKeyArns = (flags.kmsKeyArn ?? []).map((arn) => {
    keyArnOf('--kms-key-arn', arn, partition, regions, DESTINATION_REGION_RULE);
    return arn;
  });
  const snsTopicArns = topicArnsOf(flags, partition);
  const canarySecretArns = canarySecretArnsOf(flags, partition);
  return {
    sourceRegions,
    targetRegion,
    kmsKeyArns,
    account,
    ...(snsTopicArns.length ? { snsTopicArns } : {}),
    ...(canarySecretArns.length ? { canarySecretArns } : {}),
  };
}

// --- --cross-account ------------------------------------------------------------------------------------------

/** A role ARN in the partition of the Regions, and its account. */
function roleOf(
  flag: '--source-role-arn' | '--target-role-arn',
  arn: string,
  { partition, targetRegion }: Regions,
): { arn: string; accountId: string } {
  const role = parseRoleArn(arn);
  if (!role) {
    throw new UsageError(
      `${flag} ${JSON.stringify(arn)} must be an IAM role ARN (arn:${partition}:iam::<12-digit account>:role/<name>)`,
    );
  }
  if (role.partition !== partition) {
    throw new UsageError(
      `${flag} ${arn} is in partition ${role.partition}, not in partition ${partition} of --target-region ${targetRegion}`,
    );
  }
  return { arn, accountId: role.accountId };
}

/** --layout: one of LAYOUTS or `all`; absent, it follows from the roles given. */
export function layoutFlagOf(flags: IamPolicyFlags): Layout | 'all' | undefined {
  const layout = flags.layout;
  if (layout === undefined || layout === 'all' || (LAYOUTS as readonly string[]).includes(layout)) {
    return layout as Layout | 'all' | undefined;
  }
  throw new UsageError(`--layout ${JSON.stringify(layout)} must be one of ${[...LAYOUTS, 'all'].join(', ')}`);
}

/** The roles a layout needs: a side without a role is the worker's own account. */
const NEEDS: Record<Layout | 'all', { source: boolean; target: boolean }> = {
  'worker-in-source': { source: false, target: true },
  'worker-in-destination': { source: true, target: false },
  tooling: { source: true, target: true },
  all: { source: true, target: true },
};

/** A key ARN of `account` in one of `regions` (and the partition). */
function accountKeyArnOf(
  flag: string,
  arn: string,
  partition: string,
  regions: Set<string>,
  regionRule: string,
  account: { id: string; what: string; flag: string },
): string {
  const key = keyArnOf(flag, arn, partition, regions, regionRule);
  if (key.partition !== partition) {
    throw new UsageError(`${flag} ${arn} is in partition ${key.partition}, not ${partition}`);
  }
  if (key.accountId !== account.id) {
    throw new UsageError(
      `${flag} ${arn} is in account ${key.accountId}, not in ${account.what} ${account.id} (of ${account.flag})`,
    );
  }
  return arn;
}

/** An IAM principal ARN: `arn:<p>:iam::<account>:root|role/…|user/…`, or an `arn:<p>:sts::…:assumed-role/…`. */
function workerPrincipalOf(arn: string, partition: string): string {
  const parsed = parseArn(arn);
  const ok =
    parsed !== undefined &&
    parsed.partition === partition &&
    parsed.region === '' &&
    ACCOUNT_ID_PATTERN.test(parsed.accountId) &&
    ((parsed.service === 'iam' && /^(?:root|(?:role|user)\/\S+)$/.test(parsed.resource)) ||
      (parsed.service === 'sts' && /^assumed-role\/\S+\/\S+$/.test(parsed.resource)));
  if (!ok) {
    throw new UsageError(
      `--worker-principal ${JSON.stringify(arn)} must be an IAM principal ARN in partition ${partition} ` +
        `(arn:${partition}:iam::<account>:role/<name>, …:user/<name> or …:root)`,
    );
  }
  return arn;
}

export function crossAccountInputOf(
  flags: IamPolicyFlags,
  envAccount: string | undefined,
): CrossAccountInput {
  const where = regionsOf(flags);
  const { partition, targetRegion } = where;
  const sourceRegions = [...new Set(where.sourceRegions)];
  const account = accountOf(flags, envAccount);
  const layout = layoutFlagOf(flags);
  if (layout === undefined && flags.sourceRoleArn === undefined && flags.targetRoleArn === undefined) {
    throw new UsageError(
      '--cross-account needs --source-role-arn <arn> (the worker runs in the destination account), ' +
        '--target-role-arn <arn> (it runs in the source account) or both (it runs in a third account)',
    );
  }
  const needs = layout === undefined ? undefined : NEEDS[layout];
  const role = (
    flag: '--source-role-arn' | '--target-role-arn',
    arn: string | undefined,
    needed?: boolean,
  ) => {
    if (arn === undefined && needed) {
      throw new UsageError(
        `--layout ${layout} needs ${flag} <arn>: the role snapcopy assumes in the ` +
          `${flag === '--source-role-arn' ? 'source' : 'target'} account`,
      );
    }
    return arn === undefined ? undefined : roleOf(flag, arn, where);
  };
  const sourceRole = role('--source-role-arn', flags.sourceRoleArn, needs?.source);
  const targetRole = role('--target-role-arn', flags.targetRoleArn, needs?.target);
  // The side without a role (or whose role the layout does not use) is the account the worker runs in.
  const worker = () => {
    if (account === '*') {
      throw new UsageError(
        'a side without a role is the account the worker runs in: give --account <id> (or AWS_ACCOUNT_ID)',
      );
    }
    return account;
  };
  const sourceAccount = sourceRole?.accountId ?? worker();
  const targetAccount = targetRole?.accountId ?? worker();
  if (sourceAccount === targetAccount) {
    throw new UsageError(
      `the source and the target are both account ${sourceAccount}: a cross-account copy needs two accounts ` +
        '(within one account, leave out --cross-account)',
    );
  }
  const useSource = needs ? needs.source : sourceRole !== undefined;
  const useTarget = needs ? needs.target : targetRole !== undefined;

  const inSource = new Set(sourceRegions);
  const source = { id: sourceAccount, what: 'the source account', flag: '--source-role-arn' };
  const sourceKeyOf = (flag: string) => (arn: string) =>
    accountKeyArnOf(flag, arn, partition, inSource, 'not a --source-region', source);
  const sourceKmsKeyArns = [
    ...new Set((flags.sourceKmsKeyArn ?? []).map(sourceKeyOf('--source-kms-key-arn'))),
  ];
  const shareKmsKeyArn =
    flags.shareKmsKeyArn === undefined ? undefined : sourceKeyOf('--share-kms-key-arn')(flags.shareKmsKeyArn);
  const target = { id: targetAccount, what: 'the target account', flag: '--target-role-arn' };
  const allRegions = new Set([...sourceRegions, targetRegion]);
  const kmsKeyArns = [
    ...new Set(
      (flags.kmsKeyArn ?? []).map((arn) =>
        accountKeyArnOf('--kms-key-arn', arn, partition, allRegions, DESTINATION_REGION_RULE, target),
      ),
    ),
  ];

  if (flags.externalId !== undefined && !EXTERNAL_ID_PATTERN.test(flags.externalId)) {
    throw new UsageError(
      `--external-id ${JSON.stringify(flags.externalId)} must be 2 to 1224 characters, each a letter, digit ` +
        'or one of _+=,.@:/-',
    );
  }
  // The worker runs in the account of the side without a role; in a tooling account, --account's.
  const workerAccount = !useSource ? sourceAccount : !useTarget ? targetAccount : account;
  let workerPrincipal: string;
  if (flags.workerPrincipal !== undefined) {
    workerPrincipal = workerPrincipalOf(flags.workerPrincipal, partition);
  } else if (workerAccount !== '*') {
    workerPrincipal = `arn:${partition}:iam::${workerAccount}:root`;
  } else {
    throw new UsageError(
      '--cross-account needs the principal the worker runs as, which both roles trust: give --worker-principal <arn>, ' +
        `or --account <id> (or AWS_ACCOUNT_ID) for arn:${partition}:iam::<id>:root`,
    );
  }
  const snsTopicArns = topicArnsOf(flags, partition);
  const canarySecretArns = canarySecretArnsOf(flags, partition);

  return {
    partition,
    sourceRegions,
    targetRegion,
    ...(useSource && sourceRole ? { sourceRoleArn: sourceRole.arn } : {}),
    sourceAccount,
    ...(useTarget && targetRole ? { targetRoleArn: targetRole.arn } : {}),
    targetAccount,
    sourceKmsKeyArns,
    ...(shareKmsKeyArn === undefined ? {} : { shareKmsKeyArn }),
    kmsKeyArns,
    ...(flags.externalId === undefined ? {} : { externalId: flags.externalId }),
    workerPrincipal,
    ...(snsTopicArns.length ? { snsTopicArns } : {}),
    ...(canarySecretArns.length ? { canarySecretArns } : {}),
  };
}

/** What `iam-policy` prints: the policy, or with --cross-account the layout's policies (or every layout's). */
export type IamPolicyReport =
  PolicyDocument | CrossAccountPolicies | { layouts: Record<Layout, CrossAccountPolicies> };

export function iamPolicyReport(flags: IamPolicyFlags, envAccount: string | undefined): IamPolicyReport {
  return flags.crossAccount
    ? layoutFlagOf(flags) === 'all'
      ? { layouts: buildAllLayouts(crossAccountInputOf(flags, envAccount)) }
      : buildCrossAccountPolicies(crossAccountInputOf(flags, envAccount))
    : buildIamPolicy(policyInputOf(flags, envAccount));
}
