/**
 * The run queue and signal delivery of one node. The schedule space is OTP's
 * (docs/schedule-model.md): signals between one sender and one receiver stay
 * in order; everything else is free.
 *
 * - `fifo` mode: deterministic and fast. A message to a receiver with nothing
 *   in flight is put in its mailbox at once (a valid order: it lands right
 *   after the send, before anyone else acts); every other signal (exit, link,
 *   monitor, DOWN...) and every message sent while something is in flight
 *   waits in one global queue, interleaved with the process turns, so no
 *   signal ever lands inside its sender's call and per-pair order holds.
 * - controlled mode (`random`, and the explorers' strategies): every choice
 *   the guarantees leave open is a step: "run process <id>" (a turn, or its
 *   termination) or "land the head of pair <from>><to>". With `trace`, steps
 *   are taken one per macrotask, once the microtasks of the previous step have
 *   settled, so a step is a whole turn and everything it causes, and each step
 *   records what it touched, for race analysis. The choice is drawn from
 *   the seed, forced by a replay, or made by a `Chooser` (the explorers).
 */
import { setImmediate as realSetImmediate } from "timers";
import { Queue } from "./queue";

/** @internal Something the scheduler can run: a process with work to do. */
export interface Runnable {
  /** The process's id (names the step "run process <id>"). */
  readonly id: number;
  /** Does one turn of work (resume a receive, handle a bounded number of messages, terminate...). */
  run(): void;
}

/** How a node schedules: `fifo` (default) or `random` with a seed. */
export type ScheduleMode = "fifo" | "random";

/** Picks the next step of a controlled run (the explorers implement it). */
export interface Chooser {
  /**
   * Returns the index in `ids` (the enabled steps, oldest first: `R<pid>`
   * runs a process, `L<from>><to>` lands the head of a pair) of the step to
   * take as step number `step`.
   */
  choose(ids: readonly string[], step: number): number;
}

/** What one step of a traced controlled run did. */
export interface StepRecord {
  /** The step's identity: `R<pid>` or `L<from>><to>`. */
  readonly id: string;
  /** The enabled steps it was chosen from (oldest first). */
  readonly enabled: readonly string[];
  /** For a landing: the step during which the signal was sent (-1: before the first step). */
  readonly created: number;
  /** Shared state it touched: `w:<key>` (written) or `r:<key>` (read). */
  readonly keys: string[];
  /** For a landing: the sender, the receiver and what landed. */
  readonly delivery: Delivery | null;
}

const resolved = Promise.resolve();

/**
 * Controlled mode: microtask hops between two steps, so that the turn a step
 * started (an `await` chain) has settled before the next choice.
 */
const SETTLE_HOPS = 8;

/** The most choices a random run logs for replay and shrinking (about 8 MB). */
const MAX_CHOICES = 1 << 20;

/** Units of work (process turns, direct wake-ups) before yielding to the event loop. */
const WORK_PER_MACROTASK = 2048;

/** A small, fast, seedable PRNG (mulberry32): numbers in [0, 1) from a seed. */
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

/**
 * @internal A signal in flight (in fifo mode also an entry of the run queue).
 * Each kind is a subclass that says how it lands (`fire`) and how a chart
 * shows it (`what`): one object per signal, no closure.
 */
export abstract class Signal implements Runnable, InFlight {
  done = false;
  /** Its place on its pair: the pair's n-th signal (0-based). */
  index = 0;
  /** Race tracking: the observer's data (the sender's vector clock). */
  note: unknown = undefined;
  /** Set when posted: the scheduler, the pair, when it was sent (orders the enabled steps, oldest first) and during which step (traced runs). */
  sched: Scheduler | null = null;
  pq: PairQueue | null = null;
  seq = 0;
  created = -1;
  constructor(
    /** The receiver's id (negative for a reply slot). */
    readonly to: number,
  ) {}
  /** Lands: applies the signal to its receiver. */
  abstract fire(): void;
  /** The message, or the signal's description (`{ signal, reason }`) for charts and race reports. */
  abstract get what(): unknown;
  get id(): number {
    return this.pq!.actor;
  }
  get key(): string {
    return this.pq!.key;
  }
  get from(): number {
    return this.pq!.from;
  }
  get actor(): number {
    return this.pq!.actor;
  }
  run(): void {
    if (!this.done) this.sched!.landQueued(this);
  }
}

/** @internal A message in flight to a receiver (a process, or a reply slot). */
export class MessageSignal extends Signal {
  constructor(
    readonly receiver: { readonly id: number; deliver(m: unknown): void },
    readonly msg: unknown,
  ) {
    super(receiver.id);
  }
  fire(): void {
    this.receiver.deliver(this.msg);
  }
  get what(): unknown {
    return this.msg;
  }
}

/** @internal A rare signal whose landing is a callback (link and monitor set-up, noproc answers...). */
export class CallbackSignal extends Signal {
  constructor(
    to: number,
    private readonly fn: () => void,
    private readonly label: unknown,
  ) {
    super(to);
  }
  fire(): void {
    this.fn();
  }
  get what(): unknown {
    return this.label;
  }
}

/** A signal as a race observer sees it. */
export interface InFlight {
  /** Its pair, `<from>><actor>`, and its place there: together a stable name across reruns. */
  readonly key: string;
  readonly index: number;
  readonly from: number;
  /** The receiving actor (a process id; a reply slot's caller; 0 outside processes). */
  readonly actor: number;
  /** The receiver's own id (negative for a reply slot). */
  readonly to: number;
  readonly what: unknown;
  /** The observer's data. */
  note: unknown;
}

/** Watches a fifo run's signals (the preset's race detection). */
export interface RaceObserver {
  posted(s: InFlight): void;
  landed(s: InFlight): void;
  spawned(parent: number, child: number): void;
}

/** A rerun's reversal: `held` waits until `until` has landed (or nothing else can happen). */
export interface Hold {
  held: { key: string; index: number };
  until: { key: string; index: number };
}

/**
 * The signals in flight from one sender to one receiving actor, oldest
 * first. An emptied one stays in the index for its pair's next signal (no
 * map insert and delete per signal) until a sweep drops the idle ones.
 */
class PairQueue extends Queue<Signal> {
  /** A rerun holds its head back. */
  blocked = false;
  /** Its index in `pairs` while it holds signals; -1 while empty. */
  place = -1;
  private name: string | null = null;
  constructor(
    readonly from: number,
    /** The receiving actor: a process id, or for a reply slot the caller's (0 outside processes). */
    readonly actor: number,
  ) {
    super();
  }
  /** `<from>><actor>`: the pair's name in traces, races and replays. */
  get key(): string {
    return (this.name ??= this.from + ">" + this.actor);
  }
}

/** controlled: a runnable process, with when it became runnable. */
interface Ready {
  readonly r: Runnable;
  /** When it was made runnable (orders the enabled steps, oldest first). */
  readonly seq: number;
  /** traced: the step that made it runnable (-1: before the first step, or not traced). */
  readonly created: number;
}

/** Idle pair queues kept before a sweep may drop them (also: more than twice the busy ones). */
const IDLE_PAIRS = 1024;

/** One landed signal, for message sequence charts: `what` is the message, or a signal's description. */
export interface Delivery {
  /** The sender's id: a pid's id, 0 for code outside any process, 2^40 + the timer ref's id for a timer. */
  from: number;
  /** The receiver's id: a pid's id, or a negative id for a receiver that is not a process (a call's reply slot, a start's acknowledgement). */
  to: number;
  /** What landed: the message, or a signal's description (`{ signal, reason }`). */
  what: unknown;
}

/** @internal The actor a receiver belongs to: itself for a process, its owner for a reply slot (0: outside processes). */
export function actorOf(r: { readonly id: number; readonly actor?: number }): number {
  return r.actor ?? (r.id > 0 ? r.id : 0);
}

/** @internal The run queue and signal delivery of one node. */
export class Scheduler {
  /** Controlled mode: every open choice is a step (random, replay, or a chooser's). */
  readonly random: boolean;
  /** fifo without race tracking: a message to a pair with nothing in flight is put in place at once. */
  private direct: boolean;
  private readonly rand: () => number;
  /** fifo: the run queue (processes and signals). */
  private readonly queue = new Queue<Runnable>();
  /** controlled: the runnable processes, oldest first. */
  private readonly ready = new Queue<Ready>();
  private armed = false;
  private work = 0;
  /** Signals in flight (fifo: while > 0, messages are queued too, to keep per-pair order). */
  private inflight = 0;
  /** The pairs with signals in flight. */
  private pairs: PairQueue[] = [];
  /** Every pair queue, busy or idle, by receiving actor, then sender. */
  private pairIndex = new Map<number, Map<number, PairQueue>>();
  /** Idle pair queues in the index. */
  private idlePairs = 0;
  private seq = 0;
  /** controlled: the choices made so far (the option index of each), for replay and shrinking; null when nobody will read them. */
  choices: number[] | null;
  private stopped = false;
  private readonly drainFn = () => this.drain();
  private hops = 0;
  /** controlled: the last step resumed JavaScript code (a body, a caller): let it settle. */
  settle = false;
  private readonly hopFn = (): void => {
    if (--this.hops > 0) resolved.then(this.hopFn);
    else this.stepFn();
  };
  private readonly stepFn = () => {
    this.armed = false;
    this.inPass = true;
    try {
      this.step();
    } finally {
      this.endPass();
    }
  };
  /** A pass (a fifo drain, or a controlled step) is under way. */
  private inPass = false;
  /** Called at the end of every pass (the node starts its call deadlines there). */
  onPassEnd: (() => void) | null = null;
  /** Steps taken (controlled mode). */
  steps = 0;
  /** controlled, traced (set before the first step): what each step did. */
  trace: StepRecord[] | null = null;
  private current: StepRecord | null = null;
  /**
   * Called when the node runs out of work: a controlled run with no step
   * left, a fifo drain that emptied the run queue (the Jest preset's deadlock
   * check; nothing is set on a node outside tests).
   */
  onIdle: (() => void) | null = null;

  constructor(
    mode: ScheduleMode,
    readonly seed: number,
    /** controlled: forced choices (replay of a recorded or shrunk schedule); past its end, 0. */
    private readonly forced?: readonly number[],
    /** controlled: picks every step instead of the seed. */
    readonly chooser?: Chooser,
    /** Keep the choice log (for replay and shrinking; bounded). */
    keepChoices = false,
  ) {
    this.random = mode === "random" || chooser !== undefined;
    this.direct = !this.random;
    this.rand = prng(seed);
    this.choices = this.random && keepChoices ? [] : null;
  }

  /**
   * Plain fifo (no race tracking) with no signal in flight: a step that
   * nothing could come before may be taken at once.
   */
  get immediate(): boolean {
    return this.direct && this.inflight === 0;
  }

  /** A random integer in [0, n), drawn from the seed or the forced schedule (0 in fifo mode). */
  pick(n: number): number {
    if (!this.random || n <= 1) return 0;
    const at = this.picks++;
    const i =
      this.forced === undefined
        ? Math.floor(this.rand() * n)
        : at < this.forced.length
          ? this.forced[at] % n
          : 0;
    const log = this.choices;
    if (log !== null) {
      // Bounded: past MAX_CHOICES the log is dropped (the seed alone still replays the run).
      if (log.length < MAX_CHOICES) log.push(i);
      else this.choices = null;
    }
    return i;
  }
  private picks = 0;

  /** Makes `r` runnable. The caller guarantees it is not queued already. */
  enqueue(r: Runnable): void {
    if (!this.random) this.queue.push(r);
    else
      this.ready.push({
        r,
        seq: this.seq++,
        created: this.current !== null ? this.steps - 1 : -1,
      });
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
   * Sends signal `s` from `from` to its receiver (of actor `actor`): it lands
   * later, after the signals sent earlier on the same pair, never inside the
   * sender's call.
   */
  post(from: number, s: Signal, actor = s.to > 0 ? s.to : 0): void {
    if (this.stopped) return;
    let byFrom = this.pairIndex.get(actor);
    if (byFrom === undefined) this.pairIndex.set(actor, (byFrom = new Map()));
    let pq = byFrom.get(from);
    if (pq === undefined) byFrom.set(from, (pq = new PairQueue(from, actor)));
    else if (pq.place < 0) this.idlePairs--;
    if (pq.place < 0) {
      pq.place = this.pairs.length;
      this.pairs.push(pq);
    }
    s.sched = this;
    s.pq = pq;
    s.seq = this.seq++;
    if (this.current !== null) s.created = this.steps - 1;
    pq.push(s);
    this.inflight++;
    if (this.observer !== null) {
      // Stable names across reruns: the n-th signal ever sent on this pair.
      const key = pq.key;
      const n = this.pairCounts.get(key) ?? 0;
      this.pairCounts.set(key, n + 1);
      s.index = n;
      this.observer.posted(s);
    }
    if (!this.random) this.queue.push(s);
    this.arm();
  }

  /** Delivers `msg` to `to` from sender `from`: a direct call when nothing is in flight (fifo), else posted. */
  deliver(
    from: number,
    to: { readonly id: number; readonly actor?: number; deliver(m: unknown): void },
    msg: unknown,
  ): void {
    const actor = actorOf(to);
    if (this.direct && (this.inflight === 0 || this.clear(from, actor))) to.deliver(msg);
    else this.post(from, new MessageSignal(to, msg), actor);
  }

  /**
   * Sends a message whose delivery is `s` (checked when it lands): at once in
   * fifo mode when nothing is in flight on the pair, else posted.
   */
  message(from: number, s: Signal, actor = s.to > 0 ? s.to : 0): void {
    if (this.landsNow(from, actor)) s.fire();
    else this.post(from, s, actor);
  }

  /**
   * Would a message from `from` to actor `actor` be put in place at once
   * (`message`)? Then the caller may apply it directly, without making the signal.
   */
  landsNow(from: number, actor: number): boolean {
    return this.direct && (this.inflight === 0 || this.clear(from, actor));
  }

  /** Nothing in flight from `from` to actor `to`: a message may be put in place at once. */
  private clear(from: number, to: number): boolean {
    const pq = this.pairIndex.get(to)?.get(from);
    return pq === undefined || pq.place < 0;
  }

  /** Lands every in-flight signal from `from` to actor `to` now (PP-08: isAlive, exit to self). */
  flush(from: number, to: number): void {
    const pq = this.pairIndex.get(to)?.get(from);
    if (pq === undefined) return;
    while (pq.place >= 0) this.landHead(pq);
  }

  /** Lands every in-flight signal to actor `to`, from any sender (syncWith). */
  flushTo(to: number): void {
    for (let busy = true; busy;) {
      busy = false;
      const byFrom = this.pairIndex.get(to);
      if (byFrom === undefined) return;
      for (const pq of byFrom.values())
        if (pq.place >= 0) {
          busy = true;
          this.flush(pq.from, to);
        }
    }
  }

  /**
   * controlled: a process looks at its mailbox and finds nothing (a receive
   * with timeout 0): whether one of the signals in flight to it lands first
   * is a recorded choice. True if one landed (look again).
   */
  landSomeTo(to: number): boolean {
    if (this.chooser !== undefined) return false; // explorers reorder the whole turn instead
    const ps = this.pairs.filter((q) => q.actor === to);
    if (ps.length === 0) return false;
    ps.sort((a, b) => a.at(0).seq - b.at(0).seq);
    const i = this.pick(ps.length + 1);
    if (i === 0) return false;
    this.landHead(ps[i - 1]);
    return true;
  }

  /** When set, every landed signal is recorded here (for charts). */
  recording: Delivery[] | null = null;

  /** Lands the head of `pq`. */
  landHead(pq: PairQueue): void {
    pq.blocked = false;
    const s = pq.shift();
    if (pq.length === 0) this.dropPair(pq);
    s.done = true;
    this.inflight--;
    this.recording?.push({ from: pq.from, to: s.to, what: s.what });
    if (this.observer !== null) {
      this.observer.landed(s);
      const h = this.hold;
      if (h !== null && s.index === h.until.index && pq.key === h.until.key) this.release();
    }
    if (this.current !== null) {
      this.touch("m:" + pq.actor, true);
      if (isSignalLabel(s.what) || pq.actor === 0) this.touch("a:" + pq.actor, true);
    }
    if (s.to < 0 || pq.actor === 0) this.settle = true; // a reply slot resumes its caller
    s.fire();
  }

  /** Race tracking (fifo): every signal is seen posted and landed, and none is put in place at once. */
  observer: RaceObserver | null = null;
  private hold: Hold | null = null;
  private pairCounts = new Map<string, number>();
  private heldBack: Signal[] = [];
  private releaseArmed = false;

  /** Starts race tracking (fifo mode, before any work); with `hold`, a rerun that reverses one race. */
  track(observer: RaceObserver, hold: Hold | null = null): void {
    this.observer = observer;
    this.direct = false;
    this.hold = hold;
  }

  /** fifo: lands a queued signal, unless a rerun's hold keeps its pair back. */
  landQueued(s: Signal): void {
    const pq = s.pq!;
    if (this.hold !== null) {
      const h = this.hold.held;
      if (pq.blocked || (pq.at(0) === s && s.index === h.index && pq.key === h.key)) {
        pq.blocked = true;
        this.heldBack.push(s);
        return;
      }
    }
    this.landHead(pq);
  }

  private release(): void {
    this.hold = null;
    const back = this.heldBack;
    this.heldBack = [];
    for (const s of back) {
      s.pq!.blocked = false;
      this.queue.push(s);
    }
    this.arm();
  }

  /** Records that the current step read or wrote shared state `key` (traced runs only). */
  touch(key: string, write: boolean): void {
    this.current?.keys.push((write ? "w:" : "r:") + key);
  }

  /** True when steps are traced (callers skip building keys otherwise). */
  get tracing(): boolean {
    return this.current !== null;
  }

  /** Lands every signal in flight now, oldest pair first (node shutdown: watchers hear of the deaths). */
  flushAll(): void {
    while (this.pairs.length > 0) this.landHead(this.pairs[0]);
  }

  /** Stops all further work (node shutdown). */
  stop(): void {
    this.stopped = true;
    this.queue.clear();
    this.ready.clear();
    this.pairs = [];
    this.pairIndex.clear();
    this.idlePairs = 0;
    this.inflight = 0;
    this.current = null;
  }

  /** Nothing to run and nothing in flight (none held back by a rerun either). */
  get idle(): boolean {
    return this.pending === 0 && this.inflight === 0;
  }

  /** Number of runnable processes and in-flight signals. */
  get pending(): number {
    return this.random ? this.ready.length + this.pairs.length : this.queue.length;
  }

  /** `pq` has nothing in flight any more: it leaves `pairs` and stays in the index, idle. */
  private dropPair(pq: PairQueue): void {
    const last = this.pairs.pop()!;
    if (last !== pq) {
      this.pairs[pq.place] = last;
      last.place = pq.place;
    }
    pq.place = -1;
    if (++this.idlePairs > IDLE_PAIRS && this.idlePairs > 2 * this.pairs.length) this.sweep();
  }

  /** Drops the idle pair queues from the index (amortised O(1) per signal). */
  private sweep(): void {
    for (const [actor, byFrom] of this.pairIndex) {
      for (const [from, pq] of byFrom) if (pq.place < 0) byFrom.delete(from);
      if (byFrom.size === 0) this.pairIndex.delete(actor);
    }
    this.idlePairs = 0;
  }

  private arm(): void {
    if (this.armed || this.stopped) return;
    this.armed = true;
    if (this.random) {
      // Traced runs take one step per macrotask (a step is then everything it causes).
      if (this.trace !== null) realSetImmediate(this.stepFn);
      else if (this.work >= WORK_PER_MACROTASK)
        realSetImmediate(() => {
          this.work = 0;
          this.stepFn();
        });
      else if (this.settle) {
        // Let the last step's turn settle first (its awaits take a few microtask hops).
        this.settle = false;
        this.hops = SETTLE_HOPS;
        resolved.then(this.hopFn);
      } else resolved.then(this.stepFn);
    } else if (this.work >= WORK_PER_MACROTASK) {
      realSetImmediate(() => {
        this.work = 0;
        this.drain();
      });
    } else resolved.then(this.drainFn); // not queueMicrotask: Jest's fake timers replace it
  }

  /**
   * Makes sure a pass (a fifo drain, or a controlled step) ends soon, and
   * with it `onPassEnd` runs: the current one, else one arranged now.
   */
  requestPass(): void {
    if (!this.inPass) this.arm();
  }

  private endPass(): void {
    this.inPass = false;
    if (this.onPassEnd !== null && !this.stopped) this.onPassEnd();
  }

  private drain(): void {
    this.armed = false;
    if (this.stopped) return;
    this.inPass = true;
    const q = this.queue;
    try {
      while (q.length > 0) {
        q.shift().run();
        if (this.stopped) return; // the node was shut down from inside a process
        if (++this.work >= WORK_PER_MACROTASK) break;
      }
    } finally {
      this.endPass();
    }
    if (q.length > 0) this.arm();
    else if (this.heldBack.length > 0 && !this.releaseArmed) {
      // Once the microtasks have settled with nothing else to do, the held signal lands after all.
      this.releaseArmed = true;
      realSetImmediate(() => {
        this.releaseArmed = false;
        if (q.length === 0 && this.heldBack.length > 0 && !this.stopped) this.release();
      });
    }
    if (q.length === 0) this.onIdle?.();
  }

  /** controlled: one step (run a process, or land the head of a pair), then re-arm. */
  private step(): void {
    if (this.stopped) return;
    const ready = this.ready;
    const runnable = ready.length;
    const n = runnable + this.pairs.length;
    if (n === 0) {
      this.current = null;
      this.onIdle?.();
      return;
    }
    // The enabled steps, oldest first: runnables are kept in order; pairs by their head's age.
    // (A seeded draw needs no order: any fixed one replays.)
    if (this.forced === undefined && this.chooser === undefined && this.trace === null) {
      const i = this.pick(n);
      this.steps++;
      this.work++;
      if (i >= runnable) this.landHead(this.pairs[i - runnable]);
      else ready.takeAt(i).r.run();
      this.arm();
      return;
    }
    const ps = this.pairs.slice().sort((a, b) => a.at(0).seq - b.at(0).seq);
    const order: Array<Ready | PairQueue> = [];
    for (let i = 0, j = 0; i < runnable || j < ps.length;) {
      if (j >= ps.length || (i < runnable && ready.at(i).seq < ps[j].at(0).seq))
        order.push(ready.at(i++));
      else order.push(ps[j++]);
    }
    const traced = this.trace !== null;
    let ids: string[] | null = null;
    if (this.chooser !== undefined || traced) ids = order.map(stepId);
    const i = this.chooser !== undefined ? this.chooser.choose(ids!, this.steps) : this.pick(n);
    const chosen = order[i];
    if (traced) {
      const rec: StepRecord = {
        id: ids![i],
        enabled: ids!,
        created: chosen instanceof PairQueue ? chosen.at(0).created : chosen.created,
        keys: [],
        delivery: null,
      };
      this.trace!.push(rec);
      this.current = rec;
    }
    this.steps++;
    this.work++;
    if (chosen instanceof PairQueue) {
      const rec = this.current;
      const before = this.recording?.length ?? 0;
      this.landHead(chosen);
      if (rec !== null && this.recording !== null && this.recording.length > before)
        (rec as { delivery: Delivery | null }).delivery = this.recording[before];
    } else {
      ready.takeAt(ready.indexOf(chosen));
      if (this.current !== null) this.touch("a:" + chosen.r.id, true);
      chosen.r.run();
    }
    this.arm();
  }
}

function stepId(x: Ready | PairQueue): string {
  return x instanceof PairQueue ? "L" + x.key : "R" + x.r.id;
}

function isSignalLabel(what: unknown): boolean {
  return what !== null && typeof what === "object" && "signal" in what;
}
