// AWS clients per Region, plus the activity's AbortSignal for every call.
import { asyncLocalStorage } from '@temporalio/activity';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';

export interface AwsClients {
  rds(region: string): RDSClient;
  kms(region: string): KMSClient;
  /** Plan run reports (notify.snsTopicArn), in the topic's Region. */
  sns(region: string): SNSClient;
  /** This account's ID when known (AWS_ACCOUNT_ID); used to tell snapshots shared from other accounts. */
  readonly accountId?: string;
  /** Closes the cached clients' sockets (worker shutdown). */
  destroy?(): void;
}

export interface AwsClientsOptions {
  /**
   * SDK attempts per call (default 2). Temporal's activity retry policy is the main retry loop, so the SDK
   * only smooths over a single blip instead of stacking its own backoff under Temporal's.
   */
  maxAttempts?: number;
  /** Extra client configuration (credentials, endpoint, requestHandler...); `region` is always per call. */
  rds?: Omit<RDSClientConfig, 'region'>;
  kms?: Omit<KMSClientConfig, 'region'>;
  sns?: Omit<SNSClientConfig, 'region'>;
  /** Defaults to AWS_ACCOUNT_ID, the variable the SDK's own env credential provider reads. */
  accountId?: string;
}

export const DEFAULT_SDK_MAX_ATTEMPTS = 2;

/**
 * One client per Region per service, created on first use and reused (connection pooling).
 * Credentials come from the SDK's default chain. Endpoints: the SDK (smithy core's getEndpointUrlConfig)
 * already honours AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_RDS, AWS_ENDPOINT_URL_KMS and
 * AWS_ENDPOINT_URL_SNS, so nothing is read here.
 */
export function createAwsClients(opts: AwsClientsOptions = {}): AwsClients {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_SDK_MAX_ATTEMPTS;
  const rdsClients = new Map<string, RDSClient>();
  const kmsClients = new Map<string, KMSClient>();
  const snsClients = new Map<string, SNSClient>();
  const accountId = opts.accountId ?? (process.env.AWS_ACCOUNT_ID || undefined);
  return {
    accountId,
    rds(region) {
      let client = rdsClients.get(region);
      if (!client) {
        client = new RDSClient({ maxAttempts, ...opts.rds, region });
        rdsClients.set(region, client);
      }
      return client;
    },
    kms(region) {
      let client = kmsClients.get(region);
      if (!client) {
        client = new KMSClient({ maxAttempts, ...opts.kms, region });
        kmsClients.set(region, client);
      }
      return client;
    },
    sns(region) {
      let client = snsClients.get(region);
      if (!client) {
        client = new SNSClient({ maxAttempts, ...opts.sns, region });
        snsClients.set(region, client);
      }
      return client;
    },
    destroy() {
      for (const c of rdsClients.values()) c.destroy();
      for (const c of kmsClients.values()) c.destroy();
      for (const c of snsClients.values()) c.destroy();
      rdsClients.clear();
      kmsClients.clear();
      snsClients.clear();
    },
  };
}

/**
 * The running activity's cancellation signal, or undefined outside an activity (unit tests, scripts).
 * Read from the async-local store rather than Context.current(), which throws outside an activity.
 */
export function activityAbortSignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

/** Heartbeats the running activity (long listings); nothing outside an activity (unit tests, scripts). */
export function heartbeatIfActive(details?: unknown): void {
  asyncLocalStorage.getStore()?.heartbeat(details);
}

/** Options for `client.send(cmd, sendOptions())`: cancelling the activity aborts the HTTP request. */
export function sendOptions(): { abortSignal?: AbortSignal } {
  const abortSignal = activityAbortSignal();
  return abortSignal ? { abortSignal } : {};
}
