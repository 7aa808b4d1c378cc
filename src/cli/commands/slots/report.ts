// `snapcopy slots`, the report: the running copySlots schedulers (visibility) and each one's `slots`
// query. The Temporal calls go through SlotsSource, so the report can be tested without a server.
import type { Client } from '@temporalio/client';
import { SLOTS_WORKFLOW_TYPE, slotsQuery, type SlotsView } from '../../../shared/slots';
import { validateRegion } from '../../../shared/validation';
import { oneLine } from '../../errors';

/** How long one scheduler gets to answer its query (no worker: it never does). */
const QUERY_TIMEOUT_MS = 5_000;

/** What the report needs of Temporal. */
export interface SlotsSource {
  /** Workflow IDs of the executions matching a visibility query. */
  list(query: string): AsyncIterable<string>;
  /** The scheduler's `slots` query. */
  query(workflowId: string): Promise<SlotsView>;
}

export function temporalSlotsSource(client: Client): SlotsSource {
  return {
    async *list(query) {
      for await (const info of client.workflow.list({ query })) yield info.workflowId;
    },
    query: (workflowId) =>
      client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(workflowId).query(slotsQuery),
      ),
  };
}

/** Running schedulers, all of them: their IDs end in the Region, which visibility cannot filter on. */
export const SLOTS_VISIBILITY_QUERY = `WorkflowType = '${SLOTS_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

export interface SlotsReport {
  schedulers: SlotsView[];
  /** Schedulers that did not answer: workflow ID and why. */
  unanswered: { workflowId: string; error: string }[];
}

/** `snapcopy-slots-<accountId>-<region>`: does this ID belong to `region`? */
function inRegion(workflowId: string, region: string): boolean {
  return workflowId.endsWith(`-${region}`);
}

/** --target-region, checked before anything connects (a bad one is a usage error). */
export function checkRegion(region: string | undefined): string | undefined {
  return region === undefined ? undefined : validateRegion(region, '--target-region');
}

/** Every running scheduler (of `region` if given), queried, ordered by account and Region. */
export async function slotsReport(source: SlotsSource, region?: string): Promise<SlotsReport> {
  const ids: string[] = [];
  for await (const id of source.list(SLOTS_VISIBILITY_QUERY)) {
    if (region === undefined || inRegion(id, region)) ids.push(id);
  }
  const answers = await Promise.all(
    ids.map(async (workflowId) => {
      try {
        return { workflowId, view: await source.query(workflowId) };
      } catch (err) {
        return { workflowId, error: oneLine(err instanceof Error ? err.message : String(err)) };
      }
    }),
  );
  const schedulers = answers
    .flatMap((a) => (a.view && (region === undefined || a.view.region === region) ? [a.view] : []))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  const unanswered = answers.flatMap((a) =>
    a.error !== undefined ? [{ workflowId: a.workflowId, error: a.error }] : [],
  );
  return { schedulers, unanswered };
}
