/**
 * Conformance: proc_lib (docs/conformance.md, PL-01..PL-10; PL-10 is N/A
 * for heap compaction, but its semantics are tested).
 *
 * Each test runs on its own quiet node, made current so the module-level
 * `procLib` and `sys` functions act on it; crash reports land in `node.logs`.
 */
import {
  BadArgError,
  ExitError,
  GenServer,
  LogEvent,
  Pid,
  Self,
  SpecialProcess,
  TIMEOUT,
  isDown,
  isExit,
  isSystemMessage,
  ok,
  procLib,
  sys,
} from "otpkit";
import { QuietNode, eachTestNode, forSeeds, run, useFakeTimers } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

/** The next message matching `match`, if one is queued now (else TIMEOUT). */
function poll(self: Self, match?: (m: unknown) => unknown): Promise<unknown> {
  return self.receive(match, { timeout: 0 });
}

/** Is `m` a `{ child: Pid }` announcement? */
function isChild(m: unknown): m is { child: Pid } {
  return typeof m === "object" && m !== null && "child" in m && m.child instanceof Pid;
}

/** Waits for a child to announce its pid. */
async function childPid(self: Self): Promise<Pid> {
  return (await self.receive(isChild)).child;
}

/** The crash reports logged so far (optionally: for `pid`). */
function crashReports(pid?: Pid): LogEvent[] {
  return node.logs.filter((e) => e.kind === "crash_report" && (pid === undefined || e.pid === pid));
}

/** Waits until every signal `pid` has sent to `self` so far has landed (a fresh DOWN comes after them). */
async function barrierFrom(self: Self, pid: Pid): Promise<unknown> {
  const ref = self.monitor(pid);
  return (await self.receive((m) => isDown(m, ref))).reason;
}

/**
 * The smallest special process: answers system messages through
 * `sys.handleSystemMsg` and ignores everything else.
 */
async function specialLoop(
  self: Self,
  parent: Pid,
  module: SpecialProcess<null> = { module: "special" },
): Promise<never> {
  const debug = sys.debugOptions(self);
  let state = null;
  for (;;) {
    const m = await self.receive();
    if (isSystemMessage(m))
      state = await sys.handleSystemMsg(self, m, parent, module, debug, state);
  }
}

/** A dictionary entry of a special process, read through `sys.getStatus`. */
async function dictEntry(pid: Pid, key: string): Promise<unknown> {
  const status = await sys.getStatus(pid);
  const entry = status.processDictionary.find(([k]) => k === key);
  expect(entry).toBeDefined();
  return entry![1];
}

describe("PL-01: synchronous start waits for initAck", () => {
  it("PL-01: start stays pending until the child acks after 'go', then resolves 42", async () => {
    await run(node, async (self) => {
      const events: string[] = [];
      const parent = self.pid;
      const started = procLib.start(self, async (s) => {
        s.send(parent, { child: s.pid });
        await s.receive((m) => m === "go");
        events.push("child got go");
        procLib.initAck(s, 42);
        await s.receive((m) => m === "never");
      });
      let settled = false;
      void started.then(
        () => (settled = true),
        () => (settled = true),
      );
      const child = await childPid(self);
      // The child is blocked before initAck: the start has not resolved.
      expect(settled).toBe(false);
      expect(node.processInfo(child)?.status).toBe("waiting");
      self.send(child, "go");
      expect(await started).toBe(42);
      expect(events).toEqual(["child got go"]);
      expect(node.isAlive(child)).toBe(true);
    });
  });

  it("PL-01: startLink also waits for the ack and resolves with its value", async () => {
    await run(node, async (self) => {
      const parent = self.pid;
      const started = procLib.startLink(self, async (s) => {
        s.send(parent, { child: s.pid });
        await s.receive((m) => m === "go");
        procLib.initAck(s, { ok: s.pid });
        await s.receive((m) => m === "never");
      });
      let settled = false;
      void started.then(() => (settled = true));
      const child = await childPid(self);
      expect(settled).toBe(false);
      self.send(child, "go");
      expect(await started).toEqual({ ok: child });
    });
  });

  it("PL-01: startLink links the child", async () => {
    await run(node, async (self) => {
      const child = (await procLib.startLink(self, async (s) => {
        procLib.initAck(s, s.pid);
        await s.receive((m) => m === "never");
      })) as Pid;
      expect(node.processInfo(self.pid)?.links).toContain(child);
      expect(node.processInfo(child)?.links).toContain(self.pid);
    });
  });

  it("PL-01: start from outside any process (parent null) resolves with the ack value", async () => {
    const value = await procLib.start(null, (s) => {
      procLib.initAck(s, "ready");
      return s.receive((m) => m === "never");
    });
    expect(value).toBe("ready");
  });

  it("PL-01: initAck without a value acks with the child's pid", async () => {
    let pid: Pid | undefined;
    const value = await procLib.start(null, (s) => {
      pid = s.pid;
      procLib.initAck(s);
      return s.receive((m) => m === "never");
    });
    expect(value).toBe(pid);
  });

  it("PL-01: under many seeds, start resolves with the ack value only after 'go'", async () => {
    await forSeeds(50, async (n) => {
      await run(n, async (self) => {
        const parent = self.pid;
        const started = procLib.start(self, async (s) => {
          s.send(parent, { child: s.pid });
          await s.receive((m) => m === "go");
          procLib.initAck(s, 42);
          await s.receive((m) => m === "never");
        });
        let settled = false;
        void started.then(() => (settled = true));
        const child = await childPid(self);
        expect(settled).toBe(false);
        self.send(child, "go");
        expect(await started).toBe(42);
      });
    });
  });
});

describe("PL-02: a child that dies before initAck never hangs the start", () => {
  function badInit(): never {
    throw new Error("bad_init");
  }

  it.each([
    ["start", procLib.start],
    ["startLink", procLib.startLink],
  ] as const)(
    "PL-02: %s rejects with the child's exit reason (the thrown Error)",
    async (_f, start) => {
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const e = await start(self, badInit).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ExitError);
        const reason = (e as ExitError).reason;
        expect(reason).toBeInstanceOf(Error);
        expect((reason as Error).message).toBe("bad_init");
        expect((reason as Error).stack).toEqual(expect.stringContaining("bad_init"));
      });
    },
  );

  it("PL-02: a child that exits (not throws) before initAck: both reject with that reason", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const early = (s: Self) => s.exit("no_config");
      await expect(procLib.start(self, early)).rejects.toMatchObject({ reason: "no_config" });
      await expect(procLib.startLink(self, early)).rejects.toMatchObject({ reason: "no_config" });
      await expect(procLib.start(null, early)).rejects.toMatchObject({ reason: "no_config" });
    });
  });

  it("PL-02: a child that returns before initAck: start rejects with normal", async () => {
    await expect(procLib.start(null, () => undefined)).rejects.toMatchObject({
      reason: "normal",
    });
  });

  /** A trapping caller's startLink of a child that throws before initAck. */
  async function trappingFailure(self: Self): Promise<{ child: Pid; outcome: unknown }> {
    self.processFlag("trapExit", true);
    const parent = self.pid;
    const started = procLib
      .startLink(self, async (s) => {
        s.send(parent, { child: s.pid });
        throw new Error("bad_init");
      })
      .catch((e: unknown) => e);
    const child = await childPid(self);
    return { child, outcome: await started };
  }

  it("PL-02: a trapping startLink caller gets the failure", async () => {
    await run(node, async (self) => {
      const { outcome } = await trappingFailure(self);
      expect(outcome).toMatchObject({ reason: expect.any(Error) });
    });
  });

  it("PL-02: a trapping startLink caller is left no EXIT from the failed child (OTP's flush_EXIT)", async () => {
    await run(node, async (self) => {
      const { child } = await trappingFailure(self);
      await barrierFrom(self, child);
      expect(await poll(self, (m) => isExit(m, child))).toBe(TIMEOUT);
    });
  });

  it("PL-02: after a failed startLink the trapping caller is no longer linked to the child", async () => {
    await run(node, async (self) => {
      const { child } = await trappingFailure(self);
      expect(self.node.processInfo(self.pid)?.links).not.toContain(child);
    });
  });
});

describe("PL-03: start timeout", () => {
  beforeEach(useFakeTimers);

  /** Starts a child that never acks, with a 100 ms timeout; resolves once it has announced itself. */
  async function neverAcks(self: Self): Promise<{ child: Pid; started: Promise<unknown> }> {
    const parent = self.pid;
    const started = procLib.start(
      self,
      async (s) => {
        s.send(parent, { child: s.pid });
        await s.receive((m) => m === "never");
      },
      { timeout: 100 },
    );
    const caught = started.catch((x: unknown) => x);
    return { child: await childPid(self), started: caught };
  }

  it("PL-03: no ack within the timeout -> start rejects with timeout, not before", async () => {
    await run(node, async (self) => {
      const { child, started } = await neverAcks(self);
      let settled = false;
      void started.then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(99);
      expect(settled).toBe(false);
      expect(node.isAlive(child)).toBe(true);
      await jest.advanceTimersByTimeAsync(1);
      const e = await started;
      expect(e).toBeInstanceOf(ExitError);
      expect((e as ExitError).reason).toBe("timeout");
    });
  });

  it("PL-03: no ack within the timeout -> the child is killed", async () => {
    await run(node, async (self) => {
      const { child, started } = await neverAcks(self);
      await jest.advanceTimersByTimeAsync(100);
      await started;
      expect(node.isAlive(child)).toBe(false);
      expect(await node.awaitExit(child)).toBe("killed");
    });
  });

  /** A body that announces itself to `parent` and never acks. */
  const silent = (parent: Pid) => async (s: Self) => {
    s.send(parent, { child: s.pid });
    await s.receive((m) => m === "never");
  };

  it("PL-03: startLink timeout unlinks before killing: a non-trapping parent survives", async () => {
    await run(node, async (self) => {
      const first = procLib
        .startLink(self, silent(self.pid), { timeout: 100 })
        .catch((e: unknown) => e);
      const c1 = await childPid(self);
      await jest.advanceTimersByTimeAsync(100);
      expect(await first).toMatchObject({ reason: "timeout" });
      expect(await node.awaitExit(c1)).toBe("killed");
      expect(self.isAlive(self.pid)).toBe(true);
    });
  });

  it("PL-03: startLink timeout unlinks before killing: a trapping parent gets no EXIT", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const second = procLib
        .startLink(self, silent(self.pid), { timeout: 100 })
        .catch((e: unknown) => e);
      const c2 = await childPid(self);
      await jest.advanceTimersByTimeAsync(100);
      expect(await second).toMatchObject({ reason: "timeout" });
      expect(await node.awaitExit(c2)).toBe("killed");
      await barrierFrom(self, c2);
      expect(await poll(self, (m) => isExit(m, c2))).toBe(TIMEOUT);
      expect(node.processInfo(self.pid)?.links).not.toContain(c2);
    });
  });

  /** A start (timeout 100) whose child acks at 50 ms; the start's result and the child. */
  async function ackInTime(self: Self) {
    const parent = self.pid;
    const started = procLib.start(
      self,
      async (s) => {
        s.send(parent, { child: s.pid });
        await s.receive((m) => m === "go");
        procLib.initAck(s, "in time");
        await s.receive((m) => m === "never");
      },
      { timeout: 100 },
    );
    const child = await childPid(self);
    await jest.advanceTimersByTimeAsync(50);
    self.send(child, "go");
    return { value: await started, child };
  }

  it("PL-03: an ack inside the timeout wins: start resolves with its value", async () => {
    await run(node, async (self) => {
      const { value } = await ackInTime(self);
      expect(value).toBe("in time");
    });
  });

  it("PL-03: after an ack inside the timeout the timer is cancelled: the child is not killed", async () => {
    await run(node, async (self) => {
      const { child } = await ackInTime(self);
      await jest.advanceTimersByTimeAsync(1000);
      expect(node.isAlive(child)).toBe(true);
    });
  });

  it("PL-03: a timeout beyond setTimeout's limit (2^31 - 1 ms) does not expire early", async () => {
    await run(node, async (self) => {
      const parent = self.pid;
      const started = procLib.start(
        self,
        async (s) => {
          s.send(parent, { child: s.pid });
          await s.receive((m) => m === "go");
          procLib.initAck(s, "in time");
          await s.receive((m) => m === "never");
        },
        { timeout: 2 ** 31 + 1000 },
      );
      const child = await childPid(self);
      await jest.advanceTimersByTimeAsync(100);
      self.send(child, "go");
      expect(await started).toBe("in time");
    });
  });
});

describe("PL-04: initFail", () => {
  /** Starts a linked child that calls initFail on "go"; returns its pid and the start's outcome. */
  async function failingStart(
    self: Self,
  ): Promise<{ child: Pid; outcome: unknown; aliveOnReturn: boolean }> {
    const parent = self.pid;
    const started = procLib
      .startLink(self, async (s) => {
        s.send(parent, { child: s.pid });
        await s.receive((m) => m === "go");
        procLib.initFail(s, { error: "x" }, "x");
      })
      .catch((x: unknown) => x);
    const child = await childPid(self);
    self.send(child, "go");
    const outcome = await started;
    // Read at once: the start must not return while the child is still alive.
    return { child, outcome, aliveOnReturn: node.isAlive(child) };
  }

  it("PL-04: trapping parent, initFail -> start rejects with the return", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const { outcome } = await failingStart(self);
      expect(outcome).toBeInstanceOf(ExitError);
      expect((outcome as ExitError).reason).toEqual({ error: "x" });
    });
  });

  it("PL-04: trapping parent, initFail -> the child is already dead when start returns, with the exception reason", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const { child, aliveOnReturn } = await failingStart(self);
      // OTP (26+) returns from start only once the child is gone (await_DOWN).
      expect(aliveOnReturn).toBe(false);
      expect(await node.awaitExit(child)).toBe("x");
    });
  });

  it("PL-04: trapping parent, initFail -> the child's EXIT is consumed (OTP's flush_EXIT)", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const { child, outcome } = await failingStart(self);
      expect(outcome).toMatchObject({ reason: { error: "x" } });
      await barrierFrom(self, child);
      expect(await poll(self, (m) => isExit(m, child))).toBe(TIMEOUT);
    });
  });

  /** An unlinked start whose child calls initFail("bad_config") at once; the outcome and the child. */
  async function unlinkedFail(self: Self) {
    const parent = self.pid;
    const started = procLib
      .start(self, (s) => {
        s.send(parent, { child: s.pid });
        procLib.initFail(s, "bad_config");
      })
      .catch((x: unknown) => x);
    const child = await childPid(self);
    return { outcome: await started, child };
  }

  it("PL-04: unlinked start, initFail(R) -> start rejects with R", async () => {
    await run(node, async (self) => {
      const { outcome } = await unlinkedFail(self);
      expect(outcome).toMatchObject({ reason: "bad_config" });
    });
  });

  it("PL-04: initFail without an exit reason: the child exits with the failure reason", async () => {
    await run(node, async (self) => {
      const { child } = await unlinkedFail(self);
      expect(await node.awaitExit(child)).toBe("bad_config");
    });
  });
});

describe("PL-05: initial call and ancestors", () => {
  /** From `self`: a child registered as "child", which starts a grandchild; returns the grandchild. */
  async function startFamily(self: Self): Promise<Pid> {
    return (await procLib.start(self, async function child(c) {
      c.register("child");
      const g = await procLib.start(c, function grandchild(g) {
        procLib.initAck(g, g.pid);
        return specialLoop(g, c.pid);
      });
      procLib.initAck(c, g);
      return specialLoop(c, self.pid);
    })) as Pid;
  }

  it("PL-05: grandchild's ancestors are [child, parent], by registered name", async () => {
    await run(node, async (self) => {
      self.register("parent");
      const grandchild = await startFamily(self);
      expect(await dictEntry(grandchild, "$ancestors")).toEqual(["child", "parent"]);
      const child = node.whereis("child")!;
      expect(await dictEntry(child, "$ancestors")).toEqual(["parent"]);
    });
  });

  it("PL-05: the initial call is the body's name", async () => {
    await run(node, async (self) => {
      const grandchild = await startFamily(self);
      expect(await dictEntry(grandchild, "$initial_call")).toBe("grandchild");
      expect(await dictEntry(node.whereis("child")!, "$initial_call")).toBe("child");
    });
  });

  it("PL-05: unregistered ancestors are recorded as pids", async () => {
    await run(node, async (self) => {
      let childPidSeen: Pid | undefined;
      const grandchild = (await procLib.start(self, async function child(c) {
        childPidSeen = c.pid;
        const g = await procLib.start(c, function grandchild(g) {
          procLib.initAck(g, g.pid);
          return specialLoop(g, c.pid);
        });
        procLib.initAck(c, g);
        return specialLoop(c, self.pid);
      })) as Pid;
      expect(await dictEntry(grandchild, "$ancestors")).toEqual([childPidSeen, self.pid]);
    });
  });

  it.each([
    ["spawn", procLib.spawn],
    ["spawnLink", procLib.spawnLink],
  ] as const)("PL-05: %s records the initial call and the ancestors too", async (_f, spawn) => {
    await run(node, async (self) => {
      const p = spawn(self, function spawned(s) {
        return specialLoop(s, self.pid);
      });
      expect(await dictEntry(p, "$ancestors")).toEqual([self.pid]);
      expect(await dictEntry(p, "$initial_call")).toBe("spawned");
    });
  });

  it("PL-05: from outside any process the ancestors are []", async () => {
    const c = procLib.spawn(null, function orphan(s) {
      return specialLoop(s, s.pid);
    });
    expect(await dictEntry(c, "$ancestors")).toEqual([]);
    expect(await dictEntry(c, "$initial_call")).toBe("orphan");
  });

  const Idle = GenServer.define({ name: "Idle", init: (n: number) => ok(n), handleCall: {} });

  it("PL-05: a GenServer started outside any process shows Name.init and no ancestors", async () => {
    const pid = await Idle.start(1, { node });
    expect(await dictEntry(pid, "$initial_call")).toBe("Idle.init");
    expect(await dictEntry(pid, "$ancestors")).toEqual([]);
  });

  it("PL-05: a GenServer started from a process has that process as its ancestor", async () => {
    await run(node, async (self) => {
      self.register("starter");
      const pid = await Idle.startLink(self, 1);
      expect(await dictEntry(pid, "$initial_call")).toBe("Idle.init");
      expect(await dictEntry(pid, "$ancestors")).toEqual(["starter"]);
    });
  });

  it("PL-05: enterLoop keeps procLib's initial call and ancestors", async () => {
    await run(node, async (self) => {
      const pid = (await procLib.start(self, function entering(s) {
        procLib.initAck(s);
        return GenServer.enterLoop(s, Idle.spec, 1);
      })) as Pid;
      expect(await dictEntry(pid, "$initial_call")).toBe("entering");
      expect(await dictEntry(pid, "$ancestors")).toEqual([self.pid]);
    });
  });
});

describe("PL-06: which exits are reported", () => {
  it("PL-06: an abnormal exit gives one crash report, at error level", async () => {
    const pid = procLib.spawn(null, (s) => s.exit("boom"));
    expect(await node.awaitExit(pid)).toBe("boom");
    const reports = crashReports();
    expect(reports).toHaveLength(1);
    expect(reports[0].pid).toBe(pid);
    expect(reports[0].level).toBe("error");
    expect((reports[0].data as { errorInfo: { reason: unknown } }).errorInfo.reason).toBe("boom");
  });

  it("PL-06: a procLib process's crash report replaces the plain 'Error in process' report", async () => {
    const pid = procLib.spawn(null, (s) => s.exit("boom"));
    await node.awaitExit(pid);
    expect(crashReports()).toHaveLength(1);
    expect(node.logs.filter((e) => e.kind === "crash")).toEqual([]);
  });

  it.each<[string, unknown]>([
    ["normal", "normal"],
    ["shutdown", "shutdown"],
    ["{shutdown: _}", { shutdown: "x" }],
  ])("PL-06: an exit with reason %s gives no report", async (_label, reason) => {
    const pid = procLib.spawn(null, (s) => s.exit(reason));
    expect(await node.awaitExit(pid)).toEqual(reason);
    expect(node.logs).toEqual([]);
  });

  it("PL-06: a body that returns is not reported", async () => {
    const ok = procLib.spawn(null, () => undefined);
    expect(await node.awaitExit(ok)).toBe("normal");
    expect(crashReports(ok)).toHaveLength(0);
  });

  it.each<[string, () => never]>([
    [
      "a thrown Error",
      () => {
        throw new Error("oops");
      },
    ],
    [
      "a thrown value",
      () => {
        throw "v";
      },
    ],
  ])("PL-06: %s is reported once, as a crash report only", async (_what, body) => {
    const pid = procLib.spawn(null, body);
    await node.awaitExit(pid);
    expect(crashReports(pid)).toHaveLength(1);
    expect(node.logs.filter((e) => e.kind === "crash")).toEqual([]);
  });
});

describe("PL-07: crash report contents", () => {
  /**
   * From a test process: a registered procLib child "crasher" with a linked neighbour and two
   * unread messages crashes; resolves with its one crash report and what the report should name.
   */
  async function crashReport() {
    return run(node, async (self) => {
      const parent = self.pid;
      const child = procLib.spawn(self, async function crasher(c) {
        c.register("crasher");
        const g = procLib.spawnLink(c, function neighbour(n) {
          return n.receive((m) => m === "never");
        });
        c.send(parent, { child: g });
        await c.receive((m) => m === "crash");
        throw new Error("crashed");
      });
      const ref = self.monitor(child);
      const grandchild = await childPid(self);
      self.send(child, "junk1");
      self.send(child, "junk2");
      self.send(child, "crash");
      const down = await self.receive((m) => isDown(m, ref));
      expect(down.reason).toBeInstanceOf(Error);
      const reports = crashReports(child);
      expect(reports).toHaveLength(1);
      return {
        report: reports[0],
        data: reports[0].data as Record<string, any>,
        child,
        parent,
        grandchild,
        reason: down.reason,
      };
    });
  }

  it("PL-07: the crash report names the pid and its registered name", async () => {
    const { data, child } = await crashReport();
    expect(data.pid).toBe(child);
    expect(data.registeredName).toBe("crasher");
  });

  it("PL-07: the crash report names the initial call and the ancestors", async () => {
    const { data, parent } = await crashReport();
    expect(data.initialCall).toBe("crasher");
    expect(data.ancestors).toEqual([parent]);
  });

  it("PL-07: the crash report's errorInfo has class error, the reason and the stack", async () => {
    const { data, reason } = await crashReport();
    expect(data.errorInfo.class).toBe("error");
    expect(data.errorInfo.reason).toBe(reason);
    expect(data.errorInfo.stacktrace).toEqual(expect.stringContaining("crashed"));
  });

  it("PL-07: the crash report gives the message queue length", async () => {
    const { data } = await crashReport();
    expect(data.messageQueueLen).toBe(2);
  });

  it("PL-07: the crash report lists the linked neighbours with their initial call and ancestors", async () => {
    const { data, parent, grandchild } = await crashReport();
    expect(data.links).toEqual([
      { pid: grandchild, initialCall: "neighbour", ancestors: ["crasher", parent] },
    ]);
  });

  it("PL-07: the crash report's text is a CRASH REPORT naming the initial call", async () => {
    const { report } = await crashReport();
    expect(report.text).toEqual(expect.stringContaining("CRASH REPORT"));
    expect(report.text).toEqual(expect.stringContaining("initial call: crasher"));
  });

  it("PL-07: errorInfo class is exit for self.exit (no stack, no links, no ancestors from outside)", async () => {
    const exited = procLib.spawn(null, (s) => s.exit({ bad: 1 }));
    await node.awaitExit(exited);
    const e = crashReports(exited)[0].data as Record<string, any>;
    expect(e.errorInfo).toEqual({ class: "exit", reason: { bad: 1 }, stacktrace: undefined });
    expect(e.links).toEqual([]);
    expect(e.ancestors).toEqual([]);
  });

  it("PL-07: errorInfo class is throw for a thrown value", async () => {
    const thrown = procLib.spawn(null, () => {
      throw "v";
    });
    await node.awaitExit(thrown);
    const t = crashReports(thrown)[0].data as Record<string, any>;
    expect(t.errorInfo.class).toBe("throw");
    expect(t.errorInfo.reason).toEqual({ nocatch: "v" });
  });
});

describe("PL-08: exit reasons of procLib processes", () => {
  it("PL-08: a thrown Error -> that Error, with its stack", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const e = procLib.spawnLink(self, () => {
        throw new Error("err");
      });
      const ee = await self.receive((m) => isExit(m, e));
      expect(ee.reason).toBeInstanceOf(Error);
      expect((ee.reason as Error).message).toBe("err");
      expect((ee.reason as Error).stack).toEqual(expect.stringContaining("err"));
    });
  });

  it("PL-08: exit(R) -> R", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const x = procLib.spawnLink(self, (s) => s.exit("r"));
      expect((await self.receive((m) => isExit(m, x))).reason).toBe("r");
    });
  });

  it("PL-08: a thrown value V -> {nocatch: V}", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const t = procLib.spawnLink(self, () => {
        throw "v";
      });
      expect((await self.receive((m) => isExit(m, t))).reason).toEqual({ nocatch: "v" });
    });
  });

  it("PL-08: async bodies follow the same rules", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const e = procLib.spawnLink(self, async (s) => {
        await s.receive((m) => m === "go");
        throw new Error("late");
      });
      const t = procLib.spawnLink(self, async (s) => {
        await s.receive((m) => m === "go");
        throw 7;
      });
      self.send(e, "go");
      self.send(t, "go");
      expect(((await self.receive((m) => isExit(m, e))).reason as Error).message).toBe("late");
      expect((await self.receive((m) => isExit(m, t))).reason).toEqual({ nocatch: 7 });
    });
  });
});

describe("PL-09: procLib.stop", () => {
  it("PL-09: stop sends a terminate request, waits for the end and resolves ok", async () => {
    const pid = procLib.spawn(null, (s) => specialLoop(s, s.pid));
    expect(await procLib.stop(pid)).toBe("ok");
    expect(node.isAlive(pid)).toBe(false);
    expect(await node.awaitExit(pid)).toBe("normal");
  });

  it("PL-09: stopping a process that is already dead exits noproc", async () => {
    const pid = procLib.spawn(null, (s) => specialLoop(s, s.pid));
    await procLib.stop(pid);
    const e = await procLib.stop(pid).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("noproc");
  });

  it("PL-09: stop with another reason ends the process with it", async () => {
    const p = procLib.spawn(null, (s) => specialLoop(s, s.pid));
    expect(await procLib.stop(p, "other_reason", Infinity)).toBe("ok");
    expect(await node.awaitExit(p)).toBe("other_reason");
  });

  it("PL-09: stop by registered name", async () => {
    const q = procLib.spawn(null, (s) => specialLoop(s, s.pid));
    node.register("to_stop", q);
    expect(await procLib.stop("to_stop")).toBe("ok");
    expect(node.whereis("to_stop")).toBeUndefined();
    expect(node.isAlive(q)).toBe(false);
  });

  it("PL-09: stop of an unknown name exits noproc", async () => {
    await expect(procLib.stop("nobody")).rejects.toMatchObject({ reason: "noproc" });
  });

  it("PL-09: a process that dies with another reason on the request: stop exits with that reason", async () => {
    const die = procLib.spawn(null, async (s) => {
      await s.receive(isSystemMessage);
      s.exit("die");
    });
    const e = await procLib.stop(die).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("die");
  });

  /** A special process whose systemTerminate throws "badmatch". */
  const badTerminate = () =>
    procLib.spawn(null, (s) =>
      specialLoop(s, s.pid, {
        module: "bad_terminate",
        systemTerminate() {
          throw new Error("badmatch");
        },
      }),
    );

  it("PL-09: systemTerminate throws: stop exits with the thrown error", async () => {
    const e = await procLib.stop(badTerminate(), "crash", Infinity).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBeInstanceOf(Error);
    expect(((e as ExitError).reason as Error).message).toBe("badmatch");
  });

  it("PL-09: systemTerminate throws: the process is dead when stop returns", async () => {
    const pid = badTerminate();
    await procLib.stop(pid, "crash", Infinity).catch((x: unknown) => x);
    expect(node.isAlive(pid)).toBe(false);
  });

  it("PL-09: a process that sleeps on the system message: stop exits timeout, not before", async () => {
    useFakeTimers();
    const got: unknown[] = [];
    const hang = procLib.spawn(null, async (s) => {
      got.push(await s.receive(isSystemMessage));
      await s.receive((m) => m === "never");
    });
    const stopping = procLib.stop(hang, "normal", 1000);
    let settled = false;
    void stopping.catch(() => (settled = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    expect(got).toHaveLength(1); // the request did arrive
    await jest.advanceTimersByTimeAsync(1);
    const e = await stopping.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("timeout");
  });

  it("PL-09: a stop timeout leaves the target alone (OTP kills only its own helper)", async () => {
    useFakeTimers();
    const hang = procLib.spawn(null, async (s) => {
      await s.receive(isSystemMessage);
      await s.receive((m) => m === "never");
    });
    const stopping = procLib.stop(hang, "normal", 1000).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await stopping).toMatchObject({ reason: "timeout" });
    expect(node.isAlive(hang)).toBe(true);
  });

  it("PL-09: a bad timeout is a BadArgError", () => {
    const pid = procLib.spawn(null, (s) => specialLoop(s, s.pid));
    expect(() => procLib.stop(pid, "normal", -1)).toThrow(BadArgError);
  });
});

describe("PL-10: hibernate (no heap to compact; the semantics are kept)", () => {
  it("PL-10: hibernate, send: the wake-up callback runs, then the reply comes, in that order", async () => {
    await run(node, async (self) => {
      const parent = self.pid;
      const child = procLib.spawn(self, async (s) => {
        s.send(parent, "hibernating");
        const r = await procLib.hibernate(s, async () => {
          // The message that woke us is still queued, for the callback to receive.
          s.send(parent, { woke: node.processInfo(s.pid)?.messageQueueLen });
          const m = await s.receive();
          s.send(parent, { reply: m });
          return "done";
        });
        s.exit(r);
      });
      const ref = self.monitor(child);
      expect(await self.receive()).toBe("hibernating");
      // Hibernating: waiting, and the callback has not run.
      expect(node.processInfo(child)?.status).toBe("waiting");
      expect(await poll(self)).toBe(TIMEOUT);
      self.send(child, "ping");
      expect(await self.receive()).toEqual({ woke: 1 });
      expect(await self.receive()).toEqual({ reply: "ping" });
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("done");
    });
  });

  it("PL-10: an error in the wake-up callback becomes the exit reason", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const child = procLib.spawnLink(self, (s) =>
        procLib.hibernate(s, () => {
          throw new Error("after wake");
        }),
      );
      self.send(child, "wake");
      const exit = await self.receive((m) => isExit(m, child));
      expect((exit.reason as Error).message).toBe("after wake");
    });
  });

  it("PL-10: an error in the wake-up callback is reported as usual", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const child = procLib.spawnLink(self, (s) =>
        procLib.hibernate(s, () => {
          throw new Error("after wake");
        }),
      );
      self.send(child, "wake");
      await self.receive((m) => isExit(m, child));
      expect(crashReports(child)).toHaveLength(1);
    });
  });
});
