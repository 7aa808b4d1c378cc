// Cross-account copies: role ARNs, and the key-policy statement a source key needs so that another
// account can copy snapshots encrypted with it. Pure and workflow-safe.
import { parseArn } from './arn';

/**
 * An IAM role snapcopy assumes for another account's calls (SourceRoleArn / TargetRoleArn). Only the role's
 * ARN travels in inputs and histories; its session's credentials stay inside the worker's clients.
 */
export interface AssumedRole {
  roleArn: string;
  /** sts:ExternalId, when the role's trust policy asks for one (options.externalId). */
  externalId?: string;
}

/** An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<optional path/>name`. */
export const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export interface ParsedRoleArn {
  partition: string;
  accountId: string;
}

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const m = ROLE_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1]!, accountId: m[2]! } : undefined;
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
