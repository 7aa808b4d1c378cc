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

  constructor(private readonly state: SlotsState) {}

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
    return this.state.holders.some((h) => h.workflowId === workflowId);
  }

  /** 1-based place in the queue; undefined when not waiting. */
  position(workflowId: string): number | undefined {
    const i = this.state.queue.findIndex((q) => q.workflowId === workflowId);
    return i < 0 ? undefined : i + 1;
  }

  /**
   * A copy asks. A holder asking again (its grant was lost, or its run continued) keeps its slot and
   * answers `holding`, so the scheduler grants it again; a waiter asking again keeps its place.
   */
  request(r: SlotRequest): 'holding' | 'waiting' {
    if (this.holds(r.workflowId)) return 'holding';
    if (this.position(r.workflowId) !== undefined) return 'waiting';
    const queue = [...this.state.queue, { ...r }].sort(grantOrder);
    this.state.queue = queue;
    this.version++;
    return 'waiting';
  }

  /**
   * A copy gives its slot (or its place) back. `refused`: AWS refused the granted start because copies
   * snapcopy did not start fill the Region, so the capacity drops to what snapcopy holds now.
   */
  release(workflowId: string, reason: 'done' | 'refused'): void {
    const before = this.state.holders.length + this.state.queue.length;
    const wasHolder = this.holds(workflowId);
    this.state.holders = this.state.holders.filter((h) => h.workflowId !== workflowId);
    this.state.queue = this.state.queue.filter((q) => q.workflowId !== workflowId);
    if (reason === 'refused' && wasHolder) {
      this.state.capacity = Math.min(this.state.capacity, this.state.holders.length);
    }
    if (this.state.holders.length + this.state.queue.length !== before || reason === 'refused')
      this.version++;
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
    while (this.state.holders.length < this.state.capacity && this.state.queue.length > 0) {
      const [next, ...rest] = this.state.queue;
      this.state.queue = rest;
      const holder = {
        workflowId: next!.workflowId,
        priority: next!.priority,
        since: at,
        askedAt: next!.since,
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
