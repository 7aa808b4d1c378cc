// Phase 1: validate the input with the rules the CLI applies too, before any AWS call.
import { deriveTargetIdentifier } from '../../shared/derive';
import type { CopyDbClusterSnapshotInput } from '../../shared/types';
import { InputError, validateCopyInput } from '../../shared/validation';
import { SCHEDULED_START_TIME } from '../../shared/search-attributes';
import { workflowInfo } from '@temporalio/workflow';
import { failure } from './activities';
import type { CopyRun } from './run';

/** A cluster source without a target name gets one from the schedule slot (or the start time). */
export function withDerivedTarget(input: CopyDbClusterSnapshotInput): CopyDbClusterSnapshotInput {
  if (!input || typeof input !== 'object') return input;
  if (
    input.TargetDBClusterSnapshotIdentifier !== undefined ||
    typeof input.SourceDBClusterIdentifier !== 'string'
  ) {
    return input;
  }
  const info = workflowInfo();
  const at = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  return {
    ...input,
    TargetDBClusterSnapshotIdentifier: deriveTargetIdentifier(input.SourceDBClusterIdentifier, at),
  };
}

/** Runs a shared validation rule; bad input becomes a typed failure naming the field. */
export function checked<T>(rule: () => T): T {
  try {
    return rule();
  } catch (err) {
    if (err instanceof InputError) throw failure(err.type, err.message, { field: err.field });
    throw err;
  }
}

export function validate(run: CopyRun): void {
  run.v = checked(() => validateCopyInput(run.input));
  run.view.targetIdentifier = run.v.targetIdentifier;
  run.view.targetRegion = run.v.targetRegion;
  run.view.sourceRegion = run.v.sourceRegion;
  run.ui.showIdentity(run.v, run.copy?.sourceCluster);
  run.publish();
}
