// Exit codes, the CLI's own errors, and one clear line for any error that reaches the top.
import {
  NamespaceNotFoundError,
  ScheduleNotFoundError,
  ServiceError,
  WorkflowNotFoundError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InputError } from '../shared/validation';
import { flagOf } from './copy-flags';

/** snapcopy's exit codes (documented in `snapcopy --help`). */
export const EXIT = {
  ok: 0,
  /** The operation failed: Temporal or AWS refused it, the copy failed or was cancelled, nothing found. */
  failed: 1,
  /** Usage: unknown command or option, missing or invalid value (including the copy input rules). */
  usage: 2,
  /** Ctrl-C while waiting: detached, the copy goes on (128 + SIGINT). */
  interrupted: 130,
} as const;

export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad command-line input: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** A message as one line (gRPC and AWS messages sometimes span several). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

const SEARCH_ATTRIBUTE_HINT =
  "the namespace does not know snapcopy's search attributes: register them once with `snapcopy setup`";

/** The one line printed for an error, and the exit code it ends with. */
export function explain(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: oneLine(err.message), exitCode: err.exitCode };
  if (err instanceof InputError) {
    // The shared rule's message, plus the flag that sets the field (`... (--target)`).
    const flag = flagOf(err.field);
    return { message: oneLine(flag ? `${err.message} (${flag})` : err.message), exitCode: EXIT.usage };
  }
  if (err instanceof WorkflowNotFoundError) {
    return {
      message: `no workflow with ID ${err.workflowId} (${oneLine(err.message)})`,
      exitCode: EXIT.failed,
    };
  }
  if (err instanceof ScheduleNotFoundError) {
    return { message: `no schedule with ID ${err.scheduleId}`, exitCode: EXIT.failed };
  }
  if (err instanceof NamespaceNotFoundError) return { message: oneLine(err.message), exitCode: EXIT.failed };
  if (err instanceof ApplicationFailure) {
    return { message: oneLine(`${err.type ?? 'Error'}: ${err.message}`), exitCode: EXIT.failed };
  }
  const text = err instanceof Error ? err.message : String(err);
  const grpc = err instanceof ServiceError ? err.cause : err;
  const detail = isGrpcServiceError(grpc) ? grpc.details || text : text;
  if (
    /search attribute/i.test(detail) &&
    /(not defined|no mapping|unknown|not found|not registered)/i.test(detail)
  ) {
    return { message: `${oneLine(detail)}: ${SEARCH_ATTRIBUTE_HINT}`, exitCode: EXIT.failed };
  }
  return { message: oneLine(detail || String(err)), exitCode: EXIT.failed };
}

/** The gRPC status code of a Temporal error (itself or its cause), if any. */
export function grpcCode(err: unknown): number | undefined {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) ? grpc.code : undefined;
}

/** gRPC INVALID_ARGUMENT: Temporal refused a value the user gave. */
export const GRPC_INVALID_ARGUMENT = 3;
