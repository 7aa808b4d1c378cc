// The copy input from command-line flags (copy and schedule create share them, from the table in
// copy-flags.ts). It is checked with the shared validateCopyInput before anything is started: an InputError
// ends as a usage error naming the field and the flag that sets it (errors.ts).
import { dbIdentifierProblem } from '../shared/arn';
import { deriveTargetIdentifier } from '../shared/derive';
import type { CopyDbClusterSnapshotInput, CopyOptions } from '../shared/types';
import { inputOfFlags, type CopyFlags } from './copy-flags';
import { UsageError } from './errors';

export { addCopyFlags, FIELD_FLAGS, flagOf, type CopyFlags } from './copy-flags';

/** The workflow's options the flags set, if any. */
export function copyOptionsOf(flags: CopyFlags): CopyOptions | undefined {
  return inputOfFlags(flags).options;
}

/**
 * The target name for a cluster source without --target: `<cluster>-<yyyymmdd>-<hhmmss>` (UTC) of `at`, as the
 * workflow derives it. An invalid cluster name is reported as such (not as the name derived from it).
 */
export function derivedTarget(cluster: string, at: Date): string {
  const problem = dbIdentifierProblem(cluster);
  if (problem !== undefined) {
    throw new UsageError(
      `SourceDBClusterIdentifier ${JSON.stringify(cluster)} ${problem} (--source-cluster)`,
    );
  }
  return deriveTargetIdentifier(cluster, at);
}

/** The workflow input the flags describe, with `target` as the target name (not yet validated). */
export function inputOf(flags: CopyFlags, target: string | undefined): CopyDbClusterSnapshotInput {
  const { TargetDBClusterSnapshotIdentifier: _given, ...input } = inputOfFlags(flags);
  return target === undefined ? input : { ...input, TargetDBClusterSnapshotIdentifier: target };
}
