// snapcopy copy / status / cancel / list / setup against the local stack: a real Temporal dev server, the
// AWS emulator and an in-process worker; the CLI runs as a real process where exit codes, one-line errors
// and Ctrl-C matter, and in-process (same code, cheaper) where it is polled. Each test makes the copies it
// looks at (the source snapshot and keys are shared fixtures), so any one of them can run alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDBClusterSnapshotCommand, DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { StatusReport } from '../../src/cli/commands/status/report';
import type { CopyRow } from '../../src/cli/commands/list/report';
import { deriveTargetIdentifier } from '../../src/shared/derive';
import { cancelSignal, type CopyWorkflow } from '../../src/shared/contract';
import {
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../src/shared/search-attributes';
import type { CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import {
  cliEnv,
  errorLines,
  eventually,
  json,
  runCli,
  runInProcess,
  spawnCli,
  type CliResult,
} from '../helpers/cli';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;
let env: Record<string, string>;
let sourceArn: string;
const FAST = ['--min-poll', '1', '--max-poll', '2'];
const QUICK_COPY_SECONDS = 2;
const LONG_COPY_SECONDS = 3600;

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: QUICK_COPY_SECONDS });
  env = cliEnv(stack);
  Object.assign(process.env, env); // for the in-process runs
  const sourceKey = await createKey(stack.kms('us-east-1'));
  sourceArn = await createClusterSnapshot(
    stack.rds('us-east-1'),
    'cli-aurora',
    'cli-aurora-snap',
    sourceKey.keyArn,
  );
  await createKey(stack.kms('us-west-2'), 'alias/cli-dr');
});

afterAll(async () => {
  await stack?.stop();
});

function copyArgs(target: string, ...more: string[]): string[] {
  return [
    'copy',
    '--source',
    sourceArn,
    '--target',
    target,
    '--target-region',
    'us-west-2',
    '--kms-key',
    'alias/cli-dr',
    ...FAST,
    ...more,
  ];
}

async function describeTarget(identifier: string, region = 'us-west-2') {
  try {
    const out = await stack
      .rds(region)
      .send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }));
    return out.DBClusterSnapshots?.[0];
  } catch (err) {
    if (err instanceof Error && err.name === 'DBClusterSnapshotNotFoundFault') return undefined;
    throw err;
  }
}

function oneErrorLine(r: CliResult): string {
  const lines = errorLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^snapcopy: /);
  return lines[0] ?? '';
}

/** A copy of the shared source to `target`, followed to its end with success. */
async function copied(target: string, ...more: string[]): Promise<void> {
  const r = await runInProcess(copyArgs(target, '--wait', ...more));
  expect(r.code, r.stderr).toBe(0);
}

/** A copy that fails (no such KMS key in the target Region), followed to its end. */
async function failedCopy(target: string): Promise<void> {
  const r = await runInProcess(copyArgs(target, '--wait', '--kms-key', 'alias/does-not-exist'));
  expect(r.code).toBe(1);
}

/** A long copy to `target`, started without --wait, once its target is copying in AWS. */
async function copying(target: string): Promise<string> {
  const r = await runInProcess(copyArgs(target));
  expect(r.code, r.stderr).toBe(0);
  await eventually(`${target} to be copying`, async () =>
    (await describeTarget(target))?.Status === 'copying' ? true : undefined,
  );
  return `snapcopy-us-west-2-${target}`;
}

/** Cancels a copy a test left running and waits for it to end. */
async function cleanUp(workflowId: string): Promise<void> {
  const handle = stack.env.client.workflow.getHandle<CopyWorkflow>(workflowId);
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  await handle.signal(cancelSignal, { reason: 'test cleanup' });
  await handle.result();
}

interface CopyJson {
  workflowId: string;
  status?: string;
  summary: string;
  result?: CopyDbClusterSnapshotResult;
  failure?: { type: string; message: string };
}

describe('snapcopy copy', () => {
  it('copies with --wait --json: the result, tags with = and empty values, summary and search attributes', async () => {
    const r = await runCli(
      copyArgs('cli-copy-1', '--tag', 'note=a=b', '--tag', 'empty=', '--copy-tags', '--wait', '--json'),
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json<CopyJson>(r);
    expect(out.workflowId).toBe('snapcopy-us-west-2-cli-copy-1');
    expect(out.status).toBe('Completed');
    expect(out.result?.summary.outcome).toBe('copied');
    expect(out.result?.DBClusterSnapshot?.Status).toBe('available');
    expect(r.stderr).toMatch(/copying|completed/); // the progress view, on stderr

    const target = await describeTarget('cli-copy-1');
    const tags: Record<string, string | undefined> = Object.fromEntries(
      (target?.TagList ?? []).map((t) => [t.Key ?? '', t.Value]),
    );
    expect(tags).toMatchObject({ note: 'a=b', empty: '', team: 'databases', 'snapcopy:managed': 'true' });

    const desc = await stack.env.client.workflow.getHandle(out.workflowId).describe();
    expect(await desc.staticSummary()).toBe(`copy ${sourceArn} us-east-1 → us-west-2 as cli-copy-1`);
    expect(desc.typedSearchAttributes.get(SA_SOURCE_REGION)).toBe('us-east-1');
    expect(desc.typedSearchAttributes.get(SA_TARGET_REGION)).toBe('us-west-2');
    expect(desc.typedSearchAttributes.get(SA_PHASE)).toBe('completed');
  });

  it('--wait over many polls prints no listener warning into the progress view (a real process)', async () => {
    await stack.emulator.configure({ copySeconds: 15 });
    try {
      // Every poll its own workflow timer, so the workflow shows each sighting (a follow activity would
      // hand a 15-s copy's progress back once or twice).
      const r = await runCli(copyArgs('cli-many-polls', '--wait', '--follow-in-activity', '0s'), env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^copied: /m);
      expect(r.stderr.match(/^copying \d+%/gm)?.length ?? 0).toBeGreaterThan(3); // several polls were shown
      expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/);
    } finally {
      await stack.emulator.configure({ copySeconds: QUICK_COPY_SECONDS });
    }
  });

  it('refuses a second copy to the same target, and reruns only with --allow-rerun', async () => {
    await copied('cli-rerun');
    const again = await runCli(copyArgs('cli-rerun'), env);
    expect(again.code).toBe(1);
    expect(oneErrorLine(again)).toMatch(
      /snapcopy-us-west-2-cli-rerun already ran \(Completed .*--allow-rerun/,
    );

    const rerun = await runInProcess(copyArgs('cli-rerun', '--allow-rerun', '--wait', '--json'));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(json<CopyJson>(rerun).result?.summary.outcome).toBe('already-present');
  });

  it('rejects bad input with one line naming the field, exit 2, and starts nothing', async () => {
    const r = await runCli(copyArgs('Bad_Target'), env);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/TargetDBClusterSnapshotIdentifier "Bad_Target" .*\(--target\)$/);
    expect(r.stdout).toBe('');
    await expect(
      stack.env.client.workflow.getHandle('snapcopy-us-west-2-bad_target').describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('names the target of a cluster source from the current time when --target is left out', async () => {
    // A fresh newest snapshot: the cluster's previous one was already copied (that would end already-present).
    await stack.rds('us-east-1').send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'cli-aurora',
        DBClusterSnapshotIdentifier: 'cli-aurora-snap-2',
      }),
    );
    const before = new Date();
    const r = await runInProcess([
      'copy',
      '--source-cluster',
      'CLI-Aurora',
      '--source-region',
      'us-east-1',
      '--target-region',
      'us-west-2',
      '--kms-key',
      'alias/cli-dr',
      ...FAST,
      '--wait',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const after = new Date();
    const out = json<CopyJson>(r);
    const id = out.workflowId.replace(/^snapcopy-us-west-2-/, '');
    expect(id).toMatch(/^cli-aurora-\d{8}-\d{6}$/);
    // Named from the CLI's clock when it started: a second between `before` and `after`.
    const candidates: string[] = [];
    for (let t = Math.floor(before.getTime() / 1000); t <= Math.floor(after.getTime() / 1000); t++) {
      candidates.push(deriveTargetIdentifier('cli-aurora', new Date(t * 1000)));
    }
    expect(candidates).toContain(id);
    expect(out.result?.DBClusterSnapshot?.DBClusterSnapshotIdentifier).toBe(id);
    expect(out.summary).toBe(`copy newest snapshot of cluster cli-aurora us-east-1 → us-west-2 as ${id}`);
    const desc = await stack.env.client.workflow.getHandle(out.workflowId).describe();
    expect(desc.typedSearchAttributes.get(SA_SOURCE_CLUSTER)).toBe('cli-aurora');
  });

  it('warns when no worker polls the task queue (the copy waits for one)', async () => {
    const r = await runCli(copyArgs('cli-noworker'), { ...env, SNAPCOPY_TASK_QUEUE: 'nobody-polls-this' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('started snapcopy-us-west-2-cli-noworker');
    expect(errorLines(r)).toEqual([
      expect.stringMatching(/^warning: no snapcopy worker is polling task queue nobody-polls-this/),
    ]);
    const handle = stack.env.client.workflow.getHandle('snapcopy-us-west-2-cli-noworker');
    expect((await handle.describe()).taskQueue).toBe('nobody-polls-this');
    await handle.terminate('test cleanup');
    expect(errorLines(await runInProcess(copyArgs('cli-copy-2')))).toEqual([]); // a worker polls the stack's queue
  });

  it('a failed copy with --wait exits 1 with its failure type in one line', async () => {
    const noKey = [
      'copy',
      '--source',
      sourceArn,
      '--target',
      'cli-nokey',
      '--target-region',
      'us-west-2',
      '--kms-key',
      'alias/does-not-exist',
      ...FAST,
      '--wait',
    ];
    const r = await runInProcess(noKey);
    expect(r.code).toBe(1);
    const last = errorLines(r).at(-1) ?? '';
    expect(last).toMatch(/^snapcopy: copy snapcopy-us-west-2-cli-nokey failed: KMSKeyNotAccessibleFault: /);
    expect(last).not.toContain('\n');

    // A failed copy created nothing: starting it again needs no --allow-rerun (it runs, and fails the same way).
    const again = await runInProcess(noKey);
    expect(again.code).toBe(1);
    expect(errorLines(again).at(-1)).toMatch(/failed: KMSKeyNotAccessibleFault: /);
  });
});

describe('a long copy: status, list, Ctrl-C, cancel', () => {
  beforeAll(async () => {
    await stack.emulator.configure({ copySeconds: LONG_COPY_SECONDS });
  });

  afterAll(async () => {
    await stack.emulator.configure({ copySeconds: QUICK_COPY_SECONDS });
  });

  it('starts without --wait, printing the workflow ID; a second start is refused while it runs', async () => {
    const longId = 'snapcopy-us-west-2-cli-long-start';
    const r = await runInProcess(copyArgs('cli-long-start'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`started ${longId}`);
    expect(r.stdout).toContain(`snapcopy status ${longId}`);

    const again = await runInProcess(copyArgs('cli-long-start', '--allow-rerun'));
    expect(again.code).toBe(1);
    expect(oneErrorLine(again)).toMatch(
      /is already running .*snapcopy status snapcopy-us-west-2-cli-long-start/,
    );
    await cleanUp(longId);
  });

  it('status shows the running copy with its live progress', async () => {
    const longId = await copying('cli-long-status');
    const report = await eventually('the copy to be copying', async () => {
      const r = json<StatusReport>(await runInProcess(['status', longId, '--json']));
      return r.progress?.phase === 'copying' && r.progress.lastPolledAt ? r : undefined;
    });
    expect(report.status).toBe('Running');
    expect(report.progress?.status).toBe('copying');
    expect(report.progress?.percent).toBeLessThan(100);
    expect(report.progress?.kmsKeyArn).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(report.closeTime).toBeUndefined();
    expect(report.result).toBeUndefined();

    const text = await runInProcess(['status', longId]);
    expect(text.stdout).toMatch(/^status\s+Running$/m);
    expect(text.stdout).toMatch(/^phase\s+copying, \d+%/m);
    await cleanUp(longId);
  });

  it('lists copies filtered by state, Regions and cluster', async () => {
    // One copy of each state this test looks for: completed and failed ones quickly, then a long one.
    await stack.emulator.configure({ copySeconds: QUICK_COPY_SECONDS });
    try {
      await copied('cli-list-done');
      await failedCopy('cli-list-nokey');
    } finally {
      await stack.emulator.configure({ copySeconds: LONG_COPY_SECONDS });
    }
    const longId = await copying('cli-list-long');
    const completedId = 'snapcopy-us-west-2-cli-list-done';
    const failedId = 'snapcopy-us-west-2-cli-list-nokey';
    const ids = async (...filters: string[]) =>
      json<CopyRow[]>(await runInProcess(['list', '--json', ...filters])).map((row) => row.workflowId);
    await eventually('visibility to show both copies in their states', async () => {
      const running = await ids(
        '--state',
        'running',
        '--target-region',
        'us-west-2',
        '--source-cluster',
        'cli-aurora',
      );
      const completed = await ids('--state', 'completed', '--source-region', 'us-east-1');
      const failed = await ids('--state', 'failed');
      const rows = json<CopyRow[]>(await runInProcess(['list', '--json', '--state', 'running']));
      const phase = rows.find((row) => row.workflowId === longId)?.phase;
      return running.includes(longId) &&
        completed.includes(completedId) &&
        failed.includes(failedId) &&
        phase === 'copying'
        ? true
        : undefined;
    });
    const running = await ids('--state', 'running');
    expect(running).toContain(longId);
    expect(running).not.toContain(completedId);
    expect(await ids('--state', 'completed')).not.toContain(longId);
    expect(await ids('--source-region', 'eu-west-1')).toEqual([]);
    expect(await ids('--source-cluster', 'some-other-cluster')).toEqual([]);
    expect(await ids('--state', 'failed')).toContain(failedId);
    expect(await ids('--limit', '1')).toHaveLength(1);

    const table = await runInProcess(['list', '--state', 'running']);
    expect(table.stdout).toMatch(/^WORKFLOW ID\s+STATUS\s+PHASE/);
    expect(table.stdout).toMatch(
      new RegExp(`^${longId}\\s+Running\\s+copying\\s+\\d+\\s+us-east-1 → us-west-2\\s+cli-aurora`, 'm'),
    );
    await cleanUp(longId);
  });

  it('Ctrl-C while waiting detaches with exit 130 and leaves the copy running', async () => {
    const cli = spawnCli(copyArgs('cli-detach', '--wait'), env);
    await cli.waitForOutput(({ stderr }) => /^copying \d+%/m.test(stderr));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('snapcopy status snapcopy-us-west-2-cli-detach');
    const handle = stack.env.client.workflow.getHandle<CopyWorkflow>('snapcopy-us-west-2-cli-detach');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await describeTarget('cli-detach'))?.Status).toBe('copying');
    await handle.signal(cancelSignal, { reason: 'test cleanup' });
    expect((await handle.result()).summary.outcome).toBe('cancelled');
  });

  it('cancel --wait deletes the target still copying; cancelling again is refused', async () => {
    const longId = await copying('cli-long');
    expect((await describeTarget('cli-long'))?.Status).toBe('copying');
    const r = await runCli(['cancel', longId, '--reason', 'cli test', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cancelled \(cli test\): the unfinished target was deleted/);
    expect(await describeTarget('cli-long')).toBeUndefined();

    const report = json<StatusReport>(await runInProcess(['status', longId, '--json']));
    expect(report.status).toBe('Completed');
    expect(report.result?.summary.outcome).toBe('cancelled');
    expect(report.result?.summary.cancelReason).toBe('cli test');
    expect(report.closeTime).toBeDefined();

    const again = await runInProcess(['cancel', longId]);
    expect(again.code).toBe(1);
    expect(oneErrorLine(again)).toMatch(/already closed \(Completed .*nothing to cancel/);
  });
});

describe('status and cancel of what is not there', () => {
  it('an unknown workflow ID is one line, exit 1', async () => {
    const status = await runCli(['status', 'snapcopy-us-west-2-nope'], env);
    expect(status.code).toBe(1);
    expect(oneErrorLine(status)).toBe('snapcopy: no copy with workflow ID snapcopy-us-west-2-nope');
    const cancel = await runInProcess(['cancel', 'snapcopy-us-west-2-nope']);
    expect(cancel.code).toBe(1);
    expect(oneErrorLine(cancel)).toBe('snapcopy: no copy with workflow ID snapcopy-us-west-2-nope');
  });

  it('a completed copy reports its result; a failed one its failure', async () => {
    await copied('cli-status-done');
    await copied('cli-status-done', '--allow-rerun');
    await failedCopy('cli-status-nokey');
    const done = json<StatusReport>(
      await runInProcess(['status', 'snapcopy-us-west-2-cli-status-done', '--json']),
    );
    expect(done.status).toBe('Completed');
    expect(done.result?.summary.outcome).toBe('already-present'); // the latest run: the --allow-rerun one
    const failed = json<StatusReport>(
      await runInProcess(['status', 'snapcopy-us-west-2-cli-status-nokey', '--json']),
    );
    expect(failed.status).toBe('Failed');
    expect(failed.failure?.type).toBe('KMSKeyNotAccessibleFault');
  });
});

describe('snapcopy setup', () => {
  it('a namespace without the search attributes: copy says to run setup, setup registers them, idempotently', async () => {
    // No copy is running now: one attribute can be taken away and given back.
    await stack.env.connection.operatorService.removeSearchAttributes({
      namespace: stack.env.namespace ?? 'default',
      searchAttributes: ['SnapcopyPhase'],
    });
    const refused = await runInProcess(copyArgs('cli-before-setup'));
    expect(refused.code).toBe(1);
    expect(oneErrorLine(refused)).toMatch(
      /search attribute SnapcopyPhase.*register them once with `snapcopy setup`$/,
    );

    const first = await runInProcess(['setup', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const states = Object.fromEntries(
      json<{ searchAttributes: { name: string; state: string }[] }>(first).searchAttributes.map((s) => [
        s.name,
        s.state,
      ]),
    );
    expect(states).toEqual({
      SnapcopySourceRegion: 'already registered',
      SnapcopyTargetRegion: 'already registered',
      SnapcopySourceCluster: 'already registered',
      SnapcopyPhase: 'registered',
      SnapcopyPercent: 'already registered',
    });
    const second = await runInProcess(['setup']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('SnapcopyPhase (Keyword): already registered');
    expect(second.stdout).not.toMatch(/: registered$/m);
  });
});
