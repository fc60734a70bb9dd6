/**
 * `procLib`: starting processes the OTP way (OTP's `proc_lib.erl`). A
 * process started here records its initial call and ancestors, reports its
 * own crash (a crash report through the node's logger), and can be started
 * synchronously: `start` resolves when the child calls `initAck`.
 */
import {
  ExitError,
  ProcessExit,
  checkFunction,
  checkOptions,
  describe,
  formatReason,
  isInstance,
  stackOf,
  stackSuffix,
} from "./errors";
import { ServerRef, call, checkTimeout, whereisServer } from "./gen";
import { type Node, nodeFor } from "./node";
import { openPromise, promiseParts } from "./open-promise";
import { Body, Proc, Self, checkSelf } from "./process";
import { ReplySlot } from "./reply-slot";
import { link as linkProcs, unlink as unlinkProcs } from "./signals";
import { SystemMessage } from "./sys";
import { Down, Exit, Pid, Ref } from "./terms";

/** Is `reason` one that procLib, GenServer and Supervisor do not report (`normal`, `shutdown`, `{shutdown: _}`)? */
export function isQuietReason(reason: unknown): boolean {
  if (reason === "normal" || reason === "shutdown") return true;
  if (reason === null || typeof reason !== "object") return false;
  try {
    return Object.keys(reason).length === 1 && "shutdown" in reason;
  } catch {
    return false; // a hostile object (a revoked proxy...) is no {shutdown: _}
  }
}

/** Options for `procLib.start` / `startLink`. */
export interface ProcStartOptions {
  /** ms to wait for `initAck` (default: forever); on expiry the child is killed and start fails with `timeout`. */
  timeout?: number;
}

/** The reply slot of a synchronous start; it watches the child for its death. */
class AckSlot extends ReplySlot {
  /** Set by initFail: the start fails with it once the child is gone (PL-04). */
  private failure: InitFailure | undefined = undefined;
  constructor(
    id: number,
    /** The starter's actor id (0 outside processes). */
    actor: number,
    readonly child: Proc,
    /** The starter (null outside processes). */
    readonly parent: Proc | null,
    readonly resolve: (v: unknown) => void,
    readonly reject: (e: unknown) => void,
    /** The start function, e.g. `GenServer.start`. */
    readonly fn: string,
    /** What it starts (the body's or the server's name): the failure says `fn(what)`. */
    readonly what: string,
    /** startLink's: a failed start takes the child's EXIT from the parent (OTP's flush_EXIT). */
    readonly linked: boolean,
  ) {
    super(id, actor);
    this.watch(child);
  }
  override deliver(m: unknown): void {
    if (!(m instanceof InitFailure)) super.deliver(m);
    else if (this.alive) this.failure = m;
  }
  protected onReply(m: unknown): void {
    this.resolve((m as InitAck).value);
  }
  protected onDown(reason: unknown): void {
    if (this.linked && this.parent !== null) flushExit(this.parent, this.child.pid);
    this.reject(new ExitError(this.failure !== undefined ? this.failure.reason : reason, this.op));
  }
  /** The start as the caller wrote it (made only when it fails). */
  private get op(): string {
    return `${this.fn}(${this.what})`;
  }
  /** PL-03: unlink, kill, fail with timeout. */
  protected override onTimeout(): void {
    if (this.parent !== null) unlinkProcs(this.parent, this.child.pid);
    this.child.node.exit(this.child.pid, "kill");
    this.reject(new ExitError("timeout", this.op));
  }
}

/**
 * OTP's `flush_EXIT`: after a failed start, a trapping caller is left no
 * `EXIT` from the child (an unlink cancels one still in flight, LX-09).
 */
function flushExit(parent: Proc, child: Pid): void {
  if (!parent.alive || !parent.trapExit) return;
  unlinkProcs(parent, child);
  parent.mailbox.removeAll((m) => m instanceof Exit && m.from === child);
}

/** The acknowledgement `initAck` sends to the starter. */
export class InitAck {
  constructor(readonly value: unknown) {}
}
class InitFailure {
  constructor(readonly reason: unknown) {}
}

/** @internal Tells the starter of `p` that it started; `start` resolves with `value`. */
export function ackStart(p: Proc, value: unknown): void {
  const slot = p.ack as AckSlot | undefined;
  if (slot === undefined) return;
  p.ack = undefined;
  p.node.scheduler.deliver(p.id, slot, new InitAck(value));
}

/** @internal Tells the starter of `p` that its start failed with `reason`. */
export function failStart(p: Proc, reason: unknown): void {
  const slot = p.ack as AckSlot | undefined;
  if (slot === undefined) return;
  p.ack = undefined;
  p.node.scheduler.deliver(p.id, slot, new InitFailure(reason));
}

function initialCallOf(body: Body): string {
  return body.name || "anonymous";
}

/**
 * @internal Records initial call and ancestors in the child's dictionary
 * (PL-05). What the child already shows (its behaviour's initial call, no
 * ancestors outside any process) is not written again, so such a child
 * needs no extras.
 */
export function record(child: Proc, parent: Proc | null, initialCall: string): void {
  if (child.initialCall !== initialCall) child.initialCall = initialCall;
  if (parent !== null) {
    const ancestors: unknown[] = [parent.name ?? parent.pid];
    const up = parent.ancestors;
    if (Array.isArray(up)) ancestors.push(...up);
    child.ancestors = ancestors;
  }
}

/** @internal The crash report of procLib process `p` ending with `reason` (PL-06, PL-07). */
export function crashReport(p: Proc, reason: unknown, cls: "error" | "exit" | "throw"): void {
  const neighbour = (pid: Pid) => {
    const q = Pid.procOf(pid);
    return {
      pid,
      initialCall: q?.initialCall,
      ancestors: q?.ancestors,
    };
  };
  const data = {
    pid: p.pid,
    registeredName: p.name,
    initialCall: p.initialCall,
    ancestors: p.ancestors ?? [],
    errorInfo: {
      class: cls,
      reason,
      stacktrace: stackOf(reason),
    },
    messageQueueLen: p.mailbox.length,
    links: [...(p.links ?? [])].map(neighbour),
  };
  const text =
    `=CRASH REPORT==== crasher:\n  initial call: ${String(data.initialCall)}\n  pid: ${p.pid}\n` +
    `  registered_name: ${p.name ?? "[]"}\n  exception ${cls}: ${formatReason(reason)}\n` +
    `  ancestors: ${data.ancestors}\n  message_queue_len: ${data.messageQueueLen}\n  links: ${data.links.map((l) => l.pid).join(", ")}` +
    stackSuffix(reason);
  p.node.log({ level: "error", kind: "crash_report", pid: p.pid, text, data });
}

/** Wraps a body so an exception becomes a procLib exit: crash report, no plain "Error in process". */
function guard(body: Body): Body {
  return async (self) => {
    try {
      return await body(self);
    } catch (e) {
      const p = self as Proc;
      if (!p.alive) throw e;
      const cls = isInstance(e, ProcessExit) ? "exit" : isInstance(e, Error) ? "error" : "throw";
      const reason = isInstance(e, ProcessExit)
        ? e.reason
        : isInstance(e, Error)
          ? e
          : { nocatch: e };
      if (!isQuietReason(reason) && !(isInstance(e, ProcessExit) && quiet.has(e)))
        crashReport(p, reason, cls);
      throw isInstance(e, ProcessExit) ? e : new ProcessExit(reason);
    }
  };
}

const quiet = new WeakSet<ProcessExit>();

/** @internal Spawns a procLib process on `node` (parent may be null: started from outside). */
export function spawnProc(
  node: Node,
  parent: Proc | null,
  body: Body,
  link: boolean,
  initialCall?: string,
  fn = "procLib.spawn",
): Proc {
  checkFunction(fn, "body", body);
  initialCall ??= initialCallOf(body);
  const child = node.spawnProc(guard(body));
  record(child, parent, initialCall);
  if (link && parent !== null) linkProcs(parent, child);
  return child;
}

/** @internal Starts `child` synchronously: resolves with its initAck value. */
export function awaitAck(
  node: Node,
  parent: Proc | null,
  child: Proc,
  fn: string,
  what: string,
  timeout: number,
  linked = false,
): Promise<unknown> {
  const promise = openPromise();
  const slot = new AckSlot(
    node.nextEndpointId(),
    parent?.id ?? node.current?.id ?? 0,
    child,
    parent,
    promiseParts.resolve,
    promiseParts.reject,
    fn,
    what,
    linked,
  );
  child.ack = slot;
  if (timeout !== Infinity) slot.expireAfter(node.deadlines, timeout);
  return promise;
}

/** @internal `procLib.stop` and `GenServer.stop`: a sys terminate request, then wait for the DOWN. */
export function stopProcess(
  node: Node,
  server: ServerRef,
  reason: unknown,
  timeout: number,
  fn: string,
): Promise<"ok"> {
  checkTimeout(fn, timeout);
  const pid = whereisServer(node, server, fn);
  const target = pid === undefined ? null : Pid.procOf(pid);
  const op = `${fn}(${describe(server)})`;
  if (target === null) return Promise.reject(new ExitError("noproc", op));
  // A process stopping itself would wait for its own termination forever (OTP's calling_self).
  if (target === target.node.current) return Promise.reject(new ExitError("calling_self", op));
  const tn = target.node;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watcher = tn.endpoint((m) => {
      tn.closeEndpoint(watcher);
      if (timer !== undefined) clearTimeout(timer);
      const r = (m as Down).reason;
      if (r === reason) resolve("ok");
      else reject(new ExitError(r, op));
    });
    tn.monitorFrom(watcher, target.pid);
    // The request's reply is not awaited: the termination is.
    const req = { kind: "terminate", reason } as const;
    call(tn, null, fn, target.pid, req, (from) => new SystemMessage(from, req), Infinity).catch(
      () => {},
    );
    if (timeout !== Infinity)
      timer = setTimeout(() => {
        if (!watcher.alive) return;
        // The target is left alone, as OTP's proc_lib:stop/3.
        tn.closeEndpoint(watcher);
        reject(new ExitError("timeout", op));
      }, timeout);
  });
}

/** @internal The procLib API bound to a way to find the current node. */
export function makeProcLib(currentNode: () => Node) {
  const start = (
    parent: Self | null,
    body: Body,
    options: ProcStartOptions = {},
    how: "start" | "startLink" | "startMonitor" = "start",
  ): Promise<unknown> => {
    const fn = `procLib.${how}`;
    if (how === "start") {
      if (parent !== null) checkSelf(fn, "parent", parent);
    } else checkSelf(fn, "parent", parent);
    checkFunction(fn, "body", body);
    checkOptions(fn, options);
    const timeout = options.timeout ?? Infinity;
    checkTimeout(fn, timeout);
    const node = parent?.node ?? currentNode();
    const child = spawnProc(node, parent, body, how === "startLink");
    const ref = how === "startMonitor" ? parent!.monitor(child.pid) : undefined;
    const started = awaitAck(
      node,
      parent,
      child,
      fn,
      initialCallOf(body),
      timeout,
      how === "startLink",
    );
    return ref === undefined ? started : started.then((value) => ({ value, pid: child.pid, ref }));
  };
  return {
    /** Spawns a process that records its initial call and ancestors and reports its crash. */
    spawn: (parent: Self | null, body: Body): Pid => {
      if (parent !== null) checkSelf("procLib.spawn", "parent", parent);
      return spawnProc(parent?.node ?? currentNode(), parent, body, false).pid;
    },
    /** As `spawn`, linked to `parent`. */
    spawnLink: (parent: Self, body: Body): Pid => {
      checkSelf("procLib.spawnLink", "parent", parent);
      return spawnProc(parent.node, parent, body, true, undefined, "procLib.spawnLink").pid;
    },
    /** Starts a process and resolves with the value it passes to `initAck` (rejects if it dies first). */
    start: (parent: Self | null, body: Body, options?: ProcStartOptions) =>
      start(parent, body, options, "start"),
    /**
     * As `start`, linked to `parent`. If the start fails, a trapping `parent`
     * is left no `EXIT` from the child (OTP's `flush_EXIT`).
     */
    startLink: (parent: Self, body: Body, options?: ProcStartOptions) =>
      start(parent, body, options, "startLink"),
    /**
     * As `start`, with a monitor from `parent` set atomically on the child
     * (OTP 23's `proc_lib:start_monitor`): resolves with the `initAck` value,
     * the child's pid and the monitor ref. If the start fails it rejects as
     * `start` does, and the monitor's `DOWN` still reaches `parent`.
     */
    startMonitor: (
      parent: Self,
      body: Body,
      options?: ProcStartOptions,
    ): Promise<{
      /** The value the child passed to `initAck`. */
      value: unknown;
      /** The child. */
      pid: Pid;
      /** The ref of `parent`'s monitor on it. */
      ref: Ref;
    }> => start(parent, body, options, "startMonitor") as never,
    /** Tells the starter that initialisation succeeded; `start` resolves with `value`. */
    initAck(self: Self, value?: unknown): void {
      checkSelf("procLib.initAck", "self", self);
      ackStart(self, value === undefined ? self.pid : value);
    },
    /** Fails the start with `reason` (`start` rejects with it), then ends this process with `exitReason`. */
    initFail(self: Self, reason: unknown, exitReason: unknown = reason): never {
      checkSelf("procLib.initFail", "self", self);
      failStart(self, reason);
      const e = new ProcessExit(exitReason);
      quiet.add(e);
      throw e;
    },
    /**
     * Asks a special process to terminate with `reason` (a sys terminate
     * request) and resolves "ok" once it has; rejects with `noproc`, with
     * `timeout`, or with the reason it actually died with (PL-09).
     */
    stop: (server: Pid | string, reason: unknown = "normal", timeout = Infinity): Promise<"ok"> =>
      stopProcess(nodeFor(server, currentNode), server, reason, timeout, "procLib.stop"),
    /** Waits for the next message (without taking it), then continues in `fn` (PL-10: no heap to compact). */
    async hibernate<T>(self: Self, fn: () => T | Promise<T>): Promise<T> {
      checkSelf("procLib.hibernate", "self", self);
      checkFunction("procLib.hibernate", "fn", fn);
      const m = await self.receive();
      (self as Proc).mailbox.unshift(m);
      return fn();
    },
  };
}
