/**
 * Compile-time assertions for test/types/*.types.ts (type-checked by
 * `tsc -p test/tsconfig.json --noEmit`, never run).
 */

/** True when A and B are the same type (not merely mutually assignable: `any` and unions count). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Fails to compile unless T is `true`: `type _ = Expect<Equal<A, B>>`. */
export type Expect<T extends true> = T;

/** Fails to compile unless `value` is assignable to T: `expectType<SessionId>(id)`. */
export function expectType<T>(value: T): T {
  return value;
}

/** Fails to compile unless `value`'s type is exactly T: `exactType(value)<T>()`. */
export function exactType<V>(_value: V): <T>(..._check: Equal<V, T> extends true ? [] : [never]) => void {
  return () => undefined;
}
