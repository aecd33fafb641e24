/**
 * The public "who is online" page (examples/browser-presence) in real headless Chromium, against
 * the `npm run presence` setup (examples/presence-service/demo.ts): a fox-wamp router, the relay
 * service with meta rights (through the details proxy, so sessions have authid/authrole), and the
 * page signed in as an ordinary user through the permissions proxy (test/helpers/ordinary-proxy.ts),
 * which refuses and counts every `wamp.session.*` call or subscription. The page loads
 * autobahn-browser and the SDK's ESM build (dist/index.mjs) as a user would.
 *
 * The demo's simulated users are on (alice, bob, carol, dave) but do not come and go (tickMs 0);
 * the tests bring their own.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import autobahn from 'autobahn';
import type { Browser, Page } from 'playwright-core';
import { NotAuthorizedError, SessionMeta } from '../../src';
import { startPresenceDemo, type PresenceDemo } from '../../examples/presence-service/demo';
import { startPresenceService } from '../../examples/presence-service/relay';
import type { ClientOptions, TestClient } from '../helpers/fox-router';
import { connect } from '../helpers/teardown';
import { launchChromium, newPage } from './chromium';

autobahn.log.warn = () => {};

const ROOT = path.resolve(__dirname, '../..');
const SCREENSHOT = path.join(ROOT, 'test', 'artifacts', 'presence.png');
const WAIT = { timeout: 10_000 };
const ME = 'guest-page';

let demo: PresenceDemo;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
/** `get_state` calls the permissions proxy had seen when the current page was opened. */
let stateCallsBefore = 0;

beforeAll(async () => {
  browser = await launchChromium();
  demo = await startPresenceDemo({ tickMs: 0, log: () => undefined });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

beforeEach(async () => {
  stateCallsBefore = demo.ordinary.stateCalls();
  ({ page, errors: pageErrors } = await newPage(browser, { width: 640, height: 520 }));
  await page.goto(`${demo.pageUrl}&authid=${ME}`);
  await badge('live');
});

afterEach(async () => {
  await page.close();
  expect(pageErrors).toEqual([]); // import map, module loading, SDK: nothing threw in the page
});

/** A user of the realm, gone after the test. */
const client = (opts: ClientOptions): Promise<TestClient> => connect(demo.router, opts);

const item = (id: number | null) => `#people li[data-session="${id}"]`;

async function badge(status: string): Promise<void> {
  await page.waitForFunction((s) => document.getElementById('status')?.dataset.status === s, status, WAIT);
  expect(await page.textContent('#status')).toBe(status);
}

/** Waits until the page says `n` online (a leave from the previous test may still be on its way). */
async function online(n: number): Promise<void> {
  await page.waitForFunction((text) => document.getElementById('count')?.textContent === text, `${n} online`, WAIT);
}

/** The list as the page shows it: "authid role" per line, in page order. */
const people = () => page.$$eval('#people li', (items) => items.map((li) => `${li.querySelector('.authid')?.textContent} ${li.querySelector('.role')?.textContent}`));

test('lists who is online with authid and role, the page itself marked, the service not listed', async () => {
  await online(5);
  expect(await people()).toEqual(['alice user', 'bob user', 'carol admin', 'dave user', `${ME} visitor`]);
  expect(await page.locator('#people li').count()).toBe(5);
  const self = await page.getAttribute('#people li.self', 'data-session');
  expect(await page.textContent('#people li.self .authid')).toBe(ME);
  expect(await page.textContent('#connection')).toBe(`signed in as ${ME} · session ${self}`);
});

test('a user who comes online appears, and disappears when they leave', async () => {
  const zoe = await client({ authid: 'zoe', authrole: 'support' });
  await page.waitForSelector(item(zoe.session.id), WAIT);
  expect(await page.textContent(`${item(zoe.session.id)} .authid`)).toBe('zoe');
  expect(await page.textContent(`${item(zoe.session.id)} .role`)).toBe('support');
  await online(6);

  await zoe.close();
  await page.waitForSelector(item(zoe.session.id), { ...WAIT, state: 'detached' });
  await online(5);
  expect(await people()).not.toContainEqual(expect.stringMatching(/^zoe /));
});

test('the page never touches wamp.session.*: one get_state call, nothing refused (and the proxy would refuse it)', async () => {
  const someone = await client({ authid: 'yann', authrole: 'user' });
  await page.waitForSelector(item(someone.session.id), WAIT);
  expect(demo.ordinary.stateCalls() - stateCallsBefore).toBe(1);
  expect(demo.ordinary.metaAttempts()).toBe(0);

  // The permissions proxy does refuse the meta API to whoever connects through it, as the page does.
  const ordinary = await connect(demo.ordinary.url, { authid: 'curious', authrole: 'visitor' });
  await expect(new SessionMeta(ordinary.session).count()).rejects.toBeInstanceOf(NotAuthorizedError);
  expect(demo.ordinary.metaAttempts()).toBe(1);
});

test('hostile authids and roles render as text and run no script', async () => {
  const authid = '<img src=x onerror="window.__xss=1">';
  const authrole = '<b onmouseover="window.__xss=2">admin</b>';
  const hostile = await client({ authid, authrole });
  await page.waitForSelector(item(hostile.session.id), WAIT);
  expect(await page.textContent(`${item(hostile.session.id)} .authid`)).toBe(authid);
  expect(await page.textContent(`${item(hostile.session.id)} .role`)).toBe(authrole);
  expect(await page.locator('#people img, #people b').count()).toBe(0); // no element made from router data
  await page.hover(`${item(hostile.session.id)} .role`);
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
});

test('shows a full room (and saves a screenshot)', async () => {
  const joined = await Promise.all(['erin/support', 'frank/guest', 'grace/user'].map((who) => client({ authid: who.split('/')[0]!, authrole: who.split('/')[1]! })));
  for (const c of joined) await page.waitForSelector(item(c.session.id), WAIT);
  await online(8);
  expect(await people()).toEqual(['alice user', 'bob user', 'carol admin', 'dave user', 'erin support', 'frank guest', 'grace user', `${ME} visitor`]);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(existsSync(SCREENSHOT)).toBe(true);
});

test('the badge turns stale when the relay stops, and live again, up to date, when a new one starts', async () => {
  await demo.service.stop(); // its last heartbeat says stale
  await badge('stale');
  await online(5); // the last known list is kept

  const late = await client({ authid: 'late', authrole: 'user' });
  const relay = await startPresenceService({ url: demo.relayUrl, log: () => undefined });
  try {
    await page.waitForSelector(item(late.session.id), WAIT); // a new epoch: the page resyncs
    await badge('live');
    await online(6);
  } finally {
    await relay.stop();
  }
});
