// List the manual cluster snapshots in a Region that snapcopy made (for pruning on the snapshot quota), each
// with its hold (snapcopy:hold) when it has one.
import type { DBClusterSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { OWNERSHIP_TAGS } from '../shared/names';
import { holdOf } from '../shared/ownership';
import type { Tag } from '../shared/types';
import type { AwsClients } from './clients';
import { snapshotPages } from './snapshot-pages';
import { toActivityFailure } from './errors';
import { isManaged, tagValue, toIso, toTags } from './snapshot-view';
import { readTags } from './target-snapshot';
import type { CopyOfSource, FindCopiesOfSourcesInput, ListOwnedCopiesInput, OwnedCopy } from './types';

/**
 * Tags for each snapshot of a page. AWS and moto 5.2 return TagList in DescribeDBClusterSnapshots; only
 * when no snapshot of the page carries one (an API or emulator without it) is ListTagsForResource asked,
 * once per snapshot, so a page of untagged snapshots from a TagList-aware API costs nothing extra.
 */
async function pageTags(rds: RDSClient, page: DBClusterSnapshot[]): Promise<Tag[][]> {
  if (page.some((s) => s.TagList !== undefined)) return page.map((s) => toTags(s.TagList));
  const tags: Tag[][] = [];
  for (const s of page) tags.push(await readTags(rds, s)); // sequential: describe calls are throttled account-wide
  return tags;
}

/** snapcopy-owned manual copies in the Region, oldest first. */
export async function listOwnedCopies(
  clients: AwsClients,
  input: ListOwnedCopiesInput,
): Promise<OwnedCopy[]> {
  const rds = clients.rds(input.region, input.role);
  const owned: OwnedCopy[] = [];
  try {
    const pages = snapshotPages(rds, { SnapshotType: 'manual' });
    for await (const out of pages) {
      const page = out.DBClusterSnapshots ?? [];
      const tagsOfPage = await pageTags(rds, page);
      page.forEach((s, i) => {
        const tags = tagsOfPage[i] ?? [];
        if (!isManaged(tags) || !s.DBClusterSnapshotIdentifier || !s.DBClusterSnapshotArn) return;
        const sourceCluster = tagValue(tags, OWNERSHIP_TAGS.sourceCluster);
        if (input.sourceCluster !== undefined && sourceCluster !== input.sourceCluster) return;
        const workflowId = tagValue(tags, OWNERSHIP_TAGS.workflowId);
        const createTime = toIso(s.SnapshotCreateTime);
        const hold = holdOf(tags);
        owned.push({
          identifier: s.DBClusterSnapshotIdentifier,
          arn: s.DBClusterSnapshotArn,
          status: s.Status ?? 'unknown',
          ...(createTime ? { createTime } : {}),
          ...(sourceCluster !== undefined ? { sourceCluster } : {}),
          ...(workflowId !== undefined ? { workflowId } : {}),
          ...(hold !== undefined ? { hold } : {}),
          tags,
        });
      });
    }
  } catch (err) {
    throw toActivityFailure(err, `Listing snapcopy-owned DB cluster snapshots in ${input.region}`);
  }
  // Oldest first (what pruning wants); copies without a create time sort last.
  return owned.sort((a, b) => (a.createTime ?? '\uffff').localeCompare(b.createTime ?? '\uffff'));
}

/**
 * snapcopy's available copies, in the Region, of any of the given sources (by the ownership tag
 * snapcopy:source-arn): how a plan run knows a cluster's newest snapshot is there already. Only the
 * matches travel back, so a Region with thousands of copies answers a small payload.
 */
export async function findCopiesOfSources(
  clients: AwsClients,
  input: FindCopiesOfSourcesInput,
): Promise<CopyOfSource[]> {
  const wanted = new Set(input.sourceArns);
  const owned = await listOwnedCopies(clients, { region: input.region });
  return owned.flatMap((c) => {
    const sourceArn = tagValue(c.tags, OWNERSHIP_TAGS.sourceArn);
    return c.status === 'available' && sourceArn !== undefined && wanted.has(sourceArn)
      ? [{ sourceArn, identifier: c.identifier, arn: c.arn }]
      : [];
  });
}
