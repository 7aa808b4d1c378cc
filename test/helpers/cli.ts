// Running the snapcopy CLI in tests: as a real process (`node --import tsx src/client.ts`, for exit codes,
// signals and what a terminal sees) or in-process through run(argv, io) (cheap, same code path).
import { spawn, type ChildProcess } from 'node:child_process';
import { run } from '../../src/client';
import type { CliIo } from '../../src/cli/io';
import { CREDENTIALS, type LocalStack } from './local-stack';
import { CLI_ENTRY, ROOT } from './paths';
import { waitForValue } from './wait';

export { ROOT };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What the CLI needs to reach the stack's Temporal dev server, worker task queue and AWS emulator. */
export function cliEnv(stack: LocalStack): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
    SNAPCOPY_TASK_QUEUE: stack.taskQueue,
    AWS_ENDPOINT_URL: stack.emulator.endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface CliProcess {
  child: ChildProcess;
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once `predicate` holds for the output so far (checked on every chunk). */
  waitForOutput(
    predicate: (out: { stdout: string; stderr: string }) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts `snapcopy <args>` as a real process. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    changed();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    changed();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitForOutput(predicate, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate({ stdout, stderr })) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`output never matched within ${timeoutMs}ms\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
        }, timeoutMs);
        const exited = () => {
          cleanup();
          reject(new Error(`the CLI exited before its output matched\nstdout: ${stdout}\nstderr: ${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', exited);
        };
        listeners.add(check);
        child.once('close', exited);
        check();
      });
    },
    done,
  };
}

/** Runs `snapcopy <args>` as a real process to its end. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(args, env).done;
}

/** Runs the CLI in this process (process.env as the environment); output is captured, Ctrl-C never comes. */
export async function runInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    onInterrupt: () => () => undefined,
  };
  const code = await run(args, io, process.env);
  return { code, signal: null, stdout, stderr };
}

/** Parses a command's --json output. */
export function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** The lines of stderr, for "one line" checks. */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((l) => l.trim() !== '');
}

/** Polls `probe` until it answers a value (visibility, schedules and AWS are eventually consistent). */
export function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  return waitForValue(what, probe, { timeoutMs, intervalMs: 200 });
}
