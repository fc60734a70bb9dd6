/**
 * GenServer: a typed behaviour on the runtime, with OTP's semantics and sys
 * events (OTP's `gen_server.erl`).
 *
 * A server is defined once with `GenServer.define({...})`: `init`, one
 * handler per call name in `handleCall`, one per cast name in `handleCast`,
 * and `handleInfo` for every other message. Handlers return typed results
 * built with `reply`, `noreply` and `stop`. The runtime calls the handler for
 * each message, synchronously: no Promise per message (a handler may still
 * be async; the server then waits for it before its next message).
 */
import {
  BadArgError,
  ProcessExit,
  check,
  checkInstance,
  checkOptions,
  describe,
  formatReason,
  isInstance,
  reasonOf,
  stackSuffix,
} from "./errors";
import {
  DEFAULT_TIMEOUT,
  From,
  ServerName,
  ServerRef,
  call as genCall,
  checkServerName,
  checkTimeout,
  reply as genReply,
  registerServer,
  unregisterServer,
  whereisServer,
} from "./gen";
import { Node } from "./node";
import { Proc, Self, checkSelf } from "./process";
import {
  ackStart,
  awaitAck,
  crashReport,
  failStart,
  isQuietReason,
  record,
  stopProcess,
} from "./proc-lib";
import { link as linkProcs } from "./signals";
import {
  RequestId,
  RequestIdCollection,
  checkResponse,
  reqidsAdd,
  sendRequest,
  waitResponse,
} from "./requests";
import {
  Debug,
  DebugOption,
  GenServerEvent,
  SystemHost,
  SystemMessage,
  answerSystem,
  debugOf,
  formatStatusCrashed,
  handleDebug,
} from "./sys";
import { Exit, Pid, Ref } from "./terms";

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

const NO_OPTIONS: CallOptions = Object.freeze({});

/** `Name.init`, made once per definition (not a string per server). */
const initialCalls = new WeakMap<object, string>();
function initialCallOf(spec: { name?: string }): string {
  let s = initialCalls.get(spec);
  if (s === undefined) initialCalls.set(spec, (s = `${spec.name ?? "GenServer"}.init`));
  return s;
}

/** Builds a call's message (a plain function: no closure per call). */
const callMessage = (from: From, request: unknown) => new CallMessage(from, request as Request);

// ---- the server loop ----

const TIMEOUT_MSG = "timeout";

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === "object" || typeof x === "function") &&
    typeof (x as PromiseLike<unknown>).then === "function"
  );
}

/** Formats GenServer events for trace and log (SYS-14). */
function formatEvent(e: GenServerEvent, name: unknown): string {
  const n = String(name);
  switch (e.kind) {
    case "in": {
      const m = e.msg;
      if (m instanceof CallMessage)
        return `*DBG* ${n} got call ${formatReason(m.request)} from ${m.from.pid}`;
      if (m instanceof CastMessage) return `*DBG* ${n} got cast ${formatReason(m.request)}`;
      return `*DBG* ${n} got ${formatReason(m)}`;
    }
    case "out":
      return `*DBG* ${n} sent ${formatReason(e.msg)} to ${String(e.to)}, new state ${formatReason(e.state)}`;
    case "noreply":
      return `*DBG* ${n} new state ${formatReason(e.state)}`;
    case "continue":
      return `*DBG* ${n} continue ${formatReason(e.continue)}`;
  }
}

/** @internal The behaviour object of one running server. */
export class ServerLoop<S> implements SystemHost {
  state!: S;
  readonly module: string;
  readonly behaviour = "gen_server";
  private started = false;
  /** init returned ok and the starter was told. */
  private acked = false;
  /** terminate() has begun: a crash now ends the process at once. */
  private terminating = false;
  private suspended = false;
  private blocked = false;
  private hasCont = false;
  private cont: unknown = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timeoutMs = 0;
  private timeoutDue = false;
  private lastMsg: unknown = undefined;
  /** holdAt: hold after the next event; held; what to do on release. */
  private holdNext = false;
  private held = false;
  private parked: (() => void) | null = null;

  constructor(
    readonly p: Proc,
    readonly spec: ServerSpec<S, any, any, any>,
    private arg: unknown,
    readonly parent: Pid,
    private readonly serverName: ServerName | undefined,
  ) {
    this.module = spec.name ?? "GenServer";
  }

  /** The name in debug events: the registered name, else the pid. */
  get name(): unknown {
    const n = this.serverName;
    return n ?? this.p.pid;
  }

  run(p: Proc): void {
    const node = p.node;
    const prev = node.current;
    node.current = p;
    try {
      if (!this.started) return this.init();
      let budget = node.scheduler.random ? 1 : 1024;
      const mb = p.mailbox;
      while (budget-- > 0 && p.alive && !this.blocked) {
        if (this.hasCont) {
          this.runContinue();
          continue;
        }
        let m: unknown;
        if (this.suspended) {
          const i = mb.find(
            (x) => x instanceof SystemMessage || (x instanceof Exit && x.from === this.parent),
          );
          if (i < 0) break;
          m = mb.takeAt(i);
        } else if (mb.length > 0) m = mb.shift();
        else if (this.timeoutDue) {
          this.timeoutDue = false;
          m = TIMEOUT_MSG;
        } else break;
        this.dispatch(m);
      }
    } finally {
      node.current = prev;
    }
    if (
      p.alive &&
      !this.blocked &&
      (this.hasCont || this.timeoutDue || (p.mailbox.length > 0 && !this.suspended))
    )
      p.schedule();
    else if (p.alive && this.suspended && p.mailbox.find((x) => x instanceof SystemMessage) >= 0)
      p.schedule();
  }

  // -- init --

  private init(): void {
    this.started = true;
    const p = this.p;
    if (this.serverName !== undefined) {
      let holder: Pid | undefined;
      try {
        holder = registerServer(p.node, this.serverName, p.pid);
      } catch (e) {
        // A via registry that throws: the start fails with what it threw.
        failStart(p, reasonOf(e));
        return p.node.terminate(p, "normal");
      }
      if (holder !== undefined) {
        failStart(p, { already_started: holder });
        return p.node.terminate(p, "normal");
      }
    }
    let r: unknown;
    const arg = this.arg;
    this.arg = undefined; // not kept for the server's life
    try {
      r = this.spec.init.call(p, arg as never);
    } catch (e) {
      if (isInstance(e, Error) || isInstance(e, ProcessExit))
        return this.initFailed(reasonOf(e), reasonOf(e));
      r = e; // a thrown value is the return value (GS-05)
    }
    // An async init that rejects fails the start as a synchronous throw would (GS-05).
    this.settle(
      r,
      (v) => this.initResult(v),
      (e) =>
        isInstance(e, Error) || isInstance(e, ProcessExit)
          ? this.initFailed(reasonOf(e), reasonOf(e))
          : this.initResult(e),
    );
  }

  private initResult(r: unknown): void {
    const p = this.p;
    const res = r as InitResult<S>;
    switch (res?.type) {
      case "ok":
        this.state = res.state;
        this.acked = true;
        ackStart(p, p.pid);
        return this.next(res);
      case "ignore":
        return this.initFailed("ignore", "normal");
      case "stop":
        return this.initFailed(res.reason, res.reason);
      case "error":
        return this.initFailed(res.error, "normal");
      default:
        return this.initFailed({ bad_return_value: r }, { bad_return_value: r });
    }
  }

  private initFailed(startReason: unknown, exitReason: unknown): void {
    const p = this.p;
    if (
      this.serverName !== undefined &&
      typeof this.serverName === "object" &&
      "via" in this.serverName
    )
      unregisterServer(p.node, this.serverName);
    if (!isQuietReason(exitReason))
      crashReport(p, exitReason, isInstance(exitReason, Error) ? "error" : "exit");
    // The start fails once the process is gone, so the name is free when it returns (GS-02, GS-03).
    failStart(p, startReason);
    p.node.terminate(p, exitReason);
  }

  // -- messages --

  private dispatch(m: unknown): void {
    if (m instanceof SystemMessage) return this.system(m);
    const p = this.p;
    if (m instanceof Exit && m.from === this.parent && p.trapExit)
      return this.terminate(m.reason, m);
    this.cancelTimeout();
    this.lastMsg = m;
    this.emit({ kind: "in", msg: m });
    if (this.held) {
      this.parked = () => this.handle(m);
      return;
    }
    this.handle(m);
  }

  private handle(m: unknown): void {
    const p = this.p;
    if (m instanceof CallMessage) return this.handleCall(m);
    const spec = this.spec;
    let r: unknown;
    try {
      if (m instanceof CastMessage) {
        const h = spec.handleCast?.[m.name];
        if (h === undefined) throw undef("handleCast", m.name);
        r = h.call(p, m.arg, this.state);
      } else if (spec.handleInfo === undefined) {
        p.node.log({
          level: "warning",
          kind: "undefined_handle_info",
          pid: p.pid,
          text: `** Undefined handleInfo in ${this.module}\n** Unhandled message: ${formatReason(m)}`,
          data: { msg: m },
        });
        return;
      } else r = spec.handleInfo.call(p, m, this.state);
    } catch (e) {
      return this.crash(e);
    }
    this.settle(r, (v) => this.noreplyResult(v));
  }

  private handleCall(m: CallMessage): void {
    const p = this.p;
    let r: unknown;
    try {
      const h = this.spec.handleCall?.[m.request.name];
      if (h === undefined) throw undef("handleCall", m.request.name);
      r = h.call(p, m.request.arg, m.from, this.state);
    } catch (e) {
      return this.crash(e);
    }
    this.settle(r, (v) => this.callResult(v, m.from));
  }

  private callResult(r: unknown, from: From): void {
    const res = r as CallResult<S, unknown>;
    if (res?.type === "reply") {
      this.state = res.state;
      genReply(this.p.node, from, res.reply);
      this.emit({ kind: "out", msg: res.reply, to: from.pid, state: res.state });
      return this.next(res);
    }
    if (res?.type === "stop" && "reply" in res) {
      if (res.state !== undefined) this.state = res.state;
      return this.terminate(res.reason, this.lastMsg, res, from);
    }
    this.noreplyResult(r);
  }

  private noreplyResult(r: unknown): void {
    const res = r as CastResult<S>;
    if (res?.type === "noreply") {
      this.state = res.state;
      this.emit({ kind: "noreply", state: res.state });
      return this.next(res);
    }
    if (res?.type === "stop") {
      if ("state" in res && res.state !== undefined) this.state = res.state;
      return this.terminate(res.reason, this.lastMsg);
    }
    this.crash(new ProcessExit({ bad_return_value: r }));
  }

  /** Runs `then` on a handler's result, now if it is a value, later if it is a promise. */
  private settle(
    r: unknown,
    then: (v: unknown) => void,
    fail = (e: unknown) => this.crash(e),
  ): void {
    if (!isThenable(r)) return then(r);
    this.blocked = true;
    r.then(
      (v) => this.resume(() => then(v)),
      (e) => this.resume(() => fail(e)),
    );
  }

  private resume(f: () => void): void {
    const p = this.p;
    if (!p.alive) return;
    this.blocked = false;
    const node = p.node;
    const prev = node.current;
    node.current = p;
    p.contain(() => {
      try {
        f();
      } finally {
        node.current = prev;
      }
    });
    if (p.alive && !this.blocked) p.schedule();
  }

  /** `enterLoop`: runs as if `init` had returned `state` with `next`. */
  enter(state: S, next: Next): void {
    this.started = true;
    this.state = state;
    this.next(next);
  }

  private next(r: Next): void {
    if (r.continue !== undefined) {
      this.hasCont = true;
      this.cont = r.continue;
    } else if (typeof r.timeout === "number") this.armTimeout(r.timeout);
  }

  private runContinue(): void {
    const p = this.p;
    const c = this.cont;
    this.hasCont = false;
    this.cont = undefined;
    let r: unknown;
    try {
      if (this.spec.handleContinue === undefined) throw undef("handleContinue", "");
      r = this.spec.handleContinue.call(p, c, this.state);
    } catch (e) {
      return this.crash(e);
    }
    this.settle(r, (v) => {
      this.emit({ kind: "continue", continue: c });
      this.noreplyResult(v);
    });
  }

  /** Reports an event to the debug state; a pending hold (holdAt) takes effect right after it. */
  private emit(event: GenServerEvent): void {
    const debug = this.p.debug;
    if (debug === null || !debug.active) return;
    handleDebug(debug, formatEvent, this.name, event);
    if (this.holdNext) {
      this.holdNext = false;
      this.held = true;
      this.blocked = true;
    }
  }

  /** @internal The process terminated: its pending timeout goes too. */
  stop(): void {
    this.cancelTimeout();
  }

  /** @internal Holds the server right after its next event (called from a debug function). */
  hold(): void {
    this.holdNext = true;
  }

  /** @internal Lets a held server go on where it stopped. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const f = this.parked;
    this.parked = null;
    this.resume(f ?? (() => {}));
  }

  // -- timeouts (GS-22, GS-23) --

  private armTimeout(ms: number): void {
    this.timeoutMs = ms;
    if (ms === 0) {
      if (this.p.mailbox.length === 0) this.timeoutDue = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.p.alive) return;
      this.timeoutDue = true;
      this.p.schedule();
    }, ms);
  }

  private cancelTimeout(): void {
    this.timeoutDue = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  // -- sys --

  private system(m: SystemMessage): void {
    const restart = this.timer !== undefined;
    const action = answerSystem(this.p, this, this.parent, this.suspended, m);
    if (action === "suspend") this.suspended = true;
    else if (action === "resume") this.suspended = false;
    else if (typeof action === "object") return this.terminate(action.terminate, m);
    if (restart) {
      // The wait restarts from the system message (GS-23).
      clearTimeout(this.timer);
      this.armTimeout(this.timeoutMs);
    }
  }

  getState(): unknown {
    return this.state;
  }

  replaceState(fn: (state: any) => unknown): unknown {
    this.state = fn(this.state) as S;
    return this.state;
  }

  statusMisc(sysState: "running" | "suspended", parent: Pid, debug: Debug): unknown {
    return [
      { header: `Status for generic server ${String(this.name)}` },
      {
        data: [
          ["Status", sysState],
          ["Parent", parent],
          ["Logged events", (debug.log?.entries ?? []).map((e) => e.event)],
        ],
      },
      { data: [["State", this.formattedState()]] },
    ];
  }

  codeChange(oldVsn: unknown, extra: unknown): void {
    if (this.spec.codeChange === undefined) throw { undef: `${this.module}.codeChange` };
    this.state = this.spec.codeChange(oldVsn, this.state, extra);
  }

  private formattedState(): unknown {
    if (this.spec.formatStatus === undefined) return this.state;
    try {
      return this.spec.formatStatus(this.state);
    } catch {
      // OTP's placeholder, never the raw state formatStatus was written to hide (gen_server_SUITE:crash_in_format_status).
      return formatStatusCrashed(this.module);
    }
  }

  // -- termination --

  /** @internal An exception escaped a callback (or the loop itself): before the ack the start fails with it, after it the server terminates. */
  crash(e: unknown): void {
    if (this.terminating) return this.p.node.terminate(this.p, reasonOf(e));
    if (!this.acked) return this.initFailed(reasonOf(e), reasonOf(e));
    this.terminate(reasonOf(e), this.lastMsg);
  }

  /** Runs `terminate`, reports, replies for `{stop, R, Reply, S}`, then exits (GS-30, GS-32, GS-33). */
  private terminate(
    reason: unknown,
    lastMsg: unknown,
    stopReply?: StopResult<S, unknown>,
    from?: From,
  ): void {
    const p = this.p;
    this.terminating = true;
    this.cancelTimeout();
    let r: unknown = undefined;
    let final = reason;
    if (this.spec.terminate !== undefined) {
      try {
        r = this.spec.terminate.call(p, reason, this.state);
      } catch (e) {
        final = reasonOf(e);
      }
    }
    const finish = () => {
      if (stopReply !== undefined && from !== undefined) {
        genReply(p.node, from, stopReply.reply);
        const debug = p.debug;
        if (debug !== null && debug.active)
          handleDebug(debug, formatEvent, this.name, {
            kind: "out",
            msg: stopReply.reply,
            to: from.pid,
            state: this.state,
          });
      }
      if (!isQuietReason(final)) this.report(final, lastMsg);
      p.node.terminate(p, final);
    };
    if (isThenable(r)) {
      this.blocked = true;
      r.then(
        () => this.resume(finish),
        (e) => {
          final = reasonOf(e);
          this.resume(finish);
        },
      );
    } else finish();
  }

  private report(reason: unknown, lastMsg: unknown): void {
    const p = this.p;
    const client = lastMsg instanceof CallMessage ? lastMsg.from.pid : undefined;
    const text =
      `** Generic server ${String(this.name)} terminating\n** Last message in was ${formatReason(lastMsg)}\n` +
      `** When Server state == ${formatReason(this.formattedState())}\n** Reason for termination ==\n** ${formatReason(reason)}` +
      (client ? `\n** Client ${client}` : "") +
      stackSuffix(reason);
    p.node.log({
      level: "error",
      kind: "gen_server_terminate",
      pid: p.pid,
      text,
      data: { name: this.name, lastMsg, state: this.formattedState(), reason, client },
    });
    crashReport(p, reason, isInstance(reason, Error) ? "error" : "exit");
  }
}

/** Throws a BadArgError naming `fn` and the option unless `o` is a valid `StartOptions`. */
function checkStartOptions(fn: string, o: unknown): asserts o is StartOptions {
  checkOptions(fn, o);
  const opts = o as StartOptions;
  if (opts.name !== undefined) checkServerName(fn, opts.name, "options.name");
  if (opts.timeout !== undefined) checkTimeout(fn, opts.timeout);
  if (opts.debug !== undefined)
    check(
      Array.isArray(opts.debug),
      `${fn}: options.debug must be an array, got ${describe(opts.debug)}`,
    );
  if (opts.node !== undefined)
    check(
      isInstance(opts.node, Node),
      `${fn}: options.node must be a node, got ${describe(opts.node)}`,
    );
}

function undef(callback: string, name: string): ProcessExit {
  return new ProcessExit({ undef: name ? `${callback}.${name}` : callback });
}

// ---- the API ----

/** @internal The GenServer API bound to a way to find the current node. */
export function makeGenServer(currentNode: () => Node) {
  function start<S>(
    spec: ServerSpec<S, any, any, any>,
    parent: Proc | null,
    arg: unknown,
    options: StartOptions = {},
    link = false,
    fn = `GenServer.${link ? "startLink" : "start"}`,
  ): Promise<Pid> {
    check(
      spec !== null && typeof spec === "object" && typeof spec.init === "function",
      `${fn}: spec must be a definition with an init function`,
    );
    checkStartOptions(fn, options);
    const timeout = options.timeout ?? Infinity;
    const node = parent?.node ?? options.node ?? currentNode();
    const p = node.spawnProc(null);
    record(p, parent, initialCallOf(spec));
    p.special = true;
    const loop = new ServerLoop(p, spec, arg, parent?.pid ?? p.pid, options.name);
    p.behaviour = loop;
    if (options.debug) {
      const d = debugOf(p);
      for (const o of options.debug) d.apply(o);
    } else if (node.recentEvents > 0) debugOf(p);
    if (link && parent !== null) linkProcs(parent, p);
    const started = awaitAck(
      node,
      parent,
      p,
      `GenServer.${link ? "startLink" : "start"}(${spec.name ?? "GenServer"})`,
      timeout,
    );
    p.schedule();
    return started as Promise<Pid>;
  }

  function callOpts(o: unknown): CallOptions {
    if (o === undefined) return NO_OPTIONS;
    if (o === null || typeof o !== "object")
      throw new BadArgError(`GenServer.call: options must be an object, got ${describe(o)}`);
    return o as CallOptions;
  }

  function nodeFor(server: ServerRef, caller?: Self): Node {
    if (caller) return caller.node;
    if (isInstance(server, Pid)) {
      const p = Pid.procOf(server) as Proc | null;
      if (p !== null) return p.node;
    }
    return currentNode();
  }

  /** Starts a server monitored by `parent` (OTP's `gen_server:start_monitor`). */
  function startMonitor<S>(
    spec: ServerSpec<S, any, any, any>,
    parent: Proc,
    arg: unknown,
    options?: StartOptions,
  ): Promise<{ pid: Pid; ref: Ref }> {
    // Not async: bad arguments throw at once.
    return start(spec, parent, arg, options, false, "GenServer.startMonitor").then((pid) => ({
      pid,
      ref: parent.monitor(pid),
    }));
  }

  function defineSpec<
    S,
    A,
    C extends Record<string, CallHandler<S>>,
    K extends Record<string, CastHandler<S>>,
  >(spec: ServerSpec<S, A, C, K>): ServerModule<S, A, C, K> {
    check(spec !== null && typeof spec === "object", "GenServer.define: expected a spec object");
    check(typeof spec.init === "function", "GenServer.define: spec.init must be a function");
    for (const k of ["handleCall", "handleCast"] as const) {
      const hs = spec[k];
      if (hs === undefined) continue;
      check(
        hs !== null && typeof hs === "object",
        `GenServer.define: spec.${k} must be an object of handlers`,
      );
      for (const [n, h] of Object.entries(hs))
        check(typeof h === "function", `GenServer.define: spec.${k}.${n} must be a function`);
    }
    return {
      spec,
      start: (arg, options) => start(spec, null, arg, options),
      startLink: (parent, arg, options) => {
        checkSelf("GenServer.startLink", "parent", parent);
        return start(spec, parent, arg, options, true);
      },
      startMonitor: (parent, arg, options) => {
        checkSelf("GenServer.startMonitor", "parent", parent);
        return startMonitor(spec, parent, arg, options);
      },
      // Plain parameters, not rest arrays: no allocation per message.
      call: ((server: ServerRef, name: string, arg?: unknown, options?: CallOptions) =>
        api.call(server, name, arg, callOpts(options))) as never,
      cast: ((server: ServerRef, name: string, arg?: unknown, options?: { caller?: Self }) =>
        api.cast(server, name, arg, options)) as never,
    };
  }

  /**
   * Defines a server; returns its typed start/call/cast functions. With no
   * argument, `define<State>()` returns the same function with the state
   * declared, so every handler gets its parameters' types from it:
   * `GenServer.define<Counter>()({ init: () => ok({ n: 0 }), handleCall: { get: (_arg: void, _from, s) => reply(s.n, s) } })`.
   */
  function define<S>(): <
    A,
    C extends Record<string, CallHandler<S>>,
    K extends Record<string, CastHandler<S>>,
  >(
    spec: ServerSpec<S, A, C, K>,
  ) => ServerModule<S, A, Declared<C>, Declared<K>>;
  function define<
    S,
    A,
    C extends Record<string, CallHandler<S>> = Record<never, never>,
    K extends Record<string, CastHandler<S>> = Record<never, never>,
  >(spec: ServerSpec<S, A, C, K>): ServerModule<S, A, C, K>;
  function define(...args: unknown[]): unknown {
    if (args.length === 0) return defineSpec;
    return defineSpec(args[0] as ServerSpec<unknown, unknown, never, never>);
  }

  const api = {
    define,
    /** Starts an unlinked server from a spec. */
    start: <S>(spec: ServerSpec<S, any, any, any>, arg: unknown, options?: StartOptions) =>
      start(spec, null, arg, options),
    /** Starts a server linked to `parent`. */
    startLink: <S>(
      spec: ServerSpec<S, any, any, any>,
      parent: Self,
      arg: unknown,
      options?: StartOptions,
    ) => {
      checkSelf("GenServer.startLink", "parent", parent);
      return start(spec, parent, arg, options, true);
    },
    /** Calls handler `name` of `server` (untyped; prefer the defined module's `call`). */
    call(
      server: ServerRef,
      name: string,
      arg?: unknown,
      options: CallOptions = NO_OPTIONS,
    ): Promise<unknown> {
      if (typeof name !== "string")
        throw new BadArgError(`GenServer.call: name must be a string, got ${describe(name)}`);
      checkOptions("GenServer.call", options);
      checkSelf("GenServer.call", "options.caller", options.caller, true);
      const caller = (options.caller as Proc | undefined) ?? null;
      const node = nodeFor(server, options.caller);
      const request: Request = { name, arg };
      return genCall(
        node,
        caller ?? node.current,
        "GenServer.call",
        server,
        request,
        callMessage,
        options.timeout ?? DEFAULT_TIMEOUT,
      );
    },
    /** Casts to handler `name` of `server`; "ok" at once, even if there is no such server (GS-17). */
    cast(server: ServerRef, name: string, arg?: unknown, options?: { caller?: Self }): "ok" {
      if (typeof name !== "string")
        throw new BadArgError(`GenServer.cast: name must be a string, got ${describe(name)}`);
      if (options !== undefined) checkOptions("GenServer.cast", options);
      const caller = options?.caller as Proc | undefined;
      if (caller === undefined && server instanceof Pid) {
        // The common case, kept short: a pid, from a behaviour or from outside.
        const p = Pid.procOf(server) as Proc | null;
        if (p !== null) {
          const from = p.node.current;
          if (from !== null && from.node !== p.node) from.node.procOf("GenServer.cast", server);
          p.node.sendFrom(from?.id ?? 0, server, new CastMessage(name, arg));
        }
        return "ok";
      }
      checkSelf("GenServer.cast", "options.caller", caller, true);
      const node = nodeFor(server, caller);
      const pid = whereisServer(node, server, "GenServer.cast");
      if (pid === undefined) return "ok";
      node.sendFrom(caller?.id ?? node.current?.id ?? 0, pid, new CastMessage(name, arg));
      return "ok";
    },
    /** Sends call `name` to `server` without waiting; collect the reply with `waitResponse` / `receiveResponse`. */
    sendRequest(
      server: ServerRef,
      name: string,
      arg?: unknown,
      options: { caller?: Self } = {},
    ): RequestId {
      check(
        typeof name === "string",
        `GenServer.sendRequest: name must be a string, got ${describe(name)}`,
      );
      checkOptions("GenServer.sendRequest", options);
      checkSelf("GenServer.sendRequest", "options.caller", options.caller, true);
      const caller = (options.caller as Proc | undefined) ?? null;
      const request: Request = { name, arg };
      return sendRequest(
        nodeFor(server, options.caller),
        caller,
        server,
        (from) => new CallMessage(from, request),
        "GenServer.sendRequest",
      );
    },
    /** Waits up to `timeout` ms for a request's reply: the outcome, or "timeout" (the request is kept). */
    waitResponse: (id: RequestId | RequestIdCollection, timeout: number) =>
      waitResponse(id, timeout),
    /** As `waitResponse`, but a timeout abandons the request (a late reply is dropped). */
    receiveResponse: (id: RequestId | RequestIdCollection, timeout: number) =>
      waitResponse(id, timeout, true),
    /** Classifies a message received by a `{ caller }` of `sendRequest`: its outcome, or "no_reply". */
    checkResponse,
    /** An empty request-id collection. */
    reqidsNew: () => new RequestIdCollection(),
    /** A collection with `id` added under `label` (BadArgError if it is there already). */
    reqidsAdd,
    /** How many requests the collection holds. */
    reqidsSize: (c: RequestIdCollection) => {
      checkInstance("GenServer.reqidsSize", RequestIdCollection, "a request id collection", c);
      return c.entries.size;
    },
    /** The collection as `[id, label]` pairs. */
    reqidsToList: (c: RequestIdCollection) => {
      checkInstance("GenServer.reqidsToList", RequestIdCollection, "a request id collection", c);
      return [...c.entries];
    },
    /** Replies to a call whose handler returned `noreply` (from any process). */
    reply(from: From, value: unknown): void {
      if (!isInstance(from, From))
        throw new BadArgError(`GenServer.reply: expected a From, got ${describe(from)}`);
      genReply(currentNode(), from, value);
    },
    /**
     * Stops `server` with `reason` (default "normal"): runs its `terminate`,
     * resolves "ok" once it is dead; rejects `noproc` if there is none (GS-28).
     */
    stop(server: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<"ok"> {
      return stopProcess(nodeFor(server), server, reason, timeout, "GenServer.stop");
    },
    /**
     * Turns the calling procLib process into a server with `state` (GS-08);
     * the returned promise never settles (the body is over).
     */
    enterLoop<S>(
      self: Self,
      spec: ServerSpec<S, any, any, any>,
      state: S,
      options: { name?: ServerName } & Next = {},
    ): Promise<never> {
      checkSelf("GenServer.enterLoop", "self", self);
      check(
        spec !== null && typeof spec === "object",
        `GenServer.enterLoop: spec must be a definition, got ${describe(spec)}`,
      );
      checkOptions("GenServer.enterLoop", options);
      if (options.name !== undefined) checkServerName("GenServer.enterLoop", options.name);
      const p = self;
      if (p.initialCall === undefined) throw new ProcessExit("process_was_not_started_by_proc_lib");
      if (options.name !== undefined && whereisServer(p.node, options.name) !== p.pid) {
        const n = options.name;
        throw new ProcessExit(
          typeof n === "string"
            ? "process_not_registered"
            : "global" in n
              ? "process_not_registered_globally"
              : { process_not_registered_via: n.via },
        );
      }
      const ancestors = p.ancestors ?? [];
      const parentName = ancestors[0];
      const parent =
        parentName instanceof Pid
          ? parentName
          : typeof parentName === "string"
            ? (p.node.whereis(parentName) ?? p.pid)
            : p.pid;
      const loop = new ServerLoop(p, spec, undefined, parent, options.name);
      p.special = true;
      p.behaviour = loop;
      loop.enter(state, options);
      p.schedule();
      return new Promise<never>(() => {});
    },
  };
  return api;
}
