// Where things are, for every test: the repository's paths (scripts/lib/paths.ts) plus the tests' own.
// No imports beyond node:path, so any test (even one that installs its own Temporal Runtime) may use it.
import path from 'node:path';
import { ROOT } from '../../scripts/lib/paths';

export { ROOT, TEMPORAL_CLI, TEMPORAL_TEST_SERVER, WORKER_ENTRY } from '../../scripts/lib/paths';
/** The workflow code's entry, as the tests bundle it. */
export const WORKFLOWS_PATH = path.join(ROOT, 'src/workflows/index.ts');
/** The workflow interceptor of time-skipping workers (copies follow with workflow timers). */
export const FOLLOW_WITH_TIMERS = path.join(ROOT, 'test/helpers/follow-with-timers.ts');
/** The CLI's entry, run through tsx. */
export const CLI_ENTRY = path.join(ROOT, 'src/client.ts');
/** Recorded workflow histories replayed by test/workflows/replay.test.ts. */
export const HISTORIES_DIR = path.join(ROOT, 'test/fixtures/histories');
