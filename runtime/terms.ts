/**
 * The runtime's values: pids, refs, and the messages the runtime itself sends
 * (`DOWN`, `EXIT`, timer messages), each a class so type guards can tell them
 * from user messages; and how any term prints in reports and errors.
 */
import { inspect } from "util";
import type { Proc } from "./process";

/** What a pid points at once its process has terminated: the exit reason. */
class Exited {
  constructor(readonly reason: unknown) {}
}

/** A process identifier. Printed as `<0.ID.0>`; compare with `===` or `toEqual`. */
export class Pid {
  /** The live process record, then (once it has terminated) its exit reason: one field. */
  #state: Proc | Exited | null = null;
  constructor(
    /** Unique, never reused within a node. */
    readonly id: number,
    /** The id of the node the process lives on. */
    readonly node: number,
  ) {}
  /** Renders the pid as Erlang prints it: `<Node.ID.0>`. */
  toString(): string {
    return `<${this.node}.${this.id}.0>`;
  }
  /** Serialises the pid as its printed form (see {@link Pid.toString}). */
  toJSON(): string {
    return this.toString();
  }
  /** Prints as `<Node.ID.0>` in `util.inspect` (reports, errors, Jest diffs). */
  [inspect.custom](): string {
    return this.toString();
  }
  /** @internal Is `x` a pid? A brand check: it runs no user code, and a proxy (even a revoked one) is not a pid. */
  static is(x: unknown): x is Pid {
    return typeof x === "object" && x !== null && #state in x;
  }
  /** @internal Points the pid at its process record. */
  static bind(pid: Pid, proc: Proc): void {
    pid.#state = proc;
  }
  /** @internal The process has terminated with `reason`: the pid lets its record go. */
  static setExitReason(pid: Pid, reason: unknown): void {
    pid.#state = new Exited(reason);
  }
  /** @internal The exit reason of a terminated process (`noproc` if unknown). */
  static exitReasonOf(pid: Pid): unknown {
    const s = pid.#state;
    return s instanceof Exited ? s.reason : "noproc";
  }
  /** @internal The process record (until it has terminated), or null. */
  static procOf(pid: Pid): Proc | null {
    const s = pid.#state;
    return s instanceof Exited ? null : s;
  }
}

/** A unique reference (monitor refs, timer refs, call tags, aliases). */
export class Ref {
  /** The monitor this ref names, while it is active (found without a map). */
  #monitor: object | null = null;
  constructor(
    /** Unique, never reused within a node. */
    readonly id: number,
    /** The id of the node that made the ref. */
    readonly node: number,
  ) {}
  /** Renders the ref as Erlang prints it: `#Ref<Node.ID>`. */
  toString(): string {
    return `#Ref<${this.node}.${this.id}>`;
  }
  /** Serialises the ref as its printed form (see {@link Ref.toString}). */
  toJSON(): string {
    return this.toString();
  }
  /** Prints as `#Ref<Node.ID>` in `util.inspect` (reports, errors, Jest diffs). */
  [inspect.custom](): string {
    return this.toString();
  }
  /** @internal The active monitor `ref` names, or null (also for an object that only looks like a ref). */
  static monitorOf(ref: Ref): object | null {
    return #monitor in ref ? ref.#monitor : null;
  }
  /** @internal Names (or, with null, stops naming) an active monitor. */
  static setMonitor(ref: Ref, monitor: object | null): void {
    ref.#monitor = monitor;
  }
}

/** What a monitor was set on: a pid, or `{ name, node }` when monitored by registered name. */
export type MonitorObject =
  | Pid
  | {
      /** The registered name the monitor was set on. */
      name: string;
      /** The id of the node the name was looked up on. */
      node: number;
    };

/** `{'DOWN', Ref, process, Pid, Reason}`: a monitored process terminated. */
export class Down {
  readonly kind = "DOWN" as const;
  /** What was monitored: always a `process`. */
  readonly type = "process" as const;
  constructor(
    /** The monitor ref `monitor` returned. */
    readonly ref: Ref,
    /** The pid, or `{ name, node }` for a monitor set by name (MON-06). */
    readonly object: MonitorObject,
    /** The exit reason of the monitored process (`noproc` if it was not alive). */
    readonly reason: unknown,
    /** The pid of the process that terminated (undefined for a name that was never registered). */
    readonly pid: Pid | undefined = Pid.is(object) ? object : undefined,
  ) {}
}

/** `{'EXIT', From, Reason}`: an exit signal received by a process that traps exits. */
export class Exit {
  readonly kind = "EXIT" as const;
  constructor(
    /** The pid that sent the exit signal (a linked process, or the caller of `exit`). */
    readonly from: Pid,
    /** The exit reason the signal carries. */
    readonly reason: unknown,
  ) {}
}

/** `{timeout, TimerRef, Msg}`: the message of a timer started with `startTimer`. */
export class TimerMessage<M = unknown> {
  readonly kind = "timeout" as const;
  constructor(
    /** The timer ref `startTimer` returned. */
    readonly ref: Ref,
    /** The message given to `startTimer`. */
    readonly msg: M,
  ) {}
}

/** Is `m` a `DOWN` message (optionally: for this monitor ref)? */
export function isDown(m: unknown, ref?: Ref): m is Down {
  return m instanceof Down && (ref === undefined || m.ref === ref);
}

/** Is `m` an `EXIT` message (optionally: from this pid)? */
export function isExit(m: unknown, from?: Pid): m is Exit {
  return m instanceof Exit && (from === undefined || m.from === from);
}

/** Is `m` a timer message from `startTimer` (optionally: for this timer ref)? */
export function isTimerMessage(m: unknown, ref?: Ref): m is TimerMessage {
  return m instanceof TimerMessage && (ref === undefined || m.ref === ref);
}

/** Is `x` a pid? */
export function isPid(x: unknown): x is Pid {
  return Pid.is(x);
}

/** Is `x` a ref? */
export function isRef(x: unknown): x is Ref {
  return x instanceof Ref;
}

/** The result of a `receive` whose timeout expired (Erlang's `after` clause). */
export const TIMEOUT: unique symbol = Symbol("otpkit.timeout");
/** The type of {@link TIMEOUT}. */
export type Timeout = typeof TIMEOUT;

/** How deep {@link formatTerm} prints nested values before it writes `[Object]`. */
export const FORMAT_DEPTH = 4;

/**
 * Renders any term for a report or an error message with `util.inspect`: a
 * `Map` prints as a Map, a cycle as `[Circular *1]`, pids as `<0.4.0>`, at
 * most {@link FORMAT_DEPTH} levels deep. One line by default; `multiline`
 * lets a large term wrap (crash reports). Only called when a text is built.
 */
export function formatTerm(x: unknown, options: { multiline?: boolean } = {}): string {
  return inspect(x, {
    depth: FORMAT_DEPTH,
    breakLength: options.multiline ? 100 : Infinity,
    compact: options.multiline ? 3 : true,
    maxArrayLength: 50,
    maxStringLength: 1000,
    sorted: false,
  });
}
