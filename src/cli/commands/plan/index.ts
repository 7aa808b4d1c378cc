// `snapcopy plan validate|schema`: plan files (DESIGN.md "Plans") checked without AWS, and their JSON Schema
// for editors. Neither connects to Temporal.
import type { Command } from 'commander';
import { planJsonSchema } from '../../../shared/plan';
import type { CliContext } from '../../context';
import { EXIT } from '../../errors';
import { prose } from '../../format';
import { renderSchema, renderValidation } from './render';
import { validatePlanFiles } from './report';

export type { PlanValidation, ValidateReport } from './report';

export function registerPlan(program: Command, ctx: CliContext): void {
  const plan = program
    .command('plan')
    .summary('plans: fleets of clusters copied to several Regions on a schedule')
    .description(
      prose(
        'A plan is a YAML file saying which clusters to copy where, when, and how long to keep the copies\n' +
          '(name, schedule, source, destinations, copyTags, tags, priority, retention, notify).',
      ),
    )
    .addHelpText('after', '\nExit codes: 0 done, 2 usage or an invalid plan file.');

  plan
    .command('validate')
    .summary('check plan files')
    .description(
      prose(
        'Check plan files: every rule that can be checked without AWS, all problems at once, each as\n' +
          'FILE:LINE: key path: rule. A valid file prints FILE: ok (what it copies, when, what it keeps).',
      ),
    )
    .argument('<file...>', 'plan files (YAML)')
    .addHelpText(
      'after',
      '\nExit codes: 0 every file is a valid plan, 2 some file is not (or cannot be read).',
    )
    .action(async (files: string[]) => {
      const report = await validatePlanFiles(files);
      ctx.out(renderValidation(report));
      if (!report.ok) ctx.exitCode = EXIT.usage;
    });

  plan
    .command('schema')
    .summary("print the plan file's JSON Schema (for editors)")
    .description(
      prose(
        'Print the JSON Schema (draft 2020-12) of a plan file, generated from the schema plan validate uses;\n' +
          'e.g. snapcopy plan schema > snapcopy-plan.schema.json and point the editor’s YAML support at it.',
      ),
    )
    .action(() => {
      ctx.out(renderSchema(planJsonSchema()));
    });
}
