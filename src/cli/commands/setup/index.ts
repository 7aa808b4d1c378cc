// `snapcopy setup`: registers snapcopy's custom search attributes on the namespace (once per cluster).
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { renderSetup } from './render';
import { attributeListing, setupNamespace } from './report';

export function registerSetup(program: Command, ctx: CliContext): void {
  program
    .command('setup')
    .summary("register snapcopy's search attributes on the Temporal namespace (run once per cluster)")
    .description(
      prose(
        "Register snapcopy's custom search attributes on the connected namespace through the operator service:\n" +
          `${attributeListing()}.\n` +
          'Copies set them so the Temporal UI and `snapcopy list` can filter; starting a copy fails until they exist.\n' +
          'Idempotent: attributes already registered are left as they are. The local stack registers them itself.',
      ),
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 registered (or already were), 1 Temporal refused (e.g. a type conflict), 2 usage.',
    )
    .action(async (flags: { json?: boolean }) => {
      const { client, settings } = await ctx.temporal();
      const report = await setupNamespace(client, settings.namespace);
      if (flags.json) ctx.json(report);
      else ctx.out(renderSetup(report));
    });
}
