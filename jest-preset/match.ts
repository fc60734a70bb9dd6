/**
 * Patterns for events and messages, with Jest's own semantics: a pattern
 * matches as `toMatchObject` does (objects by a subset of their fields,
 * arrays element by element, asymmetric matchers such as `expect.any(Down)`
 * anywhere), through Jest's equality utilities; a function is a predicate.
 * Typed so that a key the matched type does not have is a compile error.
 */
import { equals, iterableEquality, subsetEquality } from "@jest/expect-utils";
import type { AnySysEvent, Pid, Ref } from "otpkit";

/** Jest's asymmetric matcher protocol (`expect.any(...)`, `expect.objectContaining(...)`...). */
export interface AsymmetricMatcherLike {
  /** Does `other` match? */
  asymmetricMatch(other: unknown): boolean;
}

/** Any value but a function (so that an arrow function passed as a pattern gets a typed parameter). */
export type NonFunction = object | string | number | bigint | boolean | symbol | null | undefined;

type Opaque = Pid | Ref | Date | RegExp | Map<unknown, unknown> | Set<unknown> | Error;

/**
 * What may stand for a `T` inside a pattern: an asymmetric matcher, or `T`'s
 * own shape with every field optional and each field a pattern in turn (an
 * array matches element by element). For an unknown `T`, any value.
 */
export type PatternOf<T> = unknown extends T
  ? NonFunction
  : T extends string | number | bigint | boolean | symbol | null | undefined | Opaque
    ? T | AsymmetricMatcherLike
    : T extends readonly (infer E)[]
      ? readonly PatternOf<E>[] | AsymmetricMatcherLike
      : T extends (...args: never[]) => unknown
        ? T | AsymmetricMatcherLike
        : FieldsOf<T> | AsymmetricMatcherLike;

/** `T`'s fields, each optional and a pattern (the top level of a pattern for an object). */
export type FieldsOf<T> = { [K in keyof T]?: PatternOf<T[K]> };

/** A predicate, or a pattern for a `T` (see {@link PatternOf}). */
export type Pattern<T = unknown> = ((x: T) => unknown) | PatternOf<T>;

/** A pattern for a sys event of tag `K` among `Ev`: its `kind`, and that event's fields. */
export type KindPattern<Ev extends AnySysEvent, K extends Ev["kind"]> = {
  /** The event's tag. */
  kind: K;
} & FieldsOf<Omit<Extract<Ev, { kind: K }>, "kind">>;

/**
 * `T`, in a position a call does not infer `T` from (TypeScript's `NoInfer`,
 * written so that a union stays a union for the conditional types above).
 */
export type NoInference<T> = [T][T extends unknown ? 0 : never];

/** Does `value` match `pattern` (a predicate, or a pattern with `toMatchObject` semantics)? */
export function matches(value: unknown, pattern: unknown): boolean {
  if (typeof pattern === "function") return Boolean(pattern(value));
  return equals(value, pattern, [iterableEquality, subsetEquality]);
}
