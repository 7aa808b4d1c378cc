// Cross-account copies: role ARNs, and the key-policy statement a source key needs so that another
// account can copy snapshots encrypted with it. Pure and workflow-safe.
import { ACCOUNT_ID_PATTERN, parseArn } from './arn';
import { show } from './messages';

/**
 * An IAM role snapcopy assumes for another account's calls (SourceRoleArn / TargetRoleArn). Only the role's
 * ARN travels in inputs and histories; its session's credentials stay inside the worker's clients.
 */
export interface AssumedRole {
  roleArn: string;
  /** sts:ExternalId, when the role's trust policy asks for one (options.externalId). */
  externalId?: string;
}

export interface ParsedRoleArn {
  partition: string;
  accountId: string;
}

/** An IAM role ARN's partition and account, or undefined when roleArnProblem finds it wrong. */
export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const parsed = roleArnProblem(arn) === undefined ? parseArn(arn) : undefined;
  return parsed && { partition: parsed.partition, accountId: parsed.accountId };
}

export const ROLE_ARN_FORM = 'arn:<partition>:iam::<12-digit account>:role/<name> (or role/<path>/<name>)';
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/(?:[\u0021-\u007e]*\/)?$/;
const PARTITION = /^aws(?:-[a-z]+)*$/;

/**
 * The one rule for a role ARN (copies' SourceRoleArn / TargetRoleArn, plans' roleArn, the CLI's flags): what
 * is wrong with `arn`, quoted, or undefined when it is an IAM role ARN. The caller puts the field in front.
 */
export function roleArnProblem(arn: string): string | undefined {
  const not = (why: string) => `${show(arn)} is not an IAM role ARN (${ROLE_ARN_FORM}): ${why}`;
  const parsed = parseArn(arn);
  if (parsed === undefined) return not('it is not an ARN');
  if (!PARTITION.test(parsed.partition)) return not(`${show(parsed.partition)} is not an AWS partition`);
  if (parsed.service !== 'iam') return not(`it is an ARN of the ${parsed.service} service`);
  if (parsed.region !== '') return not('it names a Region, but IAM ARNs have none');
  if (!ACCOUNT_ID_PATTERN.test(parsed.accountId)) {
    return not(`it must carry a 12-digit account ID (got ${show(parsed.accountId)})`);
  }
  if (!parsed.resource.startsWith('role/')) return not('the part after the account must start with "role/"');
  const rest = parsed.resource.slice('role/'.length);
  const slash = rest.lastIndexOf('/');
  const name = rest.slice(slash + 1);
  const path = `/${rest.slice(0, slash + 1)}`;
  if (!ROLE_NAME.test(name))
    return not(`the role name ${show(name)} must be 1 to 64 letters, digits or + = , . @ _ -`);
  if (path.length > 512 || !ROLE_PATH.test(path)) return not(`the role path ${show(path)} is not valid`);
  return undefined;
}

/** A well-formed role ARN used where `partition` applies (`where`: what sets that partition, for the message). */
export function rolePartitionProblem(arn: string, partition: string, where: string): string | undefined {
  const role = parseArn(arn);
  return role === undefined || role.partition === partition
    ? undefined
    : `${show(arn)} is in partition ${role.partition}, but ${where} is in partition ${partition}`;
}

/** What `sts:ExternalId` accepts: 2–1224 characters of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** The session name snapcopy's assumed-role sessions carry (CloudTrail shows it). */
export const ROLE_SESSION_NAME = 'snapcopy';

/**
 * The actions another account needs on a source key to copy snapshots encrypted with it (AWS: "Sharing
 * encrypted snapshots"): reading it, and letting RDS create grants for the copy.
 */
export const SHARED_KEY_USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];
export const SHARED_KEY_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

export interface KeyPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { AWS: string };
  Action: string[];
  Resource: '*';
  Condition?: Record<string, Record<string, string>>;
}

/** The statements to add to the source key's policy so that `accountId` can copy with it. */
export function sourceKeyPolicyStatements(partition: string, accountId: string): KeyPolicyStatement[] {
  const principal = { AWS: `arn:${partition}:iam::${accountId}:root` };
  return [
    {
      Sid: `SnapcopyUseKeyFrom${accountId}`,
      Effect: 'Allow',
      Principal: principal,
      Action: SHARED_KEY_USE_ACTIONS,
      Resource: '*',
    },
    {
      Sid: `SnapcopyGrantsFrom${accountId}`,
      Effect: 'Allow',
      Principal: principal,
      Action: SHARED_KEY_GRANT_ACTIONS,
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
}

/** The partition of an ARN (`aws` when it cannot be told). */
export function partitionOf(arn: string): string {
  return parseArn(arn)?.partition ?? 'aws';
}
