// Describe the target snapshot, and delete a snapshot only when snapcopy's ownership tags say it may and no
// hold (snapcopy:hold) is on it.
import {
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  type DBClusterSnapshot,
  type DescribeDBClusterSnapshotsCommandInput,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { isArn } from '../shared/arn';
import { deleteRefusal } from '../shared/ownership';
import type { DBClusterSnapshotView, Tag } from '../shared/types';
import { sendOptions, type AwsClients } from './clients';
import { ActivityFailureType, fault, retryableFailure, toActivityFailure } from './errors';
import { ageOf, snapshotLookups } from './snapshot-lookups';
import { toSnapshotView, toTags } from './snapshot-view';
import type { DeleteOwnedSnapshotInput, DeleteOwnedSnapshotResult, DescribeTargetInput } from './types';

function awsName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** One snapshot by identifier, or null when AWS says it does not exist. Other errors are thrown raw. */
export async function describeClusterSnapshot(
  rds: RDSClient,
  identifier: string,
  extra: Omit<DescribeDBClusterSnapshotsCommandInput, 'DBClusterSnapshotIdentifier'> = {},
): Promise<DBClusterSnapshot | null> {
  // A plain name shares its call with the lookups of the same account and Region made meanwhile.
  if (Object.keys(extra).length === 0 && !isArn(identifier)) {
    return snapshotLookups(rds).lookup(identifier, sendOptions().abortSignal);
  }
  try {
    const out = await rds.send(
      new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier, ...extra }),
      sendOptions(),
    );
    return out.DBClusterSnapshots?.[0] ?? null;
  } catch (err) {
    if (awsName(err) === 'DBClusterSnapshotNotFoundFault') return null;
    throw err;
  }
}

/**
 * The snapshot's tags: TagList from the describe (AWS and moto 5.2 both return it), else ListTagsForResource.
 */
export async function readTags(rds: RDSClient, snapshot: DBClusterSnapshot): Promise<Tag[]> {
  if (snapshot.TagList !== undefined) return toTags(snapshot.TagList);
  if (!snapshot.DBClusterSnapshotArn) return [];
  const out = await rds.send(
    new ListTagsForResourceCommand({ ResourceName: snapshot.DBClusterSnapshotArn }),
    sendOptions(),
  );
  return toTags(out.TagList);
}

/** A sighting of the target and how old it is (snapshot-lookups: a recent one of another call may serve). */
export interface TargetSighting {
  view: DBClusterSnapshotView | null;
  ageMs: number;
}

/**
 * The target as a follow poll sees it: one of the copies being followed in its account and Region, which every
 * call there asks for too (one call answers for all of them); a sighting at most `maxAgeMs` old serves.
 */
export async function sightTargetSnapshot(
  clients: AwsClients,
  input: DescribeTargetInput,
  maxAgeMs: number,
): Promise<TargetSighting> {
  const rds = clients.rds(input.region, input.role);
  const lookups = snapshotLookups(rds);
  try {
    const abortSignal = sendOptions().abortSignal;
    const sighting = await lookups.sight(input.identifier, {
      follow: true,
      maxAgeMs,
      ...(abortSignal ? { signal: abortSignal } : {}),
    });
    const ageMs = ageOf(lookups, sighting);
    const { snapshot } = sighting;
    return { view: snapshot && toSnapshotView(snapshot, await readTags(rds, snapshot)), ageMs };
  } catch (err) {
    throw toActivityFailure(err, `Describing DB cluster snapshot '${input.identifier}' in ${input.region}`);
  }
}

export async function describeTargetSnapshot(
  clients: AwsClients,
  input: DescribeTargetInput,
): Promise<DBClusterSnapshotView | null> {
  const rds = clients.rds(input.region, input.role);
  try {
    const snapshot = await describeClusterSnapshot(rds, input.identifier);
    if (!snapshot) return null;
    return toSnapshotView(snapshot, await readTags(rds, snapshot));
  } catch (err) {
    throw toActivityFailure(err, `Describing DB cluster snapshot '${input.identifier}' in ${input.region}`);
  }
}

export { ownershipRefusal } from '../shared/ownership';

export async function deleteOwnedSnapshot(
  clients: AwsClients,
  input: DeleteOwnedSnapshotInput,
): Promise<DeleteOwnedSnapshotResult> {
  const rds = clients.rds(input.region, input.role);
  const what = `DB cluster snapshot '${input.identifier}' in ${input.region}`;
  let tags: Tag[];
  try {
    const snapshot = await describeClusterSnapshot(rds, input.identifier);
    if (!snapshot) return { result: 'absent' };
    // Read just before the delete: a copy that finished meanwhile is not an unfinished one to clean up.
    if (input.unlessAvailable && snapshot.Status === 'available') return { result: 'kept' };
    tags = await readTags(rds, snapshot);
  } catch (err) {
    throw toActivityFailure(err, `Describing ${what} before deleting it`);
  }

  // Never delete what snapcopy did not make (or what another workflow owns), nor a snapshot on hold: the
  // tags were read just now, so a hold set after the caller listed the snapshot still wins.
  const refusal = deleteRefusal(tags, input.workflowId);
  if (refusal?.type === ActivityFailureType.Held) {
    throw fault(refusal.type, `Refusing to delete ${what}: ${refusal.reason}`, [
      { identifier: input.identifier, hold: refusal.hold ?? '' },
    ]);
  }
  if (refusal) throw fault(refusal.type, `Refusing to delete ${what}: ${refusal.reason}`);

  try {
    await rds.send(
      new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: input.identifier }),
      sendOptions(),
    );
    return { result: 'deleted' };
  } catch (err) {
    const name = awsName(err);
    if (name === 'DBClusterSnapshotNotFoundFault') return { result: 'absent' };
    if (name === 'InvalidDBClusterSnapshotStateFault') {
      // A snapshot in transition (e.g. just created, being shared) becomes deletable: let Temporal retry.
      throw retryableFailure(
        ActivityFailureType.SnapshotBusy,
        `Deleting ${what}: ${err instanceof Error ? err.message : String(err)} [${name}]`,
        err,
      );
    }
    throw toActivityFailure(err, `Deleting ${what}`);
  }
}
