// Shows a copy's `progress` query live: a progress bar on a terminal, one line per change otherwise.
import { SingleBar } from 'cli-progress';
import type { Progress } from '../shared/types';
import { formatEta } from './format';

/** Anything lines can be written to that is not a terminal (a pipe, a file, a test's buffer). */
export interface LineStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export function describePhase(p: Progress): string {
  if (p.phase === 'copying' && p.status && p.status !== 'copying') return `copying (${p.status})`;
  if (p.phase === 'waiting-for-slot') {
    // A copy of the slot scheduler's days knows its place in the queue; an older one counts its attempts.
    return p.queuePosition !== undefined
      ? `waiting for a copy slot (position ${p.queuePosition})`
      : `waiting for a copy slot (${p.slotWaits})`;
  }
  return p.phase;
}

export interface ProgressView {
  update(p: Progress): void;
  stop(): void;
}

function isTerminal(stream: NodeJS.WriteStream | LineStream): stream is NodeJS.WriteStream {
  return stream.isTTY === true && 'columns' in stream;
}

export function createProgressView(stream: NodeJS.WriteStream | LineStream = process.stderr): ProgressView {
  if (!isTerminal(stream)) {
    let last = '';
    return {
      update(p) {
        const line = `${describePhase(p)} ${p.percent}%${p.etaSeconds !== undefined ? ` eta ${formatEta(p.etaSeconds)}` : ''}`;
        if (line !== last) stream.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: '{phase} |{bar}| {percentage}% | eta {eta_text} | {target}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(p) {
      const payload = {
        phase: describePhase(p).padEnd(16),
        eta_text: formatEta(p.etaSeconds),
        target: p.targetIdentifier,
      };
      if (!started) {
        bar.start(100, p.percent, payload);
        started = true;
      } else bar.update(p.percent, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
