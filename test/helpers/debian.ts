// Debian packages that tests need (Chromium, promtool…), installed on demand with apt-get as root, never
// downloaded by other means. Quick and idempotent once installed.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const APT_GET = '/usr/bin/apt-get';
const APT_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_TAIL_CHARS = 4_000;

export interface DebianTool {
  /** The Debian package, e.g. `chromium`. */
  package: string;
  /** The executable the package installs, e.g. `/usr/bin/chromium`. */
  executable: string;
  /** What needs it, for messages: `the browser tests`. */
  neededBy: string;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        timeout: APT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        const output = `${stdout}\n${stderr}`.trim().slice(-OUTPUT_TAIL_CHARS);
        reject(new Error(`\`${command} ${args.join(' ')}\` failed: ${err.message}\n${output}`));
      },
    );
  });
}

let updated: Promise<void> | undefined;
const installing = new Map<string, Promise<string>>();

async function install(tool: DebianTool): Promise<string> {
  const hint =
    `${tool.package} is needed at ${tool.executable} for ${tool.neededBy}; install it with ` +
    `\`apt-get install -y --no-install-recommends ${tool.package}\` (as root)`;
  if (process.getuid?.() !== 0)
    throw new Error(`${hint}: this process is not root, so it cannot run apt-get.`);
  if (!isExecutable(APT_GET)) throw new Error(`${hint}: ${APT_GET} is not available on this machine.`);
  // Wait for another apt/dpkg (e.g. a parallel job) instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    updated ??= run(APT_GET, [...lock, 'update']).catch((err: unknown) => {
      updated = undefined; // the next install tries again
      throw err;
    });
    await updated;
    await run(APT_GET, [...lock, 'install', '-y', '--no-install-recommends', tool.package]);
  } catch (err) {
    throw new Error(`${hint}. Installing it failed: ${(err as Error).message}`);
  }
  if (!isExecutable(tool.executable)) {
    throw new Error(`${hint}: apt-get installed the package but ${tool.executable} is still missing.`);
  }
  return tool.executable;
}

/**
 * The path of a Debian package's executable, installing the package with apt first when it is missing
 * (runs as root in CI). Throws with a clear message when it cannot be installed.
 */
export async function ensureDebianTool(tool: DebianTool): Promise<string> {
  if (isExecutable(tool.executable)) return tool.executable;
  let pending = installing.get(tool.package);
  if (!pending) {
    pending = install(tool).finally(() => installing.delete(tool.package));
    installing.set(tool.package, pending);
  }
  return pending;
}
