// `snapcopy hold`, the report (AWS): put a hold on a snapcopy copy, take it off, list the held copies. A hold
// is the tag snapcopy:hold (the value: the reason); snapcopy never deletes a snapshot that carries it.
import {
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  type DBClusterSnapshot,
} from '@aws-sdk/client-rds';
import type { Activities } from '../../../activities';
import type { AwsClients } from '../../../activities/clients';
import { toActivityFailure } from '../../../activities/errors';
import { toIso } from '../../../activities/snapshot-view';
import { describeClusterSnapshot, readTags } from '../../../activities/target-snapshot';
import type { AssumedRole } from '../../../shared/cross-account';
import { HOLD_TAG, MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../../shared/names';
import { holdOf, isManaged, tagValue } from '../../../shared/ownership';
import type { Tag } from '../../../shared/types';
import { CliError } from '../../errors';
import type { HoldTarget } from './flags';

export interface HoldChange {
  action: 'set' | 'clear';
  identifier: string;
  arn: string;
  region: string;
  /** set: the reason now on it; clear: the reason taken off (absent: there was no hold). */
  hold?: string;
  /** set: the reason it had before (absent: none); replaced by this one. */
  previous?: string;
  /** false: nothing to do (clear of a snapshot without a hold). */
  changed: boolean;
}

export interface HeldCopy {
  identifier: string;
  arn: string;
  region: string;
  hold: string;
  sourceCluster?: string;
  status: string;
  createTime?: string;
}

/** The snapshot with its tags; a one-line error when it is not there. */
async function snapshotOf(
  clients: AwsClients,
  t: HoldTarget,
): Promise<{ snapshot: DBClusterSnapshot; arn: string; tags: Tag[] }> {
  const rds = clients.rds(t.region, t.role);
  try {
    const snapshot = await describeClusterSnapshot(rds, t.snapshot);
    if (!snapshot?.DBClusterSnapshotArn) {
      throw new CliError(`no DB cluster snapshot '${t.snapshot}' in ${t.region}`);
    }
    return { snapshot, arn: snapshot.DBClusterSnapshotArn, tags: await readTags(rds, snapshot) };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw toActivityFailure(err, `Describing DB cluster snapshot '${t.snapshot}' in ${t.region}`);
  }
}

/**
 * Puts the hold on a snapshot snapcopy manages (snapcopy:managed=true); anything else is refused: snapcopy
 * never deletes it, so a hold would promise nothing. A hold already there gets the new reason.
 */
export async function setHold(clients: AwsClients, t: HoldTarget, reason: string): Promise<HoldChange> {
  const { snapshot, arn, tags } = await snapshotOf(clients, t);
  const identifier = snapshot.DBClusterSnapshotIdentifier ?? t.snapshot;
  if (!isManaged(tags)) {
    const managed = tagValue(tags, OWNERSHIP_TAGS.managed);
    throw new CliError(
      `refusing to hold ${identifier} in ${t.region}: it is not a snapcopy copy (${managed === undefined ? `no tag ${OWNERSHIP_TAGS.managed}=${MANAGED_TAG_VALUE}` : `${OWNERSHIP_TAGS.managed} is '${managed}'`}); snapcopy never deletes it, so it needs no hold`,
    );
  }
  const previous = holdOf(tags);
  try {
    await clients
      .rds(t.region, t.role)
      .send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: HOLD_TAG, Value: reason }] }));
  } catch (err) {
    throw toActivityFailure(err, `Tagging ${identifier} in ${t.region} with ${HOLD_TAG}`);
  }
  return {
    action: 'set',
    identifier,
    arn,
    region: t.region,
    hold: reason,
    ...(previous !== undefined ? { previous } : {}),
    changed: previous !== reason,
  };
}

/** Takes the hold off (any snapshot that carries one); a snapshot without a hold is left as it is. */
export async function clearHold(clients: AwsClients, t: HoldTarget): Promise<HoldChange> {
  const { snapshot, arn, tags } = await snapshotOf(clients, t);
  const identifier = snapshot.DBClusterSnapshotIdentifier ?? t.snapshot;
  const hold = holdOf(tags);
  if (hold === undefined) return { action: 'clear', identifier, arn, region: t.region, changed: false };
  try {
    await clients
      .rds(t.region, t.role)
      .send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: [HOLD_TAG] }));
  } catch (err) {
    throw toActivityFailure(err, `Removing ${HOLD_TAG} from ${identifier} in ${t.region}`);
  }
  return { action: 'clear', identifier, arn, region: t.region, hold, changed: true };
}

/** The held snapcopy copies in each Region (every page of DescribeDBClusterSnapshots), oldest first. */
export async function listHolds(
  activities: Activities,
  regions: string[],
  role?: AssumedRole,
): Promise<HeldCopy[]> {
  const held: HeldCopy[] = [];
  for (const region of regions) {
    const copies = await activities.listOwnedCopies({ region, ...(role ? { role } : {}) });
    for (const c of copies) {
      const hold = c.hold ?? holdOf(c.tags);
      if (hold === undefined) continue;
      held.push({
        identifier: c.identifier,
        arn: c.arn,
        region,
        hold,
        status: c.status,
        ...(c.sourceCluster !== undefined ? { sourceCluster: c.sourceCluster } : {}),
        ...(toIso(c.createTime) ? { createTime: toIso(c.createTime) } : {}),
      });
    }
  }
  return held;
}
