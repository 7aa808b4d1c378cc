// `snapcopy plan validate`, the checking part: each file read and checked on its own (src/cli/plan-file.ts),
// then the rules across files; what can be told only with AWS is noted, not guessed.
import { destinationsWithoutKey, type Plan } from '../../../shared/plan';
import { readPlanFile, type PlanFile, type PlanFileProblem } from '../../plan-file';

export interface PlanValidation {
  file: string;
  /** Set when the file is a valid plan. */
  plan?: Plan;
  problems: PlanFileProblem[];
  /** What only AWS can tell, for a valid plan: e.g. a destination without kmsKeyId (needed if encrypted). */
  warnings: PlanFileProblem[];
}

export interface ValidateReport {
  files: PlanValidation[];
  /** Every file is a valid plan. */
  ok: boolean;
}

/** Checks plan files (read one after another, in the order given). */
export async function validatePlanFiles(
  files: string[],
  read: (file: string) => Promise<PlanFile> = readPlanFile,
): Promise<ValidateReport> {
  const parsed: PlanFile[] = [];
  for (const file of files) parsed.push(await read(file));
  return validationReport(parsed);
}

/** The rules across files (a plan name once: it is the schedule's ID), and the warnings. Pure. */
export function validationReport(parsed: PlanFile[]): ValidateReport {
  const byName = new Map<string, string>();
  const results = parsed.map((f): PlanValidation => {
    const problems = [...f.problems];
    const warnings: PlanFileProblem[] = [];
    const plan = f.plan;
    if (plan !== undefined) {
      const first = byName.get(plan.name);
      if (first !== undefined) {
        problems.push(
          at(f, ['name'], {
            path: 'name',
            message: `${plan.name} is already the name of the plan in ${first}: each plan has its own schedule snapcopy-plan-<name>`,
          }),
        );
      } else byName.set(plan.name, f.file);
      for (const i of destinationsWithoutKey(plan)) {
        const d = plan.destinations[i];
        warnings.push(
          at(f, ['destinations', i], {
            path: `destinations[${i}].kmsKeyId`,
            message:
              `not given: required if the source snapshots are encrypted (copied from ${plan.source.region} to ` +
              `${d?.region ?? '?'}); the source's encryption is checked with --aws`,
          }),
        );
      }
    }
    const result: PlanValidation = { file: f.file, problems, warnings };
    if (plan !== undefined && problems.length === 0) result.plan = plan;
    return result;
  });
  return { files: results, ok: results.every((r) => r.plan !== undefined) };
}

function at(f: PlanFile, path: (string | number)[], problem: PlanFileProblem): PlanFileProblem {
  const line = f.lineAt?.(path);
  return line === undefined ? problem : { line, ...problem };
}
