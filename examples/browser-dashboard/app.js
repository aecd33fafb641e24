// Live session dashboard: a plain ES module, no build step (see index.html for how modules load).
//
//   index.html?url=ws://127.0.0.1:8080/ws&realm=realm1
//
// Everything the router sends (authid, authrole, messages...) is written with textContent, never
// as HTML: a session's details are whatever its client or authenticator chose.
import { SessionMeta } from '../../dist/browser/wamp-session-meta.js';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? 'ws://127.0.0.1:8080/ws';
const realm = params.get('realm') ?? 'realm1';

const el = (id) => document.getElementById(id);
const tbody = el('sessions');
const badge = el('status');
const notice = el('notice');
el('target').textContent = `${url} · ${realm}`;

// Retry for ever: the page rides out router restarts (status goes stale, then live again).
const connection = new autobahn.Connection({
  url,
  realm,
  use_es6_promises: true,
  max_retries: -1,
  initial_retry_delay: 0.5,
  max_retry_delay: 2,
  retry_delay_growth: 1.5,
});
// Chained, not replaced: fromConnection keeps these handlers working.
connection.onopen = (session) => (el('connection').textContent = `connected as session ${session.id}`);
connection.onclose = (reason, details) => {
  el('connection').textContent = details.will_retry ? `${reason}; retrying in ${Math.round(details.retry_delay * 10) / 10} s…` : `closed (${reason})`;
};
const meta = SessionMeta.fromConnection(connection);
const live = meta.liveSessions();

function say(text, isError = false) {
  notice.textContent = text;
  notice.classList.toggle('error', isError);
}

// ---- status ----

// A sync publishes its status and then its changes in one go: rows added in that same task
// were already there (their "since" is only an upper bound).
let inSync = false;
live.status$.subscribe((status) => {
  badge.textContent = status;
  badge.dataset.status = status;
  if (status === 'live') {
    inSync = true;
    queueMicrotask(() => (inSync = false));
  }
});
live.on('error', (error) => say(`${error.name}: ${error.message}`, true));

// ---- rows ----

const rows = new Map(); // session id -> <tr>

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text ?? '—';
  if (className) td.className = className;
  return td;
}

function addRow(s) {
  const row = document.createElement('tr');
  row.dataset.session = String(s.session);
  const self = s.session === meta.session?.id;
  if (self) row.classList.add('self');
  cell(row, self ? `${s.session} (this page)` : String(s.session), 'session');
  cell(row, s.authid, 'authid');
  cell(row, s.authrole, 'authrole');
  cell(row, s.authmethod, 'authmethod');
  const time = new Date().toLocaleTimeString();
  const since = cell(row, inSync ? `≤ ${time}` : time, 'since');
  if (inSync) since.title = 'already in the realm when this page synced';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'kill';
  button.disabled = self; // the SDK refuses to kill its own session anyway
  button.addEventListener('click', () => kill(s, button));
  row.insertCell().append(button);
  rows.set(s.session, row);
  tbody.append(row);
}

function removeRow(s) {
  rows.get(s.session)?.remove();
  rows.delete(s.session);
}

live.changes$.subscribe(({ type, session }) => (type === 'joined' ? addRow(session) : removeRow(session)));

async function kill(s, button) {
  const reason = el('kill-reason').value.trim();
  const message = el('kill-message').value;
  button.disabled = true;
  try {
    await meta.kill(s.session, { ...(reason && { reason }), ...(message && { message }) });
    say(`killed session ${s.session}`);
  } catch (error) {
    say(`could not kill ${s.session}: ${error.message}`, true);
    button.disabled = false;
  }
}

// ---- counts by role (once per task, however many changes it brought) ----

let countsQueued = false;
live.sessions$.subscribe(() => {
  if (countsQueued) return;
  countsQueued = true;
  queueMicrotask(() => {
    countsQueued = false;
    const counts = new Map();
    for (const s of live.values()) counts.set(s.authrole ?? '(none)', (counts.get(s.authrole ?? '(none)') ?? 0) + 1);
    const item = (label, n) => {
      const li = document.createElement('li');
      li.append(label); // a text node, whatever the role is called
      const strong = document.createElement('strong');
      strong.textContent = String(n);
      li.append(strong);
      return li;
    };
    const total = item('all', live.size);
    total.dataset.total = '';
    const items = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([role, n]) => {
      const li = item(role, n);
      li.dataset.role = role;
      return li;
    });
    items.unshift(total);
    el('roles').replaceChildren(...items);
  });
});

connection.open();
