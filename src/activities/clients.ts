// AWS clients per Region and account (an assumed role), plus the activity's AbortSignal for every call and
// snapcopy's own budget of RDS calls per account and Region (./aws-budget).
import { asyncLocalStorage } from '@temporalio/activity';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { RDSClient, type RDSClientConfig } from '@aws-sdk/client-rds';
import { RDSDataClient, type RDSDataClientConfig } from '@aws-sdk/client-rds-data';
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { parseRoleArn, ROLE_SESSION_NAME } from '../shared/cross-account';
import type { AssumedRole } from '../shared/cross-account';
import { addCallBudget, CallBudget, markedUrgency, type BudgetRate } from './aws-budget';

/** What a client's `credentials` takes: a provider the SDK calls (and caches) for each request. */
export type CredentialsProvider = ReturnType<typeof fromTemporaryCredentials>;

export interface AwsClients {
  /** Without `role`, the default credential chain; with it, that role's session (another account). */
  rds(region: string, role?: AssumedRole): RDSClient;
  kms(region: string, role?: AssumedRole): KMSClient;
  /** The RDS Data API (restore tests' SQL canary), in the restored cluster's account and Region. */
  rdsData(region: string, role?: AssumedRole): RDSDataClient;
  sts(region: string, role?: AssumedRole): STSClient;
  /** Plan run reports (notify.snsTopicArn), in the topic's Region. */
  sns(region: string): SNSClient;
  /** This account's ID when known (AWS_ACCOUNT_ID); used to tell snapshots shared from other accounts. */
  readonly accountId?: string;
  /** Closes the cached clients' sockets (worker shutdown). */
  destroy?(): void;
  /** The RDS calls' budget (its stats() per account and Region), unless turned off. */
  readonly rdsBudget?: CallBudget;
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
  rdsData?: Omit<RDSDataClientConfig, 'region'>;
  sns?: Omit<SNSClientConfig, 'region'>;
  sts?: Omit<STSClientConfig, 'region'>;
  /** How assumed-role credentials are made (tests); default fromTemporaryCredentials over the default chain. */
  assumeRole?: (role: AssumedRole, region: string) => CredentialsProvider;
  /** Defaults to AWS_ACCOUNT_ID, the variable the SDK's own env credential provider reads. */
  accountId?: string;
  /**
   * snapcopy's own budget of RDS calls per account and Region (DEFAULT_RDS_BUDGET): every attempt of every
   * RDS call waits for a token of its account's and Region's bucket, shared by all the RDS clients made here.
   * A CallBudget shares one budget between several createAwsClients; `false` sends calls unbudgeted.
   */
  rdsBudget?: BudgetRate | CallBudget | false;
}

export const DEFAULT_SDK_MAX_ATTEMPTS = 2;

/**
 * RDS throttles each account's API calls per Region with a token bucket of 300 calls in a burst refilled at
 * 12 a second, shared with the console, the CLI, AWS Backup and every other tool of the account (RDS User
 * Guide, "Request throttling for the Amazon RDS API"). A worker process takes half the refill and a fifth of
 * the burst, leaving the rest to those tools: a thousand copies polling at once queue in the worker instead
 * of throttling the account. Several workers on one account each take this much: divide by their number.
 */
export const DEFAULT_RDS_BUDGET: Readonly<BudgetRate> = Object.freeze({ perSecond: 6, burst: 60 });

/** The account a budget is kept for: the role's, or the worker's own (its ID when known, else 'self'). */
export function budgetAccount(role: AssumedRole | undefined, accountId: string | undefined): string {
  if (!role) return accountId ?? 'self';
  return parseRoleArn(role.roleArn)?.accountId ?? role.roleArn;
}

/** Assumed-role sessions last an hour; the SDK refreshes them shortly before they expire. */
export const ROLE_SESSION_SECONDS = 3600;

/**
 * Credentials of `role`'s session: assumed with the default chain's (or `sts.credentials`), through STS in
 * `region` (`sts`: the STS client's configuration, e.g. an endpoint).
 */
export function assumedRoleCredentials(
  role: AssumedRole,
  region: string,
  sts: Omit<STSClientConfig, 'region'> = {},
): CredentialsProvider {
  const { credentials, ...clientConfig } = sts;
  return fromTemporaryCredentials({
    ...(credentials ? { masterCredentials: credentials as CredentialsProvider } : {}),
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: ROLE_SESSION_NAME,
      DurationSeconds: ROLE_SESSION_SECONDS,
      ...(role.externalId ? { ExternalId: role.externalId } : {}),
    },
    clientConfig: { ...clientConfig, region },
  });
}

/**
 * One client per service, Region and role, created on first use and reused (connection pooling; an assumed
 * role's session is cached in its clients and refreshed by the SDK before it expires). Credentials come
 * from the SDK's default chain, or from assuming the role with them. Endpoints: the SDK (smithy core's
 * getEndpointUrlConfig) already honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (RDS, KMS, SNS,
 * STS), so nothing is read here. Credentials never leave the clients: inputs carry only role ARNs. Every
 * attempt of an RDS call first takes a token of `rdsBudget`'s bucket for its account (the role's, or this
 * one) and Region, waiting while it is empty unless the activity is cancelled.
 */
export function createAwsClients(opts: AwsClientsOptions = {}): AwsClients {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_SDK_MAX_ATTEMPTS;
  const assume =
    opts.assumeRole ??
    ((role: AssumedRole, region: string) => assumedRoleCredentials(role, region, opts.sts));
  const cache = new Map<string, { destroy(): void }>();
  const accountId = opts.accountId ?? (process.env.AWS_ACCOUNT_ID || undefined);
  const rdsBudget =
    opts.rdsBudget === false
      ? undefined
      : opts.rdsBudget instanceof CallBudget
        ? opts.rdsBudget
        : new CallBudget(opts.rdsBudget ?? DEFAULT_RDS_BUDGET);
  // One credentials provider per role and Region, shared by its services' clients (one session each).
  const providers = new Map<string, CredentialsProvider>();
  const credentialsOf = (region: string, role: AssumedRole | undefined) => {
    if (!role) return {};
    const id = `${region}|${role.roleArn}|${role.externalId ?? ''}`;
    let provider = providers.get(id);
    if (!provider) {
      provider = assume(role, region);
      providers.set(id, provider);
    }
    return { credentials: provider };
  };
  const client = <C extends { destroy(): void }>(
    service: string,
    region: string,
    role: AssumedRole | undefined,
    make: (extra: { credentials?: CredentialsProvider }) => C,
  ): C => {
    const id = `${service}|${region}|${role?.roleArn ?? ''}|${role?.externalId ?? ''}`;
    let c = cache.get(id) as C | undefined;
    if (!c) {
      c = make(credentialsOf(region, role));
      cache.set(id, c);
    }
    return c;
  };
  return {
    accountId,
    rdsBudget,
    rds: (region, role) =>
      client('rds', region, role, (extra) => {
        const rds = new RDSClient({ maxAttempts, ...opts.rds, ...extra, region });
        if (rdsBudget) {
          const bucket = rdsBudget.bucket(budgetAccount(role, accountId), region);
          addCallBudget(rds.middlewareStack, bucket, activityAbortSignal, callIsUrgent);
        }
        return rds;
      }),
    kms: (region, role) =>
      client('kms', region, role, (extra) => new KMSClient({ maxAttempts, ...opts.kms, ...extra, region })),
    rdsData: (region, role) =>
      client(
        'rds-data',
        region,
        role,
        (extra) => new RDSDataClient({ maxAttempts, ...opts.rdsData, ...extra, region }),
      ),
    sts: (region, role) =>
      client('sts', region, role, (extra) => new STSClient({ maxAttempts, ...opts.sts, ...extra, region })),
    sns: (region) =>
      client('sns', region, undefined, () => new SNSClient({ maxAttempts, ...opts.sns, region })),
    destroy() {
      for (const c of cache.values()) c.destroy();
      cache.clear();
      providers.clear();
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

/** Whether the running activity is a local one (false outside an activity). */
export function inLocalActivity(): boolean {
  return asyncLocalStorage.getStore()?.info.isLocal === true;
}

/** Activities (their contexts) that have made a budgeted call. */
const calledBefore = new WeakSet<object>();

/**
 * A budgeted call goes ahead of the others waiting when it is a local activity's (or made for one): a local
 * activity holds its workflow task open, and its workflow in the worker's cache, for as long as it waits; an
 * activity's wait costs nothing. So does an activity's call after its first: work started is finished before
 * work is begun (a source's share, read then changed, is done two calls apart, not after every other share's
 * read).
 */
export function callIsUrgent(): boolean {
  const marked = markedUrgency();
  if (marked !== undefined) return marked;
  const activity = asyncLocalStorage.getStore();
  if (!activity) return false;
  if (activity.info.isLocal || calledBefore.has(activity)) return true;
  calledBefore.add(activity);
  return false;
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
