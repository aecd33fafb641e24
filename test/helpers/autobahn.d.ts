// Minimal ambient types for npm `autobahn` 26 (CommonJS, no bundled types). @types/autobahn lags
// (When.js promises, ROUTERS.md), so only what the test harness uses is declared here.
declare module 'autobahn' {
  namespace autobahn {
    type Args = unknown[];
    type Kwargs = Record<string, unknown>;

    interface EventDetails {
      publication: number;
      topic?: string;
      publisher?: number;
      publisher_authid?: string;
      publisher_authrole?: string;
      retained?: boolean;
    }

    /** Not an `Error` subclass (ROUTERS.md): a plain object with the WAMP error URI and payload. */
    class Error {
      constructor(error: string, args?: Args, kwargs?: Kwargs);
      error: string;
      args: Args;
      kwargs: Kwargs;
    }

    class Result {
      constructor(args?: Args, kwargs?: Kwargs);
      args: Args;
      kwargs: Kwargs;
    }

    class Subscription {
      readonly topic: string;
      readonly id: number;
      readonly active: boolean;
      unsubscribe(): Promise<unknown>;
    }

    class Registration {
      readonly procedure: string;
      readonly id: number;
      readonly active: boolean;
      unregister(): Promise<unknown>;
    }

    type EventHandler = (args: Args, kwargs: Kwargs, details: EventDetails) => void;
    type Endpoint = (args: Args, kwargs: Kwargs, details: unknown) => unknown;

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
      use_es6_promises?: boolean;
      onchallenge?: (session: Session, method: string, extra: Kwargs) => string | Promise<string>;
      [option: string]: unknown;
    }

    class Connection {
      constructor(options: ConnectionOptions);
      /** Single assignable handlers (not event emitters). */
      onopen: ((session: Session, details: Kwargs) => void) | null;
      /** Return true to cancel further reconnect attempts. */
      onclose: ((reason: string, details: CloseDetails) => boolean | void) | null;
      open(): void;
      close(reason?: string, message?: string): void;
      readonly session: Session | null;
      readonly isOpen: boolean;
      readonly isConnected: boolean;
      readonly isRetrying: boolean;
    }

    /** autobahn's logger; `warn` is console.warn (every close is logged) and may be replaced. */
    const log: { debug: (...args: unknown[]) => void; warn: (...args: unknown[]) => void };
  }
  export = autobahn;
}
