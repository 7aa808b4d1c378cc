// Headless Chromium for browser tests: Debian's `chromium` package (installed on demand with apt, never
// downloaded by Playwright), driven by playwright-core.
import { chromium, type Browser } from 'playwright-core';
import { ensureDebianTool } from './debian';

export const CHROMIUM_PATH = '/usr/bin/chromium';

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

/**
 * The path of Debian's Chromium, installing the package with apt first when it is missing (runs as root
 * in CI). Quick and idempotent once installed; throws with a clear message when it cannot be installed.
 */
export function ensureChromium(): Promise<string> {
  return ensureDebianTool({ package: 'chromium', executable: CHROMIUM_PATH, neededBy: 'the browser tests' });
}

/**
 * Headless Chromium under Playwright. `chromium.launch` gives every browser a fresh temporary user data
 * dir of its own and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
