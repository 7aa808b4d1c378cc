// Safety of cross-account copies, property-based: fast-check generates a history — 1–3 concurrent copies of
// one source into one other account (in its Region, or across Regions in two hops), the source unencrypted,
// under a customer managed key or under aws/rds (re-encrypted with a share key first), the worker in the
// source, the destination or a third account, the destination's share already added by the owner or not,
// and for each copy perhaps a cancel (by signal or Temporal, while it waits for the share, during a hop or
// while its final copy runs), AWS failing its final copy, or a deadline — and runs it on the real
// time-skipping server against the in-memory AWS. Once every copy and the share's holder have ended:
//  1. the source's shares are exactly what they were: no share snapcopy did not add is removed (the owner's
//     and a third account's stay), and none it added is left;
//  2. no intermediate copy (`-hop1`, `-share`) is left in any account, and nothing but the source and the
//     finished copies remains;
//  3. a copy nobody cancelled or failed ends `copied`: the share was never taken away while it still needed
//     it (it would fail DBClusterSnapshotNotFoundFault), whatever order the others ended in.
// SNAPCOPY_SAFETY_SEED (`random` or a number), _PATH, _RUNS and _EXAMPLE (a scenario as JSON) as for
// safety.property.test.ts; SNAPCOPY_SAFETY_DEBUG prints how each copy that did not copy ended.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progressQuery } from '../../src/shared/contract';
import { defaultWorkflowId } from '../../src/shared/names';
import type {
  CopyDbClusterSnapshotInput,
  CopyDbClusterSnapshotResult,
  Progress,
} from '../../src/shared/types';
import { cancelSignal, copyDbClusterSnapshot } from '../../src/workflows';
import { ACCOUNT as WORKER, type FakeAws } from '../helpers/fake-aws';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { safetyParameters } from '../helpers/safety';
import { createTimeSkippingEnv, timeSkippingWorkflowBundle } from '../helpers/temporal';
import {
  EAST,
  SOURCE_ACCOUNT,
  SOURCE_ROLE,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  WEST,
  twoAccountsAws,
  type Accounts,
  type Encryption,
} from '../helpers/two-accounts';

type CancelAt = 'share' | 'hop' | 'copying';

interface CopySpec {
  region: typeof EAST | typeof WEST;
  cancel?: { at: CancelAt; how: 'signal' | 'temporal' };
  awsFails?: boolean;
  /** options.deadlineSeconds, in hours (copies take one hour each hop). */
  deadlineHours?: number;
}

interface Scenario {
  encryption: Encryption;
  layout: 0 | 1 | 2;
  ownerShared: boolean;
  copies: CopySpec[];
}

/** The worker in the source account (TargetRoleArn only), in the destination (SourceRoleArn only), or a third. */
const LAYOUTS: { accounts: Accounts; roles: Partial<CopyDbClusterSnapshotInput> }[] = [
  { accounts: { source: WORKER, target: TARGET_ACCOUNT }, roles: { TargetRoleArn: TARGET_ROLE } },
  { accounts: { source: SOURCE_ACCOUNT, target: WORKER }, roles: { SourceRoleArn: SOURCE_ROLE } },
  {
    accounts: { source: SOURCE_ACCOUNT, target: TARGET_ACCOUNT },
    roles: { SourceRoleArn: SOURCE_ROLE, TargetRoleArn: TARGET_ROLE },
  },
];

const copyArb: fc.Arbitrary<CopySpec> = fc.record(
  {
    region: fc.constantFrom(EAST, WEST),
    cancel: fc.record({
      at: fc.constantFrom<CancelAt>('share', 'hop', 'copying'),
      how: fc.constantFrom<'signal' | 'temporal'>('signal', 'temporal'),
    }),
    awsFails: fc.boolean(),
    deadlineHours: fc.integer({ min: 1, max: 4 }),
  },
  { requiredKeys: ['region'] },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  encryption: fc.constantFrom<Encryption>('none', 'cmk', 'aws/rds'),
  layout: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
  ownerShared: fc.boolean(),
  copies: fc.array(copyArb, { minLength: 1, maxLength: 3 }),
});

const HOUR = 60 * 60 * 1000;
const SOURCE_NAME = 'prod-2026-12-01';
type Handle = WorkflowHandle<typeof copyDbClusterSnapshot>;

function inputOf(s: Scenario, c: CopySpec, i: number): CopyDbClusterSnapshotInput {
  const { accounts, roles } = LAYOUTS[s.layout]!;
  return {
    SourceDBClusterSnapshotIdentifier: `arn:aws:rds:${EAST}:${accounts.source}:cluster-snapshot:${SOURCE_NAME}`,
    TargetDBClusterSnapshotIdentifier: `prod-dr-${i}`,
    TargetRegion: c.region,
    ...roles,
    ...(s.encryption === 'none' ? {} : { KmsKeyId: 'alias/dr' }),
    options: {
      minPollSeconds: 60,
      ...(s.encryption === 'aws/rds' ? { shareKmsKeyId: 'alias/share' } : {}),
      ...(c.deadlineHours !== undefined ? { deadlineSeconds: c.deadlineHours * 3600 } : {}),
    },
  };
}

/** Whether the copy is at its cancel point now (a point it passed without being seen there is skipped). */
function atPoint(at: CancelAt, p: Progress): boolean {
  if (at === 'share') return p.phase === 'sharing' || p.phase === 'checking-key';
  if (at === 'hop') return (p.hops ?? []).some((h) => h.hop !== 'final' && h.status === 'copying');
  return p.phase === 'copying';
}

interface Ended {
  spec: CopySpec;
  outcome: string;
  /** Cancelled or failed on purpose (a cancel, AWS failing it, its deadline): anything may happen to it. */
  disturbed: boolean;
}

async function runScenario(
  env: TestWorkflowEnvironment,
  s: Scenario,
): Promise<{ aws: FakeAws; ended: Ended[] }> {
  const { accounts } = LAYOUTS[s.layout]!;
  const aws = twoAccountsAws(() => env.currentTimeMs(), s.encryption, true, accounts);
  aws.copyDurationMs = HOUR;
  if (s.ownerShared) aws.get(EAST, SOURCE_NAME, accounts.source)!.sharedWith.push(accounts.target);
  const ended = await withFakeAwsWorker(
    env,
    aws,
    { regions: [EAST, WEST], accounts: [accounts.source, accounts.target] },
    async (taskQueue) => {
      const handles: Handle[] = [];
      for (const [i, c] of s.copies.entries()) {
        handles.push(
          await env.client.workflow.start(copyDbClusterSnapshot, {
            taskQueue,
            workflowId: defaultWorkflowId(c.region, `prod-dr-${i}`),
            args: [inputOf(s, c, i)],
          }),
        );
      }
      const done = handles.map(() => false);
      const disturbed = handles.map(() => false);
      const outcomes: string[] = handles.map(() => '');
      // Followed through a plain client: each pending result() of the time-skipping client unlocks time once,
      // and several at once let it skip while a workflow task is still being processed. Time moves by the
      // env.sleep steps below, then by one time-skipping result() at a time.
      const watcher = new WorkflowClient({
        connection: env.connection,
        namespace: env.namespace ?? 'default',
      });
      const all = Promise.all(
        handles.map((h, i) =>
          watcher
            .getHandle(h.workflowId)
            .result()
            .then(
              (r: CopyDbClusterSnapshotResult) => {
                outcomes[i] = r.summary.outcome;
                done[i] = true;
              },
              (e: unknown) => {
                const cause = (e as { cause?: { type?: string; message?: string } }).cause;
                outcomes[i] = cause?.type ?? 'failed';
                if (process.env.SNAPCOPY_SAFETY_DEBUG) {
                  console.log(`prod-dr-${i}: ${cause?.type}: ${cause?.message} in ${JSON.stringify(s)}`);
                }
                done[i] = true;
              },
            ),
        ),
      );
      // Drive the history: every five minutes of workflow time, fire what is due; once nothing is left to
      // fire, let time skip to the end.
      const pending = (i: number) =>
        !done[i] && !disturbed[i] && (s.copies[i]!.cancel || s.copies[i]!.awsFails);
      for (let step = 0; step < 288 && handles.some((_, i) => pending(i)); step++) {
        for (const [i, h] of handles.entries()) {
          if (!pending(i)) continue;
          const spec = s.copies[i]!;
          const p = await h.query(progressQuery).catch(() => undefined);
          if (!p) continue;
          if (spec.cancel && atPoint(spec.cancel.at, p)) {
            disturbed[i] = true;
            if (spec.cancel.how === 'signal') await h.signal(cancelSignal, { reason: 'property' });
            else await h.cancel();
          } else if (spec.awsFails && p.phase === 'copying' && p.lastPolledAt !== undefined) {
            const final = aws.get(spec.region, `prod-dr-${i}`, accounts.target);
            if (final?.status === 'copying') {
              final.status = 'failed';
              disturbed[i] = true;
            }
          }
        }
        await env.sleep('5m');
      }
      for (const [i, h] of handles.entries()) {
        if (!done[i]) await h.result().catch(() => undefined);
      }
      await all;
      if (!done.every(Boolean)) {
        const views = await Promise.all(handles.map((h) => h.query(progressQuery).catch(String)));
        expect.fail(`copies still running: ${JSON.stringify(views)}`);
      }
      return s.copies.map((spec, i) => ({
        spec,
        outcome: outcomes[i]!,
        // A deadline may end a copy too. On the time-skipping server a copy's own timers can fire while
        // another workflow's activity runs, so workflow time is not a copy's duration: any deadline disturbs
        // (the shares and leftovers are still checked).
        disturbed: disturbed[i]! || spec.deadlineHours !== undefined,
      }));
    },
  );
  return { aws, ended };
}

function violations(s: Scenario, aws: FakeAws, ended: Ended[]): string[] {
  const { accounts } = LAYOUTS[s.layout]!;
  const found: string[] = [];
  const source = aws.get(EAST, SOURCE_NAME, accounts.source);
  if (!source) return ['the source snapshot is gone'];
  const expected = ['333333333333', ...(s.ownerShared ? [accounts.target] : [])].sort();
  const shares = [...source.sharedWith].sort();
  if (JSON.stringify(shares) !== JSON.stringify(expected)) {
    found.push(`the source is shared with ${JSON.stringify(shares)}, expected ${JSON.stringify(expected)}`);
  }
  // A copy's target stays when it was copied, or once it became available whatever ended its run: a cancel
  // keeps it by default, and a failure never deletes a finished copy — not even one that finished while a
  // deadline was failing the run (the contract; on the time-skipping server a copy of an hour with a deadline
  // of an hour can finish just then).
  const mayStay = (identifier: string, status: string) => {
    const i = Number(/^prod-dr-(\d+)$/.exec(identifier)?.[1] ?? -1);
    const outcome = ended[i]?.outcome;
    return outcome === 'copied' || (outcome !== undefined && status === 'available');
  };
  for (const snap of aws.snapshots.values()) {
    if (snap.deletedAt !== undefined || snap.status === 'deleting') continue;
    if (snap.account === accounts.source && snap.identifier === SOURCE_NAME) continue;
    if (/-(hop1|share)$/.test(snap.identifier)) {
      found.push(`intermediate ${snap.account}/${snap.region}/${snap.identifier} left (${snap.status})`);
    } else if (!mayStay(snap.identifier, snap.status)) {
      found.push(
        `${snap.account}/${snap.region}/${snap.identifier} left ${snap.status} by a copy that did not finish`,
      );
    }
  }
  for (const [i, e] of ended.entries()) {
    if (!e.disturbed && e.outcome !== 'copied') found.push(`prod-dr-${i}, undisturbed, ended ${e.outcome}`);
  }
  return found;
}

it('shares and intermediates: never removes a share it did not add, leaves none it added, none while needed', async () => {
  await timeSkippingWorkflowBundle();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const env = await createTimeSkippingEnv();
      try {
        const { aws, ended } = await runScenario(env, scenario);
        runs++;
        const found = violations(scenario, aws, ended);
        if (found.length > 0) {
          throw new Error(
            `${found.join('\n')}\n--- scenario ${JSON.stringify(scenario)}\n--- ended ${JSON.stringify(ended)}`,
          );
        }
      } finally {
        await env.teardown();
      }
    }),
    safetyParameters<Scenario>({ seed: 20261206, runs: 8, timeLimitMs: 150_000 }),
  );
  console.log(`${runs} cross-account histories checked`);
  expect(runs).toBeGreaterThan(0);
}, 300_000);
