// Activity implementations; the workflow uses `proxyActivities<ReturnType<typeof createActivities>>`.
import { createAwsClients, type AwsClients } from './clients';
import {
  callerAccount,
  checkSourceKey,
  shareSnapshot,
  snapshotSharedWith,
  unshareSnapshot,
} from './cross-account';
import { countCopiesInFlight, type CountCopiesInFlightInput } from './copies-in-flight';
import { createSlotActivities, noSlotActivities, type SlotActivitiesOptions } from './copy-slots';
import { resolveKmsKey } from './kms-key';
import { publishPlanReport } from './notify';
import { findCopiesOfSources, listOwnedCopies } from './owned-copies';
import { describeSourceSnapshot } from './source-snapshot';
import { findLatestClusterSnapshot } from './latest-snapshot';
import { findPlanSources } from './plan-sources';
import { startCopy } from './start-copy';
import { deleteOwnedSnapshot, describeTargetSnapshot } from './target-snapshot';
import type {
  CallerAccountInput,
  CheckSourceKeyInput,
  ShareSnapshotInput,
  ShareSnapshotResult,
  SourceKeyInfo,
  CopyOfSource,
  FindCopiesOfSourcesInput,
  DeleteOwnedSnapshotInput,
  DeleteOwnedSnapshotResult,
  DescribeSourceInput,
  DescribeTargetInput,
  FindLatestSnapshotInput,
  FindPlanSourcesInput,
  ListOwnedCopiesInput,
  OwnedCopy,
  PlanSources,
  PublishPlanReportInput,
  PublishPlanReportResult,
  ResolvedKmsKey,
  ResolveKmsKeyInput,
  SourceSnapshotInfo,
  StartCopyInput,
  StartCopyResult,
} from './types';
import type { DBClusterSnapshotView } from '../shared/types';

export function createActivities(clients: AwsClients = createAwsClients(), slots?: SlotActivitiesOptions) {
  return {
    ...(slots ? createSlotActivities(slots) : noSlotActivities()),
    countCopiesInFlight: (input: CountCopiesInFlightInput): Promise<number> =>
      countCopiesInFlight(clients, input),
    describeSourceSnapshot: (input: DescribeSourceInput): Promise<SourceSnapshotInfo> =>
      describeSourceSnapshot(clients, input),
    findLatestClusterSnapshot: (input: FindLatestSnapshotInput): Promise<SourceSnapshotInfo> =>
      findLatestClusterSnapshot(clients, input),
    findPlanSources: (input: FindPlanSourcesInput): Promise<PlanSources> => findPlanSources(clients, input),
    resolveKmsKey: (input: ResolveKmsKeyInput): Promise<ResolvedKmsKey> => resolveKmsKey(clients, input),
    startCopy: (input: StartCopyInput): Promise<StartCopyResult> => startCopy(clients, input),
    describeTargetSnapshot: (input: DescribeTargetInput): Promise<DBClusterSnapshotView | null> =>
      describeTargetSnapshot(clients, input),
    deleteOwnedSnapshot: (input: DeleteOwnedSnapshotInput): Promise<DeleteOwnedSnapshotResult> =>
      deleteOwnedSnapshot(clients, input),
    listOwnedCopies: (input: ListOwnedCopiesInput): Promise<OwnedCopy[]> => listOwnedCopies(clients, input),
    findCopiesOfSources: (input: FindCopiesOfSourcesInput): Promise<CopyOfSource[]> =>
      findCopiesOfSources(clients, input),
    callerAccount: (input: CallerAccountInput): Promise<string> => callerAccount(clients, input),
    snapshotSharedWith: (input: ShareSnapshotInput): Promise<string[]> => snapshotSharedWith(clients, input),
    shareSnapshot: (input: ShareSnapshotInput): Promise<ShareSnapshotResult> => shareSnapshot(clients, input),
    unshareSnapshot: (input: ShareSnapshotInput): Promise<ShareSnapshotResult> =>
      unshareSnapshot(clients, input),
    checkSourceKey: (input: CheckSourceKeyInput): Promise<SourceKeyInfo> => checkSourceKey(clients, input),
    publishPlanReport: (input: PublishPlanReportInput): Promise<PublishPlanReportResult> =>
      publishPlanReport(clients, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;

export { createAwsClients, activityAbortSignal, type AwsClients, type AwsClientsOptions } from './clients';
export {
  ActivityFailureType,
  classifyAwsError,
  classifyQuotaMessage,
  toActivityFailure,
  type AwsErrorClassification,
} from './errors';
export type * from './types';
export { createSlotActivities, type SlotActivitiesOptions } from './copy-slots';
export type { RequestCopySlotInput, RequestCopySlotResult, ReleaseCopySlotInput } from './copy-slots';
