// "Who is online": a public page. It signs in as an ordinary user, without any right to the
// Session Meta API, and mirrors what the presence relay publishes (examples/presence-service/):
// one get_state call and two subscriptions, however many people are online.
//
//   index.html?url=ws://127.0.0.1:8080/ws&realm=realm1&prefix=com.example.presence[&authid=me]
//
// No build step: index.html loads ../browser-setup.js (autobahn-browser) first; the SDK comes from
// its browser build (one ES module, rxjs inside).
// Authids and roles are whatever users and authenticators chose: they are written with
// textContent only, never as HTML.
import { mirrorPresence } from '../../dist/browser/wamp-session-meta.js';

const params = new URLSearchParams(location.search);
const authid = params.get('authid') ?? `visitor-${Math.floor(Math.random() * 10_000)}`;
const $ = (id) => document.getElementById(id);

const connection = new autobahn.Connection({
  url: params.get('url') ?? 'ws://127.0.0.1:8080/ws',
  realm: params.get('realm') ?? 'realm1',
  authid,
  // A real router gives the role from its own configuration once the user signs in; the demo's
  // router (test/helpers/fox-router.ts) takes it from here.
  authextra: { role: 'visitor' },
  use_es6_promises: true,
  max_retries: -1, // keep trying: the list shows `stale` meanwhile, then catches up
  max_retry_delay: 3,
});
// The mirror follows the connection across reconnects; these handlers still run.
const presence = mirrorPresence(connection, { prefix: params.get('prefix') ?? 'com.example.presence' });
connection.onopen = (session) => ($('connection').textContent = `signed in as ${authid} · session ${session.id}`);
connection.onclose = (reason, details) => {
  $('connection').textContent = details.will_retry ? `offline (${reason}), reconnecting…` : `offline (${reason})`;
};
presence.on('error', (error) => ($('notice').textContent = `${error.name}: ${error.message}`));

// ---- the list: one render per task, however many changes it brought ----

const items = new Map(); // session id -> <li>, kept while the session is online

function item(s) {
  const li = document.createElement('li');
  li.dataset.session = String(s.session);
  if (s.session === connection.session?.id) li.classList.add('self');
  const name = document.createElement('span');
  name.className = 'authid';
  name.textContent = s.authid ?? `session ${s.session}`;
  const role = document.createElement('span');
  role.className = 'role';
  role.textContent = s.authrole ?? '';
  li.append(name, role);
  items.set(s.session, li);
  return li;
}

const byName = (a, b) => (a.authid ?? '').localeCompare(b.authid ?? '') || a.session - b.session;

let queued = false;
function render() {
  queued = false;
  // subscribe/getSnapshot: the same binding any UI framework would use (e.g. React's useSyncExternalStore).
  const { status, sessions } = presence.getSnapshot();
  $('status').textContent = status;
  $('status').dataset.status = status;
  document.body.dataset.status = status; // grey dots while the list may be out of date
  $('count').textContent = `${sessions.size} online`;
  for (const id of items.keys()) if (!sessions.has(id)) items.delete(id);
  $('people').replaceChildren(...[...sessions.values()].sort(byName).map((s) => items.get(s.session) ?? item(s)));
}
presence.subscribe(() => {
  if (queued) return;
  queued = true;
  queueMicrotask(render);
});
render();

connection.open();
