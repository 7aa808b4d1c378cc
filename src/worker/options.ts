// Worker options: where the workflow code comes from, the activities, the shutdown grace time, and the
// tuning (sticky cache, task slots or the resource-based tuner, pollers).
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { preloadedModules } from './bundle';
import type { Pollers, WorkerConfig } from './config';

/**
 * `npm run build` writes the prebuilt workflow bundle here (scripts/bundle-workflows.js). This module is
 * src/worker/options.ts under tsx and lib/worker/options.js once compiled: both are two levels below the
 * project root.
 */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', '..', 'lib', 'workflow-bundle.js');

/** Running the compiled worker (lib/), not the TypeScript sources through tsx or vitest. */
const COMPILED = path.extname(__filename) === '.js';

/**
 * The workflow code. SNAPCOPY_WORKFLOW_BUNDLE: unset or `auto` uses the prebuilt bundle when running the
 * compiled worker (from sources, a bundle left by an earlier build could be stale, so the sources are
 * bundled at start-up); `off` always bundles at start-up; any other value is the path of a bundle to use.
 */
export function workflowSource(
  env: NodeJS.ProcessEnv = process.env,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const choice = env.SNAPCOPY_WORKFLOW_BUNDLE?.trim() || 'auto';
  if (choice !== 'auto' && choice !== 'off') {
    const codePath = path.resolve(choice);
    if (!fs.existsSync(codePath)) {
      throw new Error(`SNAPCOPY_WORKFLOW_BUNDLE: ${codePath} does not exist (run \`npm run build\`?)`);
    }
    return { workflowBundle: { codePath } };
  }
  if (choice === 'auto' && COMPILED && fs.existsSync(PREBUILT_BUNDLE)) {
    return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  }
  // A plain path rather than require.resolve: under vitest, Node's resolver does not know .ts files.
  const workflowsPath = path.join(__dirname, '..', 'workflows', COMPILED ? 'index.js' : 'index.ts');
  return { workflowsPath, bundlerOptions: { preloadModules: preloadedModules(workflowsPath) } };
}

/** For the start-up log line: which workflow code this worker runs. */
export function describeWorkflowSource(
  code: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>,
): string {
  if (code.workflowBundle && 'codePath' in code.workflowBundle) return code.workflowBundle.codePath;
  return code.workflowsPath ? `bundled at start-up from ${code.workflowsPath}` : 'in-memory bundle';
}

/** The WorkerOptions that SNAPCOPY_MAX_CACHED_WORKFLOWS, SNAPCOPY_TUNER and the slot/poller settings set. */
export type TuningOptions = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'tuner'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
>;

/** A poller count as the SDK's fixed maximum; `auto` as its autoscaling behaviour (with the SDK's bounds). */
export function pollerBehavior(pollers: Pollers): NonNullable<WorkerOptions['workflowTaskPollerBehavior']> {
  return pollers === 'auto' ? { type: 'autoscaling' } : { type: 'simple-maximum', maximum: pollers };
}

/**
 * The worker's tuning as WorkerOptions. The SDK refuses `tuner` beside any maxConcurrent* option, so exactly
 * one of the two is set (workerConfig has already refused a configuration that asks for both).
 */
export function tuningOptions(config: Pick<WorkerConfig, 'maxCachedWorkflows' | 'tuning'>): TuningOptions {
  const { tuning } = config;
  const pollers = {
    workflowTaskPollerBehavior: pollerBehavior(tuning.workflowPollers),
    activityTaskPollerBehavior: pollerBehavior(tuning.activityPollers),
  };
  if (tuning.tuner === 'resource-based') {
    return {
      maxCachedWorkflows: config.maxCachedWorkflows,
      tuner: {
        tunerOptions: { targetMemoryUsage: tuning.targetMemory, targetCpuUsage: tuning.targetCpu },
      },
      ...pollers,
    };
  }
  return {
    maxCachedWorkflows: config.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: tuning.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: tuning.activitySlots,
    maxConcurrentLocalActivityExecutions: tuning.localActivitySlots,
    ...pollers,
  };
}

/** For the start-up log line: the slots (or tuner targets) and pollers this worker runs with. */
export function describeTuning(tuning: WorkerConfig['tuning']): Record<string, string | number> {
  const pollers = { workflowPollers: tuning.workflowPollers, activityPollers: tuning.activityPollers };
  return tuning.tuner === 'resource-based'
    ? { tuner: tuning.tuner, targetMemory: tuning.targetMemory, targetCpu: tuning.targetCpu, ...pollers }
    : {
        tuner: tuning.tuner,
        workflowTaskSlots: tuning.workflowTaskSlots,
        activitySlots: tuning.activitySlots,
        localActivitySlots: tuning.localActivitySlots,
        ...pollers,
      };
}

export type CreateWorkerOptions = { namespace: string; taskQueue: string } & Partial<WorkerOptions> & {
    /**
     * The SDK's deadlock watchdog in ms, 0 for none (see deadlock.ts). Not in WorkerOptions' type: the SDK
     * reads it from the options all the same (its defaults give way to what is passed).
     */
    isolateExecutionTimeout?: number;
  };

/** The snapcopy worker: the real AWS activities and workflow code unless given (tests). */
export async function createWorker(connection: NativeConnection, opts: CreateWorkerOptions): Promise<Worker> {
  const code = opts.workflowBundle || opts.workflowsPath ? {} : workflowSource();
  return Worker.create({
    connection,
    ...code,
    ...opts,
    activities: opts.activities ?? createActivities(),
  });
}
