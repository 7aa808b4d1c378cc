// End to end: a plan file through the CLI on the local stack (Temporal dev server, real worker, the AWS
// emulator): validate --aws, apply, run --wait (tag selection: 3 clusters, 2 tagged, to two Regions), a second
// run whose retention retires the first run's copies, and status showing both runs and what was retired.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PLAN_RUN_ATTRIBUTE } from '../../src/shared/plan-report';
import type { PlanRunResult } from '../../src/shared/plan-run';
import { createKey } from '../helpers/aws-fixtures';
import { cliEnv, errorLines, eventually, json, runInProcess } from '../helpers/cli';
import { CREDENTIALS, startLocalStack, type LocalStack } from '../helpers/local-stack';

let stack: LocalStack;
let file: string;
const SOURCE = 'us-east-1';
const DESTINATIONS = ['us-west-2', 'eu-west-1'];
const TAGGED = ['plan-e2e-a', 'plan-e2e-b'];

async function snapshot(cluster: string, id: string): Promise<void> {
  await stack
    .rds(SOURCE)
    .send(
      new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: cluster, DBClusterSnapshotIdentifier: id }),
    );
}

/** The manual snapshots in a destination, by name. */
async function copiesIn(region: string): Promise<string[]> {
  const out = await stack.rds(region).send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
  return (out.DBClusterSnapshots ?? []).map((s) => s.DBClusterSnapshotIdentifier ?? '').sort();
}

beforeAll(async () => {
  stack = await startLocalStack({ copySeconds: 1 });
  Object.assign(process.env, cliEnv(stack));
  await createKey(stack.kms('us-west-2'), 'alias/plan-e2e');
  for (const [cluster, tags] of [
    ['plan-e2e-a', [{ Key: 'backup', Value: 'dr' }]],
    [
      'plan-e2e-b',
      [
        { Key: 'backup', Value: 'dr' },
        { Key: 'team', Value: 'x' },
      ],
    ],
    ['plan-e2e-c', [{ Key: 'backup', Value: 'none' }]],
  ] as const) {
    await stack.rds(SOURCE).send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: cluster,
        Engine: 'aurora-postgresql',
        MasterUsername: 'snapcopy',
        MasterUserPassword: 'snapcopy-password-1',
        Tags: [...tags],
      }),
    );
    await snapshot(cluster, `${cluster}-first`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'snapcopy-plan-e2e-'));
  file = path.join(dir, 'prod-dr.yaml');
  writeFileSync(
    file,
    `name: prod-dr
schedule: { cron: "0 3 * * *" }
source:
  region: ${SOURCE}
  tags: { backup: dr }
destinations:
  - region: us-west-2
    kmsKeyId: alias/plan-e2e
  - region: eu-west-1
tags: { purpose: dr }
retention: { keepLast: 1 }
`,
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('plan end to end', () => {
  let firstTargets: string[] = [];

  it('validate --aws: the tags select 2 clusters, the key resolves; an unknown cluster or key is FILE:LINE: path', async () => {
    const r = await runInProcess(['plan', 'validate', '--aws', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('tags backup=dr select 2 clusters (plan-e2e-a, plan-e2e-b)');
    expect(r.stdout).toContain('alias/plan-e2e in us-west-2 is key');
    expect(r.stdout).not.toContain('not checked without AWS');

    const bad = path.join(path.dirname(file), 'bad.yaml');
    writeFileSync(
      bad,
      `name: bad
schedule: { every: 6h }
source:
  region: ${SOURCE}
  clusters: [plan-e2e-a, no-such-cluster]
  tags: { backup: nobody }
destinations:
  - region: us-west-2
    kmsKeyId: alias/no-such-key
`,
    );
    const b = await runInProcess(['plan', 'validate', '--aws', bad]);
    expect(b.code).toBe(2);
    expect(b.stdout).toContain(
      `${bad}:5: source.clusters[1]: cluster no-such-cluster does not exist in ${SOURCE}`,
    );
    expect(b.stdout).toContain(
      `${bad}:6: source.tags: no DB cluster in ${SOURCE} carries all of these tags (backup=nobody)`,
    );
    expect(b.stdout).toMatch(
      new RegExp(
        `${bad}:9: destinations\\[0\\]\\.kmsKeyId: KMS key 'alias/no-such-key' in us-west-2 cannot encrypt the copy: not found`,
      ),
    );
  });

  it('apply, then run prod-dr --wait copies only the tagged clusters to both Regions', async () => {
    const applied = await runInProcess(['plan', 'apply', file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('created schedule snapcopy-plan-prod-dr');

    const r = await runInProcess(['plan', 'run', 'prod-dr', '--wait', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ workflowId: string; status: string; result: PlanRunResult }>(r);
    expect(out.workflowId).toMatch(/^snapcopy-plan-prod-dr-\d{8}-\d{6}$/);
    expect(out.status).toBe('Completed');
    expect(out.result.clusters).toEqual(TAGGED);
    expect(out.result.rows.map((row) => [row.cluster, row.destination, row.outcome])).toEqual(
      TAGGED.flatMap((c) => DESTINATIONS.map((d) => [c, d, 'copied'])),
    );
    firstTargets = [...new Set(out.result.rows.map((row) => row.target!))].sort();
    expect(firstTargets).toHaveLength(2);
    for (const region of DESTINATIONS) {
      const there = await copiesIn(region);
      expect(there).toEqual(firstTargets);
      expect(there.some((id) => id.startsWith('plan-e2e-c'))).toBe(false);
    }
  });

  it('a second run with keepLast 1 copies the newer snapshots and retires exactly the first copies', async () => {
    for (const cluster of TAGGED) await snapshot(cluster, `${cluster}-second`);
    const r = await runInProcess(['plan', 'run', 'prod-dr', '--wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^snapcopy plan prod-dr: ok - 4 copied$/m);
    for (const region of DESTINATIONS) {
      const there = await copiesIn(region);
      expect(there).toHaveLength(2);
      expect(there.filter((id) => firstTargets.includes(id))).toEqual([]);
    }

    const status = await runInProcess(['plan', 'status', 'prod-dr', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = json<{
      schedule: { scheduleId: string; spec: string };
      runs: { workflowId: string; status: string; result: PlanRunResult }[];
    }>(status);
    expect(s.schedule).toMatchObject({ scheduleId: 'snapcopy-plan-prod-dr', spec: 'cron "0 3 * * *" UTC' });
    expect(s.runs.map((run) => run.status)).toEqual(['Completed', 'Completed']);
    const [second, first] = s.runs;
    expect(first!.result.rows.every((row) => row.retired.length === 0)).toBe(true);
    expect(
      second!.result.rows
        .map((row) => row.retired)
        .flat()
        .sort(),
    ).toEqual([...firstTargets, ...firstTargets].sort());
    const text = await runInProcess(['plan', 'status', 'prod-dr']);
    expect(text.stdout).toContain(`run ${second!.workflowId}: Completed`);
    expect(text.stdout).toMatch(
      new RegExp(`plan-e2e-a\\s+us-west-2\\s+copied\\s+\\S+\\s+\\S+\\s+${firstTargets[0]}`),
    );

    const list = await runInProcess(['plan', 'list']);
    expect(list.stdout).toMatch(new RegExp(`prod-dr\\s+active.*Completed\\s+${second!.workflowId}`));
  });

  it('a scheduled run (trigger) runs as snapcopy-plan-<name>-<stamp>; the trigger workflow is not listed', async () => {
    await stack.env.client.schedule.getHandle('snapcopy-plan-prod-dr').trigger();
    const runs = await eventually(
      'the triggered run to complete',
      async () => {
        const r = json<{ runs: { workflowId: string; status: string; result?: PlanRunResult }[] }>(
          await runInProcess(['plan', 'status', 'prod-dr', '--json', '--runs', '10']),
        );
        return r.runs.length === 3 && r.runs[0]?.status === 'Completed' ? r.runs : undefined;
      },
      60_000,
    );
    expect(runs.every((run) => /^snapcopy-plan-prod-dr-\d{8}-\d{6}$/.test(run.workflowId))).toBe(true);
    // The newest snapshots were copied by the second run: nothing to copy again.
    expect(runs[0]!.result!.rows.map((row) => row.outcome)).toEqual(Array(4).fill('already-present'));
  });

  it('a run that cannot copy everything: the table, exit 1, one SNS report, and status shows it Failed with its table', async () => {
    // The report's way to someone: an SNS topic with an SQS queue subscribed, in the emulator.
    const aws = { endpoint: stack.emulator.endpoint, region: SOURCE, credentials: CREDENTIALS };
    const sns = new SNSClient(aws);
    const sqs = new SQSClient(aws);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'plan-e2e' }))).TopicArn!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'plan-e2e' }))).QueueUrl!;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
    );
    const empty = path.join(path.dirname(file), 'empty.yaml');
    writeFileSync(
      empty,
      `name: empty-dr\nschedule: { every: 1d }\nsource: { region: ${SOURCE}, clusters: [plan-e2e-gone] }\n` +
        `destinations: [{ region: us-west-2 }]\nnotify: { snsTopicArn: "${topicArn}" }\n`,
    );
    const r = await runInProcess(['plan', 'run', empty, '--wait']);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
    );
    expect(Messages).toHaveLength(1);
    const envelope = JSON.parse(Messages![0]!.Body!) as {
      Subject: string;
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    expect(envelope.Message).toContain('snapcopy plan empty-dr: FAILED - 1 no snapshot');
    const reported = JSON.parse(envelope.MessageAttributes[PLAN_RUN_ATTRIBUTE]!.Value) as PlanRunResult;
    expect(reported.rows.map((row) => [row.cluster, row.outcome])).toEqual([
      ['plan-e2e-gone', 'no-snapshot'],
    ]);
    sns.destroy();
    sqs.destroy();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('snapcopy plan empty-dr: FAILED - 1 no snapshot');
    expect(errorLines(r).at(-1)).toMatch(
      /^snapcopy: plan run snapcopy-plan-empty-dr-\d{8}-\d{6} failed: PlanRunFailed: plan empty-dr: 1 of 1 copies not made/,
    );
    const status = await runInProcess(['plan', 'status', 'empty-dr']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('schedule  none (no schedule snapcopy-plan-empty-dr');
    expect(status.stdout).toMatch(
      /plan-e2e-gone\s+us-west-2\s+no-snapshot\s+-\s+-\s+-\s+cluster plan-e2e-gone does not exist/,
    );
  });

  it('run of an unknown plan name: one line, exit 1', async () => {
    const r = await runInProcess(['plan', 'run', 'nope']);
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
  });
});
