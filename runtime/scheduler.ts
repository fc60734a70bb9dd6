/**
 * The run queue and signal delivery of one node.
 *
 * - `fifo` mode: deterministic. Signals are delivered at once (a worklist
 *   keeps termination cascades iterative); runnable processes run in the
 *   order they became runnable.
 * - `random` mode: every choice the guarantees leave open is drawn from the
 *   seed: which runnable process goes next, and when each in-flight signal
 *   lands. Signals wait in one queue per sender→receiver pair, so per-pair
 *   order always holds.
 *
 * Work is done in microtasks; after a bounded amount the scheduler continues
 * in a macrotask (`setImmediate`), so timers and I/O are never starved.
 */
import { setImmediate as realSetImmediate } from "timers";

/** @internal Something the scheduler can run: a process with work to do. */
export interface Runnable {
  /** Does one turn of work (resume a receive, handle a bounded number of messages...). */
  run(): void;
}

/** How a node schedules: `fifo` (default) or `random` with a seed. */
export type ScheduleMode = "fifo" | "random";

const resolved = Promise.resolve();

/** Units of work (process turns, direct wake-ups) before yielding to the event loop. */
const WORK_PER_MACROTASK = 2048;

/** @internal A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PairQueue {
  key: string;
  from: number;
  to: number;
  items: Array<() => void>;
  whats: unknown[];
  /** Index of the next signal to land (no O(n) shift). */
  head: number;
}

/** One landed signal, for message sequence charts: `what` is the message, or a signal's description. */
export interface Delivery {
  /** The sender's id: a pid's id, 0 for code outside any process, 2^40 + the timer ref's id for a timer. */
  from: number;
  /** The receiver's id: a pid's id, or a negative id for a receiver that is not a process (a call's reply slot, a start's acknowledgement). */
  to: number;
  /** What landed: the message, or a signal's description (`{ signal, reason }`). */
  what: unknown;
}

/** @internal Describes a non-message signal in a `Delivery`. */
export interface SignalLabel {
  signal: "exit" | "EXIT" | "DOWN";
  reason: unknown;
}

/** @internal */
export class Scheduler {
  readonly random: boolean;
  private readonly rand: () => number;
  /** fifo: the run queue (array + head). random: the runnable set. */
  private queue: Runnable[] = [];
  private head = 0;
  private armed = false;
  private work = 0;
  /** fifo: signals posted while delivering, done before returning to the sender. */
  private delivering = false;
  private worklist: Array<() => void> = [];
  /** random: in-flight signals, one queue per sender→receiver pair. */
  private pairs: PairQueue[] = [];
  private pairIndex = new Map<string, PairQueue>();
  /** random: the choices made so far (the option index of each), for replay and shrinking. */
  readonly choices: number[] = [];
  private stopped = false;
  private readonly drainFn = () => this.drain();

  constructor(
    mode: ScheduleMode,
    readonly seed: number,
    /** random: forced choices (replay of a recorded or shrunk schedule); past its end, 0. */
    private readonly forced?: readonly number[],
  ) {
    this.random = mode === "random";
    this.rand = prng(seed);
  }

  /** A random integer in [0, n), drawn from the seed or the forced schedule (0 in fifo mode). */
  pick(n: number): number {
    if (!this.random || n <= 1) return 0;
    const k = this.choices.length;
    const i =
      this.forced === undefined
        ? Math.floor(this.rand() * n)
        : k < this.forced.length
          ? this.forced[k] % n
          : 0;
    this.choices.push(i);
    return i;
  }

  /** Makes `r` runnable. The caller guarantees it is not queued already. */
  enqueue(r: Runnable): void {
    this.queue.push(r);
    this.arm();
  }

  /**
   * Counts one unit of work done outside the run queue (a direct wake-up);
   * false when the budget is spent and the caller should enqueue instead.
   */
  spend(): boolean {
    if (this.random || this.work >= WORK_PER_MACROTASK) return false;
    this.work++;
    return true;
  }

  /**
   * Delivers a signal from `from` to the receiver named `to`: at once in fifo
   * mode (after any delivery in progress), later in random mode.
   */
  post(from: number, to: number, deliver: () => void, what: unknown): void {
    if (this.random) {
      const key = from + ">" + to;
      let pq = this.pairIndex.get(key);
      if (pq === undefined) {
        pq = { key, from, to, items: [], whats: [], head: 0 };
        this.pairIndex.set(key, pq);
        this.pairs.push(pq);
      }
      pq.items.push(deliver);
      pq.whats.push(what);
      this.arm();
      return;
    }
    if (this.delivering) {
      this.worklist.push(deliver);
      return;
    }
    this.delivering = true;
    try {
      deliver();
      for (let i = 0; i < this.worklist.length; i++) this.worklist[i]();
    } finally {
      this.worklist.length = 0;
      this.delivering = false;
    }
  }

  /** Delivers `msg` to `to` from sender `from`: a direct call when nothing is in flight (fifo), else posted. */
  deliver(from: number, to: { id: number; deliver(m: unknown): void }, msg: unknown): void {
    if (!this.random && !this.delivering) to.deliver(msg);
    else this.post(from, to.id, () => to.deliver(msg), msg);
  }

  /** True while a fifo delivery is in progress (direct sends must then be posted). */
  get busy(): boolean {
    return this.delivering;
  }

  /** random: delivers now every in-flight signal from `from` to `to` (PP-08). */
  flush(from: number, to: number): void {
    const pq = this.pairIndex.get(from + ">" + to);
    if (pq === undefined) return;
    this.dropPair(pq);
    for (let i = pq.head; i < pq.items.length; i++) this.land(pq, i);
  }

  /** random: delivers now every in-flight signal to `to`, from any sender (syncWith). */
  flushTo(to: number): void {
    for (;;) {
      const pq = this.pairs.find((q) => q.to === to);
      if (pq === undefined) return;
      this.flush(pq.from, to);
    }
  }

  /** When set, every landed signal in random mode is recorded here (for charts). */
  recording: Delivery[] | null = null;

  private land(pq: PairQueue, i: number): void {
    const d = pq.items[i];
    const what = pq.whats[i];
    pq.items[i] = undefined as unknown as () => void;
    pq.whats[i] = undefined;
    this.recording?.push({ from: pq.from, to: pq.to, what });
    d();
  }

  /** Stops all further work (node shutdown). */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.pairs = [];
    this.pairIndex.clear();
  }

  /** Number of runnable processes and in-flight signals. */
  get pending(): number {
    return this.queue.length - this.head + this.pairs.length;
  }

  private dropPair(pq: PairQueue): void {
    this.pairIndex.delete(pq.key);
    const i = this.pairs.indexOf(pq);
    const last = this.pairs.pop()!;
    if (last !== pq) this.pairs[i] = last;
  }

  private arm(): void {
    if (this.armed || this.stopped) return;
    this.armed = true;
    if (this.work >= WORK_PER_MACROTASK) {
      realSetImmediate(() => {
        this.work = 0;
        this.drain();
      });
    } else resolved.then(this.drainFn); // not queueMicrotask: Jest's fake timers replace it
  }

  private drain(): void {
    this.armed = false;
    if (this.stopped) return;
    if (this.random) return this.step();
    const q = this.queue;
    while (this.head < q.length) {
      const r = q[this.head];
      q[this.head++] = undefined as unknown as Runnable;
      r.run();
      if (this.stopped) return; // the node was shut down from inside a process
      if (++this.work >= WORK_PER_MACROTASK) break;
    }
    if (this.head === q.length) {
      if (this.head >= 256) {
        this.queue = [];
        this.head = 0;
      }
    } else {
      if (this.head > 1024) {
        this.queue = q.slice(this.head);
        this.head = 0;
      }
      this.arm();
    }
  }

  /** random: one choice (run a process, or land one in-flight signal), then re-arm. */
  private step(): void {
    const runnable = this.queue.length;
    const n = runnable + this.pairs.length;
    if (n === 0) return;
    const i = this.pick(n);
    this.work++;
    if (i < runnable) {
      const r = this.queue[i];
      const last = this.queue.pop()!;
      if (i < this.queue.length) this.queue[i] = last;
      r.run();
    } else {
      const pq = this.pairs[i - runnable];
      const at = pq.head++;
      if (pq.head === pq.items.length) this.dropPair(pq);
      this.land(pq, at);
      if (pq.head > 1024 && pq.head * 2 > pq.items.length) {
        pq.items = pq.items.slice(pq.head);
        pq.whats = pq.whats.slice(pq.head);
        pq.head = 0;
      }
    }
    if (this.pending > 0) this.arm();
  }
}
