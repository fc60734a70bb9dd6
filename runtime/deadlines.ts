/**
 * Call deadlines without a timer per call: a binary min-heap of the pending
 * deadlines (a settled call leaves it at once, so its memory is the number of
 * pending calls), and one real timer armed for the earliest.
 *
 * Most calls are answered within the scheduler pass that sent them, so a
 * deadline is started lazily: `add` only notes the item, and the end of that
 * pass (`flush`, requested from the node's scheduler) reads the clock once
 * for every item still pending and puts it in the heap. An answered call
 * never reads the clock, touches the heap or the timer. A deadline so starts
 * at most one pass late (a pass is bounded: the scheduler yields to the
 * event loop), never early. Under a replaced `setTimeout` (Jest's fake
 * timers; the preset's timer tracking) a deadline starts at once, so that
 * advancing the fake clock right after a call times it out as before.
 *
 * The timer is taken from the global `setTimeout` when armed, so Jest fake
 * timers drive call timeouts too; switching between real and fake timers
 * re-arms it for the earliest deadline. While a deadline is pending the timer
 * keeps Node alive (as a receive timeout does); once none is, it is unref'd
 * (left armed: no clearTimeout per call on the hot path).
 */
import { setTimeout as hostSetTimeout } from "timers";

/** @internal Something that can expire; `due` and `deadlineIndex` are managed by `Deadlines`. */
export interface Expirable {
  readonly alive: boolean;
  /** When it expires (`Date.now()` time); while `deadlineIndex` is `FRESH`, its timeout in ms. */
  due: number;
  /** Its place in the heap; `FRESH` while its deadline waits for the pass to end; -1 when it has none. */
  deadlineIndex: number;
  expire(): void;
}

/** @internal `deadlineIndex` of an item added in the current pass, not yet in the heap. */
export const FRESH = -2;

type Timer = { ref?: () => unknown; unref?: () => unknown };

/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days). */
const MAX_DELAY = 2 ** 31 - 1;

/** @internal */
export class Deadlines {
  private heap: Expirable[] = [];
  /** Items added in the current pass, the first `freshLength` (some may have settled since: their index is no longer FRESH). */
  private fresh: Array<Expirable | null> = [];
  private freshLength = 0;
  /** How many of `fresh` are still pending. */
  private freshPending = 0;
  private timer: Timer | undefined = undefined;
  private timerDue = Infinity;
  private refd = false;
  private armedWith: typeof setTimeout | undefined = undefined;
  private clearWith: typeof clearTimeout | undefined = undefined;

  constructor(
    /**
     * Arranges a call of `flush` soon: the node's scheduler calls it at the
     * end of every pass, and arranges a pass if none is under way or due.
     */
    private readonly requestFlush: () => void,
  ) {}

  /** The number of pending deadlines. */
  get size(): number {
    return this.heap.length + this.freshPending;
  }

  /** The host timer armed for the earliest deadline, if any (the Jest preset tells it from the test's own timers). */
  get handle(): unknown {
    return this.timer;
  }

  /** Calls `item.expire()` after `ms` (from the end of this pass at most) unless it is removed (or has settled) by then. */
  add(ms: number, item: Expirable): void {
    if (globalThis.setTimeout !== hostSetTimeout) {
      this.flush(); // the timer functions changed: deadlines noted before start now, as this one
      return this.insert(Date.now() + ms, item);
    }
    item.due = ms;
    item.deadlineIndex = FRESH;
    if (this.freshLength === 0) this.requestFlush();
    this.fresh[this.freshLength++] = item;
    this.freshPending++;
  }

  /** Starts the deadlines added since the last flush that are still pending: one clock read for all. */
  flush(): void {
    const n = this.freshLength;
    if (n === 0) return;
    const f = this.fresh;
    this.freshLength = 0;
    if (this.freshPending === 0) {
      for (let i = 0; i < n; i++) f[i] = null;
      return;
    }
    this.freshPending = 0;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const item = f[i]!;
      f[i] = null;
      if (item.deadlineIndex === FRESH) this.insert(now + item.due, item);
    }
  }

  private insert(due: number, item: Expirable): void {
    item.due = due;
    const h = this.heap;
    item.deadlineIndex = h.length;
    h.push(item);
    this.up(h.length - 1);
    const first = h[0].due;
    if (first < this.timerDue || globalThis.setTimeout !== this.armedWith) this.arm(first);
    else if (!this.refd) this.setRef(true);
  }

  /** Drops `item`'s deadline (it settled); O(log n). */
  remove(item: Expirable): void {
    const i = item.deadlineIndex;
    if (i < 0) {
      if (i === FRESH) {
        item.deadlineIndex = -1;
        this.freshPending--;
      }
      return;
    }
    item.deadlineIndex = -1;
    const h = this.heap;
    const last = h.pop()!;
    if (last !== item) {
      h[i] = last;
      last.deadlineIndex = i;
      this.down(i);
      this.up(last.deadlineIndex);
    }
    if (h.length === 0 && this.refd) this.setRef(false);
  }

  /** Drops every deadline and the timer (node shutdown). */
  clear(): void {
    if (this.timer !== undefined) this.clearWith!(this.timer as ReturnType<typeof setTimeout>);
    this.timer = undefined;
    this.timerDue = Infinity;
    this.refd = false;
    for (const e of this.heap) e.deadlineIndex = -1;
    for (let i = 0; i < this.freshLength; i++) this.fresh[i]!.deadlineIndex = -1;
    this.heap = [];
    this.fresh = [];
    this.freshLength = 0;
    this.freshPending = 0;
  }

  private arm(due: number): void {
    if (this.timer !== undefined) this.clearWith!(this.timer as ReturnType<typeof setTimeout>);
    this.armedWith = globalThis.setTimeout;
    this.clearWith = globalThis.clearTimeout;
    this.timerDue = due;
    // Past setTimeout's limit the timer would fire after 1 ms: wake at the limit and re-arm.
    const ms = Math.min(MAX_DELAY, Math.max(0, due - Date.now()));
    this.timer = this.armedWith(() => this.fire(), ms) as Timer;
    this.refd = true;
  }

  private setRef(on: boolean): void {
    this.refd = on;
    if (on) this.timer?.ref?.();
    else this.timer?.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    this.refd = false;
    const h = this.heap;
    const now = Date.now();
    while (h.length > 0 && h[0].due <= now) {
      const e = h[0];
      this.remove(e);
      if (e.alive) e.expire();
    }
    if (h.length > 0 && this.timer === undefined) this.arm(h[0].due);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (p.due <= e.due) break;
      h[i] = p;
      p.deadlineIndex = i;
      i = parent;
    }
    h[i] = e;
    e.deadlineIndex = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1].due < h[c].due) c++;
      if (h[c].due >= e.due) break;
      h[i] = h[c];
      h[i].deadlineIndex = i;
      i = c;
    }
    h[i] = e;
    e.deadlineIndex = i;
  }
}
