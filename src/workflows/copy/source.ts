// Phases 2–3: describe the source (or find a cluster's newest snapshot), check the rules that need it,
// and see whether snapcopy already copied it.
import type { ApplicationFailure } from '@temporalio/workflow';
import type { SourceSnapshotInfo } from '../../activities/types';
import { FailureType, OWNERSHIP_TAGS, RECOVERY_POINT_TAG } from '../../shared/names';
import { isManaged, tagValue } from '../../shared/ownership';
import { isIsoInstant } from '../../shared/rpo';
import { tagsForCopy } from '../../shared/tags';
import type { CopyDbClusterSnapshotResult } from '../../shared/types';
import { validateAgainstSource } from '../../shared/validation';
import { activityCause, failure, quick } from './activities';
import { checkpoint } from './checkpoint';
import { finishAlreadyPresent } from './finish';
import { giveSlotBack } from './slot';
import type { CopyRun } from './run';
import { summaries } from './ui';
import { checked } from './validate';

export async function describeSource(run: CopyRun): Promise<void> {
  const { v } = run;
  await checkpoint(run, 'before the copy started');
  run.setPhase('describing-source');
  const described = await describe(run).catch((err: unknown) => {
    throw notVisible(run, err) ?? err;
  });
  // The source tags a copy would carry (its aws:, rds: and snapcopy: tags never travel).
  const copiedSourceTags = tagsForCopy({ copyTags: true, sourceTags: described.tags, userTags: [] });
  checked(() =>
    validateAgainstSource(v, {
      encrypted: described.encrypted,
      shared: described.shared,
      tagCount: copiedSourceTags.length,
      tagKeys: copiedSourceTags.map((t) => t.Key),
    }),
  );
  run.sourceFacts = {
    accountId: described.accountId,
    identifier: described.identifier,
    encrypted: described.encrypted,
    shared: described.shared,
    ...(described.kmsKeyId ? { kmsKeyId: described.kmsKeyId } : {}),
  };
  run.source = {
    arn: described.arn,
    region: v.sourceRegion,
    // The account the copy is made in (its copy slots are that account's).
    accountId: run.accounts?.destination ?? v.targetAccountId ?? described.accountId,
    cluster: described.clusterIdentifier,
    // Another Region or another account: the ARN, from which the SDK presigns the request.
    copyIdentifier: v.crossRegion || described.shared ? described.arn : described.identifier,
    tags: tagsForCopy({ copyTags: v.copyTags, sourceTags: described.tags, userTags: v.tags }),
  };
  const recoveryPoint = recoveryPointOfSource(described);
  if (recoveryPoint !== undefined) run.source.recoveryPoint = recoveryPoint;
  run.ui.showSourceCluster(described.clusterIdentifier);
}

/**
 * The recovery point a copy of this source carries: a snapcopy copy's own recovery point (an intermediate
 * copy of a cross-account copy, or a copy of a copy: the ORIGINAL source's time travels on), else the
 * source's creation time. Absent when the description has neither (results recorded before createTime).
 */
export function recoveryPointOfSource(described: SourceSnapshotInfo): string | undefined {
  const carried = isManaged(described.tags) ? tagValue(described.tags, RECOVERY_POINT_TAG) : undefined;
  return carried !== undefined && isIsoInstant(carried) ? carried : described.createTime;
}

function describe(run: CopyRun): Promise<SourceSnapshotInfo> {
  const { v, accounts } = run;
  // The account the source is read from, so the activity can tell a snapshot shared from another account.
  const callerAccountId =
    accounts && (accounts.reader === 'destination' ? accounts.destination : accounts.source);
  const where = { region: v.sourceRegion, ...run.inSource, ...(callerAccountId ? { callerAccountId } : {}) };
  return v.source.form === 'cluster'
    ? quick(
        run.slots,
        'findLatestClusterSnapshot',
        summaries.findNewest(v.source.identifier, v.sourceRegion),
        {
          ...where,
          clusterIdentifier: v.source.identifier,
        },
      )
    : quick(
        run.slots,
        'describeSourceSnapshot',
        summaries.describeSource(v.source.identifier, v.sourceRegion),
        {
          ...where,
          identifier: v.source.identifier,
        },
      );
}

/**
 * The layout that cannot work, said before any change: a source in an account that is neither the worker's
 * nor reachable through SourceRoleArn is read from the destination, so it must already be shared with it.
 */
function notVisible(run: CopyRun, err: unknown): ApplicationFailure | undefined {
  const accounts = run.accounts;
  if (accounts?.reader !== 'destination' || accounts.source === accounts.destination) return undefined;
  if (activityCause(err)?.type !== FailureType.NotFound) return undefined;
  return failure(
    FailureType.InvalidParameterCombination,
    `SourceRoleArn: the source snapshot ${run.v.source.identifier} is in account ${accounts.source}, which is not ` +
      `the worker's own account, and it is not shared with the destination account ${accounts.destination}: ` +
      `give SourceRoleArn (a role in account ${accounts.source}) so that snapcopy shares it, or share it with ` +
      `account ${accounts.destination} first`,
  );
}

/**
 * A schedule running more often than the cluster is snapshotted must not copy the same snapshot again:
 * an available snapcopy copy of this very source in the target Region is the answer.
 */
export async function findExistingCopy(run: CopyRun): Promise<CopyDbClusterSnapshotResult | undefined> {
  const { v, source } = run;
  if (v.source.form !== 'cluster' || !source) return undefined;
  const owned = await quick(
    run.slots,
    'listOwnedCopies',
    summaries.lookForExisting(source.arn, v.targetRegion),
    {
      region: v.targetRegion,
      sourceCluster: source.cluster,
      ...run.inTarget,
    },
  );
  const existing = owned.find(
    (c) => c.status === 'available' && tagValue(c.tags, OWNERSHIP_TAGS.sourceArn) === source.arn,
  );
  const present =
    existing &&
    (await quick(run.slots, 'describeTargetSnapshot', summaries.readExisting(existing.identifier), {
      region: v.targetRegion,
      identifier: existing.identifier,
      ...run.inTarget,
    }));
  if (!present || !existing) return undefined;
  await checkpoint(run);
  await giveSlotBack(run, 'done'); // taken before the source was described: nothing to copy after all
  return finishAlreadyPresent(run, existing.identifier, present);
}
