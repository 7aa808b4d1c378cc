// Phase 2 of a plan run: one child copyDbClusterSnapshot per cluster and destination, all at once — the
// copy slots keep each destination Region at AWS's limit — each with the default workflow ID and a target
// named from its source snapshot's creation time, so a retried or backfilled run meets its own children
// (and AWS's copies) instead of copying anything twice. A child that fails fails its row, never the others.
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import {
  CancelledFailure,
  isCancellation,
  ParentClosePolicy,
  rootCause,
  startChild,
  TemporalFailure,
} from '@temporalio/workflow';
import type { CopyOfSource, PlanSource } from '../../activities/types';
import { copyStartOptions } from '../../shared/contract';
import { deriveTargetIdentifier } from '../../shared/derive';
import type { PlanDestination } from '../../shared/plan';
import type { PlanRunRow } from '../../shared/plan-run';
import type { CopyDbClusterSnapshotInput, Tag } from '../../shared/types';
import { InputError, validateCopyInput } from '../../shared/validation';
import { copyDbClusterSnapshot } from '../copy-db-cluster-snapshot';
import type { PlanRun } from './run';

type Row = PlanRun['rows'][number];

/** The copy a plan asks for: one cluster's newest snapshot into one destination. */
export function childInput(
  run: PlanRun,
  source: Required<PlanSource>,
  destination: PlanDestination,
): CopyDbClusterSnapshotInput {
  const { plan } = run;
  const tags: Tag[] = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    SourceDBClusterSnapshotIdentifier: source.snapshot.arn,
    TargetDBClusterSnapshotIdentifier: deriveTargetIdentifier(
      source.cluster,
      new Date(source.snapshot.createdAt),
    ),
    SourceRegion: plan.source.region,
    TargetRegion: destination.region,
    // Another account: the copy shares the source from its account into the destination's.
    ...(plan.source.roleArn ? { SourceRoleArn: plan.source.roleArn } : {}),
    ...(destination.roleArn ? { TargetRoleArn: destination.roleArn } : {}),
    // An unencrypted source copied with a key is an error: the key is for encrypted sources.
    ...(source.snapshot.encrypted && destination.kmsKeyId !== undefined
      ? { KmsKeyId: destination.kmsKeyId }
      : {}),
    CopyTags: plan.copyTags,
    ...(tags.length > 0 ? { Tags: tags } : {}),
    options: { priority: plan.priority, ...(plan.retention ? { retention: plan.retention } : {}) },
  };
}

/** Every row: already there, nothing to copy, or a child — all children at once. */
export async function copyAll(
  run: PlanRun,
  sources: PlanSource[],
  present: Map<string, Map<string, CopyOfSource>>,
): Promise<void> {
  const copies: Promise<void>[] = [];
  for (const source of sources) {
    for (const destination of run.plan.destinations) {
      const row = run.add({
        cluster: source.cluster,
        destination: destination.region,
        outcome: 'copying',
        retired: [],
      });
      const { snapshot } = source;
      const there = snapshot && present.get(destination.region)?.get(snapshot.arn);
      if (!snapshot) {
        end(run, row, {
          outcome: 'no-snapshot',
          message: `cluster ${source.cluster} has no available snapshot in ${run.plan.source.region}`,
        });
      } else if (there) {
        end(run, row, { outcome: 'already-present', target: there.identifier, targetArn: there.arn });
      } else {
        copies.push(copyOne(run, row, childInput(run, { cluster: source.cluster, snapshot }, destination)));
      }
    }
  }
  await Promise.all(copies);
}

const seconds = (from: number) => Math.round((new Date().getTime() - from) / 1000);

/** Runs one row's child to its end and fills the row in; never throws but for the run's own cancellation. */
export async function copyOne(run: PlanRun, row: Row, input: CopyDbClusterSnapshotInput): Promise<void> {
  let start;
  try {
    const v = validateCopyInput(input);
    start = copyStartOptions(input, v);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    end(run, row, { outcome: 'failed', failureType: err.type, message: err.message });
    return;
  }
  row.workflowId = start.workflowId;
  row.target = input.TargetDBClusterSnapshotIdentifier;
  const began = new Date().getTime();
  try {
    const child = await startChild(copyDbClusterSnapshot, {
      ...start,
      staticSummary: `plan ${run.plan.name}: ${start.staticSummary}`,
      // A terminated or cancelled run cancels its copies, which then clean up their unfinished targets.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    const result = await child.result();
    end(run, row, {
      outcome: result.summary.outcome,
      ...(result.summary.targetArn !== undefined ? { targetArn: result.summary.targetArn } : {}),
      durationSeconds: seconds(began),
      retired: result.summary.retired.map((r) => r.DBClusterSnapshotIdentifier),
      ...(result.summary.held?.length
        ? {
            held: result.summary.held.map((h) => ({
              identifier: h.DBClusterSnapshotIdentifier,
              hold: h.hold,
            })),
          }
        : {}),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      end(run, row, { outcome: 'already-running', message: `${start.workflowId} is copying it already` });
      return;
    }
    if (isCancellation(err) && !(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err instanceof TemporalFailure ? (err.cause ?? err) : err;
    if (cause instanceof CancelledFailure) {
      end(run, row, { outcome: 'cancelled', durationSeconds: seconds(began), message: cause.message });
      return;
    }
    end(run, row, {
      outcome: 'failed',
      durationSeconds: seconds(began),
      failureType: cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : failureName(err),
      message: rootCause(err) ?? String(err),
    });
  }
}

function failureName(err: unknown): string {
  const cause = err instanceof TemporalFailure ? err.cause : undefined;
  return cause?.name ?? (err instanceof Error ? err.name : 'Error');
}

function end(run: PlanRun, row: Row, fields: Partial<PlanRunRow> & Pick<PlanRunRow, 'outcome'>): void {
  Object.assign(row, { retired: [], ...fields });
  run.publish();
}
