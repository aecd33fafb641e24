/**
 * Types for autobahn-js (npm `autobahn` 22 and 26, and `autobahn-browser`), which ship none.
 *
 * Opt in from any one file of your project (or add `"wamp-session-meta/autobahn"` to
 * `compilerOptions.types`):
 *
 * ```ts
 * /// <reference types="wamp-session-meta/autobahn" />
 * import autobahn from 'autobahn';
 * ```
 *
 * Only the part of autobahn that a session-meta client uses is declared, with native promises
 * (autobahn 26; autobahn 22 with `use_es6_promises: true`). Leave this reference out if you use
 * `@types/autobahn` instead: the SDK itself is typed structurally (`WampSessionLike`,
 * `WampConnectionLike`), so sessions and connections typed either way fit it.
 */
declare module 'autobahn' {
  namespace autobahn {
    /** Positional arguments of a WAMP message. */
    type Args = unknown[];
    /** Keyword arguments of a WAMP message. */
    type Kwargs = Record<string, unknown>;

    /** What an event handler is told about the publication. */
    interface EventDetails {
      publication: number;
      topic?: string;
      publisher?: number;
      publisher_authid?: string;
      publisher_authrole?: string;
      retained?: boolean;
    }

    /** A WAMP error. Not an `Error` subclass: the URI is in `error`. */
    class Error {
      constructor(error: string, args?: Args, kwargs?: Kwargs);
      error: string;
      args: Args;
      kwargs: Kwargs;
    }

    /** A call result with several positional or keyword results. */
    class Result {
      constructor(args?: Args, kwargs?: Kwargs);
      args: Args;
      kwargs: Kwargs;
    }

    /** An active subscription (resolved by `Session.subscribe`). */
    class Subscription {
      readonly topic: string;
      readonly id: number;
      readonly active: boolean;
      unsubscribe(): Promise<unknown>;
    }

    /** An active registration (resolved by `Session.register`). */
    class Registration {
      readonly procedure: string;
      readonly id: number;
      readonly active: boolean;
      unregister(): Promise<unknown>;
    }

    type EventHandler = (args: Args, kwargs: Kwargs, details: EventDetails) => void;
    type Endpoint = (args: Args, kwargs: Kwargs, details: unknown) => unknown;

    /** One WAMP session; a new one for every (re)connect of a `Connection`. */
    class Session {
      readonly id: number | null;
      readonly realm: string | null;
      readonly isOpen: boolean;
      call<T = unknown>(procedure: string, args?: Args | null, kwargs?: Kwargs | null, options?: object): Promise<T>;
      publish(topic: string, args?: Args | null, kwargs?: Kwargs | null, options?: object): Promise<unknown> | undefined;
      subscribe(topic: string, handler: EventHandler, options?: object): Promise<Subscription>;
      unsubscribe(subscription: Subscription): Promise<unknown>;
      register(procedure: string, endpoint: Endpoint, options?: object): Promise<Registration>;
      unregister(registration: Registration): Promise<unknown>;
      leave(reason?: string, message?: string): void;
    }

    /** Why a connection closed, and whether autobahn will retry. */
    interface CloseDetails {
      reason: string | null;
      message: string | null;
      retry_delay: number | null;
      retry_count: number | null;
      will_retry: boolean;
    }

    interface ConnectionOptions {
      url: string;
      realm: string;
      authmethods?: string[];
      authid?: string;
      authextra?: Record<string, unknown>;
      max_retries?: number;
      initial_retry_delay?: number;
      max_retry_delay?: number;
      retry_delay_growth?: number;
      retry_delay_jitter?: number;
      retry_if_unreachable?: boolean;
      /** autobahn 22: native promises instead of When.js ones (26 always uses native promises). */
      use_es6_promises?: boolean;
      onchallenge?: (session: Session, method: string, extra: Kwargs) => string | Promise<string>;
      [option: string]: unknown;
    }

    /** A connection that (re)opens sessions. */
    class Connection {
      constructor(options: ConnectionOptions);
      /** A single assignable handler (not an event emitter). */
      onopen: ((session: Session, details: Kwargs) => void) | null;
      /** A single assignable handler; return true to cancel further reconnect attempts. */
      onclose: ((reason: string, details: CloseDetails) => boolean | void) | null;
      open(): void;
      close(reason?: string, message?: string): void;
      readonly session: Session | null;
      readonly isOpen: boolean;
      readonly isConnected: boolean;
      readonly isRetrying: boolean;
    }

    /** autobahn's version, e.g. `22.11.1`. */
    const version: string | undefined;

    /** autobahn's logger: `warn` is `console.warn` (every close is logged) and may be replaced. */
    const log: { debug: (...args: unknown[]) => void; warn: (...args: unknown[]) => void };
  }
  export = autobahn;
}

// autobahn-browser is the browser build of the same library (a UMD bundle, global `autobahn`).
declare module 'autobahn-browser' {
  import autobahn = require('autobahn');
  export = autobahn;
}
