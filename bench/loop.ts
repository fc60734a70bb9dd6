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

// ---- a hand-written server: the yardstick for GenServer ----

/** A call handler: returns the reply and the new state. */
export type LoopCallHandler<S> = (arg: any, state: S) => { reply: unknown; state: S };
/** A cast or info handler: returns the new state. */
export type LoopCastHandler<S> = (arg: any, state: S) => S;

/**
 * What a hand-written server is made of: an init and a handler object, one
 * handler per call name and per cast name, and one for every other message.
 */
export interface LoopServerSpec<S, A> {
  init(arg: A): S;
  handleCall: Record<string, LoopCallHandler<S>>;
  handleCast: Record<string, LoopCastHandler<S>>;
  handleInfo?: LoopCastHandler<S>;
}

/** A call as the server receives it: the handler name, its argument, and how to answer. */
export class LoopCall {
  constructor(
    readonly name: string,
    readonly arg: unknown,
    readonly reply: (r: unknown) => void,
  ) {}
}

/** A cast as the server receives it. */
export class LoopCast {
  constructor(
    readonly name: string,
    readonly arg: unknown,
  ) {}
}

/** The server's first message: run `init`, then acknowledge the start. */
class LoopInit {
  constructor(
    readonly arg: unknown,
    readonly ack: () => void,
  ) {}
}

/**
 * A GenServer written by hand on `Actor`: a handler per message, looked up
 * by name, no result objects (a handler returns the new state, a call
 * handler `{ reply, state }`), no sys, no timeouts, no monitors. One handler
 * function is shared by all servers (no closure per server).
 */
export class LoopServer<S = any, A = any> extends Actor<unknown> {
  state!: S;
  constructor(readonly spec: LoopServerSpec<S, A>) {
    super(serve as Handler<unknown>);
  }
}

function serve(m: unknown, self: Actor<unknown>): void {
  const s = self as LoopServer;
  const spec = s.spec;
  if (m instanceof LoopCall) {
    const r = spec.handleCall[m.name](m.arg, s.state);
    s.state = r.state;
    m.reply(r.reply);
  } else if (m instanceof LoopCast) s.state = spec.handleCast[m.name](m.arg, s.state);
  else if (m instanceof LoopInit) {
    s.state = spec.init(m.arg);
    m.ack();
  } else if (spec.handleInfo !== undefined) s.state = spec.handleInfo(m, s.state);
}

/** Starts a server; resolves once its `init` has run in its first turn. */
export function startServer<S, A>(spec: LoopServerSpec<S, A>, arg: A): Promise<LoopServer<S, A>> {
  return new Promise((resolve) => {
    const s = new LoopServer(spec);
    s.send(new LoopInit(arg, () => resolve(s)));
  });
}

/** Calls handler `name` of `server` with `arg`; resolves with the reply. */
export function callServer(server: LoopServer, name: string, arg?: unknown): Promise<unknown> {
  return new Promise((reply) => server.send(new LoopCall(name, arg, reply)));
}

/** Casts to handler `name` of `server`. */
export function castServer(server: LoopServer, name: string, arg?: unknown): void {
  server.send(new LoopCast(name, arg));
}
