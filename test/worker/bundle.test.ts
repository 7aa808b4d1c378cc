// The modules every workflow of a worker shares (src/worker/bundle.ts): what keeps sharing them safe. Read
// from the bundle itself, the webpack modules that loading them evaluates: exactly what ends up shared.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { preloadedModules, workflowBundleOptions } from '../../src/worker/bundle';
import { WORKFLOWS_PATH } from '../helpers/paths';

const ROOT = path.resolve(__dirname, '../..');
const noop = () => undefined;

let code: string;
beforeAll(async () => {
  ({ code } = await bundleWorkflowCode({
    ...workflowBundleOptions(WORKFLOWS_PATH),
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
  }));
});

/** The webpack module ids a piece of bundled code requires. */
const requiredBy = (source: string) =>
  [...source.matchAll(/__webpack_require__\((?:\/\*[^*]*\*\/\s*)*"([^"]+)"\)/g)].map((m) => m[1]!);

/** Every module that the bundle's preloadModules() evaluates, transitively. */
function preloadedClosure(): string[] {
  const modules = new Map<string, string>();
  const parts = code.split(/\n\/\*\*\*\/ "([^"]+)"\n/);
  for (let i = 1; i < parts.length; i += 2) modules.set(parts[i]!, parts[i + 1]!);
  const preload = /function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    requiredBy(modules.get(id) ?? '').forEach(visit);
  };
  requiredBy(preload).forEach(visit);
  return [...seen];
}

describe('modules shared by every workflow of a worker', () => {
  it('are the input schemas with zod, and none of them loads @temporalio/workflow (its state is per workflow)', () => {
    const ids = preloadedClosure();
    expect(ids).toContain('./src/shared/validation.ts');
    expect(ids).toContain('./src/shared/plan.ts');
    expect(ids.some((id) => id.startsWith('./node_modules/zod/'))).toBe(true);
    expect(ids.filter((id) => id.includes('@temporalio/workflow'))).toEqual([]);
    expect(ids.filter((id) => id.startsWith('./src/workflows/'))).toEqual([]);
  });

  it("hold no state: snapcopy's own among them declare no module-level let or var", () => {
    const own = preloadedClosure().filter((id) => id.startsWith('./src/'));
    const mutable = own.filter((id) =>
      /^(export\s+)?(let|var)\s/m.test(fs.readFileSync(path.join(ROOT, id), 'utf8')),
    );
    expect(own.length).toBeGreaterThan(5);
    expect(mutable).toEqual([]);
  });

  it('export no zod schema: the SDK freezes what they export, and zod completes a schema as it is used', async () => {
    const own = preloadedClosure().filter((id) => id.startsWith('./src/'));
    const schemas: string[] = [];
    const holdsSchema = (v: unknown, seen: Set<unknown>): boolean => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return false;
      seen.add(v);
      return '_zod' in v || Object.values(v).some((x) => holdsSchema(x, seen));
    };
    for (const id of own) {
      const exports = (await import(path.join(ROOT, id))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exports))
        if (holdsSchema(value, new Set())) schemas.push(`${id}: ${name}`);
    }
    expect(schemas).toEqual([]);
  });

  it('are the compiled copies when the worker bundles lib/ (the same files its workflows import)', () => {
    expect(preloadedModules('/app/lib/workflows/index.js')).toEqual([
      '/app/lib/shared/validation.js',
      '/app/lib/shared/plan.js',
    ]);
  });
});
