/**
 * The public types are what API.md says. Type-checked by `tsc -p test/tsconfig.json --noEmit`;
 * never run (jest only picks up *.test.ts). A wrong type fails the compile: `Expect<Equal<…>>`
 * for exact types, `@ts-expect-error` for calls that must not compile.
 */
import type autobahn from 'autobahn';
import type { Observable } from 'rxjs';
import {
  CallTimeoutError,
  InvalidArgumentError,
  LiveSessionSet,
  MetaError,
  NoSuchSessionError,
  RouterError,
  SessionClosedError,
  SessionMeta,
  isMetaError,
  type KillOptions,
  type KillResult,
  type LiveSessionSetOptions,
  type LiveSnapshot,
  type LiveStatus,
  type SessionDetails,
  type SessionFilter,
  type SessionId,
  type SessionLeft,
  type SessionSetChange,
  type WampConnectionLike,
  type WampSessionLike,
} from '../../src';
import { exactType, expectType, type Equal, type Expect } from './assert';

declare const meta: SessionMeta;
declare const live: LiveSessionSet;
declare const id: SessionId;
declare const unknownError: unknown;

// ---- §2 typed procedures ----
export type Procedures = [
  Expect<Equal<SessionId, number>>,
  Expect<Equal<ReturnType<SessionMeta['count']>, Promise<number>>>,
  Expect<Equal<ReturnType<SessionMeta['list']>, Promise<SessionId[]>>>,
  Expect<Equal<ReturnType<SessionMeta['get']>, Promise<SessionDetails>>>,
  Expect<Equal<ReturnType<SessionMeta['kill']>, Promise<void>>>,
  Expect<Equal<ReturnType<SessionMeta['killByAuthid']>, Promise<KillResult>>>,
  Expect<Equal<ReturnType<SessionMeta['killByAuthrole']>, Promise<KillResult>>>,
  Expect<Equal<ReturnType<SessionMeta['killAll']>, Promise<KillResult>>>,
  Expect<Equal<Parameters<SessionMeta['count']>, [filter?: SessionFilter]>>,
  Expect<Equal<Parameters<SessionMeta['get']>, [id: SessionId]>>,
  Expect<Equal<Parameters<SessionMeta['kill']>, [id: SessionId, options?: KillOptions]>>,
  Expect<Equal<Parameters<SessionMeta['killByAuthid']>, [authid: string, options?: KillOptions]>>,
  Expect<Equal<Parameters<SessionMeta['killAll']>, [options?: KillOptions]>>,
  Expect<Equal<SessionFilter, { readonly authroles?: readonly string[] }>>,
  Expect<Equal<KillOptions, { readonly reason?: string; readonly message?: string }>>,
  Expect<Equal<KillResult, { readonly count: number; readonly sessions?: readonly SessionId[] }>>,
  Expect<Equal<SessionMeta['session'], WampSessionLike | null>>,
];

void meta.count({ authroles: ['user', 'admin'] });
void meta.kill(id, { reason: 'com.example.kicked', message: 'bye' });
// @ts-expect-error ids are numbers
void meta.get('1');
// @ts-expect-error authroles is a list
void meta.count({ authroles: 'user' });
// @ts-expect-error reason is a URI string
void meta.kill(id, { reason: 42 });
// @ts-expect-error no such option
void meta.killAll({ force: true });

// ---- §1 construction ----
declare const autobahnSession: autobahn.Session;
declare const autobahnConnection: autobahn.Connection;
// autobahn's Session and Connection (autobahn/index.d.ts, shipped as wamp-session-meta/autobahn) fit the structural types.
expectType<WampSessionLike>(autobahnSession);
expectType<SessionMeta>(new SessionMeta(autobahnSession, { callTimeoutMs: 0 }));
expectType<SessionMeta>(new SessionMeta(null));
expectType<SessionMeta>(SessionMeta.fromConnection(autobahnConnection));
expectType<WampConnectionLike<autobahn.Session>>(autobahnConnection);
meta.attach(autobahnSession);
exactType(meta.detach())<void>();
exactType(meta.dispose())<void>();
exactType(meta[Symbol.dispose]())<void>();
// @ts-expect-error a session is required (null is for the constructor only)
meta.attach(null);
// @ts-expect-error callTimeoutMs is a number
new SessionMeta(null, { callTimeoutMs: '10' });

// ---- §3 streams ----
export type Streams = [
  Expect<Equal<SessionMeta['joins$'], Observable<SessionDetails>>>,
  Expect<Equal<SessionMeta['leaves$'], Observable<SessionLeft>>>,
  Expect<Equal<SessionMeta['errors$'], Observable<MetaError>>>,
  Expect<Equal<SessionLeft, { readonly session: SessionId; readonly authid?: string; readonly authrole?: string }>>,
  Expect<Equal<SessionDetails['session'], SessionId>>,
  Expect<Equal<SessionDetails['raw'], unknown>>,
  Expect<Equal<SessionDetails['authextra'], Readonly<Record<string, unknown>> | undefined>>,
  Expect<Equal<SessionDetails['resumed'], boolean | undefined>>,
];
meta.joins$.subscribe((s) => exactType(s.authid)<string | undefined>());
declare const details: SessionDetails;
// @ts-expect-error SessionDetails is read-only
details.session = 1;

// ---- §4 errors ----
export type Errors = [
  Expect<Equal<NoSuchSessionError['sessionId'], SessionId | undefined>>,
  Expect<Equal<RouterError['uri'], string>>,
  Expect<Equal<RouterError['args'], readonly unknown[]>>,
  Expect<Equal<RouterError['kwargs'], Readonly<Record<string, unknown>>>>,
  Expect<Equal<SessionClosedError['reason'], string | undefined>>,
  Expect<Equal<SessionClosedError['closeMessage'], string | undefined>>,
  Expect<Equal<InvalidArgumentError['argument'], string>>,
  Expect<Equal<CallTimeoutError['timeoutMs'], number>>,
  Expect<Equal<MetaError['procedure'], string | undefined>>,
];
expectType<Error>(new MetaError('router_error', 'x'));
if (isMetaError(unknownError)) exactType(unknownError)<MetaError>();
if (NoSuchSessionError.is(unknownError)) exactType(unknownError)<NoSuchSessionError>();
if (RouterError.is(unknownError)) exactType(unknownError.uri)<string>();
if (unknownError instanceof SessionClosedError) exactType(unknownError.reason)<string | undefined>();

// ---- §5 live session set ----
export type Live = [
  Expect<Equal<ReturnType<SessionMeta['liveSessions']>, LiveSessionSet>>,
  Expect<Equal<Parameters<SessionMeta['liveSessions']>, [options?: LiveSessionSetOptions]>>,
  Expect<Equal<LiveStatus, 'syncing' | 'live' | 'stale' | 'closed'>>,
  Expect<Equal<LiveSessionSet['ready'], Promise<void>>>,
  Expect<Equal<LiveSessionSet['sessions$'], Observable<ReadonlyMap<SessionId, SessionDetails>>>>,
  Expect<Equal<LiveSessionSet['changes$'], Observable<SessionSetChange>>>,
  Expect<Equal<LiveSessionSet['status$'], Observable<LiveStatus>>>,
  Expect<Equal<LiveSessionSet['status'], LiveStatus>>,
  Expect<Equal<LiveSessionSet['size'], number>>,
  Expect<Equal<ReturnType<LiveSessionSet['has']>, boolean>>,
  Expect<Equal<ReturnType<LiveSessionSet['get']>, SessionDetails | undefined>>,
  Expect<Equal<ReturnType<LiveSessionSet['byAuthid']>, ReadonlyMap<string, readonly SessionDetails[]>>>,
  Expect<Equal<LiveSessionSet['getSnapshot'], () => LiveSnapshot>>,
  Expect<Equal<LiveSnapshot['status'], LiveStatus>>,
  Expect<Equal<LiveSnapshot['sessions'], ReadonlyMap<SessionId, SessionDetails>>>,
  Expect<Equal<LiveSnapshot['error'], MetaError | undefined>>,
  Expect<Equal<LiveSessionSetOptions['verifyIntervalMs'], number | undefined>>,
  Expect<Equal<LiveSessionSet['subscribe'], (onChange: () => void) => () => void>>,
  Expect<Equal<SessionSetChange['type'], 'joined' | 'left'>>,
  Expect<Equal<SessionSetChange['session'], SessionDetails>>,
  Expect<Equal<LiveSessionSetOptions['details'], 'full' | 'id' | undefined>>,
];
for (const s of live.values()) exactType(s)<SessionDetails>();
meta.liveSessions({
  authroles: ['user'],
  includeSelf: true,
  details: 'full',
  syncConcurrency: 4,
  onDetailsError: (e, sid) => {
    exactType(e)<MetaError>();
    exactType(sid)<SessionId>();
  },
});
// @ts-expect-error details is 'full' or 'id'
meta.liveSessions({ details: 'partial' });

// Typed events (typed-emitter) for non-Rx code.
live.on('joined', (s) => exactType(s.session)<SessionId>());
live.on('left', (s) => exactType(s)<SessionDetails>());
live.on('status', (status) => exactType(status)<LiveStatus>());
live.on('error', (error) => exactType(error)<MetaError>());
exactType(live.on('joined', () => undefined))<LiveSessionSet>();
// @ts-expect-error no such event
live.on('joinned', () => undefined);
// @ts-expect-error the status listener receives a LiveStatus, not a number
live.on('status', (status: number) => status);
