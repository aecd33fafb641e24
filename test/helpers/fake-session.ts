/**
 * A fake autobahn session for unit tests: it records what the SDK sends, answers calls from a
 * script (or the Crossbar captures), delivers events, and closes on command. Use it only where a
 * real router cannot play the part (captures of a router CI cannot run, injected faults).
 */
import type { CloseDetails, WampSessionLike } from '../../src/types';

/** What autobahn-js rejects a call with: `autobahn.Error` (not an `Error` subclass). */
export class WampError {
  constructor(
    readonly error: string,
    readonly args: unknown[] = [],
    readonly kwargs: Record<string, unknown> = {},
  ) {}
}

/** What autobahn-js resolves a call with when there is more than one arg or any kwarg. */
export class WampResult {
  constructor(
    readonly args: unknown[],
    readonly kwargs: Record<string, unknown>,
  ) {}
}

/** Turn a RESULT/ERROR frame into what autobahn-js hands the caller (see autobahn lib/session.js). */
export function autobahnOutcome(frame: unknown[]): { ok: true; value: unknown } | { ok: false; error: WampError } {
  if (frame[0] === 8) {
    return { ok: false, error: new WampError(frame[4] as string, (frame[5] as unknown[]) ?? [], (frame[6] as Record<string, unknown>) ?? {}) };
  }
  const args = (frame[3] as unknown[]) ?? [];
  const kwargs = (frame[4] as Record<string, unknown>) ?? {};
  if (args.length > 1 || Object.keys(kwargs).length > 0) return { ok: true, value: new WampResult(args, kwargs) };
  return { ok: true, value: args.length > 0 ? args[0] : null };
}

export interface SentCall {
  procedure: string;
  args: unknown[] | undefined;
  kwargs: Record<string, unknown> | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Handler = (args?: unknown[], kwargs?: Record<string, unknown>, details?: unknown) => void;

export interface FakeSubscription {
  readonly topic: string;
  readonly handler: Handler;
  active: boolean;
}

interface PendingSubscribe {
  topic: string;
  confirm(): void;
  deny(error: unknown): void;
}

export interface FakeSessionOptions {
  id?: number;
  /** Answer calls: return a value / a promise, or throw a WampError. Default: leave pending. */
  onCall?: (call: SentCall) => unknown;
  /** Confirm SUBSCRIBEs at once (default) or leave them for `confirmSubscribe`. */
  autoConfirm?: boolean;
}

let nextId = 1000;

export class FakeSession implements WampSessionLike {
  readonly calls: SentCall[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  readonly pendingSubscribes: PendingSubscribe[] = [];
  onleave: ((reason: string, details: CloseDetails) => void) | null | undefined = null;
  #id: number | null;
  readonly #options: FakeSessionOptions;

  constructor(options: FakeSessionOptions = {}) {
    this.#id = options.id ?? ++nextId;
    this.#options = options;
  }

  get id(): number | null {
    return this.#id;
  }

  get isOpen(): boolean {
    return this.#id !== null;
  }

  /** Active WAMP subscriptions on a topic (what the router would count). */
  active(topic: string): number {
    return this.subscriptions.filter((s) => s.active && s.topic === topic).length;
  }

  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown> {
    if (!this.isOpen) throw 'session not open';
    return new Promise((resolve, reject) => {
      const call: SentCall = { procedure, args, kwargs, resolve, reject };
      this.calls.push(call);
      if (!this.#options.onCall) return;
      try {
        Promise.resolve(this.#options.onCall(call)).then(
          (value) => (value === PENDING ? undefined : resolve(value)),
          reject,
        );
      } catch (error) {
        reject(error);
      }
    });
  }

  subscribe(topic: string, handler: Handler): Promise<FakeSubscription> {
    if (!this.isOpen) throw 'session not open';
    return new Promise((resolve, reject) => {
      const confirm = (): void => {
        const subscription = { topic, handler, active: true };
        this.subscriptions.push(subscription);
        resolve(subscription);
      };
      if (this.#options.autoConfirm === false) this.pendingSubscribes.push({ topic, confirm, deny: reject });
      else queueMicrotask(confirm);
    });
  }

  unsubscribe(subscription: FakeSubscription): Promise<boolean> {
    if (!this.isOpen) throw 'session not open';
    subscription.active = false;
    return Promise.resolve(true);
  }

  /** Deliver an EVENT to every active subscription on the topic, as autobahn would. */
  publish(topic: string, args?: unknown[] | null, kwargs?: Record<string, unknown> | null): void {
    for (const s of this.subscriptions) {
      if (s.active && s.topic === topic) s.handler(args ?? [], kwargs ?? {}, { topic });
    }
  }

  /** Confirm (or deny) the SUBSCRIBEs waiting, in order. */
  confirmSubscribes(deny?: unknown): void {
    for (const p of this.pendingSubscribes.splice(0)) {
      if (deny === undefined) p.confirm();
      else p.deny(deny);
    }
  }

  /** The router sent GOODBYE: autobahn calls onleave, then the session is gone. */
  goodbye(reason = 'wamp.close.normal', message?: string): void {
    this.#id = null;
    this.onleave?.(reason, message === undefined ? {} : { message });
  }

  /** The transport dropped without GOODBYE: autobahn only nulls the id (no onleave). */
  drop(): void {
    this.#id = null;
  }
}

/** Return this from `onCall` to leave a call unanswered. */
export const PENDING = Symbol('pending');

/** Let queued microtasks and promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
