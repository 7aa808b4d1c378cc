// The retention rules (the plans contract, docs/plans.md), as one zod schema: a plan's `retention` and a copy's
// `options.retention` are checked by the same rules with the same messages. Workflow-safe.
// Every workflow of a worker shares this module (src/worker/bundle.ts), and the SDK freezes what a shared
// module exports: schemas, which zod completes lazily as they are used, are exported as functions.
import { z } from 'zod';

export const RETENTION_RULES = ['keepLast', 'maxAgeDays', 'daily', 'weekly', 'monthly'] as const;

export type RetentionRule = (typeof RETENTION_RULES)[number];
export type RetentionRules = Partial<Record<RetentionRule, number>>;

const nonNegative = (rule: string) =>
  z
    .int({ error: `must be a whole number of at least 0 (${rule})` })
    .min(0, { error: `must be a whole number of at least 0 (${rule})` });

const retentionRules = z
  .strictObject(
    {
      keepLast: nonNegative('the newest keepLast copies are kept').optional(),
      maxAgeDays: nonNegative('copies younger than maxAgeDays days are kept').optional(),
      daily: nonNegative('the newest copy of each of the last daily days is kept').optional(),
      weekly: nonNegative('the newest copy of each of the last weekly ISO weeks is kept').optional(),
      monthly: nonNegative('the newest copy of each of the last monthly months is kept').optional(),
    },
    { error: 'must be a mapping of rules, e.g. { keepLast: 7, daily: 7, weekly: 4, monthly: 12 }' },
  )
  .meta({
    description:
      'which snapcopy-owned copies to keep (any rule keeps a copy; the rest are deleted); days, weeks and months in UTC',
    minProperties: 1,
  });

/** The schema of a `retention` mapping (a function: see the note at the top). */
export function retentionRulesSchema(): typeof retentionRules {
  return retentionRules;
}

/** The rules given, in their fixed order, without absent ones. */
export function retentionRulesOf(given: z.infer<typeof retentionRules>): RetentionRules {
  const rules: RetentionRules = {};
  for (const r of RETENTION_RULES) {
    const n = given[r];
    if (n !== undefined) rules[r] = n;
  }
  return rules;
}

/** `keepLast 7, daily 7, weekly 4` — for messages and summaries. */
export function describeRetention(rules: RetentionRules): string {
  return RETENTION_RULES.filter((r) => rules[r] !== undefined)
    .map((r) => `${r} ${rules[r]}`)
    .join(', ');
}
