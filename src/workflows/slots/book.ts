// The copy-slot book: who holds a slot, who waits, and how many slots snapcopy may use. Pure and
// workflow-safe (no Temporal calls), so its rules are tested directly (test/unit/slot-book.test.ts):
// nothing is ever granted twice, never beyond capacity, and the queue is served by priority, then arrival.
import type { SlotEntry, SlotRequest, SlotsView } from '../../shared/slots';

/** A holder also remembers when it first asked, so a refused start keeps its place in the queue. */
export interface Holder extends SlotEntry {
  askedAt?: string;
}

/** Carried whole by the scheduler's continue-as-new. */
export interface SlotsState {
  accountId: string;
  region: string;
  configuredCapacity: number;
  /** Slots snapcopy may use now: lowered while AWS counts copies snapcopy did not start. */
  capacity: number;
  holders: Holder[];
  queue: SlotEntry[];
  checkedAt?: string;
}

export function freshSlotsState(accountId: string, region: string, capacity: number): SlotsState {
  return { accountId, region, configuredCapacity: capacity, capacity, holders: [], queue: [] };
}

/** Grant order: priority 1 first, then who asked first, then (for equal times) the workflow ID. */
export function grantOrder(a: SlotEntry, b: SlotEntry): number {
  return (
    a.priority - b.priority || a.since.localeCompare(b.since) || a.workflowId.localeCompare(b.workflowId)
  );
}

export class SlotBook {
  /** Bumped on every change, so the scheduler can wait for "something happened". */
  version = 0;

  /** Who waits and who holds, for O(1) look-ups: hundreds of copies may ask within one workflow task. */
  private readonly waiting: Set<string>;
  private readonly holding: Set<string>;

  constructor(private readonly state: SlotsState) {
    this.waiting = new Set(state.queue.map((q) => q.workflowId));
    this.holding = new Set(state.holders.map((h) => h.workflowId));
  }

  getState(): SlotsState {
    return this.state;
  }

  get busy(): boolean {
    return this.state.holders.length > 0 || this.state.queue.length > 0;
  }

  /** A slot is free and a copy waits for one: grant() would grant. */
  get grantable(): boolean {
    return this.state.holders.length < this.state.capacity && this.state.queue.length > 0;
  }

  holds(workflowId: string): boolean {
    return this.holding.has(workflowId);
  }

  /** 1-based place in the queue; undefined when not waiting. */
  position(workflowId: string): number | undefined {
    if (!this.waiting.has(workflowId)) return undefined;
    const i = this.state.queue.findIndex((q) => q.workflowId === workflowId);
    return i < 0 ? undefined : i + 1;
  }

  /**
   * A copy asks. A holder asking again (its grant was lost, or its run continued) keeps its slot and
   * answers `holding`, so the scheduler grants it again; a waiter asking again keeps its place.
   */
  request(r: SlotRequest): 'holding' | 'waiting' {
    if (this.holding.has(r.workflowId)) return 'holding';
    if (this.waiting.has(r.workflowId)) return 'waiting';
    // Binary search for its place: copies mostly arrive in order, so this is usually the end.
    const queue = this.state.queue;
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (grantOrder(queue[mid]!, r) <= 0) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, { ...r });
    this.waiting.add(r.workflowId);
    this.version++;
    return 'waiting';
  }

  /**
   * A copy gives its slot (or its place) back. `refused`: AWS refused the granted start because copies
   * snapcopy did not start fill the Region, so the capacity drops to what snapcopy holds now.
   */
  release(workflowId: string, reason: 'done' | 'refused'): void {
    const wasHolder = this.holding.delete(workflowId);
    const wasWaiting = this.waiting.delete(workflowId);
    if (wasHolder) this.state.holders = this.state.holders.filter((h) => h.workflowId !== workflowId);
    if (wasWaiting) this.state.queue = this.state.queue.filter((q) => q.workflowId !== workflowId);
    if (reason === 'refused' && wasHolder) {
      this.state.capacity = Math.min(this.state.capacity, this.state.holders.length);
    }
    if (wasHolder || wasWaiting || reason === 'refused') this.version++;
  }

  /** Holders and waiters whose workflows closed without releasing (terminated, timed out) lose their place. */
  reclaim(closed: readonly string[]): string[] {
    const gone = new Set(closed);
    const lost = [...this.state.holders, ...this.state.queue].filter((e) => gone.has(e.workflowId));
    for (const e of lost) this.release(e.workflowId, 'done');
    return lost.map((e) => e.workflowId);
  }

  /**
   * What AWS says: `inFlight` copies are `copying` in the Region. Those beyond snapcopy's holders are
   * someone else's (AWS Backup, a person), and take slots from snapcopy until they finish. `ours`: how
   * many holders there were when AWS was asked (holders only leave while it answers: one that gave its
   * slot back meanwhile may still have been counted, and must not be taken for someone else's copy).
   */
  observeAws(inFlight: number, at: string, ours = this.state.holders.length): void {
    const foreign = Math.max(0, inFlight - Math.max(ours, this.state.holders.length));
    const capacity = Math.max(0, this.state.configuredCapacity - foreign);
    if (capacity !== this.state.capacity) this.version++;
    this.state.capacity = capacity;
    this.state.checkedAt = at;
  }

  /** Moves waiters to holders while slots are free; answers the new holders, to be told. */
  grant(at: string): SlotEntry[] {
    const granted: SlotEntry[] = [];
    const free = Math.max(0, this.state.capacity - this.state.holders.length);
    // One splice for the whole batch, not a copy of the queue per grant.
    for (const next of this.state.queue.splice(0, free)) {
      this.waiting.delete(next.workflowId);
      this.holding.add(next.workflowId);
      const holder = {
        workflowId: next.workflowId,
        priority: next.priority,
        since: at,
        askedAt: next.since,
      };
      this.state.holders.push(holder);
      granted.push(holder);
    }
    if (granted.length) this.version++;
    return granted;
  }

  view(): SlotsView {
    const s = this.state;
    return {
      accountId: s.accountId,
      region: s.region,
      capacity: s.capacity,
      configuredCapacity: s.configuredCapacity,
      holders: s.holders.map((h) => ({ workflowId: h.workflowId, priority: h.priority, since: h.since })),
      queue: s.queue.map((q) => ({ ...q })),
      ...(s.checkedAt ? { checkedAt: s.checkedAt } : {}),
    };
  }
}
