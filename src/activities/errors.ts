// The one place that turns AWS SDK errors into Temporal ApplicationFailures (retryable or not).
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, SNAPSHOT_HELD, SNAPSHOT_NOT_OWNED } from '../shared/names';
import type { QuotaFailureDetails } from './types';

/** Failure types the activities raise besides the API's exception names (FailureType). */
export const ActivityFailureType = {
  /** Deletion refused: the snapshot lacks snapcopy's ownership tag (or belongs to another workflow). */
  NotOwned: SNAPSHOT_NOT_OWNED,
  /** Deletion refused: the snapshot is on hold (snapcopy:hold); details[0] is `{ identifier, hold }`. */
  Held: SNAPSHOT_HELD,
  /** Retryable: AWS asked us to slow down. */
  Throttling: 'Throttling',
  /** Retryable: HTTP 5xx / server fault. */
  ServerError: 'AwsServerError',
  /** Retryable: connection reset, refused, timed out... */
  NetworkError: 'NetworkError',
  /** Non-retryable: IAM denied the RDS call; waiting will not grant the permission. */
  AccessDenied: 'AccessDenied',
  /**
   * Retryable: DeleteDBClusterSnapshot met InvalidDBClusterSnapshotStateFault (snapshot transitioning).
   * Deliberately not the API's exception name, which is in NON_RETRYABLE_FAILURE_TYPES and would stop the retries.
   */
  SnapshotBusy: 'SnapshotStateTransition',
  /** Retryable: the target appeared and vanished between CopyDBClusterSnapshot and the describe. */
  TargetRace: 'TargetSnapshotRace',
  /** Retryable: AWS answered without a field the activity needs. */
  IncompleteResponse: 'AwsIncompleteResponse',
} as const;

export interface AwsErrorClassification {
  /** ApplicationFailure type: a FailureType (API exception name), an ActivityFailureType, or the error's own name. */
  type: string;
  retryable: boolean;
  /** AWS's message, unchanged. */
  message: string;
}

/** AWS codes (SDK v3 error `name`) that map onto an API exception name; none of them is fixed by retrying. */
const KNOWN_FAULTS: Readonly<Record<string, FailureType>> = {
  DBClusterSnapshotAlreadyExistsFault: FailureType.AlreadyExists,
  DBClusterSnapshotNotFoundFault: FailureType.NotFound,
  InvalidDBClusterStateFault: FailureType.InvalidClusterState,
  InvalidDBClusterSnapshotStateFault: FailureType.InvalidSnapshotState,
  // Wire code `SnapshotQuotaExceeded`; @aws-sdk/client-rds names the class (and `name`) SnapshotQuotaExceededFault.
  SnapshotQuotaExceeded: FailureType.QuotaExceeded,
  SnapshotQuotaExceededFault: FailureType.QuotaExceeded,
  KMSKeyNotAccessibleFault: FailureType.KmsKeyNotAccessible,
  // KMS's own answers about a key (only the KMS client is used, so these names are unambiguous here).
  NotFoundException: FailureType.KmsKeyNotAccessible,
  DisabledException: FailureType.KmsKeyNotAccessible,
  AccessDeniedException: FailureType.KmsKeyNotAccessible,
  KMSInvalidStateException: FailureType.KmsKeyNotAccessible,
  InvalidArnException: FailureType.KmsKeyNotAccessible,
  KeyUnavailableException: FailureType.KmsKeyNotAccessible,
  InvalidKeyUsageException: FailureType.KmsKeyNotAccessible,
  InvalidParameterValue: FailureType.InvalidParameterValue,
  InvalidParameterValueException: FailureType.InvalidParameterValue,
  InvalidParameterCombination: FailureType.InvalidParameterCombination,
};

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const NETWORK_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);

interface ErrorFields {
  name: string;
  message: string;
  code?: string;
  httpStatus?: number;
  fault?: string;
  sdkThrottling: boolean;
}

function readFields(err: unknown): ErrorFields {
  if (typeof err !== 'object' || err === null) {
    return { name: 'Error', message: String(err), sdkThrottling: false };
  }
  const o = err as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const meta = o.$metadata as { httpStatusCode?: unknown } | undefined;
  const retryable = o.$retryable as { throttling?: unknown } | undefined;
  const httpStatus = typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
  return {
    name: str(o.name) ?? str(o.Code) ?? 'Error',
    message: str(o.message) ?? str(o.Message) ?? '',
    code: str(o.code) ?? str(o.errno),
    httpStatus,
    fault: str(o.$fault),
    sdkThrottling: retryable?.throttling === true,
  };
}

export function isAbortError(err: unknown): boolean {
  return readFields(err).name === 'AbortError';
}

/** Pure classification of an error thrown by an AWS SDK v3 call. */
export function classifyAwsError(err: unknown): AwsErrorClassification {
  const f = readFields(err);
  const message = f.message || f.name;
  if (f.name === 'AbortError') return { type: 'AbortError', retryable: false, message };

  const known = KNOWN_FAULTS[f.name];
  if (known) return { type: known, retryable: false, message };
  if (f.name === 'AccessDenied') return { type: ActivityFailureType.AccessDenied, retryable: false, message };

  if (THROTTLING_NAMES.has(f.name) || f.httpStatus === 429 || f.sdkThrottling) {
    return { type: ActivityFailureType.Throttling, retryable: true, message };
  }
  if (
    (f.code !== undefined && NETWORK_CODES.has(f.code)) ||
    NETWORK_CODES.has(f.name) ||
    NETWORK_NAMES.has(f.name) ||
    /socket hang up/i.test(f.message)
  ) {
    return { type: ActivityFailureType.NetworkError, retryable: true, message };
  }
  if ((f.httpStatus !== undefined && f.httpStatus >= 500) || f.fault === 'server') {
    return { type: ActivityFailureType.ServerError, retryable: true, message };
  }
  // Unknown: let Temporal's retry policy decide (bounded by the workflow's activity options).
  return { type: f.name, retryable: true, message };
}

/**
 * Which limit a SnapshotQuotaExceeded answer means; AWS uses the same code for both.
 * The copies-in-flight phrasings are tested first; anything else is the manual-snapshot quota, the
 * documented meaning of the code (and pruning only ever touches snapcopy's own older copies).
 */
export function classifyQuotaMessage(message: string): QuotaFailureDetails['reason'] {
  const copiesInFlight = [
    /cannot copy more than/i,
    /cop(y|ies)\b[^.]*\bin (progress|flight)/i,
    /in[- ]?flight/i,
    /concurrent/i,
    /across regions/i,
    /simultaneous/i,
  ];
  return copiesInFlight.some((re) => re.test(message)) ? 'copies-in-flight' : 'manual-snapshot-quota';
}

/**
 * The error to throw from an activity: AbortError (activity cancelled) and existing ApplicationFailures
 * pass through unchanged; everything else becomes an ApplicationFailure typed by classifyAwsError,
 * its message prefixed with what the activity was doing.
 */
export function toActivityFailure(err: unknown, context: string): Error {
  if (err instanceof ApplicationFailure) return err;
  if (isAbortError(err) && err instanceof Error) return err;
  const c = classifyAwsError(err);
  const awsName = readFields(err).name;
  const suffix = awsName !== c.type ? ` [${awsName}]` : '';
  const details: QuotaFailureDetails[] | undefined =
    c.type === FailureType.QuotaExceeded ? [{ reason: classifyQuotaMessage(c.message) }] : undefined;
  return ApplicationFailure.create({
    type: c.type,
    message: `${context}: ${c.message}${suffix}`,
    nonRetryable: !c.retryable,
    details,
    cause: err instanceof Error ? err : undefined,
  });
}

/** Non-retryable failure raised by the activities' own checks (not an AWS error). */
export function fault(type: string, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** Retryable failure with a type of our choosing (one not listed as non-retryable by the workflow). */
export function retryableFailure(type: string, message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    cause: cause instanceof Error ? cause : undefined,
  });
}
