// `snapcopy verify` and a restore test in `snapcopy status`: flags → input, the shared rules as one line
// naming the flag (before anything connects), the live view, the result and status renderings, the result a
// failed test carries, and its live place in the restore-slot queue.
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { verifyFlagOf, verifyInputOf, parseExpect } from '../../src/cli/commands/verify/flags';
import { duplicateVerifyMessage, verifyRequest } from '../../src/cli/commands/verify/report';
import { renderStarted, renderVerifyResult } from '../../src/cli/commands/verify/render';
import { renderVerifyStatus } from '../../src/cli/commands/status/render-verify';
import type { VerifyStatusReport } from '../../src/cli/commands/status/report-verify';
import { UsageError } from '../../src/cli/errors';
import { withLiveVerifyPosition } from '../../src/cli/slot-position';
import { verifyResultOf } from '../../src/cli/verifies';
import { createVerifyView, verifyProgressLine } from '../../src/cli/verify-view';
import {
  RESTORE_TEST_FAILED,
  restoreSlotsWorkflowId,
  type VerifyCopyResult,
  type VerifyProgress,
} from '../../src/shared/restore-tests';
import type { SlotsView } from '../../src/shared/slots';
import { runInProcess } from '../helpers/cli';

const ACCOUNT = '123456789012';
const SNAPSHOT_ARN = `arn:aws:rds:us-west-2:${ACCOUNT}:cluster-snapshot:Prod-1-DR`;
const SECRET = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:canary-AbCdEf`;
const ID = 'snapcopy-verify-us-west-2-prod-1-dr';
const CLUSTER = 'snapcopy-verify-0a1b2c3d';

const result = (over: Partial<VerifyCopyResult> = {}): VerifyCopyResult => ({
  outcome: 'restorable',
  snapshotArn: SNAPSHOT_ARN,
  region: 'us-west-2',
  clusterIdentifier: CLUSTER,
  restoreSeconds: 512.3,
  writerSeconds: 421,
  totalSeconds: 933.3,
  checks: [
    { name: 'engine', ok: true, detail: 'aurora-postgresql 15.4 as the snapshot' },
    { name: 'encryption', ok: true, detail: `encrypted with the snapshot's key` },
  ],
  cleanedUp: true,
  startedAt: '2026-12-01T03:00:00.000Z',
  endedAt: '2026-12-01T03:20:00.000Z',
  ...over,
});

const progress = (over: Partial<VerifyProgress> = {}): VerifyProgress => ({
  phase: 'restoring',
  snapshotIdentifier: 'prod-1-dr',
  region: 'us-west-2',
  snapshotArn: SNAPSHOT_ARN,
  clusterIdentifier: CLUSTER,
  timings: [
    { phase: 'validating', seconds: 0 },
    { phase: 'describing', seconds: 1.2 },
    { phase: 'waiting-for-slot', seconds: 65 },
    { phase: 'restoring', seconds: 30 },
  ],
  checks: [],
  cancelRequested: false,
  ...over,
});

describe('snapcopy verify: flags → input', () => {
  it('maps every flag to its input field', () => {
    const input = verifyInputOf(SNAPSHOT_ARN, {
      region: 'us-west-2',
      instanceClass: 'db.r6g.large',
      subnetGroup: 'restore-tests',
      securityGroup: ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'],
      deadline: 7200,
      pollSeconds: 2,
      targetRoleArn: `arn:aws:iam::${ACCOUNT}:role/snapcopy`,
      externalId: 'ext-1',
      sql: 'select count(*) from orders',
      secretArn: SECRET,
      database: 'app',
      expect: '10',
    });
    expect(input).toEqual({
      SnapshotIdentifier: SNAPSHOT_ARN,
      Region: 'us-west-2',
      TargetRoleArn: `arn:aws:iam::${ACCOUNT}:role/snapcopy`,
      options: {
        instanceClass: 'db.r6g.large',
        dbSubnetGroupName: 'restore-tests',
        vpcSecurityGroupIds: ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'],
        deadlineSeconds: 7200,
        pollSeconds: 2,
        externalId: 'ext-1',
        check: { sql: 'select count(*) from orders', secretArn: SECRET, database: 'app', expect: 10 },
      },
    });
  });

  it('no options without option flags; --expect is a number only when it reads as one', () => {
    expect(verifyInputOf('prod-1-dr', { region: 'us-west-2' })).toEqual({
      SnapshotIdentifier: 'prod-1-dr',
      Region: 'us-west-2',
    });
    expect(parseExpect('3')).toBe(3);
    expect(parseExpect('-1.5')).toBe(-1.5);
    expect(parseExpect('ok')).toBe('ok');
    expect(parseExpect('3 rows')).toBe('3 rows');
  });

  it('the SQL flags need --sql', () => {
    expect(() => verifyInputOf('x', { region: 'us-west-2', secretArn: SECRET })).toThrow(
      new UsageError('--secret-arn is part of the SQL canary: give it with --sql'),
    );
    expect(() => verifyInputOf('x', { region: 'us-west-2', expect: '1' })).toThrow(/--expect/);
  });

  it('names the flag of every field the rules may name', () => {
    expect(verifyFlagOf('options.instanceClass')).toBe('--instance-class');
    expect(verifyFlagOf('options.vpcSecurityGroupIds[2]')).toBe('--security-group');
    expect(verifyFlagOf('options.check.secretArn')).toBe('--secret-arn');
    expect(verifyFlagOf('options.check')).toBe('--sql');
    expect(verifyFlagOf('Region')).toBe('--region');
    expect(verifyFlagOf('SnapshotIdentifier')).toBe('<snapshot>');
    expect(verifyFlagOf('options.nothing')).toBeUndefined();
  });

  it('the workflow ID is snapcopy-verify-<Region>-<lowercased snapshot name>, ARN or name alike', () => {
    expect(verifyRequest(SNAPSHOT_ARN, { region: 'us-west-2' })).toMatchObject({
      workflowId: ID,
      summary: `restore test of ${SNAPSHOT_ARN} in us-west-2`,
    });
    expect(verifyRequest('Prod-1-DR', { region: 'us-west-2' }).workflowId).toBe(ID);
  });

  it('a rule broken is a usage error naming the field and the flag', () => {
    const cases: [Parameters<typeof verifyRequest>[1], RegExp][] = [
      [{ region: 'us-west-2', instanceClass: 'large' }, /^options\.instanceClass .*\(--instance-class\)$/],
      [{ region: 'mars-1' }, /^Region must be an AWS Region name .*\(--region\)$/],
      [{ region: 'us-west-2', deadline: 60 }, /^options\.deadlineSeconds .*\(--deadline\)$/],
      [{ region: 'us-west-2', pollSeconds: 0 }, /^options\.pollSeconds .*\(--poll-seconds\)$/],
      [{ region: 'us-west-2', sql: 'select 1' }, /^options\.check\.secretArn is required \(--secret-arn\)$/],
      [{ region: 'us-west-2', externalId: 'ext-1' }, /needs TargetRoleArn.*\(--external-id\)$/],
    ];
    for (const [flags, message] of cases) {
      let err: unknown;
      try {
        verifyRequest('prod-1-dr', flags);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(flags)).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('through the CLI: one line, exit 2, before any connection is made', async () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:1'; // nothing listens: a connection attempt would say so
    try {
      const r = await runInProcess([
        'verify',
        'prod-1-dr',
        '--region',
        'us-west-2',
        '--instance-class',
        'large',
      ]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        'snapcopy: options.instanceClass must be a DB instance class such as db.t4g.medium or db.r6g.large (got "large") (--instance-class)',
      ]);
      const missing = await runInProcess(['verify', 'prod-1-dr']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--region/);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
  });
});

describe('snapcopy verify: what it prints', () => {
  it('the start: workflow ID and how to follow it', () => {
    const started = {
      workflowId: ID,
      runId: 'r1',
      taskQueue: 'snapcopy',
      summary: 'restore test of prod-1-dr in us-west-2',
      input: { SnapshotIdentifier: 'prod-1-dr', Region: 'us-west-2' },
    };
    expect(renderStarted(started)).toBe(
      `started ${ID}: restore test of prod-1-dr in us-west-2\nfollow: snapcopy status ${ID}`,
    );
    expect(renderStarted(started, { following: true })).not.toContain('follow:');
  });

  it('a second start while one runs: one line with how to follow the running one', () => {
    const line = duplicateVerifyMessage(ID, 'Running', new Date('2026-12-01T03:00:00Z'));
    expect(line).toBe(
      `a restore test with workflow ID ${ID} is already running (started 2026-12-01 03:00:00Z); follow it with: snapcopy status ${ID}`,
    );
  });

  it('the result: outcome, human durations, each check, cleanup', () => {
    const text = renderVerifyResult(
      result({
        outcome: 'failed',
        checks: [
          { name: 'engine', ok: true, detail: 'aurora-postgresql 15.4' },
          { name: 'sql', ok: false, detail: 'expected at least 1, got 0' },
        ],
        failure: 'sql: expected at least 1, got 0',
      }),
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^outcome +failed$/);
    expect(text).toMatch(/^cluster +snapcopy-verify-0a1b2c3d \(writer snapcopy-verify-0a1b2c3d-writer\)$/m);
    expect(text).toMatch(/^restore +8m 32s$/m);
    expect(text).toMatch(/^writer +7m 1s$/m);
    expect(text).toMatch(/^total +15m 33s$/m);
    expect(text).toMatch(/^check +ok {6}engine: aurora-postgresql 15\.4$/m);
    expect(text).toMatch(/^check +FAILED {2}sql: expected at least 1, got 0$/m);
    expect(text).toMatch(/^cleaned up +yes$/m);
    expect(text).toMatch(/^failure +sql: expected at least 1, got 0$/m);
  });

  it('a test that never restored shows no timings, and says what may remain when not cleaned up', () => {
    const text = renderVerifyResult(
      result({
        outcome: 'cancelled',
        restoreSeconds: undefined,
        writerSeconds: undefined,
        totalSeconds: undefined,
        checks: [],
        cleanedUp: false,
      }),
    );
    expect(text).not.toMatch(/^(restore|writer|total|check) /m);
    expect(text).toMatch(/^cleaned up +NO: /m);
  });

  it('the live view: a line per change, with the queue position, finished phases and checks', () => {
    const written: string[] = [];
    const view = createVerifyView({ write: (chunk: string) => written.push(chunk) });
    const waiting = progress({
      phase: 'waiting-for-slot',
      clusterIdentifier: undefined,
      queuePosition: 2,
      timings: [
        { phase: 'validating', seconds: 0 },
        { phase: 'describing', seconds: 1.2 },
        { phase: 'waiting-for-slot', seconds: 3 },
      ],
    });
    view.update(waiting);
    view.update({
      ...waiting,
      timings: [...waiting.timings.slice(0, -1), { phase: 'waiting-for-slot', seconds: 4 }],
    });
    view.update(
      progress({
        phase: 'checking',
        checks: [{ name: 'engine', ok: true, detail: 'x' }],
      }),
    );
    view.stop();
    expect(written).toEqual([
      'waiting for a restore slot (position 2) (validating 0s, describing 1s)\n',
      `checking ${CLUSTER} (validating 0s, describing 1s, waiting-for-slot 1m 5s); checks: engine ok\n`,
    ]);
    expect(verifyProgressLine(progress({ cancelRequested: true }))).toMatch(/; cancel requested$/);
  });
});

describe('a failed restore test carries its result', () => {
  it('is read from a RestoreTestFailed only', () => {
    const r = result({ outcome: 'failed', failure: 'engine' });
    const failed = ApplicationFailure.create({ type: RESTORE_TEST_FAILED, message: 'x', details: [r] });
    expect(verifyResultOf(failed)).toEqual(r);
    expect(
      verifyResultOf(ApplicationFailure.create({ type: 'Other', message: 'x', details: [r] })),
    ).toBeUndefined();
    expect(
      verifyResultOf(ApplicationFailure.create({ type: RESTORE_TEST_FAILED, message: 'x' })),
    ).toBeUndefined();
    expect(verifyResultOf(new Error('x'))).toBeUndefined();
  });
});

describe('a waiting restore test: its live place in the restore-slot queue', () => {
  const SLOTS_ID = restoreSlotsWorkflowId(ACCOUNT, 'us-west-2');
  const asked: string[] = [];
  const clientWith = (answer: () => Promise<Pick<SlotsView, 'queue'>>) =>
    ({
      withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
      workflow: {
        getHandle: (id: string) => ({
          query: () => {
            asked.push(id);
            return id === SLOTS_ID ? answer() : Promise.reject(new Error(`no ${id}`));
          },
        }),
      },
    }) as unknown as Client;
  const entry = (workflowId: string) => ({ workflowId, priority: 3, since: '2026-12-01T03:00:00.000Z' });

  it("comes from the restore-slot scheduler of the snapshot's account and Region", async () => {
    const live = clientWith(() => Promise.resolve({ queue: [entry('other'), entry(ID)] }));
    const p = progress({ phase: 'waiting-for-slot' });
    expect((await withLiveVerifyPosition(live, ID, p)).queuePosition).toBe(2);
    expect(asked.at(-1)).toBe(SLOTS_ID);
    const silent = clientWith(() => Promise.reject(new Error('no worker')));
    expect(await withLiveVerifyPosition(silent, ID, p)).toBe(p);
  });

  it('asks no one when not waiting, or before the snapshot (its account) is known', async () => {
    const never = clientWith(() => Promise.reject(new Error('must not be asked')));
    asked.length = 0;
    const restoring = progress();
    expect(await withLiveVerifyPosition(never, ID, restoring)).toBe(restoring);
    const early = progress({ phase: 'waiting-for-slot', snapshotArn: undefined });
    expect(await withLiveVerifyPosition(never, ID, early)).toBe(early);
    expect(asked).toEqual([]);
  });
});

describe('snapcopy status of a restore test', () => {
  const base: VerifyStatusReport = {
    workflowType: 'verifyCopy',
    workflowId: ID,
    runId: 'r1',
    status: 'Running',
    taskQueue: 'snapcopy',
    startTime: '2026-12-01T03:00:00.000Z',
    summary: 'restore test of prod-1-dr in us-west-2',
  };

  it('running: phase, snapshot, throwaway cluster, timings, checks', () => {
    const text = renderVerifyStatus({
      ...base,
      progress: progress({ phase: 'checking', checks: [{ name: 'engine', ok: false, detail: 'mysql' }] }),
    });
    expect(text).toMatch(/^type +restore test \(verifyCopy\)$/m);
    expect(text).toMatch(/^phase +checking$/m);
    expect(text).toMatch(new RegExp(`^snapshot +${SNAPSHOT_ARN} in us-west-2$`, 'm'));
    expect(text).toMatch(new RegExp(`^cluster +${CLUSTER} \\(writer ${CLUSTER}-writer\\)$`, 'm'));
    expect(text).toMatch(/^timings +validating 0s, describing 1s, waiting-for-slot 1m 5s, restoring 30s$/m);
    expect(text).toMatch(/^check +FAILED {2}engine: mysql$/m);
    expect(text).not.toMatch(/^outcome/m);
  });

  it('closed: outcome, timings, checks and cleanup; a failure without a result says why', () => {
    const done = renderVerifyStatus({
      ...base,
      status: 'Completed',
      closeTime: '2026-12-01T03:20:00.000Z',
      result: result(),
    });
    expect(done).toMatch(/^outcome +restorable$/m);
    expect(done).toMatch(/^total +15m 33s$/m);
    expect(done).toMatch(/^cleaned up +yes$/m);
    expect(done).toMatch(/^closed +2026-12-01 03:20:00Z$/m);
    const terminated = renderVerifyStatus({
      ...base,
      status: 'Terminated',
      failure: { status: 'Terminated', type: 'Terminated', message: 'by hand' },
    });
    expect(terminated).toMatch(/^failure +Terminated: by hand$/m);
    expect(terminated).not.toMatch(/^outcome/m);
  });
});
