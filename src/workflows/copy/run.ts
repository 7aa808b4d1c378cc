// One copy's run: its carried state, what it shows, and the thin handlers over both (the
// safe-message-handlers shape: handlers only record, the phases act).
import { patched, workflowInfo } from '@temporalio/workflow';
import type { AssumedRole } from '../../shared/cross-account';
import type { ProgressSample } from '../../shared/polling';
import type {
  CopyDbClusterSnapshotInput,
  HeldSnapshot,
  HopView,
  OwnedCopy,
  Phase,
  Progress,
  PrunedSnapshot,
} from '../../shared/types';
import type { ValidatedInput } from '../../shared/validation';
import type { CopyRegions } from '../metrics';
import type { ShareReady } from '../../shared/shares';
import { iso } from '../clock';
import { ACCOUNTS_PATCH, COPY_SLOTS_PATCH, FOLLOW_IN_ACTIVITY_PATCH, LEAN_ARRIVAL_PATCH } from './patches';
import {
  readCarriedState,
  type CopyAccounts,
  type CopyInFlight,
  type CopyState,
  type LiveView,
  type SourceFacts,
  type SourceRef,
  type UndoRecord,
} from './state';
import { UiPublisher } from './ui';

export class CopyRun {
  /**
   * Called first, before any command: whether this run arrives lean — starts its copy in a local activity and
   * takes its slot before preparing another account's source (then it also does all that follows, recording
   * only this patch); else, as recorded before, whether it spends short waits in one activity (then it also
   * takes slots and learns its accounts first, without recording those patches); else whether it takes copy
   * slots (COPY_SLOTS_PATCH) and learns its accounts first (ACCOUNTS_PATCH).
   */
  readonly leanArrival = patched(LEAN_ARRIVAL_PATCH);
  readonly followsInActivity = this.leanArrival || patched(FOLLOW_IN_ACTIVITY_PATCH);
  readonly slots = this.followsInActivity || patched(COPY_SLOTS_PATCH);
  readonly accountsFirst = this.followsInActivity || (this.slots && patched(ACCOUNTS_PATCH));
  /** Stops the follow activity running now, if any (a cancel). */
  stopFollowing?: () => void;
  /** Set by resolveAccounts before the slot (accountsFirst copies). */
  accounts?: CopyAccounts;
  /** The sourceShare holder's answer, once it came. */
  shareReady?: ShareReady;
  readonly workflowId = workflowInfo().workflowId;
  readonly startedAt: string;
  readonly runs: number;
  polls: number;
  slotWaits: number;
  readonly pruned: PrunedSnapshot[];
  readonly retired: PrunedSnapshot[] = [];
  /** Copies quota pruning or retention left alone for a hold (carried: quota pruning comes before polls). */
  readonly held: HeldSnapshot[];
  cancel?: { reason?: string };
  readonly undo: UndoRecord;
  /** The copy AWS accepted, as carried; undefined until then. */
  copy?: CopyInFlight;
  /** Set by the validate phase; every later phase may rely on it. */
  v!: ValidatedInput;
  source?: SourceRef;
  sourceFacts?: SourceFacts;
  /** Cross-account copies: the chain of copies (carried). */
  hops: HopView[];
  kmsKeyArn?: string;
  targetArn?: string;
  /** Polls and slot waits of this run: each run's history is bounded by options.pollsPerRun of each. */
  readonly budget = { polls: 0, slotWaits: 0 };
  /** Cross-account copies: the two accounts, once known (carried). */
  crossAccount?: { sourceAccountId: string; targetAccountId: string; shared: boolean };
  readonly view: LiveView;
  readonly ui = new UiPublisher(this.slots, this.followsInActivity);

  constructor(
    readonly input: CopyDbClusterSnapshotInput,
    carried: unknown,
  ) {
    const state = readCarriedState(carried, iso());
    this.startedAt = state.startedAt;
    this.runs = state.runs;
    this.polls = state.polls;
    this.slotWaits = state.slotWaits;
    this.pruned = state.pruned;
    this.held = state.held ?? [];
    this.cancel = state.cancel;
    this.undo = state.undo;
    this.copy = state.copy;
    this.kmsKeyArn = state.copy?.kmsKeyArn;
    this.targetArn = state.copy?.targetArn;
    this.hops = state.hops ?? [];
    this.crossAccount = state.crossAccount;
    this.view = {
      phase: state.copy ? 'copying' : 'validating',
      targetRegion: String(input?.TargetRegion ?? ''),
      targetIdentifier: String(input?.TargetDBClusterSnapshotIdentifier ?? '').toLowerCase(),
      percent: state.copy?.lastPercent ?? 0,
    };
  }

  /** Following a copy a previous run started: describing, keys and starting are behind it. */
  get resuming(): boolean {
    return this.copy !== undefined;
  }

  get cancelRequested(): boolean {
    return this.cancel !== undefined;
  }

  /** The cancel signal's handler (and Temporal cancellation's): record it; the next checkpoint acts. */
  requestCancel(reason: string | undefined): void {
    if (this.cancel) return;
    this.cancel = { reason };
    this.stopFollowing?.();
    this.ui.details(this.progress());
  }

  /** The copySlots scheduler granted this copy its slot (a signal; repeated grants change nothing). */
  slotGranted(slotsWorkflowId: string): void {
    if (this.undo.slot?.slotsWorkflowId !== slotsWorkflowId) return;
    this.undo.slot.granted = true;
    this.view.queuePosition = undefined;
  }

  /** The sourceShare holder answered (a signal; only the holder this copy asked counts). */
  shareAnswered(ready: ShareReady): void {
    if (this.undo.share?.holder !== ready.shareWorkflowId) return;
    this.shareReady = ready;
  }

  /** The copy was accepted by AWS: from now on a later run follows it. */
  copyStarted(source: SourceRef, startedAt: string, first: ProgressSample): void {
    this.copy = {
      sourceArn: source.arn,
      sourceRegion: source.region,
      sourceCluster: source.cluster,
      kmsKeyArn: this.kmsKeyArn,
      targetArn: this.targetArn,
      startedAt,
      anchor: first,
      queuedPolls: 0,
      lastPercent: first.percent,
    };
  }

  getState(): CopyState {
    return {
      startedAt: this.startedAt,
      runs: this.runs,
      polls: this.polls,
      slotWaits: this.slotWaits,
      pruned: this.pruned,
      ...(this.held.length ? { held: this.held } : {}),
      ...(this.cancel ? { cancel: this.cancel } : {}),
      undo: this.undo,
      ...(this.hops.length ? { hops: this.hops } : {}),
      ...(this.crossAccount ? { crossAccount: this.crossAccount } : {}),
      ...(this.copy
        ? {
            copy: {
              ...this.copy,
              kmsKeyArn: this.kmsKeyArn,
              targetArn: this.targetArn,
              lastPercent: this.view.percent,
            },
          }
        : {}),
    };
  }

  /** The `progress` query's answer. */
  progress(): Progress {
    return {
      ...this.view,
      sourceArn: this.sourceArn,
      sourceRegion: this.view.sourceRegion ?? this.copy?.sourceRegion,
      targetArn: this.targetArn,
      kmsKeyArn: this.kmsKeyArn,
      copyStartedAt: this.copy?.startedAt,
      ...(this.undo.slot ? { slotsWorkflowId: this.undo.slot.slotsWorkflowId } : {}),
      polls: this.polls,
      runs: this.runs,
      pruned: this.pruned,
      retired: this.retired,
      ...(this.held.length ? { held: this.held } : {}),
      slotWaits: this.slotWaits,
      cancelRequested: this.cancelRequested,
      cancelReason: this.cancel?.reason,
      ...(this.hops.length ? { hops: this.hops.map((h) => this.hopNow(h)) } : {}),
      ...(this.undo.share ? { sharedWith: this.undo.share.accountId } : {}),
    };
  }

  /** The final hop is this workflow's own target: its status is the target's. */
  private hopNow(h: HopView): HopView {
    if (h.hop !== 'final') return h;
    const status = this.view.outcome === 'cancelled' ? 'cancelled' : this.view.status;
    return status ? { ...h, status } : h;
  }

  /**
   * Moves to `phase`, showing `message` (none by default): what a copy says belongs to its phase, so a new
   * phase never shows the last one's words (a copy at 42% does not still say it waits for a slot).
   */
  setPhase(phase: Phase, message?: string): void {
    if (this.view.phase === phase) {
      if (message !== undefined) this.say(message);
      return;
    }
    this.view.phase = phase;
    this.view.message = message;
    this.publish();
  }

  /** A copy left alone for its hold (`hold`: the reason), once per copy. */
  keptForHold(copy: OwnedCopy, hold: string): void {
    if (this.held.some((h) => h.DBClusterSnapshotIdentifier === copy.identifier)) return;
    this.held.push({
      DBClusterSnapshotIdentifier: copy.identifier,
      DBClusterSnapshotArn: copy.arn,
      ...(copy.createTime !== undefined ? { SnapshotCreateTime: copy.createTime } : {}),
      hold,
    });
  }

  /** What the copy says now, within its phase (undefined: nothing). */
  say(message: string | undefined): void {
    this.view.message = message;
  }

  // The target's lifecycle: the one place that decides what cleanup deletes (undo.target).

  /** CopyDBClusterSnapshot may have created the target from now on: a cancel or a failure deletes it. */
  targetMayExist(): void {
    this.undo.target = { available: false };
  }

  /** The target is `available`: a failure never deletes it, a cancel follows options.onCancelAfterAvailable. */
  targetAvailable(): void {
    this.undo.target = { available: true };
  }

  /** There is no target to clean up (never created, deleted, or kept on purpose). */
  targetGone(): void {
    delete this.undo.target;
  }

  /** The target a cancel or failure must deal with, if any. */
  get target(): UndoRecord['target'] {
    return this.undo.target;
  }

  /** Shows the current progress in the UI (search attributes only where they changed). */
  publish(): void {
    this.ui.publish(this.progress());
  }

  /** Calls in the destination account: with TargetRoleArn's session, else the default credentials. */
  get inTarget(): { role?: AssumedRole } {
    return this.v.targetRole ? { role: this.v.targetRole } : {};
  }

  /**
   * Calls that read (and share) the source: SourceRoleArn's session; else the worker's own credentials when
   * the source is in the worker's account; else the destination's (see accounts.ts). Copies recorded
   * before accountsFirst read it with SourceRoleArn's, else TargetRoleArn's session.
   */
  get inSource(): { role?: AssumedRole } {
    const reader = this.accounts?.reader;
    if (reader === 'worker') return {};
    if (reader === 'destination') return this.inTarget;
    const role = this.v.sourceRole ?? this.v.targetRole;
    return role ? { role } : {};
  }

  get sourceArn(): string | undefined {
    return this.source?.arn ?? this.copy?.sourceArn;
  }

  get sourceCluster(): string {
    return this.source?.cluster ?? this.copy?.sourceCluster ?? '';
  }

  /** The Regions as metric labels; undefined while the input is not validated (not trustworthy). */
  get regions(): CopyRegions | undefined {
    return this.validated ? this.v : undefined;
  }

  get validated(): boolean {
    return (this.v as ValidatedInput | undefined) !== undefined;
  }

  /** `<target> in <Region>`, for messages and summaries. */
  get targetName(): string {
    return `${this.view.targetIdentifier} in ${this.view.targetRegion}`;
  }
}
