// Prometheus's promtool for the alert rule tests: Debian's `prometheus` package (installed on demand with
// apt, like Chromium for the browser tests).
import { execFile } from 'node:child_process';
import { ensureDebianTool } from './debian';

export const PROMTOOL_PATH = '/usr/bin/promtool';

/** The path of promtool, installing Debian's `prometheus` package first when it is missing. */
export function ensurePromtool(): Promise<string> {
  return ensureDebianTool({
    package: 'prometheus',
    executable: PROMTOOL_PATH,
    neededBy: 'the Prometheus alert rule tests',
  });
}

export interface PromtoolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `promtool <args>` (installing it when missing); resolves with its exit code and output. */
export async function promtool(args: string[]): Promise<PromtoolResult> {
  const file = await ensurePromtool();
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      // A number: promtool ran and exited with it. Anything else (not started, killed on timeout) is an error.
      if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
      reject(
        new Error(`\`${file} ${args.join(' ')}\` did not run to the end: ${err.message}`, { cause: err }),
      );
    });
  });
}
