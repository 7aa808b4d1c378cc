// `snapcopy verify <snapshot>`: validate locally, start the verifyCopy workflow (a restore test of a copy:
// restore it into a throwaway cluster with one writer, check it, time it, delete it), optionally follow it.
import type { Command } from 'commander';
import { DEFAULT_VERIFY_DEADLINE_SECONDS, DEFAULT_VERIFY_POLL_SECONDS } from '../../../shared/verify-input';
import type { CliContext } from '../../context';
import { EXIT } from '../../errors';
import { formatDurationCompact, prose } from '../../format';
import { collectString, parseDurationSeconds, parseInteger } from '../../parse';
import { followVerify } from '../../verifies';
import { noWorkerWarning, renderStarted, renderVerifyResult } from './render';
import { startVerify, type VerifyCommandFlags } from './report';

async function verify(ctx: CliContext, snapshot: string, flags: VerifyCommandFlags): Promise<void> {
  const { started, client, namespace, workerPolling } = await startVerify(ctx, snapshot, flags);
  if (!workerPolling) ctx.note(noWorkerWarning(namespace, started.taskQueue));
  if (!flags.wait) {
    if (flags.json) ctx.json(started);
    else ctx.out(renderStarted(started));
    return;
  }
  const text = renderStarted(started, { following: true });
  if (flags.json) ctx.note(text);
  else ctx.out(text);
  const result = await followVerify(ctx, client, started.workflowId, {
    enabled: flags.json === true,
    base: started,
  });
  if (!result) return;
  if (!flags.json) ctx.out(renderVerifyResult(result));
  // Only a restorable copy passed: a failed or cancelled test proved nothing.
  if (result.outcome !== 'restorable') ctx.exitCode = EXIT.failed;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .summary('restore-test a copy (starts a verifyCopy workflow)')
    .description(
      prose(
        'Prove a copy restores: restore it into a throwaway DB cluster snapcopy-verify-<8 hex> with one writer,\n' +
          'check engine, version and encryption (and optionally run a SQL canary through the RDS Data API), time\n' +
          'it, and delete everything it made, whatever happens. The input is checked locally with the rules the\n' +
          'workflow applies, before anything starts. The workflow ID is\n' +
          'snapcopy-verify-<Region>-<lowercased snapshot identifier>; a second test of the same copy is refused while\n' +
          'one runs. Restore tests take a restore slot (one per account and Region by default) and queue for it.\n' +
          'Reference: docs/restore-tests.md.',
      ),
    )
    .argument('<snapshot>', 'the copy to restore: DB cluster snapshot name or ARN')
    .requiredOption('--region <region>', 'Region the copy is in (and the test runs in)')
    .option(
      '--instance-class <class>',
      "the writer's DB instance class (default per engine, e.g. db.t4g.medium)",
    )
    .option('--subnet-group <name>', 'DB subnet group of the throwaway cluster (default: the default VPC)')
    .option(
      '--security-group <sg-id>',
      'VPC security group of the throwaway cluster; repeat for more',
      collectString,
    )
    .option(
      '--deadline <duration>',
      `give up (clean up, fail) this long after the restore slot was granted (default ${formatDurationCompact(DEFAULT_VERIFY_DEADLINE_SECONDS)})`,
      parseDurationSeconds,
    )
    .option(
      '--poll-seconds <n>',
      `longest wait between looks at the throwaway cluster and writer, 1-600 (default ${DEFAULT_VERIFY_POLL_SECONDS}; low values are for the local emulator)`,
      parseInteger,
    )
    .option(
      '--target-role-arn <arn>',
      'IAM role in the account the copy is in to assume (default: the worker’s own)',
    )
    .option('--external-id <id>', 'sts:ExternalId for assuming --target-role-arn')
    .option(
      '--sql <statement>',
      'SQL canary run through the RDS Data API on the restored cluster (needs --secret-arn)',
    )
    .option('--secret-arn <arn>', 'Secrets Manager secret with the database credentials, for --sql')
    .option('--database <name>', 'database for --sql')
    .option(
      '--expect <n|text>',
      "--sql's first column of the first row: a number is a minimum, text must match",
    )
    .option('--wait', 'follow the restore test with a live view until it ends (Ctrl-C detaches, exit 130)')
    .option('--json', 'print JSON: the started workflow, or with --wait the result')
    .addHelpText(
      'after',
      '\nExit codes: 0 started (with --wait: restorable), 1 refused, or failed or cancelled, 2 usage or invalid\n' +
        'input, 130 detached with Ctrl-C (the restore test goes on).\n\n' +
        'Examples:\n' +
        '  snapcopy verify prod-1-dr --region us-west-2 --wait\n' +
        '  snapcopy verify prod-1-dr --region us-west-2 --instance-class db.r6g.large \\\n' +
        '    --sql "select count(*) from orders" --expect 1 \\\n' +
        '    --secret-arn arn:aws:secretsmanager:us-west-2:123456789012:secret:prod-canary --database app',
    )
    .action(async (snapshot: string, flags: VerifyCommandFlags) => verify(ctx, snapshot, flags));
}
