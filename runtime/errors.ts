/**
 * Errors: `ExitError` for operations that fail with an exit reason (OTP's
 * exits), `BadArgError` for API misuse (OTP's `badarg`), and the internal
 * `ProcessExit` that unwinds a process body on `self.exit(reason)`.
 */
import { formatTerm } from "./terms";

/**
 * An operation failed with an exit reason (`noproc`, `timeout`, a server's
 * reason...). When the reason is an Error (a server that crashed), it is the
 * `cause`, with its own stack. The runtime's own frames are left out of the
 * stack: for a failed call it ends at the caller's `await`.
 */
export class ExitError extends Error {
  constructor(
    /** The exit reason, as OTP would give it. */
    readonly reason: unknown,
    /** What failed, e.g. `GenServer.call(<0.4.0>, "get")`. */
    readonly operation?: string,
    /** The failed operation's arguments (OTP's `{M, F, Args}`). */
    readonly args?: unknown[],
  ) {
    super(
      `${operation ? operation + " exited: " : ""}${formatReason(reason)}`,
      reason instanceof Error ? { cause: reason } : undefined,
    );
    this.name = "ExitError";
    trimRuntimeFrames(this);
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
  if (thrown instanceof Error) return trimRuntimeFrames(thrown);
  return { nocatch: thrown } satisfies Nocatch;
}

/**
 * A readable, one-line rendering of an exit reason for messages and reports:
 * an atom-like string as itself (`noproc`), an Error as `Name: message`,
 * anything else with `util.inspect` (see {@link formatTerm}).
 */
export function formatReason(reason: unknown): string {
  if (typeof reason === "string") return reason;
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return formatTerm(reason);
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

/** The runtime's folder as stack frames print it (source-mapped or not); found on first use. */
let runtimeDir: string | null | undefined;

function ownDir(): string | null {
  const frame = new Error().stack?.split("\n")[1] ?? "";
  const file = /\(?((?:[A-Za-z]:)?[^():]+):\d+:\d+\)?$/.exec(frame.trim())?.[1];
  if (file === undefined) return null;
  const cut = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return cut < 0 ? null : file.slice(0, cut + 1);
}

/**
 * Drops the runtime's own frames from `err.stack` (the scheduler, the server
 * loop, the call machinery), so that the stack starts in the user's code.
 * A stack with nothing but runtime frames is left whole. Failure paths only.
 */
export function trimRuntimeFrames<E extends Error>(err: E): E {
  if (runtimeDir === undefined) runtimeDir = ownDir();
  const dir = runtimeDir;
  const stack = err.stack;
  if (dir === null || typeof stack !== "string") return err;
  const lines = stack.split("\n");
  const kept = lines.filter((l) => !(l.trimStart().startsWith("at ") && l.includes(dir)));
  if (kept.length < lines.length && kept.some((l) => l.trimStart().startsWith("at ")))
    err.stack = kept.join("\n");
  return err;
}
