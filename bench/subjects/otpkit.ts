/** The workloads on otpkit: each run on a fresh fifo node, shut down afterwards. */
import { Node, Pid, Self, createNode, isDown } from "../../runtime";
import { collectGarbage, now, settledHeap } from "../clock";
import type { Subject } from "../types";

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

export const otpkit: Subject = {
  name: "otpkit",
  workloads: {
    spawn_us: spawnUs,
    bytes_per_process: bytesPerProcess,
    oneway_msgs_per_s: onewayMsgsPerS,
    roundtrip_per_s: roundtripPerS,
    down_us: downUs,
  },
};
