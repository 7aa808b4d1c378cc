// `snapcopy status <workflow-id>`: a copy's (or restore test's) execution status, times and live progress, or
// how it ended.
import type { Command } from 'commander';
import type { CliContext } from '../../context';
import { prose } from '../../format';
import { renderStatus } from './render';
import { renderVerifyStatus } from './render-verify';
import { isVerifyStatus, statusReport } from './report';

export type { AnyStatusReport, StatusReport } from './report';
export type { VerifyStatusReport } from './report-verify';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .summary("show a copy's (or a restore test's) status and progress")
    .description(
      prose(
        "Show a copy's execution status (Running, Completed, Failed, Cancelled, Terminated, TimedOut), its start and\n" +
          "close time and, while it runs, its live progress (phase, percent, ETA) from the workflow's progress query.\n" +
          'For a closed copy the result or failure is read from Temporal (no worker needed). A restore test\n' +
          '(snapcopy verify) shows its phase, throwaway cluster, timings and checks, and once closed its outcome and\n' +
          'whether everything it made was deleted.',
      ),
    )
    .argument(
      '<workflow-id>',
      "the copy's or restore test's workflow ID (snapcopy copy and snapcopy verify print it)",
    )
    .option('--json', 'print the status report as JSON')
    .addHelpText(
      'after',
      "\nExit codes: 0 reported (whatever the copy's state), 1 no such copy or Temporal error, 2 usage.",
    )
    .action(async (workflowId: string, flags: { json?: boolean }) => {
      const { client } = await ctx.temporal();
      const report = await statusReport(client, workflowId);
      if (flags.json) ctx.json(report);
      else ctx.out(isVerifyStatus(report) ? renderVerifyStatus(report) : renderStatus(report));
    });
}
