/**
 * The workloads on XState v5 actors (https://stately.ai/docs/actors).
 *
 * The lightest actor logic is used where it fits: `fromTransition` (a
 * reducer: state and event in, state out) for actors that only keep state,
 * `fromCallback` (a `receive` listener that may send) for actors that send
 * from their handler, and a state machine (`createMachine`) only where a
 * machine is what the library needs (an actor that finishes, for DOWN).
 *
 * How XState delivers: `actor.send(event)` runs the receiver's transition
 * at once, on the sender's stack, unless the receiver is already handling
 * an event (then the event is queued and handled when it finishes). So there
 * is no asynchronous hop per message, and a request/response between two
 * actors never leaves the call stack. Every event is an object with a
 * `type`.
 */
import {
  AnyActorRef,
  createActor,
  createMachine,
  fromCallback,
  fromTransition,
  type Actor,
  type AnyActorLogic,
} from "xstate";
import { collectGarbage, now, settledHeap } from "../clock";
import type { Subject } from "../types";

/** An actor that keeps its state and does nothing with events. */
const idle = fromTransition((s: number) => s, 0);

/**
 * spawn_us / bytes_per_process: `createActor(logic, { parent: root }).start()`
 * with the lightest logic (a `fromTransition` reducer); a started actor is
 * active and idle at once. The actors are children of one root actor, in its
 * system, as the actors a machine spawns (`spawnChild` creates them the same
 * way, but also copies the parent's children object per spawn, which makes
 * spawning 100,000 from one machine quadratic). A standalone
 * `createActor(logic).start()` builds a system per actor and is slower.
 */
function spawnIdle(n: number): Actor<AnyActorLogic>[] {
  const root = createActor(idle).start();
  const table: Actor<AnyActorLogic>[] = new Array(n);
  for (let i = 0; i < n; i++) table[i] = createActor(idle, { parent: root }).start();
  return table;
}

async function spawnUs(n: number): Promise<number> {
  const t0 = now();
  const table = spawnIdle(n);
  const t1 = now();
  if (table.length !== n) throw new Error("lost actors");
  return ((t1 - t0) * 1000) / n;
}

async function bytesPerProcess(n: number): Promise<number> {
  const before = settledHeap();
  const table = spawnIdle(n);
  const after = settledHeap();
  if (table.length !== n) throw new Error("lost actors");
  return (after - before) / n;
}

type Msg = { type: "msg"; i: number };
type Start = { type: "start" };

/**
 * oneway_msgs_per_s: a `fromCallback` sender, on its start event, sends `n`
 * events `{ type: "msg", i }` to a `fromTransition` receiver that counts
 * them. (Each is handled during its `send`: see the header.)
 */
function onewayMsgsPerS(n: number): Promise<number> {
  return new Promise((resolve) => {
    let t0 = 0;
    const receiver = createActor(
      fromTransition((seen: number, _e: Msg) => {
        if (++seen === n) resolve(n / ((now() - t0) / 1000));
        return seen;
      }, 0),
    ).start();
    const sender = createActor(
      fromCallback<Start>(({ receive }) => {
        receive(() => {
          t0 = now();
          for (let i = 0; i < n; i++) receiver.send({ type: "msg", i });
        });
      }),
    ).start();
    sender.send({ type: "start" });
    receiver.stop();
    sender.stop();
  });
}

type Req = { type: "req"; from: AnyActorRef; i: number };
type Res = { type: "res"; i: number };

/**
 * roundtrip_per_s: actor to actor, as otpkit's processes: the client (a
 * `fromCallback`) sends `{ type: "req", from: self, i }`, the server (a
 * `fromCallback`) sends `{ type: "res", i }` back to `from`, and the
 * client's handling of the reply sends the next request. (The reply is
 * queued while the client is still in its handler, so it does not recurse.)
 */
function roundtripPerS(n: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createActor(
      fromCallback<Req>(({ receive }) => {
        receive((e) => e.from.send({ type: "res", i: e.i } satisfies Res));
      }),
    ).start();
    let t0 = 0;
    let k = 0;
    const client = createActor(
      fromCallback<Start | Res>(({ receive, self }) => {
        receive((e) => {
          if (e.type === "start") t0 = now();
          else if (++k === n) return resolve(n / ((now() - t0) / 1000));
          server.send({ type: "req", from: self, i: k });
        });
      }),
    ).start();
    client.send({ type: "start" });
    client.stop();
    server.stop();
  });
}

/**
 * down_us: XState's exit notification is the `xstate.done.actor.<id>` event
 * a finished child sends its parent. The targets are state machines with a
 * final state, children of the owner (`createActor(machine, { parent:
 * owner, id })`, as `spawnChild` makes them); one at a time, the target gets
 * `stop`, notes the time in the transition's action and enters its final
 * state; the owner (a `fromCallback`) handles the done event and sends the
 * next `stop`.
 */
function downUs(n: number): Promise<number> {
  return new Promise((resolve) => {
    let exitAt = 0;
    let next = 0;
    let total = 0;
    const targets: AnyActorRef[] = new Array(n);
    const owner = createActor(
      fromCallback<{ type: string }>(({ receive }) => {
        receive((e) => {
          if (!e.type.startsWith("xstate.done.actor.")) return;
          total += now() - exitAt;
          if (++next === n) resolve((total * 1000) / n);
          else targets[next].send({ type: "stop" });
        });
      }),
    ).start();
    const target = createMachine({
      initial: "idle",
      states: {
        idle: {
          on: {
            stop: {
              target: "done",
              actions: () => {
                exitAt = now();
              },
            },
          },
        },
        done: { type: "final" },
      },
    });
    for (let i = 0; i < n; i++)
      targets[i] = createActor(target, { parent: owner, id: `t${i}` }).start();
    collectGarbage(); // the set-up's, as for otpkit
    targets[0].send({ type: "stop" });
    owner.stop();
  });
}

// ---- the GenServer workloads, on a server-like actor ----

type BenchEvent = { type: "echo"; i: number } | { type: "get" } | { type: "inc" };
type Reply = { type: "reply"; value: number };

/**
 * The counter that echoes calls (as `Bench` in otpkit.ts): a
 * `fromTransition` reducer over a count; a call's answer is an emitted
 * `reply` event (`emit`, XState's way for an actor to tell its observers),
 * a cast only changes the state.
 */
const bench = fromTransition((n: number, e: BenchEvent, { emit }: { emit: (r: Reply) => void }) => {
  switch (e.type) {
    case "echo":
      emit({ type: "reply", value: e.i });
      return n;
    case "get":
      emit({ type: "reply", value: n });
      return n;
    case "inc":
      return n + 1;
  }
}, 0);

/**
 * A server and its client side: one `reply` listener (`actor.on`) that
 * settles the pending call's promise; a call is a promise, a `send`, and
 * the reply emitted during that send.
 */
function startBench() {
  const server = createActor(bench).start();
  let pending: ((v: number) => void) | null = null;
  server.on("reply", (r) => pending!(r.value));
  const call = (e: BenchEvent) =>
    new Promise<number>((resolve) => {
      pending = resolve;
      server.send(e);
    });
  return { server, call };
}

/** call_per_s: from plain awaited code, `await call({ type: "echo", i })` (see startBench). */
async function callPerS(n: number): Promise<number> {
  const { server, call } = startBench();
  const t0 = now();
  for (let i = 0; i < n; i++)
    if ((await call({ type: "echo", i })) !== i) throw new Error("wrong reply");
  const rate = n / ((now() - t0) / 1000);
  server.stop();
  return rate;
}

/** cast_per_s: `server.send({ type: "inc" })` n times, then one call for the count. */
async function castPerS(n: number): Promise<number> {
  const { server, call } = startBench();
  const t0 = now();
  for (let i = 0; i < n; i++) server.send({ type: "inc" });
  if ((await call({ type: "get" })) !== n) throw new Error("lost casts");
  const rate = n / ((now() - t0) / 1000);
  server.stop();
  return rate;
}

export const xstate: Subject = {
  name: "xstate",
  about:
    "state machines and actors: an actor runs actor logic (here `fromTransition` reducers," +
    " `fromCallback` listeners, and a state machine where one is needed). `actor.send(event)`" +
    " handles the event at once, on the sender's stack, unless the receiver is busy (then it" +
    " is queued): there is no asynchronous hop per message. Events are objects with a `type`.",
  notes: {
    spawn_us:
      "`createActor(fromTransition(...), { parent: root }).start()`: children of one root" +
      " actor, made as `spawnChild` makes them (spawnChild itself copies the parent's children" +
      " object per spawn: quadratic at this count).",
    bytes_per_process: "the same actors, kept in an array.",
    oneway_msgs_per_s:
      "a `fromCallback` sender sends `{ type: 'msg', i }` to a `fromTransition` receiver that" +
      " counts; each event is handled during its `send`.",
    roundtrip_per_s:
      "actor to actor (`fromCallback` both): `{ type: 'req', from: self, i }`, the reply sent" +
      " back to `from`, whose handling sends the next request; all on one stack, no hop.",
    down_us:
      "the done event (`xstate.done.actor.<id>`) a finished child sends its parent: targets are" +
      " machines with a final state, children of the owner; `stop` moves one to its final state.",
    call_per_s:
      "a `fromTransition` counter that answers with an emitted `reply` event (`emit`); the" +
      " caller, plain awaited code, awaits a promise settled by one `actor.on('reply')` listener.",
    cast_per_s: "`send({ type: 'inc' })` n times, then one call for the count.",
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
