/**
 * The scaling workloads (issue 15): otpkit's per-unit cost as the work grows,
 * each at several sizes. One measurement gives wall-clock and CPU time per
 * unit (CPU time is what other processes on a busy machine inflate least)
 * and, for spawns, the heap each process keeps.
 */
import { From, GenServer, Node, Pid, Self, createNode, ok, reply } from "otpkit";
import { cpuNow, now, settledHeap } from "./clock";

/** One measurement at one size: time per unit (ns) and side figures. */
export interface Point {
  wallNs: number;
  cpuNs: number;
  /** Heap bytes kept per unit (spawn series only). */
  bytes?: number;
  /** Mean latency of one unit, issue to completion (calls only). */
  latencyNs?: number;
}

/** A scaling series: one workload measured at each of `sizes`. */
export interface Series {
  /** Key and label, e.g. `spawn`. */
  readonly name: string;
  /** What N is, e.g. `processes`. */
  readonly n: string;
  /** What one unit is (the per-unit cost's denominator), e.g. `spawn`. */
  readonly unit: string;
  readonly sizes: readonly number[];
  /** One line: what a run does. */
  readonly description: string;
  /** Runs once at size `n`. */
  readonly measure: (n: number) => Promise<Point>;
  /**
   * Units to measure at least per run: smaller sizes repeat the measurement
   * (on fresh nodes) until they reach it, and the run gives the mean.
   */
  readonly minUnits?: number;
  /** Heap limit (MiB) the child process needs for the biggest size, if above the default. */
  readonly heapMiB?: number;
}

const GO = "go";

async function onNode<T>(body: (node: Node) => Promise<T>): Promise<T> {
  const node = createNode();
  try {
    return await body(node);
  } finally {
    node.shutdown();
  }
}

/** Times `body` (which resolves when the work is done) in wall and CPU ns per unit. */
async function timed(units: number, body: () => Promise<void>): Promise<Point> {
  const w0 = now();
  const c0 = cpuNow();
  await body();
  const c1 = cpuNow();
  const w1 = now();
  return { wallNs: ((w1 - w0) * 1e6) / units, cpuNs: ((c1 - c0) * 1e6) / units };
}

/** `n` function processes, each blocked in `receive`; time per spawn and heap per process. */
function spawnIdle(n: number): Promise<Point> {
  return onNode(async (node) => {
    const before = settledHeap();
    const p = await timed(
      n,
      () =>
        new Promise<void>((resolve) => {
          let started = 0;
          const body = async (self: Self) => {
            const blocked = self.receive();
            if (++started === n) resolve();
            await blocked;
          };
          for (let i = 0; i < n; i++) node.spawn(body);
        }),
    );
    return { ...p, bytes: (settledHeap() - before) / n };
  });
}

/** `n` handler processes, each having handled one message; time per spawn and heap per process. */
function spawnHandlers(n: number): Promise<Point> {
  return onNode(async (node) => {
    const before = settledHeap();
    const p = await timed(
      n,
      () =>
        new Promise<void>((resolve) => {
          let started = 0;
          const handler = (m: unknown) => {
            if (m === GO && ++started === n) resolve();
          };
          for (let i = 0; i < n; i++) node.send(node.spawnHandler(handler), GO);
        }),
    );
    return { ...p, bytes: (settledHeap() - before) / n };
  });
}

/** Total messages in a one-way run, shared out between the pairs. */
const ONEWAY_TOTAL = 1_000_000;

/**
 * `pairs` sender → receiver pairs of function processes, all spawned and
 * blocked first; then every sender is told to go and sends its share of
 * ONEWAY_TOTAL messages; done when every receiver has had its share.
 */
function onewayPairs(pairs: number): Promise<Point> {
  return onNode(async (node) => {
    const each = Math.floor(ONEWAY_TOTAL / pairs);
    const senders: Pid[] = [];
    let ready = 0;
    let finished = 0;
    let allReady!: () => void;
    let allDone!: () => void;
    const readyP = new Promise<void>((r) => (allReady = r));
    const doneP = new Promise<void>((r) => (allDone = r));
    for (let k = 0; k < pairs; k++) {
      const receiver = node.spawn(async (self) => {
        for (let i = 0; i < each; i++) await self.receive();
        if (++finished === pairs) allDone();
      });
      senders.push(
        node.spawn(async (self) => {
          const go = self.receive();
          if (++ready === pairs) allReady();
          await go;
          for (let i = 0; i < each; i++) self.send(receiver, i);
        }),
      );
    }
    await readyP;
    return timed(each * pairs, async () => {
      for (const s of senders) node.send(s, GO);
      await doneP;
    });
  });
}

/** Filler messages: never matched by the selective receives below. */
interface Filler {
  filler: number;
}
const isGo = (m: unknown): boolean => m === GO;
interface Wanted {
  wanted: number;
}
const isWanted = (m: unknown): boolean => typeof m === "object" && m !== null && "wanted" in m;

/** Messages through the mailbox per run of `mailbox_steady`. */
const STEADY_MESSAGES = 500_000;

/**
 * A process with `depth` messages queued sends itself one and receives the
 * oldest, STEADY_MESSAGES times: the mailbox stays `depth` deep, and every
 * message (a fresh object) waits behind `depth` others. Time per message
 * (send and receive; the filling is before the clock starts).
 */
function mailboxSteady(depth: number): Promise<Point> {
  return onNode(async (node) => {
    let point!: Point;
    const p = node.spawn(async (self) => {
      await self.receive(isGo);
      point = await timed(STEADY_MESSAGES, async () => {
        for (let i = 0; i < STEADY_MESSAGES; i++) {
          self.send(self.pid, { filler: i } satisfies Filler);
          await self.receive();
        }
      });
    });
    for (let i = 0; i < depth; i++) node.send(p, { filler: i } satisfies Filler);
    node.send(p, GO);
    const reason = await node.awaitExit(p);
    if (reason !== "normal") throw new Error(`receiver exited: ${String(reason)}`);
    return point;
  });
}

/** Selective receives per run at `depth` (fewer at bigger depths: each scans the whole mailbox). */
function selectiveRounds(depth: number): number {
  return Math.max(20, Math.min(10_000, Math.floor(20_000_000 / Math.max(depth, 1))));
}

/**
 * A process with `depth` unmatched filler messages queued sends itself a
 * wanted message and takes it with a selective receive, `rounds` times:
 * each receive scans past every filler (the wanted one is last). Time per
 * selective receive (the filler is queued before the clock starts).
 */
function selectiveReceive(depth: number): Promise<Point> {
  return onNode(async (node) => {
    const rounds = selectiveRounds(depth);
    let point!: Point;
    const p = node.spawn(async (self) => {
      await self.receive(isGo);
      point = await timed(rounds, async () => {
        for (let i = 0; i < rounds; i++) {
          self.send(self.pid, { wanted: i } satisfies Wanted);
          await self.receive(isWanted);
        }
      });
    });
    for (let i = 0; i < depth; i++) node.send(p, { filler: i } satisfies Filler);
    node.send(p, GO);
    const reason = await node.awaitExit(p);
    if (reason !== "normal") throw new Error(`selective receiver exited: ${String(reason)}`);
    return point;
  });
}

const Echo = GenServer.define({
  name: "Echo",
  init: () => ok(null),
  handleCall: {
    echo: (i: number, _from: From, s: null) => reply(i, s),
  },
});

/** Calls per run of the outstanding-calls series. */
const CALLS = 200_000;

/**
 * Calls from plain code to one GenServer, `outstanding` of them in flight at
 * any time (each completed call issues the next) until CALLS are done. The
 * time per unit is throughput (ns per call); `latencyNs` is the mean
 * latency of a call (issue to resolution).
 */
async function callsOutstanding(outstanding: number): Promise<Point> {
  return onNode(async (node) => {
    const server = await Echo.start(undefined, { node });
    let latency = 0;
    const p = await timed(
      CALLS,
      () =>
        new Promise<void>((resolve, reject) => {
          let issued = 0;
          let done = 0;
          const issue = (): void => {
            const i = issued++;
            const t = now();
            Echo.call(server, "echo", i).then((r) => {
              if (r !== i) reject(new Error("wrong reply"));
              latency += now() - t;
              if (++done === CALLS) resolve();
              else if (issued < CALLS) issue();
            }, reject);
          };
          for (let k = 0; k < outstanding; k++) issue();
        }),
    );
    return { ...p, latencyNs: (latency * 1e6) / CALLS };
  });
}

const SIZES = [1_000, 10_000, 100_000, 1_000_000];

export const SERIES: readonly Series[] = [
  {
    name: "spawn",
    n: "processes",
    unit: "spawn",
    sizes: SIZES,
    heapMiB: 4096,
    minUnits: 100_000,
    description:
      "spawn N function processes that each block in `receive`; time per spawn until the last is blocked, heap kept per process after a full gc",
    measure: spawnIdle,
  },
  {
    name: "spawn_handler",
    n: "processes",
    unit: "spawn",
    sizes: SIZES,
    heapMiB: 4096,
    minUnits: 100_000,
    description:
      "spawn N handler processes and send each one message; time per spawn until the last has handled it, heap kept per process",
    measure: spawnHandlers,
  },
  {
    name: "oneway_pairs",
    n: "pairs",
    unit: "message",
    sizes: [1, 100, 10_000],
    description: `N sender → receiver pairs of function processes share ${ONEWAY_TOTAL.toLocaleString("en-US")} messages (N blocked pairs first, then every sender sends its share); time per message`,
    measure: onewayPairs,
  },
  {
    name: "mailbox_steady",
    n: "mailbox depth",
    unit: "message",
    sizes: [1, ...SIZES],
    description: `a process with N messages queued sends itself one (a fresh object) and receives the oldest, ${STEADY_MESSAGES.toLocaleString("en-US")} times, so its mailbox stays N deep; time per message, send and receive`,
    measure: mailboxSteady,
  },
  {
    name: "selective_receive",
    n: "mailbox depth",
    unit: "receive",
    sizes: [1, ...SIZES],
    description:
      "a process with N unmatched messages queued sends itself a wanted one and takes it with a selective receive (scanning past all N), repeatedly; time per selective receive",
    measure: selectiveReceive,
  },
  {
    name: "calls_outstanding",
    n: "calls in flight",
    unit: "call",
    sizes: [1, 10, 100, 1_000],
    description: `${CALLS.toLocaleString("en-US")} GenServer calls from plain code, N in flight at any time; time per call (throughput) and the mean latency of one call`,
    measure: callsOutstanding,
  },
];
