// Shared fixtures for the activity tests: SDK-shaped errors, snapshots, and failure assertions.
import { type DBClusterSnapshot, RDSServiceException } from '@aws-sdk/client-rds';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import { createActivities, createAwsClients } from '../../src/activities';
import { OWNERSHIP_TAGS } from '../../src/shared/names';
import type { Tag } from '../../src/shared/types';

export const ACCOUNT = '123456789012';
export const SOURCE_REGION = 'us-east-1';
export const TARGET_REGION = 'us-west-2';
export const WORKFLOW_ID = 'snapcopy-us-west-2-copy1';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** Activities over real SDK clients (static credentials); tests stub `send` with aws-sdk-client-mock. */
export function activities(accountId?: string) {
  return createActivities(createAwsClients({ rds: { credentials }, kms: { credentials }, accountId }));
}

export const snapshotArn = (region: string, id: string, account = ACCOUNT) =>
  `arn:aws:rds:${region}:${account}:cluster-snapshot:${id}`;

export function snapshot(
  id: string,
  region: string,
  over: Partial<DBClusterSnapshot> = {},
): DBClusterSnapshot {
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterIdentifier: 'prod-cluster',
    DBClusterSnapshotArn: snapshotArn(region, id),
    SnapshotCreateTime: new Date('2024-05-01T10:00:00Z'),
    Engine: 'aurora-postgresql',
    AllocatedStorage: 10,
    Status: 'available',
    SnapshotType: 'manual',
    PercentProgress: 100,
    StorageEncrypted: false,
    TagList: [],
    ...over,
  };
}

export function ownedTags(workflowId = WORKFLOW_ID, sourceCluster = 'prod-cluster'): Tag[] {
  return [
    { Key: OWNERSHIP_TAGS.managed, Value: 'true' },
    { Key: OWNERSHIP_TAGS.sourceArn, Value: snapshotArn(SOURCE_REGION, 'src') },
    { Key: OWNERSHIP_TAGS.sourceCluster, Value: sourceCluster },
    { Key: OWNERSHIP_TAGS.workflowId, Value: workflowId },
  ];
}

/** An RDS error as the SDK deserialises it: `name` is the AWS code. */
export function rdsError(name: string, message: string, httpStatusCode = 400): RDSServiceException {
  return new RDSServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

export function kmsError(name: string, message: string, httpStatusCode = 400): KMSServiceException {
  return new KMSServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/** A Node socket error as the SDK's node-http-handler rethrows it. */
export function networkError(code: string, message = `connect ${code} 127.0.0.1:443`): Error {
  return Object.assign(new Error(message), { code });
}

/** Awaits the rejection and checks it is an ApplicationFailure of the given type and retryability. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: string,
  nonRetryable: boolean,
  ...messageParts: (string | RegExp)[]
): Promise<ApplicationFailure> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(nonRetryable);
  for (const part of messageParts) expect(failure.message).toMatch(part);
  return failure;
}
