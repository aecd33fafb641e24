/**
 * Makes sure a Chromium for playwright-core is installed. Playwright's own browser download cannot
 * reach its host on these machines; Debian's `chromium` package works (ROUTERS.md, "Browser tests"),
 * and a fresh machine does not have it. Installing takes ~10-60 s; tests run as root.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The SDK's build for pages without a bundler (`npm run build`). */
export const BROWSER_BUILD = path.resolve(__dirname, '../../dist/browser/wamp-session-meta.js');

const INSTALL = 'apt-get update && apt-get install -y --no-install-recommends chromium';

/** Resolves with the executable path, installing the package first when it is missing. */
export async function ensureChromium(timeoutMs = 170_000): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install it with: sudo sh -c '${INSTALL}'`);
  try {
    await promisify(execFile)('sh', ['-c', INSTALL], {
      timeout: timeoutMs,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`installing chromium failed (${INSTALL}): ${String(stderr ?? error).trim().split('\n').slice(-5).join(' | ')}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${INSTALL} succeeded but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}

/** Headless Chromium (installed first when missing), for the browser tests. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await ensureChromium(),
    headless: true,
    // playwright-core's launch() runs on a fresh temporary user-data-dir and removes it on close.
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
