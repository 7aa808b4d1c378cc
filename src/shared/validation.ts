// Input validation for the copyDbClusterSnapshot workflow and the CLI: the API's domain rules, each with its
// own message naming the field and the rule. The structural shape is copy-input-schema.ts's (zod), the
// messages' helpers messages.ts's. Workflow-safe: no Node built-ins, no I/O, no clocks or randomness.

import {
  type KmsKeyRef,
  type KmsKeyRefForm,
  type ParsedRdsArn,
  ACCOUNT_ID_PATTERN,
  MAX_ALIAS_LENGTH,
  REGION_EXAMPLE,
  dbIdentifierProblem,
  isArn,
  isAutomatedSnapshotName,
  isGovCloudRegion,
  isRegionName,
  parseArn,
  parseKmsKeyRef,
  parseRdsArn,
  partitionOfRegion,
  snapshotNameProblem,
} from './arn';
import { SNAPCOPY_COPY_TAG_KEYS } from './names';
import { retentionRulesOf, type RetentionRules } from './retention-rules';
import { DEFAULT_PRIORITY } from './priority';
import {
  EXTERNAL_ID_PATTERN,
  parseRoleArn,
  roleArnProblem,
  rolePartitionProblem,
  type AssumedRole,
} from './cross-account';
import type { CopyOptions, Tag } from './types';
import { invalidCombination, invalidValue, show } from './messages';
import { parseShape, type OptionsShape } from './copy-input-schema';
import type { VerifyOptions } from './restore-tests';
import { checkVerifyOptions } from './verify-input';

export { closest, InputError, show, valueAt, type InputErrorType } from './messages';
export { INPUT_FIELDS, OPTION_FIELDS } from './copy-input-schema';

/** At most 50 tags on an RDS resource. */
export const MAX_TAGS = 50;
/** snapcopy:managed, snapcopy:source-arn, snapcopy:source-cluster, snapcopy:workflow-id. */
export const OWNERSHIP_TAG_COUNT = 4;
/** The ownership tags and snapcopy:recovery-point: what snapcopy itself puts on every copy. */
export const SNAPCOPY_TAG_COUNT = OWNERSHIP_TAG_COUNT + 1;
/** Tags a caller may give: snapcopy's own tags take the rest of the 50. */
export const MAX_USER_TAGS = MAX_TAGS - SNAPCOPY_TAG_COUNT;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const TAG_CHARSET = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const RESERVED_TAG_PREFIXES = ['aws:', 'rds:'];
export const OWNERSHIP_TAG_PREFIX = 'snapcopy:';

export const DEFAULT_OPTIONS = {
  minPollSeconds: 15,
  maxPollSeconds: 300,
  followInActivitySeconds: 60,
  pruneOnQuota: true,
  keep: 1,
  onCancelAfterAvailable: 'keep',
  slotWaitSeconds: 60,
  pollsPerRun: 250,
  priority: DEFAULT_PRIORITY,
} as const satisfies Required<Omit<CopyOptions, OptionalOptions>>;

/** Options without a default (the cross-account ones become ValidatedInput's own fields). */
type OptionalOptions = 'deadlineSeconds' | 'retain' | 'retention' | 'externalId' | 'shareKmsKeyId' | 'verify';

/** `cluster`: the newest available snapshot of the cluster named by SourceDBClusterIdentifier. */
export type SourceForm = 'name' | 'automated' | 'arn' | 'cluster';

/** The normalized copy of a CopyDbClusterSnapshotInput. */
export interface ValidatedInput {
  source: {
    form: SourceForm;
    /** As given (an automated name keeps its `rds:`; an ARN stays an ARN). */
    identifier: string;
    /** Set for the `arn` form. */
    arn?: ParsedRdsArn;
  };
  /** SourceRegion, else the source ARN's Region, else TargetRegion. */
  sourceRegion: string;
  targetRegion: string;
  crossRegion: boolean;
  /** Lowercased, as AWS stores identifiers. */
  targetIdentifier: string;
  /** `value` as given; Region/account are set for the ARN forms. */
  kmsKey?: { form: KmsKeyRefForm; value: string; region?: string; accountId?: string };
  copyTags: boolean;
  tags: Tag[];
  preSignedUrl?: string;
  /** SourceRoleArn (with options.externalId): the source account's calls assume it. */
  sourceRole?: AssumedRole;
  /** TargetRoleArn (with options.externalId): the destination account's calls assume it. */
  targetRole?: AssumedRole;
  /** The source's account when the input tells it (SourceRoleArn, else the source ARN). */
  sourceAccountId?: string;
  /** The destination account when the input tells it (TargetRoleArn). */
  targetAccountId?: string;
  /** options.shareKmsKeyId: re-encrypt an aws/rds-encrypted source with it (source account and Region). */
  shareKmsKey?: { form: KmsKeyRefForm; value: string; region?: string; accountId?: string };
  options: Required<Omit<CopyOptions, OptionalOptions>> & {
    deadlineSeconds?: number;
    retain?: number;
    retention?: RetentionRules;
    /** options.verify as restore-test options ({} for `true`). */
    verify?: Omit<VerifyOptions, 'externalId'>;
  };
}

/** What the workflow learns by describing the source, for the rules that depend on it. */
export interface SourceFacts {
  /** StorageEncrypted. */
  encrypted: boolean;
  /** Shared from another AWS account (the source ARN's account is not the caller's). */
  shared: boolean;
  /** Tags on the source snapshot (copied when CopyTags is true). */
  tagCount: number;
  /** The source's tag keys, when known: keys shared with Tags or the ownership tags are then counted once. */
  tagKeys?: string[];
}

// --- domain rules ---------------------------------------------------------------------------------------------

/** A well-formed AWS Region name such as us-east-1, us-gov-west-1 or cn-north-1. */
export function validateRegion(region: unknown, field: string): string {
  if (typeof region !== 'string' || region === '') {
    throw invalidValue(
      field,
      `${field} must be an AWS Region name such as ${REGION_EXAMPLE} (got ${show(region)})`,
    );
  }
  if (!isRegionName(region)) {
    throw invalidValue(
      field,
      `${field} ${show(region)} is not a well-formed AWS Region name; give one such as ${REGION_EXAMPLE}, ` +
        'eu-central-2, us-gov-west-1 or cn-north-1 (lowercase)',
    );
  }
  return region;
}

/** Target identifier rules; returns it lowercased. */
export function validateTargetIdentifier(id: string, field = 'TargetDBClusterSnapshotIdentifier'): string {
  const problem = dbIdentifierProblem(id);
  if (problem !== undefined) throw invalidValue(field, `${field} ${show(id)} ${problem}`);
  return id.toLowerCase();
}

const RESOURCE_TYPE_NAMES: Record<string, string> = {
  snapshot: 'a DB instance snapshot (copy those with CopyDBSnapshot)',
  cluster: 'a DB cluster (give the ARN of one of its snapshots)',
  db: 'a DB instance',
  'cluster-pg': 'a DB cluster parameter group',
};

/** The source's form, and its parsed ARN for the ARN form. */
export function parseSource(
  id: string,
  field = 'SourceDBClusterSnapshotIdentifier',
): ValidatedInput['source'] {
  if (!isArn(id)) {
    const problem = snapshotNameProblem(id);
    if (problem !== undefined) {
      throw invalidValue(
        field,
        `${field} ${show(id)} ${problem}; give a snapshot name, an automated name "rds:<name>" or a DB cluster snapshot ARN`,
      );
    }
    return { form: isAutomatedSnapshotName(id) ? 'automated' : 'name', identifier: id };
  }
  const expected = 'arn:<partition>:rds:<region>:<12-digit account>:cluster-snapshot:<snapshot name>';
  const generic = parseArn(id);
  if (generic === undefined)
    throw invalidValue(field, `${field} ${show(id)} is not a well-formed ARN (${expected})`);
  if (generic.service !== 'rds') {
    throw invalidValue(
      field,
      `${field} ${show(id)} is an ARN of the ${generic.service} service, not of an RDS DB cluster snapshot (${expected})`,
    );
  }
  if (!isRegionName(generic.region)) {
    throw invalidValue(
      field,
      `${field} ${show(id)} has no well-formed Region (got ${show(generic.region)}, expected e.g. ${REGION_EXAMPLE})`,
    );
  }
  if (!ACCOUNT_ID_PATTERN.test(generic.accountId)) {
    throw invalidValue(
      field,
      `${field} ${show(id)} must carry a 12-digit account ID (got ${show(generic.accountId)})`,
    );
  }
  const arn = parseRdsArn(id);
  if (arn === undefined)
    throw invalidValue(field, `${field} ${show(id)} is not a well-formed RDS ARN (${expected})`);
  if (arn.resourceType !== 'cluster-snapshot') {
    const what = RESOURCE_TYPE_NAMES[arn.resourceType] ?? `an RDS resource of type "${arn.resourceType}"`;
    throw invalidValue(
      field,
      `${field} ${show(id)} is the ARN of ${what}, not of a DB cluster snapshot: the ARN must contain ":cluster-snapshot:"`,
    );
  }
  if (arn.partition !== partitionOfRegion(arn.region)) {
    throw invalidValue(
      field,
      `${field} ${show(id)} names partition ${arn.partition}, but Region ${arn.region} is in partition ${partitionOfRegion(arn.region)}`,
    );
  }
  const problem = snapshotNameProblem(arn.resourceId);
  if (problem !== undefined) {
    throw invalidValue(
      field,
      `${field} ${show(id)} has an invalid snapshot name ${show(arn.resourceId)}: it ${problem}`,
    );
  }
  return { form: 'arn', identifier: id, arn };
}

/** The KMS key reference's form; a key ARN / alias ARN must be of the target Region. */
export function validateKmsKeyId(
  value: string,
  targetRegion: string,
  field = 'KmsKeyId',
  where = 'the copy is made in',
  which = 'the destination Region',
): NonNullable<ValidatedInput['kmsKey']> {
  const ref = parseKmsKeyRef(value);
  if (ref === undefined) throw invalidValue(field, `${field} ${show(value)} ${kmsKeyProblem(value)}`);
  if (ref.region !== undefined) {
    if (ref.partition !== partitionOfRegion(ref.region)) {
      throw invalidValue(
        field,
        `${field} ${show(value)} names partition ${ref.partition}, but Region ${ref.region} is in partition ${partitionOfRegion(ref.region)}`,
      );
    }
    if (ref.region !== targetRegion) {
      throw invalidValue(
        field,
        `${field} ${show(value)} is a KMS key of ${ref.region}, but KMS keys are Regional and ${where} ` +
          `${targetRegion}: give a KMS key of ${which} ${targetRegion}` +
          (ref.keyId?.toLowerCase().startsWith('mrk-')
            ? ` (for a multi-Region key, its replica in ${targetRegion})`
            : ''),
      );
    }
  }
  return kmsKeyOf(ref);
}

function kmsKeyOf(ref: KmsKeyRef): NonNullable<ValidatedInput['kmsKey']> {
  const key: NonNullable<ValidatedInput['kmsKey']> = { form: ref.form, value: ref.value };
  if (ref.region !== undefined) key.region = ref.region;
  if (ref.accountId !== undefined) key.accountId = ref.accountId;
  return key;
}

const KMS_FORMS =
  'a key ID (UUID or mrk-<32 hex digits>), a key ARN (arn:<partition>:kms:<region>:<account>:key/<key ID>), ' +
  'an alias name (alias/<name>) or an alias ARN (arn:<partition>:kms:<region>:<account>:alias/<name>)';

/** Why a string that parseKmsKeyRef refused is not a KMS key reference. */
function kmsKeyProblem(value: string): string {
  const aliasRule = `an alias name is "alias/" followed by 1 or more letters, digits, "/", "_" or "-" (at most ${MAX_ALIAS_LENGTH} characters in all)`;
  if (isArn(value)) {
    const arn = parseArn(value);
    if (arn === undefined) return `is not a well-formed ARN; give ${KMS_FORMS}`;
    if (arn.service !== 'kms')
      return `is an ARN of the ${arn.service} service, not of a KMS key; give ${KMS_FORMS}`;
    if (!isRegionName(arn.region))
      return `has no well-formed Region (got ${show(arn.region)}, expected e.g. ${REGION_EXAMPLE})`;
    if (!ACCOUNT_ID_PATTERN.test(arn.accountId))
      return `must carry a 12-digit account ID (got ${show(arn.accountId)})`;
    if (arn.resource.startsWith('key/')) {
      return `has an invalid key ID ${show(arn.resource.slice(4))}: a key ID is a UUID or mrk-<32 hex digits>`;
    }
    if (arn.resource.startsWith('alias/')) return `has an invalid alias: ${aliasRule}`;
    return `must name key/<key ID> or alias/<name> after the account (got ${show(arn.resource)})`;
  }
  if (value.startsWith('alias/')) return `is not a valid alias name: ${aliasRule}`;
  return `is not a KMS key reference; give ${KMS_FORMS}`;
}

/** Code points, as AWS counts "Unicode characters". */
const charCount = (s: string) => [...s].length;

/**
 * Tags a caller gives: an array of { Key, Value }, Key 1–128 and Value 0–256 characters of
 * `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, neither starting with aws: or rds:, keys unique and not snapcopy: (the
 * ownership tags), at most 45 of them. Absent tags are an empty list.
 */
export function validateTags(tags: unknown, field = 'Tags'): Tag[] {
  if (tags === undefined) return [];
  const parsed = parseShape('tags', tags, field);
  const list = parsed;
  if (list.length > MAX_USER_TAGS) {
    throw invalidValue(
      field,
      `${field} has ${list.length} tags, but at most ${MAX_USER_TAGS} are allowed: a resource carries at most ` +
        `${MAX_TAGS} tags and snapcopy adds its ${SNAPCOPY_TAG_COUNT} own tags (${SNAPCOPY_COPY_TAG_KEYS.join(', ')})`,
    );
  }
  const seen = new Map<string, number>();
  list.forEach((tag, i) => {
    const keyField = `${field}[${i}].Key`;
    const valueField = `${field}[${i}].Value`;
    const keyLength = charCount(tag.Key);
    if (keyLength === 0)
      throw invalidValue(keyField, `${keyField} must not be empty (1 to ${MAX_TAG_KEY_LENGTH} characters)`);
    if (keyLength > MAX_TAG_KEY_LENGTH) {
      throw invalidValue(
        keyField,
        `${keyField} must be at most ${MAX_TAG_KEY_LENGTH} characters long (it has ${keyLength})`,
      );
    }
    const valueLength = charCount(tag.Value);
    if (valueLength > MAX_TAG_VALUE_LENGTH) {
      throw invalidValue(
        valueField,
        `${valueField} must be at most ${MAX_TAG_VALUE_LENGTH} characters long (it has ${valueLength})`,
      );
    }
    for (const [f, text] of [
      [keyField, tag.Key],
      [valueField, tag.Value],
    ] as const) {
      if (!TAG_CHARSET.test(text)) {
        const bad = [...text].find((c) => !TAG_CHARSET.test(c)) ?? '';
        throw invalidValue(
          f,
          `${f} ${show(text)} contains ${show(bad)}: tags may contain only Unicode letters, digits, white space ` +
            'and _ . : / = + - @',
        );
      }
      const prefix = RESERVED_TAG_PREFIXES.find((p) => text.toLowerCase().startsWith(p));
      if (prefix !== undefined) {
        throw invalidValue(
          f,
          `${f} ${show(text)} must not start with "${prefix}": that prefix is reserved by AWS`,
        );
      }
    }
    if (tag.Key.toLowerCase().startsWith(OWNERSHIP_TAG_PREFIX)) {
      throw invalidValue(
        keyField,
        `${keyField} ${show(tag.Key)} must not start with "${OWNERSHIP_TAG_PREFIX}": that prefix is reserved for ` +
          "snapcopy's own ownership tags",
      );
    }
    const first = seen.get(tag.Key);
    if (first !== undefined) {
      throw invalidValue(
        keyField,
        `${keyField} ${show(tag.Key)} duplicates ${field}[${first}].Key: tag keys must be unique`,
      );
    }
    seen.set(tag.Key, i);
  });
  return list.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
}

const HTTPS_URL = /^https:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;

function validatePreSignedUrl(url: string, v: Pick<ValidatedInput, 'targetRegion' | 'crossRegion'>): void {
  const field = 'PreSignedUrl';
  if (!isGovCloudRegion(v.targetRegion)) {
    throw invalidCombination(
      field,
      `${field} applies only to copies between AWS GovCloud (US) Regions; for TargetRegion ${v.targetRegion} the AWS ` +
        'SDK generates the presigned URL from the source ARN, so leave PreSignedUrl out',
    );
  }
  if (!v.crossRegion) {
    throw invalidCombination(
      field,
      `${field} is only for cross-Region copies, but the source and the target are both in ${v.targetRegion}; leave it out`,
    );
  }
  if (!HTTPS_URL.test(url)) {
    throw invalidValue(
      field,
      `${field} must be an https:// URL (a SigV4-presigned CopyDBClusterSnapshot request)`,
    );
  }
}

/**
 * The rules that need nothing but the input: shape, identifiers, Regions, KMS key form, tags, PreSignedUrl and
 * options. Returns a normalized copy with defaults filled in; throws InputError.
 */
export function validateCopyInput(input: unknown): ValidatedInput {
  const parsed = parseShape('input', input, '');
  const raw = parsed;

  const targetRegion = validateRegion(raw.TargetRegion, 'TargetRegion');
  const givenSourceRegion =
    raw.SourceRegion === undefined ? undefined : validateRegion(raw.SourceRegion, 'SourceRegion');
  const targetIdentifier = validateTargetIdentifier(raw.TargetDBClusterSnapshotIdentifier);
  const source = parseSourceField(raw.SourceDBClusterSnapshotIdentifier, raw.SourceDBClusterIdentifier);

  const targetPartition = partitionOfRegion(targetRegion);
  if (source.arn !== undefined) {
    if (givenSourceRegion !== undefined && source.arn.region !== givenSourceRegion) {
      throw invalidCombination(
        'SourceRegion',
        `SourceRegion ${givenSourceRegion} does not match the Region of SourceDBClusterSnapshotIdentifier ` +
          `${show(source.identifier)} (${source.arn.region}); leave SourceRegion out or make them agree`,
      );
    }
    if (source.arn.partition !== targetPartition) {
      throw invalidCombination(
        'SourceDBClusterSnapshotIdentifier',
        `SourceDBClusterSnapshotIdentifier ${show(source.identifier)} is in partition ${source.arn.partition}, but ` +
          `TargetRegion ${targetRegion} is in partition ${targetPartition}: snapshots cannot be copied between partitions`,
      );
    }
  }
  const sourceRegion = givenSourceRegion ?? source.arn?.region ?? targetRegion;
  if (partitionOfRegion(sourceRegion) !== targetPartition) {
    throw invalidCombination(
      'SourceRegion',
      `SourceRegion ${sourceRegion} is in partition ${partitionOfRegion(sourceRegion)}, but TargetRegion ` +
        `${targetRegion} is in partition ${targetPartition}: snapshots cannot be copied between partitions`,
    );
  }
  const crossRegion = sourceRegion !== targetRegion;
  if (!crossRegion && source.form === 'name' && source.identifier.toLowerCase() === targetIdentifier) {
    throw invalidCombination(
      'TargetDBClusterSnapshotIdentifier',
      `TargetDBClusterSnapshotIdentifier ${show(raw.TargetDBClusterSnapshotIdentifier)} is the source snapshot itself ` +
        `(same name, same Region ${targetRegion}): a snapshot cannot be copied onto itself; choose another target name`,
    );
  }

  const kmsKey = raw.KmsKeyId === undefined ? undefined : validateKmsKeyId(raw.KmsKeyId, targetRegion);
  const tags = validateTags(raw.Tags);
  if (raw.PreSignedUrl !== undefined) validatePreSignedUrl(raw.PreSignedUrl, { targetRegion, crossRegion });
  const options = validateOptions(raw.options ?? {});

  const result: ValidatedInput = {
    source,
    sourceRegion,
    targetRegion,
    crossRegion,
    targetIdentifier,
    copyTags: raw.CopyTags ?? false,
    tags,
    options,
  };
  if (kmsKey !== undefined) result.kmsKey = kmsKey;
  if (raw.PreSignedUrl !== undefined) result.preSignedUrl = raw.PreSignedUrl;
  return withAccounts(result, raw, targetPartition);
}

function validateRoleArn(
  value: string,
  field: string,
  partition: string,
): { arn: string; accountId: string } {
  const problem = roleArnProblem(value);
  if (problem !== undefined) throw invalidValue(field, `${field} ${problem}`);
  const mismatch = rolePartitionProblem(value, partition, 'the copy (its TargetRegion)');
  if (mismatch !== undefined) throw invalidCombination(field, `${field} ${mismatch}`);
  return { arn: value, accountId: parseRoleArn(value)!.accountId };
}

/**
 * The accounts: SourceRoleArn / TargetRoleArn (with options.externalId) and what they must agree with — the
 * source ARN's account, the KmsKeyId ARN's account, and options.shareKmsKeyId (a key of the source account
 * in the source Region).
 */
function withAccounts(
  v: ValidatedInput,
  raw: {
    SourceRoleArn?: string;
    TargetRoleArn?: string;
    options?: { externalId?: string; shareKmsKeyId?: string };
  },
  partition: string,
): ValidatedInput {
  const externalId = raw.options?.externalId;
  if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) {
    throw invalidValue(
      'options.externalId',
      `options.externalId ${show(externalId)} must be 2 to 1224 characters of letters, digits and + = , . @ : / - _`,
    );
  }
  const roleOf = (arn: string): AssumedRole => ({ roleArn: arn, ...(externalId ? { externalId } : {}) });
  const source =
    raw.SourceRoleArn === undefined
      ? undefined
      : validateRoleArn(raw.SourceRoleArn, 'SourceRoleArn', partition);
  const target =
    raw.TargetRoleArn === undefined
      ? undefined
      : validateRoleArn(raw.TargetRoleArn, 'TargetRoleArn', partition);
  if (externalId !== undefined && !source && !target) {
    throw invalidCombination(
      'options.externalId',
      'options.externalId is for assuming SourceRoleArn or TargetRoleArn; give a role or leave it out',
    );
  }
  const arnAccount = v.source.arn?.accountId;
  if (source && arnAccount !== undefined && arnAccount !== source.accountId) {
    throw invalidCombination(
      'SourceRoleArn',
      `SourceRoleArn ${show(source.arn)} is a role of account ${source.accountId}, but SourceDBClusterSnapshotIdentifier ` +
        `${show(v.source.identifier)} is a snapshot of account ${arnAccount}: the source role must be in the source's account`,
    );
  }
  if (target && v.kmsKey?.accountId !== undefined && v.kmsKey.accountId !== target.accountId) {
    throw invalidCombination(
      'KmsKeyId',
      `KmsKeyId ${show(v.kmsKey.value)} is a key of account ${v.kmsKey.accountId}, but the copy is made in account ` +
        `${target.accountId} (TargetRoleArn): give a key of the destination account`,
    );
  }
  if (source) {
    v.sourceRole = roleOf(source.arn);
    v.sourceAccountId = source.accountId;
  } else if (arnAccount !== undefined) v.sourceAccountId = arnAccount;
  if (target) {
    v.targetRole = roleOf(target.arn);
    v.targetAccountId = target.accountId;
  }
  const shareKey = raw.options?.shareKmsKeyId;
  if (shareKey !== undefined) {
    const field = 'options.shareKmsKeyId';
    if (!source && !target) {
      throw invalidCombination(
        field,
        `${field} is for copies into another account (SourceRoleArn / TargetRoleArn); leave it out`,
      );
    }
    const key = validateKmsKeyId(
      shareKey,
      v.sourceRegion,
      field,
      'the snapshot is re-encrypted in',
      'the source Region',
    );
    if (
      key.accountId !== undefined &&
      v.sourceAccountId !== undefined &&
      key.accountId !== v.sourceAccountId
    ) {
      throw invalidCombination(
        field,
        `${field} ${show(shareKey)} is a key of account ${key.accountId}, but it must be a key of the source account ${v.sourceAccountId}`,
      );
    }
    v.shareKmsKey = key;
  }
  return v;
}

/** Exactly one of the two source fields; a cluster identifier follows the DB identifier rules. */
function parseSourceField(
  snapshot: string | undefined,
  cluster: string | undefined,
): ValidatedInput['source'] {
  if (snapshot !== undefined && cluster !== undefined) {
    throw invalidCombination(
      'SourceDBClusterIdentifier',
      'give either SourceDBClusterSnapshotIdentifier (one snapshot) or SourceDBClusterIdentifier (the newest ' +
        'snapshot of a cluster), not both',
    );
  }
  if (cluster !== undefined) {
    const problem = dbIdentifierProblem(cluster);
    if (problem)
      throw invalidValue(
        'SourceDBClusterIdentifier',
        `SourceDBClusterIdentifier ${show(cluster)} ${problem}`,
      );
    return { form: 'cluster', identifier: cluster.toLowerCase() };
  }
  if (snapshot === undefined) {
    throw invalidValue(
      'SourceDBClusterSnapshotIdentifier',
      'SourceDBClusterSnapshotIdentifier is required (or SourceDBClusterIdentifier, to copy the newest snapshot of a cluster)',
    );
  }
  return parseSource(snapshot);
}

function validateOptions(given: OptionsShape): ValidatedInput['options'] {
  const options: ValidatedInput['options'] = {
    minPollSeconds: given.minPollSeconds ?? DEFAULT_OPTIONS.minPollSeconds,
    maxPollSeconds: given.maxPollSeconds ?? DEFAULT_OPTIONS.maxPollSeconds,
    followInActivitySeconds: given.followInActivitySeconds ?? DEFAULT_OPTIONS.followInActivitySeconds,
    pruneOnQuota: given.pruneOnQuota ?? DEFAULT_OPTIONS.pruneOnQuota,
    keep: given.keep ?? DEFAULT_OPTIONS.keep,
    onCancelAfterAvailable: given.onCancelAfterAvailable ?? DEFAULT_OPTIONS.onCancelAfterAvailable,
    slotWaitSeconds: given.slotWaitSeconds ?? DEFAULT_OPTIONS.slotWaitSeconds,
    pollsPerRun: given.pollsPerRun ?? DEFAULT_OPTIONS.pollsPerRun,
    priority: given.priority ?? DEFAULT_OPTIONS.priority,
  };
  if (given.deadlineSeconds !== undefined) options.deadlineSeconds = given.deadlineSeconds;
  if (given.retain !== undefined) options.retain = given.retain;
  if (given.verify !== undefined) {
    const verify = given.verify === true ? {} : given.verify;
    checkVerifyOptions(verify, 'options.verify');
    options.verify = verify;
  }
  if (given.retention !== undefined) {
    if (given.retain !== undefined) {
      throw invalidCombination(
        'options.retention',
        'give options.retain (keep the newest N) or options.retention (tiered rules), not both',
      );
    }
    const rules = retentionRulesOf(given.retention);
    if (Object.keys(rules).length === 0) {
      throw invalidValue(
        'options.retention',
        'options.retention needs at least one rule (keepLast, maxAgeDays, daily, weekly, monthly), or leave it out',
      );
    }
    options.retention = rules;
  }
  if (options.maxPollSeconds < options.minPollSeconds) {
    const min =
      given.minPollSeconds === undefined
        ? `the default options.minPollSeconds ${options.minPollSeconds}`
        : `options.minPollSeconds ${options.minPollSeconds}`;
    throw invalidCombination(
      'options.maxPollSeconds',
      `options.maxPollSeconds ${options.maxPollSeconds} must be at least ${min}`,
    );
  }
  return options;
}

/**
 * The rules that need the source described: encryption, sharing, tag count with CopyTags, and a copy of an
 * own snapshot given by ARN onto itself. Throws InputError (InvalidParameterCombination).
 */
export function validateAgainstSource(v: ValidatedInput, source: SourceFacts): void {
  const id = show(v.source.identifier);
  if (!source.encrypted && v.kmsKey !== undefined) {
    throw invalidCombination(
      'KmsKeyId',
      `KmsKeyId is given, but the source snapshot ${id} is not encrypted: an unencrypted snapshot cannot be copied ` +
        'with a KMS key; leave KmsKeyId out',
    );
  }
  if (source.encrypted && source.shared && v.crossRegion) {
    throw invalidCombination(
      'SourceDBClusterSnapshotIdentifier',
      `SourceDBClusterSnapshotIdentifier ${id} is an encrypted snapshot shared from another account, and such a snapshot ` +
        `cannot be copied across Regions (${v.sourceRegion} to ${v.targetRegion}); copy it within ${v.sourceRegion} first`,
    );
  }
  if (source.encrypted && v.crossRegion && v.kmsKey === undefined) {
    throw invalidCombination(
      'KmsKeyId',
      `KmsKeyId is required: the source snapshot ${id} is encrypted and is copied from ${v.sourceRegion} to ` +
        `${v.targetRegion}, so a KMS key of the destination Region ${v.targetRegion} is required`,
    );
  }
  if (source.encrypted && source.shared && v.kmsKey === undefined) {
    throw invalidCombination(
      'KmsKeyId',
      `KmsKeyId is required: the source snapshot ${id} is encrypted and shared from another account, so a KmsKeyId ` +
        'of this account is required to encrypt the copy',
    );
  }
  if (
    v.source.arn !== undefined &&
    !source.shared &&
    !v.crossRegion &&
    v.source.arn.resourceId.toLowerCase() === v.targetIdentifier
  ) {
    throw invalidCombination(
      'TargetDBClusterSnapshotIdentifier',
      `TargetDBClusterSnapshotIdentifier ${show(v.targetIdentifier)} is the source snapshot ${id} itself: a snapshot ` +
        'cannot be copied onto itself; choose another target name',
    );
  }
  if (v.copyTags) {
    const total = tagsOnCopy(v, source);
    if (total > MAX_TAGS) {
      const fromSource = source.tagKeys?.length ?? source.tagCount;
      throw invalidCombination(
        'CopyTags',
        `CopyTags would put ${total} tags on the copy (${fromSource} from the source, ${v.tags.length} from Tags, ` +
          `${SNAPCOPY_TAG_COUNT} snapcopy tags), but a resource carries at most ${MAX_TAGS}; leave CopyTags out or give fewer Tags`,
      );
    }
  }
}

/** Distinct tags the copy would carry with CopyTags; keys that coincide count once when the source's keys are known. */
function tagsOnCopy(v: ValidatedInput, source: SourceFacts): number {
  if (source.tagKeys === undefined) return source.tagCount + v.tags.length + SNAPCOPY_TAG_COUNT;
  return new Set([...source.tagKeys, ...v.tags.map((t) => t.Key), ...SNAPCOPY_COPY_TAG_KEYS]).size;
}
