// `snapcopy plan validate` and `plan schema`, what they print. Pure.
import type { Plan } from '../../../shared/plan';
import type { PlanFileProblem } from '../../plan-file';
import { plural } from '../../format';
import type { PlanValidation, ValidateReport } from './report-validate';
import { scheduleText } from './schedules';

/** Printed once after the files: what `plan validate` cannot tell without AWS. */
export const WITHOUT_AWS_NOTE =
  'not checked without AWS: whether the source snapshots are encrypted (then kmsKeyId is required for every ' +
  'destination in another Region) and whether the clusters, tags and KMS keys exist; these are checked with --aws';

/** `FILE:LINE:COL: path: message`, the parts that are known. */
export function problemLine(file: string, p: PlanFileProblem, kind?: 'warning'): string {
  const where = [file, p.line, p.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${kind ? `${kind}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;
}

function tagList(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** What a plan copies: `2 clusters × 2 destinations (us-west-2, eu-west-1)`. */
export function selectionText(plan: Plan): string {
  const { clusters, tags } = plan.source;
  const tagged = Object.keys(tags).length > 0 ? `clusters tagged ${tagList(tags)}` : undefined;
  const named = clusters.length > 0 ? plural(clusters.length, 'cluster') : undefined;
  const what = named && tagged ? `${named} + ${tagged}` : (named ?? tagged ?? 'no clusters');
  const regions = plan.destinations.map((d) => d.region).join(', ');
  return `${what} in ${plan.source.region} × ${plural(plan.destinations.length, 'destination')} (${regions})`;
}

/** `rpo 26h` or `rpo 12h (default: twice every 6h)` */
export function rpoText(plan: Plan): string {
  return `rpo ${plan.rpo.text}${plan.rpo.derived === undefined ? '' : ` (default: ${plan.rpo.derived})`}`;
}

export function retentionText(plan: Plan): string {
  if (plan.retention === undefined) return 'no retention (copies are kept)';
  const rules = Object.entries(plan.retention).map(([rule, n]) => `${rule} ${n}`);
  return `retention ${rules.join(', ')}`;
}

/** `FILE: ok (…)` */
export function okLine(file: string, plan: Plan): string {
  const parts = [selectionText(plan), scheduleText(plan), rpoText(plan), retentionText(plan)];
  if (plan.notify) parts.push(plan.notify.on === 'always' ? 'notify on every run' : 'notify on failure');
  if (plan.verify) {
    const skipped = plan.destinations.filter((d) => d.verify === false).length;
    parts.push(
      `restore tests every ${plan.verify.every} (at most ${plan.verify.maxPerRun} per destination and run` +
        `${skipped ? `; ${skipped} destination${skipped === 1 ? '' : 's'} opted out` : ''})`,
    );
  }
  return `${file}: ok (${parts.join('; ')})`;
}

export function renderFile(v: PlanValidation): string[] {
  if (v.plan !== undefined) {
    return [okLine(v.file, v.plan), ...v.warnings.map((w) => problemLine(v.file, w, 'warning'))];
  }
  return v.problems.map((p) => problemLine(v.file, p));
}

/** Every file's lines, then the note on what needs AWS when some plan was valid. */
export function renderValidation(report: ValidateReport): string {
  const lines = report.files.flatMap(renderFile);
  const invalid = report.files.filter((f) => f.plan === undefined).length;
  if (invalid > 0 && report.files.length > 1) {
    lines.push(`${plural(invalid, 'file')} of ${report.files.length} not valid`);
  }
  if (report.files.some((f) => f.plan !== undefined)) lines.push(WITHOUT_AWS_NOTE);
  return lines.join('\n');
}

export function renderSchema(schema: Record<string, unknown>): string {
  return JSON.stringify(schema, null, 2);
}

/** `plan validate --aws`: each file's offline result, then what AWS said (facts, or the problems it found). */
export function renderAwsValidation(
  report: ValidateReport,
  checks: ReadonlyMap<string, { problems: PlanFileProblem[]; facts: string[]; warnings: PlanFileProblem[] }>,
): string {
  const lines: string[] = [];
  for (const v of report.files) {
    const check = v.plan === undefined ? undefined : checks.get(v.file);
    if (v.plan === undefined || check === undefined) {
      lines.push(...renderFile(v));
      continue;
    }
    if (check.problems.length > 0) lines.push(...check.problems.map((p) => problemLine(v.file, p)));
    else lines.push(okLine(v.file, v.plan), `${v.file}: AWS ok (${check.facts.join('; ')})`);
    lines.push(...check.warnings.map((w) => problemLine(v.file, w, 'warning')));
  }
  const invalid = report.files.filter(
    (f) => f.plan === undefined || (checks.get(f.file)?.problems.length ?? 0) > 0,
  );
  if (invalid.length > 0 && report.files.length > 1) {
    lines.push(`${plural(invalid.length, 'file')} of ${report.files.length} not valid`);
  }
  return lines.join('\n');
}
