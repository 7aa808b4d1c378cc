// DescribeDBClusterSnapshots page by page through the SDK's paginator, with the activity's AbortSignal.
import {
  DescribeDBClusterSnapshotsCommand,
  paginateDescribeDBClusterSnapshots,
  type DescribeDBClusterSnapshotsCommandInput,
  type DescribeDBClusterSnapshotsCommandOutput,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { sendOptions } from './clients';

/** AWS's largest page. */
export const PAGE_SIZE = 100;

/**
 * The pages of a DescribeDBClusterSnapshots listing. The paginator reuses one input object and writes each
 * page's Marker into it; every request here gets its own copy, so what was sent stays what was sent.
 */
export function snapshotPages(
  rds: RDSClient,
  input: Omit<DescribeDBClusterSnapshotsCommandInput, 'Marker' | 'MaxRecords'>,
): AsyncIterable<DescribeDBClusterSnapshotsCommandOutput> {
  return paginateDescribeDBClusterSnapshots(
    {
      client: rds,
      pageSize: PAGE_SIZE,
      withCommand: (command) =>
        new DescribeDBClusterSnapshotsCommand({
          ...(command.input as DescribeDBClusterSnapshotsCommandInput),
        }),
    },
    { ...input },
    sendOptions(),
  );
}
