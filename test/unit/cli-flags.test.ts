// The one table of copy flags: every input field and every CopyOptions field has a row, the help shows the
// workflow's real defaults, and flags → commander → input round-trips for every row.
import { Command } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  COPY_FLAGS,
  FIELD_FLAGS,
  addCopyFlags,
  attributeOf,
  flagName,
  flagOf,
  inputOfFlags,
  type CopyFlag,
  type CopyFlags,
} from '../../src/cli/copy-flags';
import type { Tag } from '../../src/shared/types';
import { copyOptionsOf, inputOf } from '../../src/cli/copy-input';
import { explain } from '../../src/cli/errors';
import { parseDurationSeconds, parseInteger, parseRetention, parseTag } from '../../src/cli/parse';
import { formatDurationCompact } from '../../src/shared/duration';
import { DEFAULT_OPTIONS, INPUT_FIELDS, OPTION_FIELDS, validateCopyInput } from '../../src/shared/validation';

const rows: readonly CopyFlag[] = COPY_FLAGS;

/** Parses `argv` with the table's flags of `command`; answers what commander hands the action. */
function parse(argv: string[], command: 'copy' | 'schedule' = 'copy', table = rows) {
  const cmd = addCopyFlags(new Command('copy').exitOverride(), command, table);
  cmd.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

/** The help of the table's flags, one space between words (commander wraps to the terminal). */
function help(command: 'copy' | 'schedule' = 'copy'): string {
  const cmd = addCopyFlags(new Command('copy'), command);
  return cmd.helpInformation().replace(/\s+/g, ' ');
}

/** A sample command-line value for a row, and the input value it must give. */
function sample(row: CopyFlag): { args: string[]; value: unknown } {
  const flag = flagName(row);
  if (row.flags.startsWith('--no-')) return { args: [flag], value: false };
  if (!row.flags.includes('<')) return { args: [flag], value: true };
  if (row.choices) return { args: [flag, row.choices.at(-1) ?? ''], value: row.choices.at(-1) };
  if (row.parse === parseDurationSeconds) return { args: [flag, '1h30m'], value: 5400 };
  if (row.parse === parseInteger) return { args: [flag, '7'], value: 7 };
  if (row.parse === parseRetention) {
    return { args: [flag, 'keepLast=7,Daily=3'], value: { keepLast: 7, daily: 3 } };
  }
  if (row.field === 'Tags') {
    return {
      args: [flag, 'a=1', flag, 'b='],
      value: [parseTag('a=1'), { Key: 'b', Value: '' }],
    };
  }
  if (row.parse === undefined) return { args: [flag, `value-of${flag}`], value: `value-of${flag}` };
  throw new Error(`no sample for ${row.flags}: teach this test its parser`);
}

describe('the copy flag table', () => {
  it('has a row for every input field and every CopyOptions field, one flag each', () => {
    const fields = rows.map((r) => r.field);
    const expected = [
      ...INPUT_FIELDS.filter((f) => f !== 'options'),
      ...OPTION_FIELDS.map((f) => `options.${f}`),
    ];
    expect([...fields].sort()).toEqual([...expected].sort());
    expect(new Set(rows.map(flagName)).size).toBe(rows.length);
    expect(FIELD_FLAGS).toHaveLength(rows.length);
  });

  it('the help shows the real defaults, from DEFAULT_OPTIONS', () => {
    const text = help();
    const shown = {
      minPollSeconds: formatDurationCompact(DEFAULT_OPTIONS.minPollSeconds),
      maxPollSeconds: formatDurationCompact(DEFAULT_OPTIONS.maxPollSeconds),
      slotWaitSeconds: formatDurationCompact(DEFAULT_OPTIONS.slotWaitSeconds),
      keep: String(DEFAULT_OPTIONS.keep),
      onCancelAfterAvailable: DEFAULT_OPTIONS.onCancelAfterAvailable,
      pollsPerRun: String(DEFAULT_OPTIONS.pollsPerRun),
    };
    for (const [option, value] of Object.entries(shown)) {
      const row = rows.find((r) => r.field === `options.${option}`);
      expect(row, option).toBeDefined();
      const line = new RegExp(
        `${flagName(row!)} \\S+ ${row!.help.replace(/[()*+?.]/g, '\\$&')} \\(default ${value}\\)`,
      );
      expect(text, option).toMatch(line);
    }
    expect(text).toContain('(default 15s)');
    expect(text).toContain('(default 5m)');
    expect(text).toMatch(/--deadline <duration> .* \(default none\)/);
    expect(text).toMatch(/--retain <n> .* \(default off\)/);
    // A negation describes the non-default itself.
    expect(text).toMatch(
      /--no-prune on the snapshot quota, fail instead of pruning old snapcopy-owned copies --/,
    );
  });

  it.each(rows.map((r) => [r.flags, r] as const))('%s round-trips to its field', (_, row) => {
    const { args, value } = sample(row);
    const flags = parse(['--target-region', 'us-west-2', ...args]);
    const input = inputOfFlags(flags);
    const option = row.field.startsWith('options.') ? row.field.slice('options.'.length) : undefined;
    if (option) expect(input.options).toEqual({ [option]: value });
    else expect((input as unknown as Record<string, unknown>)[row.field]).toEqual(value);
    expect(flagOf(row.field)).toBe(flagName(row));
  });

  it('every flag at once makes the whole input, which the workflow rules then accept', () => {
    const argv = [
      ...['--source', 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1'],
      ...['--target', 'prod-1-dr', '--target-region', 'us-west-2', '--source-region', 'us-east-1'],
      ...['--kms-key', 'alias/dr', '--copy-tags', '--tag', 'team=db'],
      ...['--min-poll', '30s', '--max-poll', '10m', '--deadline', '12h', '--keep', '2', '--no-prune'],
      ...['--on-cancel-after-available', 'delete', '--slot-wait', '2m', '--retain', '7'],
      ...['--polls-per-run', '100'],
    ];
    const input = inputOf(parse(argv), 'prod-1-dr');
    expect(input).toEqual({
      SourceDBClusterSnapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1',
      TargetDBClusterSnapshotIdentifier: 'prod-1-dr',
      TargetRegion: 'us-west-2',
      SourceRegion: 'us-east-1',
      KmsKeyId: 'alias/dr',
      CopyTags: true,
      Tags: [{ Key: 'team', Value: 'db' }],
      options: {
        minPollSeconds: 30,
        maxPollSeconds: 600,
        deadlineSeconds: 43_200,
        keep: 2,
        pruneOnQuota: false,
        onCancelAfterAvailable: 'delete',
        slotWaitSeconds: 120,
        retain: 7,
        pollsPerRun: 100,
      },
    });
    expect(() => validateCopyInput(input)).not.toThrow();
  });

  it('copy --verify sets options.verify: true, which the copy rules accept; schedule create has no --verify', () => {
    const argv = ['--source', 'prod-1', '--target', 'prod-1-dr', '--target-region', 'us-west-2', '--verify'];
    const input = inputOf(parse(argv), 'prod-1-dr');
    expect(input.options).toEqual({ verify: true });
    expect(() => validateCopyInput(input)).not.toThrow();
    expect(inputOf(parse(argv.slice(0, -1)), 'prod-1-dr').options).toBeUndefined();
    expect(help('schedule')).not.toContain('--verify');
    expect(help('copy')).toMatch(/--verify once the copy is available, run a restore test of it/);
  });

  it('no flags: no options, and commander’s default for --no-prune sets nothing', () => {
    const flags = parse(['--target-region', 'us-west-2']);
    expect(flags).toMatchObject({ prune: true });
    expect(copyOptionsOf(flags)).toBeUndefined();
    expect(inputOf(flags, undefined)).toEqual({ TargetRegion: 'us-west-2' });
  });

  it('schedule create: no snapshot, target or presigned URL flags, and --source-cluster is required', () => {
    const text = help('schedule');
    expect(text).not.toMatch(/--source </);
    expect(text).not.toContain('--target <');
    expect(text).not.toContain('--presigned-url');
    expect(text).toContain('--source-cluster <cluster> the DB cluster whose newest snapshot is copied');
    expect(() => parse(['--target-region', 'us-west-2'], 'schedule')).toThrow(/--source-cluster/);
  });

  it('a new option is one row: commander, parsing and messages follow', () => {
    const extra: CopyFlag = {
      flags: '--keep-at-least <n>',
      field: 'options.keep', // any field will do for the mechanics
      help: 'a new option',
      parse: parseInteger,
      defaultText: '3',
    };
    const table = [...rows.filter((r) => r.field !== 'options.keep'), extra];
    const flags = parse(['--target-region', 'us-west-2', '--keep-at-least', '2'], 'copy', table);
    expect(attributeOf(extra)).toBe('keepAtLeast');
    expect(inputOfFlags(flags, table).options).toEqual({ keep: 2 });
  });

  it("the flags' types follow from the table (attribute names and parsers' results)", () => {
    expectTypeOf<CopyFlags['minPoll']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CopyFlags['prune']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<CopyFlags['copyTags']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<CopyFlags['tag']>().toEqualTypeOf<Tag[] | undefined>();
    expectTypeOf<CopyFlags['onCancelAfterAvailable']>().toEqualTypeOf<'keep' | 'delete' | undefined>();
    expectTypeOf<CopyFlags['kmsKey']>().toEqualTypeOf<string | undefined>();
    expect(rows.map(attributeOf)).toContain('pollsPerRun');
  });

  it('field → flag for messages, including list elements', () => {
    expect(flagOf('Tags[3].Value')).toBe('--tag');
    expect(flagOf('options.pruneOnQuota')).toBe('--no-prune');
    expect(flagOf('TargetDBClusterSnapshotIdentifier')).toBe('--target');
    expect(flagOf('options')).toBeUndefined();
  });

  it('an InputError ends with exit 2 through explain(), naming the flag once', () => {
    let error: unknown;
    try {
      validateCopyInput(inputOf(parse(['--target-region', 'us-west-2', '--source', 's']), 'Bad_Name'));
    } catch (err) {
      error = err;
    }
    const { message, exitCode } = explain(error);
    expect(exitCode).toBe(2);
    expect(message).toMatch(/^TargetDBClusterSnapshotIdentifier "Bad_Name" .*\(--target\)$/);
  });
});

describe('parseRetention', () => {
  it('refuses what is not rule=count pairs of the known rules, naming them', () => {
    for (const bad of ['keepLast', 'keepLast=x', 'hourly=3', 'keepLast=1=2', 'daily=-1']) {
      expect(() => parseRetention(bad)).toThrow(
        'must be rule=count pairs separated by commas, rules keepLast, maxAgeDays, daily, weekly, monthly (e.g. keepLast=7,daily=7).',
      );
    }
    expect(parseRetention(' weekly=4 , monthly=12 ')).toEqual({ weekly: 4, monthly: 12 });
  });
});
