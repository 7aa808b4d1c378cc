// What the Temporal UI shows of a copy: search attributes for the workflow list, markdown "current
// details" for its page, and the one-line summaries of its activities and timers, so every bar of the
// timeline is named. Each search-attribute upsert is a history event: only what changed is sent.
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  SA_PERCENT,
  SA_PHASE,
  SA_SOURCE_CLUSTER,
  SA_SOURCE_REGION,
  SA_TARGET_REGION,
} from '../../shared/search-attributes';
import { formatDuration } from '../../shared/duration';
import { keptForHoldNote } from '../../shared/ownership';
import type { Phase, Progress } from '../../shared/types';

/** Percent steps at which SnapcopyPercent is updated. */
const PERCENT_STEP = 5;

/** Phases over in a moment: a lean copy shows them in its details and query, not in the list. */
const MOMENTARY_PHASES = new Set<Phase>(['validating', 'describing-source', 'resolving-key', 'starting']);

export class UiPublisher {
  private phase?: Phase;
  private percentStep = -1;
  /** The source cluster, held for the next upsert (`batched`). */
  private pendingCluster?: string;

  /**
   * `lean` (copies started with copy slots): start from the search attributes the client set at start
   * and leave momentary phases out of them, so every upsert is one the list needs. `batched` (copies since
   * follow-in-activity): the source cluster goes out with the next phase or percent upsert (the copy's
   * `copying` a moment later) instead of one of its own.
   */
  constructor(
    private readonly lean = false,
    private readonly batched = false,
  ) {
    if (!lean) return;
    const sa = workflowInfo().typedSearchAttributes;
    this.phase = sa.get(SA_PHASE) as Phase | undefined;
    const percent = sa.get(SA_PERCENT);
    this.percentStep = percent === undefined ? -1 : Math.floor(percent / PERCENT_STEP);
  }

  publish(p: Progress): void {
    const step = Math.floor(p.percent / PERCENT_STEP);
    const phaseChanged = p.phase !== this.phase && !(this.lean && MOMENTARY_PHASES.has(p.phase));
    const cluster = this.pendingCluster;
    const withCluster = cluster !== undefined && (phaseChanged || step !== this.percentStep);
    const changes = [
      ...(phaseChanged ? [{ key: SA_PHASE, value: p.phase }] : []),
      ...(step !== this.percentStep ? [{ key: SA_PERCENT, value: p.percent }] : []),
      ...(withCluster ? [{ key: SA_SOURCE_CLUSTER, value: cluster }] : []),
    ];
    if (withCluster) this.pendingCluster = undefined;
    if (changes.length) upsertSearchAttributes(changes);
    if (phaseChanged || !this.lean) this.phase = p.phase;
    this.percentStep = step;
    this.details(p);
  }

  /** The copy's Regions (and, once known, its source cluster) as search attributes, where not set yet. */
  showIdentity(regions: { sourceRegion: string; targetRegion: string }, sourceCluster?: string): void {
    const wanted = [
      { key: SA_SOURCE_REGION, value: regions.sourceRegion },
      { key: SA_TARGET_REGION, value: regions.targetRegion },
      ...(sourceCluster !== undefined ? [{ key: SA_SOURCE_CLUSTER, value: sourceCluster }] : []),
    ];
    const sa = workflowInfo().typedSearchAttributes;
    const changes = this.lean ? wanted.filter((w) => sa.get(w.key) !== w.value) : wanted;
    if (changes.length) upsertSearchAttributes(changes);
  }

  showSourceCluster(sourceCluster: string): void {
    const sa = workflowInfo().typedSearchAttributes;
    if (this.lean && sa.get(SA_SOURCE_CLUSTER) === sourceCluster) return;
    if (this.batched) this.pendingCluster = sourceCluster;
    else upsertSearchAttributes([{ key: SA_SOURCE_CLUSTER, value: sourceCluster }]);
  }

  details(p: Progress): void {
    setCurrentDetails(formatDetails(p));
  }
}

/** The "current details" markdown of a copy's page. Pure. */
export function formatDetails(p: Progress): string {
  const lines = [
    `**${p.phase}**${p.phase === 'copying' ? ` — ${p.percent}%, about ${p.etaSeconds === undefined ? 'unknown' : formatDuration(p.etaSeconds)} left` : ''}`,
    '',
    `- target: \`${p.targetIdentifier}\` in ${p.targetRegion}${p.status ? ` (${p.status})` : ''}`,
  ];
  if (p.sourceArn) lines.push(`- source: \`${p.sourceArn}\``);
  if (p.kmsKeyArn) lines.push(`- KMS key: \`${p.kmsKeyArn}\``);
  if (p.polls) lines.push(`- polls: ${p.polls}${p.nextPollAt ? `, next at ${p.nextPollAt}` : ''}`);
  if (p.slotWaits) lines.push(`- waited for a copy slot ${p.slotWaits} time(s)`);
  if (p.pruned.length)
    lines.push(`- pruned: ${p.pruned.map((s) => s.DBClusterSnapshotIdentifier).join(', ')}`);
  if (p.retired.length)
    lines.push(`- retired: ${p.retired.map((s) => s.DBClusterSnapshotIdentifier).join(', ')}`);
  if (p.held?.length)
    lines.push(
      `- ${keptForHoldNote(p.held.map((h) => ({ identifier: h.DBClusterSnapshotIdentifier, hold: h.hold })))}`,
    );
  if (p.sharedWith)
    lines.push(`- source shared with account ${p.sharedWith} (taken back when the copy ends)`);
  for (const h of p.hops ?? []) {
    lines.push(
      `- hop ${h.hop}: \`${h.identifier}\` in ${h.accountId}/${h.region} — ${h.status} (${h.workflowId})`,
    );
  }
  if (p.cancelRequested) lines.push(`- cancel requested${p.cancelReason ? `: ${p.cancelReason}` : ''}`);
  if (p.error) lines.push(`- error (${p.error.type}): ${p.error.message}`);
  else if (p.message) lines.push(`- ${p.message}`);
  return lines.join('\n');
}

/** One-line summaries of the copy's activities and timers, as the UI's timeline shows them. */
export const summaries = {
  workerAccount: "find the worker's own account",
  requestShare: (id: string, account: string) => `ask for ${id} to be shared with account ${account}`,
  shareWait: (seconds: number) => `wait up to ${formatDuration(seconds)} for the source to be shared`,
  findNewest: (cluster: string, region: string) =>
    `find the newest snapshot of cluster ${cluster} in ${region}`,
  describeSource: (id: string, region: string) => `describe source ${id} in ${region}`,
  checkSource: (arn: string) => `check the source ${arn} still exists`,
  lookForExisting: (arn: string, region: string) => `look for an existing copy of ${arn} in ${region}`,
  readExisting: (id: string) => `read the existing copy ${id}`,
  resolveKey: (key: string, region: string) => `resolve KMS key ${key} in ${region}`,
  startCopy: (sourceArn: string, target: string) => `copy ${sourceArn} to ${target}`,
  listForPrune: (cluster: string, region: string) => `list snapcopy-owned copies of ${cluster} in ${region}`,
  listForRetention: (cluster: string, region: string) =>
    `list snapcopy-owned copies of ${cluster} in ${region} for retention`,
  retire: (id: string, rule: string) => `retire ${id} (${rule})`,
  poll: (target: string) => `poll ${target}`,
  follow: (target: string, seconds: number) =>
    `follow ${target}: poll in ${formatDuration(seconds)}, again while the next poll is near`,
  checkBeforeCancel: (target: string) => `check ${target} before cancelling`,
  delete: (why: string, id: string) => `${why}: delete ${id}`,
  confirmGone: (id: string) => `confirm ${id} is gone`,
  // Timers
  nextPoll: (seconds: number) => `next poll in ${formatDuration(seconds)}`,
  slotWait: (seconds: number) => `waiting for a copy slot (next try in ${formatDuration(seconds)})`,
  pollRetry: (seconds: number) => `polls failing: next try in ${formatDuration(seconds)}`,
  goneWait: (id: string, seconds: number) => `wait ${seconds}s for ${id} to be gone`,
  requestSlot: (region: string) => `ask for a copy slot in ${region}`,
  releaseSlot: (region: string) => `give the copy slot in ${region} back`,
  slotGrant: (seconds: number) =>
    `waiting for a copy slot (at most ${formatDuration(seconds)}, the deadline)`,
};
