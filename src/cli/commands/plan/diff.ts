// `plan diff` / `plan apply`: what applying plan files changes in Temporal, compared with the plan schedules
// there. Pure: the plans come checked, the schedules described (schedules.ts).
import { formatDurationCompact } from '../../../shared/duration';
import { planScheduleId, type Plan } from '../../../shared/plan';
import { changedPlanKeys, planDigest } from './canonical';
import { PLAN_CATCHUP_SECONDS, PLAN_OVERLAP, type ExistingPlanSchedule } from './schedules';

export interface DesiredPlan {
  file: string;
  plan: Plan;
}

export type ChangePartName =
  'schedule spec' | 'timezone' | 'policies' | 'plan content' | 'task queue' | 'origin' | 'action';

/** One part of a schedule that differs: what it is in Temporal, what the file makes it. */
export interface ChangePart {
  part: ChangePartName;
  from: string;
  to: string;
  /** For plan content: the top-level plan keys that differ. */
  keys?: string[];
}

export type PlanChange =
  | { kind: 'create'; name: string; scheduleId: string; file: string; plan: Plan }
  | {
      kind: 'update';
      name: string;
      scheduleId: string;
      file: string;
      plan: Plan;
      parts: ChangePart[];
      paused: boolean;
    }
  | { kind: 'delete'; name: string; scheduleId: string; origin?: string }
  | { kind: 'unchanged'; name: string; scheduleId: string; file: string; plan: Plan }
  /** In Temporal but not in the files, without --prune: kept. */
  | { kind: 'kept'; name: string; scheduleId: string; origin?: string };

export type PlanChangeKind = PlanChange['kind'];

export interface PlanDiff {
  changes: PlanChange[];
  /** Something would be (or was) created, updated or deleted. */
  changed: boolean;
  counts: Record<PlanChangeKind, number>;
}

export interface DiffOptions {
  taskQueue: string;
  prune: boolean;
}

const policyText = (overlap: string, catchupSeconds: number) =>
  `overlap ${overlap}, catch-up window ${formatDurationCompact(catchupSeconds)}`;

function specOnly(plan: Plan): string {
  const s = plan.schedule;
  return 'cron' in s ? `cron "${s.cron}"` : `every ${formatDurationCompact(s.everySeconds)}`;
}

/** What differs between a plan schedule and the plan a file gives it. */
export function changedParts(
  existing: ExistingPlanSchedule,
  wanted: DesiredPlan,
  taskQueue: string,
): ChangePart[] {
  const parts: ChangePart[] = [];
  const { plan } = wanted;
  const had = existing.plan;
  const timezone = plan.schedule.timezone;
  if (had === undefined) {
    parts.push({
      part: 'plan content',
      from: "the schedule's action carries no valid plan",
      to: `plan ${plan.name} from ${wanted.file}`,
      keys: [],
    });
  } else {
    const hadSpec = specOnly(had);
    const wantSpec = specOnly(plan);
    const intervalOff =
      'everySeconds' in plan.schedule &&
      existing.intervalSeconds !== undefined &&
      existing.intervalSeconds !== plan.schedule.everySeconds;
    if (hadSpec !== wantSpec || intervalOff) {
      const from =
        intervalOff && hadSpec === wantSpec
          ? `every ${formatDurationCompact(existing.intervalSeconds ?? 0)}`
          : hadSpec;
      parts.push({ part: 'schedule spec', from, to: wantSpec });
    }
  }
  const hadZone = existing.timezone || had?.schedule.timezone || 'UTC';
  if (hadZone !== timezone) parts.push({ part: 'timezone', from: hadZone, to: timezone });
  if (existing.overlap !== PLAN_OVERLAP || existing.catchupWindowSeconds !== PLAN_CATCHUP_SECONDS) {
    parts.push({
      part: 'policies',
      from: policyText(existing.overlap, existing.catchupWindowSeconds),
      to: policyText(PLAN_OVERLAP, PLAN_CATCHUP_SECONDS),
    });
  }
  if (had !== undefined && planDigest(had) !== planDigest(plan)) {
    const keys = changedPlanKeys(had, plan).filter((k) => k !== 'schedule');
    if (keys.length > 0) {
      parts.push({ part: 'plan content', from: planDigest(had), to: planDigest(plan), keys });
    }
  }
  if ((existing.taskQueue ?? '') !== taskQueue) {
    parts.push({ part: 'task queue', from: existing.taskQueue ?? '-', to: taskQueue });
  }
  if ((existing.origin ?? '') !== wanted.file) {
    parts.push({ part: 'origin', from: existing.origin ?? '-', to: wanted.file });
  }
  const id = planScheduleId(plan.name);
  if (existing.workflowId !== id) {
    parts.push({
      part: 'action',
      from: `workflow ID ${existing.workflowId ?? '-'}`,
      to: `workflow ID ${id}`,
    });
  }
  return parts;
}

/**
 * The changes that make Temporal's plan schedules what the files say: in the files' order, then the
 * schedules not in the files (deleted with --prune, else kept), by name.
 */
export function diffPlans(
  desired: DesiredPlan[],
  existing: ExistingPlanSchedule[],
  opts: DiffOptions,
): PlanDiff {
  const byName = new Map(existing.map((e) => [e.name, e]));
  const changes: PlanChange[] = [];
  for (const wanted of desired) {
    const name = wanted.plan.name;
    const scheduleId = planScheduleId(name);
    const e = byName.get(name);
    if (e === undefined) {
      changes.push({ kind: 'create', name, scheduleId, file: wanted.file, plan: wanted.plan });
      continue;
    }
    const parts = changedParts(e, wanted, opts.taskQueue);
    changes.push(
      parts.length === 0
        ? { kind: 'unchanged', name, scheduleId, file: wanted.file, plan: wanted.plan }
        : { kind: 'update', name, scheduleId, file: wanted.file, plan: wanted.plan, parts, paused: e.paused },
    );
  }
  const wantedNames = new Set(desired.map((d) => d.plan.name));
  const others = existing
    .filter((e) => !wantedNames.has(e.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const e of others) {
    const base = { name: e.name, scheduleId: e.scheduleId, ...(e.origin ? { origin: e.origin } : {}) };
    changes.push(opts.prune ? { kind: 'delete', ...base } : { kind: 'kept', ...base });
  }
  const counts: Record<PlanChangeKind, number> = { create: 0, update: 0, delete: 0, unchanged: 0, kept: 0 };
  for (const c of changes) counts[c.kind] += 1;
  return { changes, changed: counts.create + counts.update + counts.delete > 0, counts };
}
