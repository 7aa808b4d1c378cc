// Temporal Schedules of plans (the plans contract, docs/plans.md): schedule ID snapcopy-plan-<name>, an action
// that starts runCopyPlan with the canonical plan file object, the plan's spec, and the policies of copy
// schedules:
// - overlap SKIP: a night whose previous run still copies is skipped, never run beside it nor queued behind it
//   (a run copies each cluster's newest snapshot at its start; a queued run would mostly copy what the running
//   one copies, or what the next night picks up anyway).
// - catch-up window 1 day: after a Temporal outage only the last day's missed run is made, not one per missed
//   slot (Temporal's default window is a year).
// The action's workflow ID is snapcopy-plan-<name>: Temporal appends the slot's time (RFC 3339) and the
// workflow runs the plan as its child under snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> (run-copy-plan.ts).
//
// Temporal sets a schedule's memo at creation only (UpdateSchedule has none), so `plan diff` compares the
// plan the action carries (its args, checked again and hashed), not the memo; the memo records the plan's
// name, file and digest as created, for people and other tools.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import { formatDurationCompact } from '../../../shared/duration';
import { checkPlan, planScheduleId, type Plan } from '../../../shared/plan';
import { PLAN_WORKFLOW_TYPE, type RunCopyPlanInput } from '../../../shared/plan-run';
import { canonicalPlanFile, planDigest } from './canonical';
import { AUDIT_INTERVAL_SECONDS, AUDIT_WORKFLOW_TYPE, auditScheduleId } from '../../../shared/rpo-audit';

export const PLAN_SCHEDULE_PREFIX = 'snapcopy-plan-';
export const PLAN_MEMO_KEY = 'snapcopyPlan';
export const PLAN_OVERLAP = 'SKIP';
export const PLAN_CATCHUP_SECONDS = 86_400;

export interface PlanMemo {
  name: string;
  origin: string;
  digest: string;
}

/** The plan name of a plan schedule's ID, or undefined for another schedule. */
export function planNameOfScheduleId(scheduleId: string): string | undefined {
  if (!scheduleId.startsWith(PLAN_SCHEDULE_PREFIX)) return undefined;
  const name = scheduleId.slice(PLAN_SCHEDULE_PREFIX.length);
  return name === '' ? undefined : name;
}

/** `prod-a, prod-b + clusters tagged backup=dr (us-east-1) → us-west-2, eu-west-1` */
export function planSummaryText(plan: Plan): string {
  const { clusters, tags, region } = plan.source;
  const tagText = Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const named =
    clusters.length === 0
      ? undefined
      : clusters.length <= 3
        ? clusters.join(', ')
        : `${clusters.slice(0, 3).join(', ')}… (${clusters.length} clusters)`;
  const tagged = tagText === '' ? undefined : `clusters tagged ${tagText}`;
  const what = [named, tagged].filter(Boolean).join(' + ');
  return `${what} (${region}) → ${plan.destinations.map((d) => d.region).join(', ')}`;
}

/** The schedule's static summary: `plan prod-dr: prod-a, prod-b + clusters tagged backup=dr (us-east-1) → ...` */
export function planSummary(plan: Plan): string {
  return `plan ${plan.name}: ${planSummaryText(plan)}`;
}

/** `cron "0 3 * * *" UTC` or `every 6h`: when a plan runs. */
export function scheduleText(plan: Plan): string {
  const s = plan.schedule;
  return 'cron' in s ? `cron "${s.cron}" ${s.timezone}` : `every ${formatDurationCompact(s.everySeconds)}`;
}

export function planSpec(plan: Plan): ScheduleSpec {
  const s = plan.schedule;
  return 'cron' in s
    ? { cronExpressions: [s.cron], timezone: s.timezone }
    : { intervals: [{ every: s.everySeconds * 1000 }], timezone: s.timezone };
}

/** The run input a plan's schedule (and `plan run FILE`) starts runCopyPlan with. */
export function runInputOf(plan: Plan, origin: string): RunCopyPlanInput {
  return { plan: canonicalPlanFile(plan), origin };
}

/** Everything `plan apply` creates a plan's schedule with (state apart). Pure. */
export function planScheduleOptions(plan: Plan, origin: string, taskQueue: string) {
  const memo: PlanMemo = { name: plan.name, origin, digest: planDigest(plan) };
  return {
    scheduleId: planScheduleId(plan.name),
    spec: planSpec(plan),
    action: {
      type: 'startWorkflow' as const,
      workflowType: PLAN_WORKFLOW_TYPE,
      workflowId: planScheduleId(plan.name),
      taskQueue,
      args: [runInputOf(plan, origin)],
      staticSummary: planSummary(plan),
      // The runs carry the memo too: unlike the schedule's, the action's is updated by apply.
      memo: { [PLAN_MEMO_KEY]: memo },
    },
    policies: {
      overlap: PLAN_OVERLAP,
      catchupWindow: PLAN_CATCHUP_SECONDS * 1000,
      pauseOnFailure: false,
    },
    memo: { [PLAN_MEMO_KEY]: memo },
  } satisfies ScheduleOptions;
}

export type PlanScheduleOptions = ReturnType<typeof planScheduleOptions>;

/**
 * The plan's RPO audit schedule `snapcopy-rpo-<name>`: auditPlan every 15 minutes with the same plan. Overlap
 * SKIP (an audit still listing a big fleet is not run twice) and a catch-up window of one interval (after an
 * outage one audit, not one per missed slot).
 */
export function auditScheduleOptions(plan: Plan, origin: string, taskQueue: string) {
  return {
    scheduleId: auditScheduleId(plan.name),
    spec: { intervals: [{ every: AUDIT_INTERVAL_SECONDS * 1000 }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: AUDIT_WORKFLOW_TYPE,
      workflowId: auditScheduleId(plan.name),
      taskQueue,
      args: [runInputOf(plan, origin)],
      staticSummary: `RPO audit of plan ${plan.name}: ${planSummaryText(plan)}`,
    },
    policies: { overlap: PLAN_OVERLAP, catchupWindow: AUDIT_INTERVAL_SECONDS * 1000, pauseOnFailure: false },
  } satisfies ScheduleOptions;
}

/** Creates the plan's audit schedule, or brings it up to date with the plan (keeping a pause). */
export async function upsertAuditSchedule(
  client: Client,
  plan: Plan,
  origin: string,
  taskQueue: string,
): Promise<'created' | 'updated'> {
  const options = auditScheduleOptions(plan, origin, taskQueue);
  try {
    await client.schedule.create({ ...options, state: { paused: false } });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((prev) => ({
    spec: options.spec,
    action: options.action,
    policies: { ...prev.policies, ...options.policies },
    state: prev.state,
  }));
  return 'updated';
}

/** Deletes the plan's audit schedule; gone already is fine. */
export async function deleteAuditSchedule(client: Client, name: string): Promise<void> {
  try {
    await client.schedule.getHandle(auditScheduleId(name)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** A plan schedule as Temporal describes it, with the plan its action carries. */
export interface ExistingPlanSchedule {
  scheduleId: string;
  /** From the schedule ID. */
  name: string;
  memo?: PlanMemo;
  /** The plan the action runs, checked again; absent when the action's args are not a valid plan. */
  plan?: Plan;
  /** The action's origin (the file it was applied from). */
  origin?: string;
  workflowType: string;
  workflowId?: string;
  taskQueue?: string;
  timezone?: string;
  /** The action's interval in seconds when the spec has one (a spec changed outside snapcopy shows). */
  intervalSeconds?: number;
  overlap: string;
  catchupWindowSeconds: number;
  paused: boolean;
  note?: string;
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; takenAt: string; workflowId: string }[];
  runningWorkflowIds: string[];
}

function memoOf(memo: Record<string, unknown> | undefined): PlanMemo | undefined {
  const m = memo?.[PLAN_MEMO_KEY];
  if (m === null || typeof m !== 'object') return undefined;
  const { name, origin, digest } = m as Record<string, unknown>;
  return typeof name === 'string' && typeof digest === 'string'
    ? { name, origin: typeof origin === 'string' ? origin : '', digest }
    : undefined;
}

/** A described schedule as a plan schedule (undefined when it is not one: another ID or workflow type). Pure. */
export function existingOf(d: ScheduleDescription): ExistingPlanSchedule | undefined {
  const name = planNameOfScheduleId(d.scheduleId);
  if (name === undefined || d.action.type !== 'startWorkflow') return undefined;
  if (d.action.workflowType !== PLAN_WORKFLOW_TYPE) return undefined;
  const input = d.action.args?.[0] as RunCopyPlanInput | undefined;
  const check = checkPlan(input?.plan);
  const memo = memoOf(d.memo);
  const interval = d.spec.intervals?.[0];
  const out: ExistingPlanSchedule = {
    scheduleId: d.scheduleId,
    name,
    workflowType: d.action.workflowType,
    overlap: String(d.policies.overlap),
    catchupWindowSeconds: Math.round(d.policies.catchupWindow / 1000),
    paused: d.state.paused,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      takenAt: a.takenAt.toISOString(),
      workflowId: a.action.workflow.workflowId,
    })),
    runningWorkflowIds: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
  if (memo !== undefined) out.memo = memo;
  if (check.ok) out.plan = check.plan;
  if (typeof input?.origin === 'string') out.origin = input.origin;
  if (d.action.workflowId !== undefined) out.workflowId = d.action.workflowId;
  if (d.action.taskQueue !== undefined) out.taskQueue = d.action.taskQueue;
  if (d.spec.timezone !== undefined) out.timezone = d.spec.timezone;
  if (interval !== undefined) out.intervalSeconds = Math.round(interval.every / 1000);
  if (d.state.note) out.note = d.state.note;
  return out;
}

/** A plan's schedule, or undefined when there is none (or the ID is another kind of schedule). */
export async function describePlanSchedule(
  client: Client,
  name: string,
): Promise<ExistingPlanSchedule | undefined> {
  try {
    return existingOf(await client.schedule.getHandle(planScheduleId(name)).describe());
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** Every plan schedule (ID snapcopy-plan-*, action runCopyPlan), described, by name. */
export async function listPlanSchedules(client: Client): Promise<ExistingPlanSchedule[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) {
    if (planNameOfScheduleId(s.scheduleId) === undefined) continue;
    if (s.action !== undefined && s.action.workflowType !== PLAN_WORKFLOW_TYPE) continue;
    ids.push(s.scheduleId);
  }
  const out: ExistingPlanSchedule[] = [];
  for (const id of ids) {
    const e = await describePlanSchedule(client, id.slice(PLAN_SCHEDULE_PREFIX.length));
    if (e !== undefined) out.push(e);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The plan schedules to compare plans with: every listed one, and those of `names` described directly
 * (schedule listing is eventually consistent; describing is not, so a schedule just made is never missed).
 */
export async function existingPlanSchedules(
  client: Client,
  names: string[],
): Promise<ExistingPlanSchedule[]> {
  const listed = await listPlanSchedules(client);
  const known = new Set(listed.map((e) => e.name));
  for (const name of names) {
    if (known.has(name)) continue;
    const e = await describePlanSchedule(client, name);
    if (e !== undefined) listed.push(e);
    known.add(name);
  }
  return listed.sort((a, b) => a.name.localeCompare(b.name));
}
