/** Partial object patterns for events and messages. */
import { Pid, Ref } from "otpkit";

/** A predicate, or a partial pattern: plain objects match field by field, anything else by equality. */
export type Pattern<T = unknown> =
  | ((x: T) => unknown)
  | (unknown extends T ? NonFunction : DeepPartial<T> | Record<string, unknown>);
/** Any value but a function (so that an arrow function passed as a pattern gets a typed parameter). */
export type NonFunction = object | string | number | bigint | boolean | symbol | null | undefined;
/** `T` with every field optional, at every depth: the shape of a partial pattern for a `T`. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function isPlain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Does `value` match `pattern`? */
export function matches(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === "function") return Boolean(pattern(value));
  return partial(value, pattern);
}

function partial(value: unknown, pattern: unknown): boolean {
  if (isPlain(pattern)) {
    if (value === null || typeof value !== "object") return false;
    for (const k of Object.keys(pattern))
      if (!partial((value as Record<string, unknown>)[k], pattern[k])) return false;
    return true;
  }
  if (Array.isArray(pattern))
    return (
      Array.isArray(value) &&
      value.length === pattern.length &&
      pattern.every((p, i) => partial(value[i], p))
    );
  if (
    (pattern instanceof Pid && value instanceof Pid) ||
    (pattern instanceof Ref && value instanceof Ref)
  )
    return pattern.id === value.id && pattern.node === value.node;
  return Object.is(value, pattern);
}
