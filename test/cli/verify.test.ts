// snapcopy verify / status of a restore test against the local stack: a real Temporal dev server, the AWS
// emulator (which restores clusters and makes writers as AWS does) and an in-process worker. The emulator's
// clock is steered through its config instead of waited on: restored clusters stay `creating` until a test
// sets restoreSeconds to 0, so a test holds the one restore slot exactly as long as it needs to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AnyStatusReport, VerifyStatusReport } from '../../src/cli/commands/status';
import { verifyWorkflowId } from '../../src/shared/restore-tests';
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

const REGION = 'us-west-2';
/** Restored clusters stay `creating` until a test lowers it. */
const HELD_RESTORE_SECONDS = 3600;
let stack: LocalStack;
let env: Record<string, string>;
let keyArn: string;

beforeAll(async () => {
  stack = await startLocalStack({
    restoreSeconds: HELD_RESTORE_SECONDS,
    instanceSeconds: 0,
    deleteSeconds: 0,
  });
  env = cliEnv(stack);
  Object.assign(process.env, env); // for the in-process runs
  keyArn = (await createKey(stack.kms(REGION), 'alias/verify-dr')).keyArn;
});

afterAll(async () => {
  await stack?.stop();
});

function verifyArgs(snapshot: string, ...more: string[]): string[] {
  return ['verify', snapshot, '--region', REGION, '--poll-seconds', '1', ...more];
}

function oneErrorLine(r: CliResult): string {
  const lines = errorLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^snapcopy: /);
  return lines[0] ?? '';
}

async function verifyStatus(workflowId: string): Promise<VerifyStatusReport> {
  const r = await runInProcess(['status', workflowId, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const report = json<AnyStatusReport>(r);
  expect(report.workflowType).toBe('verifyCopy');
  return report as VerifyStatusReport;
}

describe('snapcopy verify', () => {
  it('refuses bad input in one line naming the field, exit 2, starting nothing', async () => {
    const r = await runCli(verifyArgs('verify-bad-copy', '--instance-class', 'large', '--wait'), env);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toMatch(/^snapcopy: options\.instanceClass must be .*\(--instance-class\)$/);
    expect(r.stdout).toBe('');
    await expect(
      stack.env.client.workflow.getHandle(verifyWorkflowId(REGION, 'verify-bad-copy')).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it(
    'restores a copy: refuses a second start, queues a second test for the slot, ends restorable; ' +
      'status shows phase and outcome',
    async () => {
      await createClusterSnapshot(stack.rds(REGION), 'verify-a', 'verify-a-copy', keyArn);
      await createClusterSnapshot(stack.rds(REGION), 'verify-b', 'verify-b-copy', keyArn);
      const idA = verifyWorkflowId(REGION, 'verify-a-copy');
      const idB = verifyWorkflowId(REGION, 'verify-b-copy');

      // A takes the restore slot and stays restoring (the emulator holds its cluster `creating`).
      const startA = await runInProcess(verifyArgs('verify-a-copy'));
      expect(startA.code, startA.stderr).toBe(0);
      expect(startA.stdout).toContain(`started ${idA}: restore test of verify-a-copy in ${REGION}`);
      expect(startA.stdout).toContain(`follow: snapcopy status ${idA}`);
      await eventually('A restoring', async () =>
        (await verifyStatus(idA)).progress?.phase === 'restoring' ? true : undefined,
      );
      const statusA = await runInProcess(['status', idA]);
      expect(statusA.stdout).toMatch(/^type +restore test \(verifyCopy\)$/m);
      expect(statusA.stdout).toMatch(/^phase +restoring$/m);
      expect(statusA.stdout).toMatch(
        /^cluster +snapcopy-verify-[0-9a-f]{8} \(writer snapcopy-verify-[0-9a-f]{8}-writer\)$/m,
      );

      // A second start while A runs: refused in one line, exit 1.
      const again = await runCli(verifyArgs('verify-a-copy'), env);
      expect(again.code).toBe(1);
      expect(oneErrorLine(again)).toMatch(
        new RegExp(
          `^snapcopy: a restore test with workflow ID ${idA} is already running .*snapcopy status ${idA}$`,
        ),
      );

      // B, followed by the real binary, waits behind A for the one restore slot and shows its place.
      const b = spawnCli(verifyArgs('verify-b-copy', '--wait'), env);
      await b.waitForOutput((o) => o.stderr.includes('waiting for a restore slot (position 1)'));
      expect((await verifyStatus(idB)).progress).toMatchObject({
        phase: 'waiting-for-slot',
        queuePosition: 1,
      });

      // Let restores finish: A ends, gives the slot to B, which restores at once.
      await stack.emulator.configure({ restoreSeconds: 0 });
      const done = await b.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain(`started ${idB}`);
      expect(done.stdout).toMatch(/^outcome +restorable$/m);
      expect(done.stdout).toMatch(/^total +\d+/m);
      expect(done.stdout).toMatch(/^check +ok /m);
      expect(done.stdout).not.toMatch(/FAILED/);
      expect(done.stdout).toMatch(/^cleaned up +yes$/m);
      // The live view showed the checks as they came (which phase a poll saw them in is the clock's).
      expect(done.stderr).toMatch(/snapcopy-verify-[0-9a-f]{8} .*; checks: .*engine ok/);

      const a = await eventually('A closed', async () => {
        const s = await verifyStatus(idA);
        return s.status === 'Running' ? undefined : s;
      });
      expect(a.status).toBe('Completed');
      expect(a.result).toMatchObject({ outcome: 'restorable', cleanedUp: true });
      const text = await runInProcess(['status', idA]);
      expect(text.stdout).toMatch(/^status +Completed$/m);
      expect(text.stdout).toMatch(/^outcome +restorable$/m);
      expect(text.stdout).toMatch(/^cleaned up +yes$/m);
      await stack.emulator.configure({ restoreSeconds: HELD_RESTORE_SECONDS });
    },
  );

  it('--wait --json prints the result JSON', async () => {
    await stack.emulator.configure({ restoreSeconds: 0 });
    try {
      await createClusterSnapshot(stack.rds(REGION), 'verify-c', 'verify-c-copy', keyArn);
      const r = await runInProcess(verifyArgs('verify-c-copy', '--wait', '--json'));
      expect(r.code, r.stderr).toBe(0);
      const out = json<{
        workflowId: string;
        status: string;
        result: { outcome: string; cleanedUp: boolean };
      }>(r);
      expect(out).toMatchObject({
        workflowId: verifyWorkflowId(REGION, 'verify-c-copy'),
        status: 'Completed',
        result: { outcome: 'restorable', cleanedUp: true },
      });
    } finally {
      await stack.emulator.configure({ restoreSeconds: HELD_RESTORE_SECONDS });
    }
  });

  it('snapcopy cancel stops a restore test mid-restore; it deletes the cluster once AWS allows and ends cancelled', async () => {
    await createClusterSnapshot(stack.rds(REGION), 'verify-d', 'verify-d-copy', keyArn);
    const id = verifyWorkflowId(REGION, 'verify-d-copy');
    expect((await runInProcess(verifyArgs('verify-d-copy'))).code).toBe(0);
    await eventually('the test to be restoring', async () => {
      const s = await verifyStatus(id);
      return s.progress?.phase === 'restoring' && s.progress.clusterIdentifier ? s : undefined;
    });
    const requested = await runInProcess(['cancel', id, '--reason', 'not today']);
    expect(requested.code, requested.stderr).toBe(0);
    expect(requested.stdout).toMatch(
      /^cancel requested for \S+ \(not today\): its throwaway cluster and writer are deleted/,
    );
    // AWS refuses to delete a cluster still creating: the test waits until it may.
    await stack.emulator.configure({ restoreSeconds: 0 });
    try {
      const s = await eventually('the test to end', async () => {
        const r = await verifyStatus(id);
        return r.status === 'Running' ? undefined : r;
      });
      expect(s.result).toMatchObject({ outcome: 'cancelled', cleanedUp: true });
      const again = await runInProcess(['cancel', id]);
      expect(again.code).toBe(1);
      expect(oneErrorLine(again)).toMatch(/^snapcopy: restore test \S+ is already closed \(Completed /);
    } finally {
      await stack.emulator.configure({ restoreSeconds: HELD_RESTORE_SECONDS });
    }
  });
});
