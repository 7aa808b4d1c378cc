// `snapcopy verify`'s flags: the restore test's input they describe, and which flag sets each input field
// (for the one-line messages of the shared rules). Pure.
import type { SqlCheck, VerifyCopyInput, VerifyOptions } from '../../../shared/restore-tests';
import { UsageError } from '../../errors';

export interface VerifyFlags {
  region: string;
  instanceClass?: string;
  subnetGroup?: string;
  securityGroup?: string[];
  deadline?: number;
  pollSeconds?: number;
  targetRoleArn?: string;
  externalId?: string;
  sql?: string;
  secretArn?: string;
  database?: string;
  expect?: string;
}

/** Input field → the flag that sets it; the longest match wins (`options.check.secretArn` → --secret-arn). */
export const VERIFY_FIELD_FLAGS: readonly (readonly [string, string])[] = [
  ['SnapshotIdentifier', '<snapshot>'],
  ['Region', '--region'],
  ['TargetRoleArn', '--target-role-arn'],
  ['options.instanceClass', '--instance-class'],
  ['options.dbSubnetGroupName', '--subnet-group'],
  ['options.vpcSecurityGroupIds', '--security-group'],
  ['options.deadlineSeconds', '--deadline'],
  ['options.pollSeconds', '--poll-seconds'],
  ['options.externalId', '--external-id'],
  ['options.check', '--sql'],
  ['options.check.sql', '--sql'],
  ['options.check.secretArn', '--secret-arn'],
  ['options.check.database', '--database'],
  ['options.check.expect', '--expect'],
];

/** The flag that sets `field` (`options.vpcSecurityGroupIds[1]` → --security-group), if any. */
export function verifyFlagOf(field: string): string | undefined {
  let best: readonly [string, string] | undefined;
  for (const entry of VERIFY_FIELD_FLAGS) {
    const [name] = entry;
    const matches = field === name || field.startsWith(`${name}[`) || field.startsWith(`${name}.`);
    if (matches && (!best || name.length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** `--expect 1` is a minimum (a number), anything else text that must match exactly. */
export function parseExpect(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** The restore test's input the flags describe (not yet validated: validateVerifyInput does that). */
export function verifyInputOf(snapshot: string, flags: VerifyFlags): VerifyCopyInput {
  const options: VerifyOptions = {};
  if (flags.instanceClass !== undefined) options.instanceClass = flags.instanceClass;
  if (flags.subnetGroup !== undefined) options.dbSubnetGroupName = flags.subnetGroup;
  if (flags.securityGroup?.length) options.vpcSecurityGroupIds = flags.securityGroup;
  if (flags.deadline !== undefined) options.deadlineSeconds = flags.deadline;
  if (flags.pollSeconds !== undefined) options.pollSeconds = flags.pollSeconds;
  if (flags.externalId !== undefined) options.externalId = flags.externalId;
  if (flags.sql !== undefined) {
    options.check = {
      sql: flags.sql,
      ...(flags.secretArn !== undefined ? { secretArn: flags.secretArn } : {}),
      ...(flags.database !== undefined ? { database: flags.database } : {}),
      ...(flags.expect !== undefined ? { expect: parseExpect(flags.expect) } : {}),
    } as SqlCheck; // without --secret-arn the rules name the missing field
  } else {
    const stray = (['secretArn', 'database', 'expect'] as const).find((k) => flags[k] !== undefined);
    if (stray) {
      const flag = { secretArn: '--secret-arn', database: '--database', expect: '--expect' }[stray];
      throw new UsageError(`${flag} is part of the SQL canary: give it with --sql`);
    }
  }
  return {
    SnapshotIdentifier: snapshot,
    Region: flags.region,
    ...(flags.targetRoleArn !== undefined ? { TargetRoleArn: flags.targetRoleArn } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}
