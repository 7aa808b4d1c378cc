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

export interface ProgressView<P = Progress> {
  update(p: P): void;
  stop(): void;
}

function isTerminal(stream: NodeJS.WriteStream | LineStream): stream is NodeJS.WriteStream {
  return stream.isTTY === true && 'columns' in stream;
}

/** What a live view shows of P: its line off a terminal, and on one a bar (`format`: cli-progress tokens). */
export interface LiveViewSpec<P> {
  line(p: P): string;
  format: string;
  total(p: P): number;
  value(p: P): number;
  payload(p: P): Record<string, unknown>;
}

/** A progress bar on a terminal, one line per change otherwise (pipes, files, CI logs). */
export function createLiveView<P>(
  stream: NodeJS.WriteStream | LineStream,
  spec: LiveViewSpec<P>,
): ProgressView<P> {
  if (!isTerminal(stream)) {
    let last = '';
    return {
      update(p) {
        const line = spec.line(p);
        if (line !== last) stream.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: spec.format,
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(spec.total(p), spec.value(p), spec.payload(p));
        started = true;
      } else {
        bar.setTotal(spec.total(p));
        bar.update(spec.value(p), spec.payload(p));
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** A copy's view. */
export function createProgressView(stream: NodeJS.WriteStream | LineStream = process.stderr): ProgressView {
  return createLiveView<Progress>(stream, {
    line: (p) =>
      `${describePhase(p)} ${p.percent}%${p.etaSeconds !== undefined ? ` eta ${formatEta(p.etaSeconds)}` : ''}`,
    format: '{phase} |{bar}| {percentage}% | eta {eta_text} | {target}',
    total: () => 100,
    value: (p) => p.percent,
    payload: (p) => ({
      phase: describePhase(p).padEnd(16),
      eta_text: formatEta(p.etaSeconds),
      target: p.targetIdentifier,
    }),
  });
}
