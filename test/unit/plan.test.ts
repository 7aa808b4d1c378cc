// The plan file: schema (valid and invalid plans, messages naming key path and rule, several at once), YAML
// with line numbers, the JSON Schema for editors, and `snapcopy plan validate|schema` in-process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePlanText, readPlanFile } from '../../src/cli/plan-file';
import {
  checkPlan,
  formatPath,
  planJsonSchema,
  planScheduleId,
  roleArnProblem,
  type Plan,
  type PlanProblem,
} from '../../src/shared/plan';
import { runInProcess } from '../helpers/cli';
import { ROOT } from '../helpers/paths';

const EXAMPLE = path.join(ROOT, 'examples', 'prod-dr.yaml');

const minimal = () => ({
  name: 'nightly',
  schedule: { cron: '0 3 * * *' },
  source: { region: 'us-east-1', clusters: ['prod-a'] },
  destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }],
});

function problems(input: unknown): string[] {
  const r = checkPlan(input);
  if (r.ok) throw new Error(`expected problems, got a plan: ${JSON.stringify(r.plan)}`);
  return r.problems.map((p: PlanProblem) => `${formatPath(p.path)}: ${p.message}`);
}

function plan(input: unknown): Plan {
  const r = checkPlan(input);
  if (!r.ok) throw new Error(r.problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join('\n'));
  return r.plan;
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'snapcopy-plan-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('plan schema: valid plans', () => {
  it('accepts the documented example (examples/prod-dr.yaml) with every key', async () => {
    const f = await readPlanFile(EXAMPLE);
    expect(f.problems).toEqual([]);
    expect(f.plan).toEqual({
      name: 'prod-dr',
      schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      source: {
        region: 'us-east-1',
        clusters: ['prod-a', 'prod-b'],
        tags: { backup: 'dr' },
        roleArn: 'arn:aws:iam::111111111111:role/snapcopy-source',
      },
      destinations: [
        { region: 'us-west-2', kmsKeyId: 'alias/dr' },
        {
          region: 'eu-west-1',
          kmsKeyId: 'alias/dr',
          roleArn: 'arn:aws:iam::222222222222:role/snapcopy-target',
        },
      ],
      copyTags: true,
      tags: { purpose: 'dr' },
      priority: 2,
      retention: { keepLast: 7, maxAgeDays: 35, daily: 7, weekly: 4, monthly: 12 },
      notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:snapcopy', on: 'failure' },
      rpo: { text: '26h', seconds: 93_600 },
    } satisfies Plan);
  });

  it('fills in the defaults: timezone UTC, copyTags false, no tags, priority 3, no retention, notify on failure', () => {
    const p = plan(minimal());
    expect(p).toMatchObject({ copyTags: false, tags: {}, priority: 3, schedule: { timezone: 'UTC' } });
    expect(p.retention).toBeUndefined();
    expect(p.notify).toBeUndefined();
    expect(
      plan({ ...minimal(), notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t' } }).notify,
    ).toEqual({
      snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      on: 'failure',
    });
  });

  it('takes every with a duration, a timezone, tags only, lowercases clusters', () => {
    const p = plan({
      ...minimal(),
      schedule: { every: '6h', timezone: 'Europe/Berlin' },
      source: { region: 'us-east-1', clusters: ['Prod-A'], tags: { backup: 'dr' } },
    });
    expect(p.schedule).toEqual({ every: '6h', everySeconds: 21_600, timezone: 'Europe/Berlin' });
    expect(p.source.clusters).toEqual(['prod-a']);
    expect(
      plan({ ...minimal(), source: { region: 'us-east-1', tags: { backup: 'dr' } } }).source.clusters,
    ).toEqual([]);
  });

  it('takes any subset of retention rules, zeros included, and every KMS key form', () => {
    expect(plan({ ...minimal(), retention: { daily: 7 } }).retention).toEqual({ daily: 7 });
    expect(plan({ ...minimal(), retention: { keepLast: 0 } }).retention).toEqual({ keepLast: 0 });
    for (const key of [
      'alias/dr',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:us-west-2:123456789012:alias/dr',
    ]) {
      expect(
        plan({ ...minimal(), destinations: [{ region: 'us-west-2', kmsKeyId: key }] }).destinations[0],
      ).toEqual({
        region: 'us-west-2',
        kmsKeyId: key,
      });
    }
  });

  it('names the schedule snapcopy-plan-<name>', () => {
    expect(planScheduleId('prod-dr')).toBe('snapcopy-plan-prod-dr');
  });
});

describe('plan schema: problems name the key path and the rule', () => {
  it.each([
    [{ name: 'prod_dr' }, 'name: "prod_dr" contains "_": a plan name is 1 to 40 letters, digits or hyphens'],
    [
      { name: 'x'.repeat(41) },
      'name: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" must be at most 40 characters',
    ],
    [{ schedule: { cron: '0 3 * *' } }, 'schedule.cron: "0 3 * *" has 4 fields: give 5 fields'],
    [{ schedule: { every: 'often' } }, 'schedule.every: "often" is not a duration such as 90, 90s, 15m, 6h'],
    [{ schedule: { every: '30s' } }, 'schedule.every: "30s" is shorter than 1m'],
    [{ schedule: { cron: '0 3 * * *', every: '6h' } }, 'schedule: give either cron or every, not both'],
    [{ schedule: { timezone: 'UTC' } }, 'schedule: needs cron (e.g. "0 3 * * *") or every (e.g. 6h)'],
    [
      { schedule: { cron: '0 3 * * *', timezone: 'Mars/Olympus' } },
      'schedule.timezone: "Mars/Olympus" is not an IANA',
    ],
    [{ source: { region: 'us-east-1' } }, 'source: needs clusters (e.g. [prod-a, prod-b]) and/or tags'],
    [
      { source: { region: 'US-EAST-1', clusters: ['a'] } },
      'source.region: "US-EAST-1" is not a well-formed AWS Region',
    ],
    [{ source: { clusters: ['a'] } }, 'source.region: required (the Region of the source clusters'],
    [
      { source: { region: 'us-east-1', clusters: ['1st'] } },
      'source.clusters[0]: "1st" must start with a letter',
    ],
    [
      { source: { region: 'us-east-1', clusters: ['a--b'] } },
      'source.clusters[0]: "a--b" must not contain two',
    ],
    [{ source: { region: 'us-east-1', clusters: [] } }, 'source.clusters: give at least one cluster'],
    [
      { source: { region: 'us-east-1', clusters: ['a', 'A'] } },
      'source.clusters[1]: "A" is already clusters[0]',
    ],
    [{ source: { region: 'us-east-1', tags: {} } }, 'source.tags: give at least one tag'],
    [
      { source: { region: 'us-east-1', tags: { backup: true } } },
      'source.tags.backup: must be a string (quote',
    ],
    [
      { source: { region: 'us-east-1', clusters: ['a'], roleArn: 'arn:aws:iam::123456789012:user/bob' } },
      'source.roleArn: "arn:aws:iam::123456789012:user/bob" is not an IAM role ARN',
    ],
    [
      { source: { region: 'us-east-1', clusters: ['a'], roleArn: 'arn:aws-cn:iam::123456789012:role/r' } },
      'source.roleArn: "arn:aws-cn:iam::123456789012:role/r" is in partition aws-cn, but Region us-east-1 is in partition aws',
    ],
    [{ destinations: [] }, 'destinations: give at least one destination'],
    [{ destinations: [{ kmsKeyId: 'alias/dr' }] }, 'destinations[0].region: required'],
    [
      { destinations: [{ region: 'us-west-2', kmsKeyId: 'dr' }] },
      'destinations[0].kmsKeyId: "dr" is not a KMS key reference; give a key ID',
    ],
    [
      { destinations: [{ region: 'us-west-2', kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/dr' }] },
      'destinations[0].kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/dr" is a KMS key of eu-west-1, but KMS keys are Regional',
    ],
    [
      { destinations: [{ region: 'us-west-2' }, { region: 'us-west-2' }] },
      'destinations[1].region: us-west-2 is already the Region of destinations[0]',
    ],
    [
      { destinations: [{ region: 'cn-north-1' }] },
      'destinations[0].region: cn-north-1 is in partition aws-cn',
    ],
    [
      { destinations: [{ region: 'us-west-2', roleArn: 'arn:aws:iam::12:role/x' }] },
      'destinations[0].roleArn: "arn:aws:iam::12:role/x" is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name> (or role/<path>/<name>)): it must carry a 12-digit account ID',
    ],
    [{ copyTags: 'yes' }, 'copyTags: must be true or false (got "yes")'],
    [{ tags: { 'aws:owner': 'me' } }, 'tags["aws:owner"]: key "aws:owner" must not start with "aws:"'],
    [
      { tags: { 'snapcopy:x': 'me' } },
      'tags["snapcopy:x"]: key "snapcopy:x" must not start with "snapcopy:"',
    ],
    [{ tags: { team: 'a!' } }, 'tags.team: value "a!" contains "!"'],
    [{ priority: 0 }, 'priority: must be from 1 (highest) to 5 (lowest) (got 0)'],
    [{ priority: 2.5 }, 'priority: must be a whole number from 1 (highest) to 5 (lowest) (got 2.5)'],
    [{ retention: {} }, 'retention: give at least one rule (keepLast, maxAgeDays, daily, weekly, monthly)'],
    [{ retention: { daily: -1 } }, 'retention.daily: must be a whole number of at least 0'],
    [{ retention: { daly: 7 } }, 'retention.daly: unknown key; did you mean daily?'],
    [{ notify: { on: 'always' } }, 'notify.snsTopicArn: required (the SNS topic to tell)'],
    [
      { notify: { snsTopicArn: 'arn:aws:sqs:us-east-1:123456789012:q' } },
      'notify.snsTopicArn: "arn:aws:sqs:us-east-1:123456789012:q" is an ARN of the sqs service',
    ],
    [
      { notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t', on: 'never' } },
      'notify.on: must be "failure" or "always" (got "never")',
    ],
    [{ destination: [] }, 'destination: unknown key; did you mean destinations?'],
    [{ color: 'red' }, 'color: unknown key (known keys here: name, schedule, source, destinations'],
  ])('%j → %s', (change, expected) => {
    const found = problems({ ...minimal(), ...change });
    expect(
      found.some((p) => p.startsWith(expected)),
      found.join('\n'),
    ).toBe(true);
  });

  it('reports several problems at once, each once', () => {
    const found = problems({
      name: 'bad name',
      schedule: { cron: '* *' },
      source: { regoin: 'us-east-1', clusters: ['ok', '9'] },
      destinations: [{ region: 'us-west-2', kmsKeyID: 'alias/dr' }, { region: 'nowhere' }],
      priority: 6,
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: /),
        expect.stringMatching(/^schedule\.cron: /),
        'source.region: required (the Region of the source clusters, e.g. us-east-1)',
        'source.regoin: unknown key; did you mean region?',
        expect.stringMatching(/^source\.clusters\[1\]: "9" must start with a letter/),
        'destinations[0].kmsKeyID: unknown key; did you mean kmsKeyId?',
        expect.stringMatching(/^destinations\[1\]\.region: "nowhere" is not a well-formed AWS Region/),
        expect.stringMatching(/^priority: /),
      ]),
    );
    expect(found).toHaveLength(8);
    expect(new Set(found).size).toBe(found.length);
  });

  it('says what a plan is when the file is not a mapping', () => {
    expect(problems(null)).toEqual([
      'plan: must be a mapping of name, schedule, source, destinations, ... (got null)',
    ]);
    expect(problems(['a'])[0]).toMatch(/^plan: must be a mapping/);
  });

  it('checks IAM role ARNs', () => {
    expect(roleArnProblem('arn:aws:iam::123456789012:role/service-role/snapcopy')).toBeUndefined();
    expect(roleArnProblem('arn:aws:iam:us-east-1:123456789012:role/x')).toMatch(/names a Region/);
    expect(roleArnProblem('arn:aws:s3:::bucket')).toMatch(/s3 service/);
    expect(roleArnProblem('role/x')).toMatch(/is not an ARN/);
    expect(roleArnProblem(`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`)).toMatch(/1 to 64/);
  });
});

describe('plan files: YAML with line numbers', () => {
  const BAD = [
    'name: prod_dr', // 1
    'schedule:', // 2
    '  cron: "0 3 * *"', // 3
    'source:', // 4
    '  regoin: us-east-1', // 5
    '  clusters: [prod-a]', // 6
    'destinations:', // 7
    '  - region: us-west-2', // 8
    '    kmsKeyId: alias/dr', // 9
    '  - region: eu-west-1', // 10
    '    kmsKeyID: alias/dr', // 11
    'priority: 7', // 12
    'tags:', // 13
    '  ok: fine', // 14
    '  "aws:x": y', // 15
    '',
  ].join('\n');

  it('puts each problem at its line, in file order (a missing key at its parent)', () => {
    const f = parsePlanText(BAD, 'bad.yaml');
    expect(f.plan).toBeUndefined();
    expect(f.problems.map((p) => `${p.line}: ${p.path}: ${p.message.split(':')[0]}`)).toEqual([
      '1: name: "prod_dr" contains "_"',
      '3: schedule.cron: "0 3 * *" has 4 fields',
      '4: source.region: required (the Region of the source clusters, e.g. us-east-1)',
      '5: source.regoin: unknown key; did you mean region?',
      '11: destinations[1].kmsKeyID: unknown key; did you mean kmsKeyId?',
      '12: priority: must be from 1 (highest) to 5 (lowest) (got 7)',
      '15: tags["aws:x"]: key "aws',
    ]);
  });

  it('gives YAML syntax errors with line and column', () => {
    const f = parsePlanText('name: a\nsource:\n  region: [us-east-1\n', 'x.yaml');
    expect(f.problems.length).toBeGreaterThan(0);
    expect(typeof f.problems[0]?.line).toBe('number');
    expect(typeof f.problems[0]?.column).toBe('number');
    expect(f.problems[0]?.message).toMatch(/^YAML: /);
    const dup = parsePlanText('name: a\nname: b\n', 'dup.yaml');
    expect(dup.problems[0]).toMatchObject({ line: 2, column: 1 });
    expect(dup.problems[0]?.message).toMatch(/unique/i);
  });

  it('treats an empty file as an empty plan, and follows aliases to the anchor line', () => {
    expect(parsePlanText('', 'empty.yaml').problems[0]?.message).toMatch(/must be a mapping/);
    const text = [
      'name: a',
      'schedule: { every: 1d }',
      'source: { region: us-east-1, clusters: [a], tags: &t { "aws:cloudformation:stack-name": prod } }',
      'destinations:',
      '  - { region: us-west-2, kmsKeyId: alias/dr }',
      '  - { region: eu-west-1, kmsKeyId: "arn:aws:kms:us-west-2:123456789012:alias/dr" }',
      'tags: *t',
      '',
    ].join('\n');
    const f = parsePlanText(text, 'a.yaml');
    expect(f.problems.map((p) => [p.line, p.path, p.message.split(':')[0]])).toEqual([
      [3, 'tags["aws:cloudformation:stack-name"]', 'key "aws'],
      [6, 'destinations[1].kmsKeyId', '"arn'],
    ]);
  });

  it('reads YAML 1.2: on, yes and no are strings', () => {
    const f = parsePlanText(
      [
        'name: a',
        'schedule: { cron: "0 3 * * *" }',
        'source: { region: us-east-1, clusters: [a] }',
        'destinations: [{ region: us-west-2 }]',
        'copyTags: yes',
        'notify: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:t", on: always }',
      ].join('\n'),
      'a.yaml',
    );
    expect(f.problems).toEqual([{ line: 5, path: 'copyTags', message: 'must be true or false (got "yes")' }]);
  });

  it('says a file that cannot be read, in one problem', async () => {
    const f = await readPlanFile(path.join(tmpdir(), 'snapcopy-no-such-plan.yaml'));
    expect(f.problems).toEqual([{ message: 'cannot read the file: no such file' }]);
  });
});

describe('plan JSON Schema', () => {
  const schema = planJsonSchema();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('is a draft 2020-12 schema that validates the example plan', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const example: unknown = parse(readFileSync(EXAMPLE, 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(minimal())).toBe(true);
  });

  it('refuses what the schema refuses: unknown keys, both cron and every, no clusters or tags, bad ranges', () => {
    for (const bad of [
      { ...minimal(), extra: 1 },
      { ...minimal(), schedule: { cron: '0 3 * * *', every: '6h' } },
      { ...minimal(), schedule: {} },
      { ...minimal(), source: { region: 'us-east-1' } },
      { ...minimal(), destinations: [] },
      { ...minimal(), priority: 9 },
      { ...minimal(), retention: {} },
      { ...minimal(), retention: { daily: -1 } },
      { ...minimal(), name: 'a b' },
      { ...minimal(), source: { region: 'Virginia', clusters: ['a'] } },
      { ...minimal(), notify: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t', on: 'never' } },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('documents the keys and the defaults', () => {
    const props = schema.properties as Record<string, { description?: string; default?: unknown }>;
    expect(Object.keys(props)).toEqual([
      'name',
      'schedule',
      'source',
      'destinations',
      'copyTags',
      'tags',
      'priority',
      'retention',
      'notify',
      'verify',
      'rpo',
    ]);
    for (const [key, p] of Object.entries(props)) expect(p.description, key).toBeTruthy();
    expect(props.priority?.default).toBe(3);
    expect(props.copyTags?.default).toBe(false);
    expect(schema.required).toEqual(['name', 'schedule', 'source', 'destinations']);
  });
});

describe('verify (restore tests)', () => {
  const base = {
    name: 'dr',
    schedule: { cron: '0 3 * * *' },
    source: { region: 'us-east-1', clusters: ['prod'] },
    destinations: [{ region: 'us-west-2' }, { region: 'eu-west-1', verify: false }],
  };

  it('takes every (with maxPerRun 5 by default) and the restore options; a destination may opt out', () => {
    const check = checkPlan({ ...base, verify: { every: '7d', instanceClass: 'db.r6g.large' } });
    expect(check.ok && check.plan.verify).toEqual({
      every: '7d',
      everySeconds: 7 * 86400,
      maxPerRun: 5,
      options: { instanceClass: 'db.r6g.large' },
    });
    expect(check.ok && check.plan.destinations.map((d) => d.verify)).toEqual([undefined, false]);
  });

  it.each([
    [{ every: '10m' }, ['verify', 'every'], 'shorter than 1h'],
    [
      { every: '7d', vpcSecurityGroupIds: ['sg-1'] },
      ['verify', 'vpcSecurityGroupIds', 0],
      'security group ID',
    ],
    [{ every: '7d', maxPerRun: 0 }, ['verify', 'maxPerRun'], 'from 1 to 100'],
    [{ every: '7d', externalId: 'x1' }, ['verify', 'externalId'], 'unknown key'],
    [{}, ['verify', 'every'], 'required'],
  ])('names the field and the rule: %j', (verify, path, message) => {
    const check = checkPlan({ ...base, verify });
    expect(check.ok).toBe(false);
    const problem = !check.ok
      ? check.problems.find((p) => JSON.stringify(p.path) === JSON.stringify(path))
      : undefined;
    expect(problem?.message).toContain(message);
  });

  it('refuses a destination verify other than false', () => {
    const check = checkPlan({
      ...base,
      destinations: [{ region: 'us-west-2', verify: true }],
      verify: { every: '7d' },
    });
    expect(!check.ok && check.problems[0]?.path).toEqual(['destinations', 0, 'verify']);
  });
});

describe('snapcopy plan validate|schema (in-process)', () => {
  it('accepts the example: one ok line and the note on what needs AWS, exit 0', async () => {
    const r = await runInProcess(['plan', 'validate', EXAMPLE]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `${EXAMPLE}: ok (2 clusters + clusters tagged backup=dr in us-east-1 × 2 destinations (us-west-2, eu-west-1); ` +
        'cron "0 3 * * *" UTC; rpo 26h; retention keepLast 7, maxAgeDays 35, daily 7, weekly 4, monthly 12; notify on failure)',
    );
    expect(lines[1]).toMatch(
      /^not checked without AWS: whether the source snapshots are encrypted .* checked with --aws$/,
    );
    expect(lines).toHaveLength(2);
  });

  it('prints FILE:LINE: path: message for each problem and exits 2; no stack traces', async () => {
    const bad = tmpFile(
      'bad.yaml',
      'name: a\nschedule: { cron: "0 3 * * *" }\nsource: { region: us-east-1 }\ndestinations: []\n',
    );
    const r = await runInProcess(['plan', 'validate', EXAMPLE, bad]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/: ok \(/),
      `${bad}:3: source: needs clusters (e.g. [prod-a, prod-b]) and/or tags (e.g. { backup: dr }) to choose the clusters`,
      `${bad}:4: destinations: give at least one destination`,
      '1 file of 2 not valid',
      expect.stringMatching(/^not checked without AWS/),
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('warns about a destination in another Region without kmsKeyId, and refuses one plan name twice', async () => {
    const text =
      'name: a\nschedule: { every: 6h }\nsource: { region: us-east-1, clusters: [a] }\ndestinations:\n  - region: us-west-2\n';
    const one = tmpFile('one.yaml', text);
    const two = tmpFile('two.yaml', text);
    const r = await runInProcess(['plan', 'validate', one, two]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /one\.yaml: ok \(1 cluster in us-east-1 × 1 destination \(us-west-2\); every 6h; rpo 12h \(default: twice every 6h\); no retention/,
    );
    expect(lines[1]).toBe(
      `${one}:5: warning: destinations[0].kmsKeyId: not given: required if the source snapshots are encrypted ` +
        "(copied from us-east-1 to us-west-2); the source's encryption is checked with --aws",
    );
    expect(lines[2]).toBe(
      `${two}:1: name: a is already the name of the plan in ${one}: each plan has its own schedule snapcopy-plan-<name>`,
    );
  });

  it('a missing file is one line, exit 2', async () => {
    const r = await runInProcess(['plan', 'validate', '/nonexistent/plan.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout.trim()).toBe('/nonexistent/plan.yaml: cannot read the file: no such file');
  });

  it('plan schema prints the JSON Schema', async () => {
    const r = await runInProcess(['plan', 'schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(planJsonSchema());
  });
});
