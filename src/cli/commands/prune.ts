// `snapcopy prune`: delete old snapcopy-owned copies in a Region, keeping the newest --keep per source cluster.
// The workflow's own selection and deletion code, run in this process (no workflow): only `available` copies
// tagged snapcopy:managed=true are ever candidates, and every deletion re-checks that tag first.
import type { Command } from 'commander';
import { createActivities, createAwsClients } from '../../activities';
import type { OwnedCopy } from '../../activities/types';
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../shared/names';
import { InputError, validateRegion } from '../../shared/validation';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError, explain } from '../errors';
import { formatTime, plural, table, prose } from '../format';
import { parseInteger } from '../parse';
import { planPrune, type PrunePlan } from '../prune-plan';

interface PruneFlags {
  targetRegion: string;
  sourceCluster?: string;
  keep: number;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

type Fate = 'would-delete' | 'deleted' | 'absent' | 'failed';

interface SnapshotEntry {
  identifier: string;
  arn: string;
  status: string;
  createTime?: string;
  sourceCluster?: string;
}

const entry = (c: OwnedCopy): SnapshotEntry => ({
  identifier: c.identifier,
  arn: c.arn,
  status: c.status,
  ...(c.createTime ? { createTime: c.createTime } : {}),
  ...(c.sourceCluster ? { sourceCluster: c.sourceCluster } : {}),
});

interface Removal extends SnapshotEntry {
  result: Fate;
  error?: string;
}

function report(flags: PruneFlags, plan: PrunePlan, results: Map<string, Removal>, dryRun: boolean) {
  const clusters = plan.clusters.map((c) => ({
    sourceCluster: c.sourceCluster,
    delete: c.remove.map(
      (copy): Removal => results.get(copy.identifier) ?? { ...entry(copy), result: 'would-delete' },
    ),
    keep: c.keep.map((k) => ({ ...entry(k.copy), reason: k.reason })),
  }));
  const all = clusters.flatMap((c) => c.delete);
  return {
    targetRegion: flags.targetRegion,
    sourceCluster: flags.sourceCluster ?? null,
    keep: flags.keep,
    dryRun,
    clusters,
    untagged: plan.untagged.map((c) => ({
      ...entry(c),
      reason: `no ${OWNERSHIP_TAGS.sourceCluster} tag: never pruned`,
    })),
    deleted: all.filter((d) => d.result === 'deleted' || d.result === 'absent').length,
    wouldDelete: all.filter((d) => d.result === 'would-delete').length,
    failed: all.filter((d) => d.result === 'failed').length,
    kept: clusters.reduce((n, c) => n + c.keep.length, 0) + plan.untagged.length,
  };
}

type PruneReport = ReturnType<typeof report>;

const FATE_LABEL: Record<Fate, string> = {
  'would-delete': 'would delete',
  deleted: 'deleted',
  absent: 'already gone',
  failed: 'FAILED',
};

function render(r: PruneReport): string {
  const lines = [
    `${r.targetRegion}: snapcopy-owned copies (${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE}), keeping the newest ` +
      `${r.keep} per source cluster${r.dryRun ? ' (dry run: nothing is deleted)' : ''}`,
  ];
  if (r.clusters.length === 0 && r.untagged.length === 0) lines.push('no snapcopy-owned copies found');
  for (const c of r.clusters) {
    lines.push('', `cluster ${c.sourceCluster}`);
    const rows = [
      ...c.delete.map((d) => [
        FATE_LABEL[d.result],
        d.identifier,
        formatTime(d.createTime),
        d.status,
        d.error ?? '',
      ]),
      ...c.keep.map((k) => ['keep', k.identifier, formatTime(k.createTime), k.status, k.reason]),
    ];
    lines.push(table(['', 'SNAPSHOT', 'CREATED', 'STATUS', ''], rows).replace(/^/gm, '  '));
  }
  if (r.untagged.length) {
    lines.push(
      '',
      `never pruned (no ${OWNERSHIP_TAGS.sourceCluster} tag): ${r.untagged.map((u) => u.identifier).join(', ')}`,
    );
  }
  const done = r.dryRun ? `would delete ${r.wouldDelete}` : `deleted ${r.deleted}`;
  lines.push('', `${done}, kept ${r.kept}${r.failed ? `, ${r.failed} failed` : ''}`);
  return lines.join('\n');
}

function checkFlags(flags: PruneFlags): void {
  try {
    validateRegion(flags.targetRegion, '--target-region');
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  if (!Number.isInteger(flags.keep) || flags.keep < 0) throw new UsageError('--keep must be 0 or more');
  if (flags.dryRun && flags.yes) throw new UsageError('give either --dry-run or --yes, not both');
}

async function prune(ctx: CliContext, flags: PruneFlags): Promise<void> {
  if (flags.sourceCluster !== undefined) flags.sourceCluster = flags.sourceCluster.toLowerCase();
  checkFlags(flags);
  const clients = createAwsClients();
  const activities = createActivities(clients);
  try {
    const copies = await activities.listOwnedCopies({
      region: flags.targetRegion,
      ...(flags.sourceCluster !== undefined ? { sourceCluster: flags.sourceCluster } : {}),
    });
    const plan = planPrune(copies, { keep: flags.keep, sourceCluster: flags.sourceCluster });
    const victims = plan.clusters.flatMap((c) => c.remove);
    const results = new Map<string, Removal>();
    const show = (dryRun: boolean) => {
      const r = report(flags, plan, results, dryRun);
      if (flags.json) ctx.json(r);
      else ctx.out(render(r));
      return r;
    };

    if (flags.dryRun) {
      show(true);
      return;
    }
    if (victims.length > 0 && !flags.yes) {
      const n = plural(victims.length, 'snapshot');
      if (!ctx.io.confirm || flags.json) {
        show(true);
        throw new UsageError(
          `nothing deleted: pass --yes to delete the ${n} listed above (or --dry-run to only list)`,
        );
      }
      ctx.out(render(report(flags, plan, results, true)));
      if (!(await ctx.io.confirm(`delete ${n} in ${flags.targetRegion}?`)))
        throw new CliError('nothing deleted');
    }
    for (const copy of victims) {
      try {
        const { result } = await activities.deleteOwnedSnapshot({
          region: flags.targetRegion,
          identifier: copy.identifier,
        });
        results.set(copy.identifier, { ...entry(copy), result });
      } catch (err) {
        results.set(copy.identifier, { ...entry(copy), result: 'failed', error: explain(err).message });
      }
    }
    const r = show(false);
    if (r.failed > 0) {
      ctx.exitCode = EXIT.failed;
      ctx.note(`snapcopy: ${plural(r.failed, 'deletion')} failed (see above)`);
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
