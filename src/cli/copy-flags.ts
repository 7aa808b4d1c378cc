// The one table of copy flags (`copy` and `schedule create`): each row is a flag, the input field it sets, its
// parser and its help. The commander options, the flags → input parsing and the field → flag names in error
// messages are all made from it, so adding an option is one row. The help shows the real defaults, read from
// DEFAULT_OPTIONS (the workflow's own). Pure.
import { Option, type Command } from 'commander';
import { formatDurationCompact } from '../shared/duration';
import type { CopyDbClusterSnapshotInput, CopyOptions } from '../shared/types';
import { DEFAULT_OPTIONS } from '../shared/validation';
import { parseDurationSeconds, parseInteger, parseRetention, parseTag, repeatable } from './parse';

/** An input field a flag sets: a top-level field, or `options.<name>`. */
export type InputField =
  Exclude<keyof CopyDbClusterSnapshotInput, 'options'> | `options.${keyof CopyOptions}`;

export interface CopyFlag {
  /** Commander's flags: `--min-poll <duration>` takes a value, `--copy-tags` is a switch, `--no-prune` a negation. */
  flags: string;
  field: InputField;
  help: string;
  /** Commander's parser for the value (repeatable parsers collect a list). */
  parse?: (value: string, previous?: never) => unknown;
  choices?: readonly string[];
  /** How DEFAULT_OPTIONS' value for the field is shown in the help (a duration, say); default String. */
  show?: (value: never) => string;
  /** The default to show when DEFAULT_OPTIONS has none (`none`, `off`). */
  defaultText?: string;
  /** Required. */
  required?: boolean;
  /** Where the flag exists: `copy` only (a schedule names neither a snapshot nor a target), or both. */
  only?: 'copy';
  /** What `schedule create` says (and requires) instead. */
  schedule?: { help?: string; required?: boolean };
}

const seconds = (value: number) => formatDurationCompact(value);

/** Every copy flag, in help order. One row per flag. */
export const COPY_FLAGS = [
  {
    flags: '--source <snapshot>',
    field: 'SourceDBClusterSnapshotIdentifier',
    help: 'source snapshot: name, rds:<automated name>, or DB cluster snapshot ARN',
    only: 'copy',
  },
  {
    flags: '--source-cluster <cluster>',
    field: 'SourceDBClusterIdentifier',
    help: 'copy the newest available snapshot of this DB cluster instead of --source',
    schedule: { help: 'the DB cluster whose newest snapshot is copied', required: true },
  },
  {
    flags: '--target <name>',
    field: 'TargetDBClusterSnapshotIdentifier',
    help: 'name of the copy (with --source-cluster, default <cluster>-<yyyymmdd>-<hhmmss> of the current UTC time)',
    only: 'copy',
  },
  {
    flags: '--source-region <region>',
    field: 'SourceRegion',
    help: "Region of the source snapshot (default: the ARN's Region, else --target-region)",
  },
  {
    flags: '--target-region <region>',
    field: 'TargetRegion',
    help: 'Region the copy is made in (required)',
    required: true,
  },
  {
    flags: '--kms-key <key>',
    field: 'KmsKeyId',
    help:
      'KMS key of the target Region to encrypt the copy: key ID, key ARN, alias/<name> or alias ARN ' +
      '(required for an encrypted source copied to another Region)',
  },
  { flags: '--copy-tags', field: 'CopyTags', help: "copy the source snapshot's tags to the copy" },
  {
    flags: '--tag <Key=Value>',
    field: 'Tags',
    help: 'tag for the copy; repeat for more (Key= gives an empty value; the first = splits)',
    parse: repeatable(parseTag),
  },
  {
    flags: '--presigned-url <url>',
    field: 'PreSignedUrl',
    help: 'presigned CopyDBClusterSnapshot URL (AWS GovCloud (US) cross-Region copies only)',
    only: 'copy',
  },
  {
    flags: '--source-role-arn <arn>',
    field: 'SourceRoleArn',
    help: "IAM role in the source snapshot's account to assume (cross-account copies: share, re-encrypt)",
  },
  {
    flags: '--target-role-arn <arn>',
    field: 'TargetRoleArn',
    help: 'IAM role in the destination account to assume (the copy is made there)',
  },
  {
    flags: '--external-id <id>',
    field: 'options.externalId',
    help: 'sts:ExternalId for assuming the roles',
    defaultText: 'none',
  },
  {
    flags: '--share-kms-key <key>',
    field: 'options.shareKmsKeyId',
    help: 'customer managed key of the source account to re-encrypt an aws/rds-encrypted source with before sharing',
    defaultText: 'none (such a source fails)',
  },
  {
    flags: '--min-poll <duration>',
    field: 'options.minPollSeconds',
    help: 'shortest wait between progress polls',
    parse: parseDurationSeconds,
    show: seconds,
  },
  {
    flags: '--max-poll <duration>',
    field: 'options.maxPollSeconds',
    help: 'longest wait between progress polls',
    parse: parseDurationSeconds,
    show: seconds,
  },
  {
    flags: '--follow-in-activity <duration>',
    field: 'options.followInActivitySeconds',
    help: 'polls due within this of the last are made by one activity that waits itself (0s: every wait a workflow timer)',
    parse: parseDurationSeconds,
    show: seconds,
  },
  {
    flags: '--deadline <duration>',
    field: 'options.deadlineSeconds',
    help: 'give up (delete the unfinished copy, fail) when not available after this long, e.g. 12h',
    parse: parseDurationSeconds,
    defaultText: 'none',
  },
  {
    flags: '--keep <n>',
    field: 'options.keep',
    help: 'when the snapshot quota is hit, never prune the newest n snapcopy-owned copies of the cluster',
    parse: parseInteger,
  },
  {
    flags: '--no-prune',
    field: 'options.pruneOnQuota',
    help: 'on the snapshot quota, fail instead of pruning old snapcopy-owned copies',
  },
  {
    flags: '--on-cancel-after-available <action>',
    field: 'options.onCancelAfterAvailable',
    help: 'what a cancel does once the copy is already available',
    choices: ['keep', 'delete'],
  },
  {
    flags: '--slot-wait <duration>',
    field: 'options.slotWaitSeconds',
    help: 'wait between attempts while 5 copies are in flight in the target Region',
    parse: parseDurationSeconds,
    show: seconds,
  },
  {
    flags: '--retain <n>',
    field: 'options.retain',
    help: 'after success keep the newest n snapcopy-owned copies of the cluster in the target Region, delete older ones',
    parse: parseInteger,
    defaultText: 'off',
  },
  {
    flags: '--retention <rules>',
    field: 'options.retention',
    help: 'after success keep what any rule keeps among snapcopy-owned copies of the cluster in the target Region, delete the rest: keepLast=N,maxAgeDays=N,daily=N,weekly=N,monthly=N',
    parse: parseRetention,
    defaultText: 'off',
  },
  {
    flags: '--priority <n>',
    field: 'options.priority',
    help: 'copy-slot priority, 1 (highest) to 5 (lowest); first come, first served within a priority',
    parse: parseInteger,
  },
  {
    flags: '--verify',
    field: 'options.verify',
    help: 'once the copy is available, run a restore test of it (a verifyCopy child workflow; docs/restore-tests.md)',
    only: 'copy',
  },
  {
    flags: '--polls-per-run <n>',
    field: 'options.pollsPerRun',
    help: 'polls per workflow run before continuing as new',
    parse: parseInteger,
  },
] as const satisfies readonly CopyFlag[];

// Every CopyOptions field has a row (a compile error names the one without).
type OptionFieldsWithRow = Extract<(typeof COPY_FLAGS)[number]['field'], `options.${string}`>;
type OptionsWithoutRow = Exclude<`options.${keyof CopyOptions}`, OptionFieldsWithRow>;
const everyOptionHasARow: [OptionsWithoutRow] extends [never] ? true : OptionsWithoutRow = true;
void everyOptionHasARow;

/** The long flag alone: `--min-poll <duration>` → `--min-poll`. */
export function flagName(row: Pick<CopyFlag, 'flags'>): string {
  return row.flags.split(/[ ,]/)[0] ?? row.flags;
}

/** The name commander stores the value under (`--min-poll` → minPoll, `--no-prune` → prune). */
export function attributeOf(row: Pick<CopyFlag, 'flags'>): string {
  return new Option(row.flags).attributeName();
}

const optionName = (field: InputField): keyof CopyOptions | undefined =>
  field.startsWith('options.') ? (field.slice('options.'.length) as keyof CopyOptions) : undefined;

/** The default the help shows: DEFAULT_OPTIONS' value for the field, else the row's text. */
export function defaultOf(row: CopyFlag): string | undefined {
  const option = optionName(row.field);
  if (option !== undefined && option in DEFAULT_OPTIONS) {
    const value = DEFAULT_OPTIONS[option as keyof typeof DEFAULT_OPTIONS] as never;
    return row.show ? row.show(value) : String(value);
  }
  return row.defaultText;
}

/** The help line: the row's text plus its real default (a negation describes the non-default itself). */
export function helpOf(row: CopyFlag, command: 'copy' | 'schedule' = 'copy'): string {
  const help = (command === 'schedule' ? row.schedule?.help : undefined) ?? row.help;
  const shown = row.flags.startsWith('--no-') ? undefined : defaultOf(row);
  return shown === undefined ? help : `${help} (default ${shown})`;
}

/** Which flag sets each input field, for messages. */
export const FIELD_FLAGS: readonly (readonly [InputField, string])[] = COPY_FLAGS.map(
  (row) => [row.field, flagName(row)] as const,
);

/** The flag that sets `field` (`Tags[2].Key` → --tag), if any. */
export function flagOf(field: string): string | undefined {
  return FIELD_FLAGS.find(([name]) => field === name || field.startsWith(`${name}[`))?.[1];
}

/** Adds the copy flags of `command` to `cmd`, from the table. */
export function addCopyFlags(
  cmd: Command,
  command: 'copy' | 'schedule',
  rows: readonly CopyFlag[] = COPY_FLAGS,
): Command {
  for (const row of rows) {
    if (row.only !== undefined && row.only !== command) continue;
    const option = new Option(row.flags, helpOf(row, command));
    if (row.parse) option.argParser(row.parse as (value: string, previous: unknown) => unknown);
    if (row.choices) option.choices(row.choices);
    if (row.required || (command === 'schedule' && row.schedule?.required)) option.makeOptionMandatory();
    cmd.addOption(option);
  }
  return cmd;
}

// The flags' values as commander hands them to an action, typed from the table: `--min-poll <duration>` is
// `minPoll: number` (its parser's result), `--copy-tags` `copyTags: boolean`, `--no-prune` `prune: boolean`.
type LongFlag<F extends string> = F extends `--${infer N} ${string}`
  ? N
  : F extends `--${infer N}`
    ? N
    : never;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type AttributeOf<F extends string> = LongFlag<F> extends `no-${infer N}` ? Camel<N> : Camel<LongFlag<F>>;
type ValueOf<R> = R extends { choices: readonly (infer C)[] }
  ? C
  : R extends { parse: (...args: never[]) => infer V }
    ? V
    : R extends { flags: `${string}<${string}` }
      ? string
      : boolean;
type Row = (typeof COPY_FLAGS)[number];
export type CopyFlags = { [R in Row as AttributeOf<R['flags']>]?: ValueOf<R> };

/** The value a row's flag gives its field, or undefined when the flag was not given. */
function valueOf(row: CopyFlag, flags: object): unknown {
  const value = (flags as Record<string, unknown>)[attributeOf(row)];
  if (row.flags.startsWith('--no-')) return value === false ? false : undefined; // commander defaults it to true
  if (!row.flags.includes('<')) return value === true ? true : undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

/** The workflow input the flags describe (not yet validated); TargetRegion is always present. */
export function inputOfFlags(
  flags: object,
  rows: readonly CopyFlag[] = COPY_FLAGS,
): CopyDbClusterSnapshotInput {
  const input: Record<string, unknown> = { TargetRegion: '' };
  const options: Record<string, unknown> = {};
  for (const row of rows) {
    const value = valueOf(row, flags);
    if (value === undefined) continue;
    const option = optionName(row.field);
    if (option !== undefined) options[option] = value;
    else input[row.field] = value;
  }
  if (Object.keys(options).length > 0) input.options = options;
  return input as unknown as CopyDbClusterSnapshotInput;
}
