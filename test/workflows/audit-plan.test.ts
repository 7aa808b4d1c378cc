// The auditPlan workflow (the RPO audit) on the time-skipping server over the in-memory AWS: rows across a
// plan's life (missing → ok → breach), one SNS message per turn (never one per audit), a cluster added to the
// tag selection missing at once, and an AWS outage ridden out without flapping.
import { describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AuditResult } from '../../src/shared/rpo-audit';
import { auditPlan } from '../../src/workflows';
import { ACCOUNT, FakeAws } from '../helpers/fake-aws';
import { withFakeAwsWorker } from '../helpers/fake-aws-worker';
import { timeSkippingEnvPerTest } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
timeSkippingEnvPerTest((e) => (env = e));

const SOURCE = 'us-east-1';
const DESTINATIONS = ['us-west-2', 'eu-west-1'];
const HOUR = 3600_000;
const TOPIC = `arn:aws:sns:${SOURCE}:${ACCOUNT}:snapcopy`;

const PLAN = {
  name: 'prod-dr',
  schedule: { cron: '0 3 * * *' },
  source: { region: SOURCE, tags: { backup: 'dr' } },
  destinations: DESTINATIONS.map((region) => ({ region })),
  rpo: '26h',
  notify: { snsTopicArn: TOPIC },
};

describe('auditPlan', () => {
  it('missing → ok → breach across a plan life, told once per turn; an outage does not flap', async () => {
    const aws = new FakeAws(() => env.currentTimeMs());
    for (const c of ['prod-a', 'prod-b']) aws.addCluster(SOURCE, c, { backup: 'dr' });
    await withFakeAwsWorker(env, aws, { regions: DESTINATIONS }, async (taskQueue) => {
      let n = 0;
      // One audit, as the schedule starts it; its result is what the next audit compares with.
      const audit = async (): Promise<AuditResult> => {
        const result = await env.client.workflow.execute(auditPlan, {
          taskQueue,
          workflowId: `snapcopy-rpo-prod-dr-${++n}`,
          args: [{ plan: PLAN, origin: 'prod-dr.yaml' }],
        });
        aws.restores.audits.push(result);
        return result;
      };
      const status = (r: AuditResult) => r.rows.map((row) => `${row.cluster}/${row.region}:${row.status}`);

      // Before any copy: every row is missing, which is a turn — told once.
      const first = await audit();
      expect(status(first)).toEqual([
        'prod-a/us-west-2:missing',
        'prod-b/us-west-2:missing',
        'prod-a/eu-west-1:missing',
        'prod-b/eu-west-1:missing',
      ]);
      expect(first.turned.bad).toHaveLength(4);
      expect(aws.rpoTurns).toHaveLength(1);
      expect(aws.rpoTurns[0]?.subject).toBe('snapcopy RPO prod-dr: 4 breach or missing');
      expect(aws.rpoTurns[0]?.text).toContain('- prod-a -> us-west-2: missing, no available copy (RPO 26h)');
      // Still missing: no second message.
      await audit();
      expect(aws.rpoTurns).toHaveLength(1);

      // Copies made (their recovery point an hour ago): every row recovers — one message.
      const now = await env.currentTimeMs();
      for (const region of DESTINATIONS) {
        for (const c of ['prod-a', 'prod-b']) aws.addOwnedCopy(region, `${c}-copy`, c, now - HOUR);
      }
      const ok = await audit();
      expect(status(ok).every((s) => s.endsWith(':ok'))).toBe(true);
      expect(ok.turned.recovered).toHaveLength(4);
      expect(aws.rpoTurns).toHaveLength(2);
      expect(aws.rpoTurns[1]?.subject).toBe('snapcopy RPO prod-dr: 4 recovered');

      // eu-west-1 cannot be listed: its rows keep their last state (no turn, no message), and it is said.
      aws.listingOutage.add('eu-west-1');
      const outage = await audit();
      expect(status(outage).every((s) => s.endsWith(':ok'))).toBe(true);
      expect(outage.rows.filter((r) => r.unknown).map((r) => r.region)).toEqual(['eu-west-1', 'eu-west-1']);
      expect(outage.unreachable.map((u) => u.destination)).toEqual(['eu-west-1/self']);
      expect(aws.rpoTurns).toHaveLength(2);

      // A day and a half later no newer copy came: us-west-2 breaches (told once); eu-west-1, still not
      // listable, does not flap either way.
      await env.sleep(36 * HOUR);
      const late = await audit();
      expect(status(late)).toEqual([
        'prod-a/us-west-2:breach',
        'prod-b/us-west-2:breach',
        'prod-a/eu-west-1:ok',
        'prod-b/eu-west-1:ok',
      ]);
      expect(late.turned.bad.map((r) => r.region)).toEqual(['us-west-2', 'us-west-2']);
      expect(aws.rpoTurns).toHaveLength(3);
      expect(aws.rpoTurns[2]?.text).toMatch(
        /- prod-a -> us-west-2: breach, newest copy prod-a-copy .* \(1d1\dh\S* old, RPO 26h\)/,
      );

      // The outage ends: eu-west-1's breach is seen now, as its own turn.
      aws.listingOutage.delete('eu-west-1');
      const after = await audit();
      expect(after.turned.bad.map((r) => r.region)).toEqual(['eu-west-1', 'eu-west-1']);
      expect(aws.rpoTurns).toHaveLength(4);

      // A cluster tagged into the selection is missing at once, everywhere.
      aws.addCluster(SOURCE, 'prod-new', { backup: 'dr' });
      const added = await audit();
      expect(added.turned.bad.map((r) => `${r.cluster}/${r.region}:${r.status}`)).toEqual([
        'prod-new/us-west-2:missing',
        'prod-new/eu-west-1:missing',
      ]);
      expect(aws.rpoTurns).toHaveLength(5);
    });
  });
});
