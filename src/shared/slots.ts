// The copy-slot contract (fixed names): one `copySlots` workflow per account and destination Region shares
// AWS's limit of copies in flight among the copies that need it. Used by the scheduler, the copy workflow,
// its activities, the CLI (`snapcopy slots`) and the tests. Workflow-safe.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const SLOTS_WORKFLOW_TYPE = 'copySlots';
export const SLOTS_QUERY = 'slots';

/** AWS's default: at most 5 cluster-snapshot copies in progress per destination Region and account. */
export const DEFAULT_SLOT_CAPACITY = 5;
export { DEFAULT_PRIORITY, HIGHEST_PRIORITY, LOWEST_PRIORITY } from './priority';

/**
 * The Temporal priority of the coordinators (the copySlots schedulers and the sourceShare holders): the
 * highest, so that a scheduler's workflow task never waits behind a burst of copies' tasks on the shared
 * task queue — 300 copies arriving at once still fill their slots within seconds. A server without task
 * queue priorities serves them in order, as before.
 */
export const COORDINATOR_PRIORITY = { priorityKey: 1 } as const;

/** `snapcopy-slots-<accountId>-<region>` */
export function slotsWorkflowId(accountId: string, region: string): string {
  return `snapcopy-slots-${accountId}-${region}`;
}

/** A copy holding a slot or waiting for one. `since`: when it first asked (ISO), which orders FIFO. */
export interface SlotEntry {
  workflowId: string;
  priority: number;
  since: string;
}

/** The `slots` query's answer. */
export interface SlotsView {
  accountId: string;
  region: string;
  /** Slots snapcopy may use now: the configured capacity, lowered while AWS counts copies snapcopy did not start. */
  capacity: number;
  configuredCapacity: number;
  holders: SlotEntry[];
  /** In grant order: the first is next. */
  queue: SlotEntry[];
  /** When AWS was last asked how many copies are in flight (ISO), if ever. */
  checkedAt?: string;
}

export type SlotRequest = SlotEntry;

export interface SlotRelease {
  workflowId: string;
  /**
   * `done`: the copy ended (available, cancelled, failed) or never needs the slot again;
   * `refused`: AWS refused the start with the copies-in-flight message although the slot was granted —
   * copies snapcopy did not start hold slots, so the scheduler lowers its capacity.
   */
  reason: 'done' | 'refused';
}

/** Sent by the scheduler to the copy workflow that may start its copy now. */
export interface SlotGrant {
  /** The scheduler's workflow ID (so the copy knows whom to release to). */
  slotsWorkflowId: string;
  grantedAt: string;
}

export const slotsQuery = defineQuery<SlotsView>(SLOTS_QUERY);
export const requestSlotSignal = defineSignal<[SlotRequest]>('requestSlot');
export const releaseSlotSignal = defineSignal<[SlotRelease]>('releaseSlot');
export const slotGrantedSignal = defineSignal<[SlotGrant]>('slotGranted');
