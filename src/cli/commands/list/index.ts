// `snapcopy list`: copies from Temporal visibility, filtered by state and snapcopy's search attributes.
import { Option, type Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { parseInteger } from '../../parse';
import { renderRows } from './render';
import { checkLimit, listCopies, listQuery, STATES, type ListFilters } from './report';

export type { CopyRow } from './report';

interface ListFlags extends ListFilters {
  limit: number;
  json?: boolean;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .summary('list copies (Temporal visibility)')
    .description(
      prose(
        "List copies from Temporal's visibility store, newest first, filtered by state and by snapcopy's search\n" +
          'attributes. Visibility is eventually consistent: a copy started a moment ago may take a second to appear.',
      ),
    )
    .addOption(new Option('--state <state>', 'only copies in this state').choices(Object.keys(STATES)))
    .option('--source-region <region>', 'only copies from this Region')
    .option('--target-region <region>', 'only copies to this Region')
    .option('--source-cluster <cluster>', 'only copies of this DB cluster')
    .option('--query <visibility-query>', 'an extra Temporal visibility query clause, ANDed with the filters')
    .option('--limit <n>', 'at most this many copies', parseInteger, 50)
    .option('--json', 'print JSON (an array of copies)')
    .addHelpText('after', '\nExit codes: 0 listed (also when none match), 1 Temporal error, 2 usage.')
    .action(async ({ limit, json, ...filters }: ListFlags) => {
      // The filters are checked before connecting: a bad one is a usage error wherever Temporal is.
      const query = listQuery(filters);
      checkLimit(limit);
      const { client } = await ctx.temporal();
      const rows = await listCopies(client, query, limit);
      if (json) ctx.json(rows);
      else ctx.out(renderRows(rows));
    });
}
