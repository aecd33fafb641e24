/** The wamp-sessions command line parser (pure). */
import { DEFAULT_REALM, DEFAULT_URL, parseArgs } from '../../src/cli/args';

const defaults = { url: DEFAULT_URL, realm: DEFAULT_REALM, json: false };

test('every command, with options before or after it, as --name value or --name=value', () => {
  expect(parseArgs([])).toEqual({ command: { name: 'watch' }, ...defaults });
  expect(parseArgs(['--json', 'list', '--url=wss://h:1/ws', '--realm', 'r.one'])).toEqual({
    command: { name: 'list' },
    ...defaults,
    url: 'wss://h:1/ws',
    realm: 'r.one',
    json: true,
  });
  expect(parseArgs(['count', '--authroles', 'user, admin'])).toEqual({ command: { name: 'count' }, ...defaults, authroles: ['user', 'admin'] });
  expect(parseArgs(['count', '--authroles='])).toEqual({ command: { name: 'count' }, ...defaults, authroles: [] });
  expect(parseArgs(['get', '42'])).toEqual({ command: { name: 'get', id: 42 }, ...defaults });
  expect(parseArgs(['kill', '42', '--reason', 'com.x.y'])).toEqual({ command: { name: 'kill', id: 42, options: { reason: 'com.x.y' } }, ...defaults });
  expect(parseArgs(['kill-authid', 'alice', '--message', 'bye'])).toEqual({
    command: { name: 'kill-authid', authid: 'alice', options: { message: 'bye' } },
    ...defaults,
  });
  expect(parseArgs(['kill-authrole', 'guest'])).toEqual({ command: { name: 'kill-authrole', authrole: 'guest', options: {} }, ...defaults });
  expect(parseArgs(['kill-all', '--authid', 'ops', '--ticket-file', '/run/t'])).toEqual({
    command: { name: 'kill-all', options: {} },
    ...defaults,
    authid: 'ops',
    ticketFile: '/run/t',
  });
  expect(parseArgs(['kill-authid', '--', '--odd-authid'])).toMatchObject({ command: { name: 'kill-authid', authid: '--odd-authid' } });
  expect(parseArgs(['list', '-h', '--bogus'])).toEqual({ help: true });
  expect(parseArgs(['--version'])).toEqual({ version: true });
});

test('mistakes are usage errors, and a ticket on the command line is refused without being echoed', () => {
  const mistakes: Array<[string[], string]> = [
    [['frob'], 'unknown command "frob"'],
    [['get'], 'get needs a session id'],
    [['kill-authrole'], 'kill-authrole needs an authrole'],
    [['get', 'abc'], '"abc" is not a session id (a positive integer)'],
    [['get', '1', '2'], 'unexpected argument "2"'],
    [['count', 'x'], 'unexpected argument "x"'],
    [['count', '--reason', 'a.b'], '--reason and --message go with the kill commands'],
    [['kill', '1', '--authroles', 'a'], '--authroles goes with watch, list and count'],
    [['--url'], '--url needs a value'],
    [['--url', 'http://h'], '--url must be a ws:// or wss:// URL, got "http://h"'],
    [['--tiket', 'x'], 'unknown option --tiket'],
  ];
  for (const [argv, message] of mistakes) expect(() => parseArgs(argv)).toThrow(message);
  for (const argv of [['--ticket', 'hunter2'], ['--ticket=hunter2']]) {
    expect(() => parseArgs(argv)).toThrow('--ticket is not accepted');
    expect(() => parseArgs(argv)).not.toThrow(/hunter2/);
  }
});
