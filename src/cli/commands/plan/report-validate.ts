// `snapcopy plan validate`, the report: each file read and checked on its own (src/cli/plan-file.ts), then the
// rules across files; what can be told only with AWS is noted, not guessed.
//
// With --aws, also what only AWS can tell about a valid plan, with the credentials the CLI has: every named
// cluster exists in source.region, the tags select at least one cluster, each destination's kmsKeyId resolves
// in its Region to an enabled key RDS can use, and — when a chosen cluster's newest snapshot is encrypted —
// every destination in another Region has a kmsKeyId. The activities do the AWS calls, as the workflow would
// (findPlanSources, resolveKmsKey).
import { ApplicationFailure } from '@temporalio/common';
import {
  createActivities,
  createAwsClients,
  type PlanSources,
  type ResolvedKmsKey,
  type ResolveKmsKeyInput,
  type FindPlanSourcesInput,
} from '../../../activities';
import { destinationsWithoutKey, formatPath, type Plan } from '../../../shared/plan';
import { CliError, oneLine } from '../../errors';
import { plural } from '../../format';
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

// --- with AWS (--aws) --------------------------------------------------------------------------------------

/** The two activities the checks use (a fake in unit tests). */
export interface AwsCheckActivities {
  findPlanSources(input: FindPlanSourcesInput): Promise<PlanSources>;
  resolveKmsKey(input: ResolveKmsKeyInput): Promise<ResolvedKmsKey>;
}

export interface AwsCheck {
  problems: PlanFileProblem[];
  /** What AWS answered, for the ok line: `3 clusters (prod-a, prod-b, prod-c; 1 tagged backup=dr)`. */
  facts: string[];
  /** Things not checked (another account's roles are not assumed by the CLI). */
  warnings: PlanFileProblem[];
}

/** KMS answers about the key itself are plan problems; anything else (credentials, network) is not. */
const KEY_FAULT = 'KMSKeyNotAccessibleFault';

function cannotCheck(file: string, err: unknown): CliError {
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`cannot check ${file} with AWS: ${oneLine(message)}`);
}

const tagText = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export async function checkPlanWithAws(
  file: string,
  plan: Plan,
  aws: AwsCheckActivities,
  lineAt: (path: (string | number)[]) => number | undefined = () => undefined,
): Promise<AwsCheck> {
  const problems: PlanFileProblem[] = [];
  const warnings: PlanFileProblem[] = [];
  const facts: string[] = [];
  /** A problem at `path` (its line), shown as `shown` when that key is not in the file. */
  const at = (path: (string | number)[], message: string, shown = formatPath(path)): PlanFileProblem => {
    const line = lineAt(path);
    return { ...(line !== undefined ? { line } : {}), path: shown, message };
  };
  const { region, clusters, tags } = plan.source;
  if (plan.source.roleArn !== undefined) {
    warnings.push(
      at(
        ['source', 'roleArn'],
        'not assumed by plan validate: the source is looked up with the current credentials',
      ),
    );
  }
  let named: PlanSources = { sources: [], missing: [] };
  let tagged: PlanSources = { sources: [], missing: [] };
  try {
    if (clusters.length > 0) named = await aws.findPlanSources({ region, clusters, tags: {} });
    if (Object.keys(tags).length > 0) tagged = await aws.findPlanSources({ region, clusters: [], tags });
  } catch (err) {
    throw cannotCheck(file, err);
  }
  for (const missing of named.missing) {
    const i = clusters.indexOf(missing);
    problems.push(
      at(['source', 'clusters', i < 0 ? 0 : i], `cluster ${missing} does not exist in ${region}`),
    );
  }
  if (Object.keys(tags).length > 0) {
    if (tagged.sources.length === 0) {
      problems.push(
        at(['source', 'tags'], `no DB cluster in ${region} carries all of these tags (${tagText(tags)})`),
      );
    } else {
      const list = tagged.sources.map((s) => s.cluster);
      facts.push(
        `tags ${tagText(tags)} select ${plural(list.length, 'cluster')} (${list.slice(0, 10).join(', ')}` +
          `${list.length > 10 ? ', ...' : ''})`,
      );
    }
  }
  const chosen = new Map([...named.sources, ...tagged.sources].map((s) => [s.cluster, s]));
  if (clusters.length > 0 && named.missing.length === 0)
    facts.push(`${plural(clusters.length, 'named cluster')} found`);
  const encrypted = [...chosen.values()].filter((s) => s.snapshot?.encrypted === true);
  const noSnapshot = [...chosen.values()].filter((s) => s.snapshot === undefined).map((s) => s.cluster);
  if (noSnapshot.length > 0) {
    warnings.push({
      path: 'source',
      message: `no available snapshot yet of ${noSnapshot.join(', ')} in ${region} (a run would report no-snapshot)`,
    });
  }
  facts.push(
    encrypted.length > 0
      ? `${plural(encrypted.length, 'newest snapshot')} encrypted`
      : 'newest snapshots not encrypted',
  );
  for (const [i, d] of plan.destinations.entries()) {
    if (d.kmsKeyId !== undefined) {
      try {
        const key = await aws.resolveKmsKey({ region: d.region, keyId: d.kmsKeyId });
        facts.push(`${d.kmsKeyId} in ${d.region} is key ${key.keyId}`);
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === KEY_FAULT) {
          problems.push(at(['destinations', i, 'kmsKeyId'], oneLine(err.message)));
        } else throw cannotCheck(file, err);
      }
    } else if (encrypted.length > 0 && d.region !== region) {
      const first = encrypted[0]!;
      problems.push(
        at(
          ['destinations', i],
          `required: the newest snapshot of cluster ${first.cluster} (${first.snapshot?.identifier}) is ` +
            `encrypted, and a copy from ${region} to ${d.region} needs a KMS key of ${d.region}`,
          `destinations[${i}].kmsKeyId`,
        ),
      );
    }
    if (d.roleArn !== undefined) {
      warnings.push(
        at(
          ['destinations', i, 'roleArn'],
          'not assumed by plan validate: the key is looked up with the current credentials',
        ),
      );
    }
  }
  return { problems, facts, warnings };
}

/** `plan validate --aws`: every file checked offline, then each valid plan with AWS (default credential chain). */
export async function validatePlanFilesWithAws(
  files: string[],
): Promise<{ report: ValidateReport; checks: Map<string, AwsCheck> }> {
  const parsed = [];
  for (const file of files) parsed.push(await readPlanFile(file));
  const report = validationReport(parsed);
  const clients = createAwsClients();
  const activities = createActivities(clients);
  const checks = new Map<string, AwsCheck>();
  try {
    for (const [i, v] of report.files.entries()) {
      if (v.plan === undefined) continue;
      checks.set(v.file, await checkPlanWithAws(v.file, v.plan, activities, parsed[i]?.lineAt));
    }
  } finally {
    clients.destroy?.();
  }
  return { report, checks };
}
