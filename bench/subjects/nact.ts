/**
 * The workloads on nact (https://nact.xyz): actors spawned under an actor
 * system (`start()`), messages sent with `dispatch`, requests made with
 * `query` (a temporary reference the actor replies to, with a timeout).
 * Each run has a system of its own, stopped afterwards.
 *
 * How nact runs an actor: each message is handled in a `setImmediate` of its
 * own, and the handler's result is awaited (`await Promise.resolve(...)`),
 * so every message costs a macrotask and a promise; that is the library's
 * design, not something these workloads add.
 */
import { ActorSystemRef, Ref, dispatch, query, spawn, spawnStateless, start, stop } from "nact";
import { collectGarbage, now, settledHeap } from "../clock";
import type { Subject } from "../types";

const STOP = "stop";
/** nact's query needs a timeout; long enough never to fire here. */
const QUERY_TIMEOUT_MS = 60_000;

/**
 * Runs `body` against a fresh actor system and stops the system after, then
 * lets the callbacks nact has queued with setImmediate run (so they do not
 * land in the next subject's timing).
 */
async function onSystem<T>(body: (system: ActorSystemRef) => Promise<T>): Promise<T> {
  const system = start();
  try {
    return await body(system);
  } finally {
    stop(system);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * spawn_us / bytes_per_process: `spawnStateless(system, f, name)` — an actor
 * idles from its spawn (it has no body to start, as a handler process), so
 * the spawns are the whole cost. Names are given (`a0`, `a1`...): nact's
 * anonymous names are 32-bit random numbers, which collide (and throw) well
 * before 100,000 actors. The system keeps the actors (children map).
 */
function spawnIdle(system: ActorSystemRef, n: number): Ref<unknown>[] {
  const table: Ref<unknown>[] = new Array(n);
  const idle = () => {};
  for (let i = 0; i < n; i++) table[i] = spawnStateless(system, idle, `a${i}`);
  return table;
}

function spawnUs(n: number): Promise<number> {
  return onSystem(async (system) => {
    const t0 = now();
    const table = spawnIdle(system, n);
    const t1 = now();
    if (table.length !== n) throw new Error("lost actors");
    return ((t1 - t0) * 1000) / n;
  });
}

function bytesPerProcess(n: number): Promise<number> {
  return onSystem(async (system) => {
    const before = settledHeap();
    const table = spawnIdle(system, n);
    const after = settledHeap();
    if (table.length !== n) throw new Error("lost actors");
    return (after - before) / n;
  });
}

/**
 * oneway_msgs_per_s: a sender actor, on its first message, dispatches `n`
 * numbers to a receiver actor that counts them (a stateless actor each).
 */
function onewayMsgsPerS(n: number): Promise<number> {
  return onSystem(
    (system) =>
      new Promise((resolve) => {
        let t0 = 0;
        let seen = 0;
        const receiver = spawnStateless(system, (_i: number) => {
          if (++seen === n) resolve(n / ((now() - t0) / 1000));
        });
        const sender = spawnStateless(system, (_m: string) => {
          t0 = now();
          for (let i = 0; i < n; i++) dispatch(receiver, i);
        });
        dispatch(sender, "start");
      }),
  );
}

interface Req {
  from: Ref<number>;
  i: number;
}

/**
 * roundtrip_per_s: actor to actor, as otpkit's processes: the client
 * dispatches `{ from: itself, i }`, the server dispatches `i` back to
 * `from`, and the client's next message (the reply) sends the next request.
 */
function roundtripPerS(n: number): Promise<number> {
  return onSystem(
    (system) =>
      new Promise((resolve) => {
        const server = spawnStateless(system, (m: Req) => dispatch(m.from, m.i));
        let t0 = 0;
        let k = 0;
        const client = spawnStateless(system, (m: number | string, ctx) => {
          if (m === "start") t0 = now();
          else if (++k === n) return resolve(n / ((now() - t0) / 1000));
          dispatch(server, { from: ctx.self as Ref<number>, i: k });
        });
        dispatch(client, "start");
      }),
  );
}

/**
 * down_us: nact has no monitors. What it has is supervision (`onCrash`,
 * decided by the crashed actor itself or escalated to its parent) and the
 * `afterStop` hook, run after an actor stops. The equivalent of a monitor
 * is `afterStop` dispatching a DOWN to the owner: one at a time, the owner
 * dispatches STOP, the target notes the time and stops itself
 * (`stop(ctx.self)`), and the owner handles the DOWN.
 */
function downUs(n: number): Promise<number> {
  return onSystem(
    (system) =>
      new Promise((resolve) => {
        let exitAt = 0;
        let next = 0;
        let total = 0;
        const targets: Ref<string>[] = new Array(n);
        const owner = spawnStateless(system, (m: string) => {
          if (m === "down") {
            total += now() - exitAt;
            if (++next === n) resolve((total * 1000) / n);
            else dispatch(targets[next], STOP);
          }
        });
        const target = (state: undefined, m: string, ctx: { self: Ref<string> }) => {
          if (m === STOP) {
            exitAt = now();
            stop(ctx.self);
          }
          return state;
        };
        const afterStop = () => dispatch(owner, "down");
        for (let i = 0; i < n; i++) targets[i] = spawn(system, target, `t${i}`, { afterStop });
        collectGarbage(); // the set-up's, as for otpkit
        dispatch(targets[0], STOP);
      }),
  );
}

// ---- the GenServer workloads, on a stateful actor ----

type BenchMsg =
  | { type: "echo"; i: number; sender: Ref<number> }
  | { type: "get"; sender: Ref<number> }
  | { type: "inc" };

/** The counter that echoes calls (as `Bench` in otpkit.ts): a stateful actor. */
function startBench(system: ActorSystemRef): Ref<BenchMsg> {
  return spawn(
    system,
    (n: number, m: BenchMsg) => {
      switch (m.type) {
        case "echo":
          dispatch(m.sender, m.i);
          return n;
        case "get":
          dispatch(m.sender, n);
          return n;
        case "inc":
          return n + 1;
      }
    },
    "bench",
    { initialState: 0 },
  );
}

/**
 * call_per_s: `await query(server, sender => ({ type: "echo", i, sender }),
 * timeout)` from plain awaited code: nact's request/response.
 */
function callPerS(n: number): Promise<number> {
  return onSystem(async (system) => {
    const server = startBench(system);
    const t0 = now();
    for (let i = 0; i < n; i++)
      if (
        (await query(
          server,
          (sender: Ref<number>) => ({ type: "echo", i, sender }),
          QUERY_TIMEOUT_MS,
        )) !== i
      )
        throw new Error("wrong reply");
    return n / ((now() - t0) / 1000);
  });
}

/** cast_per_s: `dispatch(server, { type: "inc" })` n times, then one `query` for the count. */
function castPerS(n: number): Promise<number> {
  return onSystem(async (system) => {
    const server = startBench(system);
    const t0 = now();
    for (let i = 0; i < n; i++) dispatch(server, { type: "inc" });
    const count = await query(
      server,
      (sender: Ref<number>) => ({ type: "get", sender }),
      QUERY_TIMEOUT_MS,
    );
    if (count !== n) throw new Error("lost casts");
    return n / ((now() - t0) / 1000);
  });
}

export const nact: Subject = {
  name: "nact",
  about:
    "Akka-style actors for Node.js: an actor is a function of (state, message, context) under" +
    " an actor system; `dispatch` queues a message, and each message is handled in a" +
    " `setImmediate` of its own, its result awaited. Requests are `query` (a temporary" +
    " reference and a timeout timer per query).",
  notes: {
    spawn_us:
      "`spawnStateless(system, f, name)`; an actor idles from its spawn. Named, because nact's" +
      " anonymous names are 32-bit random numbers and collide (and throw) at this count.",
    bytes_per_process: "the same actors, kept by the system.",
    oneway_msgs_per_s:
      "a sender actor `dispatch`es the numbers to a receiver actor that counts them.",
    roundtrip_per_s:
      "actor to actor: the client dispatches `{ from: ctx.self, i }`, the server dispatches `i`" +
      " back, and the reply's handling sends the next request.",
    down_us:
      "no monitors: the target stops itself (`stop(ctx.self)`) and its `afterStop` hook" +
      " dispatches a DOWN to the owner actor.",
    call_per_s:
      "`await query(server, sender => ({ type: 'echo', i, sender }), timeout)` from plain code," +
      " to a stateful actor that dispatches the answer to `sender`.",
    cast_per_s: "`dispatch(server, { type: 'inc' })` n times, then one `query` for the count.",
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
