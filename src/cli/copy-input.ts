// The copy input from command-line flags (copy and schedule create share them), checked locally with the
// shared validateCopyInput before anything is started: a bad value is a usage error naming field and flag.
import { Option, type Command } from 'commander';
import { dbIdentifierProblem } from '../shared/arn';
import { deriveTargetIdentifier } from '../shared/derive';
import type { CopyDbClusterSnapshotInput, CopyOptions, Tag } from '../shared/types';
import { InputError, validateCopyInput, type ValidatedInput } from '../shared/validation';
import { UsageError } from './errors';
import { parseDurationSeconds, parseInteger, parseTag, repeatable } from './parse';

/** Flags shared by `copy` and `schedule create`. */
export interface CopyFlags {
  sourceCluster?: string;
  sourceRegion?: string;
  targetRegion?: string;
  kmsKey?: string;
  copyTags?: boolean;
  tag?: Tag[];
  minPoll?: number;
  maxPoll?: number;
  deadline?: number;
  keep?: number;
  /** false with --no-prune. */
  prune?: boolean;
  onCancelAfterAvailable?: 'keep' | 'delete';
  slotWait?: number;
  retain?: number;
  pollsPerRun?: number;
}

/** `copy` only. */
export interface SnapshotSourceFlags {
  source?: string;
  target?: string;
  presignedUrl?: string;
}

/** Which flag sets each input field, for messages. */
const FIELD_FLAGS: [string, string][] = [
  ['SourceDBClusterSnapshotIdentifier', '--source'],
  ['SourceDBClusterIdentifier', '--source-cluster'],
  ['TargetDBClusterSnapshotIdentifier', '--target'],
  ['KmsKeyId', '--kms-key'],
  ['CopyTags', '--copy-tags'],
  ['Tags', '--tag'],
  ['SourceRegion', '--source-region'],
  ['TargetRegion', '--target-region'],
  ['PreSignedUrl', '--presigned-url'],
  ['options.minPollSeconds', '--min-poll'],
  ['options.maxPollSeconds', '--max-poll'],
  ['options.deadlineSeconds', '--deadline'],
  ['options.pruneOnQuota', '--no-prune'],
  ['options.keep', '--keep'],
  ['options.onCancelAfterAvailable', '--on-cancel-after-available'],
  ['options.slotWaitSeconds', '--slot-wait'],
  ['options.retain', '--retain'],
  ['options.pollsPerRun', '--polls-per-run'],
];

export function flagOf(field: string): string | undefined {
  return FIELD_FLAGS.find(([name]) => field === name || field.startsWith(`${name}[`))?.[1];
}

/** An InputError as a usage error: the shared rule's message, plus the flag that sets the field. */
export function usageErrorOf(err: InputError): UsageError {
  const flag = flagOf(err.field);
  return new UsageError(flag ? `${err.message} (${flag})` : err.message);
}

export function validateForCli(input: CopyDbClusterSnapshotInput): ValidatedInput {
  try {
    return validateCopyInput(input);
  } catch (err) {
    if (err instanceof InputError) throw usageErrorOf(err);
    throw err;
  }
}

/** --source-region, --target-region, --kms-key, --copy-tags, --tag. */
export function addWhereOptions(cmd: Command): Command {
  return cmd
    .option(
      '--source-region <region>',
      "Region of the source snapshot (default: the ARN's Region, else --target-region)",
    )
    .addOption(
      new Option('--target-region <region>', 'Region the copy is made in (required)').makeOptionMandatory(),
    )
    .option(
      '--kms-key <key>',
      'KMS key of the target Region to encrypt the copy: key ID, key ARN, alias/<name> or alias ARN ' +
        '(required for an encrypted source copied to another Region)',
    )
    .option('--copy-tags', "copy the source snapshot's tags to the copy")
    .option(
      '--tag <Key=Value>',
      'tag for the copy; repeat for more (Key= gives an empty value; the first = splits)',
      repeatable(parseTag),
    );
}

/** The workflow's options (CopyOptions). */
export function addCopyOptionFlags(cmd: Command): Command {
  return cmd
    .option(
      '--min-poll <duration>',
      'shortest wait between progress polls (default 15s)',
      parseDurationSeconds,
    )
    .option(
      '--max-poll <duration>',
      'longest wait between progress polls (default 300s)',
      parseDurationSeconds,
    )
    .option(
      '--deadline <duration>',
      'give up (delete the unfinished copy, fail) when not available after this long, e.g. 12h (default: none)',
      parseDurationSeconds,
    )
    .option(
      '--keep <n>',
      'when the snapshot quota is hit, never prune the newest n snapcopy-owned copies of the cluster (default 1)',
      parseInteger,
    )
    .option('--no-prune', 'on the snapshot quota, fail instead of pruning old snapcopy-owned copies')
    .addOption(
      new Option(
        '--on-cancel-after-available <action>',
        'what a cancel does once the copy is already available (default keep)',
      ).choices(['keep', 'delete']),
    )
    .option(
      '--slot-wait <duration>',
      'wait between attempts while 5 copies are in flight in the target Region (default 60s)',
      parseDurationSeconds,
    )
    .option(
      '--retain <n>',
      'after success keep the newest n snapcopy-owned copies of the cluster in the target Region, delete older ones',
      parseInteger,
    )
    .option(
      '--polls-per-run <n>',
      'polls per workflow run before continuing as new (default 250)',
      parseInteger,
    );
}

export function copyOptionsOf(flags: CopyFlags): CopyOptions | undefined {
  const options: CopyOptions = {};
  if (flags.minPoll !== undefined) options.minPollSeconds = flags.minPoll;
  if (flags.maxPoll !== undefined) options.maxPollSeconds = flags.maxPoll;
  if (flags.deadline !== undefined) options.deadlineSeconds = flags.deadline;
  if (flags.prune === false) options.pruneOnQuota = false;
  if (flags.keep !== undefined) options.keep = flags.keep;
  if (flags.onCancelAfterAvailable !== undefined)
    options.onCancelAfterAvailable = flags.onCancelAfterAvailable;
  if (flags.slotWait !== undefined) options.slotWaitSeconds = flags.slotWait;
  if (flags.retain !== undefined) options.retain = flags.retain;
  if (flags.pollsPerRun !== undefined) options.pollsPerRun = flags.pollsPerRun;
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * The target name for a cluster source without --target: `<cluster>-<yyyymmdd>-<hhmmss>` (UTC) of `at`, as the
 * workflow derives it. An invalid cluster name is reported as such (not as the name derived from it).
 */
export function derivedTarget(cluster: string, at: Date): string {
  const problem = dbIdentifierProblem(cluster);
  if (problem !== undefined) {
    throw new UsageError(
      `SourceDBClusterIdentifier ${JSON.stringify(cluster)} ${problem} (--source-cluster)`,
    );
  }
  return deriveTargetIdentifier(cluster, at);
}

/** The workflow input the flags describe (not yet validated). */
export function inputOf(
  flags: CopyFlags & SnapshotSourceFlags,
  target: string | undefined,
): CopyDbClusterSnapshotInput {
  const input: CopyDbClusterSnapshotInput = { TargetRegion: flags.targetRegion ?? '' };
  if (flags.source !== undefined) input.SourceDBClusterSnapshotIdentifier = flags.source;
  if (flags.sourceCluster !== undefined) input.SourceDBClusterIdentifier = flags.sourceCluster;
  if (target !== undefined) input.TargetDBClusterSnapshotIdentifier = target;
  if (flags.kmsKey !== undefined) input.KmsKeyId = flags.kmsKey;
  if (flags.copyTags) input.CopyTags = true;
  if (flags.tag !== undefined && flags.tag.length > 0) input.Tags = flags.tag;
  if (flags.sourceRegion !== undefined) input.SourceRegion = flags.sourceRegion;
  if (flags.presignedUrl !== undefined) input.PreSignedUrl = flags.presignedUrl;
  const options = copyOptionsOf(flags);
  if (options) input.options = options;
  return input;
}
