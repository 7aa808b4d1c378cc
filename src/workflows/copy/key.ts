// Phase 4: resolve the KMS key in the destination Region (keys are Regional; an unknown alias is a
// clear KMSKeyNotAccessibleFault here rather than an opaque error from CopyDBClusterSnapshot).
import { quick } from './activities';
import { checkpoint } from './checkpoint';
import type { CopyRun } from './run';
import { summaries } from './ui';

export async function resolveKey(run: CopyRun): Promise<void> {
  const { v } = run;
  if (!v.kmsKey) return;
  await checkpoint(run);
  run.setPhase('resolving-key');
  const key = await quick(run.slots, 'resolveKmsKey', summaries.resolveKey(v.kmsKey.value, v.targetRegion), {
    region: v.targetRegion,
    keyId: v.kmsKey.value,
    ...run.inTarget,
  });
  run.kmsKeyArn = key.keyArn;
}
