/**
 * `npm run bench -- --leaks`: retained heap after a full GC for the
 * workloads issue 12 named, each in a child process of its own. Not a timed
 * benchmark: each figure is the heap still in use after the workload, with
 * the node (and whatever the workload keeps on purpose, e.g. a hung call)
 * still alive, minus the heap in use before it. Goal: at most 2 MB each.
 *
 * Prints a table, writes bench/leaks.json and the "Retained memory" section
 * of docs/performance.md (kept when `--peers` rewrites the rest).
 */
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import {
  GenServer,
  Node,
  NodeOptions,
  Pid,
  Supervisor,
  createNode,
  noreply,
  ok,
  reply,
  setCurrentNode,
} from "otpkit";
import { isIdle } from "otpkit/testing-hooks";
import { settledHeap } from "./clock";
import { LEAKS_JSON, LeakResult, writeLeaksSection } from "./leaks-doc";

/** The goal for each figure (issue 12). */
export const LEAK_GOAL_BYTES = 2 * 1024 * 1024;

interface LeakWorkload {
  name: string;
  what: string;
  /** What the figure depends on, when that is not this workload's own code. */
  note?: string;
  /** Sets up, then returns the workload to measure (the heap is read before and after it). */
  prepare(): Promise<{ run: () => Promise<void>; done: () => void }>;
}

/** Every node a workload made, to wait until each is idle before measuring. */
const nodes: Node[] = [];
const quiet = (options: NodeOptions = {}) => {
  const node = createNode({ logger: () => {}, ...options });
  nodes.push(node);
  return node;
};

const Server = GenServer.define({
  name: "Server",
  init: (_a: void) => ok(0),
  handleCall: {
    get: (_a: void, _f: unknown, s: number) => reply(s, s),
    hang: (_a: void, _f: unknown, s: number) => noreply(s),
  },
});

/** Resolves once everything queued on the (fifo) node before this call has run. */
async function drained(node: Node): Promise<void> {
  await node.awaitExit(node.spawn(() => {}));
  await new Promise((r) => setImmediate(r));
}

/** Awaits the exits of `pids` (a batch). */
function exits(node: Node, pids: Pid[]): Promise<unknown[]> {
  return Promise.all(pids.map((p) => node.awaitExit(p)));
}

const WORKLOADS: LeakWorkload[] = [
  {
    name: "calls_with_one_hung",
    what: "1M calls (1-hour timeout) while one call with a 1-hour timeout hangs",
    async prepare() {
      const node = quiet();
      setCurrentNode(node);
      const pid = await Server.start(undefined);
      const hung = Server.call(pid, "hang", undefined, { timeout: 3_600_000 }).catch(() => {});
      for (let i = 0; i < 1000; i++)
        await Server.call(pid, "get", undefined, { timeout: 3_600_000 });
      return {
        run: async () => {
          for (let i = 0; i < 1_000_000; i++)
            await Server.call(pid, "get", undefined, { timeout: 3_600_000 });
        },
        done: () => {
          void hung;
          node.shutdown();
        },
      };
    },
  },
  {
    name: "killed_awaiting_then_receive",
    what: "100k processes killed while awaiting an external promise, which then call receive",
    async prepare() {
      const node = quiet();
      return {
        run: async () => {
          let release!: () => void;
          const external = new Promise<void>((r) => (release = r));
          const pids: Pid[] = [];
          for (let i = 0; i < 100_000; i++)
            pids.push(
              node.spawn(async (self) => {
                await external;
                await self.receive();
              }),
            );
          await drained(node); // every body has started and awaits `external`
          for (const p of pids) node.exit(p, "kill");
          await exits(node, pids);
          release();
          await drained(node);
        },
        done: () => node.shutdown(),
      };
    },
  },
  {
    name: "spawn_exit_random",
    what: "1M spawn/exit in random mode (batches of 1,000)",
    note:
      "what random mode keeps here is its choice log (two entries per spawn/exit, for replay);" +
      " bounding it is issue 12's point 4, a change of its own (the scheduler's).",
    async prepare() {
      const node = quiet({ mode: "random", seed: 12 });
      const batch = async () => {
        const pids: Pid[] = [];
        for (let j = 0; j < 1000; j++) pids.push(node.spawn(() => {}));
        await exits(node, pids);
      };
      for (let i = 0; i < 10; i++) await batch();
      return {
        run: async () => {
          for (let i = 0; i < 1000; i++) await batch();
        },
        done: () => node.shutdown(),
      };
    },
  },
  {
    name: "monitor_demonitor",
    what: "100k monitor/demonitor pairs from one process on another",
    async prepare() {
      const node = quiet();
      const target = node.spawn(() => new Promise(() => {}));
      return {
        run: () =>
          new Promise<void>((resolve) => {
            node.spawn((self) => {
              for (let i = 0; i < 100_000; i++) self.demonitor(self.monitor(target));
              // Monitor and demonitor are signals: land them before measuring (PP-08).
              self.isAlive(target);
              resolve();
            });
          }),
        done: () => node.shutdown(),
      };
    },
  },
  {
    name: "timers",
    what: "100k timers: 50k fired (sendAfter 0..9 ms), 50k cancelled",
    async prepare() {
      const node = quiet();
      let got = 0;
      let allIn: () => void = () => {};
      const sink = node.spawnHandler(() => {
        if (++got === 50_000) allIn();
      });
      return {
        run: async () => {
          const arrived = new Promise<void>((r) => (allIn = r));
          for (let i = 0; i < 50_000; i++) node.sendAfter(i % 10, sink, i);
          for (let i = 0; i < 50_000; i++) node.cancelTimer(node.sendAfter(60_000, sink, i));
          await arrived;
        },
        done: () => node.shutdown(),
      };
    },
  },
  {
    name: "supervisor_restarts",
    what: "10k restarts of a crashing child under a one_for_one supervisor",
    async prepare() {
      const node = quiet();
      setCurrentNode(node);
      let started: (pid: Pid) => void = () => {};
      const sup = await Supervisor.start(() => ({
        flags: { strategy: "one_for_one", intensity: 1_000_000_000, period: 1 },
        children: [
          {
            id: "w",
            start: (s) => {
              const pid = s.spawnLink(async (self) => {
                await self.receive();
                throw new Error("crash");
              });
              started(pid);
              return pid;
            },
          },
        ],
      }));
      let current = (await Supervisor.whichChildren(sup))[0].pid as Pid;
      return {
        run: async () => {
          for (let i = 0; i < 10_000; i++) {
            const next = new Promise<Pid>((r) => (started = r));
            node.send(current, "crash");
            current = await next;
          }
        },
        done: () => node.shutdown(),
      };
    },
  },
];

/** Child mode: runs one workload, prints `{ retained }` (bytes) as JSON. */
async function child(name: string): Promise<void> {
  const w = WORKLOADS.find((x) => x.name === name);
  if (w === undefined) throw new Error(`unknown leak workload ${name}`);
  const { run, done } = await w.prepare();
  const before = settledHeap();
  await run();
  // Retention is measured once the work is done: signals still queued are not leaks.
  while (!nodes.every(isIdle)) await new Promise((r) => setImmediate(r));
  const after = settledHeap();
  done();
  process.stdout.write(JSON.stringify({ retained: after - before }));
}

function inChild(name: string): { retained?: number; error?: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, `--leak-child=${name}`], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (r.status !== 0) return { error: `child exited ${r.status ?? r.signal}` };
  return JSON.parse(r.stdout) as { retained: number };
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** Runs every leak workload (or those named), prints the table, writes the JSON and the doc section. */
export async function runLeaks(only: string[]): Promise<number> {
  const list = only.length > 0 ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  const results: LeakResult[] = [];
  let failures = 0;
  for (const w of list) {
    const r = inChild(w.name);
    if (r.error !== undefined) {
      failures++;
      console.error(`FAILED ${w.name}: ${r.error}`);
      continue;
    }
    results.push({
      name: w.name,
      what: w.what,
      retained: r.retained!,
      goal: LEAK_GOAL_BYTES,
      ...(w.note !== undefined ? { note: w.note } : {}),
    });
    console.error(`${w.name}: ${mb(r.retained!)}`);
  }
  console.log("| workload | retained after GC | goal | met |");
  console.log("|---|---:|---:|:-:|");
  for (const r of results)
    console.log(
      `| ${r.name}: ${r.what} | ${mb(r.retained)} | ${mb(r.goal)} | ${r.retained <= r.goal ? "yes" : "no"} |`,
    );
  if (only.length === 0) {
    const doc = { date: new Date().toISOString(), node: process.version, results };
    fs.writeFileSync(LEAKS_JSON, JSON.stringify(doc, null, 2) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), LEAKS_JSON)}`);
    console.log(`wrote ${path.relative(process.cwd(), await writeLeaksSection(doc))}`);
  }
  return failures;
}

const childArg = process.argv.find((a) => a.startsWith("--leak-child="));
if (childArg !== undefined)
  child(childArg.slice("--leak-child=".length)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
