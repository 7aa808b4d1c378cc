// The chaos suite's AWS side, through the real SDK against the emulator (never faulted: faults are set only
// while the copies run): encrypted source snapshots, destination keys, snapshots snapcopy must never touch,
// older snapcopy copies it may prune, and the final inventory.
import { KMSClient } from '@aws-sdk/client-kms';
import { paginateDescribeDBClusterSnapshots, RDSClient, type Tag as SdkTag } from '@aws-sdk/client-rds';
import { MANAGED_TAG_VALUE, OWNERSHIP_TAGS } from '../../src/shared/names';
import { createCluster, createKey, createSnapshot } from '../lib/aws-fixtures';
import { EMULATOR_CREDENTIALS } from '../lib/emulator';

export const SOURCE_REGION = 'us-east-1';
export const KEY_ALIAS = 'alias/snapcopy-chaos';

export interface Snapshot {
  region: string;
  identifier: string;
  status: string;
  tags: { Key: string; Value: string }[];
}

export class ChaosAws {
  private readonly rdsClients = new Map<string, RDSClient>();
  private readonly kmsClients = new Map<string, KMSClient>();

  constructor(private readonly endpoint: string) {}

  rds(region: string): RDSClient {
    let c = this.rdsClients.get(region);
    if (!c) this.rdsClients.set(region, (c = new RDSClient(this.config(region))));
    return c;
  }

  kms(region: string): KMSClient {
    let c = this.kmsClients.get(region);
    if (!c) this.kmsClients.set(region, (c = new KMSClient(this.config(region))));
    return c;
  }

  private config(region: string) {
    return { region, endpoint: this.endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 5 };
  }

  /** A key (with the chaos alias) in the Region; answers its ARN. */
  async key(region: string): Promise<string> {
    return (await createKey(this.kms(region), KEY_ALIAS, { description: 'snapcopy chaos' })).keyArn;
  }

  async cluster(region: string, id: string, kmsKeyId?: string): Promise<void> {
    await createCluster(this.rds(region), id, kmsKeyId ? { kmsKeyId } : {});
  }

  /** A manual snapshot of `cluster`; answers its ARN. */
  snapshot(region: string, cluster: string, id: string, tags: SdkTag[] = []): Promise<string> {
    return createSnapshot(this.rds(region), cluster, id, tags);
  }

  /** A copy an earlier snapcopy run made of `sourceCluster` (ownership tags as start-copy writes them). */
  ownedTags(sourceCluster: string, workflowId: string, sourceArn: string): SdkTag[] {
    return [
      { Key: OWNERSHIP_TAGS.managed, Value: MANAGED_TAG_VALUE },
      { Key: OWNERSHIP_TAGS.sourceCluster, Value: sourceCluster },
      { Key: OWNERSHIP_TAGS.sourceArn, Value: sourceArn },
      { Key: OWNERSHIP_TAGS.workflowId, Value: workflowId },
    ];
  }

  /** Every manual cluster snapshot in the Region, with its tags. */
  async inventory(region: string): Promise<Snapshot[]> {
    const found: Snapshot[] = [];
    for await (const page of paginateDescribeDBClusterSnapshots(
      { client: this.rds(region), pageSize: 100 },
      { SnapshotType: 'manual' },
    )) {
      for (const s of page.DBClusterSnapshots ?? []) {
        found.push({
          region,
          identifier: s.DBClusterSnapshotIdentifier ?? '',
          status: s.Status ?? 'unknown',
          tags: (s.TagList ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
        });
      }
    }
    return found;
  }

  destroy(): void {
    for (const c of [...this.rdsClients.values(), ...this.kmsClients.values()]) c.destroy();
  }
}

/** Tags as a comparable string (order-free). */
export function tagText(tags: { Key: string; Value: string }[]): string {
  return tags
    .map((t) => `${t.Key}=${t.Value}`)
    .sort()
    .join(',');
}
