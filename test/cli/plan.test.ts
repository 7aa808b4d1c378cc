// snapcopy plan diff|apply|list|status|delete|run against a real Temporal dev server (no worker, no AWS):
// the schedules plan files make, compared and changed, and the one-line errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { errorLines, json, runInProcess, spawnCli } from '../helpers/cli';
import { TEMPORAL_CLI } from '../helpers/paths';
import { useQuietRuntime } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let client: Client;
let dir: string;
const TASK_QUEUE = 'plan-cli-test';

beforeAll(async () => {
  useQuietRuntime();
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_CLI },
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  client = env.client;
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    SNAPCOPY_TASK_QUEUE: TASK_QUEUE,
  });
  dir = mkdtempSync(path.join(tmpdir(), 'snapcopy-plan-cli-'));
});

afterAll(async () => {
  await env?.teardown();
});

function planFile(file: string, name: string, extra = ''): string {
  const at = path.join(dir, file);
  writeFileSync(
    at,
    `name: ${name}
schedule: { cron: "0 3 * * *" }
source:
  region: us-east-1
  clusters: [prod-a, prod-b]
  tags: { backup: dr }
destinations:
  - { region: us-west-2, kmsKeyId: alias/dr }
  - { region: eu-west-1, kmsKeyId: alias/dr }
copyTags: true
${extra}`,
  );
  return at;
}

interface DiffJson {
  changed: boolean;
  counts: Record<string, number>;
  changes: {
    kind: string;
    name: string;
    parts?: { part: string; keys?: string[]; from: string; to: string }[];
  }[];
}

const kinds = (d: DiffJson) => Object.fromEntries(d.changes.map((c) => [c.name, c.kind]));

describe('snapcopy plan apply / diff', () => {
  it('apply creates the schedules; applied twice it says "no changes" and changes nothing', async () => {
    const a = planFile('a.yaml', 'cli-a', 'retention: { keepLast: 7 }\n');
    const b = planFile('b.yaml', 'cli-b');
    const first = await runInProcess(['plan', 'apply', a, b]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `created schedule snapcopy-plan-cli-a (plan cli-a from ${a}): cron "0 3 * * *" UTC`,
    );
    expect(first.stdout).toContain('created schedule snapcopy-plan-cli-b');

    expect(first.stdout).toContain('RPO audit snapcopy-rpo-cli-a every 15m');
    // The RPO audit: auditPlan every 15 minutes with the same plan.
    const audit = await client.schedule.getHandle('snapcopy-rpo-cli-a').describe();
    expect(audit.spec.intervals?.map((i) => i.every)).toEqual([15 * 60 * 1000]);
    expect(audit.action.type === 'startWorkflow' && audit.action.workflowType).toBe('auditPlan');
    expect(audit.action.type === 'startWorkflow' && audit.action.workflowId).toBe('snapcopy-rpo-cli-a');

    const d = await client.schedule.getHandle('snapcopy-plan-cli-a').describe();
    expect(d.action.type).toBe('startWorkflow');
    if (d.action.type !== 'startWorkflow') return;
    expect(d.action.workflowType).toBe('runCopyPlan');
    expect(d.action.workflowId).toBe('snapcopy-plan-cli-a');
    expect(d.action.taskQueue).toBe(TASK_QUEUE);
    expect(d.action.args).toEqual([
      {
        origin: a,
        plan: {
          name: 'cli-a',
          schedule: { cron: '0 3 * * *', timezone: 'UTC' },
          source: { region: 'us-east-1', clusters: ['prod-a', 'prod-b'], tags: { backup: 'dr' } },
          destinations: [
            { region: 'us-west-2', kmsKeyId: 'alias/dr' },
            { region: 'eu-west-1', kmsKeyId: 'alias/dr' },
          ],
          copyTags: true,
          tags: {},
          priority: 3,
          retention: { keepLast: 7 },
        },
      },
    ]);
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.policies.catchupWindow).toBe(86_400_000);
    const memo = d.memo?.snapcopyPlan as { name: string; origin: string; digest: string };
    expect(memo).toMatchObject({ name: 'cli-a', origin: a });
    expect(memo.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(d.info.nextActionTimes[0]?.toISOString()).toMatch(/T03:00:00\.000Z$/);

    const second = await runInProcess(['plan', 'apply', a, b]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim()).toBe('no changes');
    const again = await client.schedule.getHandle('snapcopy-plan-cli-a').describe();
    expect(again.info.createdAt).toEqual(d.info.createdAt);

    const diff = await runInProcess(['plan', 'diff', a, b]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('= same     cli-a');
    expect(diff.stdout.trim().split('\n').at(-1)).toBe('no changes');
  });

  it('diff exits 2 naming what differs, apply updates it (kept paused), then diff exits 0', async () => {
    const a = planFile('c.yaml', 'cli-c');
    expect((await runInProcess(['plan', 'apply', a])).code).toBe(0);
    await client.schedule.getHandle('snapcopy-plan-cli-c').pause('maintenance window');
    // The same plan, written differently: no change.
    writeFileSync(
      a,
      `name: cli-c
schedule:
  cron: "0   3 * * *"
  timezone: UTC
destinations: [{ region: us-west-2, kmsKeyId: alias/dr }, { kmsKeyId: alias/dr, region: eu-west-1 }]
source: { region: us-east-1, tags: { backup: dr }, clusters: [PROD-A, prod-b] }
copyTags: true
priority: 3
`,
    );
    const same = await runInProcess(['plan', 'diff', a, '--json']);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(json<DiffJson>(same).changed).toBe(false);

    planFile('c.yaml', 'cli-c', 'tags: { purpose: dr }\nretention: { daily: 7 }\n');
    writeFileSync(
      a,
      readFileSync(a, 'utf8').replace('cron: "0 3 * * *" }', 'cron: "0 4 * * *", timezone: Europe/Berlin }'),
    );
    const diff = await runInProcess(['plan', 'diff', a, '--json']);
    expect(diff.code, diff.stderr).toBe(2);
    const change = json<DiffJson>(diff).changes[0]!;
    expect(change.kind).toBe('update');
    expect(change.parts?.map((p) => p.part)).toEqual(['schedule spec', 'timezone', 'plan content']);
    expect(change.parts?.find((p) => p.part === 'plan content')?.keys).toEqual(['tags', 'retention']);
    const text = await runInProcess(['plan', 'diff', a]);
    expect(text.stdout).toContain(
      '~ update   cli-c (' +
        a +
        '): schedule spec cron "0 3 * * *" → cron "0 4 * * *"; timezone UTC → Europe/Berlin; plan content (tags, retention) (paused; stays paused)',
    );

    const applied = await runInProcess(['plan', 'apply', a]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('updated schedule snapcopy-plan-cli-c');
    const d = await client.schedule.getHandle('snapcopy-plan-cli-c').describe();
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('maintenance window');
    expect(d.spec.timezone).toBe('Europe/Berlin');
    expect((await runInProcess(['plan', 'diff', a])).code).toBe(0);
  });

  it('without --prune a schedule no file names is kept and listed; apply --prune deletes it', async () => {
    const keep = planFile('keep.yaml', 'cli-keep');
    const gone = planFile('gone.yaml', 'cli-gone');
    expect((await runInProcess(['plan', 'apply', keep, gone])).code).toBe(0);

    const diff = await runInProcess(['plan', 'diff', keep]);
    expect(diff.stdout).toContain('  kept     cli-gone: not in the files (kept; --prune deletes)');
    const pruneDiff = await runInProcess(['plan', 'diff', keep, '--prune', '--json']);
    expect(pruneDiff.code).toBe(2);
    expect(kinds(json<DiffJson>(pruneDiff))).toMatchObject({ 'cli-keep': 'unchanged', 'cli-gone': 'delete' });

    const applied = await runInProcess(['plan', 'apply', keep, '--prune']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(
      'deleted schedule snapcopy-plan-cli-gone and its RPO audit (plan cli-gone, not in the files): runs and copies are untouched',
    );
    await expect(client.schedule.getHandle('snapcopy-plan-cli-gone').describe()).rejects.toThrow();
    await expect(client.schedule.getHandle('snapcopy-plan-cli-keep').describe()).resolves.toBeDefined();
  });

  it('an invalid file, or two files with one plan name: exit 2 before anything in Temporal', async () => {
    const ok = planFile('ok.yaml', 'cli-never');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: cli-bad\nschedule: { every: 10s }\n');
    const r = await runInProcess(['plan', 'apply', ok, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: schedule.every:`);
    expect(errorLines(r).at(-1)).toBe(
      `snapcopy: 1 plan file of 2 not valid (${bad}): nothing was compared or changed`,
    );
    const twin = planFile('twin.yaml', 'cli-never');
    const dup = await runInProcess(['plan', 'diff', ok, twin]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain(`${twin}:1: name: cli-never is already the name of the plan in ${ok}`);
    await expect(client.schedule.getHandle('snapcopy-plan-cli-never').describe()).rejects.toThrow();
  });
});

describe('snapcopy plan list / status / delete / run', () => {
  it('list shows each plan schedule with its spec, destinations, next run and paused state', async () => {
    const f = planFile('list.yaml', 'cli-list');
    expect((await runInProcess(['plan', 'apply', f])).code).toBe(0);
    const r = await runInProcess(['plan', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^PLAN\s+STATE\s+SCHEDULE\s+DESTINATIONS\s+NEXT RUN\s+LAST RUN\s+STATUS\s+WORKFLOW ID$/,
    );
    expect(r.stdout).toMatch(
      /cli-list\s+active\s+cron "0 3 \* \* \*" UTC\s+us-west-2, eu-west-1\s+\d{4}-\d\d-\d\d 03:00:00Z\s+-\s+-\s+-/,
    );
    const rows = json<{ name: string; paused: boolean; destinations: string[] }[]>(
      await runInProcess(['plan', 'list', '--json']),
    );
    expect(rows.find((x) => x.name === 'cli-list')).toMatchObject({
      paused: false,
      destinations: ['us-west-2', 'eu-west-1'],
    });
  });

  it('run FILE starts snapcopy-plan-<name>-<stamp>; status lists it; a plan prod does not list prod-dr runs', async () => {
    const f = planFile('run.yaml', 'cli-run');
    const g = planFile('run-dr.yaml', 'cli-run-dr');
    const r = await runInProcess(['plan', 'run', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const started = json<{ workflowId: string; plan: string; origin: string; taskQueue: string }>(r);
    expect(started.workflowId).toMatch(/^snapcopy-plan-cli-run-\d{8}-\d{6}$/);
    expect(started).toMatchObject({ plan: 'cli-run', origin: f, taskQueue: TASK_QUEUE });
    const other = await runInProcess(['plan', 'run', g]);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toMatch(/^started snapcopy-plan-cli-run-dr-\d{8}-\d{6}: plan cli-run-dr from /);

    // No schedule, but a run: status shows it (Running, no worker to answer its query).
    let status = await runInProcess(['plan', 'status', 'cli-run', '--json']);
    for (let i = 0; i < 50 && json<{ runs: unknown[] }>(status).runs.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await runInProcess(['plan', 'status', 'cli-run', '--json', '--runs', '0']);
    }
    const s = json<{ schedule?: unknown; runs: { workflowId: string; status: string }[] }>(status);
    expect(s.schedule).toBeUndefined();
    expect(s.runs.map((x) => x.workflowId)).toEqual([started.workflowId]);
    expect(s.runs[0]?.status).toBe('Running');
    await client.workflow.getHandle(started.workflowId).terminate('test done');
  });

  it('run --wait: Ctrl-C detaches (exit 130) and the run goes on', async () => {
    const f = planFile('detach.yaml', 'cli-detach');
    const cli = spawnCli(['plan', 'run', f, '--wait'], {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      SNAPCOPY_TASK_QUEUE: TASK_QUEUE,
    });
    await cli.waitForOutput((o) => o.stdout.includes('started snapcopy-plan-cli-detach-'));
    const workflowId = /started (\S+):/.exec(cli.stdout)![1]!;
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(
      `detached from ${workflowId}: the run goes on in Temporal (nothing was cancelled)`,
    );
    const d = await client.workflow.getHandle(workflowId).describe();
    expect(d.status.name).toBe('RUNNING');
    await client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('run NAME takes the plan from its schedule; an unknown name is one line, exit 1', async () => {
    const f = planFile('byname.yaml', 'cli-byname', 'priority: 1\n');
    expect((await runInProcess(['plan', 'apply', f])).code).toBe(0);
    const r = await runInProcess(['plan', 'run', 'cli-byname', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { workflowId } = json<{ workflowId: string }>(r);
    const handle = client.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.workflowType?.name).toBe('runCopyPlan');
    expect(started?.taskQueue?.name).toBe(TASK_QUEUE);
    await handle.terminate('test done');

    const unknown = await runInProcess(['plan', 'run', 'cli-nothing']);
    expect(unknown.code).toBe(1);
    expect(errorLines(unknown)).toEqual([
      'snapcopy: no plan cli-nothing: no plan schedule snapcopy-plan-cli-nothing (apply its file first, or run the file: snapcopy plan run FILE)',
    ]);
  });

  it('status shows the schedule; delete removes it (saying runs and copies stay); unknown names are one line', async () => {
    const f = planFile('del.yaml', 'cli-del');
    expect((await runInProcess(['plan', 'apply', f])).code).toBe(0);
    const status = await runInProcess(['plan', 'status', 'cli-del']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('schedule    snapcopy-plan-cli-del: cron "0 3 * * *" UTC, active');
    expect(status.stdout).toContain('policies    overlap SKIP, catch-up window 1d');
    expect(status.stdout).toContain('runs        none yet');

    const del = await runInProcess(['plan', 'delete', 'cli-del']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain(
      'deleted schedule snapcopy-plan-cli-del and its RPO audit (plan cli-del): no run was cancelled and no copy deleted',
    );
    await expect(client.schedule.getHandle('snapcopy-plan-cli-del').describe()).rejects.toThrow();
    await expect(client.schedule.getHandle('snapcopy-rpo-cli-del').describe()).rejects.toThrow();

    const again = await runInProcess(['plan', 'delete', 'cli-del']);
    expect(again.code).toBe(1);
    expect(errorLines(again)).toEqual(['snapcopy: no plan schedule snapcopy-plan-cli-del']);
    const none = await runInProcess(['plan', 'status', 'cli-nothing-here']);
    expect(none.code).toBe(1);
    expect(errorLines(none)).toEqual([
      'snapcopy: no plan cli-nothing-here: no plan schedule snapcopy-plan-cli-nothing-here and no runs',
    ]);
    const bad = await runInProcess(['plan', 'status', 'not_a name']);
    expect(bad.code).toBe(2);
    expect(errorLines(bad)).toHaveLength(1);
  });
});
