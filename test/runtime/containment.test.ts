/**
 * Issue 12, point 1: an exception that escapes a process turn never freezes
 * the node. Bad options are a BadArgError at the API boundary; whatever still
 * escapes becomes that process's exit reason; the start promise settles; no
 * zombie; no unhandled rejection; other processes keep running.
 */
import {
  BadArgError,
  ExitError,
  GenServer,
  Node,
  Pid,
  Self,
  Supervisor,
  ViaRegistry,
  createNode,
  ok,
  procLib,
  reply,
} from "otpkit";
import { QuietNode, eachTestNode, quietNode, rejection, run } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

/** Unhandled rejections seen while a test ran (each must leave this empty). */
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Lets pending microtasks and one macrotask run (a rejection is reported by then). */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** The node still runs processes: a fresh one answers a ping. */
async function stillRuns(n: Node): Promise<void> {
  const echo = n.spawn(async (self) => {
    const m = (await self.receive()) as { from: Pid };
    self.send(m.from, "pong");
  });
  expect(await run(n, async (self) => (self.send(echo, { from: self.pid }), self.receive()))).toBe(
    "pong",
  );
}

const Echo = GenServer.define({
  name: "Echo",
  init: (_a: void) => ok(0),
  handleCall: { get: (_a: void, _f: unknown, s: number) => reply(s, s) },
});

/** A via registry whose every function throws. */
const throwingVia: ViaRegistry = {
  registerName: () => {
    throw new Error("registry down");
  },
  unregisterName: () => {
    throw new Error("registry down");
  },
  whereisName: () => {
    throw new Error("registry down");
  },
};

describe("bad name options are rejected at once", () => {
  const bad: Array<[string, unknown]> = [
    ['""', ""],
    ["123", 123],
    ["null", null],
    ['{ global: "" }', { global: "" }],
    ["{ via: {} }", { via: {}, name: "x" }],
  ];
  for (const [label, name] of bad) {
    it(`GenServer.start with name ${label} throws a BadArgError naming options.name`, async () => {
      expect(() => Echo.start(undefined, { name: name as never })).toThrow(
        /GenServer\.start: options\.name/,
      );
      expect(() => Echo.start(undefined, { name: name as never })).toThrow(BadArgError);
      expect(node.processes()).toEqual([]);
      await stillRuns(node);
    });
    it(`Supervisor.start with name ${label} throws a BadArgError naming options.name`, async () => {
      const init = () => ({ children: [] });
      expect(() => Supervisor.start(init, undefined, { name: name as never })).toThrow(
        /Supervisor\.start: options\.name/,
      );
      expect(node.processes()).toEqual([]);
      await stillRuns(node);
    });
  }

  it("a hostile name object (throwing getter) is a BadArgError, not its own exception", () => {
    const name = {
      get global(): string {
        throw new Error("gotcha");
      },
    };
    expect(() => Echo.start(undefined, { name: name as never })).toThrow(BadArgError);
  });
});

describe("a via registry that throws fails the start with what it threw", () => {
  it("GenServer.start settles (rejects), leaves no process, and the node runs on", async () => {
    const e = await rejection(Echo.start(undefined, { name: { via: throwingVia, name: "a" } }));
    expect(e.reason).toMatchObject({ message: "registry down" });
    expect(node.processes()).toEqual([]);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });

  it("Supervisor.start settles (rejects), leaves no process, and the node runs on", async () => {
    const e = await rejection(
      Supervisor.start(() => ({ children: [] }), undefined, {
        name: { via: throwingVia, name: "s" },
      }),
    );
    expect(e.reason).toMatchObject({ message: "registry down" });
    expect(node.processes()).toEqual([]);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });
});

describe("the logger", () => {
  it("createNode rejects a logger that is not a function", () => {
    expect(() => createNode({ logger: 5 as never })).toThrow(
      /createNode: logger must be a function/,
    );
  });

  it("a logger that throws does not disturb the crashing process, its links or the node", async () => {
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    try {
      const n = createNode({
        logger: () => {
          throw new Error("logger broke");
        },
      });
      const pid = n.spawn(() => {
        throw new Error("boom");
      });
      expect(await n.awaitExit(pid)).toMatchObject({ message: "boom" });
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("logger failed"));
      await settle();
      expect(unhandled).toEqual([]);
      await stillRuns(n);
      n.shutdown();
    } finally {
      errors.mockRestore();
    }
  });

  it("a logger replaced by a non-function later is contained too", async () => {
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    try {
      node.logger = 5 as never;
      const pid = node.spawn(() => {
        throw new Error("boom");
      });
      expect(await node.awaitExit(pid)).toMatchObject({ message: "boom" });
      await settle();
      expect(unhandled).toEqual([]);
      await stillRuns(node);
    } finally {
      errors.mockRestore();
    }
  });
});

describe("a body returning a hostile thenable", () => {
  it("a thenable whose then throws: the process exits with that error", async () => {
    const pid = node.spawn(() => ({
      then() {
        throw new Error("bad then");
      },
    }));
    expect(await node.awaitExit(pid)).toMatchObject({ message: "bad then" });
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });

  it("a thenable whose then getter throws: the process exits with that error", async () => {
    const pid = node.spawn(
      () =>
        ({
          get then() {
            throw new Error("bad getter");
          },
        }) as never,
    );
    expect(await node.awaitExit(pid)).toMatchObject({ message: "bad getter" });
    await stillRuns(node);
  });

  it("a GenServer init returning a thenable whose then throws fails the start", async () => {
    const Bad = GenServer.define({
      name: "Bad",
      init: (_a: void) =>
        ({
          then() {
            throw new Error("bad then");
          },
        }) as never,
    });
    const e = await rejection(Bad.start(undefined));
    expect(e.reason).toMatchObject({ message: "bad then" });
    expect(node.processes()).toEqual([]);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });
});

describe("exit reasons and messages that resist being looked at", () => {
  it("an exit reason that cannot be turned into a string is reported and propagated", async () => {
    const reason = {
      toJSON() {
        throw new Error("no json");
      },
      toString() {
        throw new Error("no string");
      },
    };
    const pid = procLib.spawn(null, (self) => self.exit(reason));
    const exited = new Promise<unknown>((resolve) => node.onExit(pid, resolve));
    expect(await exited).toBe(reason);
    expect(node.logs.some((l) => l.kind === "crash_report")).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });

  it("a GenServer stopping with an unprintable reason reports it and exits with it", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const Stopper = GenServer.define({
      name: "Stopper",
      init: (_a: void) => ok(0),
      handleCast: { die: () => ({ type: "stop" as const, reason: proxy }) },
    });
    const pid = await Stopper.start(undefined);
    // A promise cannot resolve to a revoked proxy (JS reads its `then`): watch with a callback.
    const exited = new Promise<boolean>((resolve) =>
      node.onExit(pid, (reason) => resolve(Object.is(reason, proxy))),
    );
    Stopper.cast(pid, "die");
    expect(await exited).toBe(true);
    expect(node.logs.some((l) => l.kind === "gen_server_terminate")).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });

  it("a revoked proxy sent to a GenServer: the server ends with a reason, the caller's call rejects, the node runs on", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const pid = await Echo.start(undefined);
    node.send(pid, proxy);
    const e = await rejection(Echo.call(pid, "get"));
    expect(e.reason).toBeInstanceOf(TypeError);
    expect(await node.awaitExit(pid)).toBeInstanceOf(TypeError);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });

  it("a revoked proxy received by a function process: its receive promise rejects (JS adopts thenables), the process exits with that TypeError", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const pid = node.spawn(async (self: Self) => {
      self.send(self.pid, proxy);
      await self.receive();
    });
    expect(await node.awaitExit(pid)).toBeInstanceOf(TypeError);
    await settle();
    expect(unhandled).toEqual([]);
    await stillRuns(node);
  });
});

describe("node callbacks", () => {
  it("createNode({ onSpawn: 5 }) throws a BadArgError naming onSpawn", () => {
    expect(() => createNode({ onSpawn: 5 as never })).toThrow(BadArgError);
    expect(() => createNode({ onSpawn: 5 as never })).toThrow(/onSpawn must be a function/);
  });

  it("an onSpawn that throws is reported; the spawn and the process go on", async () => {
    const n = quietNode({
      onSpawn: () => {
        throw new Error("hook broke");
      },
    } as never);
    // quietNode replaces the logger only: onSpawn is kept.
    const pid = n.spawn(async (self) => {
      await self.receive();
    });
    expect(n.isAlive(pid)).toBe(true);
    expect(n.logs.some((l) => l.kind === "callback_failed")).toBe(true);
    n.send(pid, "go");
    expect(await n.awaitExit(pid)).toBe("normal");
    n.shutdown();
  });

  it("node.onExit(pid, 5) throws a BadArgError naming cb", () => {
    const pid = node.spawn(() => new Promise(() => {}));
    expect(() => node.onExit(pid, 5 as never)).toThrow(/onExit: cb must be a function/);
  });

  it("node.onExit with a non-pid throws a BadArgError, not a private-field TypeError", () => {
    expect(() => node.onExit({} as never, () => {})).toThrow(BadArgError);
  });

  it("an onExit callback that throws is reported and does not stop the exit's other effects", async () => {
    const pid = node.spawn((self) => self.receive());
    node.onExit(pid, () => {
      throw new Error("cb broke");
    });
    const watcher = node.awaitExit(pid);
    node.send(pid, "go");
    expect(await watcher).toBe("normal");
    expect(node.logs.some((l) => l.kind === "callback_failed")).toBe(true);
    await stillRuns(node);
  });
});

describe("the start promise always settles", () => {
  it("an ExitError rejects a start whose init throws a hostile value", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const Hostile = GenServer.define({
      name: "Hostile",
      init: (_a: void) => proxy as never,
    });
    const e = await rejection(Hostile.start(undefined));
    expect(e).toBeInstanceOf(ExitError);
    expect(node.processes()).toEqual([]);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
