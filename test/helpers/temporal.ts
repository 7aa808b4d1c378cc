// Real Temporal servers for tests, from the project's .venv (PyPI wheels), never downloaded by the SDK.
import path from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

export const ROOT = path.resolve(__dirname, '../..');
export const TEMPORAL_CLI = path.join(ROOT, '.venv/bin/temporal');
export const TEMPORAL_TEST_SERVER = path.join(ROOT, '.venv/bin/temporal-test-server');

/** The time-skipping test server, with snapcopy's search attributes registered as on a real cluster. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
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

// Workers log every state change at INFO and every expected failure at WARN: keep test output to errors.
Runtime.install({ logger: new DefaultLogger('ERROR') });
