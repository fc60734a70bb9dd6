/** The workloads on otpkit: each run on a fresh fifo node, shut down afterwards. */
import {
  From,
  GenServer,
  Node,
  Pid,
  Self,
  createNode,
  isDown,
  noreply,
  ok,
  reply,
  sys,
} from "otpkit";
import { collectGarbage, cpuNow, now, settledHeap } from "../clock";
import { summarize } from "../stats";
import type { Sample, Subject } from "../types";

const READY = "ready";
const STOP = "stop";

interface Req {
  from: Pid;
  i: number;
}

/** Runs `body` against a fresh node and shuts the node down after. */
async function onNode<T>(body: (node: Node) => Promise<T>): Promise<T> {
  const node = createNode();
  try {
    return await body(node);
  } finally {
    node.shutdown();
  }
}

/**
 * Spawns `n` processes that each block in `receive`; resolves, with the time
 * then, when the last of them has called `receive`.
 */
function spawnIdle(node: Node, n: number): Promise<number> {
  return new Promise((resolve) => {
    let started = 0;
    const body = async (self: Self) => {
      const blocked = self.receive();
      if (++started === n) resolve(now());
      await blocked;
    };
    for (let i = 0; i < n; i++) node.spawn(body);
  });
}

function spawnUs(n: number): Promise<number> {
  return onNode(async (node) => {
    const t0 = now();
    return (((await spawnIdle(node, n)) - t0) * 1000) / n;
  });
}

function bytesPerProcess(n: number): Promise<number> {
  return onNode(async (node) => {
    const before = settledHeap();
    await spawnIdle(node, n);
    const after = settledHeap();
    return (after - before) / n;
  });
}

function onewayMsgsPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    let t0 = 0;
    let t1 = 0;
    const receiver = node.spawn(async (self) => {
      for (let seen = 0; seen < n; seen++) await self.receive();
      t1 = now();
    });
    node.spawn(async (self) => {
      t0 = now();
      for (let i = 0; i < n; i++) self.send(receiver, i);
    });
    await node.awaitExit(receiver);
    return n / ((t1 - t0) / 1000);
  });
}

function roundtripPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    let elapsed = 0;
    const server = node.spawn(async (self) => {
      for (;;) {
        const m = (await self.receive()) as Req | typeof STOP;
        if (m === STOP) return;
        self.send(m.from, m.i);
      }
    });
    const client = node.spawn(async (self) => {
      const t0 = now();
      for (let i = 0; i < n; i++) {
        self.send(server, { from: self.pid, i } satisfies Req);
        await self.receive();
      }
      elapsed = now() - t0;
      self.send(server, STOP);
    });
    await node.awaitExit(client);
    return n / (elapsed / 1000);
  });
}

function downUs(n: number): Promise<number> {
  return onNode(async (node) => {
    let avg = 0;
    const owner = node.spawn(async (self) => {
      let exitAt = 0;
      const me = self.pid;
      const target = async (t: Self) => {
        t.send(me, READY);
        await t.receive();
        exitAt = now();
      };
      const pids: Pid[] = new Array(n);
      for (let i = 0; i < n; i++) {
        pids[i] = self.spawn(target);
        self.monitor(pids[i]);
      }
      // All targets blocked in receive, and the set-up's garbage collected
      // (it would otherwise be promoted during the timed part).
      for (let i = 0; i < n; i++) await self.receive();
      collectGarbage();
      let total = 0;
      for (let i = 0; i < n; i++) {
        self.send(pids[i], STOP);
        await self.receive(isDown);
        total += now() - exitAt;
      }
      avg = (total * 1000) / n;
    });
    await node.awaitExit(owner);
    return avg;
  });
}

// ---- the same on handler processes (a callback per message, no Promise) ----

const START = "start";

/**
 * Spawns `n` handler processes, each of which, on its first message, counts
 * itself as started and then idles (as the loop's actors do); resolves when
 * all have, with the time then.
 */
function spawnIdleHandlers(node: Node, n: number): Promise<number> {
  return new Promise((resolve) => {
    let started = 0;
    const handler = (m: unknown) => {
      if (m === START && ++started === n) resolve(now());
    };
    for (let i = 0; i < n; i++) node.send(node.spawnHandler(handler), START);
  });
}

function handlerSpawnUs(n: number): Promise<number> {
  return onNode(async (node) => {
    const t0 = now();
    return (((await spawnIdleHandlers(node, n)) - t0) * 1000) / n;
  });
}

function handlerBytesPerProcess(n: number): Promise<number> {
  return onNode(async (node) => {
    const before = settledHeap();
    await spawnIdleHandlers(node, n);
    const after = settledHeap();
    return (after - before) / n;
  });
}

function handlerOnewayMsgsPerS(n: number): Promise<number> {
  return onNode(
    (node) =>
      new Promise((resolve) => {
        let t0 = 0;
        let seen = 0;
        const receiver = node.spawnHandler(() => {
          if (++seen === n) resolve(n / ((now() - t0) / 1000));
        });
        const sender = node.spawnHandler((_m, self) => {
          t0 = now();
          for (let i = 0; i < n; i++) self.send(receiver, i);
        });
        node.send(sender, START);
      }),
  );
}

/**
 * As down_us, with handler processes: the owner monitors `n` targets; one at
 * a time, it sends one STOP, and the target notes the time and exits
 * (`self.exit("normal")`); the owner's handler gets the DOWN. As in down_us,
 * the timing starts once every monitor is in place (a monitor is a signal:
 * each target answers a READY sent after it, so its monitor has landed).
 */
function handlerDownUs(n: number): Promise<number> {
  return onNode(
    (node) =>
      new Promise((resolve) => {
        let exitAt = 0;
        let next = 0;
        let total = 0;
        let ready = 0;
        const pids: Pid[] = new Array(n);
        const target = (m: unknown, t: Self) => {
          if (m === STOP) {
            exitAt = now();
            t.exit("normal");
          } else if (m === READY) t.send(owner, READY);
        };
        const owner = node.spawnHandler((m, self) => {
          if (isDown(m)) {
            total += now() - exitAt;
            if (++next === n) resolve((total * 1000) / n);
            else self.send(pids[next], STOP);
          } else if (m === READY) {
            if (++ready < n) return;
            collectGarbage(); // the set-up's, as in down_us
            self.send(pids[0], STOP);
          } else if (m === START) {
            for (let i = 0; i < n; i++) {
              pids[i] = self.spawnHandler(target);
              self.monitor(pids[i]);
              self.send(pids[i], READY);
            }
          }
        });
        node.send(owner, START);
      }),
  );
}

// ---- GenServer workloads ----

/** The server the GenServer workloads use: a counter that echoes calls. */
const Bench = GenServer.define({
  name: "Bench",
  init: (n: number) => ok(n),
  handleCall: {
    echo: (i: number, _from: From, n: number) => reply(i, n),
    get: (_: undefined, _from: From, n: number) => reply(n, n),
  },
  handleCast: {
    inc: (_: undefined, n: number) => noreply(n + 1),
  },
});

/** Counts info messages; calls `done` with the time when it has seen `n`. */
interface Count {
  seen: number;
  n: number;
  done: (t: number) => void;
}

const Counter = GenServer.define({
  name: "Counter",
  init: (c: Count) => ok(c),
  handleInfo(_msg, c: Count) {
    if (++c.seen === c.n) c.done(now());
    return noreply(c);
  },
});

function onewayGenserverMsgsPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    let done!: (t: number) => void;
    const finished = new Promise<number>((resolve) => (done = resolve));
    const server = await Counter.start({ seen: 0, n, done }, { node });
    const t0 = now();
    for (let i = 0; i < n; i++) node.send(server, i);
    const t1 = await finished;
    return n / ((t1 - t0) / 1000);
  });
}

function callPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    const server = await Bench.start(0, { node });
    const t0 = now();
    for (let i = 0; i < n; i++)
      if ((await Bench.call(server, "echo", i)) !== i) throw new Error("wrong reply");
    return n / ((now() - t0) / 1000);
  });
}

function callFromProcessPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    const server = await Bench.start(0, { node });
    let elapsed = 0;
    const client = node.spawn(async (self) => {
      const t0 = now();
      for (let i = 0; i < n; i++)
        if ((await Bench.call(server, "echo", i, { caller: self })) !== i)
          throw new Error("wrong reply");
      elapsed = now() - t0;
    });
    const reason = await node.awaitExit(client);
    if (reason !== "normal") throw new Error(`client exited with ${String(reason)}`);
    return n / (elapsed / 1000);
  });
}

/** `n` casts to `server`, then one call: ns per cast, by `clock` (ms). */
async function timeCasts(server: Pid, n: number, clock = now): Promise<number> {
  const before = (await Bench.call(server, "get")) as number;
  const t0 = clock();
  for (let i = 0; i < n; i++) Bench.cast(server, "inc");
  if ((await Bench.call(server, "get")) !== before + n) throw new Error("lost casts");
  return ((clock() - t0) * 1e6) / n;
}

/** `n` sequential calls to `server`: ns per call, by `clock` (ms). */
async function timeCalls(server: Pid, n: number, clock = now): Promise<number> {
  const t0 = clock();
  for (let i = 0; i < n; i++)
    if ((await Bench.call(server, "echo", i)) !== i) throw new Error("wrong reply");
  return ((clock() - t0) * 1e6) / n;
}

function castPerS(n: number): Promise<number> {
  return onNode(async (node) => {
    const server = await Bench.start(0, { node });
    const ns = await timeCasts(server, n);
    return 1e9 / ns;
  });
}

function genserverStartUs(n: number): Promise<number> {
  return onNode(async (node) => {
    const t0 = now();
    for (let i = 0; i < n; i++) await Bench.start(i, { node });
    return ((now() - t0) * 1000) / n;
  });
}

function genserverBytes(n: number): Promise<number> {
  return onNode(async (node) => {
    const before = settledHeap();
    // The node's process table keeps them (as `loop` keeps its servers in an array).
    for (let i = 0; i < n; i++) await Bench.start(i, { node });
    const after = settledHeap();
    return (after - before) / n;
  });
}

/** Pairs of timed segments per run, in the order plain–debugged, debugged–plain, ... */
const SYS_PAIRS = 10;

const median = (xs: readonly number[]) => summarize(xs).median;

/**
 * The same server code twice on one node, one with a debug function
 * installed (sys.install; it returns its state, so it stays installed and
 * runs for every event: `in` and `noreply` per cast, `in` and `out` per
 * call). Short timed segments alternate between the two (ABBA), each after
 * a full gc, so drift hits both alike, and are timed in CPU time, which
 * other processes on a busy machine do not inflate. The value is the
 * median over the pairs of with/without, for a segment's casts and calls
 * together; the same for casts alone and calls alone is kept as detail,
 * with CPU ns per message.
 */
function sysOverhead(n: number): Promise<Sample> {
  return onNode(async (node) => {
    const plain = await Bench.start(0, { node });
    const debugged = await Bench.start(0, { node });
    let events = 0;
    await sys.install(debugged, (s: null) => (events++, s), null);
    const casts = Math.ceil(n / SYS_PAIRS);
    const calls = casts >> 2;
    const ns: Record<"castWith" | "castWithout" | "callWith" | "callWithout", number[]> = {
      castWith: [],
      castWithout: [],
      callWith: [],
      callWithout: [],
    };
    for (let k = 0; k < SYS_PAIRS; k++) {
      for (const withDebug of k % 2 === 0 ? [false, true] : [true, false]) {
        const server = withDebug ? debugged : plain;
        collectGarbage();
        const cast = await timeCasts(server, casts, cpuNow);
        collectGarbage();
        const call = await timeCalls(server, calls, cpuNow);
        (withDebug ? ns.castWith : ns.castWithout).push(cast);
        (withDebug ? ns.callWith : ns.callWithout).push(call);
      }
    }
    // Per pair: in + noreply per cast, in + out per call and per `get` (two per timeCasts).
    const expected = SYS_PAIRS * (2 * casts + 2 * calls + 4);
    if (events !== expected)
      throw new Error(`debug function saw ${events} events, not ${expected}`);
    const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);
    // A segment's time: its casts and its calls (ns per message × messages).
    const total = (cast: number[], call: number[]) =>
      cast.map((x, i) => x * casts + call[i] * calls);
    return {
      value: median(ratios(total(ns.castWith, ns.callWith), total(ns.castWithout, ns.callWithout))),
      detail: {
        castRatio: median(ratios(ns.castWith, ns.castWithout)),
        callRatio: median(ratios(ns.callWith, ns.callWithout)),
        castNsWith: median(ns.castWith),
        castNsWithout: median(ns.castWithout),
        callNsWith: median(ns.callWith),
        callNsWithout: median(ns.callWithout),
      },
    };
  });
}

export const otpkit: Subject = {
  name: "otpkit",
  about:
    "this repository's runtime: function processes (`spawn(async self => ...)`, `await" +
    " self.receive()`), handler processes (`spawnHandler((msg, self) => ...)`, the `handler_`" +
    " rows) and GenServer, each run on a fresh node in the default (fifo) mode.",
  workloads: {
    spawn_us: spawnUs,
    bytes_per_process: bytesPerProcess,
    oneway_msgs_per_s: onewayMsgsPerS,
    roundtrip_per_s: roundtripPerS,
    down_us: downUs,
    handler_spawn_us: handlerSpawnUs,
    handler_bytes_per_process: handlerBytesPerProcess,
    handler_oneway_msgs_per_s: handlerOnewayMsgsPerS,
    handler_down_us: handlerDownUs,
    oneway_genserver_msgs_per_s: onewayGenserverMsgsPerS,
    call_per_s: callPerS,
    call_from_process_per_s: callFromProcessPerS,
    cast_per_s: castPerS,
    genserver_start_us: genserverStartUs,
    genserver_bytes: genserverBytes,
    sys_overhead: sysOverhead,
  },
};
