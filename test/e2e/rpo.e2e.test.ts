// End to end: snapcopy rpo through the CLI on the local stack. A plan applied: every row missing (exit 1)
// before any run; ok (exit 0) after plan run --wait, each copy tagged with its source snapshot's time; a
// cluster newly tagged into the selection is missing at once; a copy deleted by hand turns its row missing;
// --json and --csv --output FILE. Breach without waiting: a copy's recovery-point tag set (by hand) to a time
// older than the rpo — the emulator makes every snapshot "now", so no real copy can be old (the boundaries
// themselves are unit tests with a fixed clock, test/unit/rpo.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
} from '@aws-sdk/client-rds';
import type { RpoReport } from '../../src/cli/commands/rpo/report';
import type { AuditResult } from '../../src/shared/rpo-audit';
import { cliEnv, eventually, json, runInProcess, type CliResult } from '../helpers/cli';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;
let dir: string;
const SOURCE = 'us-east-1';
const DEST = 'us-west-2';

async function cluster(id: string, tags: { Key: string; Value: string }[]): Promise<void> {
  await stack.rds(SOURCE).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'snapcopy',
      MasterUserPassword: 'snapcopy-password-1',
      Tags: tags,
    }),
  );
  await stack.rds(SOURCE).send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: id,
      DBClusterSnapshotIdentifier: `${id}-first`,
    }),
  );
}

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 1 });
  Object.assign(process.env, cliEnv(stack));
  await cluster('rpo-a', [{ Key: 'rpo', Value: 'yes' }]);
  await cluster('rpo-b', []);
  dir = mkdtempSync(path.join(tmpdir(), 'snapcopy-rpo-e2e-'));
  writeFileSync(
    path.join(dir, 'rpo-dr.yaml'),
    `name: rpo-dr
schedule: { cron: "0 3 * * *" }
source: { region: ${SOURCE}, tags: { rpo: "yes" } }
destinations: [{ region: ${DEST} }]
rpo: 26h
`,
  );
});

afterAll(async () => {
  await stack?.stop();
});

const rows = (r: CliResult) => json<RpoReport>(r).rows;

/** Triggers the plan's audit schedule (snapcopy-rpo-rpo-dr) and answers that audit's result. */
async function auditNow(): Promise<AuditResult> {
  const schedule = stack.env.client.schedule.getHandle('snapcopy-rpo-rpo-dr');
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  const action = await eventually('the triggered audit to start', async () => {
    const actions = (await schedule.describe()).info.recentActions;
    return actions.length > before ? actions.at(-1) : undefined;
  });
  const wf = action.action.workflow;
  return stack.env.client.workflow
    .getHandle(wf.workflowId, wf.firstExecutionRunId)
    .result() as Promise<AuditResult>;
}

const statuses = (a: AuditResult) => a.rows.map((r) => `${r.cluster}:${r.status}`);

describe('snapcopy rpo end to end', () => {
  it('missing (exit 1) before any run; ok (exit 0) after plan run --wait, the tag being the source time', async () => {
    const applied = await runInProcess(['plan', 'apply', path.join(dir, 'rpo-dr.yaml')]);
    expect(applied.code, applied.stderr).toBe(0);

    const before = await runInProcess(['rpo']);
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(/rpo-dr +rpo-a +us-west-2 +- +- +- +26h +missing/);

    const run = await runInProcess(['plan', 'run', 'rpo-dr', '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const after = await runInProcess(['rpo', 'rpo-dr', '--json']);
    expect(after.code, after.stderr).toBe(0);
    const [row] = rows(after);
    const source = await stack
      .rds(SOURCE)
      .send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'rpo-a-first' }));
    const sourceTime = source.DBClusterSnapshots?.[0]?.SnapshotCreateTime?.toISOString();
    expect(row).toMatchObject({
      plan: 'rpo-dr',
      cluster: 'rpo-a',
      region: DEST,
      status: 'ok',
      recoveryPoint: sourceTime,
      recoveryPointFrom: 'tag',
      rpo: '26h',
      rpoSeconds: 93_600,
    });
    expect(rows(after)).toHaveLength(1);
  });

  it('plan apply made the audit schedule; its audit reads AWS as snapcopy rpo does', async () => {
    const audit = await auditNow();
    expect(statuses(audit)).toEqual(['rpo-a:ok']);
    expect(audit.rows[0]?.recoveryPointFrom).toBe('tag');
    expect(audit.rpoSeconds).toBe(26 * 3600);
    expect(audit.unreachable).toEqual([]);
  });

  it('a cluster newly tagged into the selection is missing at once', async () => {
    const arn = `arn:aws:rds:${SOURCE}:123456789012:cluster:rpo-b`;
    await stack
      .rds(SOURCE)
      .send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'rpo', Value: 'yes' }] }));
    const r = await runInProcess(['rpo', '--json']);
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.cluster, x.status])).toEqual([
      ['rpo-a', 'ok'],
      ['rpo-b', 'missing'],
    ]);
    // The audit sees the same, and measures the turn against its previous run (the schedule's last action).
    const audit = await auditNow();
    expect(statuses(audit)).toEqual(['rpo-a:ok', 'rpo-b:missing']);
    expect(audit.turned.bad.map((x) => x.cluster)).toEqual(['rpo-b']);
    const again = await auditNow();
    const ids = (
      await stack.env.client.schedule.getHandle('snapcopy-rpo-rpo-dr').describe()
    ).info.recentActions.map((a) => `${a.action.workflow.workflowId}@${a.takenAt.toISOString()}`);
    expect(again.turned.bad, JSON.stringify(ids)).toEqual([]);
  });

  it('a recovery point older than the rpo is a breach; --csv --output FILE writes the rows there', async () => {
    const r = await runInProcess(['rpo', '--json']);
    const copyArn = rows(r)[0]?.copyArn ?? '';
    const old = new Date(Date.now() - 27 * 3600 * 1000).toISOString();
    await stack.rds(DEST).send(
      new AddTagsToResourceCommand({
        ResourceName: copyArn,
        Tags: [{ Key: 'snapcopy:recovery-point', Value: old }],
      }),
    );
    const file = path.join(dir, 'rpo.csv');
    const csv = await runInProcess(['rpo', 'rpo-dr', '--csv', '--output', file]);
    expect(csv.code).toBe(1);
    expect(csv.stdout).toBe('');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^plan,cluster,region,account,status,copy,copy_arn,recovery_point,/);
    expect(lines[1]).toMatch(
      new RegExp(`^rpo-dr,rpo-a,${DEST},,breach,rpo-a-\\d{8}-\\d{6},${copyArn},${old},tag,`),
    );
    expect(lines[2]).toMatch(new RegExp(`^rpo-dr,rpo-b,${DEST},,missing,,,,,,26h,93600,`));
  });

  it('a copy deleted by hand turns its row missing; an unknown plan is exit 2', async () => {
    const r = await runInProcess(['rpo', '--json']);
    const copy = rows(r)[0]?.copy ?? '';
    await stack.rds(DEST).send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: copy }));
    const after = await runInProcess(['rpo', 'rpo-dr', '--json']);
    expect(after.code).toBe(1);
    expect(rows(after).map((x) => [x.cluster, x.status])).toEqual([
      ['rpo-a', 'missing'],
      ['rpo-b', 'missing'],
    ]);
    const unknown = await runInProcess(['rpo', 'no-such-plan']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^snapcopy: no applied plan no-such-plan/);
  });
});
