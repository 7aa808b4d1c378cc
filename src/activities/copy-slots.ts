// The copy workflow's side of the copy slots: ask the Region's copySlots scheduler for a slot
// (signal-with-start, so the first copy starts it) and give the slot back. Both are one call to Temporal's
// frontend that never waits for the scheduler to run: they are local activities, so a copy's workflow task
// is open while they run, and hundreds of copies waiting on the scheduler's own workflow task (a query, an
// update) would hold the workflow-task slots the scheduler needs to answer them. Also what the scheduler
// asks Temporal: which holders closed without giving their slot back. Temporal calls only, no AWS.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AssumedRole } from './types';
import {
  COORDINATOR_PRIORITY,
  DEFAULT_SLOT_CAPACITY,
  releaseSlotSignal,
  requestSlotSignal,
  SLOTS_WORKFLOW_TYPE,
  slotsWorkflowId,
  type SlotRelease,
  type SlotRequest,
} from '../shared/slots';
import { DEFAULT_RESTORE_TESTS_PER_REGION, restoreSlotsWorkflowId } from '../shared/restore-tests';

export interface SlotActivitiesOptions {
  /** The Temporal client of the worker's namespace, created lazily (tests without slots never connect). */
  client: () => Promise<Client>;
  /** Slots per account and Region for schedulers this worker starts (SNAPCOPY_SLOT_CAPACITY, default 5). */
  capacity?: number;
  /** Restore tests at once per account and Region (SNAPCOPY_RESTORE_TESTS_PER_REGION, default 1). */
  restoreTestsPerRegion?: number;
}

export interface RequestCopySlotInput {
  accountId: string;
  region: string;
  /** The scheduler runs on the copy's own task queue, at COORDINATOR_PRIORITY. */
  taskQueue: string;
  request: SlotRequest;
  /** The account's role (TargetRoleArn): the scheduler looks at that account's copies in flight. */
  role?: AssumedRole;
  /**
   * `restores`: a restore test's slot, from the account and Region's restore-slot scheduler (the same
   * workflow type, its own ID and capacity, and no copies in flight to count). Default `copies`.
   */
  kind?: 'copies' | 'restores';
}

export interface RequestCopySlotResult {
  slotsWorkflowId: string;
  /**
   * Recorded by earlier versions, which asked the scheduler for it right after asking for the slot (a query
   * that queued behind hundreds of requests at scale). The live position is the scheduler's `slots` query.
   */
  queuePosition?: number;
}

export interface ReleaseCopySlotInput {
  slotsWorkflowId: string;
  release: SlotRelease;
}

export function createSlotActivities(opts: SlotActivitiesOptions) {
  return {
    async requestCopySlot(input: RequestCopySlotInput): Promise<RequestCopySlotResult> {
      const client = await opts.client();
      const restores = input.kind === 'restores';
      const workflowId = restores
        ? restoreSlotsWorkflowId(input.accountId, input.region)
        : slotsWorkflowId(input.accountId, input.region);
      await client.workflow.signalWithStart(SLOTS_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: input.taskQueue,
        priority: COORDINATOR_PRIORITY,
        args: [
          {
            accountId: input.accountId,
            region: input.region,
            capacity: restores
              ? (opts.restoreTestsPerRegion ?? DEFAULT_RESTORE_TESTS_PER_REGION)
              : (opts.capacity ?? DEFAULT_SLOT_CAPACITY),
            ...(restores ? { kind: 'restores' as const } : {}),
            ...(input.role ? { role: input.role } : {}),
          },
        ],
        signal: requestSlotSignal,
        signalArgs: [input.request],
        staticSummary: `${restores ? 'restore-test' : 'copy'} slots of account ${input.accountId} in ${input.region}`,
      });
      return { slotsWorkflowId: workflowId };
    },

    async releaseCopySlot(input: ReleaseCopySlotInput): Promise<void> {
      const client = await opts.client();
      try {
        await client.workflow.getHandle(input.slotsWorkflowId).signal(releaseSlotSignal, input.release);
      } catch (err) {
        // No scheduler running: nothing holds the slot any more.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },

    /** Of these workflows, the ones that are no longer running (or never existed). */
    async closedWorkflows(input: { workflowIds: string[] }): Promise<string[]> {
      const client = await opts.client();
      const closed: string[] = [];
      for (const id of input.workflowIds) {
        try {
          const d = await client.workflow.getHandle(id).describe();
          if (d.status.name !== 'RUNNING') closed.push(id);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) closed.push(id);
          else throw err;
        }
      }
      return closed;
    },
  };
}

export type SlotActivities = ReturnType<typeof createSlotActivities>;

/** For workers without a Temporal client (activity unit tests): slot activities that say so. */
export function noSlotActivities(): SlotActivities {
  const missing = (): never => {
    throw new Error('copy slots need a Temporal client: createActivities(aws, { client }) was not given one');
  };
  return { requestCopySlot: missing, releaseCopySlot: missing, closedWorkflows: missing };
}
