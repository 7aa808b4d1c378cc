// Real Temporal servers for tests, from the project's .venv (PyPI wheels), never downloaded by the SDK.
// Importing this module changes nothing: the quiet Runtime is installed by the first helper that needs one.
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { IllegalStateError } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { workflowBundleOptions } from '../../src/worker/bundle';
import { FOLLOW_WITH_TIMERS, TEMPORAL_TEST_SERVER, WORKFLOWS_PATH } from './paths';

export { ROOT, TEMPORAL_CLI, TEMPORAL_TEST_SERVER } from './paths';

let runtimeChosen = false;
/**
 * Workers log every state change at INFO and every expected failure at WARN: keep test output to errors.
 * Installs that Runtime unless this process already has one (a test that installs its own, as the worker
 * does, keeps it). Called by the helpers below before they start anything that needs a Runtime.
 */
export function useQuietRuntime(): void {
  if (runtimeChosen) return;
  runtimeChosen = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}

/** The time-skipping test server, with snapcopy's search attributes registered as on a real cluster. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  useQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((sa) => [sa.name, encodeSearchAttributeIndexedValueType(sa.type)!]),
    ),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (for workers and for replaying histories). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  useQuietRuntime();
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(WORKFLOWS_PATH), logger: quietLogger });
  return bundle;
}

let timeSkippingBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * The bundle for workers on the time-skipping server: copies follow with workflow timers unless a test asks
 * otherwise (follow-with-timers.ts). Replays use workflowBundle(), as production runs.
 */
export function timeSkippingWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  useQuietRuntime();
  timeSkippingBundle ??= bundleWorkflowCode({
    ...workflowBundleOptions(WORKFLOWS_PATH),
    workflowInterceptorModules: [FOLLOW_WITH_TIMERS],
    logger: quietLogger,
  });
  return timeSkippingBundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/**
 * A time-skipping server per test, handed to `use` before each: one test's slow run (or a workflow it leaves
 * behind) cannot hold up the time skipping of the next. The workflow bundle is built once, up front.
 */
export function timeSkippingEnvPerTest(use: (env: TestWorkflowEnvironment) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    await timeSkippingWorkflowBundle();
  });
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
    use(env);
  });
  afterEach(async () => {
    await env?.teardown();
  });
}
