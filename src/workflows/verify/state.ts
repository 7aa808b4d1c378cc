// One restore test's state: what it carries across continue-as-new, what it shows (the progress query and
// the UI's current details), and the thin handlers over both (they record; the steps act).
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { VerifyCheck, VerifyCopyInput, VerifyPhase, VerifyProgress } from '../../shared/restore-tests';
import { SA_PHASE, SA_SOURCE_CLUSTER, SA_TARGET_REGION } from '../../shared/search-attributes';
import type { ValidatedVerify } from '../../shared/verify-input';
import { iso, now } from '../clock';

/** What the snapshot said of itself (the checks compare the restored cluster with it). */
export interface SnapshotFacts {
  arn: string;
  accountId: string;
  engine: string;
  engineVersion?: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** The copy's snapcopy:source-cluster tag (a search attribute, so plans find their clusters' tests). */
  sourceCluster?: string;
}

/** Epoch ms of each mark the timings are measured between. */
export interface Marks {
  /** The restore slot was granted: the deadline counts from here. */
  slotGranted?: number;
  restoreCalled?: number;
  clusterAvailable?: number;
  writerCalled?: number;
  writerAvailable?: number;
}

/** Carried across continue-as-new, whole. */
export interface VerifyState {
  startedAt: string;
  phase: VerifyPhase;
  phaseSince: number;
  timings: { phase: VerifyPhase; seconds: number }[];
  snapshot?: SnapshotFacts;
  /** The restore slot: asked (with when, which orders the queue), granted. */
  slot?: { slotsWorkflowId: string; since: string; granted: boolean };
  /** What the test made (or may have made: recorded before the call), for cleanup. */
  cluster?: { identifier: string; arn?: string };
  writer?: { identifier: string };
  marks: Marks;
  checks: VerifyCheck[];
  cancel?: { reason?: string };
  polls: number;
}

export class RestoreTest {
  readonly workflowId = workflowInfo().workflowId;
  readonly state: VerifyState;
  /** Set by validate(); every later step relies on it. */
  v!: ValidatedVerify;
  /** Polls in this run: each run's history is bounded (continue-as-new). */
  pollsThisRun = 0;
  message?: string;

  constructor(
    readonly input: VerifyCopyInput,
    carried: VerifyState | undefined,
  ) {
    this.state = carried ?? {
      startedAt: iso(),
      phase: 'validating',
      phaseSince: now(),
      timings: [],
      marks: {},
      checks: [],
      polls: 0,
    };
  }

  get cancelRequested(): boolean {
    return this.state.cancel !== undefined;
  }

  /** The cancel signal's handler (and Temporal cancellation's): record it; the next checkpoint acts. */
  requestCancel(reason: string | undefined): void {
    if (this.state.cancel) return;
    this.state.cancel = { reason };
    this.show();
  }

  /** The restore-slot scheduler granted the slot (repeated grants change nothing). */
  slotGranted(slotsWorkflowId: string): void {
    if (this.state.slot?.slotsWorkflowId !== slotsWorkflowId) return;
    this.state.slot.granted = true;
  }

  /**
   * Moves to `phase`, closing the timing of the one before. `listedAs`: what SnapcopyPhase shows instead (a
   * finished test shows its outcome, which plans look their last passed tests up by).
   */
  setPhase(phase: VerifyPhase, message?: string, listedAs?: string): void {
    const s = this.state;
    if (s.phase !== phase) {
      s.timings.push({ phase: s.phase, seconds: Math.round((now() - s.phaseSince) / 100) / 10 });
      s.phase = phase;
      s.phaseSince = now();
      upsertSearchAttributes([{ key: SA_PHASE, value: listedAs ?? phase }]);
    }
    this.message = message;
    this.show();
  }

  say(message: string | undefined): void {
    this.message = message;
    this.show();
  }

  addCheck(check: VerifyCheck): void {
    this.state.checks.push(check);
    this.show();
  }

  /** The copy's source cluster as SnapcopySourceCluster (plans look their clusters' last tests up by it). */
  showSourceCluster(cluster: string): void {
    if (workflowInfo().typedSearchAttributes.get(SA_SOURCE_CLUSTER) === cluster) return;
    upsertSearchAttributes([{ key: SA_SOURCE_CLUSTER, value: cluster }]);
  }

  showRegion(): void {
    if (workflowInfo().typedSearchAttributes.get(SA_TARGET_REGION) === this.v.region) return;
    upsertSearchAttributes([{ key: SA_TARGET_REGION, value: this.v.region }]);
  }

  progress(): VerifyProgress {
    const s = this.state;
    return {
      phase: s.phase,
      snapshotIdentifier: String(this.input?.SnapshotIdentifier ?? ''),
      region: String(this.input?.Region ?? ''),
      ...(s.snapshot ? { snapshotArn: s.snapshot.arn } : {}),
      ...(s.cluster ? { clusterIdentifier: s.cluster.identifier } : {}),
      timings: [...s.timings, { phase: s.phase, seconds: Math.round((now() - s.phaseSince) / 100) / 10 }],
      checks: s.checks,
      cancelRequested: this.cancelRequested,
      ...(this.message ? { message: this.message } : {}),
    };
  }

  /** The Temporal UI's "current details" of the test. */
  show(): void {
    setCurrentDetails(formatVerifyDetails(this.progress()));
  }
}

/** Markdown for the workflow's page: the phase, what was made, each phase's time and each check. Pure. */
export function formatVerifyDetails(p: VerifyProgress): string {
  const lines = [
    `**restore test — ${p.phase}**`,
    '',
    `- snapshot: \`${p.snapshotArn ?? p.snapshotIdentifier}\` in ${p.region}`,
  ];
  if (p.clusterIdentifier)
    lines.push(`- throwaway cluster: \`${p.clusterIdentifier}\` (writer \`${p.clusterIdentifier}-writer\`)`);
  for (const t of p.timings) lines.push(`- ${t.phase}: ${t.seconds}s`);
  for (const c of p.checks) lines.push(`- ${c.ok ? 'passed' : 'FAILED'} ${c.name}: ${c.detail}`);
  if (p.cancelRequested) lines.push('- cancel requested');
  if (p.message) lines.push(`- ${p.message}`);
  return lines.join('\n');
}
