// publishPlanReport: what it sends SNS (topic, Subject, the text, the JSON attribute), in which Region, and
// how SNS's answers become retryable or non-retryable failures.
import {
  AuthorizationErrorException,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActivities, createAwsClients } from '../../src/activities';
import { FailureType } from '../../src/shared/names';
import { PLAN_RUN_ATTRIBUTE, planRunSubject } from '../../src/shared/plan-report';
import type { PlanRunResult } from '../../src/shared/plan-run';
import { expectFailure } from './helpers';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:snapcopy';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const activities = () => createActivities(createAwsClients({ sns: { credentials } }));

const RESULT: PlanRunResult = {
  plan: 'prod-dr',
  workflowId: 'snapcopy-plan-prod-dr-20261202-030000',
  startedAt: '2026-12-02T03:00:05.000Z',
  finishedAt: '2026-12-02T03:10:00.000Z',
  clusters: ['prod-a'],
  destinations: ['us-west-2', 'eu-west-1'],
  rows: [
    {
      cluster: 'prod-a',
      destination: 'us-west-2',
      outcome: 'copied',
      workflowId: 'snapcopy-us-west-2-prod-a-20261202-030000',
      target: 'prod-a-20261202-030000',
      durationSeconds: 252,
      retired: ['prod-a-20261101-030000'],
    },
    {
      cluster: 'prod-a',
      destination: 'eu-west-1',
      outcome: 'failed',
      workflowId: 'snapcopy-eu-west-1-prod-a-20261202-030000',
      durationSeconds: 4,
      failureType: 'KMSKeyNotAccessibleFault',
      message: 'Key alias/dr is disabled.',
      retired: [],
    },
  ],
  counts: {
    copied: 1,
    cancelled: 0,
    'already-present': 0,
    'already-running': 0,
    failed: 1,
    'no-snapshot': 0,
  },
  failed: true,
};

describe('publishPlanReport', () => {
  it('publishes the text with Subject and the run as a JSON attribute, in the topic’s Region', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await expect(activities().publishPlanReport({ topicArn: TOPIC, result: RESULT })).resolves.toEqual({
      messageId: 'm-1',
    });

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe(planRunSubject(RESULT));
    expect(input.Subject).toBe('snapcopy plan prod-dr FAILED: 1 failed, 1 copied');
    expect(input.Message).toContain('snapcopy plan prod-dr: FAILED - 1 copied, 1 failed');
    expect(input.Message).toContain(
      [
        'CLUSTER  DESTINATION  OUTCOME  TARGET                  DURATION  RETIRED  FAILURE',
        'prod-a   us-west-2    copied   prod-a-20261202-030000  4m12s     1',
        'prod-a   eu-west-1    failed   -                       4s        0        KMSKeyNotAccessibleFault: Key alias/dr is disabled.',
      ].join('\n'),
    );
    const attribute = input.MessageAttributes?.[PLAN_RUN_ATTRIBUTE];
    expect(attribute?.DataType).toBe('String');
    expect(JSON.parse(attribute?.StringValue ?? '')).toEqual(RESULT);
    expect(await (calls[0]!.thisValue as SNSClient).config.region()).toBe('eu-west-1');
  });

  it('throttling is retryable', async () => {
    sns.on(PublishCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
    await expectFailure(
      activities().publishPlanReport({ topicArn: TOPIC, result: RESULT }),
      'Throttling',
      false,
      TOPIC,
      'Rate exceeded',
    );
  });

  it('a missing topic is non-retryable and names the topic (not a KMS key, despite the shared name)', async () => {
    sns.on(PublishCommand).rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: {} }));
    const failure = await expectFailure(
      activities().publishPlanReport({ topicArn: TOPIC, result: RESULT }),
      'NotFoundException',
      true,
      `SNS topic ${TOPIC}`,
      'the topic does not exist',
      'Topic does not exist',
    );
    expect(failure.type).not.toBe(FailureType.KmsKeyNotAccessible);
  });

  it.each([
    [new AuthorizationErrorException({ message: 'not authorized', $metadata: {} }), 'sns:Publish'],
    [new InvalidParameterException({ message: 'Invalid parameter: Subject', $metadata: {} }), 'invalid'],
  ])('%s is non-retryable and names the topic', async (err, hint) => {
    sns.on(PublishCommand).rejects(err);
    await expectFailure(
      activities().publishPlanReport({ topicArn: TOPIC, result: RESULT }),
      err.name,
      true,
      TOPIC,
      hint,
      err.message,
    );
  });

  it('refuses a topic ARN it cannot take a Region from, before any call', async () => {
    for (const topicArn of [
      'snapcopy',
      'arn:aws:sqs:us-east-1:123456789012:q',
      'arn:aws:sns::123456789012:t',
    ]) {
      await expectFailure(
        activities().publishPlanReport({ topicArn, result: RESULT }),
        FailureType.InvalidParameterValue,
        true,
        topicArn,
      );
    }
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
