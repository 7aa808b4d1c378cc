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
import { createRestoreHistoryActivities, noRestoreHistoryActivities } from './restore-history';
import { createShareActivities, noShareActivities } from './shares';
import { publishPlanReport, publishRpoTurn, type PublishRpoTurnInput } from './notify';
import { findCopiesOfSources, listOwnedCopies } from './owned-copies';
import { describeSourceSnapshot } from './source-snapshot';
import { findLatestClusterSnapshot } from './latest-snapshot';
import { findPlanSources } from './plan-sources';
import { listRecoveryPoints, planClustersNow, type ListRecoveryPointsInput } from './recovery-points';
import {
  createWriterInstance,
  deleteThrowawayCluster,
  deleteThrowawayInstance,
  describeRestorableSnapshot,
  describeThrowawayCluster,
  describeThrowawayInstance,
  enableDataApi,
  restoreThrowawayCluster,
  runSqlCheck,
} from './restore-test';
import { startCopy } from './start-copy';
import { deleteOwnedSnapshot, describeTargetSnapshot } from './target-snapshot';
import { followTargetSnapshot } from './follow-target';
import type {
  CallerAccountInput,
  FollowTargetInput,
  FollowTargetResult,
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

/** The activities that call Temporal, not AWS: copy slots and source shares. */
export function createTemporalActivities(opts: SlotActivitiesOptions) {
  return {
    ...createSlotActivities(opts),
    ...createShareActivities(opts),
    ...createRestoreHistoryActivities(opts),
  };
}

export type TemporalActivities = ReturnType<typeof createTemporalActivities>;

/** For workers without a Temporal client (activity unit tests): activities that say so. */
export function noTemporalActivities(): TemporalActivities {
  return { ...noSlotActivities(), ...noShareActivities(), ...noRestoreHistoryActivities() };
}

export function createActivities(clients: AwsClients = createAwsClients(), slots?: SlotActivitiesOptions) {
  // The account of each set of credentials, asked of STS once per worker (not per copy); a failure is not kept.
  const accounts = new Map<string, Promise<string>>();
  const accountOf = (input: CallerAccountInput): Promise<string> => {
    const key = input.role ? `${input.role.roleArn}|${input.role.externalId ?? ''}` : '';
    let account = accounts.get(key);
    if (!account) {
      account = callerAccount(clients, input);
      accounts.set(key, account);
      account.catch(() => accounts.delete(key));
    }
    return account;
  };
  return {
    ...(slots ? createTemporalActivities(slots) : noTemporalActivities()),
    countCopiesInFlight: (input: CountCopiesInFlightInput): Promise<number> =>
      countCopiesInFlight(clients, input),
    describeSourceSnapshot: (input: DescribeSourceInput): Promise<SourceSnapshotInfo> =>
      describeSourceSnapshot(clients, input),
    findLatestClusterSnapshot: (input: FindLatestSnapshotInput): Promise<SourceSnapshotInfo> =>
      findLatestClusterSnapshot(clients, input),
    findPlanSources: (input: FindPlanSourcesInput): Promise<PlanSources> => findPlanSources(clients, input),
    planClustersNow: (input: FindPlanSourcesInput) => planClustersNow(clients, input),
    listRecoveryPoints: (input: ListRecoveryPointsInput) => listRecoveryPoints(clients, input),
    resolveKmsKey: (input: ResolveKmsKeyInput): Promise<ResolvedKmsKey> => resolveKmsKey(clients, input),
    startCopy: (input: StartCopyInput): Promise<StartCopyResult> => startCopy(clients, input),
    describeTargetSnapshot: (input: DescribeTargetInput): Promise<DBClusterSnapshotView | null> =>
      describeTargetSnapshot(clients, input),
    followTargetSnapshot: (input: FollowTargetInput): Promise<FollowTargetResult> =>
      followTargetSnapshot(clients, input),
    deleteOwnedSnapshot: (input: DeleteOwnedSnapshotInput): Promise<DeleteOwnedSnapshotResult> =>
      deleteOwnedSnapshot(clients, input),
    listOwnedCopies: (input: ListOwnedCopiesInput): Promise<OwnedCopy[]> => listOwnedCopies(clients, input),
    findCopiesOfSources: (input: FindCopiesOfSourcesInput): Promise<CopyOfSource[]> =>
      findCopiesOfSources(clients, input),
    callerAccount: accountOf,
    snapshotSharedWith: (input: ShareSnapshotInput): Promise<string[]> => snapshotSharedWith(clients, input),
    shareSnapshot: (input: ShareSnapshotInput): Promise<ShareSnapshotResult> => shareSnapshot(clients, input),
    unshareSnapshot: (input: ShareSnapshotInput): Promise<ShareSnapshotResult> =>
      unshareSnapshot(clients, input),
    checkSourceKey: (input: CheckSourceKeyInput): Promise<SourceKeyInfo> => checkSourceKey(clients, input),
    publishPlanReport: (input: PublishPlanReportInput): Promise<PublishPlanReportResult> =>
      publishPlanReport(clients, input),
    publishRpoTurn: (input: PublishRpoTurnInput): Promise<PublishPlanReportResult> =>
      publishRpoTurn(clients, input),
    // Restore tests (verifyCopy)
    describeRestorableSnapshot: (input: Parameters<typeof describeRestorableSnapshot>[1]) =>
      describeRestorableSnapshot(clients, input),
    restoreThrowawayCluster: (input: Parameters<typeof restoreThrowawayCluster>[1]) =>
      restoreThrowawayCluster(clients, input),
    describeThrowawayCluster: (input: Parameters<typeof describeThrowawayCluster>[1]) =>
      describeThrowawayCluster(clients, input),
    createWriterInstance: (input: Parameters<typeof createWriterInstance>[1]) =>
      createWriterInstance(clients, input),
    describeThrowawayInstance: (input: Parameters<typeof describeThrowawayInstance>[1]) =>
      describeThrowawayInstance(clients, input),
    deleteThrowawayInstance: (input: Parameters<typeof deleteThrowawayInstance>[1]) =>
      deleteThrowawayInstance(clients, input),
    deleteThrowawayCluster: (input: Parameters<typeof deleteThrowawayCluster>[1]) =>
      deleteThrowawayCluster(clients, input),
    enableDataApi: (input: Parameters<typeof enableDataApi>[1]) => enableDataApi(clients, input),
    runSqlCheck: (input: Parameters<typeof runSqlCheck>[1]) => runSqlCheck(clients, input),
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
export type * from './restore-test';
export type { LastPassed, LastPassedInput } from './restore-history';
export { createSlotActivities, type SlotActivitiesOptions } from './copy-slots';
export type { RequestCopySlotInput, RequestCopySlotResult, ReleaseCopySlotInput } from './copy-slots';
