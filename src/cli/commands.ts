/** The one-shot commands: one call (or a few), the answer as text or JSON, done. */
import { NoSuchSessionError, type KillResult, type SessionDetails, type SessionFilter, type SessionId, type SessionMeta } from '../index';
import type { Command } from './args';
import { plural, sessionJson, who } from './format';

export type OneShotCommand = Exclude<Command, { name: 'watch' }>;

export interface OneShotContext {
  readonly meta: SessionMeta;
  readonly filter: SessionFilter | undefined;
  readonly json: boolean;
  readonly out: (line: string) => void;
}

/** How many `get` calls `list` keeps in flight. */
const LIST_CONCURRENCY = 64;

/** Fields `get` prints, in this order (the rest of the details only with --json). */
const GET_FIELDS = ['authid', 'authrole', 'authmethod', 'authprovider', 'realm'] as const;
const GET_LABEL_WIDTH = 10;

/** `get` for each id, at most LIST_CONCURRENCY at a time; sessions gone meanwhile are left out. */
async function details(meta: SessionMeta, ids: readonly SessionId[]): Promise<SessionDetails[]> {
  const found: Array<SessionDetails | undefined> = new Array(ids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const at = next++;
      found[at] = await meta.get(ids[at]!).catch((e: unknown) => (NoSuchSessionError.is(e) ? undefined : Promise.reject(e)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, ids.length) }, worker));
  return found.filter((s): s is SessionDetails => s !== undefined);
}

type KillCommand = Extract<Command, { options: unknown }>;

async function kill(meta: SessionMeta, command: KillCommand): Promise<KillResult> {
  switch (command.name) {
    case 'kill':
      await meta.kill(command.id, command.options);
      return { count: 1, sessions: [command.id] };
    case 'kill-authid':
      return meta.killByAuthid(command.authid, command.options);
    case 'kill-authrole':
      return meta.killByAuthrole(command.authrole, command.options);
    case 'kill-all':
      return meta.killAll(command.options);
  }
}

export async function runOneShot(command: OneShotCommand, { meta, filter, json, out }: OneShotContext): Promise<void> {
  const print = (value: unknown, text: () => string[]): void => {
    if (json) out(JSON.stringify(value));
    else for (const line of text()) out(line);
  };
  switch (command.name) {
    case 'count': {
      const count = await meta.count(filter);
      return print({ count }, () => [String(count)]);
    }
    case 'list': {
      const sessions = await details(meta, await meta.list(filter));
      const self = meta.session?.id;
      return print(sessions.map(sessionJson), () =>
        sessions.map((s) => `${s.session} ${who(s)}${s.authmethod ? ` ${s.authmethod}` : ''}${s.session === self ? ' (self)' : ''}`),
      );
    }
    case 'get': {
      const s = await meta.get(command.id);
      return print(sessionJson(s), () => [
        `${'session'.padEnd(GET_LABEL_WIDTH)} ${s.session}`,
        ...GET_FIELDS.filter((key) => s[key] !== undefined).map((key) => `${key.padEnd(GET_LABEL_WIDTH)} ${s[key]}`),
        ...(s.transport ? [`${'transport'.padEnd(GET_LABEL_WIDTH)} ${JSON.stringify(s.transport)}`] : []),
      ]);
    }
    default: {
      const result = await kill(meta, command);
      return print(result, () => [`killed ${plural(result.count, 'session')}${result.sessions?.length ? `: ${result.sessions.join(' ')}` : ''}`]);
    }
  }
}
