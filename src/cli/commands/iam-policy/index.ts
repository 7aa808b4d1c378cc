// `snapcopy iam-policy`: prints the least-privilege IAM policy for the given Regions and keys (no I/O: the
// flags make the policy's input and report.ts the policy, with policy.ts; JSON is its rendering, so there is no
// render.ts). With --cross-account, cross-account.ts makes every policy a cross-account copy needs, printed as
// one JSON object.
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { collectString } from '../../parse';
import { iamPolicyReport, type IamPolicyFlags } from './report';

export type { PolicyDocument } from './policy';
export type { CrossAccountPolicies } from './cross-account';

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
          '- for plans: rds:DescribeDBClusters in the source Regions, and sns:Publish on each --sns-topic-arn;\n' +
          '- for restore tests, in the target Region: rds:RestoreDBClusterFromSnapshot and rds:CreateDBInstance only\n' +
          '  for a cluster snapcopy-verify-* and its writer created with the tags snapcopy:managed=true and\n' +
          '  snapcopy:verify-of (and on the copy and the groups they use), rds:DeleteDBInstance / rds:DeleteDBCluster\n' +
          '  (no final snapshot) only on those carrying both tags, rds:DescribeDBClusters/DescribeDBInstances; with\n' +
          '  --canary-secret-arn, rds:EnableHttpEndpoint and rds-data:ExecuteStatement on those tagged clusters and\n' +
          '  secretsmanager:GetSecretValue on each secret.\n' +
          'Note: a principal that may tag snapshots with snapcopy:managed=true could mark a foreign snapshot as owned;\n' +
          'RDS has no condition key that limits tagging to creation, so keep this policy for snapcopy alone.\n\n' +
          'With --cross-account, print instead one JSON object with every policy a cross-account copy needs for the\n' +
          'way the worker is deployed ("layout"): with only --target-role-arn the worker runs in the source account,\n' +
          'with only --source-role-arn in the destination account, with both in a third (tooling) account;\n' +
          '--layout all prints the three for the same two accounts. Each has "worker" (the worker\'s own policy:\n' +
          'sts:AssumeRole on the roles, and the statements of the side it acts on as itself), "sourceRole" and/or\n' +
          '"targetRole" (each its arn, trustPolicy, which trusts the worker\'s principal, and policy), and\n' +
          '"sourceKeyPolicy" (the statements to add to the key policy of each source key, so that the target account\n' +
          'can copy snapshots encrypted with it). The source side finds and shares snapshots in the source Regions\n' +
          '(and, with --share-kms-key-arn, re-encrypts aws/rds-encrypted ones first); the target side copies them,\n' +
          'in the source Region first when the copy crosses Regions.',
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
    .option(
      '--canary-secret-arn <arn>',
      "a restore test's SQL canary secret (the Data API on throwaway clusters, GetSecretValue on it); repeat for more",
      collectString,
    )
    .option(
      '--account <id>',
      'the AWS account ID (default: AWS_ACCOUNT_ID, else *); with --cross-account, the account the worker runs in',
    )
    .option('--json', 'print JSON (the default: the policy is JSON)')
    .option('--cross-account', 'print every policy a cross-account copy needs (see above)')
    .option(
      '--source-role-arn <arn>',
      'with --cross-account: the role snapcopy assumes in the source account',
    )
    .option(
      '--target-role-arn <arn>',
      'with --cross-account: the role snapcopy assumes in the target account',
    )
    .option(
      '--source-kms-key-arn <arn>',
      'with --cross-account: a source-account key the source snapshots are encrypted with, in a source Region; ' +
        'repeat for more (default: every key of the source account in the source Regions)',
      collectString,
    )
    .option(
      '--share-kms-key-arn <arn>',
      'with --cross-account: the source-account customer managed key aws/rds-encrypted snapshots are ' +
        're-encrypted with before sharing (default: no re-encryption)',
    )
    .option(
      '--layout <layout>',
      'with --cross-account: worker-in-source, worker-in-destination, tooling or all (default: from the roles given)',
    )
    .option('--external-id <id>', 'with --cross-account: the sts:ExternalId both trust policies require')
    .option(
      '--worker-principal <arn>',
      'with --cross-account: the principal the worker runs as, trusted by both roles ' +
        "(default: the root of the worker's account: the side without a role, else --account)",
    )
    .addHelpText(
      'after',
      '\nWith --cross-account, --kms-key-arn names destination-account keys: in the target Region\n' +
        'and, for the intermediate copy, in the source Regions (default: every key of the target\n' +
        'account there).\n' +
        '\nExit codes: 0 printed, 2 usage (bad Region, account, key or role ARN).',
    )
    .action((flags: IamPolicyFlags) => ctx.json(iamPolicyReport(flags, ctx.env.AWS_ACCOUNT_ID)));
}
