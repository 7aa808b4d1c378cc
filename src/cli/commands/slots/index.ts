// `snapcopy slots`: the copy-slot schedulers (one copySlots workflow per account and destination Region) with
// their capacity, the copies holding a slot and the queue in grant order.
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { renderSlots } from './render';
import { checkRegion, slotsReport, temporalSlotsSource } from './report';

export type { SlotsReport } from './report';

export function registerSlots(program: Command, ctx: CliContext): void {
  program
    .command('slots')
    .summary('show the copy slots per account and Region: capacity, holders, queue')
    .description(
      prose(
        'Show the copy-slot schedulers (workflow type copySlots, one per account and destination Region): the\n' +
          'capacity snapcopy may use now (lowered while AWS counts copies snapcopy did not start), the copies\n' +
          'holding a slot, and the copies waiting for one in grant order (priority, then arrival).',
      ),
    )
    .option('--target-region <region>', 'only the scheduler of this destination Region')
    .option('--json', 'print JSON (an array of the schedulers’ slots views)')
    .addHelpText(
      'after',
      '\nExit codes: 0 shown (also when no scheduler runs), 1 Temporal error or a scheduler did not answer, 2 usage.',
    )
    .action(async (flags: { targetRegion?: string; json?: boolean }) => {
      const region = checkRegion(flags.targetRegion);
      const { client } = await ctx.temporal();
      const report = await slotsReport(temporalSlotsSource(client), region);
      for (const u of report.unanswered) {
        ctx.note(`warning: ${u.workflowId} did not answer its slots query (${u.error})`);
      }
      if (report.unanswered.length > 0) ctx.exitCode = 1;
      if (flags.json) ctx.json(report.schedulers);
      else if (report.schedulers.length > 0 || report.unanswered.length === 0)
        ctx.out(renderSlots(report.schedulers));
    });
}
