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
  if (isInstance(thrown, ProcessExit)) return thrown.reason;
  if (isInstance(thrown, Error)) {
    try {
      return trimRuntimeFrames(thrown);
    } catch {
      return thrown; // a stack that cannot be read or written is left alone
    }
  }
  return { nocatch: thrown } satisfies Nocatch;
}

/**
 * A readable, one-line rendering of an exit reason for messages and reports:
 * an atom-like string as itself (`noproc`), an Error as `Name: message`,
 * anything else with `util.inspect` (see {@link formatTerm}). Never throws
 * (a reason that resists being looked at is described as best it can be).
 */
export function formatReason(reason: unknown): string {
  try {
    if (typeof reason === "string") return reason;
    if (isInstance(reason, Error)) return `${reason.name}: ${reason.message}`;
    return formatTerm(reason);
  } catch {
    return describe(reason);
  }
}

/**
 * @internal For a callback's result: if it is a thenable, `onError` gets its rejection
 * (a user callback returning a rejected promise never becomes an unhandled
 * rejection). Never throws.
 */
export function catchRejection(result: unknown, onError: (e: unknown) => void): void {
  if (result === null || (typeof result !== "object" && typeof result !== "function")) return;
  try {
    const then = (result as PromiseLike<unknown>).then;
    if (typeof then === "function") then.call(result, undefined, onError);
  } catch (e) {
    onError(e);
  }
}

/** @internal The stack of an Error reason, or undefined (never throws: a hostile getter gives undefined). */
export function stackOf(reason: unknown): string | undefined {
  try {
    return isInstance(reason, Error) && typeof reason.stack === "string" ? reason.stack : undefined;
  } catch {
    return undefined;
  }
}

/** @internal `"\n" + stack` for an Error reason, else "" (for report texts). */
export function stackSuffix(reason: unknown): string {
  const s = stackOf(reason);
  return s ? `\n${s}` : "";
}

/**
 * @internal Renders any value for an error message without running its code where
 * that could throw (a revoked proxy, a throwing `toString`...); never throws.
 */
export function describe(x: unknown): string {
  switch (typeof x) {
    case "string":
      return JSON.stringify(x);
    case "function":
      return "a function";
    case "symbol":
      return x.toString();
    case "bigint":
      return `${x}n`;
    case "object":
      if (x === null) return "null";
      try {
        const s = String(x);
        return s.length > 60 ? `${s.slice(0, 57)}...` : s;
      } catch {
        return "an object";
      }
    default:
      return String(x);
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
    throw new BadArgError(`${fn}: ${what} must be a function, got ${describe(x)}`);
}

/** @internal Throws a BadArgError naming `fn` unless `x` is an instance of `type` (message built on failure only). */
export function checkInstance<T>(
  fn: string,
  type: abstract new (...args: any[]) => T,
  what: string,
  x: unknown,
): asserts x is T {
  if (!isInstance(x, type)) throw new BadArgError(`${fn}: expected ${what}, got ${describe(x)}`);
}

/** @internal A thenable: what a callback may return to make the runtime wait for it. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === "object" || typeof x === "function") &&
    typeof (x as PromiseLike<unknown>).then === "function"
  );
}

/** @internal `x instanceof type`, false (not a TypeError) for a revoked proxy. */
export function isInstance<T>(x: unknown, type: abstract new (...args: any[]) => T): x is T {
  try {
    return x instanceof type;
  } catch {
    return false;
  }
}

/** @internal Throws a BadArgError naming `fn` and `what` unless `x` is a number >= 0 (Infinity allowed if `infinite`). */
export function checkMs(
  fn: string,
  what: string,
  x: unknown,
  infinite: boolean,
): asserts x is number {
  if (!(typeof x === "number" && x >= 0 && (infinite || x !== Infinity)))
    throw new BadArgError(
      `${fn}: ${what} must be a number of ms >= 0${infinite ? " or Infinity" : ""}, got ${describe(x)}`,
    );
}

/** @internal Throws a BadArgError naming `fn` unless `x` is undefined or a plain object (an options bag). */
export function checkOptions(fn: string, x: unknown): void {
  if (x !== undefined && (x === null || typeof x !== "object"))
    throw new BadArgError(`${fn}: options must be an object, got ${describe(x)}`);
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
 * @internal Drops the runtime's own frames from `err.stack` (the scheduler, the server
 * loop, the call machinery), and Node's internal frames above the first
 * frame of the user's (the timers or microtask loop the runtime ran in), so
 * that the stack starts in the user's code. A stack with nothing but such
 * frames is left whole. Failure paths only.
 */
export function trimRuntimeFrames<E extends Error>(err: E): E {
  if (runtimeDir === undefined) runtimeDir = ownDir();
  const dir = runtimeDir;
  const stack = err.stack;
  if (dir === null || typeof stack !== "string") return err;
  const lines = stack.split("\n");
  const isFrame = (l: string) => l.trimStart().startsWith("at ");
  let userSeen = false;
  const kept = lines.filter((l) => {
    if (!isFrame(l)) return true;
    if (l.includes(dir)) return false;
    if (!userSeen && l.includes("node:internal/")) return false;
    userSeen = true;
    return true;
  });
  if (kept.length < lines.length && kept.some(isFrame)) err.stack = kept.join("\n");
  return err;
}
