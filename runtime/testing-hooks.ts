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

export type { Chooser, Delivery, Hold, InFlight, RaceObserver, StepRecord } from "./scheduler";
export { prng } from "./scheduler";
import type { Chooser, Hold, RaceObserver, StepRecord } from "./scheduler";
import { type Node, type NodeOptions, createNode } from "./node";
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
    return (
      (p.links !== null && p.links.size > 0) ||
      (p.monitoredBy !== null && p.monitoredBy.size > 0) ||
      p.watchers !== null
    );
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
  return node.scheduler.pending === 0;
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
  for (const m of p.owned?.values() ?? [])
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

/** Spawns a process with no body on `node` (it lives until killed or the node stops). */
export function spawnBare(node: Node): BareProcess {
  const p = node.spawnProc(null);
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
