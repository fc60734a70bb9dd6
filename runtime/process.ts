/**
 * The process record and the `self` context a function body receives.
 * One object is both (a process costs one record, a mailbox and its body).
 */
import {
  BadArgError,
  ExitError,
  ProcessExit,
  checkFunction,
  checkInstance,
  checkMs,
  checkOptions,
  describe,
  isInstance,
  reasonOf,
} from "./errors";
import { Mailbox } from "./mailbox";
import type { Node } from "./node";
import { MessageSignal, type Runnable } from "./scheduler";
import {
  Monitor,
  Receiver,
  Via,
  Watcher,
  link as linkProcs,
  linkSignal,
  receiveExit,
  removeMonitor,
  sendExit,
  unlink as unlinkProcs,
} from "./signals";
import { Down, Exit, Pid, Ref, TIMEOUT, Timeout } from "./terms";
import type { Timer } from "./timers";
import type { Handler } from "./handler";

/** A process body: an async function of its context. Its return ends the process with `normal`. */
export type Body = (self: Self) => unknown;

/** Options for spawning from a process. */
export interface SpawnOptions {
  /** Link the new process to the spawner (as `spawnLink`). */
  link?: boolean;
  /** Accepted and ignored: one run queue (PP-11). */
  priority?: "low" | "normal" | "high" | "max";
}

/** Options for `receive`. */
export interface ReceiveOptions {
  /** Milliseconds to wait for a matching message; 0 checks the mailbox once; default: forever. */
  timeout?: number;
}

/** Options for `monitor`. */
export interface MonitorOptions {
  /**
   * Make the ref an alias that routes messages to this process:
   * `"demonitor"` until demonitored, `"replyDemonitor"` until the first message arrives through it.
   */
  alias?: "demonitor" | "replyDemonitor";
}

/** What a process can do to itself and from itself. Passed to the body as `self`. */
export interface Self {
  /** This process's pid. */
  readonly pid: Pid;
  /** The node the process runs on. */
  readonly node: Node;
  /**
   * Waits for the first message in the mailbox (arrival order) that `match`
   * accepts; the others stay queued, in order. With `timeout`, resolves to
   * `TIMEOUT` if none arrives in time.
   */
  receive<T>(match: (m: unknown) => m is T): Promise<T>;
  /**
   * Waits for the first message that the type guard `match` accepts, for at
   * most `options.timeout` ms; resolves to `TIMEOUT` if none arrives in time.
   */
  receive<T>(match: (m: unknown) => m is T, options: ReceiveOptions): Promise<T | Timeout>;
  /** Waits for the first message that `match` accepts (any message without `match`), with no timeout. */
  receive(match?: (m: unknown) => unknown): Promise<unknown>;
  /**
   * Waits for the first message that `match` accepts (any message when
   * `undefined`), for at most `options.timeout` ms; resolves to `TIMEOUT` if
   * none arrives in time.
   */
  receive(match: ((m: unknown) => unknown) | undefined, options: ReceiveOptions): Promise<unknown>;
  /** Sends `msg` to a pid, registered name or alias; returns `msg`. */
  send<M>(to: Pid | string | Ref, msg: M): M;
  /** Spawns a process (linked with `{ link: true }`). */
  spawn(body: Body, options?: SpawnOptions): Pid;
  /** Spawns a process linked to this one, atomically. */
  spawnLink(body: Body): Pid;
  /** Spawns a handler process (`handler(msg, self)` per message, synchronously); `{ link: true }` links it. */
  spawnHandler(handler: Handler, options?: SpawnOptions): Pid;
  /** Spawns a process with a monitor from this one already in place. */
  spawnMonitor(body: Body): {
    /** The new process's pid. */
    pid: Pid;
    /** The ref of the monitor on it. */
    ref: Ref;
  };
  /** Links to `pid` (idempotent; linking to self does nothing). */
  link(pid: Pid): true;
  /** Removes a link; afterwards it has no effect on this process. */
  unlink(pid: Pid): true;
  /** Monitors a process (or the holder of a registered name); returns the monitor ref. */
  monitor(target: Pid | string, options?: MonitorOptions): Ref;
  /** Removes a monitor; `flush` also drops its queued DOWN; `info` returns whether it was active. */
  demonitor(ref: Ref, options?: { flush?: boolean; info?: boolean }): boolean;
  /** Sets the `trapExit` flag; returns the previous value. */
  processFlag(flag: "trapExit", value: boolean): boolean;
  /** Ends this process with `reason` (throws to unwind the body; catchable, as in Erlang). */
  exit(reason: unknown): never;
  /** Sends an exit signal with `reason` to `pid`. */
  exit(pid: Pid, reason: unknown): void;
  /** Registers this process under `name`. */
  register(name: string): true;
  /** Is `pid` alive? The signals this process sent it earlier land first (PP-08). */
  isAlive(pid: Pid): boolean;
}

/** The fields few processes need. */
class ProcExtras {
  name: string | undefined = undefined;
  globalNames: string[] | null = null;
  timers: Set<Timer> | null = null;
  initialCall: string | undefined = undefined;
  ancestors: unknown[] | undefined = undefined;
  debug: import("./sys").Debug | null = null;
  recvTimer: ReturnType<typeof setTimeout> | undefined = undefined;
}

/** The ancestors of a procLib process started outside any process: none (one frozen array for all). */
const NO_ANCESTORS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** Bits of `Proc.flags`. */
const DEAD = 1;
const TRAP_EXIT = 2;
const SCHEDULED = 4;
const WOKEN = 8;
/** Terminated, its termination step (names, exit signals) still to run. */
const EXITING = 16;
/** Its termination step has run. */
const FINISHED = 32;
/** `task` is the body, not yet started (else it is the behaviour, or null). */
const UNSTARTED = 64;
/** Answers sys requests. */
const SPECIAL = 128;

/** What a behaviour process (GenServer, handler...) runs on each turn instead of a body. */
interface Behaviour {
  run(p: Proc): void;
  stop?(): void;
  /** Handles an exception that escaped the turn. */
  crash?(e: unknown): void;
  /** procLib's initial call, for a behaviour started through procLib (no extras needed to record it). */
  readonly initialCall?: string;
}

/**
 * @internal Throws a BadArgError naming `fn` and `what` unless `x` is a process context
 * (`self`, or `this` in a behaviour); a dead one unwinds its body as
 * `self.send` would. `undefined` passes when `optional`.
 */
export function checkSelf(
  fn: string,
  what: string,
  x: unknown,
  optional = false,
): asserts x is Proc {
  if (optional && x === undefined) return;
  if (!isInstance(x, Proc))
    throw new BadArgError(`${fn}: ${what} must be a process context (self), got ${describe(x)}`);
  if (!x.alive) throw new ProcessExit(Pid.exitReasonOf(x.pid));
}

/**
 * @internal The process record; bodies see it through the `Self` interface.
 * It is its own mailbox and its own `self`: one object per process.
 */
export class Proc extends Mailbox implements Self, Receiver, Runnable {
  readonly pid: Pid;
  /** Alive, trapping exits, queued in the run queue: one field. */
  private flags = 0;
  /** Alive (not terminated). */
  get alive(): boolean {
    return (this.flags & DEAD) === 0;
  }
  set alive(v: boolean) {
    this.flags = v ? this.flags & ~DEAD : this.flags | DEAD;
  }
  /** Exit signals arrive as `EXIT` messages. */
  get trapExit(): boolean {
    return (this.flags & TRAP_EXIT) !== 0;
  }
  set trapExit(v: boolean) {
    this.flags = v ? this.flags | TRAP_EXIT : this.flags & ~TRAP_EXIT;
  }
  /** Queued in the run queue. */
  get scheduled(): boolean {
    return (this.flags & SCHEDULED) !== 0;
  }
  set scheduled(v: boolean) {
    this.flags = v ? this.flags | SCHEDULED : this.flags & ~SCHEDULED;
  }
  /** Its termination step has run: names released, exit signals and DOWNs sent. */
  get finished(): boolean {
    return (this.flags & FINISHED) !== 0;
  }
  /** The pid's number. */
  get id(): number {
    return this.pid.id;
  }
  /** The message queue (the process itself). */
  get mailbox(): Mailbox {
    return this;
  }
  links: Set<Pid> | null = null;
  /** The monitors on this process: the newest, linked to the older ones (`targetNext`). */
  monitoredBy: Monitor | null = null;
  owned: Monitor | null = null;
  /** Pending calls to this process (light monitors). */
  watchers: Watcher | null = null;
  /** Neighbours in the node's list of live processes. */
  prev: Proc | null = null;
  next: Proc | null = null;
  /**
   * The body to run on its first turn (flag UNSTARTED), else the behaviour
   * (a process has one or the other, never both: one field).
   */
  private task: Body | Behaviour | null;
  /** Waiting in receive: the resolver. */
  private resolver: ((m: unknown) => void) | null = null;
  /**
   * While waiting, the receive's matcher (null: any message); once woken
   * (the WOKEN flag), the matched message waiting for this process's turn.
   */
  private pending: unknown = null;
  /**
   * @internal While a synchronous start (procLib, GenServer) waits for this
   * process's initAck: its reply slot. On the record itself, not in the
   * extras, so a started server needs no extras.
   */
  ack: unknown = undefined;
  /** For behaviour processes (GenServer, ...): runs on each turn instead of a body. */
  get behaviour(): Behaviour | null {
    return (this.flags & UNSTARTED) === 0 ? (this.task as Behaviour | null) : null;
  }
  set behaviour(b: Behaviour | null) {
    this.task = b;
    this.flags &= ~UNSTARTED;
  }
  /** What few processes need, kept apart so an idle process stays small. */
  private ext: ProcExtras | null = null;

  private get x(): ProcExtras {
    return (this.ext ??= new ProcExtras());
  }
  /** The registered name. */
  get name(): string | undefined {
    return this.ext?.name;
  }
  set name(v: string | undefined) {
    this.x.name = v;
  }
  /** Names in the `{ global }` namespace. */
  get globalNames(): string[] | null {
    return this.ext?.globalNames ?? null;
  }
  set globalNames(v: string[] | null) {
    this.x.globalNames = v;
  }
  /** Timers whose destination is this process. */
  get timers(): Set<Timer> | null {
    return this.ext?.timers ?? null;
  }
  set timers(v: Set<Timer> | null) {
    this.x.timers = v;
  }
  /** procLib's initial call (the body's or the behaviour's name); undefined for a plain spawn. */
  get initialCall(): string | undefined {
    return this.ext?.initialCall ?? this.behaviour?.initialCall;
  }
  set initialCall(v: string | undefined) {
    this.x.initialCall = v;
  }
  /**
   * procLib's ancestors: the parent (its name if registered), then its
   * ancestors; none when started outside any process; undefined for a plain spawn.
   */
  get ancestors(): unknown[] | undefined {
    return this.ext?.ancestors ?? (this.initialCall === undefined ? undefined : NO_ANCESTORS);
  }
  set ancestors(v: unknown[] | undefined) {
    this.x.ancestors = v;
  }
  /** The process dictionary as OTP shows it (`$initial_call`, `$ancestors`). */
  get dictionary(): Array<[string, unknown]> {
    const initialCall = this.initialCall;
    if (initialCall === undefined) return [];
    return [
      ["$initial_call", initialCall],
      ["$ancestors", this.ancestors],
    ];
  }
  /** sys debug state. */
  get debug(): import("./sys").Debug | null {
    return this.ext?.debug ?? null;
  }
  set debug(v: import("./sys").Debug | null) {
    this.x.debug = v;
  }
  /** Answers sys requests (started through procLib + sys, GenServer, Supervisor). */
  get special(): boolean {
    return (this.flags & SPECIAL) !== 0;
  }
  set special(v: boolean) {
    this.flags = v ? this.flags | SPECIAL : this.flags & ~SPECIAL;
  }
  private get recvTimer(): ReturnType<typeof setTimeout> | undefined {
    return this.ext?.recvTimer;
  }
  private set recvTimer(v: ReturnType<typeof setTimeout> | undefined) {
    if (v !== undefined || this.ext !== null) this.x.recvTimer = v;
  }
  private get woken(): boolean {
    return (this.flags & WOKEN) !== 0;
  }
  /** Hands `m` over on this process's next turn. */
  private setWoken(m: unknown): void {
    this.flags |= WOKEN;
    this.pending = m;
  }

  constructor(
    readonly node: Node,
    id: number,
    body: Body | null,
  ) {
    super();
    this.pid = new Pid(id, node.id);
    Pid.bind(this.pid, this);
    this.task = body;
    if (body !== null) this.flags = UNSTARTED;
  }

  /** Scheduler entry: start the body, hand over a matched message, or run the behaviour. */
  run(): void {
    this.scheduled = false;
    this.node.scheduler.settle = true;
    if ((this.flags & EXITING) !== 0) {
      this.flags = (this.flags & ~EXITING) | FINISHED;
      return this.node.finishTermination(this);
    }
    if (!this.alive) return;
    try {
      if ((this.flags & UNSTARTED) !== 0) return this.start();
      if (this.woken) {
        const m = this.pending;
        const r = this.resolver!;
        this.flags &= ~WOKEN;
        this.pending = null;
        this.resolver = null;
        r(m);
        return;
      }
      if (this.behaviour !== null) this.behaviour.run(this);
    } catch (e) {
      this.escaped(e);
    }
  }

  /**
   * Runs `f` as part of a turn of this process (a behaviour resuming after a
   * promise, say): whatever it throws becomes the process's exit reason.
   */
  contain(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.escaped(e);
    }
  }

  /**
   * The one place an exception that escaped a turn ends up: the behaviour's
   * own crash handling (GenServer: terminate callback and report), else a
   * plain crash. Never throws: the scheduler and the other processes go on.
   */
  private escaped(e: unknown): void {
    const b = this.behaviour;
    if (b !== null && b.crash !== undefined && this.alive) {
      try {
        b.crash(e);
      } catch (again) {
        e = again;
      }
    }
    if (!this.alive) return;
    try {
      this.crash(e);
    } catch {
      this.node.terminate(this, reasonOf(e));
    }
  }

  /**
   * Queues this (terminated) process's termination step, a step of its own
   * (docs/schedule-model.md); runs it at once with `now` (node shutdown), and
   * in plain fifo mode when no signal is in flight: nobody acting in between
   * is one of the orders OTP allows, and it saves a trip through the run
   * queue per death (with a signal in flight, e.g. a monitor just set up, it
   * waits its turn so that the signal lands first, as on the BEAM).
   */
  scheduleTermination(now: boolean): void {
    if (now || this.node.scheduler.immediate) {
      this.flags = (this.flags & ~EXITING) | FINISHED;
      return this.node.finishTermination(this);
    }
    this.flags |= EXITING;
    if (this.scheduled) return;
    this.scheduled = true;
    this.node.scheduler.enqueue(this);
  }

  /** Puts this process in the run queue unless it is there already. */
  schedule(): void {
    if (this.scheduled || !this.alive) return;
    this.scheduled = true;
    this.node.scheduler.enqueue(this);
  }

  private start(): void {
    const body = this.task as Body;
    this.task = null;
    this.flags &= ~UNSTARTED;
    let r: unknown;
    try {
      r = body(this);
    } catch (e) {
      return this.crash(e);
    }
    if (r !== null && (typeof r === "object" || typeof r === "function")) {
      // A thenable's `then` is user code: reading or calling it may throw (caught by `run`).
      const then = (r as PromiseLike<unknown>).then;
      if (typeof then === "function") {
        then.call(
          r,
          () => this.node.terminate(this, "normal"),
          (e: unknown) => this.contain(() => this.crash(e)),
        );
        return;
      }
    }
    this.node.terminate(this, "normal");
  }

  /** An exception escaped the body (or a behaviour callback): it becomes the exit reason. */
  crash(e: unknown): void {
    if (!this.alive) return;
    const reason = reasonOf(e);
    if (!(e instanceof ProcessExit)) this.node.reportCrash(this, reason);
    this.node.terminate(this, reason);
  }

  /** Delivery of a message that has arrived (the scheduler already ordered it). */
  deliver(m: unknown): void {
    if (!this.alive) return;
    if (this.resolver !== null && !this.woken) {
      const matcher = this.pending as ((m: unknown) => unknown) | null;
      let ok: unknown = true;
      if (matcher !== null) {
        try {
          ok = matcher(m);
        } catch (e) {
          return this.crash(e);
        }
      }
      if (ok) return this.wake(m);
    }
    this.mailbox.push(m);
    if (this.behaviour !== null && !this.scheduled) this.schedule();
  }

  private wake(m: unknown): void {
    if (this.recvTimer !== undefined) {
      clearTimeout(this.recvTimer);
      this.recvTimer = undefined;
    }
    if (this.node.scheduler.spend()) {
      const r = this.resolver!;
      this.resolver = null;
      this.pending = null;
      r(m);
    } else {
      this.setWoken(m);
      this.schedule();
    }
  }

  /** Called when the process terminates: drops a pending receive, stops the behaviour's timers. */
  stop(): void {
    this.behaviour?.stop?.();
    this.resolver = null;
    this.pending = null;
    this.flags &= ~WOKEN;
    if ((this.flags & UNSTARTED) !== 0) {
      this.task = null;
      this.flags &= ~UNSTARTED;
    }
    if (this.recvTimer !== undefined) {
      clearTimeout(this.recvTimer);
      this.recvTimer = undefined;
    }
  }

  /** @internal Gives up a pending receive (its promise never settles). */
  cancelReceive(): void {
    if (this.woken) this.mailbox.unshift(this.pending);
    this.stop();
  }

  /** True while blocked in `receive` with no matching message. */
  get waiting(): boolean {
    return this.resolver !== null && !this.woken;
  }

  /** @internal While blocked in `receive`: its matcher (null: any message); else undefined (diagnostics). */
  get receiveMatcher(): ((m: unknown) => unknown) | null | undefined {
    return this.waiting ? (this.pending as ((m: unknown) => unknown) | null) : undefined;
  }

  /** @internal A receive with a timeout is pending (diagnostics). */
  get timedReceive(): boolean {
    return this.recvTimer !== undefined;
  }

  // ---- Self ----

  receive(match?: (m: unknown) => unknown, options?: ReceiveOptions): Promise<any> {
    // A killed process whose body awaited something outside the runtime is
    // unwound here (not left awaiting forever, which would retain its frames).
    this.assertAlive();
    if (match !== undefined) checkFunction("receive", "match", match);
    checkOptions("receive", options);
    const timeout = options?.timeout;
    if (timeout !== undefined) checkMs("receive", "timeout", timeout, true);
    if (this.resolver !== null)
      throw new BadArgError(`receive: ${this.pid} is already waiting in receive`);
    const mb = this.mailbox;
    const i = match === undefined ? (mb.length > 0 ? 0 : -1) : mb.find(match);
    if (i >= 0) {
      const m = mb.takeAt(i);
      if (this.node.scheduler.spend()) return Promise.resolve(m);
      return new Promise((resolve) => {
        this.resolver = resolve;
        this.setWoken(m);
        this.schedule();
      });
    }
    const sched = this.node.scheduler;
    if (sched.tracing) sched.touch("m:" + this.id, false);
    if (timeout === 0) {
      // A look at the mailbox: in-flight signals may or may not have landed (a recorded choice).
      if (sched.random && sched.landSomeTo(this.id)) return this.receive(match, options);
      return Promise.resolve(TIMEOUT);
    }
    return new Promise((resolve) => {
      this.resolver = resolve;
      this.pending = match ?? null;
      if (timeout !== undefined && timeout !== Infinity) {
        this.recvTimer = setTimeout(() => {
          this.recvTimer = undefined;
          if (this.resolver === resolve && !this.woken) {
            this.resolver = null;
            this.pending = null;
            resolve(TIMEOUT);
          }
        }, timeout);
      }
    });
  }

  send<M>(to: Pid | string | Ref, msg: M): M {
    this.assertAlive();
    this.node.sendFrom(this.id, to, msg);
    return msg;
  }

  spawn(body: Body, options?: SpawnOptions): Pid {
    this.assertAlive();
    checkFunction("spawn", "body", body);
    checkOptions("spawn", options);
    const p = this.node.spawnProc(body);
    this.node.scheduler.observer?.spawned(this.id, p.id);
    if (options?.link) linkProcs(this, p);
    return p.pid;
  }

  spawnLink(body: Body): Pid {
    return this.spawn(body, { link: true });
  }

  spawnHandler(handler: Handler, options?: SpawnOptions): Pid {
    this.assertAlive();
    checkOptions("spawnHandler", options);
    const p = this.node.spawnHandlerProc(handler);
    this.node.scheduler.observer?.spawned(this.id, p.id);
    if (options?.link) linkProcs(this, p);
    return p.pid;
  }

  spawnMonitor(body: Body): { pid: Pid; ref: Ref } {
    const pid = this.spawn(body);
    return { pid, ref: this.node.monitorFrom(this, pid, undefined, true) };
  }

  link(pid: Pid): true {
    this.assertAlive();
    const other = this.node.procOf("link", pid);
    if (pid === this.pid) return true;
    if (other === null || !other.alive) {
      // LX-10: a noproc exit signal to the caller.
      if (this.trapExit)
        this.node.scheduler.post(pid.id, new MessageSignal(this, new Exit(pid, "noproc")));
      else throw new ExitError("noproc", `link(${pid})`);
      return true;
    }
    linkSignal(this, other);
    return true;
  }

  unlink(pid: Pid): true {
    this.assertAlive();
    this.node.procOf("unlink", pid);
    unlinkProcs(this, pid);
    return true;
  }

  monitor(target: Pid | string, options?: MonitorOptions): Ref {
    this.assertAlive();
    checkOptions("monitor", options);
    return this.node.monitorFrom(this, target, options?.alias);
  }

  demonitor(ref: Ref, options?: { flush?: boolean; info?: boolean }): boolean {
    checkInstance("demonitor", Ref, "a ref", ref);
    checkOptions("demonitor", options);
    const was = removeMonitor(this, ref);
    this.node.unalias(ref, this);
    if (options?.flush) this.mailbox.removeAll((m) => m instanceof Down && m.ref === ref);
    return options?.info ? was : true;
  }

  processFlag(flag: "trapExit", value: boolean): boolean {
    if (flag !== "trapExit") throw new BadArgError(`processFlag: unknown flag ${describe(flag)}`);
    if (typeof value !== "boolean")
      throw new BadArgError(
        `processFlag: trapExit value must be a boolean, got ${describe(value)}`,
      );
    const old = this.trapExit;
    this.trapExit = value;
    return old;
  }

  exit(reason: unknown): never;
  exit(pid: Pid, reason: unknown): void;
  exit(a: unknown, b?: unknown): void {
    if (arguments.length < 2) throw new ProcessExit(a);
    this.assertAlive();
    const target = this.node.procOf("exit", a);
    if (target === null) return;
    if (target === this) {
      // To itself: lands before exit returns (OTP ends the caller at once when it is not trapping or the reason is kill).
      this.node.scheduler.flush(this.id, this.id);
      receiveExit(this, this.pid, b, Via.Exit);
    } else sendExit(this.id, this.pid, target, b);
    if (!this.alive) throw new ProcessExit(Pid.exitReasonOf(this.pid));
  }

  isAlive(pid: Pid): boolean {
    this.assertAlive();
    return this.node.isAliveFrom(this.id, pid);
  }

  register(name: string): true {
    this.assertAlive();
    return this.node.register(name, this.pid);
  }

  private assertAlive(): void {
    // A killed process whose body is still running (it awaited something
    // outside the runtime) is unwound at its next runtime call.
    if (!this.alive) throw new ProcessExit(Pid.exitReasonOf(this.pid));
  }
}
