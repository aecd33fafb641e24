/**
 * Headless Chromium for the browser tests: Debian's chromium driven by playwright-core
 * (ensure-chromium.ts installs it when missing), and pages that record what went wrong in them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_BUILD, launchChromium as launchInstalled } from './ensure-chromium';

const ROOT = path.resolve(__dirname, '../..');

/** Launches Chromium; builds dist/ first when missing (`npm test` builds, a lone `npx jest test/browser` may not have). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(BROWSER_BUILD)) await promisify(execFile)('npx', ['rollup', '-c'], { cwd: ROOT });
  return launchInstalled();
}

/** A new page whose uncaught exceptions and console errors (but those `ignored`) land in `errors`. */
export async function newPage(browser: Browser, viewport: { width: number; height: number }, ignored: (text: string) => boolean = () => false): Promise<{ page: Page; errors: string[] }> {
  const errors: string[] = [];
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !ignored(msg.text())) errors.push(msg.text());
  });
  return { page, errors };
}
