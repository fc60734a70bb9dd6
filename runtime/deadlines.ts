/**
 * Call deadlines without a timer per call: a binary min-heap of the pending
 * deadlines (a settled call leaves it at once, so its memory is the number of
 * pending calls), and one real timer armed for the earliest.
 *
 * The timer is taken from the global `setTimeout` when armed, so Jest fake
 * timers drive call timeouts too; switching between real and fake timers
 * re-arms it for the earliest deadline. While a deadline is pending the timer
 * keeps Node alive (as a receive timeout does); once none is, it is unref'd
 * (left armed: no clearTimeout per call on the hot path).
 */

/** @internal Something that can expire; `due` and `deadlineIndex` are managed by `Deadlines`. */
export interface Expirable {
  readonly alive: boolean;
  /** When it expires (`Date.now()` time). */
  due: number;
  /** Its place in the heap; -1 when it is not in it. */
  deadlineIndex: number;
  expire(): void;
}

type Timer = { ref?: () => unknown; unref?: () => unknown };

/** The longest delay setTimeout takes (2^31 - 1 ms, about 24.8 days). */
const MAX_DELAY = 2 ** 31 - 1;

/** @internal */
export class Deadlines {
  private heap: Expirable[] = [];
  private timer: Timer | undefined = undefined;
  private timerDue = Infinity;
  private refd = false;
  private armedWith: typeof setTimeout | undefined = undefined;
  private clearWith: typeof clearTimeout | undefined = undefined;

  /** The number of pending deadlines. */
  get size(): number {
    return this.heap.length;
  }

  /** The host timer armed for the earliest deadline, if any (the Jest preset tells it from the test's own timers). */
  get handle(): unknown {
    return this.timer;
  }

  /** Calls `item.expire()` after `ms` unless it is removed (or has settled) by then. */
  add(ms: number, item: Expirable): void {
    item.due = Date.now() + ms;
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
    if (i < 0) return;
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
    this.heap = [];
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
