/** Argument checks, run before anything is sent. Each failure names the argument. */
import { InvalidArgumentError } from './errors';
import { isSessionId } from './normalize';
import type { KillOptions, SessionFilter, SessionId } from './types';

/** WAMP "loose" URI rule (spec, "URIs"): dot-separated non-empty components without whitespace or `#`. */
const URI = /^([^\s.#]+\.)*[^\s.#]+$/;

function fail(argument: string, expected: string): never {
  throw new InvalidArgumentError(argument, expected);
}

export function checkSessionId(value: unknown, argument = 'id'): SessionId {
  if (!isSessionId(value)) fail(argument, 'a session id (an integer in [1, 2^53])');
  return value;
}

export function checkNonEmptyString(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(argument, 'a non-empty string');
  return value;
}

function checkOptions(value: unknown, argument: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(argument, 'an object');
  return value as Record<string, unknown>;
}

/** `filter_authroles` for the wire, or undefined for "no filter". */
export function checkFilter(value: SessionFilter | undefined, argument = 'filter'): string[] | undefined {
  const roles = checkOptions(value, argument).authroles;
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles)) fail(`${argument}.authroles`, 'an array of strings');
  for (const role of roles) checkNonEmptyString(role, `${argument}.authroles[]`);
  return roles.slice();
}

/** KillOptions as WAMP kwargs (`reason`, `message`), omitting what is not set. */
export function checkKillOptions(value: KillOptions | undefined, argument = 'options'): Record<string, string> {
  const { reason, message } = checkOptions(value, argument);
  const kwargs: Record<string, string> = {};
  if (reason !== undefined) {
    if (typeof reason !== 'string' || !URI.test(reason)) fail(`${argument}.reason`, 'a WAMP URI such as "com.example.kicked"');
    kwargs.reason = reason;
  }
  if (message !== undefined) {
    if (typeof message !== 'string') fail(`${argument}.message`, 'a string');
    kwargs.message = message;
  }
  return kwargs;
}

export function checkUri(value: unknown, argument: string): string {
  if (typeof value !== 'string' || !URI.test(value)) fail(argument, 'a WAMP URI such as "com.example.presence"');
  return value;
}

/** A number of milliseconds a timer can wait; `fallback` when `value` is undefined and one is given. */
export function checkTimeout(value: unknown, argument: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2 ** 31 - 1) {
    fail(argument, 'a number of milliseconds in [0, 2^31-1]');
  }
  return value;
}

export function checkPositiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(argument, 'a positive integer');
  return value;
}
