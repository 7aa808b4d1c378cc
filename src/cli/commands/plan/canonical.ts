// A checked plan turned back into the plan file's shape (the canonical plan file object): defaults explicit,
// derived fields (everySeconds) dropped, empty selections left out, keys in the file's order. It is what a
// plan schedule's action carries, and checkPlan takes it again to the same Plan. Its digest (sha256 of the
// JSON with sorted keys) tells two plans apart whatever their YAML looked like. Pure but for node:crypto.
import { createHash } from 'node:crypto';
import type { Plan } from '../../../shared/plan';

/** The plan file's shape, as written by canonicalPlanFile. */
export interface PlanFileObject {
  name: string;
  schedule: { cron: string; timezone: string } | { every: string; timezone: string };
  source: {
    region: string;
    clusters?: string[];
    tags?: Record<string, string>;
    roleArn?: string;
  };
  destinations: { region: string; kmsKeyId?: string; roleArn?: string; verify?: false }[];
  copyTags: boolean;
  tags: Record<string, string>;
  priority: number;
  retention?: Record<string, number>;
  notify?: { snsTopicArn: string; on: string };
  verify?: { every: string; maxPerRun: number } & NonNullable<Plan['verify']>['options'];
  /** Only when the file gives it: a derived RPO follows the schedule (and plans applied before rpo keep their digest). */
  rpo?: string;
}

/** The plan file object of a checked plan: checkPlan(canonicalPlanFile(p)) gives p again. */
export function canonicalPlanFile(plan: Plan): PlanFileObject {
  const s = plan.schedule;
  const schedule =
    'cron' in s ? { cron: s.cron, timezone: s.timezone } : { every: s.every, timezone: s.timezone };
  const source: PlanFileObject['source'] = { region: plan.source.region };
  if (plan.source.clusters.length > 0) source.clusters = [...plan.source.clusters];
  if (Object.keys(plan.source.tags).length > 0) source.tags = { ...plan.source.tags };
  if (plan.source.roleArn !== undefined) source.roleArn = plan.source.roleArn;
  const file: PlanFileObject = {
    name: plan.name,
    schedule,
    source,
    destinations: plan.destinations.map((d) => ({
      region: d.region,
      ...(d.kmsKeyId !== undefined ? { kmsKeyId: d.kmsKeyId } : {}),
      ...(d.roleArn !== undefined ? { roleArn: d.roleArn } : {}),
      ...(d.verify === false ? { verify: false as const } : {}),
    })),
    copyTags: plan.copyTags,
    tags: { ...plan.tags },
    priority: plan.priority,
  };
  if (plan.retention !== undefined) file.retention = { ...plan.retention };
  if (plan.notify !== undefined) file.notify = { snsTopicArn: plan.notify.snsTopicArn, on: plan.notify.on };
  if (plan.verify !== undefined) {
    file.verify = { every: plan.verify.every, maxPerRun: plan.verify.maxPerRun, ...plan.verify.options };
  }
  if (plan.rpo.derived === undefined) file.rpo = plan.rpo.text;
  return file;
}

/** JSON with every object's keys sorted (arrays keep their order): one text per value. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `sha256:<hex>` of the canonical plan file object's sorted-keys JSON. */
export function planDigest(plan: Plan): string {
  return `sha256:${createHash('sha256')
    .update(stableJson(canonicalPlanFile(plan)))
    .digest('hex')}`;
}

/** The plan file's top-level keys, in its order. */
export const PLAN_KEYS = [
  'name',
  'schedule',
  'source',
  'destinations',
  'copyTags',
  'tags',
  'priority',
  'retention',
  'notify',
  'verify',
  'rpo',
] as const;

/** The top-level keys whose canonical values differ between two plans, in the file's order. */
export function changedPlanKeys(a: Plan, b: Plan): string[] {
  const x = canonicalPlanFile(a) as unknown as Record<string, unknown>;
  const y = canonicalPlanFile(b) as unknown as Record<string, unknown>;
  return PLAN_KEYS.filter((k) => stableJson(x[k]) !== stableJson(y[k]));
}
