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

/** The failure stayed contained: no unhandled rejection, and the node still runs processes. */
async function expectContained(n: Node): Promise<void> {
  await settle();
  expect(unhandled).toEqual([]);
  await stillRuns(n);
}

describe("bad name options are rejected at once", () => {
  const bad: Array<[string, unknown]> = [
    ['""', ""],
    ["123", 123],
    ["null", null],
    ['{ global: "" }', { global: "" }],
    ["{ via: {} }", { via: {}, name: "x" }],
  ];
  for (const [label, name] of bad) {
    it(`GenServer.start with name ${label} throws a BadArgError naming options.name`, () => {
      expect(() => Echo.start(undefined, { name: name as never })).toThrow(
        /GenServer\.start: options\.name/,
      );
      expect(() => Echo.start(undefined, { name: name as never })).toThrow(BadArgError);
    });
    it(`GenServer.start with name ${label} leaves no process and the node runs on`, async () => {
      expect(() => Echo.start(undefined, { name: name as never })).toThrow();
      expect(node.processes()).toEqual([]);
      await expectContained(node);
    });
    it(`Supervisor.start with name ${label} throws a BadArgError naming options.name`, () => {
      const init = () => ({ children: [] });
      expect(() => Supervisor.start(init, undefined, { name: name as never })).toThrow(
        /Supervisor\.start: options\.name/,
      );
    });
    it(`Supervisor.start with name ${label} leaves no process and the node runs on`, async () => {
      const init = () => ({ children: [] });
      expect(() => Supervisor.start(init, undefined, { name: name as never })).toThrow();
      expect(node.processes()).toEqual([]);
      await expectContained(node);
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
  const genServerStart = () =>
    rejection(Echo.start(undefined, { name: { via: throwingVia, name: "a" } }));
  const supervisorStart = () =>
    rejection(
      Supervisor.start(() => ({ children: [] }), undefined, {
        name: { via: throwingVia, name: "s" },
      }),
    );

  it.each([
    ["GenServer.start", genServerStart],
    ["Supervisor.start", supervisorStart],
  ])("%s rejects with what the registry threw", async (_api, start) => {
    const e = await start();
    expect(e.reason).toMatchObject({ message: "registry down" });
  });

  it.each([
    ["GenServer.start", genServerStart],
    ["Supervisor.start", supervisorStart],
  ])("%s leaves no process and the node runs on", async (_api, start) => {
    await start();
    expect(node.processes()).toEqual([]);
    await expectContained(node);
  });
});

describe("the logger", () => {
  it("createNode rejects a logger that is not a function", () => {
    expect(() => createNode({ logger: 5 as never })).toThrow(
      /createNode: logger must be a function/,
    );
  });

  /** Runs `check` with a node whose logger throws and a process of it that crashed with "boom". */
  async function withThrowingLogger(
    check: (n: Node, exit: unknown, consoleError: jest.SpyInstance) => Promise<void>,
  ): Promise<void> {
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    const n = createNode({
      logger: () => {
        throw new Error("logger broke");
      },
    });
    try {
      const pid = n.spawn(() => {
        throw new Error("boom");
      });
      await check(n, await n.awaitExit(pid), errors);
    } finally {
      n.shutdown();
      errors.mockRestore();
    }
  }

  it("a logger that throws does not change the crashing process's exit reason", async () => {
    await withThrowingLogger(async (_n, exit) => {
      expect(exit).toMatchObject({ message: "boom" });
    });
  });

  it("a logger that throws is itself reported on console.error", async () => {
    await withThrowingLogger(async (_n, _exit, errors) => {
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("logger failed"));
    });
  });

  it("a logger that throws leaves no unhandled rejection and the node runs on", async () => {
    await withThrowingLogger(async (n) => {
      await expectContained(n);
    });
  });

  /** Runs `check` after a process crashed on `node` whose logger was replaced by a non-function. */
  async function withNonFunctionLogger(check: (exit: unknown) => Promise<void>): Promise<void> {
    const errors = jest.spyOn(console, "error").mockImplementation(() => {});
    try {
      node.logger = 5 as never;
      const pid = node.spawn(() => {
        throw new Error("boom");
      });
      await check(await node.awaitExit(pid));
    } finally {
      errors.mockRestore();
    }
  }

  it("a logger replaced by a non-function later leaves the crash's exit reason alone", async () => {
    await withNonFunctionLogger(async (exit) => {
      expect(exit).toMatchObject({ message: "boom" });
    });
  });

  it("a logger replaced by a non-function later is contained: the node runs on", async () => {
    await withNonFunctionLogger(async () => {
      await expectContained(node);
    });
  });
});

describe("a body returning a hostile thenable", () => {
  const throwingThen = () => ({
    then() {
      throw new Error("bad then");
    },
  });
  const throwingThenGetter = () =>
    ({
      get then() {
        throw new Error("bad getter");
      },
    }) as never;

  it("a thenable whose then throws: the process exits with that error", async () => {
    const pid = node.spawn(throwingThen);
    expect(await node.awaitExit(pid)).toMatchObject({ message: "bad then" });
  });

  it("a thenable whose then throws is contained: the node runs on", async () => {
    await node.awaitExit(node.spawn(throwingThen));
    await expectContained(node);
  });

  it("a thenable whose then getter throws: the process exits with that error", async () => {
    const pid = node.spawn(throwingThenGetter);
    expect(await node.awaitExit(pid)).toMatchObject({ message: "bad getter" });
  });

  it("a thenable whose then getter throws is contained: the node runs on", async () => {
    await node.awaitExit(node.spawn(throwingThenGetter));
    await expectContained(node);
  });

  const BadInit = GenServer.define({
    name: "Bad",
    init: (_a: void) => throwingThen() as never,
  });

  it("a GenServer init returning a thenable whose then throws fails the start with that error", async () => {
    const e = await rejection(BadInit.start(undefined));
    expect(e.reason).toMatchObject({ message: "bad then" });
  });

  it("a GenServer init returning a thenable whose then throws leaves no process and the node runs on", async () => {
    await rejection(BadInit.start(undefined));
    expect(node.processes()).toEqual([]);
    await expectContained(node);
  });
});

describe("exit reasons and messages that resist being looked at", () => {
  /** A procLib process exiting with a reason whose toJSON and toString throw; its reason as onExit saw it. */
  async function unprintableExit() {
    const reason = {
      toJSON() {
        throw new Error("no json");
      },
      toString() {
        throw new Error("no string");
      },
    };
    const pid = procLib.spawn(null, (self) => self.exit(reason));
    const exited = await new Promise<unknown>((resolve) => node.onExit(pid, resolve));
    return { reason, exited };
  }

  it("an exit reason that cannot be turned into a string is propagated as is", async () => {
    const { reason, exited } = await unprintableExit();
    expect(exited).toBe(reason);
  });

  it("an exit reason that cannot be turned into a string is reported in a crash report", async () => {
    await unprintableExit();
    expect(node.logs.some((l) => l.kind === "crash_report")).toBe(true);
  });

  it("an exit reason that cannot be turned into a string is contained: the node runs on", async () => {
    await unprintableExit();
    await expectContained(node);
  });

  /** A GenServer stopped with a revoked proxy as its reason; whether its exit reason is that proxy. */
  async function revokedStop() {
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
    return exited;
  }

  it("a GenServer stopping with an unprintable reason exits with it", async () => {
    expect(await revokedStop()).toBe(true);
  });

  it("a GenServer stopping with an unprintable reason logs a terminate report", async () => {
    await revokedStop();
    expect(node.logs.some((l) => l.kind === "gen_server_terminate")).toBe(true);
  });

  it("a GenServer stopping with an unprintable reason is contained: the node runs on", async () => {
    await revokedStop();
    await expectContained(node);
  });

  /** A revoked proxy sent to an Echo server, then a call to it; the call's rejection and the exit. */
  async function revokedProxySent() {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const pid = await Echo.start(undefined);
    const exit = node.awaitExit(pid);
    node.send(pid, proxy);
    const e = await rejection(Echo.call(pid, "get"));
    return { e, exit: await exit };
  }

  it("a revoked proxy sent to a GenServer ends the server with a TypeError", async () => {
    const { exit } = await revokedProxySent();
    expect(exit).toBeInstanceOf(TypeError);
  });

  it("a revoked proxy sent to a GenServer makes a pending call reject with that TypeError", async () => {
    const { e } = await revokedProxySent();
    expect(e.reason).toBeInstanceOf(TypeError);
  });

  it("a revoked proxy sent to a GenServer is contained: the node runs on", async () => {
    await revokedProxySent();
    await expectContained(node);
  });

  /** A function process that receives a revoked proxy; its exit reason. */
  async function revokedProxyReceived() {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const pid = node.spawn(async (self: Self) => {
      self.send(self.pid, proxy);
      await self.receive();
    });
    return node.awaitExit(pid);
  }

  it("a revoked proxy received by a function process: its receive promise rejects (JS adopts thenables), the process exits with that TypeError", async () => {
    expect(await revokedProxyReceived()).toBeInstanceOf(TypeError);
  });

  it("a revoked proxy received by a function process is contained: the node runs on", async () => {
    await revokedProxyReceived();
    await expectContained(node);
  });
});

describe("node callbacks", () => {
  it("createNode({ onSpawn: 5 }) throws a BadArgError naming onSpawn", () => {
    expect(() => createNode({ onSpawn: 5 as never })).toThrow(BadArgError);
    expect(() => createNode({ onSpawn: 5 as never })).toThrow(/onSpawn must be a function/);
  });

  /** Runs `check` with a quiet node whose onSpawn throws and a process spawned on it (waiting for "go"). */
  async function withThrowingOnSpawn(
    check: (n: QuietNode, pid: Pid) => Promise<void>,
  ): Promise<void> {
    const n = quietNode({
      onSpawn: () => {
        throw new Error("hook broke");
      },
    } as never);
    try {
      // quietNode replaces the logger only: onSpawn is kept.
      const pid = n.spawn(async (self) => {
        await self.receive();
      });
      await check(n, pid);
    } finally {
      n.shutdown();
    }
  }

  it("an onSpawn that throws is reported as callback_failed", async () => {
    await withThrowingOnSpawn(async (n) => {
      expect(n.logs.some((l) => l.kind === "callback_failed")).toBe(true);
    });
  });

  it("an onSpawn that throws does not stop the spawn: the process runs to its end", async () => {
    await withThrowingOnSpawn(async (n, pid) => {
      expect(n.isAlive(pid)).toBe(true);
      n.send(pid, "go");
      expect(await n.awaitExit(pid)).toBe("normal");
    });
  });

  it("node.onExit(pid, 5) throws a BadArgError naming cb", () => {
    const pid = node.spawn(() => new Promise(() => {}));
    expect(() => node.onExit(pid, 5 as never)).toThrow(/onExit: cb must be a function/);
  });

  it("node.onExit with a non-pid throws a BadArgError, not a private-field TypeError", () => {
    expect(() => node.onExit({} as never, () => {})).toThrow(BadArgError);
  });

  /** A process with a throwing onExit callback and an awaitExit watcher, ended normally. */
  async function throwingOnExit() {
    const pid = node.spawn((self) => self.receive());
    node.onExit(pid, () => {
      throw new Error("cb broke");
    });
    const watcher = node.awaitExit(pid);
    node.send(pid, "go");
    return watcher;
  }

  it("an onExit callback that throws is reported as callback_failed", async () => {
    await throwingOnExit();
    expect(node.logs.some((l) => l.kind === "callback_failed")).toBe(true);
  });

  it("an onExit callback that throws does not stop the exit's other effects (other watchers, the node)", async () => {
    expect(await throwingOnExit()).toBe("normal");
    await stillRuns(node);
  });
});

describe("the start promise always settles", () => {
  const Hostile = GenServer.define({
    name: "Hostile",
    init: (_a: void) => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy as never;
    },
  });

  it("an ExitError rejects a start whose init returns a hostile value", async () => {
    const e = await rejection(Hostile.start(undefined));
    expect(e).toBeInstanceOf(ExitError);
  });

  it("a start whose init returns a hostile value leaves no process and no unhandled rejection", async () => {
    await rejection(Hostile.start(undefined));
    expect(node.processes()).toEqual([]);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
