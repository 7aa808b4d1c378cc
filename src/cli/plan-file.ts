// Plan files on disk: YAML read with line numbers, checked with the shared plan schema (src/shared/plan.ts).
// Every problem carries the line (and for YAML syntax errors the column) it is at, where the parser knows it.
import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { checkPlan, formatPath, type Plan } from '../shared/plan';

export interface PlanFileProblem {
  /** 1-based, when known. */
  line?: number;
  /** 1-based; YAML syntax errors only. */
  column?: number;
  /** The key path (`destinations[1].kmsKeyId`); absent for YAML syntax errors and unreadable files. */
  path?: string;
  message: string;
}

export interface PlanFile {
  file: string;
  /** Set when the file is a valid plan. */
  plan?: Plan;
  problems: PlanFileProblem[];
  /** The line of a key path in the file (see {@link lineOf}), when the file parsed as YAML. */
  lineAt?: (path: readonly (string | number)[]) => number | undefined;
}

const lineFirst = (a: PlanFileProblem, b: PlanFileProblem) =>
  (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

/** Parses and checks the text of a plan file; `file` is only for the result. */
export function parsePlanText(text: string, file: string): PlanFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((err): PlanFileProblem => {
      const pos = lineCounter.linePos(err.pos[0]);
      return { line: pos.line, column: pos.col, message: `YAML: ${firstLine(err.message)}` };
    });
    return { file, problems: problems.sort(lineFirst) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      file,
      problems: [{ message: `YAML: ${firstLine(err instanceof Error ? err.message : String(err))}` }],
    };
  }
  const lineAt = (path: readonly (string | number)[]) => lineOf(doc, path, lineCounter);
  const checked = checkPlan(value === undefined ? null : value);
  if (checked.ok) return { file, plan: checked.plan, problems: [], lineAt };
  const problems = checked.problems.map((p): PlanFileProblem => {
    const problem: PlanFileProblem = { path: formatPath(p.path), message: p.message };
    const line = lineAt(p.path);
    if (line !== undefined) problem.line = line;
    return problem;
  });
  // Stable: problems on one line keep the schema's order.
  return { file, problems: problems.sort(lineFirst), lineAt };
}

/** Reads and checks a plan file; an unreadable file is a problem of that file, not an exception. */
export async function readPlanFile(file: string): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a plan file'
          : code === 'EACCES'
            ? 'permission denied'
            : firstLine(err instanceof Error ? err.message : String(err));
    return { file, problems: [{ message: `cannot read the file: ${why}` }] };
  }
  return parsePlanText(text, file);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/**
 * The line of the node at `path`: a mapping entry's key, a sequence item; for a path that is not in the file
 * (a required key left out) the line of its nearest ancestor that is.
 */
export function lineOf(
  doc: Document,
  path: readonly (string | number)[],
  lineCounter: LineCounter,
): number | undefined {
  let node: unknown = doc.contents;
  let at: [number, number, number] | undefined = (node as Node | null)?.range ?? undefined;
  for (const part of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(part));
      if (pair === undefined) break;
      const key = pair.key as Node | null;
      at = key?.range ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (item === undefined) break;
      at = item.range ?? at;
      node = item;
    } else break;
  }
  return at === undefined ? undefined : lineCounter.linePos(at[0]).line;
}
