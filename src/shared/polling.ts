// How often to look at a running copy, and how long it has left. Pure, workflow-safe.
// AWS offers no completion event for cluster snapshot copies, so polling is the mechanism: poll often
// near the estimated end, rarely while a copy sits queued at 0%, never more often than minPollSeconds.

export interface ProgressSample {
  /** Epoch milliseconds (workflow time). */
  at: number;
  percent: number;
}

/**
 * Seconds left, from the rate between `anchor` (the last time the copy was seen at its starting
 * percentage) and `latest`. Undefined until the copy has made measurable progress.
 */
export function estimateEtaSeconds(anchor: ProgressSample, latest: ProgressSample): number | undefined {
  const gained = latest.percent - anchor.percent;
  const elapsedSeconds = (latest.at - anchor.at) / 1000;
  if (gained <= 0 || elapsedSeconds <= 0 || latest.percent >= 100) return undefined;
  return Math.ceil(((100 - latest.percent) * elapsedSeconds) / gained);
}

export interface PollDelayInput {
  percent: number;
  etaSeconds?: number;
  /** Consecutive polls that found the copy still at 0%. */
  queuedPolls: number;
  minPollSeconds: number;
  maxPollSeconds: number;
}

/** Seconds to wait before the next poll. */
export function nextPollDelaySeconds(p: PollDelayInput): number {
  const clamp = (s: number) => Math.min(p.maxPollSeconds, Math.max(p.minPollSeconds, Math.round(s)));
  if (p.percent <= 0) {
    // Queued: back off exponentially, a copy can wait hours for its turn.
    return clamp(p.minPollSeconds * 2 ** Math.min(p.queuedPolls, 16));
  }
  if (p.etaSeconds === undefined) return clamp(p.minPollSeconds * 2);
  // A third of the estimate: the poll interval shrinks as the end approaches.
  return clamp(p.etaSeconds / 3);
}
