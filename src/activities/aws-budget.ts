// snapcopy's own budget of AWS calls: a token bucket per account and Region that a call waits on (abortably)
// instead of being sent into AWS's throttling, and the SDK middleware that makes every attempt take a token.
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MiddlewareStack,
} from '@smithy/types';

/** A sustained rate and a burst: the bucket holds `burst` tokens and gains `perSecond` a second. */
export interface BudgetRate {
  perSecond: number;
  burst: number;
}

/** Time and timers of a bucket (tests pass a manual one); milliseconds on a monotonic clock. */
export interface BudgetClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: BudgetClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Counters of one bucket, for metrics: every token taken, the waits, and who waits now. */
export interface BucketStats {
  /** Tokens taken: the calls (attempts) let through. */
  calls: number;
  /** Calls that had to wait for their token, and their waits' total in milliseconds. */
  waited: number;
  waitedMs: number;
  /** Waits ended by the caller's abort signal (no token taken). */
  aborted: number;
  /** Calls waiting right now. */
  waiting: number;
  /** Urgent calls let through, and how many of them had to wait. */
  urgent: number;
  urgentWaited: number;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  since: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
  urgent: boolean;
}

/** A FIFO of waiters that drops abandoned ones lazily: O(1) per push, per take and per abandon. */
class WaitQueue {
  private items: (Waiter | undefined)[] = [];
  private head = 0;
  /** Waiters still waiting. */
  live = 0;

  push(w: Waiter): void {
    this.items.push(w);
    this.live++;
  }

  /** The first waiter still waiting (there is one: live > 0). */
  shift(): Waiter {
    for (;;) {
      const w = this.items[this.head];
      this.items[this.head++] = undefined;
      if (w && !w.done) {
        this.compact();
        return w;
      }
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.live = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }
}

// Tokens are fractional; a refill computed for a whole millisecond may fall short of 1 by rounding alone.
const EPSILON = 1e-9;

/** What an abort while waiting rejects with: an AbortError, like the SDK's own aborted request. */
export function budgetAbortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(
    'Request aborted while waiting for the AWS call budget',
    reason === undefined ? undefined : { cause: reason },
  );
  err.name = 'AbortError';
  return err;
}

/**
 * A token bucket: `burst` tokens, refilled continuously at `perSecond`. take() resolves at once while tokens
 * are left and nobody waits; otherwise the caller joins a FIFO queue, an urgent caller one served first. One
 * timer, for the next waiter only, runs while someone waits and none when idle (a process with an idle bucket
 * can exit); an aborted waiter leaves its queue (lazily: O(1) per take and per abort, however many wait).
 */
export class TokenBucket {
  readonly rate: Readonly<BudgetRate>;
  private tokens: number;
  private last: number;
  private readonly urgentQueue = new WaitQueue();
  private readonly queue = new WaitQueue();
  private timer: unknown;
  private timerSet = false;
  private readonly counts: BucketStats = {
    calls: 0,
    waited: 0,
    waitedMs: 0,
    aborted: 0,
    waiting: 0,
    urgent: 0,
    urgentWaited: 0,
  };

  constructor(
    rate: BudgetRate,
    private readonly clock: BudgetClock = SYSTEM_CLOCK,
  ) {
    if (!(Number.isFinite(rate.perSecond) && rate.perSecond > 0)) {
      throw new RangeError(`perSecond must be a positive number (got ${rate.perSecond})`);
    }
    if (!(Number.isFinite(rate.burst) && rate.burst >= 1)) {
      throw new RangeError(`burst must be a number of at least 1 (got ${rate.burst})`);
    }
    this.rate = { perSecond: rate.perSecond, burst: rate.burst };
    this.tokens = rate.burst;
    this.last = clock.now();
  }

  /**
   * Resolves once a token is taken; rejects with an AbortError if `signal` aborts first. An `urgent` call
   * waits only for the urgent calls before it, ahead of every other waiting call.
   */
  take(signal?: AbortSignal, urgent = false): Promise<void> {
    if (signal?.aborted) return Promise.reject(budgetAbortError(signal));
    this.refill();
    if (this.counts.waiting === 0 && this.tokens >= 1 - EPSILON) {
      this.tokens -= 1;
      this.counts.calls++;
      if (urgent) this.counts.urgent++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        since: this.clock.now(),
        signal,
        onAbort: undefined,
        done: false,
        urgent,
      };
      if (signal) {
        w.onAbort = () => this.abandon(w);
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      (urgent ? this.urgentQueue : this.queue).push(w);
      this.counts.waiting++;
      this.schedule();
    });
  }

  stats(): BucketStats {
    return { ...this.counts };
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.last) * this.rate.perSecond) / 1000);
    this.last = now;
  }

  /** Arms the one timer for when the queue's head will have its token. */
  private schedule(): void {
    if (this.timerSet || this.counts.waiting === 0) return;
    const ms = Math.max(0, Math.ceil(((1 - this.tokens) * 1000) / this.rate.perSecond));
    this.timerSet = true;
    this.timer = this.clock.setTimeout(() => this.release(), ms);
  }

  private release(): void {
    this.timerSet = false;
    this.timer = undefined;
    this.refill();
    while (this.counts.waiting > 0 && this.tokens >= 1 - EPSILON) {
      const w = this.urgentQueue.live > 0 ? this.urgentQueue.shift() : this.queue.shift();
      this.tokens -= 1;
      this.settle(w);
      this.counts.calls++;
      const waitedMs = this.clock.now() - w.since;
      this.counts.waited++;
      this.counts.waitedMs += waitedMs;
      if (w.urgent) {
        this.counts.urgent++;
        this.counts.urgentWaited++;
      }
      w.resolve();
    }
    this.schedule();
  }

  private settle(w: Waiter): void {
    w.done = true;
    this.counts.waiting--;
    (w.urgent ? this.urgentQueue : this.queue).live--;
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
  }

  private abandon(w: Waiter): void {
    if (w.done) return;
    this.settle(w);
    this.counts.aborted++;
    if (this.counts.waiting === 0) {
      // Nobody left: no timer may keep the process alive, and the queue holds only abandoned entries.
      if (this.timerSet) this.clock.clearTimeout(this.timer);
      this.timerSet = false;
      this.timer = undefined;
      this.urgentQueue.clear();
      this.queue.clear();
    }
    w.reject(budgetAbortError(w.signal as AbortSignal));
  }
}

/** One bucket's identity and counters. */
export interface BudgetStats extends BucketStats {
  account: string;
  region: string;
}

/**
 * One process's budget of calls to one AWS service: a token bucket per (account, Region), as AWS throttles,
 * created on first use with the same rate. Every client that takes its tokens from the same budget shares it.
 */
export class CallBudget {
  readonly rate: Readonly<BudgetRate>;
  private readonly buckets = new Map<string, { account: string; region: string; bucket: TokenBucket }>();

  constructor(
    rate: BudgetRate,
    private readonly clock: BudgetClock = SYSTEM_CLOCK,
  ) {
    // Checks the rate now rather than at the first call.
    this.rate = new TokenBucket(rate, clock).rate;
  }

  bucket(account: string, region: string): TokenBucket {
    const key = `${account}|${region}`;
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { account, region, bucket: new TokenBucket(this.rate, this.clock) };
      this.buckets.set(key, entry);
    }
    return entry.bucket;
  }

  /** Every bucket's counters (those used so far), e.g. for a metric labelled by account and Region. */
  stats(): BudgetStats[] {
    return [...this.buckets.values()].map(({ account, region, bucket }) => ({
      account,
      region,
      ...bucket.stats(),
    }));
  }
}

export const CALL_BUDGET_MIDDLEWARE = 'snapcopyCallBudgetMiddleware';

const urgency = new AsyncLocalStorage<boolean>();

/** Runs `fn` with the urgency of its budgeted calls set, whoever runs it (a call made for several callers). */
export function withUrgency<T>(urgent: boolean, fn: () => T): T {
  return urgency.run(urgent, fn);
}

/** The urgency withUrgency set for the calls made here, if any. */
export function markedUrgency(): boolean | undefined {
  return urgency.getStore();
}

const SMITHY_CONTEXT_KEY = '__smithy_context'; // @smithy/types' SMITHY_CONTEXT_KEY

/**
 * Makes every attempt of every call of a client's stack take a token from `bucket` first. It sits right after
 * the SDK's retry middleware (so each retry attempt takes its own token) and before request signing (so a
 * request is signed only once it may go: a SigV4 signature expires after five minutes, longer than a long
 * queue may wait). A wait ends early with an AbortError when the call's abort signal (`send(cmd,
 * { abortSignal })`), or else `fallbackSignal()`'s, aborts. `urgent()` says whether the call goes ahead of the
 * others waiting.
 */
export function addCallBudget<Input extends object, Output extends object>(
  stack: Pick<MiddlewareStack<Input, Output>, 'addRelativeTo'>,
  bucket: TokenBucket,
  fallbackSignal: () => AbortSignal | undefined = () => undefined,
  urgent: () => boolean = () => markedUrgency() ?? false,
): void {
  stack.addRelativeTo(
    (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
      async (args: FinalizeHandlerArguments<Input>) => {
        const callSignal = (context[SMITHY_CONTEXT_KEY] as { abortSignal?: AbortSignal } | undefined)
          ?.abortSignal;
        await bucket.take(callSignal ?? fallbackSignal(), urgent());
        return next(args);
      },
    {
      name: CALL_BUDGET_MIDDLEWARE,
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      override: true,
    },
  );
}
