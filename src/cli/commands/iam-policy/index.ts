// `snapcopy iam-policy`: prints the least-privilege IAM policy for the given Regions and keys (no I/O: the
// flags make the policy's input, policy.ts the policy, and JSON is its rendering).
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { collectString } from '../../parse';
import { policyInputOf, type IamPolicyFlags } from './input';
import { buildIamPolicy } from './policy';

export type { PolicyDocument } from './policy';

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
          '  (through RDS only) on the given source and destination key ARNs, or every key in the Regions;\n' +
          '- for plans: rds:DescribeDBClusters in the source Regions, and sns:Publish on each --sns-topic-arn.\n' +
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
    .option(
      '--sns-topic-arn <arn>',
      "a plan's notify.snsTopicArn (sns:Publish on it); repeat for more",
      collectString,
    )
    .option('--account <id>', 'the AWS account ID (default: AWS_ACCOUNT_ID, else *)')
    .option('--json', 'print JSON (the default: the policy is JSON)')
    .addHelpText('after', '\nExit codes: 0 printed, 2 usage (bad Region, account or key ARN).')
    .action((flags: IamPolicyFlags) =>
      ctx.json(buildIamPolicy(policyInputOf(flags, ctx.env.AWS_ACCOUNT_ID))),
    );
}
