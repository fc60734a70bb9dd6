/**
 * Call deadlines without a timer per call: one queue per timeout value (its
 * deadlines only grow), one real timer armed for the earliest. The timer is
 * taken from the global `setTimeout` when armed, so Jest fake timers drive
 * call timeouts too; switching between real and fake timers re-arms it.
 */

/** @internal Something that can expire; `due` is set by `add`. */
export interface Expirable {
  readonly alive: boolean;
  due: number;
  expire(): void;
}

type Entry = Expirable;

class Queue {
  items: Entry[] = [];
  head = 0;
  /** Drops settled entries at the front. */
  trim(): void {
    const q = this.items;
    while (this.head < q.length && !q[this.head].alive)
      q[this.head++] = undefined as unknown as Entry;
    if (this.head === q.length) {
      // Emptied: keep the array (no allocation per call); start afresh now and then.
      if (this.head >= 1024) {
        this.items = [];
        this.head = 0;
      }
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.items = q.slice(this.head);
      this.head = 0;
    }
  }
}

/** @internal */
export class Deadlines {
  private queues = new Map<number, Queue>();
  private timer: unknown = undefined;
  private timerDue = Infinity;
  private armedWith: typeof setTimeout | undefined = undefined;
  private clearWith: typeof clearTimeout | undefined = undefined;

  /** The queue last added to (most calls use one timeout value: no map lookup). */
  private lastMs = NaN;
  private lastQueue: Queue | undefined = undefined;

  /** Calls `item.expire()` after `ms` unless it has settled by then. */
  add(ms: number, item: Expirable): void {
    let q = ms === this.lastMs ? this.lastQueue : this.queues.get(ms);
    if (q === undefined) this.queues.set(ms, (q = new Queue()));
    else q.trim();
    this.lastMs = ms;
    this.lastQueue = q;
    const due = (item.due = Date.now() + ms);
    q.items.push(item);
    if (due < this.timerDue || globalThis.setTimeout !== this.armedWith) this.arm(due);
  }

  private arm(due: number): void {
    if (this.timer !== undefined) this.clearWith!(this.timer as ReturnType<typeof setTimeout>);
    this.armedWith = globalThis.setTimeout;
    this.clearWith = globalThis.clearTimeout;
    this.timerDue = due;
    const t = this.armedWith(() => this.fire(), Math.max(0, due - Date.now()));
    (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }

  private dropQueue(ms: number): void {
    this.queues.delete(ms);
    if (ms === this.lastMs) {
      this.lastMs = NaN;
      this.lastQueue = undefined;
    }
  }

  /** Drops every deadline and the timer (node shutdown). */
  clear(): void {
    if (this.timer !== undefined) this.clearWith!(this.timer as ReturnType<typeof setTimeout>);
    this.timer = undefined;
    this.timerDue = Infinity;
    this.queues.clear();
    this.lastMs = NaN;
    this.lastQueue = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    for (const [ms, q] of this.queues) {
      q.trim();
      if (q.head === q.items.length) this.dropQueue(ms);
    }
    if (this.queues.size === 0) return; // every call settled: nothing to time
    const now = Date.now();
    let next = Infinity;
    for (const [ms, q] of this.queues) {
      const items = q.items;
      while (q.head < items.length && items[q.head].due <= now) {
        const e = items[q.head];
        items[q.head++] = undefined as unknown as Entry;
        if (e.alive) e.expire();
      }
      q.trim();
      if (q.head < q.items.length) next = Math.min(next, q.items[q.head].due);
      else this.dropQueue(ms);
    }
    if (next !== Infinity) this.arm(next);
  }
}
