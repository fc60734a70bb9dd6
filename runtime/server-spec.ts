/**
 * What a GenServer is made of, as types and values a module uses: the
 * results handlers return (`ok`, `reply`, `noreply`, `stop`...), the call and
 * cast messages, the definition (`ServerSpec`) and the type-level reading of
 * it (`ReplyOf`, `ArgOf`, `ServerModule`) that types `call` and `cast`.
 */
import { From, ServerName, ServerRef } from "./gen";
import { Node } from "./node";
import { Self } from "./process";
import { DebugOption } from "./sys";
import { Pid, Ref } from "./terms";

// ---- results ----

/** What may follow a result: a timeout (ms, or "hibernate") or a continuation. */
export interface Next {
  /** Ms without messages before `handleInfo("timeout")`; "hibernate" waits forever (GS-27). */
  timeout?: number | "hibernate";
  /** Runs `handleContinue(continue, state)` before any other message (GS-24). */
  continue?: unknown;
}

/** `{reply, Reply, State}`: answer the call and go on with `state`. */
export interface ReplyResult<S, R> extends Next {
  type: "reply";
  /** The reply sent to the caller. */
  reply: R;
  state: S;
}
/** `{noreply, State}`: go on with `state` (a call's reply, if any, comes later through `reply(from, v)`). */
export interface NoReplyResult<S> extends Next {
  type: "noreply";
  state: S;
}
/** `{stop, Reason, [Reply,] State}`: terminate with `reason` (after replying, if `reply` is given). */
export interface StopResult<S, R = never> {
  type: "stop";
  /** The exit reason the server terminates with (passed to `terminate`). */
  reason: unknown;
  /** The state passed to `terminate` (default: the state before this message). */
  state?: S;
  /** From a call handler only: the reply sent to the caller once `terminate` has run. */
  reply?: R;
}
/** `{ok, State}` from init. */
export interface OkResult<S> extends Next {
  type: "ok";
  state: S;
}

/** What a `handleCall` handler returns: `reply`, `noreply` or `stop` (with or without a reply). */
export type CallResult<S, R> = ReplyResult<S, R> | NoReplyResult<S> | StopResult<S, R>;
/** What `handleCast`, `handleInfo` and `handleContinue` return: `noreply` or `stop`. */
export type CastResult<S> = NoReplyResult<S> | StopResult<S>;
/** What `init` returns: `ok`, `stop`, `ignore` or `{error, Reason}` (see {@link ignore}, {@link initError}). */
export type InitResult<S> =
  | OkResult<S>
  | StopResult<S>
  | {
      /** Tags the result as `ignore`: the start fails with `ignore`. */
      type: "ignore";
    }
  | {
      /** Tags the result as `error`: the start fails with `error`. */
      type: "error";
      /** The reason the start fails with. */
      error: unknown;
    };

/** A callback's result, returned directly or as a promise (the server waits for it before its next message). */
export type MaybeAsync<T> = T | Promise<T>;

/** `{ok, State}`: init succeeded. */
export function ok<S>(state: S, next?: Next): OkResult<S> {
  return next === undefined ? { type: "ok", state } : { type: "ok", state, ...next };
}
/** `{reply, Reply, State}`. */
export function reply<S, R>(value: R, state: S, next?: Next): ReplyResult<S, R> {
  return next === undefined
    ? { type: "reply", reply: value, state }
    : { type: "reply", reply: value, state, ...next };
}
/** `{noreply, State}`. */
export function noreply<S>(state: S, next?: Next): NoReplyResult<S> {
  return next === undefined ? { type: "noreply", state } : { type: "noreply", state, ...next };
}
/** `{stop, Reason, State}`, or `{stop, Reason, Reply, State}` with `options.reply`. */
export function stop<S>(reason: unknown, state?: S): StopResult<S>;
/** `{stop, Reason, Reply, State}`: terminate with `reason` once `reply` is sent. */
export function stop<S, R>(
  reason: unknown,
  state: S | undefined,
  options: { reply: R },
): StopResult<S, R>;
export function stop<S, R = never>(
  reason: unknown,
  state?: S,
  options?: { reply: R },
): StopResult<S, R> {
  return options
    ? { type: "stop", reason, state, reply: options.reply }
    : { type: "stop", reason, state };
}
/** `ignore` from init: start fails with `ignore`, the process exits `normal`. */
export function ignore(): {
  type: "ignore";
} {
  return { type: "ignore" };
}
/** `{error, Reason}` from init: start fails with `reason`, the process exits `normal` quietly. */
export function initError(error: unknown): {
  type: "error";
  /** The reason the start fails with. */
  error: unknown;
} {
  return { type: "error", error };
}

// ---- messages ----

/** A call's request as the server receives it: the handler name and its argument. */
export interface Request<N extends string = string, A = unknown> {
  /** The name of the handler (a key of `handleCall` or `handleCast`). */
  name: N;
  /** The argument passed to the handler. */
  arg: A;
}

/** `{'$gen_call', From, Request}`. */
export class CallMessage {
  readonly kind = "$gen_call" as const;
  constructor(
    /** The caller and the call's tag, to reply to. */
    readonly from: From,
    /** The handler name and its argument. */
    readonly request: Request,
  ) {}
}

/** `{'$gen_cast', Request}`. Name and argument are kept flat (one object per cast); `request` shows them as OTP's Request. */
export class CastMessage {
  readonly kind = "$gen_cast" as const;
  constructor(
    /** The name of the `handleCast` handler. */
    readonly name: string,
    /** The argument passed to the handler. */
    readonly arg: unknown,
  ) {}
  /** The request: `{ name, arg }`. */
  get request(): Request {
    return { name: this.name, arg: this.arg };
  }
}

/** One frozen message per handler name for casts without an argument (bounded). */
const bareCasts = new Map<string, CastMessage>();
const MAX_BARE_CASTS = 1024;

/**
 * @internal The message of cast `name` with `arg`. A cast without an argument
 * reuses one frozen message per name, so a burst of them allocates nothing.
 */
export function castMessage(name: string, arg: unknown): CastMessage {
  if (arg !== undefined) return new CastMessage(name, arg);
  let m = bareCasts.get(name);
  if (m === undefined) {
    m = Object.freeze(new CastMessage(name, undefined));
    if (bareCasts.size < MAX_BARE_CASTS) bareCasts.set(name, m);
  }
  return m;
}

// ---- the definition ----

/** A `handleCall` handler: the call's argument, the caller (for a later `reply`) and the state, to a result. */
export type CallHandler<S> = (arg: any, from: From, state: S) => MaybeAsync<CallResult<S, any>>;
/** A `handleCast` handler: the cast's argument and the state, to a result. */
export type CastHandler<S> = (arg: any, state: S) => MaybeAsync<CastResult<S>>;

/** What `define` takes. Handlers run with `this` = the server's process context. */
export interface ServerSpec<
  S,
  A,
  C extends Record<string, CallHandler<S>>,
  K extends Record<string, CastHandler<S>>,
> {
  /** The name in reports and statuses (default "GenServer"). */
  name?: string;
  /** Runs in the new process with the start argument; its result decides whether the start succeeds. */
  init(this: Self, arg: A): MaybeAsync<InitResult<S>>;
  /** The call handlers, by name: each gets the argument, the caller and the state. */
  handleCall?: C & ThisType<Self>;
  /** The cast handlers, by name: each gets the argument and the state. */
  handleCast?: K & ThisType<Self>;
  /** Handles any other message (and `"timeout"` after a result's `timeout`); without it such messages are logged and dropped. */
  handleInfo?(this: Self, msg: unknown, state: S): MaybeAsync<CastResult<S>>;
  /** Handles the `continue` of a result, before any other message. */
  handleContinue?(this: Self, cont: any, state: S): MaybeAsync<CastResult<S>>;
  /**
   * Runs as the server terminates, with the reason and the last state (a
   * `stop` result, a crash, `GenServer.stop`, or its parent's exit while
   * trapping exits); may be async.
   */
  terminate?(this: Self, reason: unknown, state: S): unknown;
  /** Called by `sys.changeCode` while suspended; returns the new state (throw to refuse). */
  codeChange?(oldVsn: unknown, state: S, extra: unknown): S;
  /** Replaces the state part of `getStatus` and of crash reports. */
  formatStatus?(state: S): unknown;
}

declare const serverState: unique symbol;

/**
 * The pid of a server whose state is `S`: at run time a plain {@link Pid};
 * the type lets the preset's `toHaveState` check a pattern against `S`.
 */
export type ServerPid<S> = Pid & {
  /** Never set: the type of the server's state. */
  readonly [serverState]?: S;
};

/** The state type of a server's pid (`unknown` for a plain pid). */
export type StateOf<P> = P extends { readonly [serverState]?: infer S } ? S : unknown;

/** Options for starting a server. */
export interface StartOptions {
  /** Register under this name (local, `{ global }` or `{ via, name }`). */
  name?: ServerName;
  /** Ms for init (default forever): on expiry the server is killed and start fails with `timeout` (GS-06). */
  timeout?: number;
  /** sys debug options active from the first message (SYS-15). */
  debug?: DebugOption[];
  /** The node to start on when starting from outside any process (default: the current node). */
  node?: Node;
}

/** Options for a call. */
export interface CallOptions {
  /** Ms to wait for the reply (default 5000); Infinity waits forever. */
  timeout?: number;
  /** The calling process, when calling from a function process (orders the call after its earlier messages). */
  caller?: Self;
}

/**
 * The handlers a spec declared: a handler table the spec left out is
 * inferred as its constraint (`Record<string, ...>`), and means none.
 * (The curried `define<State>()` has no defaults for its handler tables:
 * a default would take the place of the constraint as the handlers'
 * contextual type.)
 */
export type Declared<H> = string extends keyof H ? Record<never, never> : H;

/** The argument type of handler `H`. */
export type ArgOf<H> = H extends (arg: infer A, ...rest: any[]) => any ? A : never;
/**
 * The reply type of call handler `H`: what its `reply` (or `stop` with a
 * reply) results carry. A `stop` without a reply adds nothing: as in OTP,
 * the call then fails with the server's exit reason, it never resolves.
 */
export type ReplyOf<H> = H extends (...a: any[]) => infer R ? ReplyOfResult<Awaited<R>> : never;

/** The reply a handler's result carries (distributed over a union of results). */
type ReplyOfResult<X> =
  X extends ReplyResult<any, infer V> ? V : X extends StopResult<any, infer V> ? V : never;

/** The argument parameter of handler `H` in `call`/`cast`: optional when the handler accepts `undefined`. */
export type ArgParams<H> = undefined extends ArgOf<H> ? [arg?: ArgOf<H>] : [arg: ArgOf<H>];

/** A defined server: start it, and call and cast it with checked names, arguments and replies. */
export interface ServerModule<
  S,
  A,
  C extends Record<string, CallHandler<S>>,
  K extends Record<string, CastHandler<S>>,
> {
  /** The definition given to `define`. */
  readonly spec: ServerSpec<S, A, C, K>;
  /** Starts an unlinked server; resolves with its pid once `init` returned ok. */
  start(arg: A, options?: StartOptions): Promise<ServerPid<S>>;
  /** Starts a server linked to `parent`. */
  startLink(parent: Self, arg: A, options?: StartOptions): Promise<ServerPid<S>>;
  /** Starts a server monitored by `parent`. */
  startMonitor(
    parent: Self,
    arg: A,
    options?: StartOptions,
  ): Promise<{
    /** The server's pid. */
    pid: ServerPid<S>;
    /** The ref of `parent`'s monitor on it. */
    ref: Ref;
  }>;
  /** Calls handler `name` with `arg`; resolves with its reply. */
  call<N extends keyof C & string>(
    server: ServerRef,
    name: N,
    ...rest: [...ArgParams<C[N]>, options?: CallOptions]
  ): Promise<ReplyOf<C[N]>>;
  /** Casts to handler `name` with `arg`; returns "ok" at once. */
  cast<N extends keyof K & string>(
    server: ServerRef,
    name: N,
    ...rest: [...ArgParams<K[N]>, options?: { caller?: Self }]
  ): "ok";
}
