/**
 * Conformance: supervisor (docs/conformance.md, SUP-01..30).
 *
 * Children are small GenServers (`Worker`) that record their init and
 * terminate in a shared log. A restart is observed through the supervisor
 * (a call after the child's DOWN), never by the DOWN alone (SUP-29).
 * Fake-timer tests keep the native `queueMicrotask` (the scheduler drains in
 * microtasks).
 */
import fc from "fast-check";
import {
  attachDebug,
  ChildSpec,
  From,
  GenServer,
  ignore,
  isDown,
  isExit,
  Node,
  ok,
  Pid,
  procLib,
  reply,
  Self,
  stop,
  Supervisor,
  SupervisorState,
  sys,
  TIMEOUT,
  checkChildSpecs,
} from "otpkit";
import {
  QuietNode,
  eachTestNode,
  forSeeds,
  quietNode,
  run,
  useFakeTimers,
  rejection,
} from "../support";

// ---- fixtures ----

interface Entry {
  ev: "init" | "terminate";
  id: string;
  pid: Pid;
  reason?: unknown;
}

type InitScript = "ok" | "ignore" | { stop: unknown };

interface WArg {
  id: string;
  log?: Entry[];
  trap?: boolean;
  result?: InitScript;
  extra?: unknown[];
  /** Gets `"init <id>"` on each init. */
  notify?: Pid;
}

const workerCalls = {
  extra: (_: undefined, _f: From, s: WArg) => reply(s.extra, s),
  unlinkFrom(this: Self, pid: Pid, _f: From, s: WArg) {
    this.unlink(pid);
    return reply("ok" as const, s);
  },
};
const workerCasts = {
  stopWith: (reason: unknown, s: WArg) => stop(reason, s),
};

const Worker = GenServer.define<WArg, WArg, typeof workerCalls, typeof workerCasts>({
  name: "Worker",
  init(a) {
    if (a.trap) this.processFlag("trapExit", true);
    a.log?.push({ ev: "init", id: a.id, pid: this.pid });
    if (a.notify) this.send(a.notify, `init ${a.id}`);
    const r = a.result ?? "ok";
    if (r === "ignore") return ignore();
    if (r !== "ok") return stop(r.stop);
    return ok(a);
  },
  handleCall: workerCalls,
  handleCast: workerCasts,
  terminate(reason, s) {
    s.log?.push({ ev: "terminate", id: s.id, pid: this.pid, reason });
  },
});

interface ChildOpts extends Partial<Omit<ChildSpec, "id" | "start">> {
  trap?: boolean;
  /** The init result of each successive start (default: ok). */
  script?: InitScript[];
  notify?: Pid;
}

/** A Worker child spec; `log` gets its inits and terminates. */
function worker(id: string, log: Entry[] = [], opts: ChildOpts = {}): ChildSpec {
  const { trap = true, script, notify, ...rest } = opts;
  let n = 0;
  return {
    id,
    start: (sup, ...extra) =>
      Worker.startLink(sup, { id, log, trap, extra, notify, result: script?.[n++] ?? "ok" }),
    ...rest,
  };
}

/** A child that traps exits and never exits on `shutdown`; it sends `notify` "got <reason>" first. */
function stubborn(id: string, notify: () => Pid, opts: Partial<ChildSpec> = {}): ChildSpec {
  return {
    id,
    start: (sup) =>
      procLib.startLink(sup, async (self) => {
        self.processFlag("trapExit", true);
        procLib.initAck(self);
        const m = await self.receive(isExit);
        self.send(notify(), `${id} got ${String(m.reason)}`);
        await self.receive((x) => x === "exit now");
        self.exit("done");
      }) as Promise<Pid>,
    ...opts,
  };
}

const inits = (log: Entry[]) => log.filter((e) => e.ev === "init");
const terms = (log: Entry[]) => log.filter((e) => e.ev === "terminate");

/** Pids by id, from whichChildren. */
async function pids(sup: Pid): Promise<Record<string, Pid | undefined | "restarting">> {
  const out: Record<string, Pid | undefined | "restarting"> = {};
  for (const c of await Supervisor.whichChildren(sup)) out[String(c.id)] = c.pid;
  return out;
}

/** Ends `pid` with `reason` from outside and resolves once it is dead. */
async function kill(node: Node, pid: Pid, reason: unknown = "kill"): Promise<unknown> {
  const down = node.awaitExit(pid);
  node.exit(pid, reason);
  return down;
}

/** Makes the Worker `pid` exit by itself with `reason`; resolves once it is dead. */
async function selfExit(node: Node, pid: Pid, reason: unknown): Promise<unknown> {
  const down = node.awaitExit(pid);
  Worker.cast(pid, "stopWith", reason);
  return down;
}

const reasonOf = async (p: Promise<unknown>) => (await rejection(p)).reason;

let node: QuietNode;
eachTestNode((n) => (node = n));

// ---- 9a. Start and child specs ----

describe("9a: start and child specs", () => {
  /** Starts a supervisor of a, b, c from a test process; `check` gets it, the log and the caller. */
  async function abc(check: (sup: Pid, log: Entry[], self: Self) => Promise<void>): Promise<void> {
    const log: Entry[] = [];
    await run(node, async (self) => {
      const sup = await Supervisor.startLink(self, () => ({
        children: [worker("a", log), worker("b", log), worker("c", log)],
      }));
      await check(sup, log, self);
    });
  }

  it("SUP-01: static children start one by one in spec order before startLink resolves", async () => {
    await abc(async (sup, log) => {
      // Started synchronously: all three inits ran, in order, before the start resolved.
      expect(inits(log).map((e) => e.id)).toEqual(["a", "b", "c"]);
      const ps = await pids(sup);
      expect(inits(log).map((e) => e.pid)).toEqual([ps.a, ps.b, ps.c]);
    });
  });

  it("SUP-01: each static child is linked to the supervisor", async () => {
    await abc(async (sup, log) => {
      for (const e of inits(log)) expect(node.processInfo(e.pid)!.links).toContain(sup);
    });
  });

  it("SUP-01: the supervisor traps exits", async () => {
    await abc(async (sup) => {
      expect(node.processInfo(sup)!.trapExit).toBe(true);
    });
  });

  /** A supervisor start whose third static child fails its init with `{stop: "bad"}`. */
  async function failingStart(log: Entry[]): Promise<unknown> {
    return reasonOf(
      Supervisor.start(() => ({
        children: [
          worker("a", log),
          worker("b", log),
          worker("c", log, { script: [{ stop: "bad" }] }),
          worker("d", log),
        ],
      })),
    );
  }

  it("SUP-02: a failing static child makes start fail with failed_to_start_child", async () => {
    const log: Entry[] = [];
    expect(await failingStart(log)).toEqual({
      shutdown: { failed_to_start_child: ["c", "bad"] },
    });
    expect(inits(log).map((e) => e.id)).toEqual(["a", "b", "c"]); // d never started
  });

  it("SUP-02: a failing static child stops the started ones, in reverse order", async () => {
    const log: Entry[] = [];
    await failingStart(log);
    expect(terms(log).map((e) => [e.id, e.reason])).toEqual([
      ["b", "shutdown"],
      ["a", "shutdown"],
    ]);
    for (const e of inits(log)) expect(node.isAlive(e.pid)).toBe(false);
  });

  it("SUP-02: a failing static child is reported in a supervisor report", async () => {
    await failingStart([]);
    expect(node.logs.some((l) => l.kind === "supervisor_report")).toBe(true);
  });

  /**
   * Runs `start` from a trapping test process; resolves with the failure reason, whether an
   * EXIT is in its mailbox once every signal of the dead supervisor has landed (fifo), and its links.
   */
  async function trappingStart(
    start: (self: Self) => Promise<Pid>,
  ): Promise<{ reason: unknown; exit: unknown; links: Pid[] }> {
    return run(node, async (self) => {
      self.processFlag("trapExit", true);
      const reason = await reasonOf(start(self));
      const exit = await self.receive(isExit, { timeout: 0 });
      return { reason, exit, links: node.processInfo(self.pid)!.links };
    });
  }

  const boom = new Error("boom");
  const failedInits: Array<[string, (self: Self) => Promise<Pid>, unknown]> = [
    ["returning ignore", (self) => Supervisor.startLink(self, () => "ignore"), "ignore"],
    [
      "with a bad return",
      (self) => Supervisor.startLink(self, { name: "Mine", init: () => 42 as never }),
      { bad_return: { module: "Mine", fn: "init", value: 42 } },
    ],
    [
      "that crashes",
      (self) =>
        Supervisor.startLink(self, () => {
          throw boom;
        }),
      boom,
    ],
    [
      "with invalid flags",
      (self) => Supervisor.startLink(self, { flags: { strategy: "x" as never }, children: [] }),
      { supervisor_data: { invalid_strategy: "x" } },
    ],
  ];

  /** The failed start's reason, for the init of `failedInits` called `what`. */
  async function failedInitReason(what: string) {
    const [, start, reason] = failedInits.find(([w]) => w === what)!;
    expect((await trappingStart(start)).reason).toEqual(reason);
  }

  it("SUP-03: init returning ignore: start fails with its reason", () =>
    failedInitReason("returning ignore"));

  it("SUP-03: init with a bad return: start fails with its reason", () =>
    failedInitReason("with a bad return"));

  it("SUP-03: init that crashes: start fails with its reason", () =>
    failedInitReason("that crashes"));

  it("SUP-03: init with invalid flags: start fails with its reason", () =>
    failedInitReason("with invalid flags"));

  it.each(failedInits)(
    "SUP-03: init %s: a trapping startLink caller gets no EXIT and keeps no link",
    async (_i, start) => {
      const { exit, links } = await trappingStart(start);
      expect(exit).toBe(TIMEOUT);
      expect(links).toEqual([]);
    },
  );

  it("SUP-04: invalid flags are rejected with supervisor_data", async () => {
    const bad: Array<[unknown, unknown]> = [
      [{ strategy: "none_for_one" }, { invalid_strategy: "none_for_one" }],
      [{ intensity: Infinity }, { invalid_intensity: Infinity }],
      [{ intensity: -1 }, { invalid_intensity: -1 }],
      [{ period: 0 }, { invalid_period: 0 }],
      [{ period: Infinity }, { invalid_period: Infinity }],
      [{ autoShutdown: "sometimes" }, { invalid_auto_shutdown: "sometimes" }],
      [["one_for_one", 2], { invalid_type: ["one_for_one", 2] }],
    ];
    for (const [flags, err] of bad)
      expect(await reasonOf(Supervisor.start({ flags: flags as never, children: [] }))).toEqual({
        supervisor_data: err,
      });
  });

  it("SUP-04: unknown flag keys are ignored", async () => {
    const sup = await Supervisor.start({
      flags: { silly: true, strategy: "one_for_all" } as never,
      children: [],
    });
    const st = await sys.getState<SupervisorState>(sup);
    expect(st.strategy).toBe("one_for_all");
    expect(st).not.toHaveProperty("silly");
  });

  it("SUP-04: the default flags are one_for_one, intensity 1, period 5, autoShutdown never", async () => {
    const sup = await Supervisor.start({ flags: { silly: true } as never, children: [] });
    const st = await sys.getState<SupervisorState>(sup);
    expect([st.strategy, st.intensity, st.period, st.autoShutdown]).toEqual([
      "one_for_one",
      1,
      5,
      "never",
    ]);
  });

  const start = async () => "ignore" as const;
  const cs = { id: "child", start };
  const badSpecs: Array<[unknown, unknown]> = [
    [{}, "missing_id"],
    [{ id: "child" }, "missing_start"],
    [{ start }, "missing_id"],
    [{ ...cs, start: "mfa" }, { invalid_mfa: "mfa" }],
    [{ ...cs, restart: "prmanent" }, { invalid_restart_type: "prmanent" }],
    [{ ...cs, shutdown: -10 }, { invalid_shutdown: -10 }],
    [{ ...cs, shutdown: 1.5 }, { invalid_shutdown: 1.5 }],
    [{ ...cs, type: "wrker" }, { invalid_child_type: "wrker" }],
    [{ ...cs, modules: "dy" }, { invalid_modules: "dy" }],
    [{ ...cs, modules: [1, 2] }, { invalid_module: 1 }],
    [{ ...cs, significant: "maybe" }, { invalid_significant: "maybe" }],
    [
      { ...cs, significant: true, restart: "transient" },
      { bad_combination: { autoShutdown: "never", significant: true } },
    ],
  ];

  it("SUP-05: checkChildSpecs rejects bad child specs", () => {
    for (const [spec, err] of badSpecs)
      expect(checkChildSpecs([spec as ChildSpec])).toEqual({ error: err });
    expect(checkChildSpecs([cs, cs])).toEqual({ error: { duplicate_child_name: "child" } });
    expect(checkChildSpecs("x" as never)).toEqual({ error: { badarg: "x" } });
    expect(
      checkChildSpecs([{ ...cs, significant: true, restart: "permanent" }], "any_significant"),
    ).toEqual({ error: { bad_combination: { restart: "permanent", significant: true } } });
  });

  it("SUP-05: checkChildSpecs accepts good child specs", () => {
    expect(checkChildSpecs([cs, { ...cs, id: "b", shutdown: "infinity" }])).toBe("ok");
  });

  it("SUP-05: startChild rejects bad child specs with the same errors", async () => {
    const sup = await Supervisor.start({ children: [] });
    for (const [spec, err] of badSpecs)
      expect(await reasonOf(Supervisor.startChild(sup, spec as ChildSpec))).toEqual(err);
  });

  it("SUP-05: a start with bad child specs fails with start_spec and the same errors", async () => {
    for (const [spec, err] of badSpecs)
      expect(await reasonOf(Supervisor.start({ children: [spec as ChildSpec] }))).toEqual({
        start_spec: err,
      });
  });

  it("SUP-05: child spec defaults for a worker: permanent, 5000, worker, not significant, modules [id]", async () => {
    const sup = await Supervisor.start({ children: [] });
    await Supervisor.startChild(sup, cs);
    expect(await Supervisor.getChildspec(sup, "child")).toMatchObject({
      restart: "permanent",
      shutdown: 5000,
      type: "worker",
      significant: false,
      modules: ["child"],
    });
  });

  it("SUP-05: the default shutdown of a supervisor child is infinity", async () => {
    const sup = await Supervisor.start({ children: [] });
    await Supervisor.startChild(sup, { id: "sub", start, type: "supervisor" });
    expect((await Supervisor.getChildspec(sup, "sub")).shutdown).toBe("infinity");
  });

  it("SUP-06: a static child returning ignore is kept with pid undefined", async () => {
    const sup = await Supervisor.start({
      children: [worker("s", [], { script: ["ignore"] })],
    });
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: "s", pid: undefined, type: "worker", modules: ["s"] },
    ]);
  });

  /** A supervisor with static child s (ignore), then startChild of a (ignore) and temporary t (ignore). */
  async function dynamicIgnores() {
    const log: Entry[] = [];
    const sup = await Supervisor.start({
      children: [worker("s", log, { script: ["ignore"] })],
    });
    const a = await Supervisor.startChild(sup, worker("a", log, { script: ["ignore"] }));
    const t = await Supervisor.startChild(
      sup,
      worker("t", log, { script: ["ignore"], restart: "temporary" }),
    );
    return { sup, a, t };
  }

  it("SUP-06: startChild of a child returning ignore gives undefined", async () => {
    const { a, t } = await dynamicIgnores();
    expect(a).toBe(undefined);
    expect(t).toBe(undefined);
  });

  it("SUP-06: startChild of a non-temporary child returning ignore keeps its spec with pid undefined", async () => {
    const { sup } = await dynamicIgnores();
    expect((await Supervisor.whichChildren(sup)).map((c) => [c.id, c.pid])).toContainEqual([
      "a",
      undefined,
    ]);
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 0,
      supervisors: 0,
      workers: 2,
    });
  });

  it("SUP-06: startChild of a temporary child returning ignore keeps no spec", async () => {
    const { sup } = await dynamicIgnores();
    expect((await Supervisor.whichChildren(sup)).map((c) => [c.id, c.pid])).toEqual([
      ["a", undefined],
      ["s", undefined],
    ]);
  });

  it("SUP-06: a temporary static child that returns ignore is dropped", async () => {
    const sup2 = await Supervisor.start({
      children: [worker("t", [], { script: ["ignore"], restart: "temporary" })],
    });
    expect(await Supervisor.whichChildren(sup2)).toEqual([]);
  });

  it("SUP-07: startChild returns the new child's pid", async () => {
    const sup = await Supervisor.start({ children: [] });
    expect(await Supervisor.startChild(sup, worker("a"))).toBeInstanceOf(Pid);
  });

  it("SUP-07: startChild passes {pid, info} through", async () => {
    const sup = await Supervisor.start({ children: [] });
    const withInfo: ChildSpec = {
      id: "i",
      start: async (s) => ({ pid: await Worker.startLink(s, { id: "i" }), info: { port: 80 } }),
    };
    const i = (await Supervisor.startChild(sup, withInfo)) as { pid: Pid; info: unknown };
    expect(i.pid).toBeInstanceOf(Pid);
    expect(i.info).toEqual({ port: 80 });
  });

  it("SUP-07: startChild of a running id fails with already_started and its pid", async () => {
    const sup = await Supervisor.start({ children: [] });
    const a = await Supervisor.startChild(sup, worker("a"));
    expect(await reasonOf(Supervisor.startChild(sup, worker("a")))).toEqual({
      already_started: a,
    });
  });

  it("SUP-07: startChild of a stopped id fails with already_present", async () => {
    const sup = await Supervisor.start({ children: [] });
    await Supervisor.startChild(sup, worker("a"));
    await Supervisor.terminateChild(sup, "a");
    expect(await reasonOf(Supervisor.startChild(sup, worker("a")))).toBe("already_present");
  });

  /** A supervisor with child a and a startChild of f, whose init stops "nope". */
  async function failedStartChild() {
    const sup = await Supervisor.start({ children: [] });
    await Supervisor.startChild(sup, worker("a"));
    const e = await rejection(
      Supervisor.startChild(sup, worker("f", [], { script: [{ stop: "nope" }] })),
    );
    return { sup, e };
  }

  it("SUP-07: a failing startChild rejects with the child's reason, naming Supervisor.startChild", async () => {
    const { e } = await failedStartChild();
    expect(e.reason).toBe("nope");
    expect(e.message).toContain("Supervisor.startChild");
  });

  it("SUP-07: a failing startChild keeps no spec", async () => {
    const { sup } = await failedStartChild();
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["a"]);
  });
});

// ---- 9b. Restart types and strategies ----

describe("9b: restart types and strategies", () => {
  const many = { intensity: 10, period: 3600 };

  /** A permanent child that exits with `reason` is restarted. */
  async function permanentRestarted(reason: unknown) {
    const sup = await Supervisor.start({ flags: many, children: [worker("c")] });
    const prev = (await pids(sup)).c as Pid;
    expect(await selfExit(node, prev, reason)).toEqual(reason);
    const now = (await pids(sup)).c;
    expect(now).toBeInstanceOf(Pid);
    expect(now).not.toBe(prev);
    expect(node.isAlive(now as Pid)).toBe(true);
  }

  it("SUP-08: a permanent child is restarted after a normal exit", () =>
    permanentRestarted("normal"));

  it("SUP-08: a permanent child is restarted after a shutdown exit", () =>
    permanentRestarted("shutdown"));

  it("SUP-08: a permanent child is restarted after a {shutdown, _} exit", () =>
    permanentRestarted({ shutdown: "x" }));

  it("SUP-08: a permanent child is restarted after a abnormal exit", () =>
    permanentRestarted("abnormal"));

  it.each<[string, unknown]>([
    ["normal", "normal"],
    ["shutdown", "shutdown"],
    ["{shutdown, _}", { shutdown: "x" }],
  ])("SUP-09: a transient child is not restarted after a %s exit", async (_label, reason) => {
    const sup = await Supervisor.start({
      flags: many,
      children: [worker("c", [], { restart: "transient" })],
    });
    await selfExit(node, (await pids(sup)).c as Pid, reason);
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: "c", pid: undefined, type: "worker", modules: ["c"] },
    ]);
  });

  it("SUP-09: a transient child is restarted after an abnormal exit", async () => {
    const sup = await Supervisor.start({
      flags: many,
      children: [worker("c", [], { restart: "transient" })],
    });
    const pid = (await pids(sup)).c as Pid;
    await selfExit(node, pid, "abnormal");
    const now = (await pids(sup)).c;
    expect(now).toBeInstanceOf(Pid);
    expect(now).not.toBe(pid);
  });

  /** A temporary child that exits with `reason` is gone, spec and all. */
  async function temporaryRemoved(reason: string) {
    const sup = await Supervisor.start({
      flags: many,
      children: [worker("c", [], { restart: "temporary" })],
    });
    await selfExit(node, (await pids(sup)).c as Pid, reason);
    expect(await Supervisor.whichChildren(sup)).toEqual([]);
    expect((await Supervisor.countChildren(sup)).specs).toBe(0);
  }

  it("SUP-10: a temporary child that exits normal is not restarted and its spec is removed", () =>
    temporaryRemoved("normal"));

  it("SUP-10: a temporary child that exits shutdown is not restarted and its spec is removed", () =>
    temporaryRemoved("shutdown"));

  it("SUP-10: a temporary child that exits abnormal is not restarted and its spec is removed", () =>
    temporaryRemoved("abnormal"));

  it("SUP-11: one_for_one restarts only the failed child", async () => {
    const sup = await Supervisor.start({ flags: many, children: [worker("c1"), worker("c2")] });
    const before = await pids(sup);
    await kill(node, before.c1 as Pid);
    const after = await pids(sup);
    expect(after.c1).not.toBe(before.c1);
    expect(after.c1).toBeInstanceOf(Pid);
    expect(after.c2).toBe(before.c2);
  });

  /** Kills child b of a one_for_all supervisor of a, b, c; the log holds the restart only. */
  async function oneForAll(): Promise<{
    log: Entry[];
    before: Awaited<ReturnType<typeof pids>>;
    after: Awaited<ReturnType<typeof pids>>;
  }> {
    const log: Entry[] = [];
    const sup = await Supervisor.start({
      flags: { ...many, strategy: "one_for_all" },
      children: [worker("a", log), worker("b", log), worker("c", log)],
    });
    const before = await pids(sup);
    log.length = 0;
    await kill(node, before.b as Pid);
    return { log, before, after: await pids(sup) };
  }

  it("SUP-12: one_for_all stops the other children in reverse start order", async () => {
    const { log } = await oneForAll();
    expect(terms(log).map((e) => [e.id, e.reason])).toEqual([
      ["c", "shutdown"],
      ["a", "shutdown"],
    ]);
  });

  it("SUP-12: one_for_all restarts all children in start order", async () => {
    const { log } = await oneForAll();
    expect(inits(log).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });

  it("SUP-12: after a one_for_all restart no old pid survives", async () => {
    const { before, after } = await oneForAll();
    for (const id of ["a", "b", "c"]) {
      expect(after[id]).toBeInstanceOf(Pid);
      expect(after[id]).not.toBe(before[id]);
    }
  });

  /** Kills child c2 of a rest_for_one supervisor of c1..c4; the log holds the restart only. */
  async function restForOne(): Promise<{
    log: Entry[];
    before: Awaited<ReturnType<typeof pids>>;
    after: Awaited<ReturnType<typeof pids>>;
  }> {
    const log: Entry[] = [];
    const sup = await Supervisor.start({
      flags: { ...many, strategy: "rest_for_one" },
      children: [worker("c1", log), worker("c2", log), worker("c3", log), worker("c4", log)],
    });
    const before = await pids(sup);
    log.length = 0;
    await kill(node, before.c2 as Pid);
    return { log, before, after: await pids(sup) };
  }

  it("SUP-13: rest_for_one restarts the failed child and those started after it", async () => {
    const { before, after } = await restForOne();
    for (const id of ["c2", "c3", "c4"]) expect(after[id]).not.toBe(before[id]);
  });

  it("SUP-13: under rest_for_one the children started before the failed one keep their pids", async () => {
    const { before, after } = await restForOne();
    expect(after.c1).toBe(before.c1);
  });

  it("SUP-13: rest_for_one stops the later children in reverse order", async () => {
    const { log } = await restForOne();
    expect(terms(log).map((e) => e.id)).toEqual(["c4", "c3"]);
  });

  it("SUP-13: rest_for_one restarts the failed and later children in start order", async () => {
    const { log } = await restForOne();
    expect(inits(log).map((e) => e.id)).toEqual(["c2", "c3", "c4"]);
  });

  /** Under `strategy`, a temporary child caught in its sibling's restart is gone, spec and all. */
  async function temporaryBystander(strategy: "one_for_all" | "rest_for_one") {
    const sup = await Supervisor.start({
      flags: { ...many, strategy },
      children: [worker("p"), worker("t", [], { restart: "temporary" })],
    });
    const before = await pids(sup);
    await kill(node, before.p as Pid);
    expect(node.isAlive(before.t as Pid)).toBe(false);
    const after = await Supervisor.whichChildren(sup);
    expect(after.map((c) => c.id)).toEqual(["p"]);
    expect(after[0].pid).not.toBe(before.p);
    expect(node.isAlive(sup)).toBe(true);
  }

  it("SUP-14: a temporary bystander of a one_for_all restart is stopped, not restarted and removed", () =>
    temporaryBystander("one_for_all"));

  it("SUP-14: a temporary bystander of a rest_for_one restart is stopped, not restarted and removed", () =>
    temporaryBystander("rest_for_one"));

  /** Three crashes of child a under intensity 2 in 5 s; resolves with the supervisor's exit reason. */
  async function tooManyRestarts(log: Entry[]): Promise<{ reason: unknown; b: Pid }> {
    const sup = await Supervisor.start({
      flags: { intensity: 2, period: 5 },
      children: [worker("a", log), worker("b", log)],
    });
    const supDown = node.awaitExit(sup);
    for (let i = 0; i < 2; i++) await kill(node, (await pids(sup)).a as Pid);
    const b = (await pids(sup)).b as Pid;
    await kill(node, (await pids(sup)).a as Pid);
    return { reason: await supDown, b };
  }

  it("SUP-15: more than intensity restarts within period: the supervisor exits shutdown", async () => {
    expect((await tooManyRestarts([])).reason).toBe("shutdown");
  });

  it("SUP-15: more than intensity restarts within period: the other children are stopped with shutdown", async () => {
    const log: Entry[] = [];
    const { b } = await tooManyRestarts(log);
    expect(node.isAlive(b)).toBe(false);
    expect(terms(log).at(-1)).toMatchObject({ id: "b", reason: "shutdown" });
  });

  it("SUP-15: more than intensity restarts within period: reported as reached_max_restart_intensity", async () => {
    await tooManyRestarts([]);
    expect(
      node.logs.some(
        (l) => l.kind === "supervisor_report" && l.data.reason === "reached_max_restart_intensity",
      ),
    ).toBe(true);
  });

  it("SUP-15: restarts spaced further apart than period never trip it (fake timers)", async () => {
    useFakeTimers();
    const sup = await Supervisor.start({
      flags: { intensity: 1, period: 1 },
      children: [worker("a")],
    });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(2100);
      await kill(node, (await pids(sup)).a as Pid);
      expect((await pids(sup)).a).toBeInstanceOf(Pid);
    }
    expect(node.isAlive(sup)).toBe(true);
  });

  it("SUP-15: two failures closer together than period do trip intensity 1 (fake timers)", async () => {
    useFakeTimers();
    const sup = await Supervisor.start({
      flags: { intensity: 1, period: 1 },
      children: [worker("a")],
    });
    const supDown = node.awaitExit(sup);
    jest.advanceTimersByTime(2100);
    await kill(node, (await pids(sup)).a as Pid);
    jest.advanceTimersByTime(500);
    await kill(node, (await pids(sup)).a as Pid);
    expect(await supDown).toBe("shutdown");
  });

  /** Kills child a, whose first restart fails, under intensity 1; resolves once supervisor and b are down. */
  async function failedRestart(log: Entry[]): Promise<{ supReason: unknown; bReason: unknown }> {
    const sup = await Supervisor.start({
      flags: { intensity: 1, period: 5 },
      children: [worker("a", log, { script: ["ok", { stop: "no" }, "ok"] }), worker("b", log)],
    });
    const { a, b } = await pids(sup);
    const supDown = node.awaitExit(sup);
    const bDown = node.awaitExit(b as Pid);
    await kill(node, a as Pid);
    return { supReason: await supDown, bReason: await bDown };
  }

  it("SUP-16: a failed restart counts toward the intensity: past it the supervisor exits shutdown after two tries", async () => {
    const log: Entry[] = [];
    // Restart 1 fails; the retry is restart 2 > intensity 1.
    const { supReason } = await failedRestart(log);
    expect(supReason).toBe("shutdown");
    expect(inits(log).filter((e) => e.id === "a")).toHaveLength(2);
  });

  it("SUP-16: past the intensity after a failed restart, the other children exit shutdown", async () => {
    const { bReason } = await failedRestart([]);
    expect(bReason).toBe("shutdown");
  });

  it("SUP-16: the child's exit, the failed restart and the shutdown are each reported", async () => {
    await failedRestart([]);
    const ctx = node.logs
      .filter((l) => l.kind === "supervisor_report")
      .map((l) => l.data.errorContext);
    expect(ctx).toEqual(["child_terminated", "start_error", "shutdown"]);
  });

  it("SUP-16: with room in the intensity, the retried restart succeeds", async () => {
    await run(node, async (self) => {
      const script: InitScript[] = ["ok", { stop: "no" }, { stop: "no" }, "ok"];
      const sup = await Supervisor.start({
        flags: { intensity: 5, period: 5 },
        children: [worker("a", [], { script, notify: self.pid })],
      });
      await self.receive((m) => m === "init a");
      const a = (await pids(sup)).a as Pid;
      await kill(node, a);
      // Two failed tries, then a successful one (each an init).
      for (let i = 0; i < 3; i++) await self.receive((m) => m === "init a");
      const now = (await pids(sup)).a;
      expect(now).toBeInstanceOf(Pid);
      expect(node.isAlive(now as Pid)).toBe(true);
      const ctx = node.logs
        .filter((l) => l.kind === "supervisor_report")
        .map((l) => l.data.errorContext);
      expect(ctx).toEqual(["child_terminated", "start_error", "start_error"]);
      expect((await sys.getState<SupervisorState>(sup)).restarts).toHaveLength(3);
    });
  });

  it("SUP-17: a group restart whose later child fails stops the half-restarted ones and retries", async () => {
    const log: Entry[] = [];
    await run(node, async (self) => {
      const notify = self.pid;
      const sup = await Supervisor.start({
        flags: { intensity: 10, period: 5, strategy: "one_for_all" },
        children: [
          worker("a", log, { notify }),
          worker("b", log, { notify, script: ["ok", { stop: "no" }, "ok"] }),
        ],
      });
      for (const id of ["a", "b"]) await self.receive((m) => m === `init ${id}`);
      const before = await pids(sup);
      log.length = 0;
      await kill(node, before.a as Pid);
      // Round 1: a, b (fails); round 2: a, b.
      for (const id of ["a", "b", "a", "b"]) await self.receive((m) => m === `init ${id}`);
      const after = await pids(sup);
      const aInits = inits(log).filter((e) => e.id === "a");
      expect(aInits).toHaveLength(2);
      // The half-restarted a (round 1) was stopped with shutdown.
      expect(terms(log)).toContainEqual({
        ev: "terminate",
        id: "a",
        pid: aInits[0].pid,
        reason: "shutdown",
      });
      expect(after.a).toBe(aInits[1].pid);
      expect(after.b).toBe(inits(log).filter((e) => e.id === "b")[1].pid);
      expect(node.isAlive(after.a as Pid) && node.isAlive(after.b as Pid)).toBe(true);
    });
  });
});

// ---- 9c. Shutdown ----

describe("9c: shutdown", () => {
  it("SUP-18: on stop, children are terminated in reverse start order", async () => {
    const log: Entry[] = [];
    const sup = await Supervisor.start({
      children: [worker("a", log), worker("b", log), worker("c", log)],
    });
    await Supervisor.startChild(sup, worker("d", log));
    await GenServer.stop(sup, "shutdown");
    expect(terms(log).map((e) => e.id)).toEqual(["d", "c", "b", "a"]);
  });

  it("SUP-18: on the parent's exit, children are terminated in reverse start order", async () => {
    const log: Entry[] = [];
    let sup: Pid | undefined;
    const parent = node.spawn(async (self) => {
      sup = await Supervisor.startLink(self, () => ({
        children: [worker("a", log), worker("b", log), worker("c", log)],
      }));
      self.exit("bye");
    });
    await node.awaitExit(parent);
    expect(await node.awaitExit(sup!)).toBe("bye");
    expect(terms(log).map((e) => [e.id, e.reason])).toEqual([
      ["c", "shutdown"],
      ["b", "shutdown"],
      ["a", "shutdown"],
    ]);
  });

  /**
   * A trapping `self` linked to the two children of a supervisor being stopped (fake clock):
   * polite (shutdown 1000) and slow (shutdown 500), which ignores the shutdown.
   */
  async function integerShutdown(self: Self) {
    useFakeTimers();
    self.processFlag("trapExit", true);
    const sup = await Supervisor.start({
      children: [
        worker("polite", [], { shutdown: 1000 }),
        stubborn("slow", () => self.pid, { shutdown: 500 }),
      ],
    });
    const ps = await pids(sup);
    for (const id of ["polite", "slow"]) self.link(ps[id] as Pid);
    const stopped = GenServer.stop(sup, "shutdown");
    stopped.catch(() => undefined); // awaited by the tests; no unhandled rejection if a check fails first
    expect(await self.receive((m) => m === "slow got shutdown")).toBeDefined();
    return { slow: ps.slow as Pid, polite: ps.polite as Pid, stopped };
  }

  it("SUP-19: integer shutdown T: a child that ends on shutdown exits shutdown", async () => {
    await run(node, async (self) => {
      const { polite, stopped } = await integerShutdown(self);
      jest.advanceTimersByTime(500);
      expect((await self.receive((m) => isExit(m, polite))).reason).toBe("shutdown");
      expect(await stopped).toBe("ok");
    });
  });

  it("SUP-19: integer shutdown T: a child that ignores shutdown is still alive at T - 1 ms", async () => {
    await run(node, async (self) => {
      const { slow, stopped } = await integerShutdown(self);
      jest.advanceTimersByTime(499);
      expect(node.isAlive(slow)).toBe(true);
      jest.advanceTimersByTime(1);
      await stopped;
    });
  });

  it("SUP-19: integer shutdown T: a child that ignores shutdown is killed after T ms", async () => {
    await run(node, async (self) => {
      const { slow, stopped } = await integerShutdown(self);
      jest.advanceTimersByTime(500);
      expect((await self.receive((m) => isExit(m, slow))).reason).toBe("killed");
      expect(await stopped).toBe("ok");
    });
  });

  it("SUP-19: integer shutdown T: a child killed after its timeout is reported as a shutdown_error", async () => {
    await run(node, async (self) => {
      const { stopped } = await integerShutdown(self);
      jest.advanceTimersByTime(500);
      await stopped;
      expect(
        node.logs.some(
          (l) => l.data.errorContext === "shutdown_error" && l.data.reason === "killed",
        ),
      ).toBe(true);
    });
  });

  it("SUP-19: brutal_kill: the child is killed at once (reason killed), with no timer to wait for", async () => {
    useFakeTimers();
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const sup = await Supervisor.start({
        children: [
          stubborn("slow", () => self.pid, { shutdown: 500 }),
          worker("brutal", [], { shutdown: "brutal_kill" }),
        ],
      });
      const ps = await pids(sup);
      for (const id of ["slow", "brutal"]) self.link(ps[id] as Pid);
      const stopped = GenServer.stop(sup, "shutdown");
      stopped.catch(() => undefined); // awaited below
      expect((await self.receive((m) => isExit(m, ps.brutal as Pid))).reason).toBe("killed");
      expect(await self.receive((m) => m === "slow got shutdown")).toBeDefined();
      jest.advanceTimersByTime(500);
      expect(await stopped).toBe("ok");
    });
  });

  it("SUP-19: infinity: shutdown, then wait as long as it takes", async () => {
    useFakeTimers();
    await run(node, async (self) => {
      const sup = await Supervisor.start({
        children: [stubborn("slow", () => self.pid, { shutdown: "infinity" })],
      });
      const slow = (await pids(sup)).slow as Pid;
      let done = false;
      const terminated = Supervisor.terminateChild(sup, "slow").then((r) => {
        done = true;
        return r;
      });
      terminated.catch(() => undefined); // awaited below
      await self.receive((m) => m === "slow got shutdown");
      jest.advanceTimersByTime(3_600_000);
      expect(node.isAlive(slow)).toBe(true);
      expect(done).toBe(false);
      self.send(slow, "exit now");
      expect(await terminated).toBe("ok");
      expect(node.isAlive(slow)).toBe(false);
    });
  });

  /** Stops a supervisor of n, o and a slow child; n and o exit by themselves while it waits on slow. */
  async function selfExitsDuringShutdown(log: Entry[]): Promise<unknown> {
    return run(node, async (self) => {
      const sup = await Supervisor.start({
        children: [
          worker("n", log),
          worker("o", log),
          stubborn("slow", () => self.pid, { shutdown: 1000 }),
        ],
      });
      const ps = await pids(sup);
      const supDown = node.awaitExit(sup);
      void GenServer.stop(sup, "shutdown").catch(() => undefined);
      await self.receive((m) => m === "slow got shutdown");
      await selfExit(node, ps.n as Pid, "normal");
      await selfExit(node, ps.o as Pid, "other");
      jest.advanceTimersByTime(1000);
      return supDown;
    });
  }

  it("SUP-20: children exiting on their own during shutdown are not restarted", async () => {
    useFakeTimers();
    const log: Entry[] = [];
    await selfExitsDuringShutdown(log);
    expect(inits(log).map((e) => e.id)).toEqual(["n", "o"]); // no restart
  });

  it("SUP-20: children exiting on their own during shutdown do not stall it: the supervisor exits shutdown", async () => {
    useFakeTimers();
    expect(await selfExitsDuringShutdown([])).toBe("shutdown");
  });
});

// ---- 9d. Administration and introspection ----

describe("9d: administration and introspection", () => {
  /** A supervisor of a permanent a and a temporary t, logging into `log`. */
  async function aAndT(log: Entry[] = []): Promise<Pid> {
    return Supervisor.start({
      children: [worker("a", log), worker("t", log, { restart: "temporary" })],
    });
  }

  it("SUP-21: terminateChild stops the child with shutdown and returns ok", async () => {
    const log: Entry[] = [];
    const sup = await aAndT(log);
    const a = (await pids(sup)).a as Pid;
    expect(await Supervisor.terminateChild(sup, "a")).toBe("ok");
    expect(node.isAlive(a)).toBe(false);
    expect(terms(log)).toEqual([{ ev: "terminate", id: "a", pid: a, reason: "shutdown" }]);
  });

  it("SUP-21: terminateChild keeps a non-temporary spec with pid undefined", async () => {
    const sup = await aAndT();
    await Supervisor.terminateChild(sup, "a");
    expect(await pids(sup)).toEqual({ a: undefined, t: expect.any(Pid) });
  });

  it("SUP-21: terminateChild is idempotent", async () => {
    const sup = await aAndT();
    await Supervisor.terminateChild(sup, "a");
    expect(await Supervisor.terminateChild(sup, "a")).toBe("ok");
  });

  it("SUP-21: terminateChild of an unknown id fails not_found", async () => {
    const sup = await aAndT();
    expect(await reasonOf(Supervisor.terminateChild(sup, "nope"))).toBe("not_found");
  });

  it("SUP-21: terminateChild by pid outside simple_one_for_one fails not_found", async () => {
    const sup = await aAndT();
    const a = (await pids(sup)).a as Pid;
    expect(await reasonOf(Supervisor.terminateChild(sup, a))).toBe("not_found");
    expect(node.isAlive(a)).toBe(true);
  });

  it("SUP-21: terminateChild drops a temporary child's spec", async () => {
    const sup = await aAndT();
    expect(await Supervisor.terminateChild(sup, "t")).toBe("ok");
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["a"]);
  });

  it("SUP-22: restartChild of a running id fails running", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    expect(await reasonOf(Supervisor.restartChild(sup, "a"))).toBe("running");
  });

  it("SUP-22: deleteChild of a running id fails running", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    expect(await reasonOf(Supervisor.deleteChild(sup, "a"))).toBe("running");
  });

  it("SUP-22: restartChild of an unknown id fails not_found", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    expect(await reasonOf(Supervisor.restartChild(sup, "x"))).toBe("not_found");
  });

  it("SUP-22: deleteChild of an unknown id fails not_found", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    expect(await reasonOf(Supervisor.deleteChild(sup, "x"))).toBe("not_found");
  });

  it("SUP-22: restartChild starts a stopped child and returns its pid", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    await Supervisor.terminateChild(sup, "a");
    const a2 = await Supervisor.restartChild(sup, "a");
    expect(a2).toBeInstanceOf(Pid);
    expect((await pids(sup)).a).toBe(a2);
  });

  it("SUP-22: deleteChild removes a stopped child's spec", async () => {
    const sup = await Supervisor.start({ children: [worker("a"), worker("b")] });
    await Supervisor.terminateChild(sup, "b");
    expect(await Supervisor.deleteChild(sup, "b")).toBe("ok");
    expect(await reasonOf(Supervisor.restartChild(sup, "b"))).toBe("not_found");
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(["a"]);
  });

  it("SUP-23: whichChildren lists the most recently started first", async () => {
    const sup = await Supervisor.start({ children: [worker("a")] });
    await Supervisor.startChild(sup, worker("b"));
    await Supervisor.startChild(sup, worker("c"));
    const list = await Supervisor.whichChildren(sup);
    expect(list.map((c) => c.id)).toEqual(["c", "b", "a"]);
    expect(list[0]).toEqual({ id: "c", pid: expect.any(Pid), type: "worker", modules: ["c"] });
  });

  it("SUP-23: a child whose restart failed shows restarting until the retry", async () => {
    const sup = await Supervisor.start({
      flags: { intensity: 5 },
      children: [worker("a", [], { script: ["ok", { stop: "no" }, "ok"] })],
    });
    const a = (await pids(sup)).a as Pid;
    // Kill a and ask while the supervisor handles a's EXIT (its sys "in"
    // event): the calls queue behind the EXIT (whose restart fails), ahead of
    // the retry.
    let during!: ReturnType<typeof pids>;
    let restarted!: Promise<unknown>;
    let deleted!: Promise<unknown>;
    const asked = new Promise<void>((resolve) =>
      attachDebug(
        sup,
        (_s, e) => {
          if (e.kind !== "in" || !isExit((e as { msg: unknown }).msg, a)) return null;
          // Outside the supervisor's turn (a call from inside it would be calling_self).
          void Promise.resolve().then(() => {
            during = pids(sup);
            restarted = reasonOf(Supervisor.restartChild(sup, "a"));
            deleted = reasonOf(Supervisor.deleteChild(sup, "a"));
            resolve();
          });
          return "done";
        },
        null,
      ),
    );
    node.exit(a, "kill");
    await asked;
    expect((await during).a).toBe("restarting");
    expect(await restarted).toBe("restarting");
    expect(await deleted).toBe("restarting");
    // This call is queued behind the retry.
    expect((await pids(sup)).a).toBeInstanceOf(Pid);
  });

  /** A supervisor of workers w1, w2 and a supervisor s. */
  const mixedChildren = () =>
    Supervisor.start({
      children: [
        worker("w1"),
        worker("w2"),
        { id: "s", type: "supervisor", start: (s) => Supervisor.startLink(s, { children: [] }) },
      ],
    });

  it("SUP-24: countChildren after start counts every spec as active, by type", async () => {
    const sup = await mixedChildren();
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 3,
      active: 3,
      supervisors: 1,
      workers: 2,
    });
  });

  it("SUP-24: countChildren after terminateChild keeps the spec but not as active", async () => {
    const sup = await mixedChildren();
    await Supervisor.terminateChild(sup, "s");
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 3,
      active: 2,
      supervisors: 1,
      workers: 2,
    });
  });

  it("SUP-24: countChildren after deleteChild no longer counts the spec", async () => {
    const sup = await mixedChildren();
    await Supervisor.terminateChild(sup, "s");
    await Supervisor.deleteChild(sup, "s");
    await Supervisor.terminateChild(sup, "w1");
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 2,
      active: 1,
      supervisors: 0,
      workers: 2,
    });
  });

  const sofo = { strategy: "simple_one_for_one" } as const;

  it("SUP-25: simple_one_for_one without a template spec fails bad_start_spec", async () => {
    expect(await reasonOf(Supervisor.start({ flags: sofo, children: [] }))).toEqual({
      bad_start_spec: [],
    });
  });

  it("SUP-25: simple_one_for_one with two template specs fails bad_start_spec", async () => {
    const t = worker("tmpl", [], { shutdown: 1000 });
    expect(await reasonOf(Supervisor.start({ flags: sofo, children: [t, t] }))).toEqual({
      bad_start_spec: [t, t],
    });
  });

  it("SUP-25: simple_one_for_one starts no child at first; countChildren counts the template as the one spec", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 1,
      active: 0,
      supervisors: 0,
      workers: 0,
    });
  });

  it("SUP-25: startChild appends its args to the template's", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    const c1 = (await Supervisor.startChild(sup, [1, "x"])) as Pid;
    const c2 = (await Supervisor.startChild(sup, [2])) as Pid;
    expect(await Worker.call(c1, "extra")).toEqual([1, "x"]);
    expect(await Worker.call(c2, "extra")).toEqual([2]);
  });

  it("SUP-25: simple_one_for_one children have undefined ids, listed most recent first", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    const c1 = (await Supervisor.startChild(sup, [1, "x"])) as Pid;
    const c2 = (await Supervisor.startChild(sup, [2])) as Pid;
    const c3 = (await Supervisor.startChild(sup, [3])) as Pid;
    expect((await Supervisor.whichChildren(sup)).map((c) => [c.id, c.pid])).toEqual([
      [undefined, c3],
      [undefined, c2],
      [undefined, c1],
    ]);
  });

  /** A simple_one_for_one supervisor with two dynamic children. */
  async function twoDynamic() {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    const c1 = (await Supervisor.startChild(sup, [1])) as Pid;
    const c2 = (await Supervisor.startChild(sup, [2])) as Pid;
    return { sup, c1, c2 };
  }

  it("SUP-25: simple_one_for_one terminates a child by pid, only that one", async () => {
    const { sup, c1, c2 } = await twoDynamic();
    expect(await Supervisor.terminateChild(sup, c1)).toBe("ok");
    expect(node.isAlive(c1)).toBe(false);
    expect(node.isAlive(c2)).toBe(true);
    expect(await Supervisor.countChildren(sup)).toEqual({
      specs: 1,
      active: 1,
      supervisors: 0,
      workers: 1,
    });
  });

  it("SUP-25: simple_one_for_one: terminateChild of a dead child's pid returns ok", async () => {
    const { sup, c1 } = await twoDynamic();
    await Supervisor.terminateChild(sup, c1);
    expect(await Supervisor.terminateChild(sup, c1)).toBe("ok");
  });

  it("SUP-25: simple_one_for_one: terminateChild by id fails simple_one_for_one", async () => {
    const { sup } = await twoDynamic();
    expect(await reasonOf(Supervisor.terminateChild(sup, "tmpl"))).toBe("simple_one_for_one");
  });

  it("SUP-25: simple_one_for_one: terminateChild of a pid that is not its child fails not_found", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    const stranger = node.spawn((s) => s.receive());
    expect(await reasonOf(Supervisor.terminateChild(sup, stranger))).toBe("not_found");
    expect(node.isAlive(stranger)).toBe(true);
  });

  it("SUP-25: simple_one_for_one: restartChild fails simple_one_for_one", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    expect(await reasonOf(Supervisor.restartChild(sup, "tmpl"))).toBe("simple_one_for_one");
  });

  it("SUP-25: simple_one_for_one: deleteChild fails simple_one_for_one", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    expect(await reasonOf(Supervisor.deleteChild(sup, "tmpl"))).toBe("simple_one_for_one");
  });

  it("SUP-25: a crashed dynamic child is restarted with the same args", async () => {
    const sup = await Supervisor.start({ flags: sofo, children: [worker("tmpl")] });
    const c2 = (await Supervisor.startChild(sup, [2])) as Pid;
    const c3 = (await Supervisor.startChild(sup, [3])) as Pid;
    await kill(node, c2);
    const after = await Supervisor.whichChildren(sup);
    expect(after).toHaveLength(2);
    const c2b = after.map((c) => c.pid as Pid).find((p) => p !== c3)!;
    expect(c2b).not.toBe(c2);
    expect(await Worker.call(c2b, "extra")).toEqual([2]);
  });

  it("SUP-25: on supervisor shutdown every dynamic child is terminated with shutdown", async () => {
    const log: Entry[] = [];
    const sup = await Supervisor.start({
      flags: sofo,
      children: [worker("tmpl", log, { shutdown: 1000 })],
    });
    const c2 = (await Supervisor.startChild(sup, [2])) as Pid;
    const c3 = (await Supervisor.startChild(sup, [3])) as Pid;
    await GenServer.stop(sup, "shutdown");
    expect(terms(log).map((e) => e.reason)).toEqual(["shutdown", "shutdown"]);
    expect(new Set(terms(log).map((e) => e.pid))).toEqual(new Set([c2, c3]));
  });

  it("SUP-25: simple_one_for_one shutdown kills dynamic children that outlive the template's shutdown", async () => {
    useFakeTimers();
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const sup = await Supervisor.start({
        flags: { strategy: "simple_one_for_one" },
        children: [stubborn("s", () => self.pid, { shutdown: 200 })],
      });
      const kids = [
        (await Supervisor.startChild(sup, [])) as Pid,
        (await Supervisor.startChild(sup, [])) as Pid,
      ];
      for (const k of kids) self.link(k);
      const stopped = GenServer.stop(sup, "shutdown");
      stopped.catch(() => undefined); // awaited below
      await self.receive((m) => m === "s got shutdown");
      await self.receive((m) => m === "s got shutdown");
      jest.advanceTimersByTime(200);
      for (const k of kids) expect((await self.receive((m) => isExit(m, k))).reason).toBe("killed");
      expect(await stopped).toBe("ok");
    });
  });

  it("SUP-26: sys requests work on a supervisor", async () => {
    const sup = await Supervisor.start({ children: [worker("a")] });
    const status = await sys.getStatus(sup);
    expect(status.module).toBe("Supervisor");
    expect(status.sysState).toBe("running");
  });

  it("SUP-26: a supervisor can be started under a name and called by it", async () => {
    const named = await Supervisor.start(
      { name: "Named", init: () => ({ children: [] }) },
      undefined,
      {
        name: "named_sup",
      },
    );
    expect(node.whereis("named_sup")).toBe(named);
    expect(await Supervisor.whichChildren("named_sup")).toEqual([]);
  });

  it.each<[string, (sup: Pid) => Promise<unknown>]>([
    ["whichChildren", (sup) => Supervisor.whichChildren(sup)],
    ["countChildren", (sup) => Supervisor.countChildren(sup)],
    ["startChild", (sup) => Supervisor.startChild(sup, worker("b"))],
    ["whichChildren by an unknown name", () => Supervisor.whichChildren("no_such_sup")],
  ])(
    "SUP-26: %s of a missing supervisor rejects noproc, with an infinite timeout",
    async (_call, call) => {
      const sup = await Supervisor.start({ children: [worker("a")] });
      await GenServer.stop(sup, "shutdown");
      const e = await rejection(call(sup));
      expect(e.reason).toBe("noproc");
      expect(e.message).toContain("GenServer.call");
      expect(e.args).toContain(Infinity); // infinite timeout
    },
  );

  const sig = (id: string) =>
    worker(id, [], { restart: "transient", significant: true, trap: false });

  it("SUP-27: any_significant: the supervisor exits shutdown when one significant child ends", async () => {
    const any = await Supervisor.start({
      flags: { autoShutdown: "any_significant" },
      children: [worker("plain"), sig("s")],
    });
    const down = node.awaitExit(any);
    await selfExit(node, (await pids(any)).s as Pid, "normal");
    expect(await down).toBe("shutdown");
  });

  /** An all_significant supervisor of significant s1 and s2, after s1 ended normally. */
  async function oneSignificantEnded() {
    const all = await Supervisor.start({
      flags: { autoShutdown: "all_significant" },
      children: [sig("s1"), sig("s2")],
    });
    const down = node.awaitExit(all);
    await selfExit(node, (await pids(all)).s1 as Pid, "normal");
    return { all, down };
  }

  it("SUP-27: all_significant: the supervisor keeps running while a significant child remains", async () => {
    const { all } = await oneSignificantEnded();
    expect(await pids(all)).toEqual({ s1: undefined, s2: expect.any(Pid) });
    expect(node.isAlive(all)).toBe(true);
  });

  it("SUP-27: all_significant: the supervisor exits shutdown once every significant child has ended", async () => {
    const { all, down } = await oneSignificantEnded();
    await selfExit(node, (await pids(all)).s2 as Pid, { shutdown: "done" });
    expect(await down).toBe("shutdown");
  });

  it("SUP-27: a significant permanent child is a bad_combination", async () => {
    expect(
      await reasonOf(
        Supervisor.start({
          flags: { autoShutdown: "any_significant" },
          children: [worker("p", [], { significant: true })],
        }),
      ),
    ).toEqual({ start_spec: { bad_combination: { restart: "permanent", significant: true } } });
  });

  it("SUP-27: a significant child with autoShutdown never is a bad_combination", async () => {
    expect(await reasonOf(Supervisor.start({ children: [sig("s")] }))).toEqual({
      start_spec: { bad_combination: { autoShutdown: "never", significant: true } },
    });
  });

  it("SUP-28: terminating a child that unlinked itself still completes", async () => {
    const sup = await Supervisor.start({ children: [worker("a", [], { trap: false })] });
    const a = (await pids(sup)).a as Pid;
    expect(await Worker.call(a, "unlinkFrom", sup)).toBe("ok");
    expect(node.processInfo(sup)!.links).not.toContain(a);
    expect(await Supervisor.terminateChild(sup, "a")).toBe("ok");
    expect(node.isAlive(a)).toBe(false);
    expect(await pids(sup)).toEqual({ a: undefined });
    expect(node.processInfo(sup)!.monitors).toEqual([]); // its shutdown monitor is gone
  });

  it("SUP-29: after a killed child's DOWN and a round trip to the supervisor, whichChildren shows a new pid (200 seeds)", async () => {
    await forSeeds(200, async (n) => {
      await run(n, async (self) => {
        const caller = self;
        const sup = await Supervisor.start(
          { flags: { intensity: 10 }, children: [worker("a"), worker("b")] },
          undefined,
          { node: n },
        );
        const before = await Supervisor.whichChildren(sup, { caller });
        const a = before[1].pid as Pid;
        // The test process kills a and sees its DOWN; the supervisor's EXIT
        // from a may still be in flight (another sender).
        // The test process kills a and sees its DOWN; the supervisor's EXIT
        // from a may still be in flight (another sender), so the test waits
        // for the supervisor to take it (its sys events), then asks.
        attachDebug(
          sup,
          (_s, e) => {
            if (e.kind !== "in" || !isExit((e as { msg: unknown }).msg, a)) return null;
            n.send(self.pid, "EXIT handled");
            return "done";
          },
          null,
        );
        const ref = self.monitor(a);
        self.exit(a, "kill");
        await self.receive((m) => isDown(m, ref));
        await self.receive((m) => m === "EXIT handled");
        // whichChildren is answered after the restart that EXIT started.
        const after = await Supervisor.whichChildren(sup, { caller });
        expect(after.map((c) => c.id)).toEqual(["b", "a"]);
        expect(after[1].pid).toBeInstanceOf(Pid);
        expect(after[1].pid).not.toBe(a);
        expect(n.isAlive(after[1].pid as Pid)).toBe(true);
        expect(after[0].pid).toBe(before[0].pid);
      });
    });
  });

  it("SUP-30: only restarts count toward the intensity", async () => {
    const sup = await Supervisor.start({
      flags: { intensity: 1, period: 5 },
      children: [
        worker("t1", [], { restart: "transient" }),
        worker("t2", [], { restart: "transient" }),
        worker("tmp", [], { restart: "temporary" }),
        worker("p1"),
        worker("p2"),
      ],
    });
    const ps = await pids(sup);
    await selfExit(node, ps.t1 as Pid, "normal");
    await selfExit(node, ps.t2 as Pid, "normal");
    await selfExit(node, ps.tmp as Pid, "crash");
    expect(node.isAlive(sup)).toBe(true);
    expect((await Supervisor.countChildren(sup)).active).toBe(2);
    const down = node.awaitExit(sup);
    await kill(node, ps.p1 as Pid);
    expect(node.isAlive(sup)).toBe(true);
    await kill(node, (await pids(sup)).p2 as Pid);
    expect(await down).toBe("shutdown");
  });
});

// ---- properties ----

describe("properties", () => {
  it("SUP-15: intensity arithmetic: the supervisor dies exactly at the first crash with > intensity restarts in the last period", async () => {
    useFakeTimers();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 8 }),
        async (intensity, period, gaps) => {
          const n = quietNode();
          try {
            const sup = await Supervisor.start(
              { flags: { intensity, period }, children: [worker("a")] },
              undefined,
              { node: n },
            );
            const down = n.awaitExit(sup);
            const restarts: number[] = [];
            let t = 0;
            for (const gap of gaps) {
              jest.advanceTimersByTime(gap);
              t += gap;
              restarts.push(t);
              const recent = restarts.filter((r) => r >= t - period * 1000);
              const a = (await pids(sup)).a as Pid;
              await kill(n, a);
              if (recent.length > intensity) {
                expect(await down).toBe("shutdown");
                return;
              }
              const now = (await pids(sup)).a;
              expect(now).toBeInstanceOf(Pid);
              expect(now).not.toBe(a);
            }
            expect(n.isAlive(sup)).toBe(true);
          } finally {
            n.shutdown();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("SUP-18: shutdown order is reverse start order whatever the children's shutdown and restart types", async () => {
    const arbChild = fc.record({
      shutdown: fc.constantFrom<ChildSpec["shutdown"]>("brutal_kill", 0, 50, "infinity"),
      restart: fc.constantFrom<ChildSpec["restart"]>("permanent", "transient", "temporary"),
      trap: fc.boolean(),
      dynamic: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbChild, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("one_for_one", "one_for_all", "rest_for_one") as fc.Arbitrary<
          "one_for_one" | "one_for_all" | "rest_for_one"
        >,
        async (kids, strategy) => {
          const n = quietNode();
          try {
            const specs = kids.map((k, i) =>
              worker(`c${i}`, [], { shutdown: k.shutdown, restart: k.restart, trap: k.trap }),
            );
            const sup = await Supervisor.start(
              { flags: { strategy }, children: specs.filter((_, i) => !kids[i].dynamic) },
              undefined,
              { node: n },
            );
            for (const [i, s] of specs.entries())
              if (kids[i].dynamic) await Supervisor.startChild(sup, s);
            const list = await Supervisor.whichChildren(sup); // most recent first
            const order: string[] = [];
            for (const c of list)
              void n.awaitExit(c.pid as Pid).then(() => order.push(String(c.id)));
            await GenServer.stop(sup, "shutdown");
            await Promise.resolve();
            expect(order).toEqual(list.map((c) => String(c.id)));
          } finally {
            n.shutdown();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
