/**
 * `wamp-sessions` as a function: arguments and an environment in, an exit code out. The process
 * entry (main.ts) passes the real ones; tests and the demo pass their own.
 */
import { Subject } from 'rxjs';
import { InvalidArgumentError } from '../index';
import { parseArgs, TICKET_ENV, USAGE, type CliOptions } from './args';
import { importModule, loadAutobahn, type ImportModule } from './autobahn';
import { runOneShot } from './commands';
import { CliFailure, EXIT, UsageError, type ExitCode } from './exit';
import { clean, describeClose, describeError, masker } from './format';
import { JoinFailed, openLink, type Link } from './link';
import { JsonView, LineView, TableView, type WatchHeader, type WatchView } from './views';
import { watch } from './watch';

/** Where output goes: process.stdout, or a test's collector. */
export interface CliOutput {
  write(text: string): unknown;
  /** A terminal: `watch` draws its table (then `columns`/`rows` give its size). */
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface CliIO {
  readonly stdout: CliOutput;
  readonly stderr: Pick<CliOutput, 'write'>;
  /** Read for WAMP_TICKET. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborting it ends `watch` (exit 0) and any command still connecting. */
  readonly signal?: AbortSignal;
  /** Printed by --version. */
  readonly version: string;
  readonly readFile: (path: string) => Promise<string>;
  /** How autobahn (and ws) are loaded. Default: `import()`. */
  readonly importModule?: ImportModule;
  /** Per-call timeout. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 10_000;
const TERMINAL_DEFAULT = { columns: 80, rows: 24 };

/** The ticket from --ticket-file or WAMP_TICKET, if any. */
async function readTicket(options: CliOptions, io: CliIO): Promise<string | undefined> {
  let ticket: string | undefined;
  let source = TICKET_ENV;
  if (options.ticketFile !== undefined) {
    source = '--ticket-file';
    try {
      ticket = (await io.readFile(options.ticketFile)).replace(/\r?\n$/, '');
    } catch (error) {
      throw new CliFailure(`cannot read the ticket file ${options.ticketFile} (${(error as { code?: string }).code ?? 'unreadable'})`);
    }
    if (!ticket) throw new CliFailure(`the ticket file ${options.ticketFile} is empty`);
  } else ticket = io.env[TICKET_ENV] || undefined;
  if (ticket !== undefined && options.authid === undefined) throw new UsageError(`a ticket (${source}) needs --authid`);
  return ticket;
}

/** `work`, or a CliFailure as soon as `signal` aborts (Ctrl-C before the answer came). */
function interruptible<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CliFailure('interrupted before the router answered'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The exit code and the one line to print for what stopped the command. */
function failure(error: unknown, options: CliOptions | undefined): [ExitCode, string] {
  if (error instanceof UsageError) return [EXIT.usage, `error: ${error.message} (see wamp-sessions --help)`];
  if (error instanceof CliFailure) return [EXIT.failed, `error: ${error.message}`];
  if (error instanceof JoinFailed && options) return [EXIT.failed, describeClose(error.close, options.url, options.realm)];
  // Arguments the SDK refuses before sending (a session id out of range, a reason that is no URI).
  if (InvalidArgumentError.is(error)) return [EXIT.usage, describeError(error)];
  return [EXIT.failed, describeError(error)];
}

function chooseView(options: CliOptions, link: Link, io: CliIO, out: (line: string) => void, mask: (text: string) => string): WatchView {
  const header: WatchHeader = { url: options.url, realm: options.realm, session: link.meta.session?.id, authid: options.authid };
  const { stdout } = io;
  if (options.json) return new JsonView(out, header);
  if (!stdout.isTTY) return new LineView(out, header);
  const terminal = {
    write: (text: string) => void stdout.write(mask(text)), // router text is cleaned cell by cell
    get columns() {
      return stdout.columns ?? TERMINAL_DEFAULT.columns;
    },
    get rows() {
      return stdout.rows ?? TERMINAL_DEFAULT.rows;
    },
  };
  const view = new TableView(terminal, header);
  const onResize = (): void => view.redraw();
  stdout.on?.('resize', onResize);
  return {
    update: (changes, state) => view.update(changes, state),
    close: () => {
      stdout.off?.('resize', onResize);
      view.close();
    },
  };
}

/**
 * Runs `wamp-sessions` with `argv` (the arguments after the command name) and resolves with its
 * exit code: 0 done (or `watch` stopped by the signal), 1 failed, 2 bad usage. Every failure is
 * one line on stderr; a ticket is never printed, not even when a router echoes it.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let mask = masker(undefined);
  const line = (stream: Pick<CliOutput, 'write'>) => (text: string) => void stream.write(`${mask(clean(text))}\n`);
  const out = line(io.stdout);
  const err = line(io.stderr);
  let options: CliOptions | undefined;
  let link: Link | undefined;
  try {
    const parsed = parseArgs(argv);
    if ('help' in parsed || 'version' in parsed) {
      io.stdout.write(`${'help' in parsed ? USAGE : io.version}\n`);
      return EXIT.ok;
    }
    options = parsed;
    const ticket = await readTicket(options, io);
    mask = masker(ticket);
    const autobahn = await loadAutobahn(io.importModule ?? importModule);

    const { command, url, realm, authid, authroles } = options;
    const gets = new Subject<void>();
    link = openLink(autobahn, {
      url,
      realm,
      authid,
      ticket,
      callTimeoutMs: io.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      // watch rides out drops and shows sync progress; a one-shot command gives up at the first close.
      ...(command.name === 'watch' ? { retry: true, onGet: () => gets.next() } : { retry: false }),
    });
    await interruptible(link.opened, io.signal);
    const filter = authroles && { authroles };
    if (command.name !== 'watch') {
      await interruptible(runOneShot(command, { meta: link.meta, filter, json: options.json, out }), io.signal);
      return EXIT.ok;
    }
    const view = chooseView(options, link, io, out, (text) => mask(text));
    const watching = link;
    link = undefined; // watch closes it
    return await watch({ link: watching, filter, view, gets, err, signal: io.signal, describeClose: (close) => describeClose(close, url, realm) });
  } catch (error) {
    const [code, message] = failure(error, options);
    await link?.close();
    link = undefined;
    err(message);
    return code;
  } finally {
    await link?.close();
  }
}
