// `snapcopy prune`: delete old snapcopy-owned copies in a Region, keeping the newest --keep per source cluster.
import type { Command } from 'commander';
import { createActivities, createAwsClients } from '../../../activities';
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import type { CliContext } from '../../context';
import { CliError, EXIT, UsageError } from '../../errors';
import { prose } from '../../format';
import { parseInteger } from '../../parse';
import type { PrunePlan } from './plan';
import { confirmQuestion, failedDeletionsNote, needsYesMessage, renderPrune } from './render';
import {
  deleteVictims,
  planIn,
  pruneFlagsOf,
  pruneReport,
  victimsOf,
  type PruneFlags,
  type Removal,
} from './report';

async function prune(ctx: CliContext, given: PruneFlags): Promise<void> {
  const flags = pruneFlagsOf(given);
  const clients = createAwsClients();
  const activities = createActivities(clients);
  const show = (plan: PrunePlan, results: ReadonlyMap<string, Removal>, dryRun: boolean) => {
    const r = pruneReport(flags, plan, results, dryRun);
    if (flags.json) ctx.json(r);
    else ctx.out(renderPrune(r));
    return r;
  };
  try {
    const plan = await planIn(activities, flags);
    const victims = victimsOf(plan);
    if (flags.dryRun) {
      show(plan, new Map(), true);
      return;
    }
    if (victims.length > 0 && !flags.yes) {
      if (!ctx.io.confirm || flags.json) {
        show(plan, new Map(), true);
        throw new UsageError(needsYesMessage(victims.length));
      }
      ctx.out(renderPrune(pruneReport(flags, plan, new Map(), true)));
      if (!(await ctx.io.confirm(confirmQuestion(victims.length, flags.targetRegion)))) {
        throw new CliError('nothing deleted');
      }
    }
    const r = show(plan, await deleteVictims(activities, flags.targetRegion, victims), false);
    if (r.failed > 0) {
      ctx.exitCode = EXIT.failed;
      ctx.note(failedDeletionsNote(r.failed));
    }
  } finally {
    clients.destroy?.();
  }
}

export function registerPrune(program: Command, ctx: CliContext): void {
  program
    .command('prune')
    .summary('delete old snapcopy-owned copies in a Region, keeping the newest per source cluster')
    .description(
      prose(
        'Delete old copies that snapcopy made in a Region, keeping the newest --keep of each source cluster: the\n' +
          "same selection a copy's quota pruning and --retain use, run here without a workflow. Only copies tagged\n" +
          `${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE} in status available are candidates; copies still copying, ` +
          'snapshots\nsnapcopy did not make, and copies without a source-cluster tag are never touched, and every ' +
          'deletion\nre-checks the ownership tag first. Uses the default AWS credential chain (AWS_ENDPOINT_URL honoured).',
      ),
    )
    .requiredOption('--target-region <region>', 'the Region whose copies are pruned')
    .option(
      '--source-cluster <cluster>',
      'only copies of this source DB cluster (default: every source cluster)',
    )
    .option('--keep <n>', 'keep the newest n available copies of each source cluster', parseInteger, 1)
    .option('--dry-run', 'list what would be deleted and kept; delete nothing')
    .option('--yes', 'delete without asking (required when not on a terminal)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (or nothing to do), 1 a deletion or AWS call failed, or declined at the prompt,\n' +
        '2 usage (including deleting without --yes when there is no terminal to ask).',
    )
    .action(async (flags: PruneFlags) => prune(ctx, flags));
}
