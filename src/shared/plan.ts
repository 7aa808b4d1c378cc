// The plan file (the plans contract, docs/plans.md): which clusters to copy where, when, and how long to keep the copies. One
// zod schema checks a plan (all of its problems at once, each naming the key path and the rule) and is the
// source of the JSON Schema that editors use. Workflow-safe: zod and the shared helpers only, no Node
// built-ins, no I/O, no clocks. Reading YAML (with line numbers) is the CLI's part: src/cli/plan-file.ts.
import { z } from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  MAX_IDENTIFIER_LENGTH,
  REGION_PATTERN,
  dbIdentifierProblem,
  parseArn,
} from './arn';
import { parseKmsKeyRef, partitionOfRegion, isRegionName } from './arn';
import { DURATION_EXAMPLES, DurationError, parseDurationSeconds } from './duration';
import {
  RETENTION_RULES,
  retentionRulesOf,
  retentionRulesSchema,
  type RetentionRules,
} from './retention-rules';
import { DEFAULT_PRIORITY, HIGHEST_PRIORITY, LOWEST_PRIORITY } from './priority';
import { ROLE_ARN_FORM, roleArnProblem, rolePartitionProblem } from './cross-account';
import { zodProblems } from './zod-problems';
import { MIN_RPO_SECONDS, defaultRpo, formatRpo } from './rpo';
import type { VerifyOptions } from './restore-tests';
import { checkVerifyOptions, restoreOptionsShape, sqlCheckSchema } from './verify-input';

export { roleArnProblem } from './cross-account';
import {
  InputError,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_USER_TAGS,
  TAG_CHARSET,
  show,
  validateKmsKeyId,
  validateRegion,
  validateTags,
} from './validation';

/** `name`: 1–40 letters, digits and hyphens (it is part of the schedule and run workflow IDs). */
export const PLAN_NAME_PATTERN = /^[A-Za-z0-9-]{1,40}$/;
export const MAX_PLAN_NAME_LENGTH = 40;
export const DEFAULT_TIMEZONE = 'UTC';
/** Shortest `schedule.every`: a run's workflow ID carries its scheduled time to the second. */
export const MIN_EVERY_SECONDS = 60;
export const NOTIFY_ON = ['failure', 'always'] as const;
export { RETENTION_RULES, type RetentionRule, type RetentionRules } from './retention-rules';

/** A plan as checked: defaults filled in, cluster identifiers lowercased (as AWS stores them). */
export interface Plan {
  name: string;
  schedule: PlanSchedule;
  source: {
    region: string;
    /** Lowercased; empty when the clusters are chosen by tags only. */
    clusters: string[];
    /** Every cluster carrying all of these tags (looked up at run time); empty when not given. */
    tags: Record<string, string>;
    roleArn?: string;
  };
  destinations: PlanDestination[];
  copyTags: boolean;
  tags: Record<string, string>;
  priority: number;
  /** Absent: copies are kept (no retention). */
  retention?: RetentionRules;
  notify?: { snsTopicArn: string; on: (typeof NOTIFY_ON)[number] };
  /** Restore tests of the newest copies (absent: none). */
  verify?: PlanVerify;
  /** The recovery point objective: the oldest a cluster's newest copy in each destination may be. */
  rpo: PlanRpo;
}

/**
 * A plan's RPO: as the file gives it (`26h`), or derived from the schedule when it gives none (`derived` says
 * how; such an RPO follows the schedule and is not written into the canonical plan file).
 */
export interface PlanRpo {
  /** `26h` */
  text: string;
  seconds: number;
  derived?: string;
}

/**
 * A plan's restore tests: each run tests the newest copy of each cluster in each destination (unless the
 * destination says verify: false) whose last passed restore test is older than `every`, oldest first, at
 * most `maxPerRun` per destination.
 */
export interface PlanVerify {
  every: string;
  everySeconds: number;
  maxPerRun: number;
  /** The restore tests' options (instance class, network, deadline, SQL canary). */
  options: Omit<VerifyOptions, 'externalId'>;
}

/** Restore tests per destination and run, unless the plan says otherwise (each holds a DB cluster a while). */
export const DEFAULT_VERIFY_PER_RUN = 5;

export type PlanSchedule =
  { cron: string; timezone: string } | { every: string; everySeconds: number; timezone: string };

export interface PlanDestination {
  region: string;
  kmsKeyId?: string;
  roleArn?: string;
  /** false: the plan's restore tests skip this destination. */
  verify?: false;
}

/** One problem of a plan: where (the key path) and the rule it breaks. */
export interface PlanProblem {
  path: (string | number)[];
  message: string;
}

export type PlanCheck = { ok: true; plan: Plan } | { ok: false; problems: PlanProblem[] };

// --- rules as phrases -----------------------------------------------------------------------------------------

/** The rule an InputError / DurationError states, without the field name it starts with. */
function ruleOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof InputError) {
      return err.message.startsWith(`${err.field} `) ? err.message.slice(err.field.length + 1) : err.message;
    }
    if (err instanceof DurationError) return err.message;
    throw err;
  }
}

const FIELD = 'value';

function nameProblem(name: string): string | undefined {
  if (PLAN_NAME_PATTERN.test(name)) return undefined;
  if (name.length === 0) return 'must not be empty (1 to 40 letters, digits or hyphens)';
  if (name.length > MAX_PLAN_NAME_LENGTH) {
    return `${show(name)} must be at most ${MAX_PLAN_NAME_LENGTH} characters long (it has ${name.length})`;
  }
  const bad = /[^A-Za-z0-9-]/.exec(name)?.[0] ?? '';
  return (
    `${show(name)} contains ${show(bad)}: a plan name is 1 to ${MAX_PLAN_NAME_LENGTH} letters, digits or hyphens ` +
    '(it names the schedule snapcopy-plan-<name>)'
  );
}

const CRON_FIELD = /^[0-9A-Za-z*,/?#-]+$/;

function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  const example = 'give 5 fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"';
  if (fields.length !== 5) {
    return `${show(cron)} has ${fields.length} field${fields.length === 1 ? '' : 's'}: ${example}`;
  }
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  return bad === undefined
    ? undefined
    : `${show(cron)} has the field ${show(bad)}, which is not a cron field (digits, names, * , / - ?): ${example}`;
}

function everyProblem(every: string): string | undefined {
  let seconds: number;
  try {
    seconds = parseDurationSeconds(every);
  } catch (err) {
    if (err instanceof DurationError) return `${err.message} (a whole number of seconds)`;
    throw err;
  }
  if (seconds < MIN_EVERY_SECONDS) {
    return `${show(every)} is shorter than 1m: a run's ID carries its scheduled time, so runs are at least a minute apart`;
  }
  return undefined;
}

function rpoProblem(rpo: string): string | undefined {
  let seconds: number;
  try {
    seconds = parseDurationSeconds(rpo);
  } catch (err) {
    if (err instanceof DurationError) return `${err.message} (a whole number of seconds)`;
    throw err;
  }
  return seconds < MIN_RPO_SECONDS
    ? `${show(rpo)} is shorter than 1m: give the oldest a cluster's newest copy may be, e.g. 26h`
    : undefined;
}

function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    return `${show(timezone)} is not an IANA time zone name such as UTC, America/New_York or Europe/Berlin`;
  }
}

const SNS_TOPIC = /^[A-Za-z0-9_-]{1,256}$/;
const SNS_FORM = 'arn:<partition>:sns:<region>:<12-digit account>:<topic name>';

function snsTopicArnProblem(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (parsed === undefined) return `${show(arn)} is not an ARN: give an SNS topic ARN ${SNS_FORM}`;
  if (parsed.service !== 'sns') {
    return `${show(arn)} is an ARN of the ${parsed.service} service, not an SNS topic: give ${SNS_FORM}`;
  }
  const region = ruleOf(() => validateRegion(parsed.region, FIELD));
  if (region !== undefined) return `${show(arn)} has no well-formed Region (got ${show(parsed.region)})`;
  if (!ACCOUNT_ID_PATTERN.test(parsed.accountId)) {
    return `${show(arn)} must carry a 12-digit account ID (got ${show(parsed.accountId)})`;
  }
  const topic = parsed.resource.endsWith('.fifo')
    ? parsed.resource.slice(0, -'.fifo'.length)
    : parsed.resource;
  if (!SNS_TOPIC.test(topic)) {
    return `${show(arn)} has the topic name ${show(parsed.resource)}: 1 to 256 letters, digits, hyphens or underscores`;
  }
  if (parsed.partition !== partitionOfRegion(parsed.region)) {
    return `${show(arn)} names partition ${parsed.partition}, but Region ${parsed.region} is in partition ${partitionOfRegion(parsed.region)}`;
  }
  return undefined;
}

/** Tags snapcopy puts on the copies: the copy input's rules (validateTags), one tag at a time. */
function ownTagProblems(tags: Record<string, string>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const entries = Object.entries(tags);
  if (entries.length > MAX_USER_TAGS) {
    const rule = ruleOf(() =>
      validateTags(
        entries.map(([Key, Value]) => ({ Key, Value })),
        FIELD,
      ),
    );
    problems.push({ path: [], message: rule ?? `has more than ${MAX_USER_TAGS} tags` });
  }
  for (const [Key, Value] of entries) {
    try {
      validateTags([{ Key, Value }], FIELD);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const which = err.field.endsWith('.Value') ? 'value' : 'key';
      const rule = err.message.startsWith(`${err.field} `)
        ? err.message.slice(err.field.length + 1)
        : err.message;
      problems.push({ path: [Key], message: `${which} ${rule}` });
    }
  }
  return problems;
}

/** Tags that select clusters: what AWS allows on a resource (aws: tags, e.g. of CloudFormation, may be matched). */
function selectorTagProblems(tags: Record<string, string>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (Object.keys(tags).length === 0) {
    problems.push({ path: [], message: 'give at least one tag (or leave tags out and name clusters)' });
  }
  for (const [key, value] of Object.entries(tags)) {
    const keyLength = [...key].length;
    const charset = 'tags may contain only Unicode letters, digits, white space and _ . : / = + - @';
    if (keyLength === 0 || keyLength > MAX_TAG_KEY_LENGTH) {
      problems.push({
        path: [key],
        message: `key must be 1 to ${MAX_TAG_KEY_LENGTH} characters (it has ${keyLength})`,
      });
    } else if (!TAG_CHARSET.test(key))
      problems.push({ path: [key], message: `key ${show(key)}: ${charset}` });
    if ([...value].length > MAX_TAG_VALUE_LENGTH) {
      problems.push({ path: [key], message: `value must be at most ${MAX_TAG_VALUE_LENGTH} characters` });
    } else if (!TAG_CHARSET.test(value))
      problems.push({ path: [key], message: `value ${show(value)}: ${charset}` });
  }
  return problems;
}

// --- structure (zod) ------------------------------------------------------------------------------------------

type Payload<T> = z.core.ParsePayload<T>;

/** A zod check from a function that answers a problem phrase (or undefined). */
function rule<T>(problem: (value: T) => string | undefined) {
  return (ctx: Payload<T>) => {
    const message = problem(ctx.value);
    if (message !== undefined) ctx.issues.push({ code: 'custom', message, input: ctx.value });
  };
}

/** A zod check from a function that answers problems below the value. */
function rules<T>(problems: (value: T) => PlanProblem[]) {
  return (ctx: Payload<T>) => {
    for (const p of problems(ctx.value)) {
      ctx.issues.push({ code: 'custom', message: p.message, input: ctx.value, path: p.path });
    }
  };
}

const text = (what: string) => z.string({ error: `must be a string (${what})` });

const regionSchema = z
  .string({ error: `must be an AWS Region name such as us-east-1` })
  // A copy of each exported pattern: zod resets a pattern's lastIndex, and the SDK freezes shared exports.
  .regex(new RegExp(REGION_PATTERN), { error: (issue) => ruleOf(() => validateRegion(issue.input, FIELD)) })
  .meta({ description: 'an AWS Region, e.g. us-east-1' });

const roleArnSchema = text('an IAM role ARN')
  .check(rule(roleArnProblem))
  .meta({
    description: `an IAM role snapcopy assumes for another account: ${ROLE_ARN_FORM}`,
    pattern: '^arn:',
  });

const kmsKeyIdSchema = text('a KMS key reference')
  .check(
    rule((value: string) =>
      ruleOf(() => validateKmsKeyId(value, parseKmsKeyRef(value)?.region ?? '', FIELD)),
    ),
  )
  .meta({
    description:
      'a KMS key of the destination Region (key ID, key ARN, alias/<name> or alias ARN); required when the source is encrypted',
  });

const tagMap = (what: string) =>
  z.record(z.string(), z.string({ error: 'must be a string (quote numbers and true/false: "true")' }), {
    error: `must be a mapping of tag keys to values (${what})`,
  });

const clusterSchema = text('a DB cluster identifier')
  .check(
    rule((id: string) =>
      dbIdentifierProblem(id) === undefined ? undefined : `${show(id)} ${dbIdentifierProblem(id)}`,
    ),
  )
  .meta({ pattern: '^[A-Za-z](?:-?[A-Za-z0-9])*$', maxLength: MAX_IDENTIFIER_LENGTH });

function duplicates(list: string[], what: string): PlanProblem[] {
  const seen = new Map<string, number>();
  const problems: PlanProblem[] = [];
  list.forEach((item, i) => {
    const key = item.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      problems.push({
        path: [i],
        message: `${show(item)} is already ${what}[${first}] (identifiers are case-insensitive)`,
      });
    }
  });
  return problems;
}

const scheduleSchema = z
  .strictObject(
    {
      cron: text('a cron expression such as "0 3 * * *"')
        .check(rule(cronProblem))
        .optional()
        .meta({ description: 'a cron expression of 5 fields, e.g. "0 3 * * *"' }),
      every: text(`a duration such as ${DURATION_EXAMPLES}`)
        .check(rule(everyProblem))
        .optional()
        .meta({ description: `an interval, e.g. 6h (${DURATION_EXAMPLES})` }),
      timezone: text('an IANA time zone name')
        .check(rule(timezoneProblem))
        .default(DEFAULT_TIMEZONE)
        .meta({ description: 'the IANA time zone of the cron expression (default UTC)' }),
    },
    { error: 'must be a mapping with cron or every, e.g. { cron: "0 3 * * *" } or { every: 6h }' },
  )
  .meta({
    description: 'when the plan runs: { cron } or { every }, optional timezone',
    oneOf: [{ required: ['cron'] }, { required: ['every'] }],
  });

const sourceSchema = z
  .strictObject(
    {
      region: regionSchema,
      clusters: z
        .array(clusterSchema, { error: 'must be a list of DB cluster identifiers, e.g. [prod-a, prod-b]' })
        .min(1, { error: 'give at least one cluster (or leave clusters out and select by tags)' })
        .optional()
        .meta({ description: 'DB cluster identifiers to copy' }),
      tags: tagMap('every cluster carrying all of them is copied')
        .check(rules(selectorTagProblems))
        .optional()
        .meta({ description: 'every cluster carrying all of these tags, looked up at run time' }),
      roleArn: roleArnSchema.optional(),
    },
    { error: 'must be a mapping with region and clusters and/or tags' },
  )
  .meta({
    description: 'the clusters to copy: by name and/or by tags, in one Region',
    anyOf: [{ required: ['clusters'] }, { required: ['tags'] }],
  });

function verifyEveryProblem(every: string): string | undefined {
  try {
    const seconds = parseDurationSeconds(every);
    return seconds < 3600
      ? `${show(every)} is shorter than 1h: a restore test takes minutes to hours`
      : undefined;
  } catch (err) {
    if (err instanceof DurationError) return err.message;
    throw err;
  }
}

/** The restore options' own rules, each at its field below verify (e.g. verify.instanceClass). */
function verifyOptionProblems(v: Record<string, unknown>): PlanProblem[] {
  try {
    checkVerifyOptions(v, 'verify');
    return [];
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const path = err.field
      .slice('verify.'.length)
      .split(/\.|\[(\d+)\]/)
      .filter((p) => p !== undefined && p !== '')
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return [{ path, message: err.message.slice(err.field.length + 1) }];
  }
}

const verifySchema = z
  .strictObject(
    {
      every: text(`a duration such as 7d`).check(rule(verifyEveryProblem)).meta({
        description: "test a copy when its cluster's last passed restore test is older than this, e.g. 7d",
      }),
      maxPerRun: z
        .int({ error: 'must be a whole number from 1 to 100' })
        .min(1, { error: 'must be from 1 to 100' })
        .max(100, { error: 'must be from 1 to 100' })
        .default(DEFAULT_VERIFY_PER_RUN)
        .meta({
          description: `restore tests per destination and run, the longest untested first (default ${DEFAULT_VERIFY_PER_RUN})`,
        }),
      ...restoreOptionsShape(),
    },
    { error: 'must be a mapping with every, e.g. { every: 7d }' },
  )
  .check(rules(verifyOptionProblems))
  .meta({ description: 'restore tests of the newest copies: restore, check, time, delete' });

const destinationSchema = z
  .strictObject(
    {
      region: regionSchema,
      kmsKeyId: kmsKeyIdSchema.optional(),
      roleArn: roleArnSchema.optional(),
      verify: z
        .literal(false, { error: 'must be false (leave it out to test this destination)' })
        .optional()
        .meta({ description: "false: the plan's restore tests skip this destination" }),
    },
    { error: 'must be a mapping with region and kmsKeyId, e.g. { region: us-west-2, kmsKeyId: alias/dr }' },
  )
  .meta({ description: 'a Region (and optionally another account) the copies are made in' });

const retentionSchema = retentionRulesSchema();

const notifySchema = z
  .strictObject(
    {
      snsTopicArn: text('an SNS topic ARN')
        .check(rule(snsTopicArnProblem))
        .meta({ description: `the SNS topic told about runs: ${SNS_FORM}` }),
      on: z
        .enum(NOTIFY_ON, { error: 'must be "failure" or "always"' })
        .default('failure')
        .meta({ description: 'failure (default): runs with a failure; always: every run' }),
    },
    { error: 'must be a mapping with snsTopicArn' },
  )
  .meta({ description: 'whom to tell about plan runs' });

const planSchema = z
  .strictObject(
    {
      name: text('the plan name')
        .regex(new RegExp(PLAN_NAME_PATTERN), { error: (issue) => nameProblem(String(issue.input)) })
        .meta({
          description: 'the plan name: 1-40 letters, digits, hyphens (schedule ID snapcopy-plan-<name>)',
        }),
      schedule: scheduleSchema,
      source: sourceSchema,
      destinations: z
        .array(destinationSchema, { error: 'must be a list of destinations, e.g. [{ region: us-west-2 }]' })
        .min(1, { error: 'give at least one destination' })
        .meta({ description: 'where the copies are made, one per Region' }),
      copyTags: z
        .boolean({ error: 'must be true or false' })
        .default(false)
        .meta({ description: "copy the source snapshot's tags onto the copies (CopyTags)" }),
      tags: tagMap('put on every copy')
        .check(rules(ownTagProblems))
        .default({})
        .meta({ description: 'tags put on every copy' }),
      priority: z
        .int({
          error: `must be a whole number from ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY} (lowest)`,
        })
        .min(HIGHEST_PRIORITY, {
          error: `must be from ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY} (lowest)`,
        })
        .max(LOWEST_PRIORITY, {
          error: `must be from ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY} (lowest)`,
        })
        .default(DEFAULT_PRIORITY)
        .meta({
          description: `copy-slot priority, ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY} (lowest)`,
        }),
      retention: retentionSchema.optional(),
      notify: notifySchema.optional(),
      verify: verifySchema.optional(),
      rpo: text('a duration such as 26h')
        .check(rule(rpoProblem))
        .optional()
        .meta({
          description:
            "recovery point objective: the oldest a cluster's newest copy in a destination may be, at least 1m " +
            '(default: twice schedule.every; 26h for a daily cron; else twice the longest gap between runs)',
        }),
    },
    { error: 'must be a mapping of name, schedule, source, destinations, ...' },
  )
  .meta({
    title: 'snapcopy plan',
    description: 'A snapcopy plan: which clusters to copy where, when, and how long to keep the copies',
  });

/** The JSON Schema (draft 2020-12) of a plan file, for editors: the same schema the plan is checked with. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(planSchema, { io: 'input', target: 'draft-2020-12' });
}

// --- checking -------------------------------------------------------------------------------------------------

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(planSchema.shape),
  schedule: Object.keys(scheduleSchema.shape),
  source: Object.keys(sourceSchema.shape),
  'destinations[]': Object.keys(destinationSchema.shape),
  retention: Object.keys(retentionSchema.shape),
  notify: Object.keys(notifySchema.shape),
  verify: Object.keys(verifySchema.shape),
  'verify.check': Object.keys(sqlCheckSchema().shape),
};

const REQUIRED_HINTS: Record<string, string> = {
  name: 'the plan name, 1-40 letters, digits, hyphens',
  schedule: 'e.g. { cron: "0 3 * * *" } or { every: 6h }',
  source: 'e.g. { region: us-east-1, clusters: [prod-a] }',
  'source.region': 'the Region of the source clusters, e.g. us-east-1',
  destinations: 'e.g. [{ region: us-west-2, kmsKeyId: alias/dr }]',
  'destinations[].region': 'the Region the copies are made in, e.g. us-west-2',
  'notify.snsTopicArn': 'the SNS topic to tell',
  'verify.every': 'e.g. 7d',
};

function pattern(path: readonly PropertyKey[]): string {
  return formatPath(
    path.map((p) => (typeof p === 'number' ? -1 : p)),
    '',
  ).replace(/\[-1\]/g, '[]');
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `destinations[1].kmsKeyId`, `tags["aws:x"]`; the root is `plan`. */
export function formatPath(path: readonly PropertyKey[], root = 'plan'): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && SIMPLE_KEY.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? root : out;
}

/** The schema's problems, worded for a plan file (`path: message`). */
function problemsOf(error: z.ZodError, input: unknown): PlanProblem[] {
  return zodProblems(error, input, (path) => KNOWN_KEYS[pattern(path)] ?? []).map((p): PlanProblem => {
    if (p.kind === 'unknown') {
      return {
        path: p.path,
        message:
          p.suggestion === undefined
            ? `unknown key (known keys here: ${p.known.join(', ')})`
            : `unknown key; did you mean ${p.suggestion}?`,
      };
    }
    if (p.kind === 'required') {
      const hint = REQUIRED_HINTS[pattern(p.path)];
      return { path: p.path, message: hint === undefined ? 'required' : `required (${hint})` };
    }
    return { path: p.path, message: p.plain ? p.message : `${p.message} (got ${show(p.value)})` };
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Rules across keys, on the raw input (each where its parts are well-formed), so they show beside the rest. */
function crossProblems(input: unknown): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (!isObject(input)) return problems;
  const { schedule, source, destinations, retention } = input;
  if (isObject(schedule)) {
    if ('cron' in schedule && 'every' in schedule) {
      problems.push({ path: ['schedule'], message: 'give either cron or every, not both' });
    } else if (!('cron' in schedule) && !('every' in schedule)) {
      problems.push({ path: ['schedule'], message: 'needs cron (e.g. "0 3 * * *") or every (e.g. 6h)' });
    }
  }
  const sourceRegion = isObject(source) && isRegionName(source.region) ? source.region : undefined;
  if (isObject(source)) {
    if (source.clusters === undefined && source.tags === undefined) {
      problems.push({
        path: ['source'],
        message:
          'needs clusters (e.g. [prod-a, prod-b]) and/or tags (e.g. { backup: dr }) to choose the clusters',
      });
    }
    if (Array.isArray(source.clusters)) {
      const names = source.clusters.map((c: unknown) => (typeof c === 'string' ? c : ''));
      const found = duplicates(names, 'clusters').filter((p) => names[Number(p.path[0])] !== '');
      problems.push(...found.map((p) => ({ path: ['source', 'clusters', ...p.path], message: p.message })));
    }
    const role = str(source.roleArn);
    if (sourceRegion !== undefined && role !== undefined)
      problems.push(...rolePartition(role, sourceRegion, ['source', 'roleArn']));
  }
  if (Array.isArray(destinations)) {
    const seen = new Map<string, number>();
    destinations.forEach((d: unknown, i) => {
      if (!isObject(d) || !isRegionName(d.region)) return;
      const region = d.region;
      const first = seen.get(region);
      if (first === undefined) seen.set(region, i);
      else {
        problems.push({
          path: ['destinations', i, 'region'],
          message:
            `${region} is already the Region of destinations[${first}]: a cluster's copies to one Region share ` +
            `the workflow ID snapcopy-${region}-<copy name>, so give each Region once`,
        });
      }
      if (sourceRegion !== undefined && partitionOfRegion(region) !== partitionOfRegion(sourceRegion)) {
        problems.push({
          path: ['destinations', i, 'region'],
          message:
            `${region} is in partition ${partitionOfRegion(region)}, but source.region ${sourceRegion} is in ` +
            `partition ${partitionOfRegion(sourceRegion)}: snapshots cannot be copied between partitions`,
        });
      }
      const key = str(d.kmsKeyId);
      const ref = key === undefined ? undefined : parseKmsKeyRef(key);
      if (key !== undefined && ref?.region !== undefined && ref.region !== region) {
        const message = ruleOf(() => validateKmsKeyId(key, region, FIELD));
        if (message !== undefined) problems.push({ path: ['destinations', i, 'kmsKeyId'], message });
      }
      const role = str(d.roleArn);
      if (role !== undefined) problems.push(...rolePartition(role, region, ['destinations', i, 'roleArn']));
    });
  }
  if (isObject(retention) && Object.keys(retention).length === 0) {
    problems.push({
      path: ['retention'],
      message: `give at least one rule (${RETENTION_RULES.join(', ')}), or leave retention out to keep every copy`,
    });
  }
  return problems;
}

function rolePartition(role: string, region: string, path: (string | number)[]): PlanProblem[] {
  if (roleArnProblem(role) !== undefined) return [];
  const problem = rolePartitionProblem(role, partitionOfRegion(region), `Region ${region}`);
  return problem === undefined ? [] : [{ path, message: problem }];
}

/** Checks a plan (as parsed from YAML or JSON): the plan with defaults filled in, or every problem found. */
export function checkPlan(input: unknown): PlanCheck {
  const parsed = planSchema.safeParse(input);
  const problems = [...(parsed.success ? [] : problemsOf(parsed.error, input)), ...crossProblems(input)];
  if (!parsed.success || problems.length > 0) return { ok: false, problems: dedupe(problems) };
  return { ok: true, plan: normalize(parsed.data) };
}

function dedupe(problems: PlanProblem[]): PlanProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function normalize(raw: z.infer<typeof planSchema>): Plan {
  const { cron, every, timezone } = raw.schedule;
  const schedule: PlanSchedule =
    cron !== undefined
      ? { cron: cron.trim().split(/\s+/).join(' '), timezone }
      : { every: (every ?? '').trim(), everySeconds: parseDurationSeconds(every ?? ''), timezone };
  const source: Plan['source'] = {
    region: raw.source.region,
    clusters: (raw.source.clusters ?? []).map((c) => c.toLowerCase()),
    tags: { ...(raw.source.tags ?? {}) },
  };
  if (raw.source.roleArn !== undefined) source.roleArn = raw.source.roleArn;
  const plan: Plan = {
    name: raw.name,
    schedule,
    source,
    destinations: raw.destinations.map((d) => {
      const out: PlanDestination = { region: d.region };
      if (d.kmsKeyId !== undefined) out.kmsKeyId = d.kmsKeyId;
      if (d.roleArn !== undefined) out.roleArn = d.roleArn;
      if (d.verify === false) out.verify = false;
      return out;
    }),
    copyTags: raw.copyTags,
    tags: { ...raw.tags },
    priority: raw.priority,
    rpo: rpoOf(raw.rpo, schedule),
  };
  if (raw.retention !== undefined) {
    plan.retention = retentionRulesOf(raw.retention);
  }
  if (raw.notify !== undefined) plan.notify = { snsTopicArn: raw.notify.snsTopicArn, on: raw.notify.on };
  if (raw.verify !== undefined) {
    const { every, maxPerRun, ...options } = raw.verify;
    plan.verify = { every: every.trim(), everySeconds: parseDurationSeconds(every), maxPerRun, options };
  }
  return plan;
}

function rpoOf(given: string | undefined, schedule: PlanSchedule): PlanRpo {
  if (given !== undefined) return { text: given.trim(), seconds: parseDurationSeconds(given) };
  const d = defaultRpo(
    'cron' in schedule ? { cron: schedule.cron } : { everySeconds: schedule.everySeconds },
  );
  return { text: formatRpo(d.seconds), seconds: d.seconds, derived: d.reason };
}

/** The plan's Temporal Schedule ID: `snapcopy-plan-<name>` (the plans contract). */
export function planScheduleId(name: string): string {
  return `snapcopy-plan-${name}`;
}

/**
 * Destinations whose kmsKeyId can be told only with AWS: one in another Region than the source without a key
 * needs one when the source is encrypted.
 */
export function destinationsWithoutKey(plan: Plan): number[] {
  return plan.destinations.flatMap((d, i) =>
    d.kmsKeyId === undefined && d.region !== plan.source.region ? [i] : [],
  );
}
