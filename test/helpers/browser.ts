// Headless Chromium for browser tests: Debian's `chromium` package (installed on demand with apt, never
// downloaded by Playwright), driven by playwright-core.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';
const APT_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_TAIL_CHARS = 4_000;

// The closed network refuses Chromium's own background connections (updates, sync, QUIC probes): without
// these flags pages can stall or the browser logs connection failures.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function isExecutable(file: string): boolean {
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
let installing: Promise<string> | undefined;

async function install(): Promise<string> {
  const hint =
    `Chromium is needed at ${CHROMIUM_PATH} for the browser tests; install it with ` +
    '`apt-get install -y --no-install-recommends chromium` (as root)';
  if (process.getuid?.() !== 0)
    throw new Error(`${hint}: this process is not root, so it cannot run apt-get.`);
  if (!isExecutable(APT_GET)) throw new Error(`${hint}: ${APT_GET} is not available on this machine.`);
  // Wait for another apt/dpkg (e.g. a parallel job) instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  try {
    updated ??= run(APT_GET, [...lock, 'update']);
    await updated;
    await run(APT_GET, [...lock, 'install', '-y', '--no-install-recommends', 'chromium']);
  } catch (err) {
    throw new Error(`${hint}. Installing it failed: ${(err as Error).message}`);
  }
  if (!isExecutable(CHROMIUM_PATH)) {
    throw new Error(`${hint}: apt-get installed the package but ${CHROMIUM_PATH} is still missing.`);
  }
  return CHROMIUM_PATH;
}

/**
 * The path of Debian's Chromium, installing the package with apt first when it is missing (runs as root
 * in CI). Quick and idempotent once installed; throws with a clear message when it cannot be installed.
 */
export async function ensureChromium(): Promise<string> {
  if (isExecutable(CHROMIUM_PATH)) return CHROMIUM_PATH;
  installing ??= install().finally(() => {
    installing = undefined;
  });
  return installing;
}

/**
 * Headless Chromium under Playwright. `chromium.launch` gives every browser a fresh temporary user data
 * dir of its own and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
