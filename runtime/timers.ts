/**
 * Timers: `sendAfter`, `startTimer`, `cancelTimer`, `readTimer` (TMR-*).
 * They call the global timer functions at call time, so Jest's fake timers
 * drive them.
 */
import { BadArgError, checkInstance, describe } from "./errors";
import type { Node } from "./node";
import type { Proc } from "./process";
import { Pid, Ref, TimerMessage } from "./terms";

/** @internal An active timer. */
export class Timer {
  /**
   * The host's timer handle (from `setTimeout`; `undefined` until armed). Typed
   * `unknown` so the declarations do not depend on Node's or the DOM's timer types.
   */
  handle: unknown = undefined;
  constructor(
    /** The timer ref returned to the user. */
    readonly ref: Ref,
    /** When it is due (`Date.now()` time, ms). */
    readonly due: number,
    /** The destination: a pid, or a name resolved when the timer fires. */
    readonly dest: Pid | string,
    /** The message to send (a `TimerMessage` for `startTimer`). */
    readonly msg: unknown,
    /** The destination process, for a timer to a pid (cancelled when it terminates). */
    readonly owner: Proc | null,
  ) {}
}

/**
 * Timer messages have no sender that orders them (TMR-07): each timer is its
 * own sender, with an id from `TIMER_SENDER` up (above any pid's).
 */
export const TIMER_SENDER = 2 ** 40;

/** @internal The timers of one node. */
export class Timers {
  private active = new Map<Ref, Timer>();

  constructor(private readonly node: Node) {}

  /** After `ms`, sends `msg` to `dest` (a pid, or a name resolved when it fires). */
  sendAfter(ms: number, dest: Pid | string, msg: unknown, wrap = false): Ref {
    if (!(typeof ms === "number" && Number.isFinite(ms) && ms >= 0))
      throw new BadArgError(`sendAfter: ms must be a finite number >= 0, got ${describe(ms)}`);
    if (!(typeof dest === "string" || Pid.is(dest)))
      throw new BadArgError(
        `sendAfter: dest must be a pid or a registered name, got ${describe(dest)}`,
      );
    const owner = typeof dest === "string" ? null : this.node.procOf("sendAfter", dest);
    const ref = this.node.makeRef();
    const t = new Timer(ref, Date.now() + ms, dest, wrap ? new TimerMessage(ref, msg) : msg, owner);
    // A timer to a dead pid never fires (TMR-05).
    if (Pid.is(dest) && (owner === null || !owner.alive)) return ref;
    this.active.set(ref, t);
    if (owner !== null) (owner.timers ??= new Set()).add(t);
    t.handle = setTimeout(() => this.fire(t), ms);
    return ref;
  }

  /** Cancels a timer: the time left in ms, or false if it had fired or was cancelled. */
  cancel(ref: Ref): number | false {
    checkInstance("cancelTimer", Ref, "a timer ref", ref);
    const t = this.active.get(ref);
    if (t === undefined) return false;
    this.drop(t);
    clearTimeout(t.handle as ReturnType<typeof setTimeout>);
    return Math.max(0, Math.ceil(t.due - Date.now()));
  }

  /** The time left in ms, or false if the timer is not active. */
  read(ref: Ref): number | false {
    checkInstance("readTimer", Ref, "a timer ref", ref);
    const t = this.active.get(ref);
    return t === undefined ? false : Math.max(0, Math.ceil(t.due - Date.now()));
  }

  /** Cancels the timers whose destination is the terminating process `p`. */
  cancelFor(p: Proc): void {
    if (p.timers === null) return;
    for (const t of p.timers) {
      this.active.delete(t.ref);
      clearTimeout(t.handle as ReturnType<typeof setTimeout>);
    }
    p.timers = null;
  }

  /** Cancels every timer (node shutdown). */
  cancelAll(): void {
    for (const t of this.active.values()) clearTimeout(t.handle as ReturnType<typeof setTimeout>);
    this.active.clear();
  }

  private drop(t: Timer): void {
    this.active.delete(t.ref);
    t.owner?.timers?.delete(t);
  }

  private fire(t: Timer): void {
    if (!this.active.has(t.ref)) return;
    // Never early (TMR-06): the host's timer may fire up to a millisecond before the due time.
    const left = t.due - Date.now();
    if (left > 0) {
      t.handle = setTimeout(() => this.fire(t), left);
      return;
    }
    this.drop(t);
    const p = t.owner ?? this.node.whereisProc(t.dest as string);
    if (p === undefined || !p.alive) return;
    this.node.scheduler.deliver(TIMER_SENDER + t.ref.id, p, t.msg);
  }
}
