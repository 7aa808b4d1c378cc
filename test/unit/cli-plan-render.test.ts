// `snapcopy plan validate` output (pure render and the cross-file report), without files or processes.
import { describe, expect, it } from 'vitest';
import {
  WITHOUT_AWS_NOTE,
  okLine,
  problemLine,
  renderSchema,
  renderValidation,
  retentionText,
  selectionText,
} from '../../src/cli/commands/plan/render-validate';
import { validationReport } from '../../src/cli/commands/plan/report-validate';
import { scheduleText } from '../../src/cli/commands/plan/schedules';
import { checkPlan, type Plan } from '../../src/shared/plan';

function plan(over: Record<string, unknown> = {}): Plan {
  const r = checkPlan({
    name: 'p',
    schedule: { cron: '0 3 * * *' },
    source: { region: 'us-east-1', clusters: ['a', 'b', 'c'] },
    destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }],
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.plan;
}

describe('plan validate: render', () => {
  it('says what a plan copies, when, and what it keeps', () => {
    expect(selectionText(plan())).toBe('3 clusters in us-east-1 × 1 destination (us-west-2)');
    expect(selectionText(plan({ source: { region: 'us-east-1', tags: { backup: 'dr', tier: '1' } } }))).toBe(
      'clusters tagged backup=dr, tier=1 in us-east-1 × 1 destination (us-west-2)',
    );
    expect(scheduleText(plan())).toBe('cron "0 3 * * *" UTC');
    expect(scheduleText(plan({ schedule: { every: '90m' } }))).toBe('every 1h30m');
    expect(retentionText(plan())).toBe('no retention (copies are kept)');
    expect(retentionText(plan({ retention: { daily: 7, keepLast: 2 } }))).toBe(
      'retention keepLast 2, daily 7',
    );
    expect(
      okLine(
        'f.yaml',
        plan({ notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t', on: 'always' } }),
      ),
    ).toBe(
      'f.yaml: ok (3 clusters in us-east-1 × 1 destination (us-west-2); cron "0 3 * * *" UTC; rpo 26h (default: daily cron); no retention (copies are kept); notify on every run)',
    );
  });

  it('prints problems as FILE:LINE[:COL]: [warning: ]path: message, the parts that are known', () => {
    expect(problemLine('f.yaml', { line: 3, path: 'source.region', message: 'required' })).toBe(
      'f.yaml:3: source.region: required',
    );
    expect(problemLine('f.yaml', { line: 2, column: 5, message: 'YAML: bad' })).toBe('f.yaml:2:5: YAML: bad');
    expect(problemLine('f.yaml', { message: 'cannot read the file: no such file' })).toBe(
      'f.yaml: cannot read the file: no such file',
    );
    expect(
      problemLine('f.yaml', { line: 9, path: 'destinations[0].kmsKeyId', message: 'x' }, 'warning'),
    ).toBe('f.yaml:9: warning: destinations[0].kmsKeyId: x');
  });

  it('one line per problem, a count when several files, the AWS note only when some plan was valid', () => {
    const bad = { file: 'bad.yaml', problems: [{ line: 1, path: 'name', message: 'required' }] };
    const report = validationReport([bad]);
    expect(report.ok).toBe(false);
    expect(renderValidation(report)).toBe('bad.yaml:1: name: required');
    const both = validationReport([{ file: 'ok.yaml', plan: plan(), problems: [] }, bad]);
    expect(renderValidation(both).split('\n')).toEqual([
      expect.stringMatching(/^ok\.yaml: ok \(/) as unknown as string,
      'bad.yaml:1: name: required',
      '1 file of 2 not valid',
      WITHOUT_AWS_NOTE,
    ]);
  });

  it('the report: a plan name once across files, a warning per destination that may need a key', () => {
    const noKey = plan({
      destinations: [
        { region: 'us-east-1' },
        { region: 'us-west-2' },
        { region: 'eu-west-1', kmsKeyId: 'alias/x' },
      ],
    });
    const r = validationReport([
      {
        file: 'a.yaml',
        plan: noKey,
        problems: [],
        lineAt: (p) => (p[0] === 'destinations' ? 10 + Number(p[1]) : 1),
      },
      { file: 'b.yaml', plan: plan(), problems: [], lineAt: () => 1 },
    ]);
    expect(r.ok).toBe(false);
    // Within the source's Region no key is needed; in another Region one is, if the source is encrypted.
    expect(r.files[0]?.warnings.map((w) => [w.line, w.path])).toEqual([[11, 'destinations[1].kmsKeyId']]);
    expect(r.files[1]?.plan).toBeUndefined();
    expect(r.files[1]?.problems).toEqual([
      {
        line: 1,
        path: 'name',
        message:
          'p is already the name of the plan in a.yaml: each plan has its own schedule snapcopy-plan-<name>',
      },
    ]);
  });

  it('prints the schema as indented JSON', () => {
    expect(renderSchema({ type: 'object' })).toBe('{\n  "type": "object"\n}');
  });
});
