/**
 * The yardstick: a minimal actor loop, as one would write it by hand
 * without a runtime. An actor is an array queue and a handler; a send to an
 * idle actor queues one microtask, which handles the whole batch (messages
 * sent meanwhile included). A monitor is an entry in the target's watcher
 * list, told with a `LoopDown` when the target exits. A round trip is a
 * promise the client awaits and the server resolves.
 *
 * No scheduler, no fairness, no selective receive, no ordering machinery:
 * the least work an actor system can do, which is what otpkit is held to.
 */

/** Handles one message; `self` is the actor handling it. */
export type Handler<M> = (msg: M, self: Actor<M>) => void;

/** Sent to a monitor's owner when the monitored actor exits. */
export class LoopDown {
  constructor(
    readonly ref: number,
    readonly actor: Actor<any>,
    readonly reason: unknown,
  ) {}
}

/** A request whose reply settles the caller's promise. */
export interface Request<Q, R> {
  req: Q;
  reply: (r: R) => void;
}

interface Watcher {
  ref: number;
  owner: Actor<any>;
}

let nextRef = 1;

/**
 * Microtasks are queued as reactions to this settled promise: Node's
 * `queueMicrotask` wraps each callback in an AsyncResource and costs about
 * three times as much.
 */
const SETTLED = Promise.resolve();

export class Actor<M = unknown> {
  alive = true;
  private q: M[] = [];
  private head = 0;
  private scheduled = false;
  private watchers: Watcher[] | null = null;
  /** Created on the first send, reused for every batch. */
  private drainFn: (() => void) | null = null;

  constructor(private readonly handler: Handler<M>) {}

  /** Queues `m`; the first message of a batch queues the microtask that handles it. */
  send(m: M): void {
    if (!this.alive) return;
    this.q.push(m);
    if (this.scheduled) return;
    this.scheduled = true;
    void SETTLED.then((this.drainFn ??= () => this.drain()));
  }

  /** `this` watches `target`: it gets a `LoopDown` with the returned ref when `target` exits. */
  monitor(target: Actor<any>): number {
    const ref = nextRef++;
    if (target.alive) (target.watchers ??= []).push({ ref, owner: this });
    else this.send(new LoopDown(ref, target, "noproc") as M);
    return ref;
  }

  /** Ends this actor: its queue is dropped and its watchers are told. */
  exit(reason: unknown = "normal"): void {
    if (!this.alive) return;
    this.alive = false;
    this.q.length = 0;
    this.head = 0;
    const ws = this.watchers;
    this.watchers = null;
    if (ws !== null) for (const w of ws) w.owner.send(new LoopDown(w.ref, this, reason));
  }

  private drain(): void {
    const q = this.q;
    while (this.head < q.length && this.alive) {
      const m = q[this.head];
      q[this.head++] = undefined as M;
      this.handler(m, this);
    }
    q.length = 0;
    this.head = 0;
    this.scheduled = false;
  }
}

/** Sends `req` to `server` and resolves with its reply. */
export function call<Q, R>(server: Actor<Request<Q, R>>, req: Q): Promise<R> {
  return new Promise<R>((reply) => server.send({ req, reply }));
}
