// What Temporal remembers of past restore tests: for a plan's clusters in one destination Region, when each
// last passed (a verifyCopy that ended `restorable`, found by its search attributes). Temporal calls only,
// no AWS; the answer survives worker and plan-run restarts because it is Temporal's visibility.
import { SA_PHASE, SA_SOURCE_CLUSTER, SA_TARGET_REGION } from '../shared/search-attributes';
import { VERIFY_WORKFLOW_TYPE } from '../shared/restore-tests';
import type { SlotActivitiesOptions } from './copy-slots';

export interface LastPassedInput {
  region: string;
  /** Lowercased cluster identifiers (the copies' snapcopy:source-cluster). */
  clusters: string[];
}

/** Cluster → when its newest passed restore test ended (ISO); clusters never tested are absent. */
export type LastPassed = Record<string, string>;

const quoted = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function createRestoreHistoryActivities(opts: Pick<SlotActivitiesOptions, 'client'>) {
  return {
    async lastPassedRestoreTests(input: LastPassedInput): Promise<LastPassed> {
      const client = await opts.client();
      const wanted = new Set(input.clusters);
      const query = [
        `WorkflowType = ${quoted(VERIFY_WORKFLOW_TYPE)}`,
        `${SA_TARGET_REGION.name} = ${quoted(input.region)}`,
        // A finished test shows its outcome as its phase.
        `${SA_PHASE.name} = 'restorable'`,
        `ExecutionStatus = 'Completed'`,
      ].join(' AND ');
      const last: LastPassed = {};
      for await (const w of client.workflow.list({ query })) {
        const cluster = w.typedSearchAttributes.get(SA_SOURCE_CLUSTER);
        const at = w.closeTime?.toISOString();
        if (!cluster || !at || !wanted.has(cluster)) continue;
        if (!last[cluster] || last[cluster] < at) last[cluster] = at;
      }
      return last;
    },
  };
}

export type RestoreHistoryActivities = ReturnType<typeof createRestoreHistoryActivities>;

export function noRestoreHistoryActivities(): RestoreHistoryActivities {
  return {
    lastPassedRestoreTests: () => {
      throw new Error('restore-test history needs a Temporal client: createActivities(aws, { client })');
    },
  };
}
