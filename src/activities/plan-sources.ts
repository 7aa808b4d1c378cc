// What a plan run copies: the clusters a plan names and/or selects by tags (DescribeDBClusters, page by
// page; TagList comes with each cluster), and each one's newest available snapshot, looked up at run time.
import {
  DescribeDBClustersCommand,
  paginateDescribeDBClusters,
  type DBCluster,
  type DescribeDBClustersCommandInput,
} from '@aws-sdk/client-rds';
import { heartbeatIfActive as heartbeat, sendOptions, type AwsClients } from './clients';
import { toActivityFailure } from './errors';
import { newestSnapshotOf } from './latest-snapshot';
import { toTags } from './snapshot-view';
import type { FindPlanSourcesInput, PlanSources } from './types';

/** AWS's largest DescribeDBClusters page. */
const CLUSTER_PAGE_SIZE = 100;

/** The clusters a plan names and/or selects by tags, as they are now: one DescribeDBClusters listing. */
export interface ChosenClusters {
  /** Chosen clusters that exist, lowercased and sorted. */
  chosen: string[];
  /** Clusters the plan names that do not exist in the Region. */
  missing: string[];
}

export async function choosePlanClusters(
  clients: AwsClients,
  input: FindPlanSourcesInput,
): Promise<ChosenClusters> {
  const rds = clients.rds(input.region, input.role);
  const named = new Set(input.clusters.map((c) => c.toLowerCase()));
  const wanted = Object.entries(input.tags);
  const chosen = new Set<string>();
  const seen = new Set<string>();
  try {
    const pages = paginateDescribeDBClusters(
      {
        client: rds,
        pageSize: CLUSTER_PAGE_SIZE,
        withCommand: (command) =>
          new DescribeDBClustersCommand({ ...(command.input as DescribeDBClustersCommandInput) }),
      },
      {},
      sendOptions(),
    );
    for await (const page of pages) {
      for (const cluster of page.DBClusters ?? []) {
        const id = cluster.DBClusterIdentifier?.toLowerCase();
        if (id === undefined) continue;
        seen.add(id);
        if (named.has(id) || (wanted.length > 0 && carriesAll(cluster, wanted))) chosen.add(id);
      }
      heartbeat();
    }
  } catch (err) {
    throw toActivityFailure(err, `Listing the DB clusters in ${input.region}`);
  }
  return { chosen: [...chosen].sort(), missing: [...named].filter((c) => !seen.has(c)).sort() };
}

export async function findPlanSources(
  clients: AwsClients,
  input: FindPlanSourcesInput,
): Promise<PlanSources> {
  const { chosen, missing } = await choosePlanClusters(clients, input);
  const rds = clients.rds(input.region, input.role);
  const sources: PlanSources['sources'] = [];
  for (const cluster of chosen) {
    try {
      const newest = await newestSnapshotOf(rds, cluster);
      sources.push(
        newest?.DBClusterSnapshotArn && newest.SnapshotCreateTime
          ? {
              cluster,
              snapshot: {
                arn: newest.DBClusterSnapshotArn,
                identifier: newest.DBClusterSnapshotIdentifier ?? newest.DBClusterSnapshotArn,
                createdAt: newest.SnapshotCreateTime.toISOString(),
                encrypted: newest.StorageEncrypted === true,
              },
            }
          : { cluster },
      );
    } catch (err) {
      throw toActivityFailure(err, `Listing the snapshots of cluster '${cluster}' in ${input.region}`);
    }
    heartbeat();
  }
  return { sources, missing };
}

function carriesAll(cluster: DBCluster, wanted: [string, string][]): boolean {
  const tags = new Map(toTags(cluster.TagList).map((t) => [t.Key, t.Value]));
  return wanted.every(([k, v]) => tags.get(k) === v);
}
