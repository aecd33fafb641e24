/**
 * The WAMP Session Meta API URIs, in one place.
 * Spec: WAMP Advanced Profile, "Session Meta API"; Crossbar 22.6.1 surface:
 * fixtures/crossbar/meta_api_signatures.json.
 */
export const ON_JOIN = 'wamp.session.on_join';
export const ON_LEAVE = 'wamp.session.on_leave';

export const COUNT = 'wamp.session.count';
export const LIST = 'wamp.session.list';
export const GET = 'wamp.session.get';
export const KILL = 'wamp.session.kill';
export const KILL_BY_AUTHID = 'wamp.session.kill_by_authid';
export const KILL_BY_AUTHROLE = 'wamp.session.kill_by_authrole';
export const KILL_ALL = 'wamp.session.kill_all';

export const ERROR_NO_SUCH_SESSION = 'wamp.error.no_such_session';
export const ERROR_NOT_AUTHORIZED = 'wamp.error.not_authorized';
export const ERROR_NO_SUCH_PROCEDURE = 'wamp.error.no_such_procedure';
export const ERROR_RUNTIME = 'wamp.error.runtime_error';

/** The close reason reported for an attached session found closed without GOODBYE (its transport dropped). */
export const CLOSE_LOST = 'wamp.close.lost';

/** The close reason this SDK reports for what it disposed itself (not a WAMP URI on the wire). */
export const DISPOSED = 'wamp-session-meta.disposed';
