/**
 * Property (issue 12): arbitrary values, hostile ones included (throwing
 * getters, revoked proxies, thenables, cyclic objects, symbols, bigints), in
 * every argument position of every public function. Each call must either
 * throw a BadArgError at once that names the function, or be accepted
 * (documented: a message, an exit reason, a call's argument... take any
 * value; a well-formed value is accepted anywhere); an argument's own
 * exception (its getter throwing) may propagate unchanged. Never a hang (an
 * accepted call's promise settles once the node is idle, unless waiting is
 * its job), never a new process left behind by a rejected call, never an
 * unhandled rejection; the node still runs other processes afterwards.
 *
 * `OTPKIT_BAD_INPUT_REPORT=1` prints the counts.
 */
import fc from "fast-check";
import {
  BadArgError,
  ExitError,
  GenServer,
  Node,
  Pid,
  Ref,
  Self,
  Supervisor,
  attachDebug,
  cancelTimer,
  checkChildSpecs,
  createNode,
  exit,
  formatReason,
  isAlive,
  isDown,
  isExit,
  isPid,
  isQuietReason,
  isRef,
  isSystemMessage,
  isTimerMessage,
  ok,
  procLib,
  processInfo,
  readTimer,
  register,
  reply,
  send,
  sendAfter,
  setCurrentNode,
  spawn,
  spawnHandler,
  startTimer,
  sys,
  unregister,
  whereis,
} from "otpkit";
import { QuietNode, quietNode } from "../support";

/** What a hostile getter throws: an argument's own exception, allowed to propagate. */
class HostileError extends Error {}

const Echo = GenServer.define({
  name: "Echo",
  init: (_a: void) => ok(0),
  handleCall: { get: (_a: unknown, _f: unknown, s: number) => reply(s, s) },
  handleCast: { poke: (_a: unknown, s: number) => ({ type: "noreply" as const, state: s }) },
});

/** What a case can use: a fresh node with a server, waiting processes and refs. */
interface Ctx {
  node: QuietNode;
  server: Pid;
  self: Self;
  /** A second waiting process, for `receive`. */
  waiter: Self;
  target: Pid;
  ref: Ref;
  timer: Ref;
}

/** A process that waits forever without receiving (its `self` is handed out). */
function idle(node: QuietNode): Promise<Self> {
  return new Promise((resolve) => {
    node.spawn((self) => {
      resolve(self);
      return new Promise(() => {});
    });
  });
}

async function context(): Promise<Ctx> {
  const node = quietNode();
  setCurrentNode(node);
  const server = await Echo.start(undefined);
  const self = await idle(node);
  const waiter = await idle(node);
  const target = (await idle(node)).pid;
  const ref = self.monitor(target);
  const timer = node.sendAfter(60_000, target, "later");
  return { node, server, self, waiter, target, ref, timer };
}

/**
 * One public function: its arguments in a valid call, which positions accept
 * any value, and whether an accepted call may legitimately stay pending.
 */
interface Entry {
  name: string;
  args: (c: Ctx) => unknown[];
  call: (c: Ctx, a: any[]) => unknown;
  anyAt?: number[];
  mayWait?: boolean;
}

const noop = () => {};
const entries: Entry[] = [
  // module-level processes and signals
  { name: "spawn", args: () => [noop], call: (_c, a) => spawn(a[0]) },
  { name: "spawnHandler", args: () => [noop], call: (_c, a) => spawnHandler(a[0]) },
  { name: "send", args: (c) => [c.target, "m"], call: (_c, a) => send(a[0], a[1]), anyAt: [1] },
  { name: "exit", args: (c) => [c.target, "r"], call: (_c, a) => exit(a[0], a[1]), anyAt: [1] },
  { name: "isAlive", args: (c) => [c.target], call: (_c, a) => isAlive(a[0]) },
  { name: "processInfo", args: (c) => [c.target], call: (_c, a) => processInfo(a[0]) },
  { name: "register", args: (c) => ["n", c.target], call: (_c, a) => register(a[0], a[1]) },
  { name: "unregister", args: () => ["n"], call: (_c, a) => unregister(a[0]) },
  { name: "whereis", args: () => ["n"], call: (_c, a) => whereis(a[0]) },
  {
    name: "sendAfter",
    args: (c) => [10, c.target, "m"],
    call: (_c, a) => sendAfter(a[0], a[1], a[2]),
    anyAt: [2],
  },
  {
    name: "sendAfter",
    args: (c) => [10, c.target, "m"],
    call: (_c, a) => startTimer(a[0], a[1], a[2]),
    anyAt: [2],
  },
  { name: "cancelTimer", args: (c) => [c.timer], call: (_c, a) => cancelTimer(a[0]) },
  { name: "readTimer", args: (c) => [c.timer], call: (_c, a) => readTimer(a[0]) },
  { name: "createNode", args: () => [{}], call: (_c, a) => createNode(a[0]).shutdown() },
  {
    name: "setCurrentNode",
    args: (c) => [c.node],
    call: (c, a) => (setCurrentNode(a[0]), setCurrentNode(c.node)),
  },
  {
    name: "attachDebug",
    args: (c) => [c.server, noop, null],
    call: (_c, a) => attachDebug(a[0], a[1], a[2]),
    anyAt: [2],
  },
  // type guards and helpers: accept anything, never throw
  { name: "formatReason", args: () => ["r"], call: (_c, a) => formatReason(a[0]), anyAt: [0] },
  { name: "isQuietReason", args: () => ["r"], call: (_c, a) => isQuietReason(a[0]), anyAt: [0] },
  { name: "isDown", args: () => [1], call: (_c, a) => isDown(a[0]), anyAt: [0] },
  { name: "isExit", args: () => [1], call: (_c, a) => isExit(a[0]), anyAt: [0] },
  { name: "isTimerMessage", args: () => [1], call: (_c, a) => isTimerMessage(a[0]), anyAt: [0] },
  { name: "isPid", args: () => [1], call: (_c, a) => isPid(a[0]), anyAt: [0] },
  { name: "isRef", args: () => [1], call: (_c, a) => isRef(a[0]), anyAt: [0] },
  { name: "isSystemMessage", args: () => [1], call: (_c, a) => isSystemMessage(a[0]), anyAt: [0] },
  { name: "checkChildSpecs", args: () => [[]], call: (_c, a) => checkChildSpecs(a[0]) },
  // the node's own methods
  { name: "spawn", args: () => [noop], call: (c, a) => c.node.spawn(a[0]) },
  {
    name: "send",
    args: (c) => [c.target, "m"],
    call: (c, a) => c.node.send(a[0], a[1]),
    anyAt: [1],
  },
  {
    name: "exit",
    args: (c) => [c.target, "r"],
    call: (c, a) => c.node.exit(a[0], a[1]),
    anyAt: [1],
  },
  {
    name: "registerGlobal",
    args: (c) => ["g", c.target],
    call: (c, a) => c.node.registerGlobal(a[0], a[1]),
  },
  { name: "unregisterGlobal", args: () => ["g"], call: (c, a) => c.node.unregisterGlobal(a[0]) },
  { name: "whereisGlobal", args: () => ["g"], call: (c, a) => c.node.whereisGlobal(a[0]) },
  {
    name: "awaitExit",
    args: (c) => [c.target],
    call: (c, a) => c.node.awaitExit(a[0]),
    mayWait: true,
  },
  { name: "onExit", args: (c) => [c.target, noop], call: (c, a) => c.node.onExit(a[0], a[1]) },
  // self
  {
    name: "receive",
    args: () => [undefined, { timeout: 0 }],
    call: (c, a) => c.waiter.receive(a[0], a[1]),
    mayWait: true,
  },
  {
    name: "send",
    args: (c) => [c.target, "m"],
    call: (c, a) => c.self.send(a[0], a[1]),
    anyAt: [1],
  },
  { name: "spawn", args: () => [noop, {}], call: (c, a) => c.self.spawn(a[0], a[1]) },
  { name: "spawnHandler", args: () => [noop, {}], call: (c, a) => c.self.spawnHandler(a[0], a[1]) },
  { name: "link", args: (c) => [c.target], call: (c, a) => c.self.link(a[0]) },
  { name: "unlink", args: (c) => [c.target], call: (c, a) => c.self.unlink(a[0]) },
  { name: "monitor", args: (c) => [c.target, {}], call: (c, a) => c.self.monitor(a[0], a[1]) },
  { name: "demonitor", args: (c) => [c.ref, {}], call: (c, a) => c.self.demonitor(a[0], a[1]) },
  {
    name: "processFlag",
    args: () => ["trapExit", true],
    call: (c, a) => c.self.processFlag(a[0], a[1]),
  },
  {
    name: "exit",
    args: (c) => [c.target, "r"],
    call: (c, a) => c.self.exit(a[0], a[1]),
    anyAt: [1],
  },
  { name: "isAlive", args: (c) => [c.target], call: (c, a) => c.self.isAlive(a[0]) },
  // procLib
  { name: "procLib.spawn", args: () => [null, noop], call: (_c, a) => procLib.spawn(a[0], a[1]) },
  {
    name: "procLib.spawnLink",
    args: (c) => [c.self, noop],
    call: (_c, a) => procLib.spawnLink(a[0], a[1]),
  },
  {
    name: "procLib.start",
    args: () => [null, (s: Self) => procLib.initAck(s), {}],
    call: (_c, a) => procLib.start(a[0], a[1], a[2]),
  },
  {
    name: "procLib.startLink",
    args: (c) => [c.self, (s: Self) => procLib.initAck(s), {}],
    call: (_c, a) => procLib.startLink(a[0], a[1], a[2]),
  },
  {
    name: "procLib.startMonitor",
    args: (c) => [c.self, (s: Self) => procLib.initAck(s), {}],
    call: (_c, a) => procLib.startMonitor(a[0], a[1], a[2]),
  },
  {
    name: "procLib.stop",
    args: (c) => [c.server, "normal", 1000],
    call: (_c, a) => procLib.stop(a[0], a[1], a[2]),
    anyAt: [1],
  },
  // sys
  { name: "sys.getState", args: (c) => [c.server, {}], call: (_c, a) => sys.getState(a[0], a[1]) },
  {
    name: "sys.getStatus",
    args: (c) => [c.server, {}],
    call: (_c, a) => sys.getStatus(a[0], a[1]),
  },
  {
    name: "sys.replaceState",
    args: (c) => [c.server, (s: unknown) => s, {}],
    call: (_c, a) => sys.replaceState(a[0], a[1], a[2]),
  },
  {
    name: "sys.suspend",
    args: (c) => [c.server, {}],
    call: (_c, a) => sys.suspend(a[0], a[1]).then(() => sys.resume(a[0])),
  },
  { name: "sys.resume", args: (c) => [c.server, {}], call: (_c, a) => sys.resume(a[0], a[1]) },
  {
    name: "sys.terminate",
    args: (c) => [c.server, "normal", {}],
    call: (_c, a) => sys.terminate(a[0], a[1], a[2]),
    anyAt: [1],
  },
  {
    name: "sys.changeCode",
    args: (c) => [c.server, "m", 1, 2, {}],
    call: (_c, a) => sys.changeCode(a[0], a[1], a[2], a[3], a[4]),
    anyAt: [2, 3],
  },
  {
    name: "sys.trace",
    args: (c) => [c.server, false, {}],
    call: (_c, a) => sys.trace(a[0], a[1], a[2]),
  },
  { name: "sys.log", args: (c) => [c.server, 5, {}], call: (_c, a) => sys.log(a[0], a[1], a[2]) },
  {
    name: "sys.statistics",
    args: (c) => [c.server, true, {}],
    call: (_c, a) => sys.statistics(a[0], a[1], a[2]),
  },
  {
    name: "sys.install",
    args: (c) => [c.server, (s: unknown) => s, null, {}],
    call: (_c, a) => sys.install(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "sys.remove",
    args: (c) => [c.server, "id", {}],
    call: (_c, a) => sys.remove(a[0], a[1], a[2]),
    anyAt: [1],
  },
  { name: "sys.noDebug", args: (c) => [c.server, {}], call: (_c, a) => sys.noDebug(a[0], a[1]) },
  {
    name: "sys.debugOptions",
    args: (c) => [c.self, []],
    call: (_c, a) => sys.debugOptions(a[0], a[1]),
  },
  // GenServer
  {
    name: "GenServer.define",
    args: () => [{ init: () => ok(0) }],
    call: (_c, a) => GenServer.define(a[0]),
  },
  {
    name: "GenServer.start",
    args: () => [Echo.spec, undefined, {}],
    call: (_c, a) => GenServer.start(a[0], a[1], a[2]),
    anyAt: [1],
  },
  {
    name: "GenServer.startLink",
    args: (c) => [Echo.spec, c.self, undefined, {}],
    call: (_c, a) => GenServer.startLink(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "GenServer.start",
    args: () => [undefined, {}],
    call: (_c, a) => Echo.start(a[0], a[1]),
    anyAt: [0],
  },
  {
    name: "GenServer.startMonitor",
    args: (c) => [c.self, undefined, {}],
    call: (_c, a) => Echo.startMonitor(a[0], a[1], a[2]),
    anyAt: [1],
  },
  {
    name: "GenServer.call",
    args: (c) => [c.server, "get", 1, {}],
    call: (_c, a) => GenServer.call(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "GenServer.call",
    args: (c) => [c.server, "get", 1, {}],
    call: (_c, a) => Echo.call(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "GenServer.cast",
    args: (c) => [c.server, "poke", 1, {}],
    call: (_c, a) => GenServer.cast(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "GenServer.sendRequest",
    args: (c) => [c.server, "get", 1, {}],
    call: (_c, a) => GenServer.sendRequest(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
  {
    name: "waitResponse",
    args: (c) => [GenServer.sendRequest(c.server, "get", 1), 1000],
    call: (_c, a) => GenServer.waitResponse(a[0], a[1]),
  },
  {
    name: "receiveResponse",
    args: (c) => [GenServer.sendRequest(c.server, "get", 1), 1000],
    call: (_c, a) => GenServer.receiveResponse(a[0], a[1]),
  },
  {
    name: "checkResponse",
    args: (c) => ["m", GenServer.sendRequest(c.server, "get", 1)],
    call: (_c, a) => GenServer.checkResponse(a[0], a[1]),
    anyAt: [0],
  },
  {
    name: "reqidsAdd",
    args: (c) => [GenServer.sendRequest(c.server, "get", 1), "l", GenServer.reqidsNew()],
    call: (_c, a) => GenServer.reqidsAdd(a[0], a[1], a[2]),
    anyAt: [1],
  },
  {
    name: "GenServer.reqidsSize",
    args: () => [GenServer.reqidsNew()],
    call: (_c, a) => GenServer.reqidsSize(a[0]),
  },
  {
    name: "GenServer.reqidsToList",
    args: () => [GenServer.reqidsNew()],
    call: (_c, a) => GenServer.reqidsToList(a[0]),
  },
  {
    name: "GenServer.reply",
    args: () => [undefined, 1],
    call: (_c, a) => GenServer.reply(a[0], a[1]),
    anyAt: [1],
  },
  {
    name: "GenServer.stop",
    args: (c) => [c.server, "normal", 1000],
    call: (_c, a) => GenServer.stop(a[0], a[1], a[2]),
    anyAt: [1],
  },
  // Supervisor
  {
    name: "Supervisor.start",
    args: () => [() => ({ children: [] }), undefined, {}],
    call: (_c, a) => Supervisor.start(a[0], a[1], a[2]),
    anyAt: [1],
  },
  {
    name: "Supervisor.startLink",
    args: (c) => [c.self, () => ({ children: [] }), undefined, {}],
    call: (_c, a) => Supervisor.startLink(a[0], a[1], a[2], a[3]),
    anyAt: [2],
  },
];

/** Fixed hostile values (made fresh for each run: a revoked proxy cannot be un-revoked). */
function hostileValues(others: Node[]): unknown[] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new HostileError("getter");
      },
      has() {
        throw new HostileError("has");
      },
      ownKeys() {
        throw new HostileError("ownKeys");
      },
    },
  );
  const getters = {
    get timeout(): number {
      throw new HostileError("timeout getter");
    },
    get name(): string {
      throw new HostileError("name getter");
    },
  };
  const other = createNode({ logger: () => {} });
  others.push(other);
  const foreignPid = other.spawn(() => new Promise(() => {}));
  return [
    revoked.proxy,
    throwing,
    getters,
    cyclic,
    { then: () => {} },
    {
      then() {
        throw new HostileError("then");
      },
    },
    { then: (res: (v: unknown) => void) => res(1) },
    Symbol("s"),
    10n,
    NaN,
    -1,
    Infinity,
    -0,
    "",
    "undefined",
    Object.create(null),
    {
      toString() {
        throw new HostileError("toString");
      },
    },
    () => {
      throw new HostileError("fn");
    },
    async () => {
      throw new HostileError("async fn");
    },
    foreignPid,
    new Pid(7, 1_000_000),
    new Ref(1, 1_000_000),
    new Date(NaN),
    Object.assign(new Array(3), { 0: 1, 2: 3 }), // sparse
    null,
    undefined,
  ];
}

/** Lets the node go idle: microtasks and a few macrotask turns (no wall clock). */
async function idleTurns(n = 30): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

interface Counts {
  tried: number;
  clear: number;
  accepted: number;
  own: number;
  waitsForTimeout: number;
  unnamed: string[];
  confusing: string[];
  hung: string[];
  leftBehind: string[];
}

function isOwnException(e: unknown): boolean {
  return (
    e instanceof HostileError ||
    (e instanceof TypeError && /proxy that has been revoked/.test(e.message))
  );
}

/** Runs one case and classifies its outcome. */
async function tryCase(entry: Entry, at: number, value: unknown, counts: Counts): Promise<void> {
  const c = await context();
  try {
    const args = entry.args(c);
    const pos = at % Math.max(1, args.length);
    args[pos] = value;
    const before = c.node.processes().length;
    const label = `${entry.name} [arg ${pos}] ${describeValue(value)}`;
    counts.tried++;
    let result: unknown;
    try {
      result = entry.call(c, args);
    } catch (e) {
      if (e instanceof ExitError && e.reason === "noproc" && entry.name === "attachDebug") {
        counts.clear++; // attachDebug's documented failure for a pid that is not alive
      } else if (e instanceof BadArgError) {
        const short = entry.name.split(".").pop()!;
        if (e.message.includes(`${short}:`)) counts.clear++;
        else counts.unnamed.push(`${label}: ${e.message}`);
        await idleTurns(1);
        if (c.node.processes().length !== before) counts.leftBehind.push(label);
      } else if (isOwnException(e)) counts.own++;
      else counts.confusing.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (result instanceof Promise) {
      let settled = false;
      let outcome: unknown;
      result.then(
        () => (settled = true),
        (e) => ((settled = true), (outcome = e)),
      );
      await idleTurns();
      if (!settled && !entry.mayWait && !entry.name.includes("stop")) {
        // A request to a live process that is not a server waits for its timeout, as in OTP.
        if (value instanceof Pid && Pid.procOf(value) !== null && pos === 0)
          counts.waitsForTimeout++;
        else counts.hung.push(label);
      }
      if (outcome instanceof BadArgError)
        counts.confusing.push(`${label}: rejected (not thrown) ${outcome.message}`);
      else counts.accepted++;
    } else counts.accepted++;
  } finally {
    setCurrentNode(undefined);
    c.node.shutdown();
  }
}

function describeValue(v: unknown): string {
  try {
    return typeof v === "symbol" || typeof v === "bigint"
      ? String(v)
      : (JSON.stringify(v) ?? String(v)).slice(0, 40);
  } catch {
    return typeof v;
  }
}

it("every public function names a bad argument at once, or accepts it; never a hang, a leftover process, an unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  const counts: Counts = {
    tried: 0,
    clear: 0,
    accepted: 0,
    own: 0,
    waitsForTimeout: 0,
    unnamed: [],
    confusing: [],
    hung: [],
    leftBehind: [],
  };
  try {
    // Every fixed hostile value in every position of every function...
    const arities = new Map<Entry, number>();
    const probe = await context();
    for (const entry of entries) arities.set(entry, entry.args(probe).length || 1);
    setCurrentNode(undefined);
    probe.node.shutdown();
    for (const entry of entries) {
      const arity = arities.get(entry)!;
      for (let at = 0; at < arity; at++) {
        if (entry.anyAt?.includes(at)) continue;
        const others: Node[] = [];
        for (const v of hostileValues(others)) await tryCase(entry, at, v, counts);
        for (const o of others) o.shutdown();
      }
    }
    // ...then arbitrary values at random positions.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...entries),
        fc.nat(5),
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBoxedValues: true,
          withDate: true,
        }),
        async (entry, at, v) => {
          await tryCase(entry, at, v, counts);
          return true;
        },
      ),
      { numRuns: 400, seed: 12 },
    );
    await idleTurns();
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  if (process.env.OTPKIT_BAD_INPUT_REPORT)
    console.log(JSON.stringify({ ...counts, unhandled: unhandled.length }, null, 2));
  expect(counts.confusing).toEqual([]);
  expect(counts.unnamed).toEqual([]);
  expect(counts.hung).toEqual([]);
  expect(counts.leftBehind).toEqual([]);
  expect(unhandled).toEqual([]);
  expect(counts.clear).toBeGreaterThan(500);
  // The node still runs other processes afterwards.
  const node = quietNode();
  const pid = node.spawn((self) => self.receive());
  node.send(pid, "go");
  expect(await node.awaitExit(pid)).toBe("normal");
  node.shutdown();
}, 120_000);
