// Where a child process of the local stack writes (the emulator, the Temporal dev server): a file it appends
// to, or memory that keeps only the output's end; either way its last lines go into the error when it fails
// to start.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ChildLog {
  stdio: 'pipe' | 'ignore' | number;
  attach(child: ChildProcess): void;
  tail(): string;
}

function lastLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The child writes straight into the file; the tail is read back from it. */
export function fileLog(file: string, lines: number): ChildLog {
  const fd = openSync(file, 'a');
  return {
    stdio: fd,
    attach: () => closeSync(fd), // the child holds its own copy of the descriptor
    tail: () => `--- last lines of ${file} ---\n${lastLines(readFileSync(file, 'utf8'), lines)}`,
  };
}

/** Keeps only the output's end, and keeps reading so the child never blocks on a full pipe. */
export function memoryLog(what: string, lines: number): ChildLog {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-16_000);
  };
  return {
    stdio: 'pipe',
    attach: (child) => {
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    },
    tail: () => `--- last lines of ${what} ---\n${lastLines(text, lines)}`,
  };
}

/** A detached child without a log file: nothing holds this process to its output. */
export function noLog(): ChildLog {
  return { stdio: 'ignore', attach: () => undefined, tail: () => '(its output was not kept: no log file)' };
}
