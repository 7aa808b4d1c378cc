// Tell a plan's SNS topic how a run went (the plan's `notify`): one message, the text report as the body and
// the run as JSON in the `snapcopy-plan-run` message attribute, for subscribers that filter or parse.
import { PublishCommand } from '@aws-sdk/client-sns';
import { ApplicationFailure } from '@temporalio/common';
import { isRegionName, parseArn } from '../shared/arn';
import { FailureType } from '../shared/names';
import { PLAN_RUN_ATTRIBUTE, PLAN_RUN_ATTRIBUTE_TYPE, planRunReport } from '../shared/plan-report';
import { sendOptions, type AwsClients } from './clients';
import { ActivityFailureType, fault, toActivityFailure } from './errors';
import type { PublishPlanReportInput, PublishPlanReportResult } from './types';

/**
 * SNS answers that waiting will not change, with what to check. They are caught before toActivityFailure,
 * whose table reads KMS's names (NotFoundException, AccessDeniedException mean a KMS key there). The SDK's
 * class names and, in case an answer is not mapped to a class, the wire codes.
 */
const NOT_FOUND = 'the topic does not exist (check notify.snsTopicArn: its name, Region and account)';
const NOT_ALLOWED = "this worker's credentials may not sns:Publish to the topic (IAM policy or topic policy)";
const INVALID = 'SNS refused the request as invalid';
const KEY = "the topic's KMS key cannot be used (SNS needs kms:GenerateDataKey* and kms:Decrypt on it)";
const SNS_FAULTS: Readonly<Record<string, string>> = {
  NotFoundException: NOT_FOUND,
  NotFound: NOT_FOUND,
  AuthorizationErrorException: NOT_ALLOWED,
  AuthorizationError: NOT_ALLOWED,
  AccessDenied: NOT_ALLOWED,
  AccessDeniedException: NOT_ALLOWED,
  InvalidParameterException: INVALID,
  InvalidParameter: INVALID,
  InvalidParameterValueException: INVALID,
  ParameterValueInvalid: INVALID,
  KMSAccessDeniedException: KEY,
  KMSDisabledException: KEY,
  KMSInvalidStateException: KEY,
  KMSNotFoundException: KEY,
  KMSOptInRequired: KEY,
};

function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

function toPublishFailure(err: unknown, topicArn: string, context: string): Error {
  const name = errorName(err);
  const hint = name === undefined ? undefined : SNS_FAULTS[name];
  if (hint === undefined || name === undefined) return toActivityFailure(err, context); // throttling: retryable
  const awsMessage = err instanceof Error && err.message !== '' ? `: ${err.message}` : '';
  return ApplicationFailure.create({
    type: name,
    message: `${context}: ${hint}${awsMessage} [${name}]`,
    nonRetryable: true,
    details: [{ topicArn }],
    cause: err instanceof Error ? err : undefined,
  });
}

/** The topic's Region, or a non-retryable InvalidParameterValue naming the ARN. */
function topicRegion(topicArn: string): string {
  const arn = parseArn(topicArn);
  if (arn?.service !== 'sns' || !isRegionName(arn.region)) {
    throw fault(
      FailureType.InvalidParameterValue,
      `notify.snsTopicArn "${topicArn}" is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>)`,
    );
  }
  return arn.region;
}

/**
 * Publishes the report of one plan run to the topic, in the topic's Region. Not idempotent: a retry after a
 * Publish that succeeded but whose answer was lost sends the message twice (SNS standard topics have no
 * deduplication), which is better than a run that fails silently.
 */
export async function publishPlanReport(
  clients: AwsClients,
  input: PublishPlanReportInput,
): Promise<PublishPlanReportResult> {
  const { topicArn, result } = input;
  const region = topicRegion(topicArn);
  const report = planRunReport(result);
  const context = `Publishing the report of plan run ${result.workflowId} to SNS topic ${topicArn}`;
  let messageId: string | undefined;
  try {
    const out = await clients.sns(region).send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: report.subject,
        Message: report.text,
        MessageAttributes: {
          [PLAN_RUN_ATTRIBUTE]: { DataType: PLAN_RUN_ATTRIBUTE_TYPE, StringValue: report.attribute },
        },
      }),
      sendOptions(),
    );
    messageId = out.MessageId;
  } catch (err) {
    throw toPublishFailure(err, topicArn, context);
  }
  if (!messageId) {
    throw ApplicationFailure.create({
      type: ActivityFailureType.IncompleteResponse,
      message: `${context}: SNS answered without a MessageId`,
    });
  }
  return { messageId };
}

export interface PublishRpoTurnInput {
  topicArn: string;
  subject: string;
  text: string;
}

/** Publishes one RPO audit's turn (rows that turned breach or missing, or recovered) to the plan's topic. */
export async function publishRpoTurn(
  clients: AwsClients,
  input: PublishRpoTurnInput,
): Promise<PublishPlanReportResult> {
  const context = `Publishing an RPO audit's turn to SNS topic ${input.topicArn}`;
  try {
    const out = await clients
      .sns(topicRegion(input.topicArn))
      .send(
        new PublishCommand({ TopicArn: input.topicArn, Subject: input.subject, Message: input.text }),
        sendOptions(),
      );
    if (!out.MessageId) {
      throw ApplicationFailure.create({
        type: ActivityFailureType.IncompleteResponse,
        message: `${context}: SNS answered without a MessageId`,
      });
    }
    return { messageId: out.MessageId };
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw toPublishFailure(err, input.topicArn, context);
  }
}
