// Start CopyDBClusterSnapshot, tagged as snapcopy's; idempotent through the ownership tags.
import { CopyDBClusterSnapshotCommand, type CopyDBClusterSnapshotCommandInput } from '@aws-sdk/client-rds';
import { FailureType, MANAGED_TAG_VALUE, OWNERSHIP_TAGS, RECOVERY_POINT_TAG } from '../shared/names';
import type { Tag } from '../shared/types';
import { sendOptions, type AwsClients } from './clients';
import { ActivityFailureType, fault, retryableFailure, toActivityFailure } from './errors';
export { classifyQuotaMessage } from './errors';
import { tagValue, toSnapshotView } from './snapshot-view';
import { describeClusterSnapshot, ownershipRefusal, readTags } from './target-snapshot';
import type { StartCopyInput, StartCopyResult } from './types';

const OWNERSHIP_KEYS = new Set<string>([...Object.values(OWNERSHIP_TAGS), RECOVERY_POINT_TAG]);

/**
 * Tags sent with the copy: the given tags (the workflow has already merged the source's in for CopyTags,
 * see src/shared/tags.ts, since AWS ignores CopyTags beside Tags), then the ownership tags, which always win
 * so a user tag can never forge or hide ownership; and the recovery point (the original source snapshot's
 * creation time) when the workflow gave it (inputs recorded before it existed have none).
 */
export function buildCopyTags(input: StartCopyInput): Tag[] {
  const byKey = new Map<string, string>();
  for (const t of input.tags) if (!OWNERSHIP_KEYS.has(t.Key)) byKey.set(t.Key, t.Value);
  byKey.set(OWNERSHIP_TAGS.managed, MANAGED_TAG_VALUE);
  byKey.set(OWNERSHIP_TAGS.sourceArn, input.sourceArn);
  byKey.set(OWNERSHIP_TAGS.sourceCluster, input.sourceCluster);
  byKey.set(OWNERSHIP_TAGS.workflowId, input.workflowId);
  if (input.recoveryPoint !== undefined) byKey.set(RECOVERY_POINT_TAG, input.recoveryPoint);
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

export function buildCopyCommandInput(input: StartCopyInput): CopyDBClusterSnapshotCommandInput {
  return {
    // A cross-Region ARN here makes the SDK's RDS middleware generate PreSignedUrl itself.
    SourceDBClusterSnapshotIdentifier: input.sourceIdentifier,
    TargetDBClusterSnapshotIdentifier: input.targetIdentifier,
    ...(input.kmsKeyArn ? { KmsKeyId: input.kmsKeyArn } : {}),
    ...(input.copyTags !== undefined ? { CopyTags: input.copyTags } : {}),
    Tags: buildCopyTags(input),
    ...(input.preSignedUrl ? { PreSignedUrl: input.preSignedUrl } : {}),
  };
}

/**
 * Idempotency is handled on DBClusterSnapshotAlreadyExistsFault rather than by describing first: one call
 * in the common case, and no window between a "not there" describe and the copy. A retry of this activity
 * after a copy that succeeded but timed out lands here too and adopts the copy through its tags.
 */
export async function startCopy(clients: AwsClients, input: StartCopyInput): Promise<StartCopyResult> {
  const rds = clients.rds(input.targetRegion, input.role);
  const target = `'${input.targetIdentifier}' in ${input.targetRegion}`;
  const context = `Copying '${input.sourceIdentifier}' to ${target}`;
  const commandInput = buildCopyCommandInput(input);

  // Two rounds: if the existing target vanishes between the copy and the describe, the copy is tried again.
  for (let round = 0; round < 2; round++) {
    try {
      const out = await rds.send(new CopyDBClusterSnapshotCommand(commandInput), sendOptions());
      if (out.DBClusterSnapshot) return { adopted: false, snapshot: toSnapshotView(out.DBClusterSnapshot) };
      const started = await describeClusterSnapshot(rds, input.targetIdentifier);
      if (!started) {
        throw retryableFailure(
          ActivityFailureType.IncompleteResponse,
          `${context}: the copy was not described`,
        );
      }
      return { adopted: false, snapshot: toSnapshotView(started, await readTags(rds, started)) };
    } catch (err) {
      if (!(err instanceof Error && err.name === 'DBClusterSnapshotAlreadyExistsFault')) {
        throw toActivityFailure(err, context);
      }
    }

    try {
      const existing = await describeClusterSnapshot(rds, input.targetIdentifier);
      if (!existing) continue;
      const tags = await readTags(rds, existing);
      const copiedFrom = tagValue(tags, OWNERSHIP_TAGS.sourceArn);
      // Ours, and a copy of this very source: a rerun with the same workflow ID but another source must
      // not report someone else's copy as its own.
      const refusal =
        ownershipRefusal(tags, input.workflowId) ??
        (copiedFrom !== input.sourceArn
          ? `it is a copy of ${copiedFrom ?? 'an unknown source'}, not of ${input.sourceArn}`
          : undefined);
      if (!refusal) return { adopted: true, snapshot: toSnapshotView(existing, tags) };
      throw fault(
        FailureType.AlreadyExists,
        `Target DB cluster snapshot ${target} already exists and is not this workflow's ` +
          `(${input.workflowId}): ${refusal}. Nothing was changed.`,
      );
    } catch (err) {
      throw toActivityFailure(err, `${context}: describing the existing target`);
    }
  }
  throw retryableFailure(
    ActivityFailureType.TargetRace,
    `${context}: the target kept appearing and vanishing; trying again`,
  );
}
