/**
 * The browser dashboard (examples/browser-dashboard) in real headless Chromium, against a real
 * fox-wamp router: the page runs autobahn-browser and the SDK's browser build
 * (dist/browser/wamp-session-meta.js, rxjs inside) without a bundler or an import map, exactly as
 * a user would load them.
 *
 * fox-wamp reports no authid/authrole (fox-router.ts header), so the page connects through the
 * details proxy (test/helpers/details-proxy.ts), which adds the authid/authrole each client sent
 * in HELLO, as Crossbar reports them. That is also how hostile strings reach the page for real:
 * a client joins with a hostile HELLO authid and authrole, the router and proxy pass them on in
 * on_join / get, and the SDK hands them to the page.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import autobahn from 'autobahn';
import type { Browser, Page } from 'playwright-core';
import { serveDashboard, type DashboardServer } from '../../examples/browser-dashboard/serve';
import { startDetailsProxy, type DetailsProxy } from '../helpers/details-proxy';
import { connectClient, startFoxRouter, type ClientOptions, type FoxRouterHandle, type TestClient } from '../helpers/fox-router';
import { launchChromium, newPage } from './chromium';

autobahn.log.warn = () => {};

const ROOT = path.resolve(__dirname, '../..');
// Every run saves test/artifacts/screenshot.png (ignored by git); UPDATE_SCREENSHOT=1 refreshes the
// README's docs/screenshot.png, so that `npm test` leaves the work tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? path.join(ROOT, 'docs', 'screenshot.png')
  : path.join(ROOT, 'test', 'artifacts', 'screenshot.png');
const WAIT = { timeout: 8_000 };

let router: FoxRouterHandle;
let proxy: DetailsProxy;
let server: DashboardServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let clients: TestClient[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  router = await startFoxRouter();
  proxy = await startDetailsProxy(router);
  server = await serveDashboard();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await proxy?.close();
  await router?.stop();
});

beforeEach(async () => {
  // Known SDK wart, reported with this issue: on a connection drop the SDK unsubscribes its topics
  // from inside Connection.onclose, where autobahn's session.isOpen is still true, so the
  // UNSUBSCRIBE goes to a closed socket and Chromium logs this. Harmless; nothing throws.
  ({ page, errors: pageErrors } = await newPage(browser, { width: 1000, height: 560 }, (text) => text === 'WebSocket is already in CLOSING or CLOSED state.'));
  await page.goto(`${server.url}?url=${encodeURIComponent(proxy.url)}&realm=${router.realm}`);
  await badge('live');
});

afterEach(async () => {
  const pending = clients;
  clients = [];
  for (const c of pending) await c.close();
  await page.close();
  expect(pageErrors).toEqual([]); // module loading, import map, SDK: nothing threw in the page
});

async function client(opts?: ClientOptions): Promise<TestClient> {
  const c = await connectClient(router.url, opts);
  clients.push(c);
  return c;
}

const row = (id: number | null) => `tr[data-session="${id}"]`;

async function badge(status: string): Promise<void> {
  await page.waitForFunction((s) => document.getElementById('status')?.textContent === s, status, WAIT);
  expect(await page.getAttribute('#status', 'data-status')).toBe(status);
}

test('the table lists a session that joins and drops it when it leaves', async () => {
  const alice = await client({ authid: 'alice', authrole: 'user' });
  const id = alice.session.id;
  await page.waitForSelector(row(id), WAIT);
  expect(await page.textContent(`${row(id)} td.authid`)).toBe('alice');
  expect(await page.textContent(`${row(id)} td.authrole`)).toBe('user');
  expect(await page.textContent(`${row(id)} td.authmethod`)).toBe('anonymous');

  await alice.close();
  await page.waitForSelector(row(id), { ...WAIT, state: 'detached' });
  // Only the page's own session is left (fox's internal session is not a client: no_such_session).
  expect(await page.locator('#sessions tr').count()).toBe(1);
  expect(await page.textContent('#sessions tr td.session')).toContain('(this page)');
});

test('the kill button kills that session with the reason and message typed', async () => {
  const victim = await client({ authid: 'mallory', authrole: 'user' });
  const id = victim.session.id;
  await page.waitForSelector(row(id), WAIT);

  // A reason that is not a WAMP URI is refused in the page (InvalidArgumentError): nothing is sent.
  await page.fill('#kill-reason', 'not a uri');
  await page.click(`${row(id)} button`);
  await page.waitForFunction(() => document.getElementById('notice')?.classList.contains('error'), undefined, WAIT);
  expect(await page.textContent('#notice')).toContain('options.reason must be a WAMP URI');
  expect(router.sessionIds()).toContain(id);

  const closed = victim.nextClose();
  await page.fill('#kill-reason', 'com.example.dashboard.kicked');
  await page.fill('#kill-message', 'kicked from the dashboard');
  await page.click(`${row(id)} button`);
  const { details } = await closed;
  expect(details).toMatchObject({ reason: 'com.example.dashboard.kicked', message: 'kicked from the dashboard' });
  await page.waitForSelector(row(id), { ...WAIT, state: 'detached' });
  expect(await page.textContent('#notice')).toBe(`killed session ${id}`);
});

test('the badge turns stale when the router stops and live when it is back', async () => {
  const before = await page.locator('#sessions tr').count();
  await router.stop();
  await badge('stale');
  expect(await page.locator('#sessions tr').count()).toBe(before); // the last known set is kept

  await router.restart();
  await badge('live');
  // A new router: the page's old session is gone, its new one is listed (minimal diff on resync).
  await page.waitForFunction(() => document.querySelectorAll('#sessions tr').length === 1, undefined, WAIT);
  const self = await page.textContent('#sessions tr td.session');
  expect(self).toMatch(/^\d+ \(this page\)$/);
  expect(router.sessionIds()).toContain(Number(self!.split(' ')[0]));
});

test('hostile session details render as text and run no script', async () => {
  const authid = '<img src=x onerror="window.__xss=1">';
  const authrole = '<b onmouseover="window.__xss=2">admin</b>';
  const hostile = await client({ authid, authrole });
  const id = hostile.session.id;
  await page.waitForSelector(row(id), WAIT);
  await page.waitForFunction((role) => Array.from(document.querySelectorAll('#roles li')).some((li) => li.textContent?.startsWith(role)), authrole, WAIT);

  expect(await page.textContent(`${row(id)} td.authid`)).toBe(authid);
  expect(await page.textContent(`${row(id)} td.authrole`)).toBe(authrole);
  expect(await page.locator('img, b').count()).toBe(0); // no element was made from router data
  await page.hover(`${row(id)} td.authrole`);
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
});

test('counts sessions by authrole (and saves a screenshot)', async () => {
  const people: Array<[string, string]> = [
    ['alice', 'user'],
    ['bob', 'user'],
    ['carol', 'admin'],
    ['sensor-17', 'device'],
  ];
  const joined = await Promise.all(people.map(([authid, authrole]) => client({ authid, authrole })));
  for (const c of joined) await page.waitForSelector(row(c.session.id), WAIT);
  await page.waitForFunction(() => document.querySelector('#roles li[data-total] strong')?.textContent === '5', undefined, WAIT);

  const counts = await page.$$eval('#roles li', (items) => items.map((li) => li.textContent));
  expect(counts).toEqual(['all5', 'admin1', 'anonymous1', 'device1', 'user2']);

  await page.fill('#kill-reason', 'com.example.maintenance');
  await page.fill('#kill-message', 'back in 5 minutes');
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(existsSync(SCREENSHOT)).toBe(true);
});
