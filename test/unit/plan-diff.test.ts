// `plan diff` / `plan apply`: the pure comparison of plan files with the plan schedules Temporal has, and
// what diff and apply print. Schedules are fixtures shaped as schedules.ts reads them from Temporal.
import { describe, expect, it } from 'vitest';
import type { ScheduleDescription } from '@temporalio/client';
import { diffPlans, type DesiredPlan } from '../../src/cli/commands/plan/diff';
import { diffJson, renderApplied, renderDiff } from '../../src/cli/commands/plan/render-changes';
import {
  existingOf,
  planScheduleOptions,
  type ExistingPlanSchedule,
} from '../../src/cli/commands/plan/schedules';
import { checkPlan, type Plan } from '../../src/shared/plan';

const QUEUE = 'snapcopy';

function plan(name: string, over: Record<string, unknown> = {}): Plan {
  const r = checkPlan({
    name,
    schedule: { cron: '0 3 * * *' },
    source: { region: 'us-east-1', clusters: ['prod-a'] },
    destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }],
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.plan;
}

/** A described schedule as plan apply would have made it (the fields existingOf reads). */
function described(p: Plan, file: string, over: Partial<Record<string, unknown>> = {}): ScheduleDescription {
  const o = planScheduleOptions(p, file, QUEUE);
  const spec =
    'cronExpressions' in o.spec
      ? { calendars: [], timezone: o.spec.timezone }
      : {
          intervals: [{ every: (o.spec.intervals?.[0]?.every as number) ?? 0, offset: 0 }],
          timezone: o.spec.timezone,
        };
  return {
    scheduleId: o.scheduleId,
    spec,
    action: { ...o.action },
    policies: { overlap: 'SKIP', catchupWindow: 86_400_000, pauseOnFailure: false },
    state: { paused: false },
    memo: o.memo,
    info: {
      nextActionTimes: [new Date('2026-12-03T03:00:00Z')],
      recentActions: [],
      runningActions: [],
      numActionsTaken: 0,
      numActionsMissedCatchupWindow: 0,
      numActionsSkippedOverlap: 0,
      createdAt: new Date('2026-12-01T00:00:00Z'),
    },
    ...over,
  } as unknown as ScheduleDescription;
}

function existing(p: Plan, file: string, over: Partial<Record<string, unknown>> = {}): ExistingPlanSchedule {
  const e = existingOf(described(p, file, over));
  if (e === undefined) throw new Error('not a plan schedule');
  return e;
}

const want = (file: string, p: Plan): DesiredPlan => ({ file, plan: p });

describe('plan diff', () => {
  it('creates what Temporal lacks, leaves what is the same', () => {
    const a = plan('a');
    const b = plan('b', { schedule: { every: '6h' } });
    const d = diffPlans([want('a.yaml', a), want('b.yaml', b)], [existing(b, 'b.yaml')], {
      taskQueue: QUEUE,
      prune: false,
    });
    expect(d.changes.map((c) => [c.kind, c.name])).toEqual([
      ['create', 'a'],
      ['unchanged', 'b'],
    ]);
    expect(d.changed).toBe(true);
    expect(d.counts).toEqual({ create: 1, update: 0, delete: 0, unchanged: 1, kept: 0 });
    expect(renderDiff(d)).toBe(
      [
        '+ create   a (a.yaml): schedule snapcopy-plan-a, cron "0 3 * * *" UTC, prod-a (us-east-1) → us-west-2; RPO audit snapcopy-rpo-a every 15m',
        '= same     b (b.yaml)',
        '1 to create, 0 to update, 0 to delete, 1 unchanged',
      ].join('\n'),
    );
  });

  it('no changes: the same plans (written any way) give nothing to do', () => {
    const a = plan('a', { retention: { daily: 7, keepLast: 2 } });
    const same = plan('a', { retention: { keepLast: 2, daily: 7 }, priority: 3, copyTags: false });
    const d = diffPlans([want('a.yaml', same)], [existing(a, 'a.yaml')], { taskQueue: QUEUE, prune: true });
    expect(d.changed).toBe(false);
    expect(renderDiff(d)).toBe('= same     a (a.yaml)\nno changes');
    expect(renderApplied(d)).toBe('no changes');
  });

  it('update: says which parts differ (spec, timezone, policies, plan keys, task queue, file)', () => {
    const had = plan('a');
    const now = plan('a', {
      schedule: { cron: '0 4 * * *', timezone: 'Europe/Berlin' },
      tags: { purpose: 'dr' },
      destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr2' }],
    });
    const e = existing(had, 'old.yaml', {
      policies: { overlap: 'ALLOW_ALL', catchupWindow: 365 * 86_400_000, pauseOnFailure: false },
      state: { paused: true, note: 'why' },
    });
    const d = diffPlans([want('a.yaml', now)], [{ ...e, taskQueue: 'other' }], {
      taskQueue: QUEUE,
      prune: false,
    });
    const change = d.changes[0]!;
    expect(change.kind).toBe('update');
    if (change.kind !== 'update') return;
    expect(change.parts.map((p) => p.part)).toEqual([
      'schedule spec',
      'timezone',
      'policies',
      'plan content',
      'task queue',
      'origin',
    ]);
    expect(change.parts.find((p) => p.part === 'plan content')?.keys).toEqual(['destinations', 'tags']);
    expect(change.paused).toBe(true);
    expect(renderDiff(d).split('\n')[0]).toBe(
      '~ update   a (a.yaml): schedule spec cron "0 3 * * *" → cron "0 4 * * *"; timezone UTC → Europe/Berlin; ' +
        'policies overlap ALLOW_ALL, catch-up window 365d → overlap SKIP, catch-up window 1d; ' +
        'plan content (destinations, tags); task queue other → snapcopy; file old.yaml → a.yaml (paused; stays paused)',
    );
    expect(renderApplied(d).split('\n')[0]).toMatch(
      /^updated schedule snapcopy-plan-a \(plan a from a\.yaml\): schedule spec .*; still paused$/,
    );
    expect(diffJson(d).changes[0]).toMatchObject({ kind: 'update', name: 'a', paused: true });
  });

  it('an interval changed outside snapcopy shows as a spec change', () => {
    const p = plan('a', { schedule: { every: '6h' } });
    const e = existing(p, 'a.yaml', {
      spec: { intervals: [{ every: 3_600_000, offset: 0 }], timezone: 'UTC' },
    });
    const d = diffPlans([want('a.yaml', p)], [e], { taskQueue: QUEUE, prune: false });
    const change = d.changes[0]!;
    expect(change.kind === 'update' && change.parts).toEqual([
      { part: 'schedule spec', from: 'every 1h', to: 'every 6h' },
    ]);
  });

  it('a schedule whose action carries no valid plan is updated with the file', () => {
    const p = plan('a');
    const raw = described(p, 'a.yaml');
    const e = existingOf({
      ...raw,
      action: { ...raw.action, args: [{ plan: { name: 'a' } }] },
    })!;
    expect(e.plan).toBeUndefined();
    const d = diffPlans([want('a.yaml', p)], [e], { taskQueue: QUEUE, prune: false });
    expect(d.changes[0]?.kind).toBe('update');
  });

  it('not in the files: kept (and listed) without --prune, deleted with it', () => {
    const a = plan('a');
    const old = plan('old');
    const schedules = [existing(a, 'a.yaml'), existing(old, 'plans/old.yaml')];
    const kept = diffPlans([want('a.yaml', a)], schedules, { taskQueue: QUEUE, prune: false });
    expect(kept.changed).toBe(false);
    expect(renderDiff(kept)).toBe(
      '= same     a (a.yaml)\n  kept     old: not in the files (kept; --prune deletes)\nno changes (1 kept)',
    );
    const pruned = diffPlans([want('a.yaml', a)], schedules, { taskQueue: QUEUE, prune: true });
    expect(pruned.changed).toBe(true);
    expect(pruned.changes.map((c) => c.kind)).toEqual(['unchanged', 'delete']);
    expect(renderDiff(pruned).split('\n')[1]).toBe(
      '- delete   old: not in the files (schedule snapcopy-plan-old, from plans/old.yaml, and its RPO audit snapcopy-rpo-old)',
    );
    expect(renderApplied(pruned)).toBe(
      'deleted schedule snapcopy-plan-old and its RPO audit (plan old, not in the files): runs and copies are untouched\n' +
        '0 created, 0 updated, 1 deleted, 1 unchanged',
    );
  });

  it('reads only plan schedules: another ID prefix or workflow type is not one', () => {
    const p = plan('a');
    expect(existingOf({ ...described(p, 'a.yaml'), scheduleId: 'nightly' })).toBeUndefined();
    const raw = described(p, 'a.yaml');
    expect(
      existingOf({
        ...raw,
        action: { ...raw.action, workflowType: 'copyDbClusterSnapshot' },
      }),
    ).toBeUndefined();
  });
});
