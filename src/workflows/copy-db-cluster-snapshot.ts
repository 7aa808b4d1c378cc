// The copyDbClusterSnapshot workflow: CopyDBClusterSnapshot as a durable process. Deterministic
// orchestration only; every AWS call is an activity (src/activities).
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityFunctionWithOptions,
  type ActivityOptions,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { OwnedCopy, QuotaFailureDetails, SourceSnapshotInfo } from '../activities/types';
import { cancelSignal, progressQuery } from '../shared/contract';
import { deriveTargetIdentifier } from '../shared/derive';
import {
  FailureType,
  NON_RETRYABLE_FAILURE_TYPES,
  OWNERSHIP_TAGS,
  SNAPSHOT_NOT_OWNED,
} from '../shared/names';
import { estimateEtaSeconds, nextPollDelaySeconds, type ProgressSample } from '../shared/polling';
import { isOwnedBy, tagValue } from '../shared/ownership';
import { selectSnapshotsToPrune } from '../shared/prune';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../shared/search-attributes';
import { tagsForCopy } from '../shared/tags';
import type {
  CopyDbClusterSnapshotInput,
  CopyDbClusterSnapshotResult,
  DBClusterSnapshotView,
  Phase,
  Progress,
  PrunedSnapshot,
  Tag,
} from '../shared/types';
import {
  InputError,
  validateAgainstSource,
  validateCopyInput,
  type ValidatedInput,
} from '../shared/validation';
import { formatDetails } from './details';
import { recordCopyCancelled, recordCopyCompleted, recordCopyFailed, recordCopyStarted } from './metrics';

type Activities = ReturnType<typeof createActivities>;

/** What a run hands to the next while it is still waiting to start the copy (copies-in-flight limit). */
export interface PendingRunState {
  stage: 'starting';
  startedAt: string;
  polls: number;
  runs: number;
  slotWaits: number;
  pruned: PrunedSnapshot[];
  cancelRequested: boolean;
  cancelReason?: string;
}

/** What a run hands to the next when it continues as new while the copy is running. */
export interface CopyRunState {
  /** Absent in histories recorded before the pending stage existed: those were all copying. */
  stage?: 'copying';
  sourceArn: string;
  sourceRegion: string;
  sourceCluster: string;
  kmsKeyArn?: string;
  targetArn?: string;
  startedAt: string;
  copyStartedAt: string;
  polls: number;
  runs: number;
  slotWaits: number;
  pruned: PrunedSnapshot[];
  anchor: ProgressSample;
  queuedPolls: number;
  lastPercent: number;
  cancelRequested: boolean;
  cancelReason?: string;
}

// Throttling, 5xx and network errors are retried with backoff for up to half an hour per call.
// WAIT_CANCELLATION_COMPLETED: a cancelled start still reports whether it created the target, so the
// cleanup that follows can find it.
const activityOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '30m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES, SNAPSHOT_NOT_OWNED],
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
const activities = proxyActivities<Activities>(activityOptions);

/** Calls an activity with a one-line summary, so the Temporal UI's timeline reads as a story. */
function call<K extends keyof Activities>(
  name: K,
  summary: string,
  ...args: Parameters<Activities[K]>
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as ActivityFunctionWithOptions<Activities[K]>;
  return fn.executeWithOptions({ ...activityOptions, summary }, args);
}

/** Set by Temporal Schedules on the runs they start: the slot's time, which names the target. */
const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/** Seconds between checks that a deleted target is gone. */
const CONFIRM_GONE_POLL_SECONDS = 5;
const CONFIRM_GONE_MAX_POLLS = 120;
/** Percent steps at which the SnapcopyPercent search attribute is updated (each update is a history event). */
const PERCENT_STEP = 5;

// Date is replaced by Temporal's deterministic workflow clock inside the sandbox.
const now = (): number => new Date().getTime();
const iso = (ms: number = now()): string => new Date(ms).toISOString();

function failure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

/** The ApplicationFailure an activity failed with, if any. */
function activityCause(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}

function prunedEntry(c: OwnedCopy): PrunedSnapshot {
  return {
    DBClusterSnapshotIdentifier: c.identifier,
    DBClusterSnapshotArn: c.arn,
    SnapshotCreateTime: c.createTime,
  };
}

function validate(input: CopyDbClusterSnapshotInput): ValidatedInput {
  try {
    return validateCopyInput(input);
  } catch (err) {
    if (err instanceof InputError) throw failure(err.type, err.message, { field: err.field });
    throw err;
  }
}

/** A cluster source without a target name gets one from the schedule slot (or the start time). */
function withDerivedTarget(input: CopyDbClusterSnapshotInput): CopyDbClusterSnapshotInput {
  if (!input || typeof input !== 'object') return input;
  if (
    input.TargetDBClusterSnapshotIdentifier !== undefined ||
    typeof input.SourceDBClusterIdentifier !== 'string'
  ) {
    return input;
  }
  const info = workflowInfo();
  const at = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  return {
    ...input,
    TargetDBClusterSnapshotIdentifier: deriveTargetIdentifier(input.SourceDBClusterIdentifier, at),
  };
}

/** Failure types that mean CopyDBClusterSnapshot created nothing. */
const NOTHING_CREATED = new Set<string>([
  FailureType.AlreadyExists,
  FailureType.KmsKeyNotAccessible,
  FailureType.InvalidParameterValue,
  FailureType.InvalidParameterCombination,
  FailureType.NotFound,
  FailureType.InvalidSnapshotState,
  FailureType.InvalidClusterState,
  FailureType.QuotaExceeded,
]);

export async function copyDbClusterSnapshot(
  rawInput: CopyDbClusterSnapshotInput,
  carried?: CopyRunState | PendingRunState,
): Promise<CopyDbClusterSnapshotResult> {
  const { workflowId } = workflowInfo();
  // `resume`: the copy is running and this run follows it; `pending`: still waiting to start it.
  const resume = carried && carried.stage !== 'starting' ? carried : undefined;
  const pending = carried?.stage === 'starting' ? carried : undefined;
  const counters = resume ?? pending;
  const input = withDerivedTarget(rawInput);
  const progress: Progress = {
    phase: resume ? 'copying' : 'validating',
    targetRegion: String(input?.TargetRegion ?? ''),
    targetIdentifier: String(input?.TargetDBClusterSnapshotIdentifier ?? '').toLowerCase(),
    percent: resume?.lastPercent ?? 0,
    polls: counters?.polls ?? 0,
    runs: (counters?.runs ?? 0) + 1,
    pruned: counters?.pruned ?? [],
    retired: [],
    slotWaits: counters?.slotWaits ?? 0,
    cancelRequested: counters?.cancelRequested ?? false,
    cancelReason: counters?.cancelReason,
    sourceArn: resume?.sourceArn,
    sourceRegion: resume?.sourceRegion,
    targetArn: resume?.targetArn,
    kmsKeyArn: resume?.kmsKeyArn,
    copyStartedAt: resume?.copyStartedAt,
  };
  setHandler(progressQuery, () => progress);
  setHandler(cancelSignal, (args) => {
    if (progress.cancelRequested) return;
    progress.cancelRequested = true;
    progress.cancelReason = args?.reason;
    setCurrentDetails(formatDetails(progress));
  });

  // --- What the Temporal UI shows: search attributes for the list, markdown details for the page ---
  // Each upsert is a history event: only what changed is sent.
  let publishedPercentStep = -1;
  let publishedPhase: Phase | undefined;
  const publish = () => {
    const step = Math.floor(progress.percent / PERCENT_STEP);
    const changes = [
      ...(progress.phase !== publishedPhase ? [{ key: SA_PHASE, value: progress.phase }] : []),
      ...(step !== publishedPercentStep ? [{ key: SA_PERCENT, value: progress.percent }] : []),
    ];
    if (changes.length) upsertSearchAttributes(changes);
    publishedPhase = progress.phase;
    publishedPercentStep = step;
    setCurrentDetails(formatDetails(progress));
  };
  const setPhase = (phase: Phase) => {
    if (progress.phase === phase) return;
    progress.phase = phase;
    publish();
  };

  const startedAt = counters?.startedAt ?? iso();
  // Set once CopyDBClusterSnapshot may have been sent: from then on, a cancel or failure cleans up.
  let copyIssued = resume !== undefined;
  // Set once the copy is `available`: a finished copy is never deleted by a later failure.
  let copyDone = false;

  let v: ValidatedInput;
  try {
    v = validate(input);
  } catch (err) {
    const app = err as ApplicationFailure;
    progress.error = { type: app.type ?? 'Error', message: app.message };
    setPhase('failed');
    recordCopyFailed(undefined, err);
    throw err;
  }
  progress.targetIdentifier = v.targetIdentifier;
  progress.targetRegion = v.targetRegion;
  progress.sourceRegion = v.sourceRegion;
  upsertSearchAttributes([
    { key: SA_SOURCE_REGION, value: v.sourceRegion },
    { key: SA_TARGET_REGION, value: v.targetRegion },
    ...(resume ? [{ key: SA_SOURCE_CLUSTER, value: resume.sourceCluster }] : []),
  ]);
  publish();

  const summaryBase = () => ({
    workflowId,
    sourceArn: progress.sourceArn ?? v.source.identifier,
    targetArn: progress.targetArn,
    sourceRegion: v.sourceRegion,
    targetRegion: v.targetRegion,
    kmsKeyArn: progress.kmsKeyArn,
    startedAt,
    finishedAt: iso(),
    polls: progress.polls,
    runs: progress.runs,
    pruned: progress.pruned,
    retired: progress.retired,
    slotWaits: progress.slotWaits,
  });

  const deadlineMs =
    v.options.deadlineSeconds !== undefined
      ? Date.parse(startedAt) + v.options.deadlineSeconds * 1000
      : undefined;
  const deadlinePassed = () => deadlineMs !== undefined && now() >= deadlineMs;
  const deadlineFailure = (where: string) =>
    failure(
      'CopyDeadlineExceeded',
      `copy ${v.targetIdentifier} in ${v.targetRegion} was not available within options.deadlineSeconds=${v.options.deadlineSeconds} (${where})`,
    );

  /** Waits up to `seconds` (never past the deadline), returning early when a cancel is requested. */
  const pause = async (seconds: number): Promise<void> => {
    const ms = Math.max(
      1000,
      Math.min(seconds * 1000, deadlineMs !== undefined ? deadlineMs - now() : Infinity),
    );
    progress.nextPollAt = iso(now() + ms);
    await condition(() => progress.cancelRequested, ms);
    progress.nextPollAt = undefined;
  };

  const target = { region: v.targetRegion, identifier: v.targetIdentifier };
  const targetName = `${v.targetIdentifier} in ${v.targetRegion}`;

  const finishCancelled = (targetDeleted: boolean | undefined, snapshot?: DBClusterSnapshotView) => {
    progress.outcome = 'cancelled';
    setPhase('cancelled');
    recordCopyCancelled(v, targetDeleted);
    return {
      ...(snapshot ? { DBClusterSnapshot: snapshot } : {}),
      summary: {
        ...summaryBase(),
        outcome: 'cancelled' as const,
        cancelReason: progress.cancelReason,
        targetDeleted,
      },
    };
  };

  /**
   * Deletes a snapcopy-owned snapshot (the activity re-checks the ownership tags; with `owner`, also that
   * workflow's ID) and waits until AWS no longer lists it, so what follows sees the room it made.
   */
  const deleteAndConfirm = async (
    identifier: string,
    why: string,
    owner?: string,
  ): Promise<'deleted' | 'absent'> => {
    const where = { region: v.targetRegion, identifier };
    const remove = () =>
      call('deleteOwnedSnapshot', `${why}: delete ${identifier}`, {
        ...where,
        ...(owner ? { workflowId: owner } : {}),
      });
    const first = await remove();
    for (let i = 0; i < CONFIRM_GONE_MAX_POLLS; i++) {
      const seen = await call('describeTargetSnapshot', `confirm ${identifier} is gone`, where);
      if (!seen) return first.result;
      if (seen.Status === 'available' || seen.Status === 'copying' || seen.Status === 'failed') {
        // Still listed in a deletable state: the delete raced with the copy finishing; ask again.
        await remove();
      }
      await sleep(CONFIRM_GONE_POLL_SECONDS * 1000);
    }
    throw failure(
      FailureType.InvalidSnapshotState,
      `${identifier} in ${v.targetRegion} was deleted but is still listed after ${CONFIRM_GONE_MAX_POLLS * CONFIRM_GONE_POLL_SECONDS}s`,
    );
  };
  const deleteTargetAndConfirm = () => deleteAndConfirm(v.targetIdentifier, 'clean up the copy', workflowId);

  /** Cancel handling, for the signal and for Temporal cancellation alike. */
  const cancelCleanup = async (): Promise<CopyDbClusterSnapshotResult> => {
    if (!copyIssued) return finishCancelled(undefined);
    setPhase('cancelling');
    const current = await call('describeTargetSnapshot', `check ${targetName} before cancelling`, target);
    if (!current) return finishCancelled(false);
    if (!isOwnedBy(current.TagList, workflowId)) return finishCancelled(false, current);
    if (current.Status === 'available' && v.options.onCancelAfterAvailable === 'keep') {
      progress.message = 'cancel arrived after the copy was available: kept';
      return finishCancelled(false, current);
    }
    await deleteTargetAndConfirm();
    return finishCancelled(true);
  };

  /** Failure after the copy was issued: leave no orphan behind, then fail. */
  const failWithCleanup = async (err: ApplicationFailure): Promise<never> => {
    progress.error = { type: err.type ?? 'Error', message: err.message };
    if (copyIssued) {
      setPhase('cancelling');
      await CancellationScope.nonCancellable(deleteTargetAndConfirm);
      copyIssued = false;
    }
    setPhase('failed');
    throw err;
  };

  const sourceMissing = async (arn: string): Promise<boolean> => {
    try {
      await call('describeSourceSnapshot', `check the source ${arn} still exists`, {
        region: v.sourceRegion,
        identifier: arn,
      });
      return false;
    } catch (err) {
      if (isCancellation(err)) throw err;
      return activityCause(err)?.type === FailureType.NotFound;
    }
  };

  try {
    // --- Describe the source and resolve the key (read-only AWS calls) ---
    let source: Pick<SourceSnapshotInfo, 'arn' | 'clusterIdentifier'>;
    let copySourceIdentifier = '';
    let copyTags: Tag[] = v.tags;
    if (resume) {
      source = { arn: resume.sourceArn, clusterIdentifier: resume.sourceCluster };
    } else {
      if (deadlinePassed()) throw deadlineFailure('before the copy started');
      if (progress.cancelRequested) return finishCancelled(undefined);
      setPhase('describing-source');
      const described =
        v.source.form === 'cluster'
          ? await call(
              'findLatestClusterSnapshot',
              `find the newest snapshot of cluster ${v.source.identifier} in ${v.sourceRegion}`,
              { region: v.sourceRegion, clusterIdentifier: v.source.identifier },
            )
          : await call(
              'describeSourceSnapshot',
              `describe source ${v.source.identifier} in ${v.sourceRegion}`,
              {
                region: v.sourceRegion,
                identifier: v.source.identifier,
              },
            );
      // The source tags a copy would carry (its aws:, rds: and snapcopy: tags never travel).
      const copiedSourceTags = tagsForCopy({ copyTags: true, sourceTags: described.tags, userTags: [] });
      try {
        validateAgainstSource(v, {
          encrypted: described.encrypted,
          shared: described.shared,
          tagCount: copiedSourceTags.length,
          tagKeys: copiedSourceTags.map((t) => t.Key),
        });
      } catch (err) {
        if (err instanceof InputError) throw failure(err.type, err.message, { field: err.field });
        throw err;
      }
      source = described;
      progress.sourceArn = described.arn;
      upsertSearchAttributes([{ key: SA_SOURCE_CLUSTER, value: described.clusterIdentifier }]);
      copyTags = tagsForCopy({ copyTags: v.copyTags, sourceTags: described.tags, userTags: v.tags });
      // Another Region or another account: the ARN, from which the SDK presigns the request.
      copySourceIdentifier = v.crossRegion || described.shared ? described.arn : described.identifier;

      if (v.source.form === 'cluster') {
        // A schedule running more often than the cluster is snapshotted must not copy the same snapshot
        // again: an available snapcopy copy of this very source in the target Region is the answer.
        const owned = await call(
          'listOwnedCopies',
          `look for an existing copy of ${described.arn} in ${v.targetRegion}`,
          { region: v.targetRegion, sourceCluster: described.clusterIdentifier },
        );
        const existing = owned.find(
          (c) => c.status === 'available' && tagValue(c.tags, OWNERSHIP_TAGS.sourceArn) === described.arn,
        );
        const present =
          existing &&
          (await call('describeTargetSnapshot', `read the existing copy ${existing.identifier}`, {
            region: v.targetRegion,
            identifier: existing.identifier,
          }));
        if (present && existing) {
          if (progress.cancelRequested) return finishCancelled(undefined);
          progress.targetIdentifier = existing.identifier;
          progress.targetArn = present.DBClusterSnapshotArn;
          progress.status = present.Status;
          progress.percent = 100;
          progress.message = `${described.arn} was already copied to ${existing.identifier}`;
          progress.outcome = 'already-present';
          setPhase('completed');
          recordCopyCompleted(v, 'already-present', present, undefined);
          return { DBClusterSnapshot: present, summary: { ...summaryBase(), outcome: 'already-present' } };
        }
      }

      if (v.kmsKey) {
        if (progress.cancelRequested) return finishCancelled(undefined);
        setPhase('resolving-key');
        const key = await call('resolveKmsKey', `resolve KMS key ${v.kmsKey.value} in ${v.targetRegion}`, {
          region: v.targetRegion,
          keyId: v.kmsKey.value,
        });
        progress.kmsKeyArn = key.keyArn;
      }
    }

    // --- Start the copy: wait for a slot, prune on quota, adopt our own target ---
    let copyStartedAt = resume?.copyStartedAt;
    let view: DBClusterSnapshotView | undefined;
    let adopted = false;
    let slotWaitsThisRun = 0;
    while (!resume && !view) {
      if (progress.cancelRequested) return await cancelCleanup();
      if (deadlinePassed()) throw deadlineFailure('still waiting to start the copy');
      if (slotWaitsThisRun >= v.options.pollsPerRun) {
        // A long wait for a copy slot is bounded like polling: the next run starts over from the source.
        const state: PendingRunState = {
          stage: 'starting',
          startedAt,
          polls: progress.polls,
          runs: progress.runs,
          slotWaits: progress.slotWaits,
          pruned: progress.pruned,
          cancelRequested: progress.cancelRequested,
          cancelReason: progress.cancelReason,
        };
        return await continueAsNew<typeof copyDbClusterSnapshot>(input, state);
      }
      setPhase('starting');
      copyIssued = true;
      try {
        const started = await call('startCopy', `copy ${source.arn} to ${targetName}`, {
          targetRegion: v.targetRegion,
          sourceIdentifier: copySourceIdentifier,
          sourceArn: source.arn,
          sourceCluster: source.clusterIdentifier,
          targetIdentifier: v.targetIdentifier,
          kmsKeyArn: progress.kmsKeyArn,
          copyTags: v.copyTags,
          tags: copyTags,
          workflowId,
          ...(v.preSignedUrl ? { preSignedUrl: v.preSignedUrl } : {}),
        });
        view = started.snapshot;
        adopted = started.adopted;
        copyStartedAt = iso();
        // Adopting a finished copy (already-present) started nothing.
        if (!adopted || view.Status !== 'available') recordCopyStarted(v, view);
      } catch (err) {
        const cause = activityCause(err);
        // Refusals (quota, exists and not ours, bad key, ...) created nothing. A timeout or cancellation may
        // have: copyIssued stays set, and cleanup finds the target by this workflow's ID tag.
        if (cause?.type && NOTHING_CREATED.has(cause.type)) copyIssued = false;
        if (cause?.type !== FailureType.QuotaExceeded) throw err;
        const reason = (cause.details?.[0] as QuotaFailureDetails | undefined)?.reason;
        if (reason === 'copies-in-flight') {
          progress.slotWaits++;
          slotWaitsThisRun++;
          progress.message = cause.message;
          setPhase('waiting-for-slot');
          await pause(v.options.slotWaitSeconds);
          continue;
        }
        if (!v.options.pruneOnQuota) {
          throw failure(
            FailureType.QuotaExceeded,
            `${cause.message} (pruning is off: options.pruneOnQuota=false)`,
          );
        }
        setPhase('pruning');
        const owned = await call(
          'listOwnedCopies',
          `list snapcopy-owned copies of ${source.clusterIdentifier} in ${v.targetRegion}`,
          { region: v.targetRegion, sourceCluster: source.clusterIdentifier },
        );
        // One at a time: only as many as needed to make room.
        const selection = selectSnapshotsToPrune({
          copies: owned,
          sourceCluster: source.clusterIdentifier,
          keep: v.options.keep,
          count: 1,
          exclude: [v.targetIdentifier],
        });
        const victim = selection.selected[0];
        if (!victim) {
          throw failure(
            FailureType.QuotaExceeded,
            `${cause.message}; nothing can be pruned to make room in ${v.targetRegion}: ${selection.blockedReason}`,
          );
        }
        // Wait until it is gone: retrying while AWS still counts it would prune a second one for nothing.
        if ((await deleteAndConfirm(victim.identifier, 'prune to make room')) === 'deleted') {
          progress.pruned.push(prunedEntry(victim));
        }
        progress.message = `pruned ${victim.identifier} to make room`;
      }
    }

    // --- Follow the copy to `available` ---
    progress.copyStartedAt = copyStartedAt;
    progress.targetArn = view?.DBClusterSnapshotArn ?? progress.targetArn;
    setPhase('copying');
    const copyStartMs = Date.parse(copyStartedAt ?? startedAt);
    let anchor: ProgressSample = resume?.anchor ?? { at: copyStartMs, percent: view?.PercentProgress ?? 0 };
    let queuedPolls = resume?.queuedPolls ?? 0;
    let pollsThisRun = 0;
    while (!view || view.Status !== 'available') {
      if (view) {
        if (view.Status !== 'copying' && view.Status !== 'creating') {
          const sourceGone = await sourceMissing(progress.sourceArn ?? source.arn);
          return await failWithCleanup(
            failure(
              FailureType.InvalidSnapshotState,
              sourceGone
                ? `source ${source.arn} disappeared while it was being copied; the copy ended ${view.Status}`
                : `copy ${targetName} ended with status ${view.Status}`,
            ),
          );
        }
        const percent = view.PercentProgress ?? 0;
        const sample = { at: now(), percent };
        // The anchor is the last sighting at the starting percentage: the rate is measured from there.
        if (percent === anchor.percent) anchor = sample;
        queuedPolls = percent > 0 ? 0 : queuedPolls + 1;
        progress.status = view.Status;
        progress.percent = percent;
        progress.etaSeconds = estimateEtaSeconds(anchor, sample);
        progress.lastPolledAt = iso(sample.at);
        publish();
        if (progress.cancelRequested) return await cancelCleanup();
        if (deadlinePassed()) return await failWithCleanup(deadlineFailure(`at ${percent}%`));
        if (pollsThisRun >= v.options.pollsPerRun) {
          // Keep each run's history bounded however long the copy takes.
          const state: CopyRunState = {
            stage: 'copying',
            sourceArn: source.arn,
            sourceRegion: v.sourceRegion,
            sourceCluster: source.clusterIdentifier,
            kmsKeyArn: progress.kmsKeyArn,
            targetArn: progress.targetArn,
            startedAt,
            copyStartedAt: copyStartedAt ?? startedAt,
            polls: progress.polls,
            runs: progress.runs,
            slotWaits: progress.slotWaits,
            pruned: progress.pruned,
            anchor,
            queuedPolls,
            lastPercent: percent,
            cancelRequested: progress.cancelRequested,
            cancelReason: progress.cancelReason,
          };
          return await continueAsNew<typeof copyDbClusterSnapshot>(input, state);
        }
        await pause(
          nextPollDelaySeconds({
            percent,
            etaSeconds: progress.etaSeconds,
            queuedPolls,
            minPollSeconds: v.options.minPollSeconds,
            maxPollSeconds: v.options.maxPollSeconds,
          }),
        );
        if (progress.cancelRequested) return await cancelCleanup();
      }
      let polled: DBClusterSnapshotView | null;
      try {
        polled = await call('describeTargetSnapshot', `poll ${targetName}`, target);
      } catch (err) {
        if (isCancellation(err) || activityCause(err)?.nonRetryable) throw err;
        // Retries ran out on throttling or an outage: a multi-hour copy outlives that, keep following it.
        progress.message = `poll failed, trying again: ${activityCause(err)?.message ?? String(err)}`;
        pollsThisRun++;
        if (view) continue;
        await pause(v.options.maxPollSeconds);
        continue;
      }
      progress.polls++;
      pollsThisRun++;
      if (!polled) {
        const sourceGone = await sourceMissing(progress.sourceArn ?? source.arn);
        copyIssued = false; // nothing left to clean up
        throw failure(
          FailureType.NotFound,
          sourceGone
            ? `source ${source.arn} disappeared while it was being copied, and the copy ${targetName} is gone`
            : `copy ${targetName} disappeared while copying (deleted outside snapcopy?)`,
        );
      }
      view = polled;
      progress.targetArn = polled.DBClusterSnapshotArn ?? progress.targetArn;
    }

    // --- Available ---
    copyDone = true;
    progress.status = 'available';
    progress.percent = 100;
    progress.etaSeconds = 0;
    if (progress.cancelRequested) return await cancelCleanup();
    const finishedMs = now();

    // --- Retention: keep the newest `retain` snapcopy-owned copies of the cluster, this one included ---
    if (v.options.retain !== undefined) {
      setPhase('retention');
      const owned = await call(
        'listOwnedCopies',
        `list snapcopy-owned copies of ${source.clusterIdentifier} in ${v.targetRegion} for retention`,
        { region: v.targetRegion, sourceCluster: source.clusterIdentifier },
      );
      const { selected } = selectSnapshotsToPrune({
        copies: owned,
        sourceCluster: source.clusterIdentifier,
        keep: v.options.retain - 1,
        count: owned.length,
        exclude: [v.targetIdentifier],
      });
      for (const old of selected) {
        // Best effort: the copy succeeded; an old copy that cannot go now goes on a later run.
        try {
          const deleted = await call(
            'deleteOwnedSnapshot',
            `retire ${old.identifier} (retain ${v.options.retain})`,
            {
              region: v.targetRegion,
              identifier: old.identifier,
            },
          );
          if (deleted.result === 'deleted') progress.retired.push(prunedEntry(old));
        } catch (err) {
          if (isCancellation(err)) throw err;
          progress.message = `retention could not delete ${old.identifier}: ${activityCause(err)?.message ?? String(err)}`;
        }
      }
    }

    const outcome = adopted && progress.polls === 0 ? 'already-present' : 'copied';
    progress.outcome = outcome;
    setPhase('completed');
    recordCopyCompleted(v, outcome, view, copyStartedAt ? finishedMs - Date.parse(copyStartedAt) : undefined);
    return {
      DBClusterSnapshot: view,
      summary: {
        ...summaryBase(),
        outcome,
        copySeconds: copyStartedAt ? Math.round((finishedMs - Date.parse(copyStartedAt)) / 1000) : undefined,
      },
    };
  } catch (err) {
    // Continuing as new is how a run hands over, not a failure.
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      // Temporal cancellation: clean up outside the cancelled scope, then end as Cancelled.
      progress.cancelRequested = true;
      progress.cancelReason ??= 'workflow cancelled';
      await CancellationScope.nonCancellable(cancelCleanup);
      throw err;
    }
    recordCopyFailed(v, err);
    if (copyIssued && !copyDone) {
      // A failure with the copy possibly running (retries exhausted, a timeout): leave no orphan behind.
      try {
        setPhase('cancelling');
        await CancellationScope.nonCancellable(deleteTargetAndConfirm);
      } catch {
        // The original failure is what the caller needs; the target keeps its ownership tags for pruning.
      }
    }
    const app = err instanceof ApplicationFailure ? err : activityCause(err);
    setPhase('failed');
    if (!app) throw err;
    progress.error ??= { type: app.type ?? 'Error', message: app.message };
    // Callers tell failures apart by type: surface the activity's typed failure as the workflow's own.
    throw err instanceof ApplicationFailure
      ? err
      : failure(app.type ?? 'Error', app.message, app.details?.[0]);
  }
}
