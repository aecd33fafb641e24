/**
 * wamp-session-meta: a typed, reactive SDK for the WAMP Session Meta API.
 * Explicit named exports only: the public surface at a glance.
 * @packageDocumentation
 */
export { SessionMeta } from './session-meta';
export { LiveSessionSet } from './live/live-session-set';
export { publishPresence } from './presence/relay';
export { mirrorPresence } from './presence/mirror';
export type { PresenceRelay, PublishPresenceOptions } from './presence/relay';
export type { PresenceMirror, MirrorPresenceOptions } from './presence/mirror';
export type { PresenceEntry } from './presence/protocol';
export {
  MetaError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  InvalidArgumentError,
  CallTimeoutError,
  SessionClosedError,
  RouterError,
  MalformedPayloadError,
  DriftError,
  isMetaError,
} from './errors';
export type { MetaErrorCode } from './errors';
export type {
  SessionId,
  SessionDetails,
  SessionLeft,
  SessionFilter,
  KillOptions,
  KillResult,
  SessionMetaOptions,
  CloseDetails,
  WampSessionLike,
  WampConnectionLike,
} from './types';
export type {
  LiveSessionSetOptions,
  LiveStatus,
  LiveSessionSetEvents,
  SessionSetChange,
  LiveSnapshot,
  LiveSessionView,
} from './live/types';
