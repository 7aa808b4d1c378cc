// The plan run's AWS steps, each one activity: finding what to copy, and telling someone how it went.
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities, CopyOfSource, PlanSource } from '../../activities';
import { awsRetry } from '../retry';
import type { PlanRun } from './run';

const { findPlanSources, findCopiesOfSources } = proxyActivities<Activities>({
  // One call per chosen cluster inside: a fleet's listing takes a while; heartbeats show it is alive.
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  scheduleToCloseTimeout: '30m',
  retry: awsRetry({ maximumInterval: '1m' }),
});

const { publishPlanReport } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  // An unreachable topic must not hold the run for long: the run's own result says what happened.
  scheduleToCloseTimeout: '10m',
  retry: awsRetry({ maximumInterval: '1m', initialInterval: '5s' }),
});

/** Phase 1: the clusters (by names and tags) and each one's newest available snapshot, as they are now. */
export async function findSources(run: PlanRun): Promise<PlanSource[]> {
  const { source } = run.plan;
  const found = await findPlanSources({
    region: source.region,
    clusters: source.clusters,
    tags: source.tags,
    ...(source.roleArn ? { role: { roleArn: source.roleArn } } : {}),
  });
  run.clusters = found.sources.map((s) => s.cluster);
  for (const missing of found.missing) {
    for (const destination of run.destinations) {
      run.add({
        cluster: missing,
        destination,
        outcome: 'no-snapshot',
        message: `cluster ${missing} does not exist in ${source.region}`,
        retired: [],
      });
    }
  }
  return found.sources;
}

/**
 * Phase 2: the copies made before (another run of the plan, a backfill, a schedule of the same cluster):
 * per destination, snapcopy's available copies of these very snapshots. Their rows need no child, so a
 * rerun takes no copy slot and makes no call that changes anything.
 */
export async function findPresent(
  run: PlanRun,
  sources: PlanSource[],
): Promise<Map<string, Map<string, CopyOfSource>>> {
  const sourceArns = sources.flatMap((s) => (s.snapshot ? [s.snapshot.arn] : []));
  const present = new Map<string, Map<string, CopyOfSource>>();
  if (sourceArns.length === 0) return present;
  await Promise.all(
    run.plan.destinations.map(async ({ region, roleArn }) => {
      // In the destination's account: its role's, else the default credentials'.
      const copies = await findCopiesOfSources({
        region,
        sourceArns,
        ...(roleArn ? { role: { roleArn } } : {}),
      });
      present.set(region, new Map(copies.map((c) => [c.sourceArn, c])));
    }),
  );
  return present;
}

/**
 * Phase 4: one SNS message for a run that had a failure (or every run, with notify.on: always). An activity
 * runs once per run whatever its workflow task does; a message that cannot be sent is said in the result,
 * never a reason to fail copies that were made.
 */
export async function notify(run: PlanRun): Promise<void> {
  const notifyTo = run.plan.notify;
  if (notifyTo === undefined) return;
  const result = run.result();
  if (!result.failed && notifyTo.on !== 'always') return;
  run.phase = 'notifying';
  try {
    const sent = await publishPlanReport({ topicArn: notifyTo.snsTopicArn, result });
    run.notified = sent.messageId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    run.notifyError =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  }
}
