import {
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  KMSKeyNotAccessibleFault,
  SnapshotQuotaExceededFault,
} from '@aws-sdk/client-rds';
import { DisabledException, NotFoundException } from '@aws-sdk/client-kms';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, classifyQuotaMessage, toActivityFailure } from '../../src/activities/errors';
import type { QuotaFailureDetails } from '../../src/activities/types';
import { kmsError, networkError, rdsError } from './helpers';

const meta = { $metadata: { httpStatusCode: 400 } };

describe('classifyAwsError', () => {
  it.each<[string, unknown, string, boolean]>([
    [
      'AlreadyExists class',
      new DBClusterSnapshotAlreadyExistsFault({ message: 'x', ...meta }),
      'DBClusterSnapshotAlreadyExistsFault',
      false,
    ],
    [
      'NotFound class',
      new DBClusterSnapshotNotFoundFault({ message: 'x', ...meta }),
      'DBClusterSnapshotNotFoundFault',
      false,
    ],
    [
      'InvalidDBClusterState',
      new InvalidDBClusterStateFault({ message: 'x', ...meta }),
      'InvalidDBClusterStateFault',
      false,
    ],
    [
      'InvalidDBClusterSnapshotState',
      new InvalidDBClusterSnapshotStateFault({ message: 'x', ...meta }),
      'InvalidDBClusterSnapshotStateFault',
      false,
    ],
    [
      'SnapshotQuotaExceededFault class',
      new SnapshotQuotaExceededFault({ message: 'x', ...meta }),
      'SnapshotQuotaExceededFault',
      false,
    ],
    [
      'SnapshotQuotaExceeded wire code',
      rdsError('SnapshotQuotaExceeded', 'x'),
      'SnapshotQuotaExceededFault',
      false,
    ],
    [
      'KMSKeyNotAccessibleFault',
      new KMSKeyNotAccessibleFault({ message: 'x', ...meta }),
      'KMSKeyNotAccessibleFault',
      false,
    ],
    [
      'KMS NotFoundException',
      new NotFoundException({ message: 'x', ...meta }),
      'KMSKeyNotAccessibleFault',
      false,
    ],
    [
      'KMS DisabledException',
      new DisabledException({ message: 'x', ...meta }),
      'KMSKeyNotAccessibleFault',
      false,
    ],
    ['KMS AccessDeniedException', kmsError('AccessDeniedException', 'x'), 'KMSKeyNotAccessibleFault', false],
    ['InvalidParameterValue', rdsError('InvalidParameterValue', 'x'), 'InvalidParameterValue', false],
    [
      'InvalidParameterCombination',
      rdsError('InvalidParameterCombination', 'x'),
      'InvalidParameterCombination',
      false,
    ],
    ['RDS AccessDenied', rdsError('AccessDenied', 'x', 403), 'AccessDenied', false],
    ['Throttling (RDS, unmodelled)', rdsError('Throttling', 'Rate exceeded'), 'Throttling', true],
    ['ThrottlingException', kmsError('ThrottlingException', 'x'), 'Throttling', true],
    ['RequestLimitExceeded', rdsError('RequestLimitExceeded', 'x'), 'Throttling', true],
    ['TooManyRequestsException', rdsError('TooManyRequestsException', 'x'), 'Throttling', true],
    ['HTTP 429', rdsError('SomethingElse', 'x', 429), 'Throttling', true],
    [
      'SDK $retryable.throttling',
      Object.assign(rdsError('Odd', 'x'), { $retryable: { throttling: true } }),
      'Throttling',
      true,
    ],
    ['HTTP 500', rdsError('InternalFailure', 'x', 500), 'AwsServerError', true],
    ['HTTP 503', rdsError('ServiceUnavailable', 'x', 503), 'AwsServerError', true],
    ['$fault server', Object.assign(rdsError('Weird', 'x'), { $fault: 'server' }), 'AwsServerError', true],
    ['KMSInternalException', kmsError('KMSInternalException', 'x', 500), 'AwsServerError', true],
    ['ECONNRESET', networkError('ECONNRESET'), 'NetworkError', true],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'NetworkError', true],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'NetworkError', true],
    ['EPIPE', networkError('EPIPE'), 'NetworkError', true],
    [
      'TimeoutError',
      Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
      'NetworkError',
      true,
    ],
    ['socket hang up', new Error('socket hang up'), 'NetworkError', true],
    ['AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'AbortError', false],
    ['unknown AWS code', rdsError('DBClusterNotFoundFault', 'x'), 'DBClusterNotFoundFault', true],
    ['plain Error', new TypeError('boom'), 'TypeError', true],
    ['non-error value', 'just a string', 'Error', true],
  ])('%s', (_label, err, type, retryable) => {
    const c = classifyAwsError(err);
    expect(c.type).toBe(type);
    expect(c.retryable).toBe(retryable);
  });

  it('keeps AWS message', () => {
    expect(classifyAwsError(rdsError('Throttling', 'Rate exceeded')).message).toBe('Rate exceeded');
  });
});

describe('classifyQuotaMessage', () => {
  it.each<[string, QuotaFailureDetails['reason']]>([
    ['Cannot copy more than 5 snapshots across regions', 'copies-in-flight'],
    ['Cannot copy more than 5 snapshots across regions.', 'copies-in-flight'],
    ['You have reached the maximum number of snapshot copies in progress', 'copies-in-flight'],
    ['Too many concurrent snapshot copies', 'copies-in-flight'],
    ['The number of copies in flight to this Region is at its limit', 'copies-in-flight'],
    ['Cannot create more than 100 manual snapshots', 'manual-snapshot-quota'],
    [
      'The request cannot be processed because it would exceed the maximum number of snapshots.',
      'manual-snapshot-quota',
    ],
    ['Snapshot quota exceeded', 'manual-snapshot-quota'],
    ['', 'manual-snapshot-quota'],
  ])('%j → %s', (message, reason) => {
    expect(classifyQuotaMessage(message)).toBe(reason);
  });
});

describe('toActivityFailure', () => {
  it('prefixes the context, keeps the AWS message and names a mapped code', () => {
    const f = toActivityFailure(
      kmsError('NotFoundException', 'Alias alias/x is not found.'),
      'Resolving key',
    );
    expect(f).toBeInstanceOf(ApplicationFailure);
    const af = f as ApplicationFailure;
    expect(af.type).toBe('KMSKeyNotAccessibleFault');
    expect(af.nonRetryable).toBe(true);
    expect(af.message).toBe('Resolving key: Alias alias/x is not found. [NotFoundException]');
  });

  it('attaches quota details', () => {
    const af = toActivityFailure(
      rdsError('SnapshotQuotaExceeded', 'Cannot copy more than 5 snapshots across regions'),
      'Copying',
    ) as ApplicationFailure;
    expect(af.type).toBe('SnapshotQuotaExceededFault');
    expect(af.details).toEqual([{ reason: 'copies-in-flight' }]);
  });

  it('passes ApplicationFailure and AbortError through unchanged', () => {
    const app = ApplicationFailure.nonRetryable('no', 'X');
    expect(toActivityFailure(app, 'ctx')).toBe(app);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toActivityFailure(abort, 'ctx')).toBe(abort);
  });

  it('makes throttling retryable', () => {
    const af = toActivityFailure(rdsError('Throttling', 'Rate exceeded'), 'Describing') as ApplicationFailure;
    expect(af.type).toBe('Throttling');
    expect(af.nonRetryable).toBe(false);
  });
});
