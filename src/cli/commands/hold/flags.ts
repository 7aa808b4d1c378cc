// `snapcopy hold`: its flags, checked before any AWS call, and the default reason. Pure (the clock and the
// user are given).
import { HOLD_TAG } from '../../../shared/names';
import { isRegionName, parseRdsArn, snapshotNameProblem } from '../../../shared/arn';
import { roleArnProblem, type AssumedRole } from '../../../shared/cross-account';
import { MAX_TAG_VALUE_LENGTH, TAG_CHARSET, validateRegion } from '../../../shared/validation';
import { UsageError } from '../../errors';

export interface RoleFlags {
  roleArn?: string;
  externalId?: string;
}

export interface HoldTargetFlags extends RoleFlags {
  region: string;
}

export interface HoldSetFlags extends HoldTargetFlags {
  reason?: string;
  json?: boolean;
}

export interface HoldListFlags extends RoleFlags {
  region?: string[];
  json?: boolean;
}

/** A snapshot and where it is, checked: a name (`rds:` names too) or a cluster-snapshot ARN of `region`. */
export interface HoldTarget {
  snapshot: string;
  region: string;
  role?: AssumedRole;
}

function roleOf(flags: RoleFlags): AssumedRole | undefined {
  if (flags.roleArn === undefined) {
    if (flags.externalId !== undefined) throw new UsageError('--external-id needs --role-arn');
    return undefined;
  }
  const problem = roleArnProblem(flags.roleArn);
  if (problem) throw new UsageError(`--role-arn ${problem}`);
  return {
    roleArn: flags.roleArn,
    ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
  };
}

/** The snapshot argument and its Region, checked before any AWS call. */
export function holdTargetOf(snapshot: string, flags: HoldTargetFlags): HoldTarget {
  validateRegion(flags.region, '--region');
  const arn = parseRdsArn(snapshot);
  if (snapshot.startsWith('arn:')) {
    if (arn?.resourceType !== 'cluster-snapshot')
      throw new UsageError(
        `${snapshot} is not a DB cluster snapshot ARN (arn:aws:rds:<region>:<account>:cluster-snapshot:<name>)`,
      );
    if (arn.region !== flags.region)
      throw new UsageError(`${snapshot} is in ${arn.region}, not in --region ${flags.region}`);
  } else {
    const problem = snapshotNameProblem(snapshot);
    if (problem) throw new UsageError(`the snapshot name '${snapshot}' ${problem}`);
  }
  const role = roleOf(flags);
  return { snapshot, region: flags.region, ...(role ? { role } : {}) };
}

/** What is wrong with a hold's reason as a tag value (AWS's rules), or undefined. */
export function reasonProblem(reason: string): string | undefined {
  if (reason.length > MAX_TAG_VALUE_LENGTH)
    return `--reason is ${reason.length} characters; a tag value (${HOLD_TAG}) takes at most ${MAX_TAG_VALUE_LENGTH}`;
  if (!TAG_CHARSET.test(reason))
    return `--reason may only hold letters, digits, spaces and _ . : / = + - @ (a tag value's characters)`;
  return undefined;
}

/** `held by ana@ops-host at 2026-11-30T03:00:00Z`, made to fit a tag value (odd characters become `-`). */
export function defaultReason(user: string, host: string, now: Date): string {
  const clean = (s: string) => s.replace(/[^\p{L}\p{N}_.-]/gu, '-') || 'unknown';
  const at = `${now.toISOString().slice(0, 19)}Z`;
  return `held by ${clean(user)}@${clean(host)} at ${at}`.slice(0, MAX_TAG_VALUE_LENGTH);
}

/** The reason to set: the given one, checked, or the default. */
export function reasonOf(given: string | undefined, fallback: () => string): string {
  if (given === undefined) return fallback();
  const problem = reasonProblem(given);
  if (problem) throw new UsageError(problem);
  return given;
}

/** The Regions to list (at least one: --region, else AWS_REGION / AWS_DEFAULT_REGION) and the role. */
export function listTargetsOf(
  flags: HoldListFlags,
  env: Record<string, string | undefined>,
): { regions: string[]; role?: AssumedRole } {
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const regions = flags.region?.length ? flags.region : fromEnv ? [fromEnv] : [];
  if (regions.length === 0) throw new UsageError('give --region (one or more), or set AWS_REGION');
  for (const r of regions) {
    if (!isRegionName(r)) validateRegion(r, '--region');
  }
  const role = roleOf(flags);
  return { regions: [...new Set(regions)], ...(role ? { role } : {}) };
}
