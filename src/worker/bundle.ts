// How the workflow code is bundled: one owner for the worker that bundles at start-up, `npm run build`
// (scripts/bundle-workflows.js), the bench and the tests, so that all of them run the same bundle.
import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/**
 * Modules evaluated once per worker and shared by every workflow it runs, instead of once per workflow.
 * In the SDK's reusable V8 context each workflow otherwise evaluates its own copy of every module it
 * imports; for the input schemas (zod and snapcopy's own, built at module load) that is most of a cached
 * workflow's memory and much of a new one's first task (see docs/architecture.md#memory). These modules
 * hold no state: constants, schemas and pure functions, and they must never import @temporalio/workflow
 * (test/worker/bundle.test.ts checks both).
 */
export const PRELOADED_SHARED_MODULES = ['validation', 'plan'] as const;

/** `workflowsPath`: src/workflows/index.ts from the sources, lib/workflows/index.js compiled. */
export function preloadedModules(workflowsPath: string): string[] {
  const ext = path.extname(workflowsPath);
  const shared = path.join(path.dirname(workflowsPath), '..', 'shared');
  // zod comes with them (a bare 'zod' here would be dropped: its package declares no side effects).
  return PRELOADED_SHARED_MODULES.map((m) => path.join(shared, `${m}${ext}`));
}

export function workflowBundleOptions(
  workflowsPath: string,
): Pick<BundleOptions, 'workflowsPath' | 'preloadModules'> {
  return { workflowsPath, preloadModules: preloadedModules(workflowsPath) };
}
