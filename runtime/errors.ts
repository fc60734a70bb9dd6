/**
 * Errors: `ExitError` for operations that fail with an exit reason (OTP's
 * exits), `BadArgError` for API misuse (OTP's `badarg`), and the internal
 * `ProcessExit` that unwinds a process body on `self.exit(reason)`.
 */

/** An operation failed with an exit reason (`noproc`, `timeout`, a server's reason...). */
export class ExitError extends Error {
  constructor(
    /** The exit reason, as OTP would give it. */
    readonly reason: unknown,
    /** What failed, e.g. `GenServer.call(<0.4.0>, "get")`. */
    readonly operation?: string,
    /** The failed operation's arguments (OTP's `{M, F, Args}`). */
    readonly args?: unknown[],
  ) {
    super(`${operation ? operation + " exited: " : ""}${formatReason(reason)}`);
    this.name = "ExitError";
  }
}

/** Bad input to the API (a non-pid where a pid is needed, a name taken twice...). */
export class BadArgError extends TypeError {
  /** The exit reason OTP gives for this: `badarg`. */
  readonly reason = "badarg";
  constructor(message: string) {
    super(message);
    this.name = "BadArgError";
  }
}

/** @internal Thrown by `self.exit(reason)` to unwind the body; the process then ends with `reason`. */
export class ProcessExit {
  constructor(readonly reason: unknown) {}
}

/** What a thrown non-Error value becomes as an exit reason (Erlang's `{nocatch, V}`). */
export interface Nocatch {
  /** The value that was thrown. */
  nocatch: unknown;
}

/** @internal Turns anything thrown by a process body into its exit reason (PP-07). */
export function reasonOf(thrown: unknown): unknown {
  if (thrown instanceof ProcessExit) return thrown.reason;
  if (thrown instanceof Error) return thrown;
  return { nocatch: thrown } satisfies Nocatch;
}

/** A short, readable rendering of an exit reason for messages and reports. */
export function formatReason(reason: unknown): string {
  if (typeof reason === "string") return reason;
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  try {
    return (
      JSON.stringify(reason, (_k, v) => (typeof v === "symbol" ? v.toString() : v)) ??
      String(reason)
    );
  } catch {
    return String(reason);
  }
}

/** @internal Throws a BadArgError unless `cond` holds (`message` should be a constant: it is built either way). */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new BadArgError(message);
}

/** @internal Throws a BadArgError naming `fn` and the bad value unless `x` is a function (message built on failure only). */
export function checkFunction(
  fn: string,
  what: string,
  x: unknown,
): asserts x is (...args: any[]) => unknown {
  if (typeof x !== "function")
    throw new BadArgError(`${fn}: ${what} must be a function, got ${typeof x}`);
}

/** @internal Throws a BadArgError naming `fn` unless `x` is an instance of `type` (message built on failure only). */
export function checkInstance<T>(
  fn: string,
  type: abstract new (...args: any[]) => T,
  what: string,
  x: unknown,
): asserts x is T {
  if (!(x instanceof type)) throw new BadArgError(`${fn}: expected ${what}, got ${String(x)}`);
}
