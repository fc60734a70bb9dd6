/** The workloads on the hand-written actor loop (../loop), the yardstick. */
import { collectGarbage, now, settledHeap } from "../clock";
import {
  Actor,
  Handler,
  LoopDown,
  LoopServer,
  LoopServerSpec,
  Request,
  call,
  callServer,
  castServer,
  startServer,
} from "../loop";
import type { Subject } from "../types";

const START = "start";
const READY = "ready";
const STOP = "stop";

/**
 * Spawns `n` actors, each of which, on its first turn, counts itself as
 * started and then idles; resolves when all have, with the time then. The
 * returned table keeps them alive (as a runtime's process table would).
 */
function spawnIdle(n: number): { table: Actor<unknown>[]; allStarted: Promise<number> } {
  const table: Actor<unknown>[] = new Array(n);
  const allStarted = new Promise<number>((resolve) => {
    let started = 0;
    const handler: Handler<unknown> = (m) => {
      if (m === START && ++started === n) resolve(now());
    };
    for (let i = 0; i < n; i++) {
      const a = new Actor(handler);
      a.send(START);
      table[i] = a;
    }
  });
  return { table, allStarted };
}

async function spawnUs(n: number): Promise<number> {
  const t0 = now();
  const { allStarted } = spawnIdle(n);
  return (((await allStarted) - t0) * 1000) / n;
}

async function bytesPerProcess(n: number): Promise<number> {
  const before = settledHeap();
  const { table, allStarted } = spawnIdle(n);
  await allStarted;
  const after = settledHeap();
  if (table.length !== n) throw new Error("lost actors");
  return (after - before) / n;
}

function onewayMsgsPerS(n: number): Promise<number> {
  return new Promise((resolve) => {
    let t0 = 0;
    let seen = 0;
    const receiver = new Actor<number>(() => {
      if (++seen === n) resolve(n / ((now() - t0) / 1000));
    });
    const sender = new Actor<string>(() => {
      t0 = now();
      for (let i = 0; i < n; i++) receiver.send(i);
    });
    sender.send(START);
  });
}

async function roundtripPerS(n: number): Promise<number> {
  const server = new Actor<Request<number, number>>((m) => m.reply(m.req));
  const t0 = now();
  for (let i = 0; i < n; i++) await call(server, i);
  return n / ((now() - t0) / 1000);
}

function downUs(n: number): Promise<number> {
  return new Promise((resolve) => {
    let exitAt = 0;
    let ready = 0;
    let next = 0;
    let total = 0;
    const targets: Actor<unknown>[] = new Array(n);
    const owner = new Actor<unknown>((m) => {
      if (m instanceof LoopDown) {
        total += now() - exitAt;
        if (++next === n) resolve((total * 1000) / n);
        else targets[next].send(STOP);
      } else if (m === READY) {
        if (++ready === n) {
          collectGarbage(); // the set-up's, as for otpkit
          targets[0].send(STOP);
        }
      }
    });
    const target: Handler<unknown> = (m, self) => {
      if (m === START) owner.send(READY);
      else if (m === STOP) {
        exitAt = now();
        self.exit("normal");
      }
    };
    for (let i = 0; i < n; i++) {
      const t = new Actor(target);
      owner.monitor(t);
      t.send(START);
      targets[i] = t;
    }
  });
}

// ---- the GenServer workloads, on a hand-written server ----

/** The counter that echoes calls, as `Bench` in otpkit.ts. */
const bench: LoopServerSpec<number, number> = {
  init: (n) => n,
  handleCall: {
    echo: (i: number, n) => ({ reply: i, state: n }),
    get: (_, n) => ({ reply: n, state: n }),
  },
  handleCast: {
    inc: (_, n) => n + 1,
  },
};

interface Count {
  seen: number;
  n: number;
  done: (t: number) => void;
}

const counter: LoopServerSpec<Count, Count> = {
  init: (c) => c,
  handleCall: {},
  handleCast: {},
  handleInfo(_msg, c) {
    if (++c.seen === c.n) c.done(now());
    return c;
  },
};

async function onewayGenserverMsgsPerS(n: number): Promise<number> {
  let done!: (t: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  const server = await startServer(counter, { seen: 0, n, done });
  const t0 = now();
  for (let i = 0; i < n; i++) server.send(i);
  const t1 = await finished;
  return n / ((t1 - t0) / 1000);
}

async function callPerS(n: number): Promise<number> {
  const server = await startServer(bench, 0);
  const t0 = now();
  for (let i = 0; i < n; i++)
    if ((await callServer(server, "echo", i)) !== i) throw new Error("wrong reply");
  return n / ((now() - t0) / 1000);
}

async function callFromProcessPerS(n: number): Promise<number> {
  const server = await startServer(bench, 0);
  return new Promise((resolve, reject) => {
    const client = new Actor<string>(async () => {
      const t0 = now();
      for (let i = 0; i < n; i++)
        if ((await callServer(server, "echo", i)) !== i) return reject(new Error("wrong reply"));
      resolve(n / ((now() - t0) / 1000));
    });
    client.send(START);
  });
}

async function castPerS(n: number): Promise<number> {
  const server = await startServer(bench, 0);
  const t0 = now();
  for (let i = 0; i < n; i++) castServer(server, "inc");
  if ((await callServer(server, "get")) !== n) throw new Error("lost casts");
  return n / ((now() - t0) / 1000);
}

async function genserverStartUs(n: number): Promise<number> {
  const table: LoopServer[] = new Array(n);
  const t0 = now();
  for (let i = 0; i < n; i++) table[i] = await startServer(bench, i);
  return ((now() - t0) * 1000) / n;
}

async function genserverBytes(n: number): Promise<number> {
  const before = settledHeap();
  const table: LoopServer[] = new Array(n);
  for (let i = 0; i < n; i++) table[i] = await startServer(bench, i);
  const after = settledHeap();
  if (table.length !== n) throw new Error("lost servers");
  return (after - before) / n;
}

export const loop: Subject = {
  name: "loop",
  about:
    "the yardstick (bench/loop.ts): a minimal actor written by hand, an array queue and a" +
    " handler, one microtask per batch of messages, a watcher list for monitors, and a" +
    " hand-written server (a handler per call and cast name) for the GenServer rows. No" +
    " scheduler, fairness, selective receive or ordering machinery.",
  workloads: {
    spawn_us: spawnUs,
    bytes_per_process: bytesPerProcess,
    oneway_msgs_per_s: onewayMsgsPerS,
    roundtrip_per_s: roundtripPerS,
    down_us: downUs,
    // The loop's actors are callback actors already: the same code is the
    // yardstick for otpkit's handler processes.
    handler_spawn_us: spawnUs,
    handler_bytes_per_process: bytesPerProcess,
    handler_oneway_msgs_per_s: onewayMsgsPerS,
    handler_down_us: downUs,
    oneway_genserver_msgs_per_s: onewayGenserverMsgsPerS,
    call_per_s: callPerS,
    call_from_process_per_s: callFromProcessPerS,
    cast_per_s: castPerS,
    genserver_start_us: genserverStartUs,
    genserver_bytes: genserverBytes,
  },
};
