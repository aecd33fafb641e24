/**
 * What `watch` shows: the same updates drawn three ways. A live table on a terminal (like `top`),
 * one line per change when piped, one JSON object per line with `--json`.
 */
import type { LiveStatus, SessionDetails, SessionId, SessionSetChange } from '../index';
import { clean, countByRole, plural, sessionJson, who } from './format';

/** Where the watch is: the realm as the live set last showed it. */
export interface WatchState {
  readonly status: LiveStatus;
  readonly sessions: ReadonlyMap<SessionId, SessionDetails>;
  /** The command's own session, if attached. */
  readonly self: SessionId | null | undefined;
  /** Sync progress: `get`s answered of how many sessions listed (large syncs only). */
  readonly progress?: { readonly done: number; readonly total: number };
}

export interface WatchView {
  /** The changes since the last update, then the state after them. */
  update(changes: readonly SessionSetChange[], state: WatchState): void;
  /** The watch is over (restores the terminal). */
  close(): void;
}

/** Who this watch is and where it is connected (the first line, or the table's header). */
export interface WatchHeader {
  readonly url: string;
  readonly realm: string;
  readonly session: SessionId | null | undefined;
  readonly authid: string | undefined;
}

const selfMark = (s: SessionDetails, self: WatchState['self']): string => (s.session === self ? ' (this monitor)' : '');

const rolesText = (sessions: Iterable<SessionDetails>, separator: string): string =>
  countByRole(sessions)
    .map(([role, n]) => `${role} ${n}`)
    .join(separator);

const lastKnown = (status: LiveStatus): string => (status === 'stale' ? ' (last known)' : '');

/** `= live · 3 sessions · admin 1, user 2`. */
function statusLine({ status, sessions }: WatchState): string {
  if (status === 'syncing') return '= syncing…';
  const roles = rolesText(sessions.values(), ', ');
  return `= ${status} · ${plural(sessions.size, 'session')}${lastKnown(status)}${roles ? ` · ${roles}` : ''}`;
}

/** `14:03:22` */
const clockTime = (date: Date): string => date.toTimeString().slice(0, 8);

/** Piped: `+ joined …` / `- left   …` per change, and `= status · counts` when that changes. */
export class LineView implements WatchView {
  #lastStatus = '';
  #quarter = 0;

  constructor(
    private readonly out: (line: string) => void,
    header: WatchHeader,
  ) {
    out(`connected to ${header.url}, realm ${header.realm}, as session ${header.session}${header.authid ? ` (${header.authid})` : ''}`);
  }

  update(changes: readonly SessionSetChange[], state: WatchState): void {
    for (const { type, session } of changes) {
      this.out(`${type === 'joined' ? '+ joined' : '- left  '} ${session.session} ${who(session)}${selfMark(session, state.self)}`);
    }
    const { progress } = state;
    if (state.status === 'syncing' && progress) {
      // A line each time another quarter of a large sync is fetched.
      const quarter = Math.floor((4 * progress.done) / progress.total);
      if (quarter > this.#quarter && progress.done < progress.total) this.out(`= syncing · ${progress.done}/${progress.total} sessions fetched`);
      this.#quarter = quarter;
    } else this.#quarter = 0;
    if (state.status === 'closed') return;
    const line = statusLine(state);
    if (line !== this.#lastStatus || changes.length > 0) this.out(line);
    this.#lastStatus = line;
  }

  close(): void {}
}

/** `--json`: `{"type":"joined"|"left","session":{…}}` per change, `{"type":"status",…}` when status or size change. */
export class JsonView implements WatchView {
  #last = '';

  constructor(
    private readonly out: (line: string) => void,
    header: WatchHeader,
  ) {
    out(JSON.stringify({ type: 'connected', url: header.url, realm: header.realm, session: header.session }));
  }

  update(changes: readonly SessionSetChange[], { status, sessions }: WatchState): void {
    for (const { type, session } of changes) this.out(JSON.stringify({ type, session: sessionJson(session) }));
    const line = JSON.stringify({ type: 'status', status, size: sessions.size });
    if (line !== this.#last) this.out(line);
    this.#last = line;
  }

  close(): void {}
}

/** A terminal: its size, and how to write to it. */
export interface Terminal {
  write(text: string): void;
  readonly columns: number;
  readonly rows: number;
}

// ANSI/VT100 sequences: alternate screen (so the shell's screen comes back at the end), cursor.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/** Columns of the table: title, width (the last one takes the rest), value (`*` marks the command's own session). */
const COLUMNS: ReadonlyArray<readonly [string, number, (s: SessionDetails, self: WatchState['self']) => string]> = [
  ['SESSION', 18, (s, self) => `${s.session}${s.session === self ? '*' : ''}`],
  ['AUTHID', 24, (s) => s.authid ?? '?'],
  ['AUTHROLE', 16, (s) => s.authrole ?? '?'],
  ['AUTHMETHOD', 0, (s) => s.authmethod ?? ''],
];
/** Changes shown under the table. */
const RECENT = 5;
/** Lines that are not table rows: header (3), column titles, blank + recent changes, footer. */
const CHROME_LINES = 6 + RECENT;

const fit = (text: string, width: number): string => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width));

const bySessionOrder = (a: SessionDetails, b: SessionDetails): number =>
  (a.authrole ?? '').localeCompare(b.authrole ?? '') || (a.authid ?? '').localeCompare(b.authid ?? '') || a.session - b.session;

/**
 * The screen of the table view for one state (pure, for tests): header with status and counts by
 * role, one row per session (as many as fit), the latest changes, a footer.
 */
export function renderTable(
  state: WatchState,
  header: WatchHeader,
  recent: readonly string[],
  { columns, rows }: Pick<Terminal, 'columns' | 'rows'>,
  time: string,
): string[] {
  const { status, sessions, progress } = state;
  const syncing = status === 'syncing' && progress ? ` · ${progress.done}/${progress.total} fetched` : '';
  const lines = [
    `wamp-sessions · ${header.url} · realm ${header.realm} · ${time}`,
    `${status.toUpperCase()}${syncing} · ${plural(sessions.size, 'session')}${lastKnown(status)}`,
    `by authrole: ${rolesText(sessions.values(), ' · ') || '-'}`,
    COLUMNS.map(([title, width]) => (width ? title.padEnd(width) : title)).join(''),
  ];
  const room = Math.max(1, rows - CHROME_LINES);
  const sorted = [...sessions.values()].sort(bySessionOrder);
  const shown = sorted.length > room ? room - 1 : sorted.length;
  for (const s of sorted.slice(0, shown)) {
    const cells = COLUMNS.map(([, width, value]) => {
      const text = clean(value(s, state.self));
      return width ? `${fit(text, width - 1)} ` : text;
    });
    lines.push(cells.join(''));
  }
  if (shown < sorted.length) lines.push(`… ${sorted.length - shown} more`);
  lines.push('', ...recent);
  lines.push(`${state.self ? `* this monitor (session ${state.self}) · ` : ''}Ctrl-C to quit`);
  return lines.map((line) => fit(line, columns).trimEnd());
}

/** How often the table is redrawn at most. */
const REDRAW_MS = 100;

/** A terminal: the table, redrawn in place (at most every REDRAW_MS) on the alternate screen. */
export class TableView implements WatchView {
  readonly #recent: string[] = [];
  #state: WatchState | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #open = true;

  constructor(
    private readonly terminal: Terminal,
    private readonly header: WatchHeader,
    private readonly clock: () => Date = () => new Date(),
  ) {
    terminal.write(ENTER);
  }

  update(changes: readonly SessionSetChange[], state: WatchState): void {
    const time = clockTime(this.clock());
    for (const { type, session } of changes) {
      this.#recent.push(`${time} ${type === 'joined' ? '+' : '-'} ${session.session} ${clean(who(session))}`);
    }
    this.#recent.splice(0, this.#recent.length - RECENT);
    this.#state = state;
    this.#timer ??= setTimeout(() => this.#draw(), REDRAW_MS);
  }

  /** Draws now (e.g. after a resize). */
  redraw(): void {
    clearTimeout(this.#timer);
    this.#draw();
  }

  #draw(): void {
    this.#timer = undefined;
    if (!this.#open || !this.#state) return;
    const lines = renderTable(this.#state, this.header, this.#recent, this.terminal, clockTime(this.clock()));
    this.terminal.write(HOME + lines.map((line) => line + CLEAR_LINE).join('\n') + CLEAR_BELOW);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    clearTimeout(this.#timer);
    this.terminal.write(LEAVE);
  }
}
