// `snapcopy rpo`, the report: for each plan (named, or every applied one) the clusters it selects now × its
// destinations, each row the cluster's newest snapcopy copy there, its recovery point, age and status
// (src/shared/rpo.ts), and the last restore test. AWS is read with the plan's roles: one cluster listing per
// plan source, one paginated snapshot listing per destination and account (shared by the plans that copy
// there); restore tests from Temporal's visibility, one listing per Region.
import type { Client } from '@temporalio/client';
import { createAwsClients, type AwsClients } from '../../../activities';
import { listRecoveryPoints, planClustersNow } from '../../../activities/recovery-points';
import { lastRestoreTests } from '../../../activities/restore-history';
import { parseRoleArn } from '../../../shared/cross-account';
import type { Plan } from '../../../shared/plan';
import { rpoRow, type LastRestoreTest, type RecoveryPointCopy, type RpoRow } from '../../../shared/rpo';
import { appliedPlan, appliedPlans } from '../../applied-plans';
import { CliError, UsageError, oneLine } from '../../errors';

export interface RpoReport {
  /** When the ages were computed (ISO). */
  at: string;
  plans: string[];
  rows: RpoRow[];
  /** What could not be read (restore tests), for people. */
  notes: string[];
}

const PLAN_NAME = /^[A-Za-z0-9-]{1,40}$/;

/** Names given on the command line: well-formed plan names, each once. */
export function checkPlanNames(names: string[]): string[] {
  for (const n of names) {
    if (!PLAN_NAME.test(n))
      throw new UsageError(`"${n}" is not a plan name (1 to 40 letters, digits or hyphens)`);
  }
  return [...new Set(names)];
}

async function plansOf(client: Client, names: string[]): Promise<Plan[]> {
  const found = [];
  if (names.length === 0) found.push(...(await appliedPlans(client)));
  for (const name of names) {
    const p = await appliedPlan(client, name);
    if (p === undefined) {
      throw new UsageError(
        `no applied plan ${name} (no schedule snapcopy-plan-${name}; see snapcopy plan list)`,
      );
    }
    found.push(p);
  }
  return found.map((p) => {
    if (p.plan === undefined) throw new CliError(`plan ${p.name}: ${p.problem ?? 'not a valid plan'}`);
    return p.plan;
  });
}

const roleOf = (roleArn: string | undefined) => (roleArn === undefined ? undefined : { roleArn });

function awsError(what: string, err: unknown): CliError {
  return new CliError(`${what}: ${oneLine(err instanceof Error ? err.message : String(err))}`);
}

export interface RpoReportDeps {
  client: Client;
  aws?: AwsClients;
  now?: () => Date;
}

export async function rpoReport(deps: RpoReportDeps, names: string[]): Promise<RpoReport> {
  const plans = await plansOf(deps.client, names);
  const aws = deps.aws ?? createAwsClients();
  const listings = new Map<string, Promise<RecoveryPointCopy[]>>();
  const tests = new Map<string, Promise<Record<string, LastRestoreTest> | undefined>>();
  const notes: string[] = [];
  const chosen: { plan: Plan; clusters: string[] }[] = [];
  for (const plan of plans) {
    const { region, clusters, tags, roleArn } = plan.source;
    const role = roleOf(roleArn);
    const now = await planClustersNow(aws, { region, clusters, tags, ...(role ? { role } : {}) }).catch(
      (err: unknown) => {
        throw awsError(`plan ${plan.name}: listing the DB clusters in ${region}`, err);
      },
    );
    // A cluster the plan names but that is gone still has (or lacks) copies: it stays in the report.
    chosen.push({ plan, clusters: [...new Set([...now.chosen, ...now.missing])].sort() });
  }
  const allClusters = [...new Set(chosen.flatMap((c) => c.clusters))];
  const rows: RpoRow[] = [];
  for (const { plan, clusters } of chosen) {
    for (const d of plan.destinations) {
      const role = roleOf(d.roleArn);
      const key = `${d.region}|${d.roleArn ?? ''}`;
      let listing = listings.get(key);
      if (!listing) {
        listing = listRecoveryPoints(aws, { region: d.region, ...(role ? { role } : {}) });
        listings.set(key, listing);
      }
      const copies = await listing.catch((err: unknown) => {
        throw awsError(`listing the snapshots in ${d.region}${d.roleArn ? ` as ${d.roleArn}` : ''}`, err);
      });
      let tested = tests.get(d.region);
      if (!tested) {
        tested = lastRestoreTests(deps.client, { region: d.region, clusters: allClusters }).catch(
          (err: unknown) => {
            notes.push(
              `restore tests in ${d.region} not read: ${oneLine(err instanceof Error ? err.message : String(err))}`,
            );
            return undefined;
          },
        );
        tests.set(d.region, tested);
      }
      const last = await tested;
      const accountId = d.roleArn ? parseRoleArn(d.roleArn)?.accountId : undefined;
      const now = (deps.now ?? (() => new Date()))();
      for (const cluster of clusters) {
        const test = last?.[cluster];
        rows.push(
          rpoRow({
            plan: plan.name,
            cluster,
            region: d.region,
            ...(accountId !== undefined ? { accountId } : {}),
            rpoSeconds: plan.rpo.seconds,
            rpo: plan.rpo.text,
            copies,
            now,
            ...(test ? { lastRestoreTest: test } : {}),
          }),
        );
      }
    }
  }
  return {
    at: (deps.now ?? (() => new Date()))().toISOString(),
    plans: plans.map((p) => p.name),
    rows,
    notes,
  };
}
