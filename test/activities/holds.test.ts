// Holds in the AWS activities: deleteOwnedSnapshot re-reads the tags right before deleting and refuses a
// snapshot on hold (SnapshotHeld, non-retryable, the reason in details), whatever called it; listOwnedCopies
// reports each copy's hold.
import {
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOLD_TAG } from '../../src/shared/names';
import { activities, expectFailure, ownedTags, snapshot, TARGET_REGION, WORKFLOW_ID } from './helpers';

const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

const target = { region: TARGET_REGION, identifier: 'copy1' };
const held = (reason: string, workflowId?: string) => [
  ...ownedTags(workflowId),
  { Key: HOLD_TAG, Value: reason },
];

describe('deleteOwnedSnapshot and holds', () => {
  it('refuses a held copy with SnapshotHeld (non-retryable, reason in details) and never sends the delete', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: held('legal INC-42') })],
    });
    rds.on(DeleteDBClusterSnapshotCommand).resolves({});
    const failure = await expectFailure(
      activities().deleteOwnedSnapshot(target),
      'SnapshotHeld',
      true,
      "'copy1'",
      'snapcopy:hold',
      'legal INC-42',
    );
    expect(failure.details?.[0]).toEqual({ identifier: 'copy1', hold: 'legal INC-42' });
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('an empty hold value is still a hold', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: held('') })],
    });
    await expectFailure(activities().deleteOwnedSnapshot(target), 'SnapshotHeld', true, 'no reason given');
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it("refuses this workflow's own unfinished target when it is on hold (the cancel path)", async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('copy1', TARGET_REGION, { Status: 'copying', TagList: held('keep it', WORKFLOW_ID) }),
      ],
    });
    await expectFailure(
      activities().deleteOwnedSnapshot({ ...target, workflowId: WORKFLOW_ID }),
      'SnapshotHeld',
      true,
    );
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('reads the hold through ListTagsForResource when the describe has no TagList', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: undefined })],
    });
    rds.on(ListTagsForResourceCommand).resolves({ TagList: held('audit') });
    await expectFailure(activities().deleteOwnedSnapshot(target), 'SnapshotHeld', true, 'audit');
    expect(rds.commandCalls(DeleteDBClusterSnapshotCommand)).toHaveLength(0);
  });

  it('a hold on a snapshot snapcopy does not own: the ownership refusal comes first', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [snapshot('copy1', TARGET_REGION, { TagList: [{ Key: HOLD_TAG, Value: 'x' }] })],
    });
    await expectFailure(activities().deleteOwnedSnapshot(target), 'SnapshotNotOwnedBySnapcopy', true);
  });

  it('the hold tag key is exact: a look-alike key is no hold, and the copy is deleted', async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('copy1', TARGET_REGION, {
          TagList: [...ownedTags(), { Key: 'snapcopy:holds', Value: 'x' }],
        }),
      ],
    });
    rds.on(DeleteDBClusterSnapshotCommand).resolves({});
    await expect(activities().deleteOwnedSnapshot(target)).resolves.toEqual({ result: 'deleted' });
  });
});

describe('listOwnedCopies and holds', () => {
  it("carries each copy's hold reason; copies without one have none", async () => {
    rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        snapshot('a', TARGET_REGION, { TagList: held('legal') }),
        snapshot('b', TARGET_REGION, { TagList: ownedTags() }),
      ],
    });
    const owned = await activities().listOwnedCopies({ region: TARGET_REGION });
    const byId = new Map(owned.map((c) => [c.identifier, c]));
    expect(byId.get('a')?.hold).toBe('legal');
    expect(byId.get('b')).not.toHaveProperty('hold');
  });
});
