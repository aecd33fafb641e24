/** The `wamp-sessions` command line: a pure parser (argv in, options or a UsageError out). */
import type { KillOptions } from '../types';
import { UsageError } from './exit';

export const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';
export const DEFAULT_REALM = 'realm1';
/** The environment variable a ticket is read from (never a command line argument: `ps` shows those). */
export const TICKET_ENV = 'WAMP_TICKET';

export const USAGE = `usage: wamp-sessions <command> [options]

Commands:
  watch                    follow the sessions of the realm as they come and go (default)
  list                     one line per session: id, authid/authrole, authmethod
  count                    the number of sessions
  get <id>                 the details of one session
  kill <id>                close one session
  kill-authid <authid>     close every session of an authid
  kill-authrole <role>     close every session of an authrole
  kill-all                 close every session (but this one)

Options:
  --url <ws-url>           router WebSocket URL (default ${DEFAULT_URL})
  --realm <realm>          realm to join (default ${DEFAULT_REALM})
  --authid <authid>        authid to join as (needed for ticket authentication)
  --ticket-file <path>     read the ticket for WAMP-Ticket authentication from this file
                           (or set ${TICKET_ENV}; a ticket is never accepted as an argument)
  --authroles <a,b,...>    only sessions with one of these authroles (watch, list, count)
  --reason <uri>           GOODBYE reason for the kill commands (e.g. com.example.kicked)
  --message <text>         GOODBYE message for the kill commands
  --json                   JSON output (watch: one JSON object per line)
  -h, --help               show this help
  -V, --version            show the version

watch draws a live table on a terminal and prints one line per change when piped.
Exit codes: 0 done, 1 failed, 2 bad usage.`;

export type Command =
  | { readonly name: 'watch' }
  | { readonly name: 'list' }
  | { readonly name: 'count' }
  | { readonly name: 'get'; readonly id: number }
  | { readonly name: 'kill'; readonly id: number; readonly options: KillOptions }
  | { readonly name: 'kill-authid'; readonly authid: string; readonly options: KillOptions }
  | { readonly name: 'kill-authrole'; readonly authrole: string; readonly options: KillOptions }
  | { readonly name: 'kill-all'; readonly options: KillOptions };

export type CommandName = Command['name'];

export interface CliOptions {
  readonly command: Command;
  readonly url: string;
  readonly realm: string;
  readonly authid?: string;
  readonly ticketFile?: string;
  readonly authroles?: readonly string[];
  readonly json: boolean;
}

export type ParsedArgs = { readonly help: true } | { readonly version: true } | CliOptions;

/** What each command takes after its name, and which command-specific options it accepts. */
const COMMANDS: Record<CommandName, { readonly operand?: string; readonly kill?: true; readonly filter?: true }> = {
  watch: { filter: true },
  list: { filter: true },
  count: { filter: true },
  get: { operand: 'a session id' },
  kill: { operand: 'a session id', kill: true },
  'kill-authid': { operand: 'an authid', kill: true },
  'kill-authrole': { operand: 'an authrole', kill: true },
  'kill-all': { kill: true },
};

const VALUE_OPTIONS = new Set(['--url', '--realm', '--authid', '--ticket-file', '--authroles', '--reason', '--message']);
const KILL_OPTIONS = ['--reason', '--message'];

/**
 * WAMP strict URI rule (spec, "URIs"): what a realm name may be. Refusing anything else also keeps
 * fox-wamp alive, which crashes on realm names outside [a-z0-9_].
 */
const STRICT_URI = /^([0-9a-z_]+\.)*[0-9a-z_]+$/;
const WS_URL = /^wss?:\/\/[^\s/]+/;

const isCommand = (word: string): word is CommandName => Object.hasOwn(COMMANDS, word);

/** A session id as typed: digits only (the SDK checks the range, [1, 2^53]). */
function sessionId(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`"${text}" is not a session id (a positive integer)`);
  return Number(text);
}

function command(name: CommandName, operand: string | undefined, flags: ReadonlyMap<string, string>): Command {
  const reason = flags.get('--reason');
  const message = flags.get('--message');
  const options: KillOptions = { ...(reason !== undefined && { reason }), ...(message !== undefined && { message }) };
  switch (name) {
    case 'get':
      return { name, id: sessionId(operand!) };
    case 'kill':
      return { name, id: sessionId(operand!), options };
    case 'kill-authid':
      return { name, authid: operand!, options };
    case 'kill-authrole':
      return { name, authrole: operand!, options };
    case 'kill-all':
      return { name, options };
    default:
      return { name };
  }
}

/**
 * Parses the arguments after `wamp-sessions`. Options may come before or after the command, as
 * `--name value` or `--name=value`.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags = new Map<string, string>();
  const words: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '-V' || arg === '--version') return { version: true };
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    // Refused without echoing anything that follows it.
    if (name === '--ticket') throw new UsageError(`--ticket is not accepted (other users can read command lines): set ${TICKET_ENV} or use --ticket-file`);
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option ${name}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    flags.set(name, value);
  }

  const [name = 'watch', operand, ...extra] = words;
  if (!isCommand(name)) throw new UsageError(`unknown command "${name}"`);
  const spec = COMMANDS[name];
  if (spec.operand && operand === undefined) throw new UsageError(`${name} needs ${spec.operand}`);
  const unexpected = spec.operand ? extra[0] : operand;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected}"`);
  if (!spec.kill && KILL_OPTIONS.some((flag) => flags.has(flag))) throw new UsageError('--reason and --message go with the kill commands');
  if (!spec.filter && flags.has('--authroles')) throw new UsageError('--authroles goes with watch, list and count');

  const url = flags.get('--url') ?? DEFAULT_URL;
  const realm = flags.get('--realm') ?? DEFAULT_REALM;
  if (!WS_URL.test(url)) throw new UsageError(`--url must be a ws:// or wss:// URL, got "${url}"`);
  if (!STRICT_URI.test(realm)) {
    throw new UsageError(`invalid realm "${realm}": a realm is a WAMP URI such as realm1 (lowercase letters, digits, _ and dots)`);
  }
  const authroles = flags.get('--authroles');
  const authid = flags.get('--authid');
  const ticketFile = flags.get('--ticket-file');
  return {
    command: command(name, operand, flags),
    url,
    realm,
    ...(authid !== undefined && { authid }),
    ...(ticketFile !== undefined && { ticketFile }),
    // `--authroles ''` is an empty filter: it matches no session (as in the SDK).
    ...(authroles !== undefined && { authroles: authroles.split(',').map((role) => role.trim()).filter(Boolean) }),
    json,
  };
}
