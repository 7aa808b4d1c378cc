// `snapcopy iam-policy`: prints the least-privilege IAM policy for the given Regions and keys.
import type { Command } from 'commander';
import { ACCOUNT_ID_PATTERN, parseArn, partitionOfRegion } from '../../shared/arn';
import { InputError, validateRegion } from '../../shared/validation';
import type { CliContext } from '../context';
import { prose } from '../format';
import { UsageError } from '../errors';
import { buildIamPolicy } from '../iam-policy';
import { collectString } from '../parse';

interface IamPolicyFlags {
  sourceRegion?: string[];
  targetRegion: string;
  kmsKeyArn?: string[];
  account?: string;
  json?: boolean;
}

function region(value: string, flag: string): string {
  try {
    return validateRegion(value, flag);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
}

function iamPolicy(ctx: CliContext, flags: IamPolicyFlags): void {
  const targetRegion = region(flags.targetRegion, '--target-region');
  const sourceRegions = (flags.sourceRegion ?? [targetRegion]).map((r) => region(r, '--source-region'));
  const partition = partitionOfRegion(targetRegion);
  for (const r of sourceRegions) {
    if (partitionOfRegion(r) !== partition) {
      throw new UsageError(
        `--source-region ${r} is not in partition ${partition} of --target-region ${targetRegion}`,
      );
    }
  }
  const account = flags.account ?? (ctx.env.AWS_ACCOUNT_ID || '*');
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
  ctx.json(buildIamPolicy({ sourceRegions, targetRegion, kmsKeyArns, account }));
}

export function registerIamPolicy(program: Command, ctx: CliContext): void {
  program
    .command('iam-policy')
    .summary('print the least-privilege IAM policy snapcopy needs')
    .description(
      prose(
        'Print (as JSON) the least-privilege IAM policy for the snapcopy worker and `snapcopy prune`:\n' +
          '- rds:DescribeDBClusterSnapshots, rds:ListTagsForResource, rds:CopyDBClusterSnapshot on cluster snapshots\n' +
          '  of the source and target Regions (a cross-Region copy is also authorized on the source snapshot);\n' +
          '- rds:AddTagsToResource in the target Region, only in requests that set snapcopy:managed=true (tags at creation);\n' +
          '- rds:DeleteDBClusterSnapshot in the target Region, only on snapshots tagged snapcopy:managed=true;\n' +
          '- kms:DescribeKey, kms:CreateGrant (for AWS resources only) and Decrypt/Encrypt/GenerateDataKey*/ReEncrypt*\n' +
          '  (through RDS only) on the given source and destination key ARNs, or every key in the Regions.\n' +
          'Note: a principal that may tag snapshots with snapcopy:managed=true could mark a foreign snapshot as owned;\n' +
          'RDS has no condition key that limits tagging to creation, so keep this policy for snapcopy alone.',
      ),
    )
    .option(
      '--source-region <region>',
      'a Region copies are made from; repeat for more (default: --target-region)',
      collectString,
    )
    .requiredOption('--target-region <region>', 'the Region copies are made in')
    .option(
      '--kms-key-arn <arn>',
      'a source or destination KMS key ARN; repeat for more (default: every key of the account in the Regions)',
      collectString,
    )
    .option('--account <id>', 'the AWS account ID (default: AWS_ACCOUNT_ID, else *)')
    .option('--json', 'print JSON (the default: the policy is JSON)')
    .addHelpText('after', '\nExit codes: 0 printed, 2 usage (bad Region, account or key ARN).')
    .action((flags: IamPolicyFlags) => iamPolicy(ctx, flags));
}
