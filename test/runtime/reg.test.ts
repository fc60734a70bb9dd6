/**
 * Conformance: registered names (docs/conformance.md, REG-01..04).
 * REG-05..07 need GenServer start with names; they are covered with GenServer.
 */
import {
  BadArgError,
  isDown,
  Node,
  Pid,
  Self,
  register,
  send,
  setCurrentNode,
  unregister,
  whereis,
} from "otpkit";
import { forSeeds, quietNode, run } from "../support";

/** A process that waits for one message and then exits with it as its reason. */
function exitOnMessage(s: Self): Promise<never> {
  return s.receive().then((r) => s.exit(r));
}

/** A process that answers `{ from }` with "pong", forever. */
async function ponger(s: Self): Promise<void> {
  for (;;) {
    const m = (await s.receive()) as { from: Pid };
    s.send(m.from, "pong");
  }
}

describe("REG-01: register", () => {
  /** A node with two live processes, `p` registered as "svc". */
  function svcNode() {
    const node = quietNode();
    const p = node.spawn(exitOnMessage);
    const q = node.spawn(exitOnMessage);
    expect(node.register("svc", p)).toBe(true);
    return { node, p, q };
  }

  it("REG-01: register succeeds for a free name and a live, unnamed pid", () => {
    const { node, p } = svcNode();
    expect(node.whereis("svc")).toBe(p);
    expect(node.processInfo(p)!.registeredName).toBe("svc");
    node.shutdown();
  });

  it("REG-01: registering a name taken by another process throws badarg", () => {
    const { node, q } = svcNode();
    expect(() => node.register("svc", q)).toThrow(BadArgError);
    node.shutdown();
  });

  it("REG-01: registering a name again for its holder throws badarg", () => {
    const { node, p } = svcNode();
    expect(() => node.register("svc", p)).toThrow(BadArgError);
    node.shutdown();
  });

  it("REG-01: a second name for an already named process throws badarg", () => {
    const { node, p } = svcNode();
    expect(() => node.register("svc2", p)).toThrow(BadArgError);
    node.shutdown();
  });

  it("REG-01: failed registrations change nothing", () => {
    const { node, p, q } = svcNode();
    expect(() => node.register("svc", q)).toThrow(BadArgError);
    expect(() => node.register("svc", p)).toThrow(BadArgError);
    expect(() => node.register("svc2", p)).toThrow(BadArgError);
    expect(node.whereis("svc")).toBe(p);
    expect(node.whereis("svc2")).toBeUndefined();
    expect(node.processInfo(q)!.registeredName).toBeUndefined();
    expect(node.processInfo(p)!.registeredName).toBe("svc");
    node.shutdown();
  });

  it("REG-01: registering a dead pid throws badarg (reason 'badarg')", async () => {
    const { node, q } = svcNode();
    node.send(q, "bye");
    await node.awaitExit(q);
    expect(() => node.register("ghost", q)).toThrow(BadArgError);
    expect(node.whereis("ghost")).toBeUndefined();
    try {
      node.register("svc", q);
      throw new Error("register did not throw");
    } catch (e) {
      expect(e).toBeInstanceOf(BadArgError);
      expect((e as BadArgError).reason).toBe("badarg");
    }
    node.shutdown();
  });

  it("REG-01: self.register follows the same rules", async () => {
    const node = quietNode();
    const other = node.spawn(exitOnMessage);
    node.register("taken", other);
    await run(node, async (self) => {
      expect(() => self.register("taken")).toThrow(BadArgError);
      expect(self.register("me")).toBe(true);
      expect(node.whereis("me")).toBe(self.pid);
      expect(() => self.register("me-again")).toThrow(BadArgError);
      expect(node.processInfo(self.pid)!.registeredName).toBe("me");
    });
    node.shutdown();
  });

  it("REG-01: a non-string name or a non-pid throws badarg", () => {
    const node = quietNode();
    const p = node.spawn(exitOnMessage);
    expect(() => node.register(42 as unknown as string, p)).toThrow(BadArgError);
    expect(() => node.register("", p)).toThrow(BadArgError);
    expect(() => node.register("x", "pid" as unknown as Pid)).toThrow(BadArgError);
    expect(node.registered()).toEqual([]);
    node.shutdown();
  });
});

describe("REG-02: whereis and unregister", () => {
  it("REG-02: whereis gives undefined for a name never registered", () => {
    const node = quietNode();
    expect(node.whereis("svc")).toBeUndefined();
    node.shutdown();
  });

  it("REG-02: after register, whereis gives the pid and registered lists the name", () => {
    const node = quietNode();
    const p = node.spawn(ponger);
    node.register("svc", p);
    expect(node.whereis("svc")).toBe(p);
    expect(node.registered()).toEqual(["svc"]);
    node.shutdown();
  });

  it("REG-02: after unregister, whereis gives undefined and the process has no registered name", () => {
    const node = quietNode();
    const p = node.spawn(ponger);
    node.register("svc", p);
    expect(node.unregister("svc")).toBe(true);
    expect(node.whereis("svc")).toBeUndefined();
    expect(node.registered()).toEqual([]);
    expect(node.processInfo(p)!.registeredName).toBeUndefined();
    node.shutdown();
  });

  it("REG-02: an unregistered process keeps running", async () => {
    const node = quietNode();
    const p = node.spawn(ponger);
    node.register("svc", p);
    node.unregister("svc");
    await run(node, async (self) => {
      self.send(p, { from: self.pid });
      expect(await self.receive()).toBe("pong");
    });
    expect(node.isAlive(p)).toBe(true);
    node.shutdown();
  });

  it("REG-02: an unregistered process can be registered again, under another name", () => {
    const node = quietNode();
    const p = node.spawn(ponger);
    node.register("svc", p);
    node.unregister("svc");
    node.register("svc-renamed", p);
    expect(node.whereis("svc-renamed")).toBe(p);
    node.shutdown();
  });

  it("REG-02: unregister frees the name at once for another process", () => {
    const node = quietNode();
    const p = node.spawn(exitOnMessage);
    const q = node.spawn(exitOnMessage);
    node.register("svc", p);
    node.unregister("svc");
    expect(node.register("svc", q)).toBe(true);
    expect(node.whereis("svc")).toBe(q);
    expect(node.isAlive(p)).toBe(true);
    node.shutdown();
  });

  it("REG-02: unregistering a name that is not registered throws badarg", () => {
    const node = quietNode();
    expect(() => node.unregister("nobody")).toThrow(BadArgError);
    const p = node.spawn(exitOnMessage);
    node.register("svc", p);
    node.unregister("svc");
    expect(() => node.unregister("svc")).toThrow(BadArgError);
    node.shutdown();
  });

  it("REG-02: the module-level register/whereis/unregister act on the current node", () => {
    const node = quietNode();
    setCurrentNode(node);
    try {
      const p = node.spawn(exitOnMessage);
      expect(whereis("svc")).toBeUndefined();
      expect(register("svc", p)).toBe(true);
      expect(whereis("svc")).toBe(p);
      expect(node.whereis("svc")).toBe(p);
      expect(unregister("svc")).toBe(true);
      expect(whereis("svc")).toBeUndefined();
      expect(node.isAlive(p)).toBe(true);
    } finally {
      setCurrentNode(undefined);
      node.shutdown();
    }
  });
});

describe("REG-03: a name is released when its process terminates", () => {
  it("REG-03: after the DOWN of a named process, whereis is undefined (fifo)", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      node.register("svc", p);
      const ref = self.monitor(p);
      self.send(p, "bye");
      // The matcher runs as the DOWN arrives (fifo: inside the termination).
      let atArrival: Pid | undefined | "unseen" = "unseen";
      const d = await self.receive((m) => {
        if (isDown(m, ref)) atArrival = node.whereis("svc");
        return isDown(m, ref);
      });
      expect(d.reason).toBe("bye");
      expect(atArrival).toBeUndefined();
      expect(node.whereis("svc")).toBeUndefined();
      expect(node.registered()).toEqual([]);
      // The name is free for reuse at once.
      expect(self.register("svc")).toBe(true);
    });
  });

  it("REG-03: under many seeds, the name is free by the time any monitor owner gets the DOWN", async () => {
    await forSeeds(150, async (node, seed) => {
      await run(node, async (self) => {
        const p = self.spawn(async (s) => {
          const m = await s.receive();
          if (m === "crash") throw new Error("crash");
          if (m === "return") return;
          await s.receive((x) => x === "never");
        });
        node.register("svc", p);
        // A second monitor owner, besides the test process, by name this time.
        const watcher = self.spawn(async (s) => {
          const ref = s.monitor("svc");
          s.send(self.pid, "watching");
          let atArrival: Pid | undefined | "unseen" = "unseen";
          await s.receive((m) => {
            if (isDown(m, ref)) atArrival = s.node.whereis("svc");
            return isDown(m, ref);
          });
          s.send(self.pid, { whereisAtDown: atArrival ?? "undefined" });
        });
        const ref = self.monitor(p);
        await self.receive((m) => m === "watching");
        switch (seed % 3) {
          case 0:
            self.exit(p, "kill");
            break;
          case 1:
            self.send(p, "crash");
            break;
          default:
            self.send(p, "return");
        }
        await self.receive((m) => isDown(m, ref));
        expect(node.whereis("svc")).toBeUndefined();
        expect(
          await self.receive((m) => typeof m === "object" && m !== null && !isDown(m)),
        ).toEqual({ whereisAtDown: "undefined" });
        await node.awaitExit(watcher);
      });
    });
  });
});

describe("REG-04: sending to a name", () => {
  it("REG-04: node.send to an unregistered name throws badarg", () => {
    const node = quietNode();
    expect(() => node.send("nobody", 1)).toThrow(BadArgError);
    node.shutdown();
  });

  it("REG-04: self.send to an unregistered name throws badarg", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      expect(() => self.send("nobody", 1)).toThrow(BadArgError);
    });
    node.shutdown();
  });

  it("REG-04: the module-level send to an unregistered name throws badarg", () => {
    const node = quietNode();
    setCurrentNode(node);
    try {
      expect(() => send("nobody", 1)).toThrow(BadArgError);
    } finally {
      setCurrentNode(undefined);
      node.shutdown();
    }
  });

  /** Registers a ponger as "svc", checks the name works, kills it; resolves with its pid. */
  async function deadHolder(node: Node, self: Self): Promise<Pid> {
    const p = self.spawn(ponger);
    node.register("svc", p);
    self.send("svc", { from: self.pid });
    expect(await self.receive()).toBe("pong");
    const ref = self.monitor(p);
    self.exit(p, "kill");
    await self.receive((m) => isDown(m, ref));
    return p;
  }

  it("REG-04: sending to a name whose holder died throws badarg", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      await deadHolder(node, self);
      expect(() => self.send("svc", { from: self.pid })).toThrow(BadArgError);
      expect(() => node.send("svc", 1)).toThrow(BadArgError);
    });
  });

  it("REG-04: sending to the dead holder's pid itself is a silent drop", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = await deadHolder(node, self);
      expect(() => self.send(p, 1)).not.toThrow();
      expect(() => node.send(p, 1)).not.toThrow();
    });
  });

  it("REG-04: sending to a registered name delivers to its holder", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      self.register("me");
      node.send("me", "hello");
      self.send("me", "again");
      expect(await self.receive()).toBe("hello");
      expect(await self.receive()).toBe("again");
    });
  });
});
