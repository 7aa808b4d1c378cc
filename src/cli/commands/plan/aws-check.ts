// `plan validate --aws`: what only AWS can tell about a valid plan, with the credentials the CLI has: every
// named cluster exists in source.region, the tags select at least one cluster, each destination's kmsKeyId
// resolves in its Region to an enabled key RDS can use, and — when a chosen cluster's newest snapshot is
// encrypted — every destination in another Region has a kmsKeyId. The activities do the AWS calls, as the
// workflow would (findPlanSources, resolveKmsKey).
import { ApplicationFailure } from '@temporalio/common';
import type {
  PlanSources,
  ResolvedKmsKey,
  ResolveKmsKeyInput,
  FindPlanSourcesInput,
} from '../../../activities';
import { formatPath, type Plan } from '../../../shared/plan';
import { CliError, oneLine } from '../../errors';
import { plural } from '../../format';
import type { PlanFileProblem } from '../../plan-file';

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
