// The one retry policy for activities that call AWS: throttling, 5xx and network errors are retried with
// backoff; the API's faults (NON_RETRYABLE_FAILURE_TYPES, and `extraNonRetryable`) are not. Each caller sets
// its ceiling (maximumInterval) and, where it differs, the first interval.
import type { RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_FAILURE_TYPES } from '../shared/names';

export function awsRetry(
  policy: Pick<RetryPolicy, 'maximumInterval' | 'initialInterval'>,
  extraNonRetryable: string[] = [],
): RetryPolicy {
  return {
    initialInterval: '2s',
    backoffCoefficient: 2,
    ...policy,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES, ...extraNonRetryable],
  };
}
