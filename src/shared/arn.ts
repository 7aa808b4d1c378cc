// ARN, Region and identifier parsing helpers. Pure and workflow-safe: no Node built-ins, no I/O, no clocks.

/** Generic ARN: `arn:<partition>:<service>:<region>:<account>:<resource>` (the resource may contain colons). */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** An RDS ARN: `arn:<partition>:rds:<region>:<account>:<resourceType>:<resourceId>`. */
export interface ParsedRdsArn {
  partition: string;
  region: string;
  accountId: string;
  /** e.g. `cluster-snapshot`, `snapshot` (DB instance snapshot), `cluster`, `db`. */
  resourceType: string;
  /** The part after the resource type; for automated snapshots it keeps its `rds:` prefix. */
  resourceId: string;
}

export type KmsKeyRefForm = 'key-id' | 'key-arn' | 'alias-name' | 'alias-arn';

export interface KmsKeyRef {
  form: KmsKeyRefForm;
  /** The reference exactly as given. */
  value: string;
  /** Only for the ARN forms. */
  partition?: string;
  region?: string;
  accountId?: string;
  /** `key-id` / `key-arn`: the key ID (UUID or `mrk-…`). */
  keyId?: string;
  /** `alias-name` / `alias-arn`: the alias including its `alias/` prefix. */
  aliasName?: string;
}

/** Partitions known to the AWS SDK, with the Region names each one holds (@aws-sdk partitions.json). */
export const PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
];

/**
 * Well-formed AWS Region names: `us-east-1`, `eu-central-2`, `ap-southeast-4`, `il-central-1`, `mx-central-1`,
 * `cn-north-1`, `us-gov-west-1`, `us-iso-east-1`, `us-isob-east-1`, `eu-isoe-west-1`, `us-isof-south-1`, and the
 * European Sovereign Cloud's `eusc-de-east-1`. The pseudo-Regions `aws-global`, `aws-cn-global`, … are not Regions.
 */
export const REGION_PATTERN = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/;
export const REGION_EXAMPLE = 'us-east-1';

export function isRegionName(s: unknown): s is string {
  return typeof s === 'string' && REGION_PATTERN.test(s);
}

/** The partition a (well-formed) Region belongs to; unknown prefixes fall back to `aws`, as the SDK does. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** AWS GovCloud (US) Regions: the only ones where CopyDBClusterSnapshot's PreSignedUrl is used. */
export function isGovCloudRegion(region: string): boolean {
  return partitionOfRegion(region) === 'aws-us-gov';
}

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const PARTITION_PATTERN = /^aws(?:-[a-z]+)*$/;

/** Anything that starts like an ARN (used to pick the parser; parse to know whether it is well-formed). */
export function isArn(s: unknown): boolean {
  return typeof s === 'string' && s.startsWith('arn:');
}

/** Splits an ARN into its six parts without judging them (empty Region/account are kept as ''). */
export function parseArn(s: string): ParsedArn | undefined {
  if (!isArn(s)) return undefined;
  const parts = s.split(':');
  if (parts.length < 6) return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (partition === '' || service === '' || resource === '') return undefined;
  return { partition, service, region, accountId, resource };
}

/**
 * Parses `arn:<partition>:rds:<region>:<12-digit account>:<resourceType>:<resourceId>`; undefined unless every
 * part is well-formed (the resource ID itself is not judged here: see {@link dbIdentifierProblem}).
 */
export function parseRdsArn(s: string): ParsedRdsArn | undefined {
  const arn = parseArn(s);
  if (arn?.service !== 'rds') return undefined;
  if (!PARTITION_PATTERN.test(arn.partition) || !isRegionName(arn.region)) return undefined;
  if (!ACCOUNT_ID_PATTERN.test(arn.accountId)) return undefined;
  const colon = arn.resource.indexOf(':');
  if (colon <= 0 || colon === arn.resource.length - 1) return undefined;
  const resourceType = arn.resource.slice(0, colon);
  if (!/^[a-z][a-z-]*$/.test(resourceType)) return undefined;
  return {
    partition: arn.partition,
    region: arn.region,
    accountId: arn.accountId,
    resourceType,
    resourceId: arn.resource.slice(colon + 1),
  };
}

/**
 * `arn:<partition>:rds:<region>:<account>:cluster-snapshot:<id>`. The ID is lowercased, as AWS stores
 * identifiers (and so as ARNs read back from AWS carry them).
 */
export function clusterSnapshotArn(partition: string, region: string, account: string, id: string): string {
  return `arn:${partition}:rds:${region}:${account}:cluster-snapshot:${id.toLowerCase()}`;
}

// --- DB identifiers -------------------------------------------------------------------------------------------

/** Longest DB cluster (snapshot) identifier. */
export const MAX_IDENTIFIER_LENGTH = 63;
/** Automated snapshot names are `rds:<cluster identifier (≤63)>-<yyyy-mm-dd-hh-mm>`: up to 80 after `rds:`. */
export const MAX_AUTOMATED_NAME_LENGTH = MAX_IDENTIFIER_LENGTH + '-yyyy-mm-dd-hh-mm'.length;
export const AUTOMATED_PREFIX = 'rds:';

/**
 * Why `id` is not a valid DB cluster (snapshot) identifier, as a phrase to follow the quoted value
 * (`must not contain two consecutive hyphens`), or undefined when it is valid: 1–`maxLength` ASCII letters,
 * digits or hyphens, first a letter, no trailing hyphen, no `--`.
 */
export function dbIdentifierProblem(id: string, maxLength = MAX_IDENTIFIER_LENGTH): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > maxLength) return `must be at most ${maxLength} characters long (it has ${id.length})`;
  if (!/^[A-Za-z]/.test(id)) return 'must start with a letter';
  const bad = /[^A-Za-z0-9-]/.exec(id);
  if (bad) {
    return `may contain only ASCII letters, digits and hyphens (found ${JSON.stringify(bad[0])} at position ${bad.index + 1})`;
  }
  if (id.endsWith('-')) return 'must not end with a hyphen';
  if (id.includes('--')) return 'must not contain two consecutive hyphens';
  return undefined;
}

export function isAutomatedSnapshotName(id: string): boolean {
  return id.slice(0, AUTOMATED_PREFIX.length).toLowerCase() === AUTOMATED_PREFIX;
}

/** Like {@link dbIdentifierProblem} for a snapshot name that may be an automated `rds:<name>`. */
export function snapshotNameProblem(id: string): string | undefined {
  if (isAutomatedSnapshotName(id)) {
    const problem = dbIdentifierProblem(id.slice(AUTOMATED_PREFIX.length), MAX_AUTOMATED_NAME_LENGTH);
    return problem === undefined
      ? undefined
      : `is an automated snapshot name whose part after "rds:" ${problem}`;
  }
  return dbIdentifierProblem(id);
}

// --- KMS key references ---------------------------------------------------------------------------------------

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MRK_PATTERN = /^mrk-[0-9a-f]{32}$/i;
/** `alias/<name>`, name of `[a-zA-Z0-9/_-]`, the whole alias at most 256 characters. */
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
export const MAX_ALIAS_LENGTH = 256;

/** A KMS key ID: a UUID, or a multi-Region key ID `mrk-` + 32 hex digits. */
export function isKmsKeyId(s: string): boolean {
  return UUID_PATTERN.test(s) || MRK_PATTERN.test(s);
}

export function isKmsAliasName(s: string): boolean {
  return s.length <= MAX_ALIAS_LENGTH && ALIAS_PATTERN.test(s);
}

/**
 * Recognises the four forms of a KMS key reference: key ID, key ARN (`arn:<p>:kms:<region>:<acct>:key/<id>`),
 * alias name (`alias/<name>`) and alias ARN (`arn:<p>:kms:<region>:<acct>:alias/<name>`); undefined otherwise.
 */
export function parseKmsKeyRef(s: string): KmsKeyRef | undefined {
  if (isArn(s)) {
    const arn = parseArn(s);
    if (arn?.service !== 'kms' || !PARTITION_PATTERN.test(arn.partition)) return undefined;
    if (!isRegionName(arn.region) || !ACCOUNT_ID_PATTERN.test(arn.accountId)) return undefined;
    const where = { partition: arn.partition, region: arn.region, accountId: arn.accountId };
    if (arn.resource.startsWith('key/')) {
      const keyId = arn.resource.slice('key/'.length);
      return isKmsKeyId(keyId) ? { form: 'key-arn', value: s, ...where, keyId } : undefined;
    }
    if (arn.resource.startsWith('alias/')) {
      return isKmsAliasName(arn.resource)
        ? { form: 'alias-arn', value: s, ...where, aliasName: arn.resource }
        : undefined;
    }
    return undefined;
  }
  if (isKmsKeyId(s)) return { form: 'key-id', value: s, keyId: s };
  if (isKmsAliasName(s)) return { form: 'alias-name', value: s, aliasName: s };
  return undefined;
}
