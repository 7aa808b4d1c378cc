// Reading a KMS key policy: does it let another account use the key? Pure and workflow-safe.
//
// Enough of IAM's evaluation for the question snapcopy asks before sharing an encrypted snapshot: an
// explicit Deny wins, an Allow must name the account (its root, the bare ID, any principal ARN in it, or
// `*`) and the action (wildcards `*` and `?`). Conditions are not evaluated: the statements snapcopy
// recommends carry kms:GrantIsForAWSResource, which RDS's own grant request meets, and a Deny with a
// condition (an organisation's guardrail such as aws:PrincipalOrgID) is not taken to apply — if it does,
// the copy itself fails with KMS's own answer.

interface Statement {
  Condition?: unknown;
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
}

const list = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function namesAccount(principal: unknown, accountId: string): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  return list((principal as { AWS?: unknown }).AWS).some(
    (p) => p === '*' || p === accountId || new RegExp(`^arn:[^:]+:(iam|sts)::${accountId}:`).test(p),
  );
}

function matches(s: Statement, accountId: string, action: string): boolean {
  return namesAccount(s.Principal, accountId) && list(s.Action).some((a) => wildcard(a).test(action));
}

/** Whether `policy` (the key policy's JSON) lets `accountId` perform `action` on the key. */
export function keyPolicyAllows(policy: string, accountId: string, action: string): boolean {
  let statements: Statement[];
  try {
    const parsed = JSON.parse(policy) as { Statement?: unknown };
    const raw = parsed.Statement;
    statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Statement[];
  } catch {
    return false;
  }
  if (statements.some((s) => s.Effect === 'Deny' && !s.Condition && matches(s, accountId, action))) {
    return false;
  }
  return statements.some((s) => s.Effect === 'Allow' && matches(s, accountId, action));
}

/** What RDS in the destination account does with the source key while it copies. */
export const KEY_ACTIONS_FOR_COPY = ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt'];

/** The actions of KEY_ACTIONS_FOR_COPY that `policy` does not let `accountId` perform. */
export function missingKeyActions(policy: string, accountId: string): string[] {
  return KEY_ACTIONS_FOR_COPY.filter((a) => !keyPolicyAllows(policy, accountId, a));
}
