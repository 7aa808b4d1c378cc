// The pure parts of a plan run: its IDs, the copy it asks for per cluster and destination, and the table
// the Temporal UI shows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan, type Plan } from '../../src/shared/plan';
import { parsePlanRunWorkflowId, planRunWorkflowId } from '../../src/shared/plan-run';
import { validateCopyInput } from '../../src/shared/validation';
import { childInput } from '../../src/workflows/plan/children';
import { formatPlanDetails, PlanRun } from '../../src/workflows/plan/run';

function plan(over: Record<string, unknown> = {}): Plan {
  const check = checkPlan({
    name: 'prod-dr',
    schedule: { cron: '0 3 * * *' },
    source: { region: 'us-east-1', tags: { backup: 'dr' } },
    destinations: [{ region: 'us-west-2', kmsKeyId: 'alias/dr' }, { region: 'us-east-1' }],
    copyTags: true,
    tags: { purpose: 'dr' },
    priority: 2,
    retention: { keepLast: 7, monthly: 12 },
    ...over,
  });
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.plan;
}

const snapshot = (encrypted: boolean) => ({
  cluster: 'prod-a',
  snapshot: {
    arn: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:prod-a-2026-12-01-03-05',
    identifier: 'rds:prod-a-2026-12-01-03-05',
    createdAt: '2026-12-01T03:05:09.000Z',
    encrypted,
  },
});

describe('plan run IDs', () => {
  it('names a run snapcopy-plan-<name>-<yyyymmdd>-<hhmmss> (UTC) and reads it back', () => {
    expect(planRunWorkflowId('prod-dr', new Date('2026-12-02T03:00:00.400Z'))).toBe(
      'snapcopy-plan-prod-dr-20261202-030000',
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
        (name, t) => {
          const at = new Date(Math.floor(t / 1000) * 1000);
          expect(parsePlanRunWorkflowId(planRunWorkflowId(name, at))).toEqual({ name, at });
        },
      ),
    );
  });

  it('does not take a schedule trigger (Temporal’s RFC 3339 suffix) or another ID for a run', () => {
    expect(parsePlanRunWorkflowId('snapcopy-plan-prod-dr-2026-12-02T03:00:00Z')).toBeUndefined();
    expect(parsePlanRunWorkflowId('snapcopy-us-west-2-prod-a-20261202-030000')).toBeUndefined();
  });
});

describe('childInput', () => {
  it('copies the newest snapshot by ARN under a name from its creation time, with the plan’s tags and options', () => {
    const run = new PlanRun(plan());
    const input = childInput(run, snapshot(true), run.plan.destinations[0]!);
    expect(input).toEqual({
      SourceDBClusterSnapshotIdentifier: snapshot(true).snapshot.arn,
      TargetDBClusterSnapshotIdentifier: 'prod-a-20261201-030509',
      SourceRegion: 'us-east-1',
      TargetRegion: 'us-west-2',
      KmsKeyId: 'alias/dr',
      CopyTags: true,
      Tags: [{ Key: 'purpose', Value: 'dr' }],
      options: { priority: 2, retention: { keepLast: 7, monthly: 12 } },
    });
    // What the child checks first passes: the plan's rules and the copy's agree.
    expect(() => validateCopyInput(input)).not.toThrow();
  });

  it('passes source.roleArn and a destination’s roleArn on as SourceRoleArn / TargetRoleArn', () => {
    const sourceRole = 'arn:aws:iam::123456789012:role/snapcopy-source';
    const targetRole = 'arn:aws:iam::222222222222:role/snapcopy-target';
    const run = new PlanRun(
      plan({
        source: { region: 'us-east-1', clusters: ['prod-a'], roleArn: sourceRole },
        destinations: [
          { region: 'us-west-2', kmsKeyId: 'alias/dr', roleArn: targetRole },
          { region: 'eu-west-1' },
        ],
      }),
    );
    const across = childInput(run, snapshot(true), run.plan.destinations[0]!);
    expect(across).toMatchObject({ SourceRoleArn: sourceRole, TargetRoleArn: targetRole });
    expect(() => validateCopyInput(across)).not.toThrow();
    const home = childInput(run, snapshot(false), run.plan.destinations[1]!);
    expect(home.SourceRoleArn).toBe(sourceRole);
    expect(home.TargetRoleArn).toBeUndefined();
  });

  it('gives no key for an unencrypted source (a key with one is an error) nor where the plan has none', () => {
    const run = new PlanRun(plan());
    expect(childInput(run, snapshot(false), run.plan.destinations[0]!).KmsKeyId).toBeUndefined();
    expect(childInput(run, snapshot(true), run.plan.destinations[1]!).KmsKeyId).toBeUndefined();
  });
});

describe('formatPlanDetails', () => {
  it('is a markdown table of cluster × destination, escaping pipes in failures', () => {
    const text = formatPlanDetails({
      plan: 'prod-dr',
      phase: 'copying',
      rows: [
        {
          cluster: 'prod-a',
          destination: 'us-west-2',
          outcome: 'copied',
          target: 'prod-a-1',
          durationSeconds: 252,
          retired: [],
        },
        {
          cluster: 'prod-b',
          destination: 'us-west-2',
          outcome: 'failed',
          failureType: 'KMSKeyNotAccessibleFault',
          message: 'key a|b is Disabled',
          retired: [],
        },
        { cluster: 'prod-c', destination: 'us-west-2', outcome: 'copying', retired: [] },
      ],
    });
    expect(text.split('\n')).toEqual([
      '**copying** — plan prod-dr: 2 of 3 ended',
      '',
      '| cluster | destination | outcome | target | duration | failure |',
      '| --- | --- | --- | --- | --- | --- |',
      '| prod-a | us-west-2 | copied | prod-a-1 | 4m 12s |  |',
      '| prod-b | us-west-2 | failed |  |  | KMSKeyNotAccessibleFault: key a\\|b is Disabled |',
      '| prod-c | us-west-2 | copying |  |  |  |',
    ]);
  });
});
