// snapcopy's budget of RDS calls: the token bucket on a manual clock, and real SDK clients (a request handler
// that answers in-process) whose every attempt takes a token of its account's and Region's bucket.
import { DescribeDBClusterSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  CALL_BUDGET_MIDDLEWARE,
  CallBudget,
  TokenBucket,
  withUrgency,
  type BudgetClock,
} from '../../src/activities/aws-budget';
import {
  budgetAccount,
  createAwsClients,
  DEFAULT_RDS_BUDGET,
  sendOptions,
  type AwsClientsOptions,
} from '../../src/activities/clients';
import type { AssumedRole } from '../../src/shared/cross-account';

/** Time stands still until advance(); timers fire in order of their due time. */
class ManualClock implements BudgetClock {
  private t = 1_000;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    this.timers.set(++this.nextId, { at: this.t + ms, fn });
    return this.nextId;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers]
        .filter(([, timer]) => timer.at <= end)
        .sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

/** Lets every promise chain that can progress without the clock progress (event-loop turns, no timers). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Takes from `bucket` and records, in order, which takes got their token (or their error). */
function taker(bucket: TokenBucket) {
  const granted: number[] = [];
  const failed: { i: number; err: Error }[] = [];
  let n = 0;
  const take = (signal?: AbortSignal, urgent = false) => {
    const i = n++;
    void bucket.take(signal, urgent).then(
      () => granted.push(i),
      (err: Error) => failed.push({ i, err }),
    );
    return i;
  };
  return { granted, failed, take };
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then one call per 1/perSecond, first come first served', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 4, burst: 3 }, clock);
    const { granted, take } = taker(bucket);
    for (let i = 0; i < 6; i++) take();
    await settle(2);
    expect(granted).toEqual([0, 1, 2]);
    expect(bucket.stats()).toMatchObject({ calls: 3, waiting: 3 });
    clock.advance(249);
    await settle(2);
    expect(granted).toEqual([0, 1, 2]);
    clock.advance(1);
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3]);
    clock.advance(500);
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bucket.stats()).toEqual({
      calls: 6,
      waited: 3,
      waitedMs: 250 + 500 + 750,
      aborted: 0,
      waiting: 0,
      urgent: 0,
      urgentWaited: 0,
    });
    expect(clock.pending).toBe(0);
  });

  it('refills continuously up to the burst, and a newcomer queues behind those waiting', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 2, burst: 2 }, clock);
    const { granted, take } = taker(bucket);
    take();
    take();
    clock.advance(10_000); // idle: refills to the burst (2), not 20
    for (let i = 0; i < 3; i++) take();
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3]);
    clock.advance(250); // half a token
    take(); // queues behind 4 although half a token is there
    clock.advance(249);
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3]);
    clock.advance(1);
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3, 4]);
    clock.advance(500);
    await settle(2);
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('an aborted waiter stops waiting, rejects with an AbortError carrying the reason and takes no token', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, clock);
    const { granted, failed, take } = taker(bucket);
    take();
    const abort = new AbortController();
    take(abort.signal);
    take();
    const reason = new Error('activity cancelled');
    abort.abort(reason);
    await settle(2);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.i).toBe(1);
    expect(failed[0]?.err.name).toBe('AbortError');
    expect(failed[0]?.err.cause).toBe(reason);
    expect(bucket.stats()).toMatchObject({ aborted: 1, waiting: 1 });
    clock.advance(1000);
    await settle(2);
    expect(granted).toEqual([0, 2]); // the aborted one's place went to the next
    // An already aborted signal never waits.
    await expect(bucket.take(abort.signal)).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    expect(bucket.stats()).toMatchObject({ calls: 2, waited: 1, waitedMs: 1000, aborted: 1, waiting: 0 });
  });

  it('keeps no timer while nobody waits (the last waiter granted or aborted)', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, clock);
    const { granted, take } = taker(bucket);
    take();
    expect(clock.pending).toBe(0);
    const abort = new AbortController();
    take(abort.signal);
    expect(clock.pending).toBe(1);
    abort.abort();
    expect(clock.pending).toBe(0);
    take();
    expect(clock.pending).toBe(1);
    clock.advance(1000);
    await settle(2);
    expect(granted).toEqual([0, 2]);
    expect(clock.pending).toBe(0);
  });

  it('hundreds of waiters share one timer and are served in order', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 5 }, clock);
    const { granted, failed, take } = taker(bucket);
    const aborts: AbortController[] = [];
    for (let i = 0; i < 600; i++) {
      const abort = new AbortController();
      aborts.push(abort);
      take(abort.signal);
    }
    for (let i = 100; i < 600; i += 2) aborts[i]?.abort(); // half of the later ones give up
    expect(clock.pending).toBe(1);
    await settle(2);
    expect(granted).toHaveLength(5);
    for (let s = 0; s < 40; s++) {
      clock.advance(1000);
      expect(clock.pending).toBeLessThanOrEqual(1);
    }
    await settle(2);
    const expected = [...Array(600).keys()].filter((i) => i < 100 || i % 2 === 1);
    expect(granted).toEqual(expected);
    expect(failed).toHaveLength(250);
    expect(bucket.stats()).toMatchObject({ calls: 350, waited: 345, aborted: 250, waiting: 0 });
    expect(clock.pending).toBe(0);
  });

  it('an urgent call waits only for the urgent calls before it, ahead of every other waiting call', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, clock);
    const { granted, failed, take } = taker(bucket);
    take(); // the burst
    take();
    take();
    const abort = new AbortController();
    take(abort.signal, true); // 3: urgent, gives up
    take(undefined, true); // 4
    take(undefined, true); // 5
    abort.abort();
    for (let s = 0; s < 4; s++) clock.advance(1000);
    await settle(2);
    expect(granted).toEqual([0, 4, 5, 1, 2]);
    expect(failed.map((f) => f.i)).toEqual([3]);
    expect(bucket.stats()).toMatchObject({ calls: 5, urgent: 2, urgentWaited: 2, aborted: 1, waiting: 0 });
    // An urgent call with a token left and nobody waiting goes at once.
    clock.advance(1000);
    take(undefined, true);
    await settle(2);
    expect(granted).toEqual([0, 4, 5, 1, 2, 6]);
    expect(bucket.stats()).toMatchObject({ urgent: 3, urgentWaited: 2 });
    expect(clock.pending).toBe(0);
  });

  it('refuses a rate that would never let a call through', () => {
    expect(() => new TokenBucket({ perSecond: 0, burst: 10 })).toThrow(RangeError);
    expect(() => new TokenBucket({ perSecond: Number.NaN, burst: 10 })).toThrow(RangeError);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0.5 })).toThrow(RangeError);
    expect(() => new CallBudget({ perSecond: -1, burst: 10 })).toThrow(RangeError);
  });
});

describe('CallBudget', () => {
  it('keeps one bucket per account and Region, and their stats', () => {
    const budget = new CallBudget({ perSecond: 1, burst: 1 }, new ManualClock());
    const a = budget.bucket('111111111111', 'us-east-1');
    expect(budget.bucket('111111111111', 'us-east-1')).toBe(a);
    expect(budget.bucket('111111111111', 'eu-west-1')).not.toBe(a);
    expect(budget.bucket('222222222222', 'us-east-1')).not.toBe(a);
    void a.take();
    expect(budget.stats()).toEqual([
      {
        account: '111111111111',
        region: 'us-east-1',
        calls: 1,
        waited: 0,
        waitedMs: 0,
        aborted: 0,
        waiting: 0,
        urgent: 0,
        urgentWaited: 0,
      },
      {
        account: '111111111111',
        region: 'eu-west-1',
        calls: 0,
        waited: 0,
        waitedMs: 0,
        aborted: 0,
        waiting: 0,
        urgent: 0,
        urgentWaited: 0,
      },
      {
        account: '222222222222',
        region: 'us-east-1',
        calls: 0,
        waited: 0,
        waitedMs: 0,
        aborted: 0,
        waiting: 0,
        urgent: 0,
        urgentWaited: 0,
      },
    ]);
  });

  it("keys the worker's own calls by its account when known, else 'self'; a role's by the role's account", () => {
    expect(budgetAccount(undefined, undefined)).toBe('self');
    expect(budgetAccount(undefined, '123456789012')).toBe('123456789012');
    expect(budgetAccount({ roleArn: 'arn:aws:iam::111111111111:role/a' }, '123456789012')).toBe(
      '111111111111',
    );
    expect(
      budgetAccount({ roleArn: 'arn:aws-cn:iam::222222222222:role/p/b', externalId: 'x' }, undefined),
    ).toBe('222222222222');
  });
});

// --- Real RDS clients ---------------------------------------------------------------------------------------

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const OK_XML =
  '<DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">' +
  '<DescribeDBClusterSnapshotsResult><DBClusterSnapshots/></DescribeDBClusterSnapshotsResult>' +
  '<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>';
const FAULT_XML =
  '<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Receiver</Type>' +
  '<Code>InternalFailure</Code><Message>try again</Message></Error><RequestId>r2</RequestId></ErrorResponse>';

interface Sent {
  host: string;
  /** The access key the request was signed with: the role's stub credentials name its account. */
  accessKey: string | undefined;
  signed: boolean;
}

/** A request handler that answers at once, without a network, and records what was sent. */
function inProcessHandler(answers: { status: number; body: string }[] = []) {
  const sent: Sent[] = [];
  const requestHandler = {
    handle(request: { hostname: string; headers: Record<string, string> }) {
      const auth = request.headers.authorization ?? request.headers.Authorization;
      sent.push({
        host: request.hostname,
        accessKey: /Credential=([^/]+)\//.exec(auth ?? '')?.[1],
        signed: auth !== undefined,
      });
      const answer = answers.shift() ?? { status: 200, body: OK_XML };
      return Promise.resolve({
        response: {
          statusCode: answer.status,
          headers: { 'content-type': 'text/xml' },
          body: new TextEncoder().encode(answer.body),
        },
      });
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { sent, requestHandler };
}

/** Retries a transient failure once, at once (the SDK's strategies wait a random backoff on real timers). */
const immediateRetry: RetryStrategyV2 = {
  acquireInitialRetryToken: () => Promise.resolve(retryToken(0)),
  refreshRetryTokenForRetry: (token: RetryToken, info: RetryErrorInfo) =>
    token.getRetryCount() === 0 && info.errorType !== 'CLIENT_ERROR'
      ? Promise.resolve(retryToken(1))
      : Promise.reject(info.error ?? new Error(info.errorType)),
  recordSuccess: () => undefined,
};
function retryToken(count: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => 0 };
}

const ACCOUNT_1_ROLE: AssumedRole = { roleArn: 'arn:aws:iam::111111111111:role/snapcopy-source' };
const ACCOUNT_1_OTHER_ROLE: AssumedRole = {
  roleArn: 'arn:aws:iam::111111111111:role/ops/snapcopy-other',
  externalId: 'ext-1',
};
const ACCOUNT_2_ROLE: AssumedRole = { roleArn: 'arn:aws:iam::222222222222:role/snapcopy-target' };

/** Clients whose RDS calls go to `handler`, with a budget on a manual clock; roles get stub credentials. */
function budgeted(
  rate: { perSecond: number; burst: number },
  handler = inProcessHandler(),
  over: AwsClientsOptions = {},
) {
  const clock = new ManualClock();
  const budget = new CallBudget(rate, clock);
  const clients = createAwsClients({
    rds: { credentials, requestHandler: handler.requestHandler, retryStrategy: immediateRetry },
    assumeRole: (role) => () =>
      Promise.resolve({ accessKeyId: `AKID${role.roleArn.split(':')[4]}`, secretAccessKey: 'secret' }),
    accountId: '999999999999',
    rdsBudget: budget,
    ...over,
  });
  return { clock, budget, clients, sent: handler.sent };
}

const describeCall = (rds: RDSClient, abortSignal?: AbortSignal) =>
  rds.send(new DescribeDBClusterSnapshotsCommand({}), abortSignal ? { abortSignal } : {});

const statsOf = (budget: CallBudget, account: string, region: string) =>
  budget.stats().find((s) => s.account === account && s.region === region);

describe('createAwsClients: the RDS call budget', () => {
  it('defaults to 6 calls a second and a burst of 60 per account and Region, on RDS clients only', () => {
    expect(DEFAULT_RDS_BUDGET).toEqual({ perSecond: 6, burst: 60 });
    const clients = createAwsClients({ rds: { credentials } });
    expect(clients.rdsBudget?.rate).toEqual(DEFAULT_RDS_BUDGET);
    const order = clients.rds('us-east-1').middlewareStack.identify();
    const at = (name: string) => order.findIndex((m) => m.startsWith(name));
    // After the SDK's retry middleware (per attempt), before signing (a request is signed when it may go).
    expect(at(CALL_BUDGET_MIDDLEWARE)).toBeGreaterThan(at('retryMiddleware'));
    expect(at(CALL_BUDGET_MIDDLEWARE)).toBe(at('httpSigningMiddleware') - 1);
    expect(clients.kms('us-east-1').middlewareStack.identify().join()).not.toContain(CALL_BUDGET_MIDDLEWARE);
    expect(clients.sts('us-east-1').middlewareStack.identify().join()).not.toContain(CALL_BUDGET_MIDDLEWARE);
    expect(clients.sns('us-east-1').middlewareStack.identify().join()).not.toContain(CALL_BUDGET_MIDDLEWARE);
    expect(createAwsClients({ rdsBudget: { perSecond: 2, burst: 5 } }).rdsBudget?.rate).toEqual({
      perSecond: 2,
      burst: 5,
    });
    clients.destroy?.();
  });

  it('a burst beyond the bucket waits for tokens instead of being sent', async () => {
    const { clock, budget, clients, sent } = budgeted({ perSecond: 2, burst: 3 });
    const rds = clients.rds('us-east-1');
    const calls = Array.from({ length: 5 }, () => describeCall(rds));
    await settle();
    expect(sent).toHaveLength(3);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ calls: 3, waiting: 2 });
    clock.advance(499);
    await settle();
    expect(sent).toHaveLength(3);
    clock.advance(1);
    await settle();
    expect(sent).toHaveLength(4);
    clock.advance(500);
    await Promise.all(calls);
    expect(sent).toHaveLength(5);
    expect(sent.every((s) => s.signed)).toBe(true);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toEqual({
      account: '999999999999',
      region: 'us-east-1',
      calls: 5,
      waited: 2,
      waitedMs: 500 + 1000,
      aborted: 0,
      waiting: 0,
      urgent: 0,
      urgentWaited: 0,
    });
    expect(clock.pending).toBe(0);
  });

  it('each SDK retry attempt takes its own token', async () => {
    const handler = inProcessHandler([{ status: 500, body: FAULT_XML }]);
    const { clock, budget, clients, sent } = budgeted({ perSecond: 1, burst: 1 }, handler);
    const call = describeCall(clients.rds('us-east-1'));
    await settle();
    // The first attempt failed and took the only token: the retry waits for the next one.
    expect(sent).toHaveLength(1);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ calls: 1, waiting: 1 });
    clock.advance(1000);
    const out = await call;
    expect(out.$metadata.attempts).toBe(2);
    expect(sent).toHaveLength(2);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ calls: 2, waited: 1, waiting: 0 });
  });

  it('two Regions and two accounts have separate buckets', async () => {
    const { budget, clients, sent } = budgeted({ perSecond: 1, burst: 1 });
    await describeCall(clients.rds('us-east-1', ACCOUNT_1_ROLE));
    await describeCall(clients.rds('eu-west-1', ACCOUNT_1_ROLE));
    await describeCall(clients.rds('us-east-1', ACCOUNT_2_ROLE));
    await describeCall(clients.rds('us-east-1'));
    expect(sent.map((s) => [s.host, s.accessKey])).toEqual([
      ['rds.us-east-1.amazonaws.com', 'AKID111111111111'],
      ['rds.eu-west-1.amazonaws.com', 'AKID111111111111'],
      ['rds.us-east-1.amazonaws.com', 'AKID222222222222'],
      ['rds.us-east-1.amazonaws.com', 'AKIDTEST'],
    ]);
    expect(
      budget.stats().map(({ account, region, calls, waited }) => [account, region, calls, waited]),
    ).toEqual([
      ['111111111111', 'us-east-1', 1, 0],
      ['111111111111', 'eu-west-1', 1, 0],
      ['222222222222', 'us-east-1', 1, 0],
      ['999999999999', 'us-east-1', 1, 0],
    ]);
  });

  it("clients of one account and Region share its bucket: two roles, and the worker's own account", async () => {
    const { clock, budget, clients, sent } = budgeted({ perSecond: 1, burst: 1 });
    const first = describeCall(clients.rds('us-east-1', ACCOUNT_1_ROLE));
    const second = describeCall(clients.rds('us-east-1', ACCOUNT_1_OTHER_ROLE));
    await settle();
    expect(clients.rds('us-east-1', ACCOUNT_1_OTHER_ROLE)).not.toBe(clients.rds('us-east-1', ACCOUNT_1_ROLE));
    expect(sent).toHaveLength(1);
    clock.advance(1000);
    await Promise.all([first, second]);
    expect(sent).toHaveLength(2);
    expect(budget.stats()).toMatchObject([
      { account: '111111111111', region: 'us-east-1', calls: 2, waited: 1 },
    ]);

    // A role in the worker's own account spends the same bucket as the worker's own credentials.
    const own = budgeted({ perSecond: 1, burst: 1 }, inProcessHandler(), { accountId: '111111111111' });
    const mine = describeCall(own.clients.rds('us-east-1'));
    const viaRole = describeCall(own.clients.rds('us-east-1', ACCOUNT_1_ROLE));
    await settle();
    expect(own.sent).toHaveLength(1);
    own.clock.advance(1000);
    await Promise.all([mine, viaRole]);
    expect(own.budget.stats()).toMatchObject([{ account: '111111111111', calls: 2, waited: 1 }]);
  });

  it("without a known account, the worker's own calls are budgeted as 'self'", async () => {
    const saved = process.env.AWS_ACCOUNT_ID;
    delete process.env.AWS_ACCOUNT_ID;
    try {
      const { budget, clients } = budgeted({ perSecond: 1, burst: 1 }, inProcessHandler(), {
        accountId: undefined,
      });
      expect(clients.accountId).toBeUndefined();
      await describeCall(clients.rds('ap-south-1'));
      expect(budget.stats()).toMatchObject([{ account: 'self', region: 'ap-south-1', calls: 1 }]);
    } finally {
      if (saved !== undefined) process.env.AWS_ACCOUNT_ID = saved;
    }
  });

  it('one CallBudget passed to several createAwsClients is shared by all their clients', async () => {
    const a = budgeted({ perSecond: 1, burst: 1 });
    const handler = inProcessHandler();
    const other = createAwsClients({
      rds: { credentials, requestHandler: handler.requestHandler },
      accountId: '999999999999',
      rdsBudget: a.budget,
    });
    await describeCall(a.clients.rds('us-east-1'));
    const waiting = describeCall(other.rds('us-east-1'));
    await settle();
    expect(handler.sent).toHaveLength(0);
    a.clock.advance(1000);
    await waiting;
    expect(handler.sent).toHaveLength(1);
  });

  it('an aborted call stops waiting and rejects with the abort; the next in line goes', async () => {
    const { clock, budget, clients, sent } = budgeted({ perSecond: 1, burst: 1 });
    const rds = clients.rds('us-east-1');
    await describeCall(rds);
    const abort = new AbortController();
    const aborted = describeCall(rds, abort.signal);
    const next = describeCall(rds);
    await settle();
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ aborted: 1, waiting: 1 });
    clock.advance(1000);
    await next;
    expect(sent).toHaveLength(2);
  });

  it("a local activity's call, and one marked urgent, go ahead of the calls waiting in their bucket", async () => {
    const { clock, budget, clients } = budgeted({ perSecond: 1, burst: 1 });
    const rds = clients.rds('us-east-1');
    await describeCall(rds);
    const done: string[] = [];
    const track = (name: string, call: Promise<unknown>) => call.then(() => done.push(name));
    const calls = [
      track(
        'activity',
        new MockActivityEnvironment().run(() => describeCall(rds)),
      ),
      track('plain', describeCall(rds)),
      track(
        'local',
        new MockActivityEnvironment({ isLocal: true }).run(() => describeCall(rds)),
      ),
      track(
        'marked',
        withUrgency(true, () => describeCall(rds)),
      ),
      // Marked not urgent, although a local activity makes it (a call made for several callers).
      track(
        'unmarked',
        new MockActivityEnvironment({ isLocal: true }).run(() => withUrgency(false, () => describeCall(rds))),
      ),
    ];
    await settle();
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ waiting: 5 });
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await settle();
    }
    await Promise.all(calls);
    expect(done).toEqual(['local', 'marked', 'activity', 'plain', 'unmarked']);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({
      calls: 6,
      urgent: 2,
      urgentWaited: 2,
    });
  });

  it("an activity's calls after its first go ahead: work begun is finished before work is begun", async () => {
    const { clock, budget, clients } = budgeted({ perSecond: 1, burst: 1 });
    const rds = clients.rds('us-east-1');
    await describeCall(rds);
    const done: string[] = [];
    const twoCalls = new MockActivityEnvironment().run(async () => {
      await describeCall(rds);
      done.push('first of two');
      await describeCall(rds);
      done.push('second of two');
    });
    await settle();
    const others = ['other 1', 'other 2'].map((name) =>
      new MockActivityEnvironment().run(() => describeCall(rds)).then(() => done.push(name)),
    );
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      await settle();
    }
    await Promise.all([twoCalls, ...others]);
    expect(done).toEqual(['first of two', 'second of two', 'other 1', 'other 2']);
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ calls: 5, urgent: 1 });
  });

  it("a cancelled activity's call stops waiting, with or without sendOptions()", async () => {
    const { clock, budget, clients, sent } = budgeted({ perSecond: 1, burst: 1 });
    const rds = clients.rds('us-east-1');
    await describeCall(rds);
    const env = new MockActivityEnvironment();
    const calls = env.run((): Promise<PromiseSettledResult<unknown>[]> =>
      Promise.allSettled([
        rds.send(new DescribeDBClusterSnapshotsCommand({}), sendOptions()),
        rds.send(new DescribeDBClusterSnapshotsCommand({})), // the activity's signal all the same
      ]),
    );
    await settle();
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ waiting: 2 });
    env.cancel();
    const results = await calls;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'AbortError' });
    expect(statsOf(budget, '999999999999', 'us-east-1')).toMatchObject({ aborted: 2, waiting: 0 });
    expect(clock.pending).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('rdsBudget: false sends every call at once, through no budget', async () => {
    const handler = inProcessHandler();
    const clients = createAwsClients({
      rds: { credentials, requestHandler: handler.requestHandler },
      rdsBudget: false,
    });
    expect(clients.rdsBudget).toBeUndefined();
    const rds = clients.rds('us-east-1');
    expect(rds.middlewareStack.identify().join()).not.toContain(CALL_BUDGET_MIDDLEWARE);
    await Promise.all(Array.from({ length: 100 }, () => describeCall(rds)));
    expect(handler.sent).toHaveLength(100);
  });
});
