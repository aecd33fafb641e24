/** The terminal table of `watch` (renderTable is pure: a state in, the lines of the screen out). */
import type { SessionDetails } from '../../src';
import { renderTable, type WatchState } from '../../src/cli/views';

const session = (id: number, authid: string, authrole: string): SessionDetails => ({ session: id, authid, authrole, authmethod: 'ticket', raw: null });
const header = { url: 'ws://127.0.0.1:8080/ws', realm: 'realm1', session: 1, authid: undefined };
const state = (sessions: SessionDetails[], over: Partial<WatchState> = {}): WatchState => ({
  status: 'live',
  sessions: new Map(sessions.map((s) => [s.session, s])),
  self: 1,
  ...over,
});

test('header with status and counts by role, rows sorted by role and authid, own session starred, recent changes, footer', () => {
  const lines = renderTable(state([session(3, 'bob', 'user'), session(1, 'ops', 'admin'), session(2, 'alice', 'user')]), header, ['12:00:01 + 3 bob/user'], { columns: 80, rows: 24 }, '12:00:02');
  expect(lines).toEqual([
    'wamp-sessions · ws://127.0.0.1:8080/ws · realm realm1 · 12:00:02',
    'LIVE · 3 sessions',
    'by authrole: admin 1 · user 2',
    'SESSION           AUTHID                  AUTHROLE        AUTHMETHOD',
    '1*                ops                     admin           ticket',
    '2                 alice                   user            ticket',
    '3                 bob                     user            ticket',
    '',
    '12:00:01 + 3 bob/user',
    '* this monitor (session 1) · Ctrl-C to quit',
  ]);
});

test('as many rows as the terminal has room for, long cells and lines cut, router text cannot drive the terminal', () => {
  const many = Array.from({ length: 50 }, (_, i) => session(i + 10, `user-${i}\x1b[2J${'x'.repeat(40)}`, 'user'));
  const lines = renderTable(state(many, { status: 'stale' }), header, [], { columns: 60, rows: 20 }, '12:00:00');
  expect(lines).toHaveLength(20 - 5); // the room left for rows by the RECENT lines is not used when there are none
  expect(lines[1]).toBe('STALE · 50 sessions (last known)');
  expect(lines.filter((l) => /^\d+ /.test(l))).toHaveLength(8);
  expect(lines).toContain('… 42 more');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  expect(lines.join('\n')).not.toContain('\x1b');
  expect(lines[4]).toBe('10                user-0?[2Jxxxxxxxxxxxx… user            t…');
});

test('a sync in progress shows how far it got', () => {
  const lines = renderTable(state([], { status: 'syncing', progress: { done: 40, total: 120 } }), header, [], { columns: 80, rows: 24 }, '12:00:00');
  expect(lines[1]).toBe('SYNCING · 40/120 fetched · 0 sessions');
  expect(lines[2]).toBe('by authrole: -');
});
