/**
 * The README's page without a bundler, exactly as printed there, in headless Chromium against a
 * fox-wamp router. Its two pinned CDN URLs are answered from this repository's files (the SDK's
 * browser build, as packed, and autobahn-browser from node_modules), every other request is
 * refused: the page must work with those two files alone, no import map, nothing else fetched.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import autobahn from 'autobahn';
import type { Browser, Page } from 'playwright-core';
import { connect, defer, startRouter } from '../helpers/teardown';
import { BROWSER_BUILD, launchChromium } from './ensure-chromium';

autobahn.log.warn = () => {};

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const AUTOBAHN_BROWSER = path.join(ROOT, 'node_modules', 'autobahn-browser');
const AUTOBAHN_BROWSER_VERSION = (JSON.parse(readFileSync(path.join(AUTOBAHN_BROWSER, 'package.json'), 'utf8')) as { version: string }).version;
const README_ROUTER_URL = 'ws://127.0.0.1:8080/ws';
const WAIT = { timeout: 8_000 };

const page_ = [...README.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!);

let browser: Browser;
let page: Page;
let errors: string[];
let fetched: string[];

beforeAll(async () => {
  // `npm test` builds first; a lone `npx jest test/browser` may not have.
  if (!existsSync(BROWSER_BUILD)) await promisify(execFile)('npx', ['rollup', '-c'], { cwd: ROOT });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  errors = [];
  fetched = [];
  page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
});

afterEach(async () => {
  await page.close();
});

/**
 * Serves the README's page (pointed at `routerUrl`) and its two CDN files, refusing anything else.
 * The page comes from a real server on 127.0.0.1, as the router does: Chromium refuses a WebSocket
 * to a local address from a page that is not local itself (local network access checks).
 */
async function open(html: string, routerUrl: string): Promise<void> {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html.replace(README_ROUTER_URL, routerUrl)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => server.close(resolve)));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const files: Record<string, string> = {
    [`https://unpkg.com/autobahn-browser@${AUTOBAHN_BROWSER_VERSION}/autobahn.min.js`]: path.join(AUTOBAHN_BROWSER, 'autobahn.min.js'),
    [`https://unpkg.com/wamp-session-meta@${VERSION}/dist/browser/wamp-session-meta.js`]: BROWSER_BUILD,
  };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    fetched.push(url);
    if (url === `${origin}/`) return route.continue();
    const file = files[url];
    if (!file) return route.abort();
    // As a CDN answers: cross-origin module scripts need CORS.
    return route.fulfill({ contentType: 'text/javascript; charset=utf-8', headers: { 'Access-Control-Allow-Origin': '*' }, body: readFileSync(file) });
  });
  await page.goto(`${origin}/`);
}

test('the README has one page without a bundler: no import map, the SDK and autobahn-browser pinned to the versions in this repository', () => {
  expect(page_).toHaveLength(1);
  const html = page_[0]!;
  expect(html).not.toContain('importmap');
  expect(html).toContain(`https://unpkg.com/wamp-session-meta@${VERSION}/dist/browser/wamp-session-meta.js`);
  expect(html).toContain(`https://unpkg.com/autobahn-browser@${AUTOBAHN_BROWSER_VERSION}/autobahn.min.js`);
  expect(html).toContain(README_ROUTER_URL);
});

test('the page goes live, counts the sessions of the router and follows a join and a leave', async () => {
  const router = await startRouter();
  await open(page_[0]!, router.url);
  const text = (selector: string, value: string) => page.waitForFunction(([s, v]) => document.querySelector(s!)?.textContent === v, [selector, value], WAIT);

  await text('#status', 'live');
  await text('#count', '2'); // fox's internal session and the page's own (fox lists both)
  const visitor = await connect(router);
  await text('#count', '3');
  await visitor.close();
  await text('#count', '2');

  expect(errors).toEqual([]);
  // Only the page and its two files were fetched (the router is a WebSocket, not fetched).
  expect(fetched).toEqual([
    expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    `https://unpkg.com/autobahn-browser@${AUTOBAHN_BROWSER_VERSION}/autobahn.min.js`,
    `https://unpkg.com/wamp-session-meta@${VERSION}/dist/browser/wamp-session-meta.js`,
  ]);
});
