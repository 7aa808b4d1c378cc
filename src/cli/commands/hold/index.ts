// `snapcopy hold set|clear|list`: holds on snapcopy's copies (the tag snapcopy:hold, the value the reason). A
// copy on hold is never deleted by snapcopy: not by prune, retention, quota pruning or a cleanup.
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { createActivities, createAwsClients } from '../../../activities';
import { HOLD_TAG, MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { collectString } from '../../parse';
import {
  defaultReason,
  holdTargetOf,
  listTargetsOf,
  reasonOf,
  type HoldListFlags,
  type HoldSetFlags,
  type HoldTargetFlags,
} from './flags';
import { renderChange, renderList } from './render';
import { clearHold, listHolds, setHold } from './report';

const EXIT_CODES =
  '\nExit codes: 0 done (also a clear of a snapshot without a hold), 1 AWS refused or failed, the snapshot\n' +
  'is not there, or (set) it is not a snapcopy copy, 2 usage.';

function whoAmI(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): $USER
  }
  return defaultReason(user, hostname(), new Date());
}

async function withClients<T>(fn: (clients: ReturnType<typeof createAwsClients>) => Promise<T>): Promise<T> {
  const clients = createAwsClients();
  try {
    return await fn(clients);
  } finally {
    clients.destroy?.();
  }
}

function roleOptions(cmd: Command): Command {
  return cmd
    .option('--role-arn <arn>', "IAM role to assume in the snapshot's account (another account)")
    .option('--external-id <id>', 'sts:ExternalId for assuming --role-arn');
}

export function registerHold(program: Command, ctx: CliContext): void {
  const hold = program
    .command('hold')
    .summary('put snapcopy copies on hold (never deleted), clear holds, list them')
    .description(
      prose(
        `A hold is the tag ${HOLD_TAG} on a snapshot, its value the reason. snapcopy never deletes a snapshot on hold:\n` +
          'not prune, retention or pruning on the snapshot quota (which keep the copies their rules keep and the held\n' +
          'ones besides), not a cancel or a cleanup. Uses the default AWS credential chain (AWS_ENDPOINT_URL honoured).',
      ),
    );

  roleOptions(
    hold
      .command('set <snapshot>')
      .summary('put a snapcopy copy on hold')
      .description(
        prose(
          `Tag a snapshot snapcopy manages (${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE}) with ${HOLD_TAG}=<reason>; other\n` +
            'snapshots are refused (snapcopy never deletes them anyway). <snapshot> is a name or a cluster-snapshot ARN.\n' +
            'Needs rds:DescribeDBClusterSnapshots, rds:ListTagsForResource and rds:AddTagsToResource.',
        ),
      )
      .requiredOption('--region <region>', 'the Region the snapshot is in')
      .option(
        '--reason <text>',
        'why (a tag value: up to 256 letters, digits, spaces, _ . : / = + - @)',
        undefined,
      )
      .option('--json', 'print JSON'),
  )
    .addHelpText('after', `\nThe reason defaults to "held by <user>@<host> at <time>".${EXIT_CODES}`)
    .action(async (snapshot: string, flags: HoldSetFlags) => {
      const target = holdTargetOf(snapshot, flags);
      const reason = reasonOf(flags.reason, whoAmI);
      const change = await withClients((clients) => setHold(clients, target, reason));
      if (flags.json) ctx.json(change);
      else ctx.out(renderChange(change));
    });

  roleOptions(
    hold
      .command('clear <snapshot>')
      .summary('take the hold off a snapshot')
      .description(
        prose(
          `Remove the tag ${HOLD_TAG} from a snapshot: prune and retention may delete it again. Holds are cleared by people:\n` +
            `this needs rds:RemoveTagsFromResource on the snapshot for the tag key ${HOLD_TAG}, which the worker's policy\n` +
            '(snapcopy iam-policy) denies. Also rds:DescribeDBClusterSnapshots and rds:ListTagsForResource.',
        ),
      )
      .requiredOption('--region <region>', 'the Region the snapshot is in')
      .option('--json', 'print JSON'),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (snapshot: string, flags: HoldTargetFlags & { json?: boolean }) => {
      const target = holdTargetOf(snapshot, flags);
      const change = await withClients((clients) => clearHold(clients, target));
      if (flags.json) ctx.json(change);
      else ctx.out(renderChange(change));
    });

  roleOptions(
    hold
      .command('list')
      .summary('list the snapcopy copies on hold')
      .description(
        prose(
          `List the snapcopy copies tagged ${HOLD_TAG} in each Region (every page of DescribeDBClusterSnapshots), oldest\n` +
            'first, with reason, source cluster, creation time and age.',
        ),
      )
      .option('--region <region>', 'a Region to list (repeatable; default AWS_REGION)', collectString, [])
      .option('--json', 'print JSON (an array of held copies)'),
  )
    .addHelpText('after', '\nExit codes: 0 listed (also when none are held), 1 AWS error, 2 usage.')
    .action(async (flags: HoldListFlags) => {
      const { regions, role } = listTargetsOf(flags, process.env);
      const held = await withClients((clients) => listHolds(createActivities(clients), regions, role));
      if (flags.json) ctx.json(held);
      else ctx.out(renderList(held, regions, new Date()));
    });
}
