// The auditPlan workflow: one RPO audit of a plan (its schedule snapcopy-rpo-<plan> runs it every 15 minutes).
// It reads AWS, not Temporal's memory of runs: the clusters the plan selects now × its destinations, each
// cluster's newest available copy there and its recovery point, and the last restore test; publishes the
// rows as gauges; and tells the plan's SNS topic once when a row turns breach or missing, and once when it
// recovers. A destination AWS cannot be asked about keeps its last known rows: an outage does not flap.
import { ApplicationFailure, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunCopyPlanInput } from '../shared/plan-run';
import { checkPlan, formatPath, type Plan, type PlanDestination } from '../shared/plan';
import { FailureType } from '../shared/names';
import { rpoRow, type LastRestoreTest, type RecoveryPointCopy } from '../shared/rpo';
import {
  auditMessage,
  auditScheduleId,
  auditTurns,
  type AuditResult,
  type AuditRow,
} from '../shared/rpo-audit';
import { iso, now } from './clock';
import { recordRpoAudit } from './metrics';
import { awsRetry } from './retry';

// An audit every 15 minutes: a listing that keeps failing is not retried for long (the next audit asks again).
const aws = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  scheduleToCloseTimeout: '10m',
  heartbeatTimeout: '2m',
  retry: awsRetry({ maximumInterval: '1m' }),
});

export async function auditPlan(input: RunCopyPlanInput): Promise<AuditResult> {
  const plan = checkedPlan(input);
  const at = now();
  const { region, clusters, tags, roleArn } = plan.source;
  const chosen = await aws.planClustersNow({
    region,
    clusters,
    tags,
    ...(roleArn ? { role: { roleArn } } : {}),
  });
  // A named cluster that does not exist has no copy anywhere: its rows are missing.
  const selected = [...new Set([...chosen.chosen, ...chosen.missing])].sort();
  const unreachable: AuditResult['unreachable'] = [];
  const perDestination = await Promise.all(
    plan.destinations.map((d) => destinationRows(plan, d, selected, new Date(at), unreachable)),
  );
  const previous = await aws.previousAudit({
    scheduleId: auditScheduleId(plan.name),
    workflowId: workflowInfo().workflowId,
    runId: workflowInfo().firstExecutionRunId,
  });
  const turns = auditTurns(previous?.rows, perDestination.flat());
  const result: AuditResult = {
    plan: plan.name,
    at: iso(at),
    rpoSeconds: plan.rpo.seconds,
    rows: turns.rows,
    turned: { bad: turns.bad, recovered: turns.recovered },
    unreachable,
  };
  recordRpoAudit(result);
  await tell(plan, result);
  return result;
}

function checkedPlan(input: RunCopyPlanInput): Plan {
  const check = checkPlan(input?.plan);
  if (check.ok) return check.plan;
  throw ApplicationFailure.create({
    type: FailureType.InvalidParameterValue,
    message: `the plan${input?.origin ? ` from ${input.origin}` : ''} is not valid: ${check.problems
      .map((p) => `${formatPath(p.path)}: ${p.message}`)
      .join('; ')}`,
    nonRetryable: true,
  });
}

/** One destination's rows; `unknown` rows (carrying the last known state) when AWS could not be asked. */
async function destinationRows(
  plan: Plan,
  d: PlanDestination,
  clusters: string[],
  at: Date,
  unreachable: AuditResult['unreachable'],
): Promise<AuditRow[]> {
  const role = d.roleArn ? { role: { roleArn: d.roleArn } } : {};
  const accountId = d.roleArn ? d.roleArn.split(':')[4] : undefined;
  let copies: RecoveryPointCopy[] | undefined;
  let tests: Record<string, LastRestoreTest> = {};
  try {
    copies = await aws.listRecoveryPoints({ region: d.region, clusters, ...role });
  } catch (err) {
    if (isCancellation(err)) throw err;
    unreachable.push({ destination: `${d.region}/${accountId ?? 'self'}`, error: String(err) });
  }
  try {
    tests = await aws.lastRestoreTests({ region: d.region, clusters });
  } catch (err) {
    if (isCancellation(err)) throw err; // restore tests are beside the point of an RPO: rows go on without
  }
  return clusters.map((cluster) => {
    const row = rpoRow({
      plan: plan.name,
      cluster,
      region: d.region,
      ...(accountId ? { accountId } : {}),
      rpoSeconds: plan.rpo.seconds,
      rpo: plan.rpo.text,
      copies: copies ?? [],
      now: at,
      ...(tests[cluster] ? { lastRestoreTest: tests[cluster] } : {}),
    });
    return copies === undefined ? { ...row, unknown: true as const } : row;
  });
}

/** One SNS message for the turn (none when nothing turned, or the plan has no notify). */
async function tell(plan: Plan, result: AuditResult): Promise<void> {
  const topicArn = plan.notify?.snsTopicArn;
  if (!topicArn || result.turned.bad.length + result.turned.recovered.length === 0) return;
  try {
    const sent = await aws.publishRpoTurn({ topicArn, ...auditMessage(result) });
    result.notified = sent.messageId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    result.notifyError = err instanceof Error ? err.message : String(err);
  }
}
