// Temporal's own floor on this machine, beside the scale scenarios' workflow task latency: workflows that do
// nothing, started as the snapcopy side starts its copies (25 at a time, as many), on the bench's Temporal
// server, by a worker with the snapcopy worker's default task slots and cache. No copy's workflow task can be
// answered sooner than one of these: when 300 arrive at once on 2 cores, the server and the worker hand out
// their first tasks one after another, whatever the workflow does.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  DEFAULT_WORKFLOW_POLLERS,
  DEFAULT_WORKFLOW_TASK_SLOTS,
} from '../../src/worker/config';
import { toHistoryEvents } from './histories';
import { latencySummary, workflowTaskLatencies, type LatencySummary } from './metrics';

export interface TemporalFloor {
  workflows: number;
  /** seconds: each workflow's one task, scheduled → completed, and the worker's part */
  scheduledToCompleted: LatencySummary;
  startedToCompleted: LatencySummary;
}

const GROUP = 25;

export async function measureTemporalFloor(
  client: Client,
  address: string,
  namespace: string,
  count: number,
): Promise<TemporalFloor> {
  const taskQueue = `floor-${randomUUID().slice(0, 8)}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: path.join(__dirname, 'floor-workflow.ts'),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: DEFAULT_WORKFLOW_TASK_SLOTS,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: DEFAULT_WORKFLOW_POLLERS },
  });
  const ids = Array.from({ length: count }, (_, i) => `${taskQueue}-${i}`);
  try {
    await worker.runUntil(async () => {
      for (let i = 0; i < ids.length; i += GROUP) {
        await Promise.all(
          ids
            .slice(i, i + GROUP)
            .map((workflowId) => client.workflow.start('benchFloor', { taskQueue, workflowId })),
        );
      }
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    });
  } finally {
    await connection.close();
  }
  const scheduled: number[] = [];
  const started: number[] = [];
  for (let i = 0; i < ids.length; i += GROUP) {
    const histories = await Promise.all(
      ids.slice(i, i + GROUP).map((id) => client.workflow.getHandle(id).fetchHistory()),
    );
    for (const history of histories) {
      const latencies = workflowTaskLatencies(
        toHistoryEvents(JSON.parse(historyToJSON(history)) as Parameters<typeof toHistoryEvents>[0]).events,
      );
      scheduled.push(...latencies.scheduledToCompleted);
      started.push(...latencies.startedToCompleted);
    }
  }
  return {
    workflows: count,
    scheduledToCompleted: latencySummary(scheduled),
    startedToCompleted: latencySummary(started),
  };
}
