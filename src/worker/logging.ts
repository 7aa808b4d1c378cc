// Structured logs: one JSON object per line (time, level, msg, then the SDK's metadata such as
// workflowId, runId, activityType, sdkComponent). Installed as the Runtime logger, so workflow logs
// (`log` from @temporalio/workflow), activity logs (Context.current().log), the worker's own lifecycle
// messages and forwarded Core logs all come out the same way.
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { Logger, LogLevel } from '@temporalio/common';

export type LineWriter = (line: string) => void;

const RESERVED = new Set(['time', 'level', 'msg']);

/** Errors keep their name, message, stack and own fields (an ApplicationFailure's `type`, ...). */
function errorToJson(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  for (const [key, value] of Object.entries(err)) out[key] = value;
  if (err.stack) out.stack = err.stack;
  if (err.cause !== undefined) out.cause = err.cause;
  return out;
}

function replacer(seen?: WeakSet<object>) {
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) value = errorToJson(value);
    if (seen && typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

function stringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, replacer());
  } catch {
    // A cycle somewhere in the metadata: mark repeated objects instead of losing the line.
    return JSON.stringify(record, replacer(new WeakSet()));
  }
}

/** One log line (no trailing newline). */
export function formatLogEntry(entry: LogEntry): string {
  const record: Record<string, unknown> = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    msg: entry.message,
  };
  for (const [key, value] of Object.entries(entry.meta ?? {})) {
    // Metadata never overwrites the three fixed fields; it is kept under a prefixed key instead.
    record[RESERVED.has(key) ? `meta_${key}` : key] = value;
  }
  return stringify(record);
}

const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** The worker's logger: JSON lines on stdout (containers collect stdout), at `level` and above. */
export function createJsonLogger(level: LogLevel, write: LineWriter = stdoutWriter): Logger {
  return new DefaultLogger(level, (entry) => write(formatLogEntry(entry)));
}

/** For the failure that ends the process (possibly before the Runtime logger exists): same shape, on stderr. */
export function logFatal(msg: string, err: unknown): void {
  const record = { time: new Date().toISOString(), level: 'error', msg, error: err };
  process.stderr.write(`${stringify(record)}\n`);
}
