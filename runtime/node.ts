/**
 * A node: an isolated runtime with its own process table, registry,
 * scheduler, timers and seed. `createNode()` makes one; the default node
 * serves plain scripts.
 */
import {
  BadArgError,
  check,
  checkFunction,
  catchRejection,
  checkInstance,
  describe,
  formatReason,
  isInstance,
  stackSuffix,
} from "./errors";
import { Body, Proc } from "./process";
import { CallbackSignal, Chooser, ScheduleMode, Scheduler, actorOf } from "./scheduler";
import {
  Receiver,
  addMonitor,
  addDeadMonitor,
  monitorSignal,
  monitorsOn,
  ownedMonitors,
  removeMonitor,
  sendExit,
  sendExitSignals,
} from "./signals";
import { Timers } from "./timers";
import { Handler, HandlerLoop } from "./handler";
import { Deadlines } from "./deadlines";
import { Endpoint } from "./reply-slot";
import { Down, MonitorObject, Pid, Ref } from "./terms";

/** Options for {@link createNode}. */
export interface NodeOptions {
  /** `fifo` (default, deterministic) or `random` (every open choice drawn from `seed`). */
  mode?: ScheduleMode;
  /** The seed for `random` mode (default: drawn at random; read it back as `node.seed`). */
  seed?: number;
  /** Where crash reports and warnings go (default: `console.error`). */
  logger?: Logger;
  /** Keep each special process's last N sys events for diagnostics (the Jest preset uses 10). */
  recentEvents?: number;
  /** Called with each new process's pid (the Jest preset records where processes were spawned). */
  onSpawn?: (pid: Pid) => void;
  /** `random` mode only: replay these choices instead of drawing from the seed (0 past their end). */
  schedule?: readonly number[];
  /** @internal Controlled mode driven by an explorer: it picks every step. */
  chooser?: Chooser;
  /** `random` mode: keep the log of choices, bounded (for replay and shrinking; default false: the seed replays a run, and the log costs nothing). */
  keepChoices?: boolean;
}

/** A report from the runtime: a crashed process, a warning from a behaviour... */
export interface LogEvent {
  /** The severity, as OTP's logger levels: `error` (crashes, crash reports), `warning`, or `info` (e.g. sys traces). */
  level: "error" | "warning" | "info";
  /** What happened, e.g. `"crash"` (a plain process crashed), `"crash_report"` (procLib). */
  kind: string;
  /** The process concerned. */
  pid: Pid;
  /** A readable rendering, as the default logger prints it. */
  text: string;
  /** The structured fields of the report. */
  data: Record<string, unknown>;
}

/** Receives the runtime's reports. */
export type Logger = (event: LogEvent) => void;

/** What `processInfo` tells about a live process. */
export interface ProcessInfo {
  /** `waiting` for a message (in a receive, or an idle behaviour), `runnable` (in the run queue) or `running`. */
  status: "waiting" | "runnable" | "running";
  /** The number of messages in its mailbox. */
  messageQueueLen: number;
  /** The first queued messages (at most 10). */
  messages: unknown[];
  /** The processes it is linked to. */
  links: Pid[];
  /** Processes this one monitors. */
  monitors: MonitorObject[];
  /** Processes monitoring this one (endpoints of pending calls are not listed). */
  monitoredBy: Pid[];
  /** Its registered (local) name, if any. */
  registeredName: string | undefined;
  /** Does it trap exits (turning exit signals into `EXIT` messages)? */
  trapExit: boolean;
}

interface Alias {
  owner: Receiver;
  once: boolean;
}

const defaultLogger: Logger = (e) => console.error(e.text);
let nodeIds = 0;

/** Live nodes by id, so a pid can find its node after its process has gone. */
const nodes = new Map<number, WeakRef<Node>>();
const forget = new FinalizationRegistry<number>((id) => nodes.delete(id));

/**
 * @internal The node with id `id` if it is still in use; null if it was made
 * and has gone since (shut down, or collected); undefined if none ever had that id.
 */
export function nodeById(id: number): Node | null | undefined {
  const n = nodes.get(id)?.deref();
  if (n !== undefined) return n;
  return Number.isInteger(id) && id >= 0 && id < nodeIds ? null : undefined;
}

/** @internal The node `target` runs on if it is a live pid; else `fallback()`. */
export function nodeFor<F = Node>(target: unknown, fallback: () => F): Node | F {
  const p = Pid.is(target) ? Pid.procOf(target) : null;
  return p !== null ? p.node : fallback();
}

/** An isolated runtime. Create with {@link createNode}. */
export class Node {
  /** The node's id, unique within the Node.js process (the first part of its pids, `<ID.N.0>`). */
  readonly id: number;
  /** @internal The scheduler: delivers messages and signals, runs processes. */
  readonly scheduler: Scheduler;
  /** The seed `random` mode draws from (the one given, or one drawn at random); pass it back to replay a run. */
  readonly seed: number;
  /** @internal The node's timers (`sendAfter`, `startTimer`...). */
  readonly timers: Timers;
  /** @internal Deadlines of pending calls (one real timer for all). */
  readonly deadlines = new Deadlines(() => this.scheduler.requestPass());
  /** Where crash reports and warnings go (from `NodeOptions.logger`). */
  logger: Logger;
  /** See `NodeOptions.recentEvents`. */
  readonly recentEvents: number;
  private readonly onSpawn: ((pid: Pid) => void) | undefined;
  /** Stands for code outside any process (scripts, tests) as a sender. */
  readonly externalPid: Pid;
  /** Live processes, a doubly linked list in spawn order (O(1) add and remove). */
  private head: Proc | null = null;
  private tail: Proc | null = null;
  private readonly registry = new Map<string, Proc>();
  private readonly globals = new Map<string, Proc>();
  /** @internal The behaviour process whose callback is running right now (for sender identity). */
  current: Proc | null = null;
  private readonly aliases = new Map<Ref, Alias>();
  private nextPid = 1;
  private nextRef = 1;
  private nextEndpoint = -1;
  private down = false;

  constructor(options: NodeOptions = {}) {
    if (!(options !== null && typeof options === "object"))
      throw new BadArgError(`createNode: options must be an object, got ${describe(options)}`);
    const mode = options.mode ?? "fifo";
    if (!(mode === "fifo" || mode === "random"))
      throw new BadArgError(`createNode: mode must be "fifo" or "random", got ${describe(mode)}`);
    if (options.seed !== undefined)
      if (!Number.isInteger(options.seed))
        throw new BadArgError(`createNode: seed must be an integer, got ${describe(options.seed)}`);
    if (options.logger !== undefined) checkFunction("createNode", "logger", options.logger);
    if (options.onSpawn !== undefined) checkFunction("createNode", "onSpawn", options.onSpawn);
    if (options.recentEvents !== undefined)
      if (!(Number.isInteger(options.recentEvents) && options.recentEvents >= 0))
        throw new BadArgError(
          `createNode: recentEvents must be an integer >= 0, got ${describe(options.recentEvents)}`,
        );
    this.id = nodeIds++;
    nodes.set(this.id, new WeakRef(this));
    forget.register(this, this.id);
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    if (options.schedule !== undefined)
      check(
        Array.isArray(options.schedule) &&
          options.schedule.every((c) => Number.isInteger(c) && c >= 0),
        "createNode: schedule must be an array of integers >= 0",
      );
    this.scheduler = new Scheduler(
      mode,
      this.seed,
      options.schedule,
      options.chooser,
      options.keepChoices ?? false,
    );
    this.scheduler.onPassEnd = () => this.deadlines.flush();
    this.timers = new Timers(this);
    this.logger = options.logger ?? defaultLogger;
    this.recentEvents = options.recentEvents ?? 0;
    this.onSpawn = options.onSpawn;
    this.externalPid = new Pid(0, this.id);
  }

  get mode(): ScheduleMode {
    return this.scheduler.random ? "random" : "fifo";
  }

  /** Spawns a process running `body(self)`; returns its pid at once (PP-01). */
  spawn(body: Body): Pid {
    checkFunction("spawn", "body", body); // null is spawnProc's "no body yet", not a user's
    const p = this.spawnProc(body);
    this.scheduler.observer?.spawned(this.current?.id ?? 0, p.id);
    return p.pid;
  }

  /**
   * Spawns a handler process: `handler(msg, self)` runs once per message,
   * synchronously, with no Promise per message (the lightest process).
   */
  spawnHandler(handler: Handler): Pid {
    const p = this.spawnHandlerProc(handler);
    this.scheduler.observer?.spawned(this.current?.id ?? 0, p.id);
    return p.pid;
  }

  /** @internal */
  spawnHandlerProc(handler: Handler): Proc {
    checkFunction("spawnHandler", "handler", handler);
    const p = this.spawnProc(null);
    p.behaviour = new HandlerLoop(handler);
    return p;
  }

  /** @internal Creates and schedules a process. */
  spawnProc(body: Body | null): Proc {
    check(!this.down, "spawn: the node has been shut down");
    if (body !== null) checkFunction("spawn", "body", body);
    const p = new Proc(this, this.nextPid++, body);
    if (this.tail === null) this.head = p;
    else {
      this.tail.next = p;
      p.prev = this.tail;
    }
    this.tail = p;
    if (body !== null) p.schedule();
    if (this.onSpawn !== undefined) {
      const failed = (e: unknown) =>
        this.log({
          level: "error",
          kind: "callback_failed",
          pid: p.pid,
          text: `otpkit: onSpawn failed on ${p.pid}: ${formatReason(e)}`,
          data: { callback: "onSpawn", error: e },
        });
      try {
        catchRejection(this.onSpawn(p.pid), failed);
      } catch (e) {
        failed(e);
      }
    }
    return p;
  }

  /**
   * @internal Sends `event` to the logger; a logger that throws (or is not a function)
   * is reported on the console instead and never disturbs the process that logged.
   */
  log(event: LogEvent): void {
    const failed = (e: unknown) => {
      try {
        console.error(`otpkit: the node's logger failed (${formatReason(e)}) on:\n${event.text}`);
      } catch {
        // Nothing is left to report it to.
      }
    };
    try {
      catchRejection(this.logger(event), failed);
    } catch (e) {
      failed(e);
    }
  }

  /** @internal The live process `pid` of this node, or null; BadArgError for a non-pid or a pid of another node. */
  procOf(fn: string, pid: unknown): Proc | null {
    checkInstance(fn, Pid, "a pid", pid);
    if (pid.node !== this.id) throw foreign(fn, pid, this.id);
    return Pid.procOf(pid);
  }

  /** Sends `msg` to a pid (dropped silently if dead), a registered name (badarg if free) or an alias. */
  send<M>(to: Pid | string | Ref, msg: M): M {
    this.sendFrom(this.current?.id ?? 0, to, msg);
    return msg;
  }

  /** @internal */
  sendFrom(from: number, to: Pid | string | Ref, msg: unknown): void {
    let p: Proc | null | undefined;
    if (Pid.is(to)) {
      if (to.node !== this.id) throw foreign("send", to, this.id);
      p = Pid.procOf(to);
    } else if (typeof to === "string") {
      p = this.registry.get(to);
      if (this.scheduler.tracing) this.scheduler.touch("n:" + to, false);
      if (p === undefined)
        throw new BadArgError(`send: no process is registered as ${JSON.stringify(to)}`);
    } else if (isInstance(to, Ref)) return this.sendAlias(from, to, msg);
    else
      throw new BadArgError(`send: expected a pid, registered name or alias, got ${describe(to)}`);
    if (p !== null) p.node.scheduler.deliver(from, p, msg);
  }

  private sendAlias(from: number, ref: Ref, msg: unknown): void {
    const a = this.aliases.get(ref);
    if (a === undefined) return;
    this.scheduler.message(
      from,
      new CallbackSignal(
        a.owner.id,
        () => {
          if (this.aliases.get(ref) !== a) return; // deactivated while in flight (MON-08)
          if (a.once) this.unalias(ref, a.owner, true);
          a.owner.deliver(msg);
        },
        msg,
      ),
      actorOf(a.owner),
    );
  }

  /** Sends an exit signal with `reason` to `pid` from outside any process. */
  exit(pid: Pid, reason: unknown): true {
    const p = this.procOf("exit", pid);
    const from = this.current;
    if (p !== null) sendExit(from?.id ?? 0, from?.pid ?? this.externalPid, p, reason);
    return true;
  }

  /** Is the process alive? Signals sent to it earlier from outside land first (PP-08). */
  isAlive(pid: Pid): boolean {
    return this.isAliveFrom(0, pid);
  }

  /** @internal `isAlive` asked by sender `from`: its signals to `pid` land first. */
  isAliveFrom(from: number, pid: Pid): boolean {
    const p = this.procOf("isAlive", pid);
    if (p === null) return false;
    const s = p.node.scheduler;
    s.flush(from, p.id);
    if (s.tracing) s.touch("a:" + p.id, false);
    return p.alive;
  }

  /** Registers `pid` under `name` (REG-01): throws BadArgError if taken, named already, or dead. */
  register(name: string, pid: Pid): true {
    const p = this.checkRegistration("register", this.registry, name, pid);
    if (p.name !== undefined)
      throw new BadArgError(`register: ${pid} is already registered as ${JSON.stringify(p.name)}`);
    this.registry.set(name, p);
    p.name = name;
    if (this.scheduler.tracing) this.scheduler.touch("n:" + name, true);
    return true;
  }

  /** The checks names share (REG-01, REG-07): a valid name, free, for a live pid. */
  private checkRegistration(fn: string, table: Map<string, Proc>, name: string, pid: Pid): Proc {
    if (!(typeof name === "string" && name.length > 0 && name !== "undefined"))
      throw new BadArgError(`${fn}: name must be a non-empty string, got ${describe(name)}`);
    const p = this.procOf(fn, pid);
    if (p === null || !p.alive) throw new BadArgError(`${fn}: ${pid} is not alive`);
    const holder = table.get(name);
    if (holder !== undefined)
      throw new BadArgError(
        `${fn}: ${JSON.stringify(name)} is already registered to ${holder.pid}`,
      );
    return p;
  }

  /** Frees `name` (the process keeps running); throws BadArgError if it is not registered. */
  unregister(name: string): true {
    checkName("unregister", name);
    const p = this.registry.get(name);
    if (p === undefined)
      throw new BadArgError(`unregister: no process is registered as ${JSON.stringify(name)}`);
    this.registry.delete(name);
    p.name = undefined;
    if (this.scheduler.tracing) this.scheduler.touch("n:" + name, true);
    return true;
  }

  /** The pid registered as `name`, or undefined. */
  whereis(name: string): Pid | undefined {
    checkName("whereis", name);
    if (this.scheduler.tracing) this.scheduler.touch("n:" + name, false);
    return this.registry.get(name)?.pid;
  }

  /** The registered names. */
  registered(): string[] {
    return [...this.registry.keys()];
  }

  /** @internal */
  whereisProc(name: string): Proc | undefined {
    return this.registry.get(name);
  }

  /** Pids of all live processes, in spawn order. */
  processes(): Pid[] {
    const pids: Pid[] = [];
    for (let p = this.head; p !== null; p = p.next) pids.push(p.pid);
    return pids;
  }

  /**
   * What the process is doing, or undefined if it is not alive. Like OTP's
   * `process_info/2` it is a signal: what the asker sent the process before
   * has landed when it looks.
   */
  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.procOf("processInfo", pid);
    if (p === null) return undefined;
    p.node.scheduler.flush(this.current?.id ?? 0, p.id);
    if (!p.alive) return undefined;
    const monitors: MonitorObject[] = [];
    for (const m of ownedMonitors(p)) monitors.push(m.object);
    const monitoredBy: Pid[] = [];
    for (const m of monitorsOn(p)) if (m.owner instanceof Proc) monitoredBy.push(m.owner.pid);
    return {
      status: p.scheduled
        ? "runnable"
        : p.waiting || (p.behaviour !== null && this.current !== p)
          ? "waiting"
          : "running",
      messageQueueLen: p.mailbox.length,
      messages: p.mailbox.toArray(10),
      links: [...(p.links ?? [])],
      monitors,
      monitoredBy,
      registeredName: p.name,
      trapExit: p.trapExit,
    };
  }

  /**
   * @internal Monitor from any receiver (a process, or an endpoint): a
   * monitor signal to a live target, or `noproc` on its way. `atOnce` sets it
   * up at once (spawnMonitor: in place before the body runs).
   */
  monitorFrom(
    owner: Receiver,
    target: Pid | string,
    alias?: "demonitor" | "replyDemonitor",
    atOnce = false,
  ): Ref {
    const ref = this.makeRef();
    let p: Proc | null | undefined;
    let object: MonitorObject;
    if (Pid.is(target)) {
      p = this.procOf("monitor", target);
      object = target;
    } else if (typeof target === "string") {
      p = this.registry.get(target);
      if (this.scheduler.tracing) this.scheduler.touch("n:" + target, false);
      object = { name: target, node: this.id };
    } else
      throw new BadArgError(
        `monitor: expected a pid or a registered name, got ${describe(target)}`,
      );
    if (alias !== undefined) {
      if (!(alias === "demonitor" || alias === "replyDemonitor"))
        throw new BadArgError(
          `monitor: alias must be "demonitor" or "replyDemonitor", got ${describe(alias)}`,
        );
      this.aliases.set(ref, { owner, once: alias === "replyDemonitor" });
    }
    const m =
      p === null || p === undefined || !p.alive
        ? addDeadMonitor(this, owner, Pid.is(target) ? target.id : 0, ref, object)
        : atOnce
          ? addMonitor(owner, p, ref, object)
          : monitorSignal(owner, p, ref, object);
    m.alias = alias !== undefined;
    return ref;
  }

  /** @internal Deactivates alias `ref` of `owner` (and its monitor when `demonitor`). */
  unalias(ref: Ref, owner: Receiver, demonitor = false): void {
    const a = this.aliases.get(ref);
    if (a === undefined || a.owner !== owner) return;
    this.aliases.delete(ref);
    if (demonitor) removeMonitor(owner, ref);
  }

  /** @internal A receiver that is not a process, handing each message to `onMessage` (a watcher). */
  endpoint(onMessage: (m: unknown) => void): Endpoint {
    return new Endpoint(this.nextEndpoint--, onMessage);
  }

  /** @internal An id for a non-process receiver. */
  nextEndpointId(): number {
    return this.nextEndpoint--;
  }

  /** Registers `pid` in the `{ global }` namespace (same rules as local names, REG-07). */
  registerGlobal(name: string, pid: Pid): true {
    const p = this.checkRegistration("registerGlobal", this.globals, name, pid);
    this.globals.set(name, p);
    (p.globalNames ??= []).push(name);
    return true;
  }

  /** Frees a `{ global }` name (no error if free). */
  unregisterGlobal(name: string): void {
    checkName("unregisterGlobal", name);
    const p = this.globals.get(name);
    if (p === undefined) return;
    this.globals.delete(name);
    p.globalNames = p.globalNames?.filter((n) => n !== name) ?? null;
  }

  /** The pid registered as `{ global: name }`, or undefined. */
  whereisGlobal(name: string): Pid | undefined {
    checkName("whereisGlobal", name);
    return this.globals.get(name)?.pid;
  }

  /** @internal Closes an endpoint: its monitors and aliases are dropped. */
  closeEndpoint(e: Endpoint): void {
    e.alive = false;
    for (const { ref } of ownedMonitors(e)) {
      removeMonitor(e, ref);
      this.aliases.delete(ref);
    }
  }

  /** A fresh, unique ref. */
  makeRef(): Ref {
    return new Ref(this.nextRefId(), this.id);
  }

  /** @internal The id a fresh ref would have, taken (for a ref made later: a call's tag). */
  nextRefId(): number {
    return this.nextRef++;
  }

  /** After `ms`, sends `msg` (exactly) to `dest`; returns the timer ref (TMR-01). */
  sendAfter(ms: number, dest: Pid | string, msg: unknown): Ref {
    return this.timers.sendAfter(ms, dest, msg);
  }

  /** After `ms`, sends a `TimerMessage` `{ kind: "timeout", ref, msg }` to `dest` (TMR-02). */
  startTimer(ms: number, dest: Pid | string, msg: unknown): Ref {
    return this.timers.sendAfter(ms, dest, msg, true);
  }

  /** Cancels a timer: the ms left, or false if it already fired or was cancelled (TMR-03). */
  cancelTimer(ref: Ref): number | false {
    return this.timers.cancel(ref);
  }

  /** The ms left on a timer, or false if it is not active. */
  readTimer(ref: Ref): number | false {
    return this.timers.read(ref);
  }

  /**
   * @internal Ends process `p` with `reason`: it stops at once; releasing its
   * names and sending its exit signals is a step of its own, later (OTP: a
   * process's termination can be observed before it completes).
   */
  terminate(p: Proc, reason: unknown): void {
    if (!p.alive) return;
    p.alive = false;
    p.stop();
    if (p.prev === null) this.head = p.next;
    else p.prev.next = p.next;
    if (p.next === null) this.tail = p.prev;
    else p.next.prev = p.prev;
    p.prev = p.next = null;
    this.timers.cancelFor(p);
    Pid.setExitReason(p.pid, reason);
    p.scheduleTermination(this.down);
  }

  /** @internal The termination step of `p`: releases its names, sends its exit signals and DOWNs. */
  finishTermination(p: Proc): void {
    if (p.name !== undefined) {
      if (this.scheduler.tracing) this.scheduler.touch("n:" + p.name, true);
      this.registry.delete(p.name);
      p.name = undefined;
    }
    if (p.globalNames !== null) for (const n of p.globalNames) this.globals.delete(n);
    sendExitSignals(p, Pid.exitReasonOf(p.pid));
  }

  /** @internal Reports a process that crashed with an uncaught exception. */
  reportCrash(p: Proc, reason: unknown): void {
    let text = `Error in process ${p.pid} with exit value: ${formatReason(reason)}`;
    try {
      text += stackSuffix(reason);
    } catch {
      // A stack that cannot be read is left out.
    }
    this.log({ level: "error", kind: "crash", pid: p.pid, text, data: { reason } });
  }

  /** Kills every process and cancels every timer; the node accepts no more work. */
  shutdown(): void {
    this.down = true;
    nodes.delete(this.id);
    while (this.head !== null) this.terminate(this.head, "killed");
    this.timers.cancelAll();
    this.deadlines.clear();
    this.scheduler.flushAll();
    this.scheduler.stop();
  }

  /** Resolves when `pid` has terminated, with its exit reason (at once if it already has). */
  awaitExit(pid: Pid): Promise<unknown> {
    this.procOf("awaitExit", pid);
    return new Promise((resolve) => this.onExit(pid, resolve));
  }

  /**
   * Calls `cb` with the exit reason when `pid` terminates (at once if it has);
   * returns a function that stops watching.
   */
  onExit(pid: Pid, cb: (reason: unknown) => void): () => void {
    const p = this.procOf("onExit", pid);
    checkFunction("onExit", "cb", cb);
    const failed = (e: unknown) =>
      this.log({
        level: "error",
        kind: "callback_failed",
        pid,
        text: `otpkit: an onExit callback for ${pid} failed: ${formatReason(e)}`,
        data: { callback: "onExit", error: e },
      });
    const safe = (reason: unknown) => {
      try {
        catchRejection(cb(reason), failed);
      } catch (e) {
        failed(e);
      }
    };
    if (p === null || !p.alive) {
      safe(Pid.exitReasonOf(pid));
      return () => {};
    }
    const e = this.endpoint((m) => {
      this.closeEndpoint(e);
      safe((m as Down).reason);
    });
    this.monitorFrom(e, pid, undefined, true); // an observer: in place at once, never noproc
    return () => this.closeEndpoint(e);
  }
}

function foreign(fn: string, pid: Pid, node: number): BadArgError {
  return new BadArgError(
    `${fn}: ${pid} is a pid of node ${pid.node}, not of this node (${node}): nodes do not exchange signals`,
  );
}

function checkName(fn: string, name: unknown): void {
  if (typeof name !== "string")
    throw new BadArgError(`${fn}: name must be a string, got ${describe(name)}`);
}

/** Makes an isolated runtime (own process table, registry, scheduler, timers, seed). */
export function createNode(options?: NodeOptions): Node {
  return new Node(options);
}
