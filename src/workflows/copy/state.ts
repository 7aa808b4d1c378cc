// The copy's state: what one run carries whole to the next (CopyState) and what it only shows while it
// runs. The stage follows from what the state holds: with `copy`, AWS accepted the copy and the next run
// follows it; without, the next run starts over from the source (still waiting to start).
import type { AssumedRole } from '../../shared/cross-account';
import type { PollTrack, ProgressSample } from '../../shared/polling';
import type { HopView, Phase, Progress, HeldSnapshot, PrunedSnapshot, Tag } from '../../shared/types';

/** The source as the copy needs it (from describe, or carried while copying). */
export interface SourceRef {
  arn: string;
  region: string;
  cluster: string;
  /** The account the copy is made in (its copy slots are that account's). */
  accountId: string;
  /** What CopyDBClusterSnapshot is given: the ARN across Regions or accounts (the SDK presigns from it). */
  copyIdentifier: string;
  tags: Tag[];
  /** The original source snapshot's creation time (tagged snapcopy:recovery-point), when known. */
  recoveryPoint?: string;
}

/** What describing the source told, for the phases before the copy starts (not carried). */
export interface SourceFacts {
  accountId: string;
  /** The snapshot's name in its account. */
  identifier: string;
  encrypted: boolean;
  kmsKeyId?: string;
  shared: boolean;
}

/** Whose credentials read (and share) the source. */
export type SourceReader =
  /** SourceRoleArn's session. */
  | 'source-role'
  /** The worker's own credentials: the source is in the worker's account. */
  | 'worker'
  /** The destination's: the same account through TargetRoleArn, or a snapshot shared with it by its owner. */
  | 'destination';

/** The two accounts of a copy and who reads the source, known before the copy asks for its slot. */
export interface CopyAccounts {
  source: string;
  destination: string;
  reader: SourceReader;
}

/** A share of the source that snapcopy added: given back on every exit. */
export interface ShareRecord {
  region: string;
  /** The shared snapshot's name in the source account. */
  identifier: string;
  /** The destination account it is shared with. */
  accountId: string;
  role?: AssumedRole;
  /** The sourceShare workflow holding the share for this copy (absent: the copy shared it itself). */
  holder?: string;
}

/** An intermediate copy: a child workflow's target, deleted on every exit (only if that child owns it). */
export interface IntermediateRecord {
  hop: 're-encrypt' | 'intermediate';
  region: string;
  identifier: string;
  workflowId: string;
  role?: AssumedRole;
}

/** What must be undone when a copy is cancelled or fails — one record, in the shape of the saga sample's
 * compensation list; undo.ts acts on it, CopyRun's methods change `target`. */
export interface UndoRecord {
  /**
   * CopyDBClusterSnapshot may have created the target (tagged with this workflow's ID): a cancel or a
   * failure deletes it. Once it is `available`, a failure never deletes it and a cancel follows
   * options.onCancelAfterAvailable.
   */
  target?: { available: boolean };
  /**
   * A copy slot asked for (and, once `granted`, held): given back to the scheduler on every exit, and as
   * soon as the copy is available. `since` keeps the copy's place when it asks again.
   */
  slot?: { slotsWorkflowId: string; since: string; granted: boolean };
  /** Cross-account: a share of the source snapcopy added (never one that was there before); given back on every exit. */
  share?: ShareRecord;
  /** Cross-account: intermediate copies (child workflows' targets), deleted on every exit. */
  intermediates?: IntermediateRecord[];
}

/** The copy AWS accepted: enough for a later run to follow it without describing the source again. */
export interface CopyInFlight {
  sourceArn: string;
  sourceRegion: string;
  sourceCluster: string;
  kmsKeyArn?: string;
  targetArn?: string;
  /** When CopyDBClusterSnapshot was accepted (workflow time, ISO). */
  startedAt: string;
  /** The last sighting at the starting percentage: the rate is measured from there. */
  anchor: ProgressSample;
  /** Consecutive polls at 0% (queued copies back off). */
  queuedPolls: number;
  /** The sightings that bound the copy's rate, so the next poll lands just after its finish. */
  track?: PollTrack;
  lastPercent: number;
}

/** Carried whole by continue-as-new. */
export interface CopyState {
  /** When the first run started (the deadline counts from here). */
  startedAt: string;
  /** Runs so far, this one included. */
  runs: number;
  polls: number;
  slotWaits: number;
  pruned: PrunedSnapshot[];
  /** Copies quota pruning left alone for a hold (absent when none; runs before 0.x carry none). */
  held?: HeldSnapshot[];
  /** Set once a cancel was requested (signal or Temporal cancellation). */
  cancel?: { reason?: string };
  /** What must be undone if the copy is cancelled or fails (see undo.ts). */
  undo: UndoRecord;
  copy?: CopyInFlight;
  /** Cross-account copies: the chain of copies, and the two accounts. */
  hops?: HopView[];
  crossAccount?: { sourceAccountId: string; targetAccountId: string; shared: boolean };
}

/** What a run shows but does not carry: rebuilt by each run from AWS. */
export interface LiveView {
  phase: Phase;
  targetRegion: string;
  targetIdentifier: string;
  sourceRegion?: string;
  status?: string;
  percent: number;
  etaSeconds?: number;
  queuePosition?: number;
  lastPolledAt?: string;
  nextPollAt?: string;
  message?: string;
  outcome?: Progress['outcome'];
  error?: { type: string; message: string };
}

/** Shapes carried by runs recorded before CopyState existed (they are in running workflows' histories). */
interface LegacyPendingState {
  stage: 'starting';
  startedAt: string;
  polls: number;
  runs: number;
  slotWaits: number;
  pruned: PrunedSnapshot[];
  cancelRequested: boolean;
  cancelReason?: string;
}

interface LegacyCopyingState extends Omit<LegacyPendingState, 'stage'>, Omit<CopyInFlight, 'startedAt'> {
  /** Absent in the oldest histories: those were all copying. */
  stage?: 'copying';
  copyStartedAt: string;
}

function isLegacy(carried: object): carried is LegacyPendingState | LegacyCopyingState {
  return !('undo' in carried);
}

/**
 * The state a run starts from: fresh, carried by the previous run, or read from the flat shapes of
 * earlier versions (a legacy copying state implies a target to undo).
 */
export function readCarriedState(carried: unknown, now: string): CopyState {
  if (!carried || typeof carried !== 'object') {
    return { startedAt: now, runs: 1, polls: 0, slotWaits: 0, pruned: [], undo: {} };
  }
  if (!isLegacy(carried)) {
    const state = carried as CopyState;
    return { ...state, runs: state.runs + 1 };
  }
  const common = {
    startedAt: carried.startedAt,
    runs: carried.runs + 1,
    polls: carried.polls,
    slotWaits: carried.slotWaits,
    pruned: carried.pruned,
    ...(carried.cancelRequested ? { cancel: { reason: carried.cancelReason } } : {}),
  };
  if (carried.stage === 'starting') return { ...common, undo: {} };
  return {
    ...common,
    undo: { target: { available: false } },
    copy: {
      sourceArn: carried.sourceArn,
      sourceRegion: carried.sourceRegion,
      sourceCluster: carried.sourceCluster,
      kmsKeyArn: carried.kmsKeyArn,
      targetArn: carried.targetArn,
      startedAt: carried.copyStartedAt,
      anchor: carried.anchor,
      queuedPolls: carried.queuedPolls,
      lastPercent: carried.lastPercent,
    },
  };
}
