/**
 * `otpkit/testing-hooks`: the one place where development tooling (the Jest
 * preset, `@otpkit/jest`) reaches inside the runtime. Everything else the
 * tooling uses is the public API (`otpkit`). Not a stable API for
 * applications: it changes with the runtime, in step with `@otpkit/jest`.
 *
 * @module otpkit/testing-hooks
 */
import { ExitError } from "./errors";
import { CallSlot, call } from "./gen";
import type { Proc, Self } from "./process";
import type { Delivery } from "./scheduler";
import { SystemMessage, type AnySysEvent } from "./sys";
import { Pid } from "./terms";
import { ownedMonitors } from "./signals";

export type { Chooser, Delivery, Hold, InFlight, RaceObserver, StepRecord } from "./scheduler";
export { prng } from "./scheduler";
import type { Chooser, Hold, RaceObserver, StepRecord } from "./scheduler";
import { type Node, type NodeOptions, createNode, nodeById } from "./node";
export { InitAck } from "./proc-lib";
/** Sender ids from this one up are timers (each timer its own sender), not processes. */
export { TIMER_SENDER } from "./timers";

/** A read-only window on one live process, for diagnostics. */
export interface ProcessView {
  readonly pid: Pid;
  readonly node: Node;
  /** Not terminated yet. */
  readonly alive: boolean;
  /** Its registered name, if any. */
  readonly name: string | undefined;
  /** procLib's initial call (the behaviour's or body's name), if started through procLib. */
  readonly initialCall: string | undefined;
  /** Answers sys requests (GenServer, Supervisor, procLib + sys). */
  readonly special: boolean;
  /** Someone would notice its crash: a link, a monitor, or a call waiting on it. */
  readonly watched: boolean;
  /** Its last sys events, oldest first (kept when the node has `recentEvents`). */
  readonly recentEvents: readonly AnySysEvent[];
  /** The calls waiting for its reply, as their callers wrote them (e.g. `GenServer.call(<0.4.0>, "get")`). */
  readonly pendingCalls: readonly string[];
}

class View implements ProcessView {
  constructor(private readonly p: Proc) {}
  get pid(): Pid {
    return this.p.pid;
  }
  get node(): Node {
    return this.p.node;
  }
  get alive(): boolean {
    return this.p.alive;
  }
  get name(): string | undefined {
    return this.p.name;
  }
  get initialCall(): string | undefined {
    return this.p.initialCall;
  }
  get special(): boolean {
    return this.p.special;
  }
  get watched(): boolean {
    const p = this.p;
    return (p.links !== null && p.links.size > 0) || p.monitoredBy !== null || p.watchers !== null;
  }
  get recentEvents(): readonly AnySysEvent[] {
    return this.p.debug?.recent ?? [];
  }
  get pendingCalls(): readonly string[] {
    const calls: string[] = [];
    for (let w = this.p.watchers; w !== null; w = w.nextWatch)
      if (w instanceof CallSlot) calls.push(w.describeCall());
    return calls;
  }
}

/** A view of `pid`'s process, or null once it has terminated. */
export function viewOf(pid: Pid): ProcessView | null {
  const p = Pid.procOf(pid);
  return p === null ? null : new View(p);
}

/** Nothing to run and nothing in flight on `node` (it waits for timers or for the outside). */
export function isIdle(node: Node): boolean {
  return node.scheduler.idle;
}

/** The exit reason of a terminated process (`"noproc"` if it is alive or unknown). */
export function exitReasonOf(pid: Pid): unknown {
  return Pid.exitReasonOf(pid);
}

/**
 * Lands now every signal in flight to `pid`, from any sender, after the
 * monitor and link signals it sent to processes that are gone (their
 * `noproc` answers come back to it).
 */
export function landSignalsTo(pid: Pid): void {
  const p = Pid.procOf(pid);
  if (p === null) return;
  // Its own monitor and link signals to processes that are gone land first: their noproc
  // answers come back to it (a monitor that lost the race with a death).
  for (const m of ownedMonitors(p))
    if (m.target !== null && !m.target.alive) p.node.scheduler.flush(p.id, m.target.id);
  for (const l of p.links ?? []) if (Pid.procOf(l) === null) p.node.scheduler.flush(p.id, l.id);
  p.node.scheduler.flushTo(p.id);
}

/**
 * A sys round trip to the special process `pid` from outside any process
 * (no timeout: the caller bounds it); `label` names it in errors.
 */
export function sysRoundTrip(pid: Pid, label: string): Promise<unknown> {
  const p = Pid.procOf(pid);
  if (p === null) return Promise.reject(new ExitError("noproc", label));
  const req = { kind: "get_state" } as const;
  return call(p.node, null, label, pid, req, (from) => new SystemMessage(from, req), Infinity);
}

/** What `holdAt` needs of a GenServer-based process: hold it after its next event, let it go. */
export interface Holdable {
  /** Holds the process right after the event being reported. */
  hold(): void;
  /** Lets a held process go on where it stopped. */
  release(): void;
}

/** The hold hooks of a live GenServer-based process, or null. */
export function holdableOf(pid: Pid): Holdable | null {
  const b = Pid.procOf(pid)?.behaviour;
  return b !== null && b !== undefined && isHoldable(b) ? b : null;
}

function isHoldable(b: object): b is Holdable {
  const h = b as Partial<Holdable>;
  return typeof h.hold === "function" && typeof h.release === "function";
}

/** A process with no body (the test's own), and what only its owner may do with it. */
export interface BareProcess {
  /** The process's context: everything a body can do. */
  readonly self: Self;
  /** Not terminated yet. */
  readonly alive: boolean;
  /** The number of queued messages. */
  readonly queued: number;
  /** The queued messages, oldest first (at most `limit`). */
  messages(limit?: number): unknown[];
  /** Gives up a pending receive (its promise never settles); a matched message goes back to the front. */
  cancelReceive(): void;
}

/** The processes `spawnBare` made (the test's own). */
const bare = new WeakSet<Proc>();

function isBare(p: Proc): boolean {
  return bare.has(p);
}

/** Spawns a process with no body on `node` (it lives until killed or the node stops). */
export function spawnBare(node: Node): BareProcess {
  const p = node.spawnProc(null);
  bare.add(p);
  return {
    self: p,
    get alive() {
      return p.alive;
    },
    // A look at the mailbox is a signal, as processInfo: what the asker sent it has landed.
    get queued() {
      p.node.scheduler.flush(p.node.current?.id ?? 0, p.id);
      return p.mailbox.length;
    },
    messages: (limit) => {
      p.node.scheduler.flush(p.node.current?.id ?? 0, p.id);
      return p.mailbox.toArray(limit);
    },
    cancelReceive: () => p.cancelReceive(),
  };
}

/** Records every signal that lands on `node` from now on (random mode), in order; returns the record. */
export function recordDeliveries(node: Node): Delivery[] {
  const recording: Delivery[] = [];
  node.scheduler.recording = recording;
  return recording;
}

/** The scheduling choices `node` has logged so far (random mode with `keepChoices`), for replay and shrinking. */
export function choicesOf(node: Node): number[] {
  return node.scheduler.choices?.slice() ?? [];
}

/** A controlled node whose every step `chooser` picks (the explorers). */
export function createControlledNode(options: NodeOptions, chooser: Chooser): Node {
  return createNode({ ...options, chooser });
}

/** Records what each step of a controlled `node` touches (before its first step); returns the record. */
export function traceSteps(node: Node): StepRecord[] {
  const trace: StepRecord[] = [];
  node.scheduler.trace = trace;
  return trace;
}

/**
 * Race tracking on a fifo `node` (before any work): `observer` sees every
 * signal posted and landed; with `hold`, a rerun that reverses one race.
 */
export function trackRaces(node: Node, observer: RaceObserver, hold: Hold | null = null): void {
  node.scheduler.track(observer, hold);
}

/** Has `node` been shut down? */
export function isShutDown(node: Node): boolean {
  return nodeById(node.id) !== node;
}

/** Calls `cb` whenever `node` runs out of work (null: stop); the Jest preset's deadlock check. */
export function onIdle(node: Node, cb: (() => void) | null): void {
  node.scheduler.onIdle = cb;
}

/** A call, start or request that is waiting for `target` to answer. */
export interface PendingAnswer {
  /** The wait as its caller wrote it, e.g. `GenServer.call(<0.4.0>, "get")`. */
  readonly what: string;
  /** The process that must answer. */
  readonly target: Pid;
  /** The waiting process; null for code outside any process (the test). */
  readonly caller: Pid | null;
  /** When its own timeout fails it (`Date.now()` time); Infinity for none (or one the runtime keeps elsewhere). */
  readonly due: number;
  /**
   * Fails it now as its timeout would (`ExitError` with `reason`, `note`
   * appended to the message); null for a wait that cannot be failed from
   * outside (a request's response is received, not awaited here).
   */
  readonly fail: ((reason: unknown, note: string) => void) | null;
}

/** What a live process is doing, as the deadlock check sees it. */
export interface ProcessWait {
  readonly pid: Pid;
  readonly name: string | undefined;
  /** procLib's initial call, if any (e.g. `Counter.init`). */
  readonly initialCall: string | undefined;
  /**
   * `runnable`: queued to run; `receive`: blocked in a receive; `idle`: a
   * behaviour waiting for its next message; `held`: held by holdAt;
   * `suspended`: by sys.suspend; `calling`: blocked while a call, start or
   * request it made is pending (`calls`); `outside`: awaiting something
   * outside the runtime (a promise: I/O, a timer, a user's own), or running.
   */
  readonly status: "runnable" | "receive" | "idle" | "held" | "suspended" | "calling" | "outside";
  /** `receive`: its matcher (null: any message). */
  readonly matcher: ((m: unknown) => unknown) | null;
  /** A receive timeout or a behaviour timeout is pending: it will wake by itself. */
  readonly timed: boolean;
  /** Messages queued. */
  readonly queued: number;
  /** The first queued messages (at most 5). */
  readonly messages: unknown[];
  /** The calls, starts and requests it made that are pending. */
  readonly waitsOn: PendingAnswer[];
  /** The calls, starts and requests waiting for it to answer. */
  readonly answers: PendingAnswer[];
}

/** The fields of a behaviour object the deadlock check reads (GenServer's loop, a handler's loop). */
interface BehaviourState {
  blocked?: boolean;
  held?: boolean;
  suspended?: boolean;
  timer?: unknown;
  timeoutDue?: boolean;
}

/** A watcher as the deadlock check reads it: a CallSlot, procLib's AckSlot, a RequestSlot. */
interface AnyWatcher {
  readonly actor?: number;
  readonly alive?: boolean;
  readonly op?: unknown;
  readonly timer?: unknown;
  nextWatch: AnyWatcher | null;
  close?(): void;
  reject?(e: unknown): void;
}

function answerOf(pids: Map<number, Pid>, target: Proc, w: AnyWatcher): PendingAnswer {
  const actor = w.actor ?? 0;
  // A caller that has terminated is named by its id (its wait is nobody's now).
  const caller = actor > 0 ? (pids.get(actor) ?? new Pid(actor, target.node.id)) : null;
  if ((w as unknown) instanceof CallSlot) {
    const slot = w as unknown as CallSlot;
    return {
      what: slot.describeCall(),
      target: target.pid,
      caller,
      due: slot.deadlineIndex >= 0 ? slot.due : Infinity,
      fail: (reason, note) => {
        if (!slot.alive) return;
        const failure = CallSlot.prototype.failure;
        slot.failure = (r: unknown) => {
          return withNote(failure.call(slot, r === "timeout" ? reason : r), note);
        };
        slot.expire();
      },
    };
  }
  if (typeof w.op === "string" && typeof w.reject === "function" && typeof w.close === "function") {
    // procLib's start acknowledgement: with a timeout, its own timer is pending (and counts).
    const op = w.op;
    return {
      what: op,
      target: target.pid,
      caller,
      due: w.timer === undefined ? Infinity : -Infinity,
      fail: (reason, note) => {
        if (w.alive === false) return;
        w.close!();
        w.reject!(withNote(new ExitError(reason, op), note));
      },
    };
  }
  return {
    what: `a request to ${target.pid}`,
    target: target.pid,
    caller,
    due: Infinity,
    fail: null,
  };
}

/** Is code outside any process (the test) waiting for a call, start or request to a process of `node`? */
export function hasOutsideWaits(node: Node): boolean {
  for (const pid of node.processes())
    for (let w = Pid.procOf(pid)?.watchers as AnyWatcher | null | undefined; w; w = w.nextWatch)
      if (w.alive !== false && (w.actor ?? 0) <= 0) return true;
  return false;
}

/**
 * What every live process of `node` is doing, and the calls, starts and
 * requests waiting for answers: the wait-for graph of the deadlock check.
 */
export function waitGraph(node: Node): ProcessWait[] {
  node.deadlines.flush(); // every pending call's deadline started: its due is known
  const procs: Proc[] = [];
  for (const pid of node.processes()) {
    const p = Pid.procOf(pid);
    if (p !== null) procs.push(p);
  }
  const pids = new Map(procs.map((p) => [p.id, p.pid]));
  const waitsOn = new Map<number, PendingAnswer[]>();
  const answers = new Map<number, PendingAnswer[]>();
  for (const t of procs) {
    const list: PendingAnswer[] = [];
    for (let w = t.watchers as AnyWatcher | null; w !== null; w = w.nextWatch) {
      if (w.alive === false) continue;
      const a = answerOf(pids, t, w);
      list.push(a);
      const by = w.actor ?? 0;
      if (by > 0) {
        const l = waitsOn.get(by);
        if (l === undefined) waitsOn.set(by, [a]);
        else l.push(a);
      }
    }
    answers.set(t.id, list);
  }
  return procs.map((p) => {
    const b = p.behaviour as BehaviourState | null;
    const calls = waitsOn.get(p.id) ?? [];
    const matcher = p.receiveMatcher;
    let status: ProcessWait["status"];
    let timed = p.timedReceive;
    if (p.scheduled) status = "runnable";
    else if (matcher !== undefined) status = "receive";
    else if (b !== null) {
      timed ||= b.timer !== undefined || b.timeoutDue === true;
      if (b.held === true) status = "held";
      else if (b.blocked === true) status = calls.length > 0 ? "calling" : "outside";
      else if (b.suspended === true) status = "suspended";
      else status = node.current === p ? "outside" : "idle";
    } else if (calls.length > 0) status = "calling";
    else status = isBare(p) ? "idle" : "outside";
    return {
      pid: p.pid,
      name: p.name,
      initialCall: p.initialCall,
      status,
      matcher: matcher ?? null,
      timed,
      queued: p.mailbox.length,
      messages: p.mailbox.toArray(5),
      waitsOn: calls,
      answers: answers.get(p.id) ?? [],
    };
  });
}

/** The host timer armed for `node`'s call deadlines, if any (the Jest preset's deadlock check tells it from the test's timers). */
export function callDeadlineTimer(node: Node): unknown {
  return node.deadlines.handle;
}

/** `e` with `note` added to its message (and to its stack, which Jest prints). */
export function withNote<E extends Error>(e: E, note: string): E {
  const before = e.message;
  e.message = before + note;
  if (typeof e.stack === "string") {
    const at = e.stack.indexOf(before);
    e.stack =
      at >= 0
        ? e.stack.slice(0, at) + e.message + e.stack.slice(at + before.length)
        : `${e.stack}${note}`;
  }
  return e;
}
