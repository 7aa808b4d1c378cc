// `snapcopy rpo [PLAN...] [--json | --csv] [--output FILE]`: each plan's clusters (as selected now) × its
// destinations, the newest copy's recovery point against the plan's RPO (docs/rpo.md). Exit 1 when a row
// is breach or missing, so CI and cron can run it.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { rpoExitCode } from '../../../shared/rpo';
import type { CliContext } from '../../context';
import { CliError, EXIT, UsageError, oneLine } from '../../errors';
import { prose } from '../../format';
import { renderCsv, renderTable } from './render';
import { checkPlanNames, rpoReport } from './report';

interface RpoFlags {
  json?: boolean;
  csv?: boolean;
  output?: string;
}

export function registerRpo(program: Command, ctx: CliContext): void {
  program
    .command('rpo')
    .argument('[plan...]', 'applied plan names (default: every applied plan)')
    .summary("recovery points: each plan cluster's newest copy per destination against the plan's rpo")
    .description(
      prose(
        'For each plan (the plan its schedule snapcopy-plan-<name> carries), the clusters it selects now ×\n' +
          "its destinations: the newest available snapcopy copy there, its recovery point (the source snapshot's\n" +
          "creation time, tag snapcopy:recovery-point), its age, the plan's rpo and the status ok, breach or\n" +
          "missing, and the last restore test. AWS is read with the plan's roles, one listing per destination.",
      ),
    )
    .option('--json', 'print the report as JSON')
    .option('--csv', 'print CSV (RFC 4180, a header row)')
    .option('--output <file>', 'write the output to FILE instead of stdout')
    .addHelpText(
      'after',
      '\nExit codes: 0 every row ok, 1 a row is breach or missing (or AWS/Temporal failed), 2 usage or an unknown plan.',
    )
    .action(async (names: string[], flags: RpoFlags) => {
      if (flags.json && flags.csv) throw new UsageError('give --json or --csv, not both');
      if (flags.output !== undefined && flags.output.trim() === '')
        throw new UsageError('--output needs a file name');
      const wanted = checkPlanNames(names);
      const { client } = await ctx.temporal();
      const report = await rpoReport({ client }, wanted);
      for (const note of report.notes) ctx.note(note);
      const text = flags.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : flags.csv
          ? renderCsv(report)
          : `${renderTable(report)}\n`;
      if (flags.output !== undefined) {
        try {
          writeFileSync(flags.output, text);
        } catch (err) {
          throw new CliError(
            `cannot write ${flags.output}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
            EXIT.usage,
          );
        }
      } else ctx.io.stdout.write(text);
      ctx.exitCode = rpoExitCode(report.rows);
    });
}
