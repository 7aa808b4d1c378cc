// `snapcopy iam-policy`: the policy's input from the flags, checked (a bad Region is an InputError, the rest
// usage errors: exit 2). Pure.
import { ACCOUNT_ID_PATTERN, parseArn, partitionOfRegion } from '../../../shared/arn';
import { validateRegion } from '../../../shared/validation';
import { UsageError } from '../../errors';
import type { IamPolicyInput } from './policy';

export interface IamPolicyFlags {
  sourceRegion?: string[];
  targetRegion: string;
  kmsKeyArn?: string[];
  snsTopicArn?: string[];
  account?: string;
  json?: boolean;
}

export function policyInputOf(flags: IamPolicyFlags, envAccount: string | undefined): IamPolicyInput {
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
  const account = flags.account ?? (envAccount || '*');
  if (account !== '*' && !ACCOUNT_ID_PATTERN.test(account)) {
    throw new UsageError(`--account ${JSON.stringify(account)} must be a 12-digit AWS account ID (or *)`);
  }
  const regions = new Set([...sourceRegions, targetRegion]);
  const kmsKeyArns = (flags.kmsKeyArn ?? []).map((arn) => {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'kms' || !parsed.resource.startsWith('key/')) {
      throw new UsageError(
        `--kms-key-arn ${JSON.stringify(arn)} must be a KMS key ARN (arn:${partition}:kms:<region>:<account>:key/<key ID>); ` +
          'IAM authorizes KMS operations on keys, not aliases',
      );
    }
    if (!regions.has(parsed.region)) {
      throw new UsageError(
        `--kms-key-arn ${arn} is in ${parsed.region}, which is neither a --source-region nor the --target-region`,
      );
    }
    return arn;
  });
  const snsTopicArns = (flags.snsTopicArn ?? []).map((arn) => {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'sns' || parsed.resource === '' || parsed.resource.includes(':')) {
      throw new UsageError(
        `--sns-topic-arn ${JSON.stringify(arn)} must be an SNS topic ARN (arn:${partition}:sns:<region>:<account>:<topic>)`,
      );
    }
    return arn;
  });
  return {
    sourceRegions,
    targetRegion,
    kmsKeyArns,
    account,
    ...(snsTopicArns.length ? { snsTopicArns } : {}),
  };
}
