/**
 * `sys`: the standard way to inspect and debug special processes (OTP's
 * `sys.erl`). Every request is a system message answered by the target
 * process; debug state (trace, log, statistics, installed functions) lives
 * with the process, so a test helper on the same heap can attach a debug
 * function synchronously and never miss an event.
 */
import {
  BadArgError,
  ExitError,
  ProcessExit,
  catchRejection,
  checkFunction,
  checkOptions,
  describe,
  formatReason,
  isInstance,
} from "./errors";
import { From, ServerRef, call, checkTimeout, reply, whereisServer } from "./gen";
import { type Node, nodeFor } from "./node";
import { Proc, Self, checkSelf } from "./process";
import { Exit, Pid } from "./terms";

// ---- events ----

/** A message was received (OTP's `{in, Msg}` / `{in, Msg, From}`). */
export interface InEvent {
  /** A message was received. */
  kind: "in";
  /** The message, as it arrived (for a GenServer: the `$gen_call` / `$gen_cast` message, or the info message). */
  msg: unknown;
  /** Who sent it, when the process reports it. */
  from?: unknown;
  /** The state when it arrived, when the process reports it. */
  state?: unknown;
}

/** A message (for a GenServer: a reply) was sent (OTP's `{out, Msg, To[, State]}`). */
export interface OutEvent {
  /** A message was sent. */
  kind: "out";
  /** The message sent. */
  msg: unknown;
  /** Where it went (for a reply: the caller's pid). */
  to: unknown;
  /** The state after sending it, when the process reports it. */
  state?: unknown;
}

/** A handler returned without replying; the process goes on with `state` (OTP's `{noreply, State}`). */
export interface NoreplyEvent {
  /** A handler returned `noreply`. */
  kind: "noreply";
  /** The new state. */
  state: unknown;
}

/** A `handleContinue` ran (OTP's `{continue, Continuation}`). */
export interface ContinueEvent {
  /** A continuation ran. */
  kind: "continue";
  /** The continuation it was given. */
  continue: unknown;
}

/** The process changed code. */
export interface CodeChangeEvent {
  /** The process changed code. */
  kind: "code_change";
  /** What the process reports about the change. */
  event: unknown;
  /** The state after the change. */
  state: unknown;
}

/** The process entered a state (OTP's `enter` event). */
export interface EnterEvent {
  /** The process entered a state. */
  kind: "enter";
  /** The state it entered with. */
  state: unknown;
}

/** The process is terminating. */
export interface TerminateEvent {
  /** The process is terminating. */
  kind: "terminate";
  /** Its exit reason. */
  reason: unknown;
  /** Its last state. */
  state: unknown;
}

/** The events a GenServer reports: `in`, `out`, `noreply`, `continue`. */
export type GenServerEvent = InEvent | OutEvent | NoreplyEvent | ContinueEvent;

/** What every sys event has: its tag. A hand-written special process's own events extend it. */
export interface AnySysEvent {
  /** The event's tag (`in`, `out`, or the process's own). */
  readonly kind: string;
}

/**
 * A `sys` event, discriminated by `kind`. The tags are OTP's: `in` (a message
 * received; for a GenServer the raw `$gen_call` / `$gen_cast` / info
 * message), `out` (a reply sent), `noreply` (a handler returned a new state),
 * `continue`, `code_change`, `enter`, `terminate`. A hand-written special
 * process that reports events of its own names them in `Custom`, e.g.
 * `SysEvent<{ kind: "alloc"; ch: number }>`.
 */
export type SysEvent<Custom extends AnySysEvent = never> =
  GenServerEvent | CodeChangeEvent | EnterEvent | TerminateEvent | Custom;

/** Renders an event for `trace` and `log("print")`. */
export type EventFormatter<E extends AnySysEvent = SysEvent> = (event: E, name: unknown) => string;

/** A debug function: gets `(funcState, event, procName)`, returns the next state or `"done"`. */
export type DebugFun<S = any, E extends AnySysEvent = SysEvent> = (
  funcState: S,
  event: E,
  procName: unknown,
) => S | "done";

/** Debug options, at start (`{ debug: [...] }`) or through `sys.debugOptions`. */
export type DebugOption =
  | "trace"
  | "log"
  | "statistics"
  | {
      /** Log the last N events. */
      log: number;
    }
  | {
      /** Install a debug function. */
      install: {
        fn: DebugFun;
        /** Its initial state. */
        state: unknown;
        /** The key to remove it by (default: the function itself). */
        id?: unknown;
      };
    };

/** `statistics("get")` result. */
export interface Statistics {
  /** When counting started. */
  startTime: Date;
  /** When the statistics were read. */
  currentTime: Date;
  /** The number of events since counting started (standing in for OTP's reductions). */
  reductions: number;
  /** The number of `in` events (messages received). */
  messagesIn: number;
  /** The number of `out` events (messages sent). */
  messagesOut: number;
}

interface LogEntry {
  event: AnySysEvent;
  format: EventFormatter<any>;
  name: unknown;
}

interface Installed {
  kind: "fn";
  id: unknown;
  fn: DebugFun<any, any>;
  state: unknown;
  removed: boolean;
}

/** One debug option or function; they run most recent first, as OTP's debug list. */
type DebugEntry = { kind: "trace" } | { kind: "log" } | { kind: "statistics" } | Installed;

const TRACE: DebugEntry = { kind: "trace" };
const LOG: DebugEntry = { kind: "log" };
const STATS: DebugEntry = { kind: "statistics" };

/** The debug state of one process. `active` is false when nothing is enabled (zero cost). */
export class Debug {
  /** Is anything enabled (an option, a function, or `recentEvents`)? When false, reporting an event costs nothing. */
  active = false;
  trace = false;
  /** @internal The event log (the last `max` events), or null when logging is off. */
  log: { max: number; entries: LogEntry[] } | null = null;
  /** @internal The counts, or null when statistics are off. */
  stats: { startTime: Date; reductions: number; messagesIn: number; messagesOut: number } | null =
    null;
  /** @internal Options and installed functions, most recent first (copied on write: safe to iterate). */
  entries: readonly DebugEntry[] = [];
  /** The last events, kept for diagnostics when the node asks for it (`recentEvents`). */
  recent: AnySysEvent[] | null = null;
  /** @internal Made by `debugOf` / `sys.debugOptions`. */
  constructor(
    /** @internal The process this is the debug state of. */
    readonly proc: Proc,
  ) {
    if (proc.node.recentEvents > 0) this.recent = [];
    this.update();
  }

  /** @internal The installed functions, most recent first. */
  get funcs(): readonly Installed[] {
    return this.entries.filter((e): e is Installed => e.kind === "fn");
  }

  private update(): void {
    this.trace = this.entries.includes(TRACE);
    if (!this.entries.includes(LOG)) this.log = null;
    if (!this.entries.includes(STATS)) this.stats = null;
    this.active = this.entries.length > 0 || this.recent !== null;
  }

  /** Puts `e` first unless it is there already (then it keeps its place, as OTP's install_debug). */
  private add(e: DebugEntry): void {
    if (!this.entries.includes(e)) this.entries = [e, ...this.entries];
    this.update();
  }

  private drop(e: DebugEntry): void {
    this.entries = this.entries.filter((x) => x !== e);
    this.update();
  }

  /** Adds a debug function keyed by `id` (default: the function); a repeated key is a no-op. */
  install(id: unknown, fn: DebugFun<any, any>, state: unknown): void {
    if (this.entries.some((f) => f.kind === "fn" && f.id === id)) return;
    this.add({ kind: "fn", id, fn, state, removed: false });
  }

  /** Removes the debug function keyed by `id`; true if there was one. */
  remove(id: unknown): boolean {
    const f = this.entries.find((e) => e.kind === "fn" && e.id === id) as Installed | undefined;
    if (f === undefined) return false;
    f.removed = true;
    this.drop(f);
    return true;
  }

  /** Turns tracing on or off. */
  setTrace(on: boolean): void {
    if (on) this.add(TRACE);
    else this.drop(TRACE);
  }

  /** Keeps the last `max` events (keeping those logged so far), or stops logging. */
  setLog(max: number | false): void {
    if (max === false) return this.drop(LOG);
    this.log = { max, entries: this.log?.entries.slice(-max) ?? [] };
    this.add(LOG);
  }

  /** Starts counting afresh, or stops counting. */
  setStatistics(on: boolean): void {
    if (!on) return this.drop(STATS);
    this.stats = newStats();
    this.add(STATS);
  }

  /** Applies one debug option. */
  apply(opt: DebugOption): void {
    if (opt === "trace") this.setTrace(true);
    else if (opt === "log") this.setLog(10);
    else if (opt === "statistics") this.setStatistics(true);
    else if (opt !== null && typeof opt === "object") {
      if ("log" in opt && typeof opt.log === "number") this.setLog(opt.log);
      else if ("install" in opt && typeof opt.install?.fn === "function")
        this.install(opt.install.id ?? opt.install.fn, opt.install.fn, opt.install.state);
    }
    // Unknown options are ignored (SYS-15).
  }

  /** Drops every option and function (`noDebug`). */
  clear(): void {
    for (const e of this.entries) if (e.kind === "fn") e.removed = true;
    this.entries = [];
    this.update();
  }
}

function newStats() {
  return { startTime: new Date(), reductions: 0, messagesIn: 0, messagesOut: 0 };
}

/** @internal The debug state of process `p`, created on first use. */
export function debugOf(p: Proc): Debug {
  return (p.debug ??= new Debug(p));
}

/**
 * Reports `event` to the process's debug options and functions (OTP's
 * `sys:handle_debug/4`), most recently installed first; each sees the same
 * event.
 */
export function handleDebug<E extends AnySysEvent>(
  debug: Debug,
  format: EventFormatter<E>,
  name: unknown,
  event: E,
): void {
  if (!isInstance(debug, Debug))
    throw new BadArgError(
      `sys.handleDebug: expected a Debug (from sys.debugOptions), got ${describe(debug)}`,
    );
  reportEvent(debug, format, name, event);
}

/** @internal `handleDebug` for the runtime's own behaviours, whose `debug` is known to be one. */
export function reportEvent<E extends AnySysEvent>(
  debug: Debug,
  format: EventFormatter<E>,
  name: unknown,
  event: E,
): void {
  if (!debug.active) return;
  const entries = debug.entries;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.kind === "fn") {
      if (!e.removed) callDebugFun(debug, e, event, name);
    } else applyOption(debug, e.kind, format, name, event);
  }
  if (debug.recent !== null) {
    debug.recent.push(event);
    if (debug.recent.length > debug.proc.node.recentEvents) debug.recent.shift();
  }
}

/**
 * Runs one installed debug function on `event`, inside the process (SYS-26:
 * a request it makes to its own process is calling_self), and keeps what it
 * returns as its state.
 */
function callDebugFun(debug: Debug, e: Installed, event: AnySysEvent, name: unknown): void {
  const node = debug.proc.node;
  const prev = node.current;
  node.current = debug.proc;
  let r: unknown;
  try {
    r = e.fn(e.state, event, name);
  } catch (err) {
    node.current = prev;
    // SYS-21: an error removes it; a thrown "done" removes it; any other thrown value is its new state.
    if (isInstance(err, Error) || err === "done") debug.remove(e.id);
    else e.state = err;
    return;
  }
  node.current = prev;
  if (r === "done") debug.remove(e.id);
  else {
    // An async debug function that rejects is removed, as one that throws (SYS-21).
    if (r !== null && typeof r === "object") catchRejection(r, () => debug.remove(e.id));
    e.state = r;
  }
}

/** Applies the debug option `kind` (trace, log, statistics) to `event`. */
function applyOption(
  debug: Debug,
  kind: "trace" | "log" | "statistics",
  format: EventFormatter<any>,
  name: unknown,
  event: AnySysEvent,
): void {
  if (kind === "trace") print(debug.proc, format(event, name));
  else if (kind === "log") {
    const l = debug.log!;
    l.entries.push({ event, format, name });
    if (l.entries.length > l.max) l.entries.splice(0, l.entries.length - l.max);
  } else {
    const st = debug.stats!;
    st.reductions++;
    if (event.kind === "in") st.messagesIn++;
    else if (event.kind === "out") st.messagesOut++;
  }
}

function checkBoolean(fn: string, what: string, x: unknown): void {
  if (typeof x !== "boolean")
    throw new BadArgError(`${fn}: ${what} must be a boolean, got ${describe(x)}`);
}

function print(p: Proc, text: string): void {
  p.node.log({ level: "info", kind: "sys_trace", pid: p.pid, text, data: {} });
}

/** @internal A generic formatter for special processes: `*DBG* name event`. */
export const defaultFormat: EventFormatter<AnySysEvent> = (event, name) => {
  const { kind, ...rest } = event;
  return `*DBG* ${String(name)} ${kind} ${formatReason(rest)}`;
};

// ---- system messages ----

/** A system request, as the target process receives it, discriminated by `kind`. */
export type SysRequest =
  | {
      /** `sys.getState`. */
      kind: "get_state";
    }
  | {
      /** `sys.replaceState`. */
      kind: "replace_state";
      /** The function applied to the state. */
      fn: (state: any) => unknown;
    }
  | {
      /** `sys.getStatus`. */
      kind: "get_status";
    }
  | {
      /** `sys.suspend`. */
      kind: "suspend";
    }
  | {
      /** `sys.resume`. */
      kind: "resume";
    }
  | {
      /** `sys.terminate` (and `procLib.stop`). */
      kind: "terminate";
      /** The reason to terminate with. */
      reason: unknown;
    }
  | {
      /** `sys.changeCode`. */
      kind: "change_code";
      /** The module named in the request. */
      module: string;
      /** The old version. */
      oldVsn: unknown;
      /** The extra argument for the code-change callback. */
      extra: unknown;
    }
  | {
      /** `sys.trace`, `log`, `statistics`, `install`, `remove`, `noDebug`. */
      kind: "debug";
      /** What to change or read. */
      cmd: DebugCommand;
    };

type DebugCommand =
  | { trace: boolean }
  | { log: boolean | number | "get" | "print" }
  | { statistics: boolean | "get" }
  | { install: { id: unknown; fn: DebugFun<any, any>; state: unknown } }
  | { remove: unknown }
  | { noDebug: true };

/** `{system, From, Request}`: a message from `sys` to a special process. */
export class SystemMessage {
  readonly kind = "system" as const;
  /** @internal Made by `sys` (and the Jest helpers). */
  constructor(
    /** Who asked, to reply to. */
    readonly from: From,
    /** What is asked (for diagnostics: pass the message to `handleSystemMsg` rather than acting on it). */
    readonly request: SysRequest,
  ) {}
}

/** Is `m` a system message? */
export function isSystemMessage(m: unknown): m is SystemMessage {
  return m instanceof SystemMessage;
}

/** A request failed inside the process: the caller's promise rejects with `reason`. */
class SysFailure {
  constructor(readonly reason: unknown) {}
}

/** @internal What a special process gives `sys` so it can answer requests about it. */
export interface SystemHost {
  /** Its name in errors (`{callback_failed, {Module, ...}}`) and statuses. */
  readonly module: string;
  /** The behaviour named in `callback_failed` errors (default: `module`). */
  readonly behaviour?: string;
  /** The state `getState` returns. */
  getState(): unknown;
  /** Applies `fn` to the state, installs and returns the new one. */
  replaceState(fn: (state: any) => unknown): unknown;
  /** The `misc` part of `getStatus`. */
  statusMisc(sysState: "running" | "suspended", parent: Pid, debug: Debug): unknown;
  /** Calls the code-change callback; returns the new state or throws. Absent: code change fails. */
  codeChange?(oldVsn: unknown, extra: unknown): void;
}

/** @internal The outcome of one system request for the process's loop. */
export type SysAction = "continue" | "suspend" | "resume" | { terminate: unknown };

/** `getStatus` result (OTP's `{status, Pid, {module, Mod}, [PDict, SysState, Parent, Debug, Misc]}`). */
export interface Status {
  pid: Pid;
  /** Its module: a server's `name` (default `GenServer` / `Supervisor`), or a special process's `module`. */
  module: string;
  /** The process dictionary as OTP shows it (`$initial_call`, `$ancestors`). */
  processDictionary: Array<[string, unknown]>;
  /** `running`, or `suspended` by `sys.suspend`. */
  sysState: "running" | "suspended";
  /** Its parent (itself when it has none). */
  parent: Pid;
  /** Which debug options are on. */
  debug: {
    trace: boolean;
    log: boolean;
    statistics: boolean;
    /** How many debug functions are installed. */
    installed: number;
  };
  /** The behaviour's own part (a GenServer's status with its formatted state; a special process's `formatStatus`). */
  misc: unknown;
}

/** @internal
 * Answers one system request for process `p` and tells its loop what to do
 * next. Shared by GenServer, Supervisor and `handleSystemMsg`.
 */
export function answerSystem(
  p: Proc,
  host: SystemHost,
  parent: Pid,
  suspended: boolean,
  msg: SystemMessage,
): SysAction {
  const req = msg.request;
  const node = p.node;
  const answer = (v: unknown) => reply(node, msg.from, v, p.id);
  const failed = (fn: string, e: unknown) =>
    answer(
      new SysFailure({ callback_failed: { module: host.behaviour ?? host.module, fn }, error: e }),
    );
  switch (req.kind) {
    case "get_state":
      try {
        answer(host.getState());
      } catch (e) {
        failed("system_get_state", e);
      }
      return "continue";
    case "replace_state":
      try {
        answer(host.replaceState(req.fn));
      } catch (e) {
        failed("system_replace_state", e);
      }
      return "continue";
    case "get_status": {
      const debug = debugOf(p);
      const sysState = suspended ? "suspended" : "running";
      const status: Status = {
        pid: p.pid,
        module: host.module,
        processDictionary: p.dictionary,
        sysState,
        parent,
        debug: {
          trace: debug.trace,
          log: debug.log !== null,
          statistics: debug.stats !== null,
          installed: debug.funcs.length,
        },
        misc: host.statusMisc(sysState, parent, debug),
      };
      answer(status);
      return "continue";
    }
    case "suspend":
      answer("ok");
      return "suspend";
    case "resume":
      answer("ok");
      return "resume";
    case "terminate":
      answer("ok");
      return { terminate: req.reason };
    case "change_code": {
      if (!suspended || host.codeChange === undefined) {
        answer(
          suspended
            ? { error: { undef: `${host.module}.codeChange` } }
            : { error: { unknown_system_msg: req } },
        );
        return "continue";
      }
      try {
        host.codeChange(req.oldVsn, req.extra);
        answer("ok");
      } catch (e) {
        answer({ error: e });
      }
      return "continue";
    }
    case "debug":
      answer(debugCommand(debugOf(p), req.cmd));
      return "continue";
    default:
      answer({ error: { unknown_system_msg: req } });
      return "continue";
  }
}

function debugCommand(d: Debug, cmd: DebugCommand): unknown {
  if ("trace" in cmd) d.setTrace(cmd.trace);
  else if ("log" in cmd) {
    const v = cmd.log;
    if (v === "get") return (d.log?.entries ?? []).map((e) => e.event);
    if (v === "print") {
      for (const e of d.log?.entries ?? []) print(d.proc, e.format(e.event, e.name));
      return "ok";
    }
    d.setLog(v === false ? false : typeof v === "number" ? v : 10);
  } else if ("statistics" in cmd) {
    const v = cmd.statistics;
    if (v === "get")
      return d.stats === null ? "no_statistics" : { ...d.stats, currentTime: new Date() };
    d.setStatistics(v);
  } else if ("install" in cmd) d.install(cmd.install.id, cmd.install.fn, cmd.install.state);
  else if ("remove" in cmd) d.remove(cmd.remove);
  else if ("noDebug" in cmd) d.clear();
  return "ok";
}

// ---- writing special processes (function bodies) ----

/** The callbacks a hand-written special process gives `handleSystemMsg`, for its state `S`. */
export interface SpecialProcess<S> {
  /** Its name in statuses and errors. */
  module: string;
  /** Default: the state itself (SYS-27). */
  systemGetState?(state: S): unknown;
  /** Default: `fn(state)` becomes the state. Return `[result, newState]`. */
  systemReplaceState?(fn: (s: any) => unknown, state: S): [unknown, S];
  /** Called on `sys.terminate` or the parent's exit while in `handleSystemMsg`; default: exit with `reason`. */
  systemTerminate?(reason: unknown, parent: Pid, debug: Debug, state: S): unknown;
  /** Called by `sys.changeCode` while suspended; returns the new state. */
  systemCodeChange?(state: S, module: string, oldVsn: unknown, extra: unknown): S;
  /** The `misc` of `getStatus` (default: the state). */
  formatStatus?(state: S): unknown;
}

/**
 * Sets up the debug state of a hand-written special process from `options`
 * (OTP's `sys:debug_options/1`) and marks it special. Returns the `Debug`
 * to pass to `handleDebug` and `handleSystemMsg`.
 */
export function debugOptions(self: Self, options: readonly DebugOption[] = []): Debug {
  checkSelf("sys.debugOptions", "self", self);
  if (!Array.isArray(options))
    throw new BadArgError(`sys.debugOptions: options must be an array, got ${describe(options)}`);
  const p = self;
  p.special = true;
  const d = debugOf(p);
  for (const o of options) d.apply(o);
  return d;
}

/**
 * Handles a system message in a hand-written special process (OTP's
 * `sys:handle_system_msg/6`). Resolves with the state to continue with (the
 * process's `systemContinue`); while suspended it answers only system
 * messages and its parent's EXIT, leaving other messages queued in order.
 * Terminates through `systemTerminate` on `sys.terminate` or the parent's exit.
 */
export async function handleSystemMsg<S>(
  self: Self,
  msg: SystemMessage,
  parent: Pid,
  module: SpecialProcess<S>,
  debug: Debug,
  state: S,
): Promise<S> {
  checkSelf("sys.handleSystemMsg", "self", self);
  if (!isInstance(msg, SystemMessage))
    throw new BadArgError(
      `sys.handleSystemMsg: msg must be a system message, got ${describe(msg)}`,
    );
  if (!(module !== null && typeof module === "object" && typeof module.module === "string"))
    throw new BadArgError(
      `sys.handleSystemMsg: module must be an object with a module name, got ${describe(module)}`,
    );
  if (!isInstance(debug, Debug))
    throw new BadArgError(
      `sys.handleSystemMsg: expected a Debug (from sys.debugOptions), got ${describe(debug)}`,
    );
  const p = self;
  let current = state;
  const host: SystemHost = {
    module: module.module,
    getState: () => (module.systemGetState ? module.systemGetState(current) : current),
    replaceState: (fn) => {
      if (module.systemReplaceState) {
        const [result, next] = module.systemReplaceState(fn, current);
        current = next;
        return result;
      }
      current = fn(current) as S;
      return current;
    },
    statusMisc: () => {
      if (!module.formatStatus) return current;
      try {
        return module.formatStatus(current);
      } catch {
        return formatStatusCrashed(module.module);
      }
    },
    codeChange: module.systemCodeChange
      ? (oldVsn, extra) => {
          current = module.systemCodeChange!(current, module.module, oldVsn, extra);
        }
      : undefined,
  };
  const terminate = async (reason: unknown): Promise<never> => {
    if (module.systemTerminate) await module.systemTerminate(reason, parent, debug, current);
    throw new ProcessExit(reason);
  };
  let suspended = false;
  let m: unknown = msg;
  for (;;) {
    if (m instanceof Exit) return terminate(m.reason);
    const action = answerSystem(p, host, parent, suspended, m as SystemMessage);
    if (typeof action === "object") return terminate(action.terminate);
    if (action === "suspend") suspended = true;
    else if (action === "resume") suspended = false;
    if (!suspended) return current;
    m = await self.receive(
      (x) => x instanceof SystemMessage || (x instanceof Exit && x.from === parent),
    );
  }
}

/** @internal What `getStatus` shows in place of the state when `formatStatus` throws (OTP's placeholder: never the raw state). */
export function formatStatusCrashed(module: string): string {
  return `${module}.formatStatus crashed`;
}

// ---- the sys API (requests to a process) ----

function describeArg(x: unknown): string {
  return typeof x === "string" ? x : describe(x);
}

function nodeOf(node: Node | undefined, server: ServerRef): Node {
  return nodeFor(server, () => {
    if (node === undefined)
      throw new BadArgError("sys: no node for a name (use a pid, or call inside a node)");
    return node;
  });
}

/** Options of every sys request: a timeout (default 5000 ms) and, inside a process, who asks. */
export interface SysOptions {
  /** Ms to wait for the answer (default 5000); Infinity waits forever. */
  timeout?: number;
  /** The asking process (orders the request after its earlier messages to the target). */
  caller?: Self;
}

/** @internal */
export function makeSys(defaultNode: () => Node) {
  function request(
    fn: string,
    server: ServerRef,
    req: SysRequest,
    options: SysOptions | number | undefined,
    args: unknown[],
  ): Promise<any> {
    if (typeof options !== "number") checkOptions(`sys.${fn}`, options);
    const o = typeof options === "number" ? { timeout: options } : (options ?? {});
    if (o.timeout !== undefined) checkTimeout(`sys.${fn}`, o.timeout);
    checkSelf(`sys.${fn}`, "options.caller", o.caller, true);
    const caller = (o.caller as Proc | undefined) ?? null;
    const node = caller?.node ?? nodeOf(defaultNode(), server);
    // Errors name the sys function and its own arguments (OTP's {Reason, {sys, F, Args}}).
    const fullArgs = o.timeout === undefined ? [server, ...args] : [server, ...args, o.timeout];
    const fail = (reason: unknown) =>
      new ExitError(reason, `sys.${fn}(${fullArgs.map(describeArg).join(", ")})`, fullArgs);
    if (whereisServer(node, server, `sys.${fn}`) === undefined)
      return Promise.reject(fail("noproc"));
    return call(
      node,
      // From inside a behaviour (or a debug function), the process asking is the current one.
      caller ?? node.current,
      `sys.${fn}`,
      server,
      req,
      (from) => new SystemMessage(from, req),
      o.timeout,
    ).then(
      (r) => {
        if (r instanceof SysFailure) throw fail(r.reason);
        return r;
      },
      (e) => {
        throw e instanceof ExitError ? fail(e.reason) : e;
      },
    );
  }
  const dbg = (
    fn: string,
    server: ServerRef,
    cmd: DebugCommand,
    o?: SysOptions | number,
    args: unknown[] = [],
  ) => request(fn, server, { kind: "debug", cmd }, o, args);

  return {
    /** The process's state (a GenServer's callback state). */
    getState: <S = unknown>(server: ServerRef, o?: SysOptions | number): Promise<S> =>
      request("getState", server, { kind: "get_state" }, o, []),
    /** Applies `fn` to the state inside the process; resolves with the new state. */
    replaceState: <S = unknown>(
      server: ServerRef,
      fn: (state: S) => S,
      o?: SysOptions | number,
    ): Promise<S> => {
      checkFunction("sys.replaceState", "fn", fn);
      return request("replaceState", server, { kind: "replace_state", fn }, o, [fn]);
    },
    /** The process's status: sys state, parent, debug, and its own `misc`. */
    getStatus: (server: ServerRef, o?: SysOptions | number): Promise<Status> =>
      request("getStatus", server, { kind: "get_status" }, o, []),
    /** Stops the process handling ordinary messages (they stay queued); system requests are still answered. */
    suspend: (server: ServerRef, o?: SysOptions | number): Promise<"ok"> =>
      request("suspend", server, { kind: "suspend" }, o, []),
    /** Lets a suspended process handle its queued messages again, in order. */
    resume: (server: ServerRef, o?: SysOptions | number): Promise<"ok"> =>
      request("resume", server, { kind: "resume" }, o, []),
    /** Asks the process to terminate with `reason`; resolves "ok" before it has (await its DOWN). */
    terminate: (server: ServerRef, reason: unknown, o?: SysOptions | number): Promise<"ok"> =>
      request("terminate", server, { kind: "terminate", reason }, o, [reason]),
    /** Calls the code-change callback of a suspended process. */
    changeCode: (
      server: ServerRef,
      module: string,
      oldVsn: unknown,
      extra: unknown,
      o?: SysOptions | number,
    ): Promise<
      | "ok"
      | {
          /** Why it failed: the callback's error, `{ undef }` with no code-change callback, `{ unknown_system_msg }` if not suspended. */
          error: unknown;
        }
    > => {
      if (typeof module !== "string")
        throw new BadArgError(`sys.changeCode: module must be a string, got ${describe(module)}`);
      return request("changeCode", server, { kind: "change_code", module, oldVsn, extra }, o, [
        module,
        oldVsn,
        extra,
      ]);
    },
    /** Prints every event as it happens (through the node's logger). */
    trace: (server: ServerRef, on: boolean, o?: SysOptions | number): Promise<"ok"> => {
      checkBoolean("sys.trace", "on", on);
      return dbg("trace", server, { trace: on }, o, [on]);
    },
    /** Keeps the last N events (true: 10); "get" returns them oldest first; "print" prints them. */
    log: (
      server: ServerRef,
      flag: boolean | number | "get" | "print",
      o?: SysOptions | number,
    ): Promise<any> => {
      if (!(
        typeof flag === "boolean" ||
        flag === "get" ||
        flag === "print" ||
        (Number.isInteger(flag) && (flag as number) >= 0)
      ))
        throw new BadArgError(
          `sys.log: flag must be a boolean, an integer >= 0, "get" or "print", got ${describe(flag)}`,
        );
      return dbg("log", server, { log: flag }, o, [flag]);
    },
    /** Counts events; "get" returns the counts or "no_statistics". */
    statistics: (
      server: ServerRef,
      flag: boolean | "get",
      o?: SysOptions | number,
    ): Promise<any> => {
      if (!(typeof flag === "boolean" || flag === "get"))
        throw new BadArgError(
          `sys.statistics: flag must be a boolean or "get", got ${describe(flag)}`,
        );
      return dbg("statistics", server, { statistics: flag }, o, [flag]);
    },
    /** Installs a debug function, keyed by `id` (default: the function itself). */
    install: <S>(
      server: ServerRef,
      fn: DebugFun<S>,
      state: S,
      o?: SysOptions & { id?: unknown },
    ): Promise<"ok"> => {
      checkFunction("sys.install", "fn", fn);
      checkOptions("sys.install", o);
      return dbg("install", server, { install: { id: o?.id ?? fn, fn, state } }, o, [fn]);
    },
    /** Removes the debug function installed under `id` (or as that function). */
    remove: (server: ServerRef, id: unknown, o?: SysOptions | number): Promise<"ok"> =>
      dbg("remove", server, { remove: id }, o, [id]),
    /** Removes every debug option and function. */
    noDebug: (server: ServerRef, o?: SysOptions | number): Promise<"ok"> =>
      dbg("noDebug", server, { noDebug: true }, o),
    /** Sets up the debug state of a hand-written special process from debug options (OTP's `sys:debug_options/1`). */
    debugOptions: debugOptions,
    /** Reports an event to a process's debug options and functions (OTP's `sys:handle_debug/4`). */
    handleDebug: handleDebug,
    /** Handles a system message in a hand-written special process (OTP's `sys:handle_system_msg/6`). */
    handleSystemMsg: handleSystemMsg,
    /** Is `m` a system message? */
    isSystemMessage: isSystemMessage,
    /** A generic event formatter for special processes: `*DBG* name event`. */
    defaultFormat: defaultFormat,
  };
}

/**
 * Attaches a debug function to a live special process synchronously, from the
 * same heap (for test helpers): it sees every event after this call. Returns
 * a function that detaches it.
 */
export function attachDebug<E extends AnySysEvent = SysEvent>(
  pid: Pid,
  fn: DebugFun<any, E>,
  state: unknown,
): () => void {
  if (!Pid.is(pid)) throw new BadArgError(`attachDebug: expected a pid, got ${describe(pid)}`);
  checkFunction("attachDebug", "fn", fn);
  const p = Pid.procOf(pid);
  if (p === null || !p.alive) throw new ExitError("noproc", `attachDebug(${pid})`);
  if (!p.special)
    throw new BadArgError(
      `attachDebug: ${pid} is not a special process (GenServer, Supervisor, or procLib + sys)`,
    );
  const id = Symbol("attached");
  debugOf(p).install(id, fn, state);
  return () => void p.debug?.remove(id);
}
