// End to end: restore tests in plans and copies on the local stack (Temporal dev server, real worker, the AWS
// emulator restoring as AWS does). A plan with verify over two destinations tests each new copy in each,
// a second run finds the passed tests in Temporal's visibility and skips them (`recent`), and
// `copy --verify --wait` reports its copy's restore test. Every throwaway cluster and writer is gone after.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDBClusterCommand, CreateDBClusterSnapshotCommand } from '@aws-sdk/client-rds';
import { emulatorRestores } from '../../scripts/lib/emulator-api';
import type { PlanRunResult } from '../../src/shared/plan-run';
import { VERIFY_WORKFLOW_TYPE } from '../../src/shared/restore-tests';
import { createKey } from '../helpers/aws-fixtures';
import { cliEnv, eventually, json, runInProcess } from '../helpers/cli';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;
let file: string;
const SOURCE = 'us-east-1';
const DESTINATIONS = ['us-west-2', 'eu-west-1'];
const CLUSTERS = ['verify-e2e-a', 'verify-e2e-b'];

beforeAll(async () => {
  // Restores, writers and deletes of a second each: the test waits for what happens, never for time.
  stack = await startLocalStack({ copySeconds: 1, restoreSeconds: 1, instanceSeconds: 1, deleteSeconds: 1 });
  Object.assign(process.env, cliEnv(stack));
  for (const region of DESTINATIONS) await createKey(stack.kms(region), 'alias/verify-e2e');
  for (const cluster of CLUSTERS) {
    await stack.rds(SOURCE).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: cluster,
        Engine: 'aurora-postgresql',
        MasterUsername: 'snapcopy',
        MasterUserPassword: 'snapcopy-password-1',
      }),
    );
    await stack.rds(SOURCE).send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: cluster,
        DBClusterSnapshotIdentifier: `${cluster}-1`,
      }),
    );
  }
  file = path.join(mkdtempSync(path.join(tmpdir(), 'snapcopy-verify-e2e-')), 'verified.yaml');
  writeFileSync(
    file,
    `name: verified
schedule: { cron: "0 4 * * *" }
source:
  region: ${SOURCE}
  clusters: [${CLUSTERS.join(', ')}]
destinations:
  - region: us-west-2
  - region: eu-west-1
verify: { every: 7d, pollSeconds: 1 }
`,
  );
});

afterAll(async () => {
  await stack?.stop();
});

/** Every throwaway cluster and writer the emulator ever made, and whether any is still there. */
async function throwaways(): Promise<{ made: number; left: string[] }> {
  const { restores } = await emulatorRestores(stack.emulator.endpoint);
  return {
    made: restores.length,
    left: restores.filter((r) => r.status !== 'deleted').map((r) => `${r.kind} ${r.identifier} ${r.status}`),
  };
}

describe('restore tests end to end', () => {
  it('plan run --wait tests each new copy in both destinations and leaves nothing running', async () => {
    expect((await runInProcess(['plan', 'apply', file])).code).toBe(0);
    const r = await runInProcess(['plan', 'run', 'verified', '--wait', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { result } = json<{ result: PlanRunResult }>(r);
    expect(
      result.rows.map((row) => [row.cluster, row.destination, row.outcome, row.verify?.outcome]),
    ).toEqual(CLUSTERS.flatMap((c) => DESTINATIONS.map((d) => [c, d, 'copied', 'restorable'])));
    expect(result.restoreTests).toEqual({ restorable: 4 });
    const { made, left } = await throwaways();
    expect(made).toBe(8); // a cluster and a writer per test
    expect(left).toEqual([]);

    const status = await runInProcess(['plan', 'status', 'verified']);
    expect(status.stdout).toContain('RESTORE TEST');
    expect(status.stdout).toMatch(/verify-e2e-a\s+us-west-2\s+copied\s.*restorable in/);
  });

  it('a second run finds the passed tests in Temporal and does not test again (recent)', async () => {
    // Temporal's visibility lists a closed workflow shortly after it closed.
    await eventually('the four passed restore tests to be listed', async () => {
      const passed = [];
      for await (const w of stack.env.client.workflow.list({
        query: `WorkflowType = '${VERIFY_WORKFLOW_TYPE}' AND SnapcopyPhase = 'restorable'`,
      })) {
        passed.push(w.workflowId);
      }
      expect(passed).toHaveLength(4);
      return passed;
    });
    const r = await runInProcess(['plan', 'run', 'verified', '--wait', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { result } = json<{ result: PlanRunResult }>(r);
    expect(result.rows.map((row) => [row.outcome, row.verify?.outcome])).toEqual(
      Array.from({ length: 4 }, () => ['already-present', 'recent']),
    );
    expect(result.rows.every((row) => row.verify?.lastPassedAt !== undefined)).toBe(true);
    expect((await throwaways()).made).toBe(8);
  });

  it('copy --verify --wait copies, then proves the copy restores, in one command', async () => {
    const r = await runInProcess([
      'copy',
      '--source',
      `arn:aws:rds:${SOURCE}:123456789012:cluster-snapshot:${CLUSTERS[0]}-1`,
      '--target',
      'verify-e2e-copy',
      '--target-region',
      'us-west-2',
      '--min-poll',
      '1',
      '--max-poll',
      '2',
      '--verify',
      '--wait',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restore test snapcopy-verify-us-west-2-verify-e2e-copy: restorable/);
    expect((await throwaways()).left).toEqual([]);
  });
});
