// The plan run report through the real SDK and the emulator (moto's SNS and SQS): publishPlanReport reaches
// SNS by AWS_ENDPOINT_URL_SNS alone, the topic delivers to a subscribed queue, and what arrives there is the
// text, the Subject and the JSON attribute. The subscription is not raw, so the queue gets SNS's JSON
// envelope: it carries the Subject too, which raw delivery would drop.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../scripts/lib/emulator';
import { createActivities, createAwsClients, type AwsClients } from '../../src/activities';
import { PLAN_RUN_ATTRIBUTE, planRunSubject, renderPlanRunText } from '../../src/shared/plan-report';
import type { PlanRunResult } from '../../src/shared/plan-run';
import { expectFailure } from '../activities/helpers';

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** SNS's JSON envelope in the queue (no raw delivery). */
interface Envelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

const RESULT: PlanRunResult = {
  plan: 'prod-dr',
  workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
  startedAt: '2026-12-02T03:00:05.000Z',
  finishedAt: '2026-12-02T03:10:00.000Z',
  clusters: ['prod-a', 'prod-b'],
  destinations: ['us-west-2'],
  rows: [
    {
      cluster: 'prod-a',
      destination: 'us-west-2',
      outcome: 'copied',
      workflowId: 'snapcopy-us-west-2-prod-a-20261202-030000',
      target: 'prod-a-20261202-030000',
      durationSeconds: 252,
      retired: [],
    },
    {
      cluster: 'prod-b',
      destination: 'us-west-2',
      outcome: 'no-snapshot',
      message: 'prod-b has no available snapshot — nothing to copy',
      retired: [],
    },
  ],
  counts: {
    copied: 1,
    cancelled: 0,
    'already-present': 0,
    'already-running': 0,
    failed: 0,
    'no-snapshot': 1,
  },
  failed: true,
};

let emulator: Emulator;
let sqs: SQSClient;
let aws: AwsClients;
let topicArn: string;
let queueUrl: string;
const savedEndpoint = process.env.AWS_ENDPOINT_URL_SNS;

beforeAll(async () => {
  emulator = await startEmulator();
  process.env.AWS_ENDPOINT_URL_SNS = emulator.endpoint; // the activity's clients get no endpoint of their own
  aws = createAwsClients({ sns: { credentials } });

  const sns = new SNSClient({ endpoint: emulator.endpoint, region: REGION, credentials });
  sqs = new SQSClient({ endpoint: emulator.endpoint, region: REGION, credentials });
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'snapcopy-reports' }))).TopicArn ?? '';
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'snapcopy-reports' }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
  sns.destroy();
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SNS;
  else process.env.AWS_ENDPOINT_URL_SNS = savedEndpoint;
  aws?.destroy?.();
  sqs?.destroy();
  await emulator?.stop();
});

describe('publishPlanReport against the emulator', () => {
  it('delivers the text, the Subject and the JSON attribute to a subscribed queue', async () => {
    expect(topicArn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:snapcopy-reports$/);

    const { messageId } = await createActivities(aws).publishPlanReport({ topicArn, result: RESULT });

    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
    );
    expect(Messages).toHaveLength(1);
    const envelope = JSON.parse(Messages?.[0]?.Body ?? '') as Envelope;
    expect(envelope).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: topicArn });
    expect(envelope.Subject).toBe(planRunSubject(RESULT));
    expect(envelope.Message).toBe(renderPlanRunText(RESULT));
    expect(envelope.Message).toContain('prod-b   us-west-2    no-snapshot  -');
    expect(envelope.Message).toContain('prod-b has no available snapshot — nothing to copy');
    const attribute = envelope.MessageAttributes?.[PLAN_RUN_ATTRIBUTE];
    expect(attribute?.Type).toBe('String');
    expect(JSON.parse(attribute?.Value ?? '')).toEqual(RESULT);
  });

  it('a topic that does not exist fails without retries, naming it', async () => {
    const missing = topicArn.replace(/snapcopy-reports$/, 'no-such-topic');
    await expectFailure(
      createActivities(aws).publishPlanReport({ topicArn: missing, result: RESULT }),
      'NotFoundException',
      true,
      `SNS topic ${missing}`,
      'the topic does not exist',
    );
  });
});
