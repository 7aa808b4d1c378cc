// The copy workflow's side of a shared source: ask the snapshot's sourceShare holder to share it with the
// destination account (signal-with-start, so the first copy starts the holder). Temporal calls only, no AWS;
// the holder shares, and the copy gives the share back by signalling the holder from the workflow.
import { requestShareSignal, SHARE_WORKFLOW_TYPE, shareWorkflowId, type ShareTarget } from '../shared/shares';
import { COORDINATOR_PRIORITY } from '../shared/slots';
import type { SlotActivitiesOptions } from './copy-slots';

export interface RequestShareInput {
  share: ShareTarget;
  /** The holder runs on the copy's own task queue, at COORDINATOR_PRIORITY. */
  taskQueue: string;
  /** The copy asking. */
  workflowId: string;
}

export function createShareActivities(opts: Pick<SlotActivitiesOptions, 'client'>) {
  return {
    /** The holder's workflow ID; the holder answers by the shareReady signal. */
    async requestShare(input: RequestShareInput): Promise<string> {
      const client = await opts.client();
      const workflowId = shareWorkflowId(input.share);
      await client.workflow.signalWithStart(SHARE_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: input.taskQueue,
        priority: COORDINATOR_PRIORITY,
        args: [input.share],
        signal: requestShareSignal,
        signalArgs: [{ workflowId: input.workflowId }],
        staticSummary: `share of ${input.share.identifier} with account ${input.share.accountId}`,
      });
      return workflowId;
    },
  };
}

export type ShareActivities = ReturnType<typeof createShareActivities>;

export function noShareActivities(): ShareActivities {
  return {
    requestShare: () => {
      throw new Error(
        'shared sources need a Temporal client: createActivities(aws, { client }) was not given one',
      );
    },
  };
}
