// Restore tests end to end: real Temporal dev server, real worker and activities, the AWS emulator over the
// wire restoring DB clusters as AWS does (creating, available, deleting, gone; docs/local-stack.md "Restored
// DB clusters"). A copy snapcopy made is restored, checked and cleaned up; a cancel mid-restore; the SQL
// canary through the emulator's Data API, passing and failing. Each test ends with the emulator's own record
// (GET /snapcopy-emulator/restores) showing every cluster and instance the test made gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeDBClustersCommand, DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { defaultWorkflowId, WORKFLOW_TYPE } from '../../src/shared/names';
import {
  RESTORE_TEST_FAILED,
  VERIFY_WORKFLOW_TYPE,
  verifyCancelSignal,
  verifyProgressQuery,
  verifyWorkflowId,
  writerInstanceId,
  type VerifyCopyInput,
  type VerifyCopyResult,
  type VerifyProgress,
} from '../../src/shared/restore-tests';
import type { CopyDbClusterSnapshotResult } from '../../src/shared/types';
import { emulatorRestores, setDataApiResults } from '../../scripts/lib/emulator-api';
import { createClusterSnapshot, createKey } from '../helpers/aws-fixtures';
import { startLocalStack, type LocalStack } from '../helpers/local-stack';
import { waitFor, waitForValue } from '../helpers/wait';

const REGION = 'us-west-2';
const ACCOUNT = '123456789012'; // moto's account
const COPY = 'e2e-verify-copy';
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:e2e-canary-AbCdEf`;
const FAST = { restoreSeconds: 3, instanceSeconds: 3, deleteSeconds: 1 };

let stack: LocalStack;
let copyArn: string;
let copyKeyArn: string;

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 2, ...FAST });
  const sourceKey = await createKey(stack.kms('us-east-1'));
  const sourceArn = await createClusterSnapshot(
    stack.rds('us-east-1'),
    'e2e-verify',
    'e2e-verify-snap',
    sourceKey.keyArn,
  );
  copyKeyArn = (await createKey(stack.kms(REGION), 'alias/e2e-verify')).keyArn;
  // The copy to restore, made by snapcopy itself.
  const copy = await stack.env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: defaultWorkflowId(REGION, COPY),
    args: [
      {
        SourceDBClusterSnapshotIdentifier: sourceArn,
        TargetDBClusterSnapshotIdentifier: COPY,
        SourceRegion: 'us-east-1',
        TargetRegion: REGION,
        KmsKeyId: 'alias/e2e-verify',
        options: { minPollSeconds: 1, maxPollSeconds: 2 },
      },
    ],
  });
  const copied = (await copy.result()) as CopyDbClusterSnapshotResult;
  expect(copied.summary.outcome).toBe('copied');
  copyArn = copied.DBClusterSnapshot!.DBClusterSnapshotArn!;
});

afterAll(async () => {
  await stack?.stop();
});

type Handle = WorkflowHandle<(i: VerifyCopyInput) => Promise<VerifyCopyResult>>;

function verify(options: VerifyCopyInput['options'] = {}): Promise<Handle> {
  return stack.env.client.workflow.start<(i: VerifyCopyInput) => Promise<VerifyCopyResult>>(
    VERIFY_WORKFLOW_TYPE,
    {
      taskQueue: stack.taskQueue,
      workflowId: verifyWorkflowId(REGION, COPY),
      args: [{ SnapshotIdentifier: COPY, Region: REGION, options: { pollSeconds: 1, ...options } }],
    },
  );
}

function progressUntil(handle: Handle, predicate: (p: VerifyProgress) => boolean, what: string) {
  return waitFor(what, async () => {
    const p = await handle.query(verifyProgressQuery);
    if (!predicate(p)) throw new Error(`progress is ${JSON.stringify(p)}`);
    return p;
  });
}

/** The emulator's record of what a test made: its cluster (and writer, when made) and each one's status. */
async function madeBy(clusterId: string) {
  const { restores } = await emulatorRestores(stack.emulator.endpoint);
  return restores.filter((r) => r.identifier === clusterId || r.identifier === writerInstanceId(clusterId));
}

/** Everything the emulator ever restored or created in a cluster is gone (nothing left running). */
async function expectAllGone(): Promise<void> {
  const { restores } = await emulatorRestores(stack.emulator.endpoint);
  expect(restores.filter((r) => r.status !== 'deleted')).toEqual([]);
}

describe('restore tests end to end', () => {
  it('verifies a copy: restored with its engine and key, timed, checked, and both writer and cluster deleted', async () => {
    const handle = await verify();
    // While the writer is being created the restored cluster is there to read, as AWS describes it.
    const restored = await waitForValue('the restored cluster is available', async () => {
      const p = await handle.query(verifyProgressQuery);
      if (!p.clusterIdentifier) return undefined;
      const out = await stack
        .rds(REGION)
        .send(new DescribeDBClustersCommand({ DBClusterIdentifier: p.clusterIdentifier }))
        .catch(() => undefined);
      const c = out?.DBClusters?.[0];
      return c?.Status === 'available' ? c : undefined;
    });
    const result = await handle.result();
    expect(result.outcome).toBe('restorable');
    expect(result.snapshotArn).toBe(copyArn);
    expect(result.clusterIdentifier).toBe(restored.DBClusterIdentifier);
    expect(result.restoreSeconds).toBeDefined();
    expect(result.writerSeconds).toBeDefined();
    expect(result.totalSeconds).toBeDefined();
    expect(result.checks.length).toBeGreaterThanOrEqual(5);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.cleanedUp).toBe(true);

    const copy = (
      await stack
        .rds(REGION)
        .send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: COPY }))
    ).DBClusterSnapshots![0]!;
    expect(restored.Engine).toBe(copy.Engine);
    expect(restored.StorageEncrypted).toBe(true);
    expect(restored.KmsKeyId).toBe(copyKeyArn);
    expect(copy.KmsKeyId).toBe(copyKeyArn);

    const made = await madeBy(result.clusterIdentifier!);
    expect(made.map((r) => [r.kind, r.status])).toEqual([
      ['cluster', 'deleted'],
      ['instance', 'deleted'],
    ]);
    expect(made[0]!.snapshotArn).toBe(copyArn);
    for (const r of made) {
      expect(r.tags).toEqual(
        expect.arrayContaining([
          { Key: 'snapcopy:managed', Value: 'true' },
          { Key: 'snapcopy:verify-of', Value: copyArn },
          { Key: 'snapcopy:workflow-id', Value: verifyWorkflowId(REGION, COPY) },
        ]),
      );
    }
    await expectAllGone();
  });

  it('cancelled while the cluster restores: deleted as soon as AWS allows, cancelled and cleaned up', async () => {
    await stack.emulator.configure({ restoreSeconds: 3600 });
    try {
      const handle = await verify();
      const p = await progressUntil(
        handle,
        (x) => x.phase === 'restoring' && x.clusterIdentifier !== undefined,
        'the test restores',
      );
      const clusterId = p.clusterIdentifier!;
      await waitFor('the emulator has the cluster creating', async () => {
        expect((await madeBy(clusterId)).map((r) => r.status)).toEqual(['creating']);
      });
      await handle.signal(verifyCancelSignal, { reason: 'e2e' });
      // AWS refuses to delete a cluster still creating: the test waits for it, then deletes it.
      await progressUntil(handle, (x) => x.phase === 'cleaning-up', 'the test cleans up');
      await stack.emulator.configure({ restoreSeconds: FAST.restoreSeconds });
      const result = await handle.result();
      expect(result.outcome).toBe('cancelled');
      expect(result.cleanedUp).toBe(true);
      expect(result.clusterIdentifier).toBe(clusterId);
      expect((await madeBy(clusterId)).map((r) => [r.kind, r.status])).toEqual([['cluster', 'deleted']]);
      await expectAllGone();
    } finally {
      await stack.emulator.configure({ restoreSeconds: FAST.restoreSeconds });
    }
  });

  describe('the SQL canary through the Data API', () => {
    const check = { secretArn: SECRET, database: 'orders', sql: 'select count(*) from orders', expect: 1 };

    it('passes on a count at least the expected one', async () => {
      await setDataApiResults(stack.emulator.endpoint, [{ records: [[{ longValue: 42 }]] }], {
        region: REGION,
      });
      const result = await (await verify({ check })).result();
      expect(result.outcome).toBe('restorable');
      expect(result.checks.find((c) => c.name === 'sql')).toEqual({
        name: 'sql',
        ok: true,
        detail: 'returned 42, expected at least 1',
      });
      expect(result.cleanedUp).toBe(true);
      expect((await madeBy(result.clusterIdentifier!)).map((r) => r.status)).toEqual(['deleted', 'deleted']);
      await expectAllGone();
    });

    it('fails as RestoreTestFailed on a count below it, naming the sql check, and still cleans up', async () => {
      await setDataApiResults(stack.emulator.endpoint, [{ records: [[{ longValue: 0 }]] }], {
        region: REGION,
      });
      const err = await (await verify({ check })).result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.type).toBe(RESTORE_TEST_FAILED);
      expect(failure.message).toContain('check sql (');
      const result = failure.details?.[0] as VerifyCopyResult;
      expect(result.outcome).toBe('failed');
      expect(result.checks.filter((c) => !c.ok)).toEqual([
        { name: 'sql', ok: false, detail: 'returned 0, expected at least 1' },
      ]);
      expect(result.cleanedUp).toBe(true);
      expect((await madeBy(result.clusterIdentifier!)).map((r) => r.status)).toEqual(['deleted', 'deleted']);
      await expectAllGone();
    });
  });
});
