// The canonical plan file object a plan schedule carries: checkPlan takes it again to the same plan (for any
// valid plan: fast-check), its digest ignores how the file was written, and the schedule options built from it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalPlanFile,
  changedPlanKeys,
  planDigest,
  stableJson,
} from '../../src/cli/commands/plan/canonical';
import { planScheduleOptions, planSummary } from '../../src/cli/commands/plan/schedules';
import { checkPlan, type Plan } from '../../src/shared/plan';

function plan(input: unknown): Plan {
  const r = checkPlan(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.plan;
}

const example = {
  name: 'prod-dr',
  schedule: { cron: '0 3 * * *' },
  source: {
    region: 'us-east-1',
    clusters: ['prod-a', 'Prod-B'],
    tags: { backup: 'dr' },
    roleArn: 'arn:aws:iam::111111111111:role/snapcopy-source',
  },
  destinations: [
    { region: 'us-west-2', kmsKeyId: 'alias/dr' },
    { region: 'eu-west-1', kmsKeyId: 'alias/dr', roleArn: 'arn:aws:iam::222222222222:role/snapcopy-target' },
  ],
  copyTags: true,
  tags: { purpose: 'dr' },
  priority: 2,
  retention: { monthly: 12, keepLast: 7 },
  notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:snapcopy' },
};

/** Reverses the key order of every object (the same plan, written differently). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

describe('canonical plan file object', () => {
  it('keeps defaults explicit, drops derived fields, lowercases clusters, orders rules', () => {
    expect(canonicalPlanFile(plan(example))).toEqual({
      name: 'prod-dr',
      schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      source: {
        region: 'us-east-1',
        clusters: ['prod-a', 'prod-b'],
        tags: { backup: 'dr' },
        roleArn: 'arn:aws:iam::111111111111:role/snapcopy-source',
      },
      destinations: [
        { region: 'us-west-2', kmsKeyId: 'alias/dr' },
        {
          region: 'eu-west-1',
          kmsKeyId: 'alias/dr',
          roleArn: 'arn:aws:iam::222222222222:role/snapcopy-target',
        },
      ],
      copyTags: true,
      tags: { purpose: 'dr' },
      priority: 2,
      retention: { keepLast: 7, monthly: 12 },
      notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:snapcopy', on: 'failure' },
    });
    const every = canonicalPlanFile(
      plan({
        name: 'p',
        schedule: { every: ' 90m ' },
        source: { region: 'us-east-1', tags: { a: 'b' } },
        destinations: [{ region: 'us-east-1' }],
      }),
    );
    expect(every).toEqual({
      name: 'p',
      schedule: { every: '90m', timezone: 'UTC' },
      source: { region: 'us-east-1', tags: { a: 'b' } },
      destinations: [{ region: 'us-east-1' }],
      copyTags: false,
      tags: {},
      priority: 3,
    });
  });

  it('round trip: checkPlan(canonical(p)) is p again, and the digest does not depend on how it was written', () => {
    const p = plan(example);
    expect(plan(canonicalPlanFile(p))).toEqual(p);
    expect(planDigest(plan(reversedKeys(example)))).toBe(planDigest(p));
    expect(planDigest(plan({ ...example, priority: 1 }))).not.toBe(planDigest(p));
    expect(planDigest(p)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('stableJson sorts keys at every depth and keeps array order', () => {
    expect(stableJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(stableJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });

  it('names the top-level keys that differ, in the file order', () => {
    const p = plan(example);
    expect(changedPlanKeys(p, p)).toEqual([]);
    const q = plan({ ...example, tags: {}, retention: undefined, schedule: { every: '6h' } });
    expect(changedPlanKeys(p, q)).toEqual(['schedule', 'tags', 'retention']);
  });

  it('round trip for any valid plan (fast-check)', () => {
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'];
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const tagMap = fc.dictionary(word, fc.stringMatching(/^[a-z0-9 ]{0,8}$/), { minKeys: 1, maxKeys: 4 });
    const arbitrary = fc.record(
      {
        name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/),
        schedule: fc.record(
          {
            cron: fc.constantFrom('0 3 * * *', '*/15  * * * *', '0 0 1 * MON'),
            timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
          },
          { requiredKeys: ['cron'] },
        ),
        every: fc.option(fc.constantFrom('1m', '6h', '90m', '1d', '2h30m'), { nil: undefined }),
        source: fc
          .record(
            {
              region: fc.constantFrom(...regions),
              clusters: fc.uniqueArray(fc.stringMatching(/^[A-Za-z][a-z0-9]{0,10}$/), {
                minLength: 1,
                maxLength: 4,
                selector: (c) => c.toLowerCase(),
              }),
              tags: tagMap,
              roleArn: fc.constant('arn:aws:iam::111111111111:role/src'),
            },
            { requiredKeys: ['region'] },
          )
          .filter((s) => s.clusters !== undefined || s.tags !== undefined),
        destinations: fc.uniqueArray(
          fc.record(
            {
              region: fc.constantFrom(...regions),
              kmsKeyId: fc.constantFrom('alias/dr', '1234abcd-12ab-34cd-56ef-1234567890ab'),
              roleArn: fc.constant('arn:aws:iam::222222222222:role/dst'),
            },
            { requiredKeys: ['region'] },
          ),
          { minLength: 1, maxLength: 3, selector: (d) => d.region },
        ),
        copyTags: fc.boolean(),
        tags: fc.dictionary(word, word, { maxKeys: 3 }),
        priority: fc.integer({ min: 1, max: 5 }),
        retention: fc
          .record(
            {
              keepLast: fc.nat(30),
              maxAgeDays: fc.nat(90),
              daily: fc.nat(14),
              weekly: fc.nat(8),
              monthly: fc.nat(24),
            },
            { requiredKeys: [] },
          )
          .filter((r) => Object.keys(r).length > 0),
        notify: fc.record(
          {
            snsTopicArn: fc.constant('arn:aws:sns:us-east-1:123456789012:snapcopy'),
            on: fc.constantFrom('failure', 'always'),
          },
          { requiredKeys: ['snsTopicArn'] },
        ),
      },
      { requiredKeys: ['name', 'schedule', 'source', 'destinations'] },
    );
    fc.assert(
      fc.property(arbitrary, ({ every, ...input }) => {
        const written =
          every === undefined
            ? input
            : { ...input, schedule: { every, timezone: input.schedule.timezone ?? 'UTC' } };
        const first = checkPlan(written);
        if (!first.ok) throw new Error(`generated an invalid plan: ${JSON.stringify(first.problems)}`);
        const canonical = canonicalPlanFile(first.plan);
        const again = checkPlan(canonical);
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        expect(again.plan).toEqual(first.plan);
        expect(canonicalPlanFile(again.plan)).toEqual(canonical);
        expect(planDigest(again.plan)).toBe(planDigest(first.plan));
        expect(planDigest(plan(reversedKeys(written)))).toBe(planDigest(first.plan));
      }),
      { numRuns: 300 },
    );
  });
});

describe('plan schedule options', () => {
  it('ID, action, spec, policies and memo from a plan', () => {
    const p = plan(example);
    const o = planScheduleOptions(p, 'examples/prod-dr.yaml', 'snapcopy');
    expect(o.scheduleId).toBe('snapcopy-plan-prod-dr');
    expect(o.spec).toEqual({ cronExpressions: ['0 3 * * *'], timezone: 'UTC' });
    expect(o.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'runCopyPlan',
      workflowId: 'snapcopy-plan-prod-dr',
      taskQueue: 'snapcopy',
      args: [{ plan: canonicalPlanFile(p), origin: 'examples/prod-dr.yaml' }],
      staticSummary:
        'plan prod-dr: prod-a, prod-b + clusters tagged backup=dr (us-east-1) → us-west-2, eu-west-1',
    });
    expect(o.policies).toEqual({ overlap: 'SKIP', catchupWindow: 86_400_000, pauseOnFailure: false });
    expect(o.memo).toEqual({
      snapcopyPlan: { name: 'prod-dr', origin: 'examples/prod-dr.yaml', digest: planDigest(p) },
    });
    const every = plan({ ...example, schedule: { every: '6h', timezone: 'Europe/Berlin' } });
    expect(planScheduleOptions(every, 'f', 'q').spec).toEqual({
      intervals: [{ every: 6 * 3600 * 1000 }],
      timezone: 'Europe/Berlin',
    });
    const many = plan({
      ...example,
      source: { region: 'us-east-1', clusters: ['a', 'b', 'c', 'd', 'e'] },
    });
    expect(planSummary(many)).toBe('plan prod-dr: a, b, c… (5 clusters) (us-east-1) → us-west-2, eu-west-1');
  });
});
