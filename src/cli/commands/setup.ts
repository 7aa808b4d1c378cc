// `snapcopy setup`: registers snapcopy's custom search attributes on the namespace (once per cluster).
import type { Command } from 'commander';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { cliTypeName, SEARCH_ATTRIBUTES } from '../../shared/search-attributes';
import type { CliContext } from '../context';
import { prose } from '../format';
import { CliError, oneLine } from '../errors';

/** The `temporal` CLI name of an indexed value type as the operator service reports it. */
function typeNameOf(indexed: number | undefined): string {
  const type = Object.values(SearchAttributeType).find(
    (t) => encodeSearchAttributeIndexedValueType(t) === indexed,
  );
  return type === undefined ? `type ${indexed}` : cliTypeName(type);
}

async function setup(ctx: CliContext, flags: { json?: boolean }): Promise<void> {
  const { client, settings } = await ctx.temporal();
  const operator = client.connection.operatorService;
  const namespace = settings.namespace;
  const wanted = SEARCH_ATTRIBUTES.map((sa) => ({ name: sa.name, type: sa.type }));
  const listing = (): string => wanted.map((w) => `${w.name} (${cliTypeName(w.type)})`).join(', ');
  try {
    const existing = (await operator.listSearchAttributes({ namespace })).customAttributes ?? {};
    const conflict = wanted.find((w) => {
      const type = existing[w.name];
      return type !== undefined && type !== encodeSearchAttributeIndexedValueType(w.type);
    });
    if (conflict) {
      throw new CliError(
        `search attribute ${conflict.name} exists in namespace ${namespace} as ${typeNameOf(existing[conflict.name])}, ` +
          `but snapcopy needs ${cliTypeName(conflict.type)}: remove or rename it, then run setup again`,
      );
    }
    const missing = wanted.filter((w) => existing[w.name] === undefined);
    if (missing.length > 0) {
      await operator.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((w) => [w.name, encodeSearchAttributeIndexedValueType(w.type) ?? 0]),
        ),
      });
    }
    const added = new Set(missing.map((m) => m.name));
    const rows = wanted.map((w) => ({
      name: w.name,
      type: cliTypeName(w.type),
      state: added.has(w.name) ? 'registered' : 'already registered',
    }));
    if (flags.json) ctx.json({ namespace, searchAttributes: rows });
    else {
      for (const r of rows) ctx.out(`${r.name} (${r.type}): ${r.state}`);
      ctx.out(`namespace ${namespace} is ready for snapcopy`);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      `could not register search attributes in namespace ${namespace}: ` +
        `${oneLine(err instanceof Error ? err.message : String(err))}; on Temporal Cloud add them with tcld or the ` +
        `Cloud UI: ${listing()}`,
    );
  }
}

export function registerSetup(program: Command, ctx: CliContext): void {
  program
    .command('setup')
    .summary("register snapcopy's search attributes on the Temporal namespace (run once per cluster)")
    .description(
      prose(
        "Register snapcopy's custom search attributes on the connected namespace through the operator service:\n" +
          `${SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${cliTypeName(sa.type)})`).join(', ')}.\n` +
          'Copies set them so the Temporal UI and `snapcopy list` can filter; starting a copy fails until they exist.\n' +
          'Idempotent: attributes already registered are left as they are. The local stack registers them itself.',
      ),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 registered (or already were), 1 Temporal refused (e.g. a type conflict), 2 usage.',
    )
    .action(async (flags: { json?: boolean }) => setup(ctx, flags));
}
