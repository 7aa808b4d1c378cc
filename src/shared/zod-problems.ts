// The one translator from zod's issues to snapcopy's input problems, for a copy's input and a plan file
// alike: each unknown key with the known keys at its place and the closest one (a typo's fix), each missing
// required value, and each refused value with whether the message should quote it. The callers word them
// (a copy names the field in an InputError, a plan lists `path: message` lines). Pure and workflow-safe.
import type { z } from 'zod';
import { closest, valueAt } from './messages';

export type InputProblem =
  | { kind: 'unknown'; path: (string | number)[]; known: readonly string[]; suggestion?: string }
  | { kind: 'required'; path: (string | number)[] }
  | {
      kind: 'invalid';
      path: (string | number)[];
      message: string;
      value: unknown;
      /** The rule's message already quotes the value (custom and format rules), or it is not worth quoting. */
      plain: boolean;
    };

/** In zod's order, but unknown keys first: they usually explain a "required" beside them. */
export function zodProblems(
  error: z.ZodError,
  input: unknown,
  knownKeysAt: (path: readonly (string | number)[]) => readonly string[],
): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        problems.push({
          kind: 'unknown',
          path: [...path, key],
          known,
          ...(suggestion ? { suggestion } : {}),
        });
      }
      continue;
    }
    const value = valueAt(input, path);
    if (issue.code === 'invalid_type' && value === undefined && path.length > 0) {
      problems.push({ kind: 'required', path });
      continue;
    }
    const plain =
      issue.code === 'custom' ||
      (issue.code === 'invalid_format' && typeof value === 'string') ||
      (issue.code !== 'invalid_type' && value !== null && typeof value === 'object');
    problems.push({ kind: 'invalid', path, message: issue.message, value, plain });
  }
  return [...problems.filter((p) => p.kind === 'unknown'), ...problems.filter((p) => p.kind !== 'unknown')];
}
