// Copies into another account: make the source usable by the destination account (keys, re-encryption,
// share, an intermediate copy where AWS cannot copy an encrypted shared snapshot across Regions), and take
// all of it back once the copy ends — success, cancel or failure. Intermediate copies are child copy
// workflows: they take their own copy slots, survive restarts, and clean up after themselves when cancelled.
import {
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { ChildWorkflowFailure, ApplicationFailure } from '@temporalio/common';
import type { SourceKeyInfo } from '../../activities/types';
import { cancelSignal } from '../../shared/contract';
import type { AssumedRole } from '../../shared/cross-account';
import { FailureType, WORKFLOW_TYPE } from '../../shared/names';
import type { CopyDbClusterSnapshotInput, CopyDbClusterSnapshotResult, HopView } from '../../shared/types';
import { releaseShareSignal, shareWorkflowId, type ShareTarget } from '../../shared/shares';
import { holdReason } from '../../shared/ownership';
import { failure, heldReason, quick } from './activities';
import { checkpoint, waitUntil } from './checkpoint';
import { deleteAndConfirm, untilAnswered } from './delete';
import { now } from '../clock';
import type { CopyRun } from './run';
import type { IntermediateRecord } from './state';
import { stepAside } from './slot';
import { summaries } from './ui';

/** A copy waiting for its share asks the holder again after this long. */
const ASK_AGAIN_MS = 5 * 60 * 1000;

const HOP_SUFFIX = { 're-encrypt': 'share', intermediate: 'hop1' } as const;

/** `<target>-share` / `<target>-hop1`, within the 63-character identifier limit. */
export function hopIdentifier(target: string, hop: IntermediateRecord['hop']): string {
  const suffix = HOP_SUFFIX[hop];
  return `${target.slice(0, 62 - suffix.length).replace(/-+$/, '')}-${suffix}`;
}

/**
 * Phase 4b. Nothing to do without roles, or when both roles are in one account. Everything that can be
 * refused (keys, KmsKeyId) is checked before the first change (the share).
 */
export async function prepareCrossAccount(run: CopyRun): Promise<void> {
  const { v } = run;
  const source = run.source;
  const facts = run.sourceFacts;
  if (!source || !facts) return;
  const targetAccountId = await destinationAccount(run);
  if (targetAccountId === undefined) return;
  source.accountId = targetAccountId;
  // Another account's snapshot already shared with the destination is copied as it is (not ours to share).
  if (facts.accountId === targetAccountId || facts.shared) return;
  run.crossAccount = { sourceAccountId: facts.accountId, targetAccountId, shared: false };
  run.hops = [hopView('final', targetAccountId, v.targetRegion, v.targetIdentifier, run.workflowId)];
  if (facts.encrypted && !v.kmsKey) {
    throw failure(
      FailureType.InvalidParameterCombination,
      `KmsKeyId is required: the source snapshot ${source.arn} is encrypted and is copied into account ` +
        `${targetAccountId}, so a KMS key of that account in ${v.targetRegion} must encrypt the copy`,
    );
  }

  let shared = { identifier: facts.identifier, arn: source.arn };
  if (facts.encrypted && facts.kmsKeyId) {
    run.setPhase('checking-key');
    const key = await checkKey(run, facts.kmsKeyId, targetAccountId);
    if (key.keyManager === 'AWS') {
      await stepAside(run);
      shared = await reEncrypt(run, targetAccountId);
    }
  }
  await share(run, shared.identifier, targetAccountId);
  source.copyIdentifier = shared.arn;
  if (facts.encrypted && v.crossRegion) {
    // AWS does not copy an encrypted shared snapshot across Regions: first into the destination account here.
    await stepAside(run);
    source.copyIdentifier = await copyHop(
      run,
      'intermediate',
      {
        SourceDBClusterSnapshotIdentifier: shared.arn,
        TargetDBClusterSnapshotIdentifier: hopIdentifier(v.targetIdentifier, 'intermediate'),
        // The destination account's own key in the source Region; the final hop re-encrypts with KmsKeyId.
        KmsKeyId: 'alias/aws/rds',
        SourceRegion: v.sourceRegion,
        TargetRegion: v.sourceRegion,
        ...(v.targetRole ? { TargetRoleArn: v.targetRole.roleArn } : {}),
      },
      v.targetRole,
    );
  }
}

/**
 * The destination account, or undefined when nothing is to prepare. Copies recorded before accountsFirst:
 * only with a role, the account from TargetRoleArn, else asked of STS.
 */
async function destinationAccount(run: CopyRun): Promise<string | undefined> {
  const { v } = run;
  if (run.accounts) return run.accounts.destination;
  if (!v.sourceRole && !v.targetRole) return undefined;
  return (
    v.targetAccountId ??
    (await quick(run.slots, 'callerAccount', 'find the destination account', { region: v.targetRegion }))
  );
}

function hopView(
  hop: HopView['hop'],
  accountId: string,
  region: string,
  identifier: string,
  workflowId: string,
): HopView {
  return { hop, accountId, region, identifier, workflowId, status: 'pending' };
}

function checkKey(run: CopyRun, keyArn: string, targetAccountId: string): Promise<SourceKeyInfo> {
  return quick(run.slots, 'checkSourceKey', `check account ${targetAccountId} can use ${keyArn}`, {
    region: run.v.sourceRegion,
    keyArn,
    targetAccountId,
    ...(run.v.sourceRole ? { source: run.v.sourceRole } : {}),
    ...(run.v.targetRole ? { target: run.v.targetRole } : {}),
  });
}

/** aws/rds cannot be shared: copy the source with options.shareKmsKeyId in its account, or say so. */
async function reEncrypt(
  run: CopyRun,
  targetAccountId: string,
): Promise<{ identifier: string; arn: string }> {
  const { v } = run;
  const source = run.source!;
  if (!v.shareKmsKey) {
    throw failure(
      FailureType.KmsKeyNotAccessible,
      `The source snapshot ${source.arn} is encrypted with the AWS managed key aws/rds, which cannot be shared ` +
        `with another account. Give options.shareKmsKeyId (--share-kms-key): a customer managed key of account ` +
        `${run.sourceFacts!.accountId} in ${v.sourceRegion} that account ${targetAccountId} may use; snapcopy then ` +
        're-encrypts the snapshot with it, shares that copy, and deletes it afterwards.',
    );
  }
  const key = await quick(run.slots, 'resolveKmsKey', `resolve ${v.shareKmsKey.value} in ${v.sourceRegion}`, {
    region: v.sourceRegion,
    keyId: v.shareKmsKey.value,
    ...run.inSource,
  });
  const checked = await checkKey(run, key.keyArn, targetAccountId);
  if (checked.keyManager === 'AWS') {
    throw failure(
      FailureType.KmsKeyNotAccessible,
      `options.shareKmsKeyId ${v.shareKmsKey.value} is an AWS managed key; give a customer managed key`,
    );
  }
  const identifier = hopIdentifier(v.targetIdentifier, 're-encrypt');
  const arn = await copyHop(
    run,
    're-encrypt',
    {
      SourceDBClusterSnapshotIdentifier: source.arn,
      TargetDBClusterSnapshotIdentifier: identifier,
      KmsKeyId: key.keyArn,
      SourceRegion: v.sourceRegion,
      TargetRegion: v.sourceRegion,
      ...(v.sourceRole ? { SourceRoleArn: v.sourceRole.roleArn, TargetRoleArn: v.sourceRole.roleArn } : {}),
    },
    v.sourceRole,
  );
  return { identifier, arn };
}

/**
 * Shares the snapshot with the destination through its sourceShare holder, which keeps the share while any
 * snapcopy copy of it into that account runs and takes it back after the last (never one that was there
 * before). Copies recorded before accountsFirst share and unshare it themselves.
 */
async function share(run: CopyRun, identifier: string, accountId: string): Promise<void> {
  await checkpoint(run);
  run.setPhase('sharing');
  if (!run.accountsFirst) return shareDirectly(run, identifier, accountId);
  const target: ShareTarget = {
    region: run.v.sourceRegion,
    identifier,
    sourceAccountId: run.sourceFacts!.accountId,
    accountId,
    ...run.inSource,
  };
  // Recorded before asking: a copy that ends while the request is on its way still gives the share back.
  run.undo.share = { ...target, holder: shareWorkflowId(target) };
  // Asked again now and then: a holder that was ended by hand, or lost the request, is started anew.
  for (;;) {
    await quick(true, 'requestShare', summaries.requestShare(identifier, accountId), {
      share: target,
      taskQueue: workflowInfo().taskQueue,
      workflowId: run.workflowId,
    });
    const answered = await waitUntil(
      run,
      () => run.shareReady !== undefined,
      summaries.shareWait,
      ASK_AGAIN_MS,
    );
    await checkpoint(run, 'waiting for the source to be shared');
    if (answered) break;
  }
  const ready = run.shareReady!;
  if (ready.error) {
    delete run.undo.share; // the holder let this copy go
    throw failure(ready.error.type, ready.error.message);
  }
  run.crossAccount!.shared = ready.added;
  run.publish();
}

async function shareDirectly(run: CopyRun, identifier: string, accountId: string): Promise<void> {
  const where = { region: run.v.sourceRegion, identifier, accountId, ...run.inSource };
  const before = await quick(run.slots, 'snapshotSharedWith', `read who ${identifier} is shared with`, where);
  if (before.includes(accountId) || before.includes('all')) return;
  // Recorded before asking: a share whose answer is lost is still taken back.
  run.undo.share = where;
  run.crossAccount!.shared = true;
  await quick(run.slots, 'shareSnapshot', `share ${identifier} with account ${accountId}`, where);
  run.publish();
}

/**
 * One intermediate copy, as a child copy workflow in its account and Region; its target's ARN. A cancel
 * is passed on to it (it deletes its target, even an available one); its failure is the copy's.
 */
async function copyHop(
  run: CopyRun,
  hop: IntermediateRecord['hop'],
  input: Omit<CopyDbClusterSnapshotInput, 'options'>,
  /** The role of the account the hop copies into (its TargetRoleArn). */
  role: AssumedRole | undefined,
): Promise<string> {
  const { v } = run;
  await checkpoint(run);
  run.setPhase('copying-intermediate');
  const workflowId = `${run.workflowId}-${hop}`;
  const identifier = input.TargetDBClusterSnapshotIdentifier!;
  const accountId = hop === 're-encrypt' ? run.sourceFacts!.accountId : run.crossAccount!.targetAccountId;
  run.undo.intermediates = [
    ...(run.undo.intermediates ?? []),
    { hop, region: input.TargetRegion, identifier, workflowId, ...(role ? { role } : {}) },
  ];
  const view = hopView(hop, accountId, input.TargetRegion, identifier, workflowId);
  run.hops.splice(run.hops.length - 1, 0, view);
  view.status = 'copying';
  run.publish();
  const deadline = v.options.deadlineSeconds;
  const left = deadline === undefined ? undefined : deadline - (now() - Date.parse(run.startedAt)) / 1000;
  const child = await startChild<(i: CopyDbClusterSnapshotInput) => Promise<CopyDbClusterSnapshotResult>>(
    WORKFLOW_TYPE,
    {
      workflowId,
      args: [
        {
          ...input,
          ...(v.tags.length ? { Tags: v.tags } : {}),
          options: {
            minPollSeconds: v.options.minPollSeconds,
            maxPollSeconds: v.options.maxPollSeconds,
            slotWaitSeconds: v.options.slotWaitSeconds,
            pollsPerRun: v.options.pollsPerRun,
            priority: v.options.priority,
            // An intermediate never makes room by deleting other copies, and a cancel deletes it whatever its state.
            pruneOnQuota: false,
            onCancelAfterAvailable: 'delete',
            ...(left !== undefined ? { deadlineSeconds: Math.max(60, Math.floor(left)) } : {}),
            ...(role?.externalId ? { externalId: role.externalId } : {}),
          },
        },
      ],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `${hop} copy for ${run.workflowId}`,
    },
  );
  const result = await followHop(run, child);
  const arn = result.DBClusterSnapshot?.DBClusterSnapshotArn;
  if (result.summary.outcome === 'cancelled' || !arn) {
    view.status = 'cancelled';
    await checkpoint(run); // our own cancel: the run's cleanup follows
    throw failure(
      FailureType.InvalidSnapshotState,
      `the ${hop} copy ${identifier} was cancelled outside this copy`,
    );
  }
  view.status = 'available';
  run.publish();
  return arn;
}

async function followHop(
  run: CopyRun,
  child: ChildWorkflowHandle<(i: CopyDbClusterSnapshotInput) => Promise<CopyDbClusterSnapshotResult>>,
): Promise<CopyDbClusterSnapshotResult> {
  // A cancel signal is passed on; the child deletes its target and ends `cancelled`.
  // A child already closed, or a Temporal cancel of this scope (passed on by Temporal itself), ends it.
  condition(() => run.cancelRequested)
    .then(() => child.signal(cancelSignal, { reason: run.cancel?.reason ?? 'the copy was cancelled' }))
    .catch(() => undefined);
  try {
    return await child.result();
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      throw failure(cause.type ?? 'Error', `${child.workflowId}: ${cause.message}`, cause.details?.[0]);
    }
    throw err;
  }
}

/**
 * Takes back what the cross-account preparation left: intermediates (each only if its child owns it) and
 * the share snapcopy added. Every exit runs it; it waits out outages (cleanup must finish).
 */
export async function releaseCrossAccount(run: CopyRun): Promise<void> {
  for (const copy of [...(run.undo.intermediates ?? [])].reverse()) {
    const hop = run.hops.find((h) => h.workflowId === copy.workflowId);
    try {
      await deleteAndConfirm(run, copy.identifier, `delete the ${copy.hop} copy`, {
        owner: copy.workflowId,
        persistent: true,
        at: { region: copy.region, ...(copy.role ? { role: copy.role } : {}) },
      });
      if (hop) hop.status = 'deleted';
    } catch (err) {
      // Someone put the intermediate on hold: it stays (a hold wins everywhere), and the cleanup goes on.
      const hold = heldReason(err);
      if (hold === undefined) throw err;
      if (hop) hop.status = `kept for hold: ${holdReason(hold)}`;
      run.say(`the ${copy.hop} copy ${copy.identifier} is on hold (${holdReason(hold)}): kept`);
    }
    run.undo.intermediates = run.undo.intermediates?.filter((c) => c.workflowId !== copy.workflowId);
  }
  if (!run.undo.intermediates?.length) delete run.undo.intermediates;
  const shared = run.undo.share;
  if (shared?.holder) {
    await giveShareBack(run, shared.holder);
    delete run.undo.share;
  } else if (shared) {
    run.setPhase('unsharing');
    await untilAnswered(run, () =>
      quick(
        run.slots,
        'unshareSnapshot',
        `stop sharing ${shared.identifier} with account ${shared.accountId}`,
        shared,
      ),
    );
    delete run.undo.share;
  }
}

/** Tells the holder this copy no longer needs the share; a holder that is gone holds nothing for it. */
async function giveShareBack(run: CopyRun, holder: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(holder).signal(releaseShareSignal, { workflowId: run.workflowId });
  } catch (err) {
    if (isCancellation(err)) throw err;
  }
}
