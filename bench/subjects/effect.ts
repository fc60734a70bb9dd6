/**
 * The workloads on Effect (https://effect.website), v4. Effect has no actor
 * type: its unit of concurrency is the fiber, and the actor idiom is a fiber
 * looping on a `Queue` (its mailbox), answering requests through a
 * `Deferred`, its exit observed with `Fiber.await`. Each run is one
 * `Effect.runPromise` of an `Effect.gen` program; the fibers it forks
 * (`Effect.forkChild`) are its children and are interrupted when it ends.
 *
 * Sends from inside a fiber use `Queue.offerUnsafe` (synchronous, as
 * otpkit's `self.send`; the queues are unbounded, so `Queue.offer` would
 * never suspend either, but costs an effect per message), and replies
 * `Deferred.doneUnsafe`. Fibers run on Effect's default scheduler (batches
 * of ready fibers per `setImmediate`, a fiber yields after 2,048 steps).
 *
 * effect is an ES module only: it is loaded with `import()` on first use.
 */
import { collectGarbage, now, settledHeap } from "../clock";
import type { Subject } from "../types";

type Fx = typeof import("effect", { with: { "resolution-mode": "import" } });
type Queue<A> = import("effect", { with: { "resolution-mode": "import" } }).Queue.Queue<A>;
type Deferred<A> = import("effect", { with: { "resolution-mode": "import" } }).Deferred.Deferred<A>;
type Fiber<A> = import("effect", { with: { "resolution-mode": "import" } }).Fiber.Fiber<A>;

let loaded: Fx | undefined;
async function fx(): Promise<Fx> {
  return (loaded ??= await import("effect"));
}

const STOP = "stop";

/**
 * Forks `n` fibers, each with an unbounded queue as its mailbox, each of
 * which counts itself as started and then blocks in `Queue.take`; resolves
 * (as an effect) when all have, with the time then and the fibers.
 */
function spawnIdle({ Effect, Queue, Deferred }: Fx, n: number) {
  return Effect.gen(function* () {
    let started = 0;
    const all = Deferred.makeUnsafe<number>();
    const body = (mailbox: Queue<unknown>) =>
      Effect.suspend(() => {
        if (++started === n) Deferred.doneUnsafe(all, Effect.succeed(now()));
        return Queue.take(mailbox);
      });
    const table: Fiber<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) table[i] = yield* Effect.forkChild(body(yield* Queue.unbounded()));
    return { table, allStarted: yield* Deferred.await(all) };
  });
}

/** spawn_us: a fiber and its mailbox queue per process, forked until all block in `Queue.take`. */
async function spawnUs(n: number): Promise<number> {
  const f = await fx();
  return f.Effect.runPromise(
    f.Effect.gen(function* () {
      const t0 = now();
      const { allStarted } = yield* spawnIdle(f, n);
      return ((allStarted - t0) * 1000) / n;
    }),
  );
}

/** bytes_per_process: the same, heap measured before and once all are blocked. */
async function bytesPerProcess(n: number): Promise<number> {
  const f = await fx();
  return f.Effect.runPromise(
    f.Effect.gen(function* () {
      const before = settledHeap();
      const { table } = yield* spawnIdle(f, n);
      const after = settledHeap();
      if (table.length !== n) throw new Error("lost fibers");
      return (after - before) / n;
    }),
  );
}

/**
 * oneway_msgs_per_s: a sender fiber offers `n` numbers to the receiver's
 * queue; the receiver fiber takes them one `Queue.take` at a time (the
 * `receive` of a fiber), until it has seen them all.
 */
async function onewayMsgsPerS(n: number): Promise<number> {
  const { Effect, Queue, Fiber } = await fx();
  return Effect.runPromise(
    Effect.gen(function* () {
      const mailbox = yield* Queue.unbounded<number>();
      let t0 = 0;
      const receiver = yield* Effect.forkChild(
        Effect.gen(function* () {
          for (let seen = 0; seen < n; seen++) yield* Queue.take(mailbox);
          return now();
        }),
      );
      yield* Effect.forkChild(
        Effect.sync(() => {
          t0 = now();
          for (let i = 0; i < n; i++) Queue.offerUnsafe(mailbox, i);
        }),
      );
      const t1 = yield* Fiber.join(receiver);
      return n / ((t1 - t0) / 1000);
    }),
  );
}

interface Req {
  reply: Deferred<number>;
  i: number;
}

/**
 * roundtrip_per_s: fiber to fiber: the client offers `{ reply, i }` to the
 * server's queue, `reply` a fresh `Deferred`, and awaits it; the server
 * loops taking a request and completing its Deferred with `i`. (Effect's
 * request/response idiom, and the loop's: a promise per request. Replying
 * into a queue of the client's own, as otpkit's processes do, is about six
 * times slower here: a fiber woken in `Queue.take` waits for a scheduler
 * turn.)
 */
async function roundtripPerS(n: number): Promise<number> {
  const { Effect, Queue, Deferred, Fiber } = await fx();
  return Effect.runPromise(
    Effect.gen(function* () {
      const serverBox = yield* Queue.unbounded<Req>();
      yield* Effect.forkChild(
        Effect.gen(function* () {
          for (;;) {
            const m = yield* Queue.take(serverBox);
            Deferred.doneUnsafe(m.reply, Effect.succeed(m.i));
          }
        }),
      );
      const client = yield* Effect.forkChild(
        Effect.gen(function* () {
          const t0 = now();
          for (let i = 0; i < n; i++) {
            const reply = Deferred.makeUnsafe<number>();
            Queue.offerUnsafe(serverBox, { reply, i });
            if ((yield* Deferred.await(reply)) !== i) throw new Error("wrong reply");
          }
          return now() - t0;
        }),
      );
      const elapsed = yield* Fiber.join(client);
      return n / (elapsed / 1000);
    }),
  );
}

/**
 * down_us: Effect's exit notification is `Fiber.await` (the fiber's `Exit`,
 * whatever ended it). The owner fiber forks `n` targets (each blocked in
 * `Queue.take` on its mailbox); one at a time, it offers STOP, the target
 * notes the time and returns, and the owner resumes from `Fiber.await`.
 */
async function downUs(n: number): Promise<number> {
  const { Effect, Queue, Deferred, Fiber } = await fx();
  return Effect.runPromise(
    Effect.gen(function* () {
      let exitAt = 0;
      let ready = 0;
      const allReady = Deferred.makeUnsafe<void>();
      const mailboxes: Queue<string>[] = new Array(n);
      const fibers: Fiber<void>[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const mailbox = (mailboxes[i] = yield* Queue.unbounded<string>());
        fibers[i] = yield* Effect.forkChild(
          Effect.gen(function* () {
            if (++ready === n) Deferred.doneUnsafe(allReady, Effect.void);
            yield* Queue.take(mailbox);
            exitAt = now();
          }),
        );
      }
      yield* Deferred.await(allReady);
      collectGarbage(); // the set-up's, as for otpkit
      let total = 0;
      for (let i = 0; i < n; i++) {
        Queue.offerUnsafe(mailboxes[i], STOP);
        yield* Fiber.await(fibers[i]);
        total += now() - exitAt;
      }
      return (total * 1000) / n;
    }),
  );
}

// ---- the GenServer workloads, on a server fiber ----

type BenchMsg =
  | { type: "echo"; i: number; reply: Deferred<number> }
  | { type: "get"; reply: Deferred<number> }
  | { type: "inc" };

/**
 * The counter that echoes calls (as `Bench` in otpkit.ts): a fiber looping
 * on its queue, its count in a local; a call carries a `Deferred` the server
 * completes. Returns the server's queue and `call`, an effect that offers a
 * request with a fresh Deferred and awaits it.
 */
function startBench({ Effect, Queue, Deferred }: Fx) {
  return Effect.gen(function* () {
    const q = yield* Queue.unbounded<BenchMsg>();
    yield* Effect.forkChild(
      Effect.gen(function* () {
        let n = 0;
        for (;;) {
          const m = yield* Queue.take(q);
          if (m.type === "inc") n++;
          else Deferred.doneUnsafe(m.reply, Effect.succeed(m.type === "echo" ? m.i : n));
        }
      }),
    );
    const call = (type: "echo" | "get", i = 0) =>
      Effect.suspend(() => {
        const reply = Deferred.makeUnsafe<number>();
        Queue.offerUnsafe(q, type === "echo" ? { type, i, reply } : { type, reply });
        return Deferred.await(reply);
      });
    return { q, call };
  });
}

/**
 * call_per_s: sequential calls from the program's own fiber (in Effect, the
 * calling code is itself an effect: calling from outside would cost an
 * `Effect.runPromise`, a fiber, per call).
 */
async function callPerS(n: number): Promise<number> {
  const f = await fx();
  return f.Effect.runPromise(
    f.Effect.gen(function* () {
      const { call } = yield* startBench(f);
      const t0 = now();
      for (let i = 0; i < n; i++)
        if ((yield* call("echo", i)) !== i) throw new Error("wrong reply");
      return n / ((now() - t0) / 1000);
    }),
  );
}

/** cast_per_s: `{ type: "inc" }` offered n times, then one call for the count. */
async function castPerS(n: number): Promise<number> {
  const f = await fx();
  const { Effect, Queue } = f;
  return Effect.runPromise(
    Effect.gen(function* () {
      const { q, call } = yield* startBench(f);
      const t0 = now();
      for (let i = 0; i < n; i++) Queue.offerUnsafe(q, { type: "inc" });
      if ((yield* call("get")) !== n) throw new Error("lost casts");
      return n / ((now() - t0) / 1000);
    }),
  );
}

export const effect: Subject = {
  name: "effect",
  about:
    "typed effects and fibers; no actor type. The actor idiom: a fiber looping on a `Queue`" +
    " (its mailbox, `Queue.take` as receive), a `Deferred` per reply, `Fiber.await` for exits." +
    " The default scheduler runs ready fibers in batches, one `setImmediate` per batch.",
  notes: {
    spawn_us:
      "`Effect.forkChild` of a fiber blocked in `Queue.take` on its own unbounded queue, until" +
      " all are blocked.",
    bytes_per_process: "the same fibers and queues, children of the program's fiber.",
    oneway_msgs_per_s:
      "a sender fiber `Queue.offerUnsafe`s the numbers; the receiver fiber takes them one" +
      " `Queue.take` at a time. (`Queue.takeAll`, draining the queue in one step, is several" +
      " times faster but is a batch read, not a receive per message.)",
    roundtrip_per_s:
      "fiber to fiber: the client offers `{ reply, i }` (`reply` a fresh `Deferred`) to the" +
      " server's queue and awaits it; the server loops take / complete. (Replying into the" +
      " client's own queue instead is about 6× slower: a fiber woken in `Queue.take` waits" +
      " for a scheduler turn.)",
    down_us:
      "`Fiber.await(target)` in the owner fiber; the target, blocked in `Queue.take`, gets STOP," +
      " notes the time and returns.",
    call_per_s:
      "a server fiber over a queue, a `Deferred` per call; the calls are made from the" +
      " program's fiber (from outside Effect, each would cost an `Effect.runPromise`).",
    cast_per_s: "`Queue.offerUnsafe(q, { type: 'inc' })` n times, then one call for the count.",
  },
  workloads: {
    spawn_us: spawnUs,
    bytes_per_process: bytesPerProcess,
    oneway_msgs_per_s: onewayMsgsPerS,
    roundtrip_per_s: roundtripPerS,
    down_us: downUs,
    call_per_s: callPerS,
    cast_per_s: castPerS,
  },
};
