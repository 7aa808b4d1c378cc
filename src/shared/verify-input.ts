// A restore test's input: its shape (zod) and its rules, each problem an InputError naming the field and the
// rule, checked before any AWS call — by the verifyCopy workflow and by the CLI alike. Workflow-safe.
// Every workflow of a worker shares this module (src/worker/bundle.ts), and the SDK freezes what a shared
// module exports: schemas, which zod completes lazily as they are used, are exported as functions.
import { z } from 'zod';
import { isArn, isRegionName, parseArn, parseRdsArn, REGION_EXAMPLE, snapshotNameProblem } from './arn';
import { EXTERNAL_ID_PATTERN, roleArnProblem, type AssumedRole } from './cross-account';
import { invalidCombination, invalidValue, show, type InputError } from './messages';
import type { SqlCheck, VerifyCopyInput, VerifyOptions } from './restore-tests';
import { zodProblems } from './zod-problems';

z.config({ jitless: true });

const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const int = (min: number, max: number) => {
  const rule = `must be an integer from ${min} to ${max}`;
  return z.int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
};

const sqlCheck = z.strictObject(
  {
    secretArn: text,
    database: text.optional(),
    sql: text.max(65_536, { error: 'must be at most 65,536 characters' }),
    expect: z
      .union([z.number(), z.string()], { error: 'must be a number (a minimum) or a string' })
      .optional(),
  },
  { error: 'must be an object with secretArn and sql' },
);

/** The restore options' shape (shared with a copy's options.verify and a plan's verify). */
const verifyOptionsShape = {
  instanceClass: text.optional(),
  dbSubnetGroupName: text.optional(),
  vpcSecurityGroupIds: z.array(text, { error: 'must be an array of security group IDs' }).optional(),
  deadlineSeconds: int(600, 7 * 86_400).optional(),
  pollSeconds: int(1, 600).optional(),
  check: sqlCheck.optional(),
  externalId: text.optional(),
};
const optionsSchema = z.strictObject(verifyOptionsShape, { error: 'must be an object' });

const restoreOptions = (({ externalId, ...rest }) => (void externalId, rest))(verifyOptionsShape);

/** The SQL canary's shape (also a plan's and the CLI's). */
export function sqlCheckSchema(): typeof sqlCheck {
  return sqlCheck;
}

/** The restore options a copy's options.verify and a plan's verify take: the role's external ID is theirs. */
export function restoreOptionsShape(): typeof restoreOptions {
  return restoreOptions;
}

const inputSchema = z.strictObject(
  {
    SnapshotIdentifier: text,
    Region: text,
    TargetRoleArn: text.optional(),
    options: optionsSchema.optional(),
  },
  { error: 'must be an object' },
);

/** A default deadline: a big cluster restores in an hour or two; four bounds a stuck one. */
export const DEFAULT_VERIFY_DEADLINE_SECONDS = 4 * 3600;
/** The longest wait between two looks at the throwaway cluster (restores take minutes). */
export const DEFAULT_VERIFY_POLL_SECONDS = 60;

/**
 * The writer's class when none is given: the smallest burstable class each engine supports (a restore test
 * proves the data restores and the engine starts, not performance; docs/restore-tests.md).
 */
export const DEFAULT_INSTANCE_CLASS: Readonly<Record<string, string>> = {
  'aurora-postgresql': 'db.t4g.medium',
  'aurora-mysql': 'db.t4g.medium',
  aurora: 'db.t3.small',
};
export const FALLBACK_INSTANCE_CLASS = 'db.t4g.medium';

export function defaultInstanceClass(engine: string): string {
  return DEFAULT_INSTANCE_CLASS[engine] ?? FALLBACK_INSTANCE_CLASS;
}

export interface ValidatedVerify {
  snapshotIdentifier: string;
  region: string;
  role?: AssumedRole;
  /** Known from the ARN or the role; else the worker's own (asked of AWS). */
  accountId?: string;
  options: Required<Pick<VerifyOptions, 'deadlineSeconds' | 'pollSeconds'>> &
    Omit<VerifyOptions, 'deadlineSeconds' | 'pollSeconds'>;
}

const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9-]+$|^db\.serverless$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const SUBNET_GROUP = /^[A-Za-z0-9 ._-]{1,255}$/;

function fieldOf(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'input';
}

function knownAt(path: readonly (string | number)[]): readonly string[] {
  if (path.length === 0) return Object.keys(inputSchema.shape);
  if (path[path.length - 1] === 'check') return Object.keys(sqlCheck.shape);
  return Object.keys(optionsSchema.shape);
}

/** The first problem of a zod parse, as an InputError naming the field (`root` prefixes the path). */
export function shapeError(error: z.ZodError, input: unknown, root: readonly string[] = []): InputError {
  const p = zodProblems(error, input, (path) => knownAt(path.slice(root.length)))[0];
  if (!p) return invalidValue(root.join('.') || 'input', 'input is not valid');
  const field = fieldOf([...root, ...p.path]);
  if (p.kind === 'unknown') {
    return invalidValue(
      field,
      `${field} is not a known field` +
        (p.suggestion ? ` (did you mean ${p.suggestion}?)` : ` (known fields: ${p.known.join(', ')})`),
    );
  }
  if (p.kind === 'required') return invalidValue(field, `${field} is required`);
  return invalidValue(field, `${field} ${p.message}${p.plain ? '' : ` (got ${show(p.value)})`}`);
}

/** The rules of the restore options, wherever they are given (`at`: the field they are at). */
export function checkVerifyOptions(o: VerifyOptions, at: string): void {
  if (o.instanceClass !== undefined && !INSTANCE_CLASS.test(o.instanceClass)) {
    throw invalidValue(
      `${at}.instanceClass`,
      `${at}.instanceClass must be a DB instance class such as db.t4g.medium or db.r6g.large (got ${show(o.instanceClass)})`,
    );
  }
  if (o.dbSubnetGroupName !== undefined && !SUBNET_GROUP.test(o.dbSubnetGroupName)) {
    throw invalidValue(
      `${at}.dbSubnetGroupName`,
      `${at}.dbSubnetGroupName must be 1-255 letters, digits, spaces, periods, underscores or hyphens (got ${show(o.dbSubnetGroupName)})`,
    );
  }
  (o.vpcSecurityGroupIds ?? []).forEach((sg, i) => {
    if (!SECURITY_GROUP.test(sg)) {
      throw invalidValue(
        `${at}.vpcSecurityGroupIds[${i}]`,
        `${at}.vpcSecurityGroupIds[${i}] must be a security group ID such as sg-0123456789abcdef0 (got ${show(sg)})`,
      );
    }
  });
  if (o.check) checkSql(o.check, `${at}.check`);
  if (o.externalId !== undefined && !EXTERNAL_ID_PATTERN.test(o.externalId)) {
    throw invalidValue(
      `${at}.externalId`,
      `${at}.externalId must be 2-1224 characters of letters, digits and +=,.@:/- (got ${show(o.externalId)})`,
    );
  }
}

function checkSql(c: SqlCheck, at: string): void {
  const arn = parseArn(c.secretArn);
  if (!arn || arn.service !== 'secretsmanager' || !arn.resource.startsWith('secret:')) {
    throw invalidValue(
      `${at}.secretArn`,
      `${at}.secretArn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) (got ${show(c.secretArn)})`,
    );
  }
  if (typeof c.expect === 'number' && !Number.isFinite(c.expect)) {
    throw invalidValue(`${at}.expect`, `${at}.expect must be a finite number (got ${show(c.expect)})`);
  }
}

/** The verify input, checked whole; the first problem is thrown as an InputError naming its field. */
export function validateVerifyInput(input: VerifyCopyInput): ValidatedVerify {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw shapeError(parsed.error, input);
  const i = parsed.data;
  if (!isRegionName(i.Region)) {
    throw invalidValue(
      'Region',
      `Region must be an AWS Region name such as ${REGION_EXAMPLE} (got ${show(i.Region)})`,
    );
  }
  let accountId: string | undefined;
  if (isArn(i.SnapshotIdentifier)) {
    const arn = parseRdsArn(i.SnapshotIdentifier);
    if (!arn || arn.resourceType !== 'cluster-snapshot') {
      throw invalidValue(
        'SnapshotIdentifier',
        `SnapshotIdentifier must be a DB cluster snapshot name or ARN (arn:aws:rds:<region>:<account>:cluster-snapshot:<name>) (got ${show(i.SnapshotIdentifier)})`,
      );
    }
    if (arn.region !== i.Region) {
      throw invalidCombination(
        'SnapshotIdentifier',
        `SnapshotIdentifier is in ${arn.region}, but Region is ${i.Region}: a copy is restored in its own Region`,
      );
    }
    accountId = arn.accountId;
  } else {
    const problem = snapshotNameProblem(i.SnapshotIdentifier);
    if (problem) throw invalidValue('SnapshotIdentifier', `SnapshotIdentifier ${problem}`);
  }
  const options = i.options ?? {};
  checkVerifyOptions(options, 'options');
  let role: AssumedRole | undefined;
  if (i.TargetRoleArn !== undefined) {
    const problem = roleArnProblem(i.TargetRoleArn);
    if (problem) throw invalidValue('TargetRoleArn', `TargetRoleArn ${problem}`);
    const roleAccount = parseArn(i.TargetRoleArn)?.accountId;
    if (accountId && roleAccount && roleAccount !== accountId) {
      throw invalidCombination(
        'TargetRoleArn',
        `TargetRoleArn is a role of account ${roleAccount}, but the snapshot is in account ${accountId}: a copy is restored in its own account`,
      );
    }
    accountId ??= roleAccount;
    role = { roleArn: i.TargetRoleArn, ...(options.externalId ? { externalId: options.externalId } : {}) };
  } else if (options.externalId !== undefined) {
    throw invalidCombination(
      'options.externalId',
      'options.externalId needs TargetRoleArn (the role it is for)',
    );
  }
  return {
    snapshotIdentifier: i.SnapshotIdentifier,
    region: i.Region,
    ...(role ? { role } : {}),
    ...(accountId ? { accountId } : {}),
    options: {
      ...options,
      deadlineSeconds: options.deadlineSeconds ?? DEFAULT_VERIFY_DEADLINE_SECONDS,
      pollSeconds: options.pollSeconds ?? DEFAULT_VERIFY_POLL_SECONDS,
    },
  };
}
