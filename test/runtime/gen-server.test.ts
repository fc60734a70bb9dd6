/**
 * Conformance: gen_server (docs/conformance.md, GS-01..GS-36), plus the
 * GenServer halves of REG-05..07 and PP-12.
 *
 * - GS-34 (multi-node calls) is N/A and has no test.
 * - GS-35 is adapted: only `codeChange` through `sys.changeCode` on a
 *   suspended server.
 * - GS-36 holds the handler with a promise the test controls (`holdAt` is
 *   the preset's; its own test covers GS-36 with it).
 * - GS-21 (sendRequest & co.) reaches the API through a local interface
 *   that spells out the result shapes the rule describes.
 *
 * Waiting is done on replies, rejections, DOWNs, sys requests and promises
 * resolved from inside handlers; never on wall-clock time. Fake-timer tests
 * keep the native `queueMicrotask`/`nextTick`; where a test must show that a
 * timeout has NOT fired, it advances with `advanceTimersByTimeAsync` (which
 * lets the runtime run after each fake timer) and checks what handleInfo saw.
 */
import {
  attachDebug,
  CallMessage,
  ExitError,
  BadArgError,
  From,
  GenServer,
  ignore,
  initError,
  InitResult,
  isDown,
  isExit,
  noreply,
  ok,
  Pid,
  procLib,
  Ref,
  reply,
  Self,
  ServerName,
  ServerRef,
  stop,
  sys,
  SysEvent,
  TIMEOUT,
  ViaRegistry,
  whereis,
} from "otpkit";
import { QuietNode, eachTestNode, forSeeds, run, useFakeTimers } from "../support";

// ---- helpers ----

let node: QuietNode;
eachTestNode((n) => (node = n));

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** An async queue: handlers push, the test awaits `next()`. */
function channel<T>(): { push(v: T): void; next(): Promise<T> } {
  const items: T[] = [];
  const waiters: Array<(v: T) => void> = [];
  return {
    push(v) {
      const w = waiters.shift();
      if (w) w(v);
      else items.push(v);
    },
    next() {
      if (items.length > 0) return Promise.resolve(items.shift()!);
      return new Promise<T>((r) => waiters.push(r));
    },
  };
}

/** Awaits `p`, which must reject with an ExitError; returns the error. */
async function rejection(p: Promise<unknown>): Promise<ExitError> {
  const r = await p.then(
    (v) => ({ settled: "resolved" as const, v }),
    (e: unknown) => ({ settled: "rejected" as const, e }),
  );
  if (r.settled === "resolved")
    throw new Error(`expected a rejection, but it resolved with ${String(r.v)}`);
  expect(r.e).toBeInstanceOf(ExitError);
  return r.e as ExitError;
}

/** Records when a Logger server handled "timeout" (fake clock): `seen` now, `next()` to wait. */
function timeoutWatch() {
  const seen: number[] = [];
  const ch = channel<number>();
  return {
    seen,
    next: ch.next,
    onInfo(m: unknown, at: number) {
      if (m !== "timeout") return;
      seen.push(at);
      ch.push(at);
    },
  };
}

/** The kinds of the reports logged so far. */
const logKinds = () => node.logs.map((l) => l.kind);

// ---- servers used by several tests ----

/** A server whose init is the function passed as its argument (GS-01..08, REG-*). */
type InitFn = (self: Self) => unknown;
const Probe = GenServer.define({
  name: "Probe",
  init(this: Self, f: InitFn) {
    return f(this) as InitResult<unknown>;
  },
  handleCall: {
    get(_a: void, _f: From, s: unknown) {
      return reply(s, s);
    },
    set(v: unknown, _f: From, _s: unknown) {
      return reply("ok" as const, v);
    },
  },
  handleCast: {
    set(v: unknown, _s: unknown) {
      return noreply(v);
    },
  },
});

/** Records the pid and exit promise of each started Probe (set up inside init, before it can die). */
function recordingInit(f: InitFn, seen: { pid?: Pid; exit?: Promise<unknown> }): InitFn {
  return (self) => {
    seen.pid = self.pid;
    seen.exit = self.node.awaitExit(self.pid);
    return f(self);
  };
}

/** A stack (GS-18). */
const Stack = GenServer.define({
  name: "Stack",
  init: (_a: void) => ok<number[]>([]),
  handleCall: {
    pop(_a: void, _f: From, s: number[]) {
      return reply(s.pop(), s);
    },
  },
  handleCast: {
    push(x: number, s: number[]) {
      s.push(x);
      return noreply(s);
    },
  },
});

/** A server that holds calls (noreply) and answers them later (GS-10, 11, 14, 15). */
interface HoldState {
  held: { push(f: From): void };
  froms: From[];
}
const Holder = GenServer.define({
  name: "Holder",
  init: (held: { push(f: From): void }) => ok<HoldState>({ held, froms: [] }),
  handleCall: {
    hold(_a: void, from: From, s: HoldState) {
      s.froms.push(from);
      s.held.push(from);
      return noreply(s);
    },
    ping(_a: void, _f: From, s: HoldState) {
      return reply("pong" as const, s);
    },
  },
  handleCast: {
    /** Replies `v` to every held call, newest first if `reverse`. */
    release(arg: { v: unknown; reverse?: boolean; then?: Pid }, s: HoldState) {
      const fs = s.froms.splice(0);
      if (arg.reverse) fs.reverse();
      fs.forEach((f, i) => GenServer.reply(f, Array.isArray(arg.v) ? arg.v[i] : arg.v));
      if (arg.then) this.send(arg.then, "released");
      return noreply(s);
    },
  },
});

/** A server that logs what happens to it (timeouts, continues, terminate: GS-22..33). */
interface LogState {
  log: unknown[];
  onInfo?: (msg: unknown, at: number) => void;
  onTerminate?: (reason: unknown) => void;
}
interface LogArg {
  next?: { timeout?: number | "hibernate"; continue?: unknown };
  onInfo?: (msg: unknown, at: number) => void;
  onTerminate?: (reason: unknown) => void;
  trap?: boolean;
}
const Logger = GenServer.define({
  name: "Logger",
  init(this: Self, arg: LogArg) {
    if (arg.trap) this.processFlag("trapExit", true);
    return ok<LogState>(
      { log: [], onInfo: arg.onInfo, onTerminate: arg.onTerminate },
      arg.next ?? {},
    );
  },
  handleCall: {
    log(_a: void, _f: From, s: LogState) {
      return reply([...s.log], s);
    },
    arm(next: { timeout?: number | "hibernate"; continue?: unknown }, _f: From, s: LogState) {
      return reply("armed" as const, s, next);
    },
    stopWith(r: { reason: unknown; reply: unknown }, _f: From, s: LogState) {
      return stop(r.reason, s, { reply: r.reply });
    },
    crash(e: unknown, _f: From, _s: LogState): never {
      throw e;
    },
  },
  handleCast: {
    arm(next: { timeout?: number | "hibernate"; continue?: unknown }, s: LogState) {
      s.log.push("arm");
      return noreply(s, next);
    },
    note(x: unknown, s: LogState) {
      s.log.push(x);
      return noreply(s);
    },
    stopWith(reason: unknown, s: LogState) {
      return stop(reason, s);
    },
    crash(e: unknown, _s: LogState): never {
      throw e;
    },
    exitWith(this: Self, reason: unknown, _s: LogState): never {
      return this.exit(reason);
    },
    spawnLinked(this: Self, reason: unknown, s: LogState) {
      this.spawnLink((h) => h.exit(reason));
      return noreply(s);
    },
  },
  handleInfo(msg, s) {
    s.log.push(msg);
    s.onInfo?.(msg, Date.now());
    const r = (msg as { reply?: unknown })?.reply;
    if (r !== undefined) return noreply(s, r as { continue?: unknown });
    return noreply(s);
  },
  handleContinue(c, s) {
    s.log.push({ continue: c });
    if (c === "chain") return noreply(s, { continue: "chained" });
    if (c === "stop") return stop("normal", s);
    return noreply(s);
  },
  terminate(reason, s) {
    s.log.push({ terminate: reason });
    s.onTerminate?.(reason);
  },
});

// ---- 8a. Start ----

describe("GS 8a: start", () => {
  it("GS-01: start resolves with the pid only after init returned ok", async () => {
    const gate = deferred();
    const entered = deferred();
    const events: string[] = [];
    const pending = Probe.start(async () => {
      events.push("init entered");
      entered.resolve();
      await gate.promise;
      events.push("init returned");
      return ok("ready");
    }).then((pid) => {
      events.push("start resolved");
      return pid;
    });
    await entered.promise;
    expect(events).toEqual(["init entered"]); // init is still running: start has not resolved
    gate.resolve();
    const pid = await pending;
    expect(pid).toBeInstanceOf(Pid);
    expect(events).toEqual(["init entered", "init returned", "start resolved"]);
    expect(await Probe.call(pid, "get")).toBe("ready");
  });

  it("GS-01: start from outside any process creates an unlinked server", async () => {
    const pid = await Probe.start(() => ok("ready"));
    expect(node.processInfo(pid)!.links).toEqual([]);
  });

  it("GS-01: start from a process does not link it to the server", async () => {
    await run(node, async (self) => {
      const unlinked = await Probe.start(() => ok(2));
      expect(node.processInfo(unlinked)!.links).toEqual([]);
      expect(node.processInfo(self.pid)!.links).not.toContain(unlinked);
    });
  });

  it("GS-01: startLink links caller and server both ways", async () => {
    await run(node, async (self) => {
      const linked = await Probe.startLink(self, () => ok(1));
      expect(node.processInfo(linked)!.links).toEqual([self.pid]);
      expect(node.processInfo(self.pid)!.links).toEqual([linked]);
    });
  });

  it("GS-01: the startLink link delivers the server's exit to a trapping caller as EXIT", async () => {
    await run(node, async (self) => {
      const linked = await Probe.startLink(self, () => ok(1));
      self.processFlag("trapExit", true);
      await GenServer.stop(linked, "shutdown");
      const ex = await self.receive((m) => isExit(m, linked));
      expect(ex.reason).toBe("shutdown");
    });
  });

  it("GS-01: startMonitor resolves {pid, ref} of a running server without linking", async () => {
    await run(node, async (self) => {
      const { pid, ref } = await Probe.startMonitor(self, () => ok(0));
      expect(pid).toBeInstanceOf(Pid);
      expect(ref).toBeInstanceOf(Ref);
      expect(node.processInfo(self.pid)!.links).toEqual([]);
      expect(await Probe.call(pid, "get")).toBe(0);
    });
  });

  it("GS-01: a startMonitor caller gets the DOWN for ref when the server exits", async () => {
    await run(node, async (self) => {
      const { pid, ref } = await Probe.startMonitor(self, () => ok(0));
      await GenServer.stop(pid, "bye");
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.pid).toBe(pid);
      expect(d.reason).toBe("bye");
    });
  });

  /** Starts a Probe under `name` whose init returns `result`; the rejection and what init saw. */
  async function failedStart(result: InitFn, name?: ServerName) {
    const seen: { pid?: Pid; exit?: Promise<unknown> } = {};
    const e = await rejection(Probe.start(recordingInit(result, seen), name ? { name } : {}));
    return { e, pid: seen.pid!, exit: seen.exit! };
  }

  it("GS-02: init ignore -> start rejects 'ignore'", async () => {
    const { e } = await failedStart(() => ignore(), "gs02");
    expect(e.reason).toBe("ignore");
  });

  it("GS-02: init ignore -> the process exits normal with no report", async () => {
    const { exit } = await failedStart(() => ignore(), "gs02");
    expect(await exit).toBe("normal");
    expect(node.logs).toEqual([]);
  });

  it("GS-02: init ignore -> the name is free as soon as start rejects (100x)", async () => {
    for (let i = 0; i < 100; i++) {
      await failedStart(() => ignore(), "gs02");
      expect(whereis("gs02")).toBeUndefined();
    }
  });

  /** A trapping process startLinks a Probe named gs03 whose init returns stop("no_way"). */
  async function stoppedStartLink(self: Self) {
    self.processFlag("trapExit", true);
    const seen: { pid?: Pid; exit?: Promise<unknown> } = {};
    const e = await rejection(
      Probe.startLink(
        self,
        recordingInit(() => stop("no_way"), seen),
        { name: "gs03" },
      ),
    );
    return { e, pid: seen.pid!, exit: seen.exit! };
  }

  it("GS-03: init stop R -> start rejects R", async () => {
    await run(node, async (self) => {
      const { e } = await stoppedStartLink(self);
      expect(e.reason).toBe("no_way");
    });
  });

  it("GS-03: init stop R -> the process exits R", async () => {
    await run(node, async (self) => {
      const { exit } = await stoppedStartLink(self);
      expect(await exit).toBe("no_way");
    });
  });

  it("GS-03: init stop R -> a trapping startLink caller gets EXIT R", async () => {
    await run(node, async (self) => {
      const { pid } = await stoppedStartLink(self);
      const ex = await self.receive((m) => isExit(m, pid));
      expect(ex.reason).toBe("no_way");
    });
  });

  it("GS-03: init stop R -> the name is free as soon as start rejects", async () => {
    await run(node, async (self) => {
      await stoppedStartLink(self);
      expect(whereis("gs03")).toBeUndefined();
    });
  });

  it("GS-03: a failed start can be retried at once under the same name (loop_start_fail)", async () => {
    for (let i = 0; i < 20; i++) {
      const e = await rejection(Probe.start(() => stop({ attempt: i }), { name: "retry" }));
      expect(e.reason).toEqual({ attempt: i });
    }
    const pid = await Probe.start(() => ok("up"), { name: "retry" });
    expect(whereis("retry")).toBe(pid);
  });

  it("GS-04: init initError(R) -> start rejects R", async () => {
    const { e } = await failedStart(() => initError("foobar"), "gs04");
    expect(e.reason).toBe("foobar");
  });

  it("GS-04: init initError(R) -> the process exits normal with no report", async () => {
    const { exit } = await failedStart(() => initError("foobar"), "gs04");
    expect(await exit).toBe("normal");
    expect(node.logs).toEqual([]);
  });

  it("GS-04: init initError(R) -> the name is free as soon as start rejects", async () => {
    await failedStart(() => initError("foobar"), "gs04");
    expect(whereis("gs04")).toBeUndefined();
  });

  it("GS-05: bad return X -> {bad_return_value: X}; the process exits with it", async () => {
    const { e, exit } = await failedStart(() => ({ oops: 1 }));
    expect(e.reason).toEqual({ bad_return_value: { oops: 1 } });
    expect(await exit).toEqual({ bad_return_value: { oops: 1 } });
  });

  it("GS-05: an Error thrown by init is the reason itself, for start and for the exit", async () => {
    const boom = new Error("init boom");
    const { e, exit } = await failedStart(() => {
      throw boom;
    });
    expect(e.reason).toBe(boom);
    expect(await exit).toBe(boom);
  });

  it("GS-05: an Error thrown by init logs one crash report and no terminate report", async () => {
    const { exit } = await failedStart(() => {
      throw new Error("init boom");
    });
    await exit;
    expect(logKinds()).toEqual(["crash_report"]);
  });

  it("GS-05: exit(R) in init -> start rejects R", async () => {
    const { e, exit } = await failedStart((self) => self.exit("bye_init"));
    expect(e.reason).toBe("bye_init");
    expect(await exit).toBe("bye_init");
  });

  it("GS-05: a thrown stop(R) is treated as init's return value: start rejects R", async () => {
    const { e } = await failedStart(() => {
      throw stop("thrown_stop");
    });
    expect(e.reason).toBe("thrown_stop");
  });

  it("GS-05: a thrown plain value is treated as init's return value: {bad_return_value: v}", async () => {
    const { e } = await failedStart(() => {
      throw "plain";
    });
    expect(e.reason).toEqual({ bad_return_value: "plain" });
  });

  it("GS-05: a thrown ok(S) is treated as init's return value: the server starts with S", async () => {
    const pid = await Probe.start(() => {
      throw ok(7);
    });
    expect(await Probe.call(pid, "get")).toBe(7);
  });

  /** A server whose async init rejects with `boom`; `terminated` records terminate calls. */
  function asyncFailingInit(boom: Error) {
    const terminated: unknown[] = [];
    const Async = GenServer.define({
      name: "AsyncInit",
      async init(_a: void): Promise<InitResult<number>> {
        await Promise.resolve();
        throw boom;
      },
      terminate: (r) => void terminated.push(r),
    });
    return { start: () => rejection(Async.start(undefined)), terminated };
  }

  it("GS-05: an async init that rejects with an Error fails the start with that Error", async () => {
    const boom = new Error("async init boom");
    const e = await asyncFailingInit(boom).start();
    expect(e.reason).toBe(boom);
  });

  it("GS-05: an async init that rejects runs no terminate and logs only a crash report, like a sync throw", async () => {
    const failing = asyncFailingInit(new Error("async init boom"));
    await failing.start();
    expect(failing.terminated).toEqual([]);
    expect(logKinds()).toEqual(["crash_report"]);
  });

  /** Starts a Probe gs06 whose init waits 1000 ms against a 100 ms start timeout (fake clock). */
  async function slowInitStart() {
    useFakeTimers();
    const seen: { pid?: Pid; exit?: Promise<unknown> } = {};
    const entered = deferred();
    const started = Probe.start(
      recordingInit(async () => {
        entered.resolve();
        await new Promise((r) => setTimeout(r, 1000));
        return ok("late");
      }, seen),
      { timeout: 100, name: "gs06" },
    );
    const outcome = rejection(started);
    await entered.promise;
    return { outcome, pid: seen.pid!, exit: seen.exit! };
  }

  it("GS-06: an init longer than the start timeout -> start rejects 'timeout' at the timeout", async () => {
    const { outcome } = await slowInitStart();
    jest.advanceTimersByTime(99);
    jest.advanceTimersByTime(1);
    expect((await outcome).reason).toBe("timeout");
  });

  it("GS-06: an init longer than the start timeout -> the server is killed and stays dead", async () => {
    const { outcome, pid, exit } = await slowInitStart();
    jest.advanceTimersByTime(100);
    await outcome;
    expect(await exit).toBe("killed");
    jest.advanceTimersByTime(1000); // init's own wait ends; nothing is revived
    expect(node.isAlive(pid)).toBe(false);
  });

  it("GS-06: an init longer than the start timeout -> its name is held during init and freed after", async () => {
    const { outcome, pid } = await slowInitStart();
    expect(whereis("gs06")).toBe(pid);
    jest.advanceTimersByTime(100);
    await outcome;
    expect(whereis("gs06")).toBeUndefined();
  });

  it("GS-06: an init within the start timeout starts normally", async () => {
    useFakeTimers();
    const entered = deferred();
    const started = Probe.start(
      async () => {
        entered.resolve();
        await new Promise((r) => setTimeout(r, 50));
        return ok("in time");
      },
      { timeout: 100 },
    );
    await entered.promise;
    jest.advanceTimersByTime(50);
    const pid = await started;
    jest.advanceTimersByTime(1000);
    expect(await Probe.call(pid, "get")).toBe("in time");
  });

  const nameKinds: Array<[string, () => ServerName]> = [
    ["local", () => "gs07"],
    ["global", () => ({ global: "gs07" })],
    ["via", () => ({ via: mapRegistry(), name: "gs07" })],
  ];

  /** A second start under `name` is refused, naming the holder. */
  async function takenNameRefused(name: ServerName) {
    const holder = await Probe.start(() => ok("holder"), { name });
    const e = await rejection(Probe.start(() => ok("intruder"), { name }));
    expect(e.reason).toEqual({ already_started: holder });
    expect((e.reason as { already_started: Pid }).already_started).toBe(holder);
  }

  it("GS-07: a taken local name -> start rejects {already_started: holder}", () =>
    takenNameRefused("gs07"));

  it("GS-07: a taken global name -> start rejects {already_started: holder}", () =>
    takenNameRefused({ global: "gs07" }));

  it("GS-07: a taken via name -> start rejects {already_started: holder}", () =>
    takenNameRefused({ via: mapRegistry(), name: "gs07" }));

  it.each(nameKinds)(
    "GS-07: a start refused for a taken %s name leaves the holder serving it",
    async (_kind, makeName) => {
      const name = makeName();
      await Probe.start(() => ok("holder"), { name });
      await rejection(Probe.start(() => ok("intruder"), { name }));
      expect(await Probe.call(name as ServerRef, "get")).toBe("holder");
    },
  );

  it("GS-08: enterLoop turns an unnamed procLib process into a server", async () => {
    const pid = (await procLib.start(null, (self) => {
      procLib.initAck(self);
      return GenServer.enterLoop(self, Probe.spec, "entered");
    })) as Pid;
    expect(await Probe.call(pid, "get")).toBe("entered");
    expect(await Probe.call(pid, "set", "changed")).toBe("ok");
    expect(await sys.getState(pid)).toBe("changed");
  });

  it("GS-08: enterLoop with a name turns a registered procLib process into a server reached by that name", async () => {
    const named = (await procLib.start(null, (self) => {
      self.register("gs08");
      procLib.initAck(self);
      return GenServer.enterLoop(self, Probe.spec, "named", { name: "gs08" });
    })) as Pid;
    expect(await Probe.call("gs08", "get")).toBe("named");
    await GenServer.stop("gs08");
    expect(node.isAlive(named)).toBe(false);
  });

  it.each<[string, (via: ViaRegistry) => ServerName, (via: ViaRegistry) => unknown]>([
    ["local", () => "not_mine", () => "process_not_registered"],
    ["global", () => ({ global: "not_mine" }), () => "process_not_registered_globally"],
    ["via", (via) => ({ via, name: "not_mine" }), (via) => ({ process_not_registered_via: via })],
  ])(
    "GS-08: enterLoop with a %s name the process does not hold exits process_not_registered*",
    async (_kind, makeName, makeReason) => {
      const via = mapRegistry();
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const opts = { name: makeName(via) };
        const pid = procLib.spawnLink(self, (s) => GenServer.enterLoop(s, Probe.spec, 0, opts));
        const ex = await self.receive((m) => isExit(m, pid));
        expect(ex.reason).toEqual(makeReason(via));
      });
    },
  );

  it("GS-08: enterLoop in a plain (not procLib) process exits process_was_not_started_by_proc_lib", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const plain = self.spawnLink((s) => GenServer.enterLoop(s, Probe.spec, 0));
      const ex = await self.receive((m) => isExit(m, plain));
      expect(ex.reason).toBe("process_was_not_started_by_proc_lib");
    });
  });
});

// ---- 8b. Calls, casts, info ----

describe("GS 8b: calls, casts, info", () => {
  it("GS-09: a call to a stopped server rejects noproc, naming the call (operation, server, request)", async () => {
    const pid = await Probe.start(() => ok(1));
    await GenServer.stop(pid);
    const e = await rejection(Probe.call(pid, "get"));
    expect(e.reason).toBe("noproc");
    expect(e.operation).toContain("GenServer.call");
    expect(e.args).toHaveLength(2);
    expect(e.args![0]).toBe(pid);
    expect(e.args![1]).toEqual({ name: "get", arg: undefined });
  });

  it("GS-09: a call to an unregistered local name rejects noproc, with the timeout in args", async () => {
    const e = await rejection(Probe.call("nobody", "set", 5, { timeout: 1000 }));
    expect(e.reason).toBe("noproc");
    expect(e.args).toEqual(["nobody", { name: "set", arg: 5 }, 1000]);
  });

  it("GS-09: a call to an unregistered global name rejects noproc", async () => {
    const e = await rejection(Probe.call({ global: "nobody" }, "get"));
    expect(e.reason).toBe("noproc");
  });

  /** A Holder and a call to it held with `timeout` (fake clock); resolves once the server holds it. */
  async function heldCall(timeout?: number) {
    const held = channel<From>();
    const pid = await Holder.start(held);
    const call = Holder.call(pid, "hold", undefined, timeout === undefined ? {} : { timeout });
    const from = await held.next();
    return { pid, call, from, held };
  }

  it("GS-10: an unanswered call rejects 'timeout' after its timeout, with the timeout in args", async () => {
    useFakeTimers();
    const { pid, call } = await heldCall(10);
    const outcome = rejection(call);
    jest.advanceTimersByTime(10);
    const e = await outcome;
    expect(e.reason).toBe("timeout");
    expect(e.operation).toContain("GenServer.call");
    expect(e.args).toEqual([pid, { name: "hold", arg: undefined }, 10]);
  });

  it("GS-10: the server keeps answering after a caller's call timed out", async () => {
    useFakeTimers();
    const { pid, call } = await heldCall(10);
    const outcome = rejection(call);
    jest.advanceTimersByTime(10);
    await outcome;
    expect(await Holder.call(pid, "ping")).toBe("pong");
  });

  it("GS-10: by default a call is still waiting at 4999 ms", async () => {
    useFakeTimers();
    const { call, from } = await heldCall();
    jest.advanceTimersByTime(4999);
    GenServer.reply(from, "just in time");
    expect(await call).toBe("just in time");
  });

  it("GS-10: by default a call times out at 5000 ms, with [server, request] as args", async () => {
    useFakeTimers();
    const { pid, call } = await heldCall();
    const outcome = rejection(call);
    jest.advanceTimersByTime(5000);
    const e = await outcome;
    expect(e.reason).toBe("timeout");
    expect(e.args).toEqual([pid, { name: "hold", arg: undefined }]);
  });

  it("GS-10: timeout Infinity waits forever", async () => {
    useFakeTimers();
    const { call, from } = await heldCall(Infinity);
    jest.advanceTimersByTime(24 * 3600 * 1000);
    GenServer.reply(from, "eventually");
    expect(await call).toBe("eventually");
  });

  it("GS-11: a late reply after a caught timeout never appears in the caller's mailbox", async () => {
    useFakeTimers();
    const held = channel<From>();
    const pid = await Holder.start(held);
    await run(node, async (self) => {
      const call = rejection(Holder.call(pid, "hold", undefined, { timeout: 10, caller: self }));
      const from = await held.next();
      expect(from.pid).toBe(self.pid);
      jest.advanceTimersByTime(10);
      expect((await call).reason).toBe("timeout");
      // The server replies late, then sends "released" to the caller (same sender: after the reply).
      Holder.cast(pid, "release", { v: "late", then: self.pid });
      expect(await self.receive()).toBe("released");
      expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      expect(node.processInfo(self.pid)!.messageQueueLen).toBe(0);
    });
    expect(await Holder.call(pid, "ping")).toBe("pong");
  });

  it("GS-12: the server crashing with an Error during a call rejects it with that Error, naming the call", async () => {
    const crash = new Error("crashed");
    const a = await Logger.start({});
    const e = await rejection(Logger.call(a, "crash", crash));
    expect(e.reason).toBe(crash);
    expect(e.operation).toContain("GenServer.call");
    expect(e.args![0]).toBe(a);
    expect(node.isAlive(a)).toBe(false);
  });

  it("GS-12: the server throwing a non-Error v during a call exits {nocatch: v} and the call rejects with it", async () => {
    const b = await Logger.start({});
    const exitB = node.awaitExit(b);
    const e = await rejection(Logger.call(b, "crash", { crashed: 1 }));
    expect(e.reason).toEqual({ nocatch: { crashed: 1 } });
    expect(await exitB).toEqual({ nocatch: { crashed: 1 } });
  });

  it("GS-12: a server killed while a call is pending -> the call rejects 'killed' (not noproc, not timeout)", async () => {
    const { pid, call } = await heldCall();
    const outcome = rejection(call);
    node.exit(pid, "kill");
    expect((await outcome).reason).toBe("killed");
  });

  it("GS-12: a server stopped with R while a call is pending -> the call rejects R", async () => {
    const { pid, call } = await heldCall();
    const outcome = rejection(call);
    const why = { custom: "reason" };
    expect(await GenServer.stop(pid, why)).toBe("ok");
    expect((await outcome).reason).toBe(why);
  });

  it("GS-13: a server calling itself rejects calling_self at once instead of deadlocking", async () => {
    const Selfish = GenServer.define({
      name: "Selfish",
      init: (_a: void) => ok(0),
      handleCall: {
        async me(_a: void, _f: From, s: number) {
          const r = await rejection(GenServer.call(this.pid, "me"));
          return reply({ reason: r.reason, op: r.operation, args: r.args }, s);
        },
      },
    });
    const pid = await Selfish.start(undefined);
    const r = await Selfish.call(pid, "me");
    expect(r.reason).toBe("calling_self");
    expect(r.op).toContain("GenServer.call");
    expect(r.args).toEqual([pid, { name: "me", arg: undefined }]);
  });

  it("GS-14: a noreply call is completed later by GenServer.reply from the server", async () => {
    const { pid, call } = await heldCall();
    Holder.cast(pid, "release", { v: "from server" });
    expect(await call).toBe("from server");
  });

  it("GS-14: a noreply call is completed later by GenServer.reply from another process", async () => {
    const { call, from } = await heldCall();
    node.spawn(() => GenServer.reply(from, "from helper"));
    expect(await call).toBe("from helper");
  });

  it("GS-14: a noreply call is completed later by GenServer.reply from outside any process", async () => {
    const { call, from } = await heldCall();
    GenServer.reply(from, "from outside");
    expect(await call).toBe("from outside");
  });

  /** A Holder holding a call from a process that has then been killed. */
  async function callerDiedWhileHeld() {
    const held = channel<From>();
    const pid = await Holder.start(held);
    const caller = node.spawn(async (self) => {
      await Holder.call(pid, "hold", undefined, { caller: self });
    });
    const from = await held.next();
    expect(from.pid).toBe(caller);
    node.exit(caller, "kill");
    expect(await node.awaitExit(caller)).toBe("killed");
    return { pid, from };
  }

  it("GS-14: replying to a caller that has died is silent", async () => {
    const { from } = await callerDiedWhileHeld();
    expect(() => GenServer.reply(from, "too late")).not.toThrow();
    expect(node.logs).toEqual([]);
  });

  it("GS-14: a server replying to a caller that has died keeps running", async () => {
    const { pid } = await callerDiedWhileHeld();
    Holder.cast(pid, "release", { v: "too late again" });
    expect(await Holder.call(pid, "ping")).toBe("pong");
    expect(node.logs).toEqual([]);
  });

  it("GS-15: deferred replies sent in reverse order reach their own callers", async () => {
    const held = channel<From>();
    const pid = await Holder.start(held);
    const order: string[] = [];
    const a = Holder.call(pid, "hold").then((v) => (order.push("a"), v));
    const fa = await held.next();
    const b = Holder.call(pid, "hold").then((v) => (order.push("b"), v));
    const fb = await held.next();
    expect(fa.tag).not.toBe(fb.tag);
    GenServer.reply(fb, "for b");
    expect(await b).toBe("for b");
    GenServer.reply(fa, "for a");
    expect(await a).toBe("for a");
    expect(order).toEqual(["b", "a"]);
  });

  it("GS-15: a server answering its held calls newest first reaches each caller", async () => {
    const held = channel<From>();
    const pid = await Holder.start(held);
    const c = Holder.call(pid, "hold");
    await held.next();
    const d = Holder.call(pid, "hold");
    await held.next();
    Holder.cast(pid, "release", { v: ["to d", "to c"], reverse: true });
    expect(await Promise.all([c, d])).toEqual(["to c", "to d"]);
  });

  const Bad = GenServer.define({
    name: "Bad",
    init: (_a: void) => ok(0),
    handleCall: {
      bad: (_a: void, _f: From, _s: number) => "badreturn" as never,
    },
    handleCast: {
      bad: (_a: void, _s: number) => ({ type: "reply", reply: 1, state: 0 }) as never,
    },
  });

  it("GS-16: an invalid handleCall return terminates the server with {bad_return_value: X}; the caller rejects with it", async () => {
    const pid = await Bad.start(undefined);
    const exit = node.awaitExit(pid);
    const e = await rejection(Bad.call(pid, "bad"));
    expect(e.reason).toEqual({ bad_return_value: "badreturn" });
    expect(await exit).toEqual({ bad_return_value: "badreturn" });
  });

  it("GS-16: an invalid handleCast return (a reply) terminates the server with {bad_return_value: X}", async () => {
    const pid = await Bad.start(undefined);
    const exit = node.awaitExit(pid);
    Bad.cast(pid, "bad");
    expect(await exit).toEqual({ bad_return_value: { type: "reply", reply: 1, state: 0 } });
  });

  it.each<[string, () => Promise<ServerRef>]>([
    [
      "a dead pid",
      async () => {
        const pid = await Logger.start({});
        await GenServer.stop(pid);
        return pid;
      },
    ],
    ["an unknown local name", async () => "nobody"],
    ["an unknown global name", async () => ({ global: "nobody" })],
    ["an unknown via name", async () => ({ via: mapRegistry(), name: "nobody" })],
  ])("GS-17: cast returns 'ok' at once, even to %s, and logs nothing", async (_to, target) => {
    expect(GenServer.cast(await target(), "note", 1)).toBe("ok");
    expect(node.logs).toEqual([]);
  });

  it("GS-17: a cast goes to handleCast", async () => {
    const pid = await Logger.start({});
    expect(Logger.cast(pid, "note", "via cast")).toBe("ok");
    expect(await Logger.call(pid, "log")).toEqual(["via cast"]);
  });

  it("GS-17: a message that is neither call nor cast goes to handleInfo", async () => {
    const pid = await Logger.start({});
    node.send(pid, "plain message");
    expect(await Logger.call(pid, "log")).toEqual(["plain message"]);
  });

  it("GS-18: casts then a call from one client (outside any process) are handled in order, every seed", async () => {
    await forSeeds(30, async (n) => {
      const pid = await Stack.start(undefined, { node: n });
      Stack.cast(pid, "push", 1);
      Stack.cast(pid, "push", 2);
      expect(await Stack.call(pid, "pop")).toBe(2);
      Stack.cast(pid, "push", 3);
      expect(await sys.getState(pid)).toEqual([1, 3]);
    });
  });

  it("GS-18: casts then a call from one process (caller: self) are handled in order, every seed", async () => {
    await forSeeds(30, async (n) => {
      const pid = await Stack.start(undefined, { node: n });
      await run(n, async (self) => {
        Stack.cast(pid, "push", 1, { caller: self });
        Stack.cast(pid, "push", 2, { caller: self });
        expect(await Stack.call(pid, "pop", undefined, { caller: self })).toBe(2);
        Stack.cast(pid, "push", 3, { caller: self });
        expect(await sys.getState(pid, { caller: self })).toEqual([1, 3]);
      });
    });
  });

  it("GS-18: a server's casts then call to another server are handled in order, every seed", async () => {
    await forSeeds(30, async (n) => {
      const target = await Stack.start(undefined, { node: n });
      const Client = GenServer.define({
        name: "Client",
        init: (_a: void) => ok(0),
        handleCall: {
          go(_a: void, _f: From, s: number) {
            Stack.cast(target, "push", 10);
            Stack.cast(target, "push", 20);
            return Stack.call(target, "pop").then((v) => reply(v, s));
          },
        },
      });
      const client = await Client.start(undefined, { node: n });
      expect(await Client.call(client, "go")).toBe(20);
    });
  });

  it("GS-19: without handleInfo, an info message is logged as an undefined_handle_info warning", async () => {
    const pid = await Probe.start(() => ok("alive"));
    node.send(pid, { stray: 1 });
    expect(await Probe.call(pid, "get")).toBe("alive");
    expect(node.logs).toHaveLength(1);
    const w = node.logs[0];
    expect(w.level).toBe("warning");
    expect(w.kind).toBe("undefined_handle_info");
    expect(w.pid).toBe(pid);
    expect(w.data.msg).toEqual({ stray: 1 });
  });

  it("GS-19: without handleInfo, an info message is dropped and the server keeps running with its state", async () => {
    const pid = await Probe.start(() => ok("alive"));
    node.send(pid, { stray: 1 });
    expect(await Probe.call(pid, "get")).toBe("alive");
    expect(node.isAlive(pid)).toBe(true);
    expect(node.processInfo(pid)!.messageQueueLen).toBe(0);
  });

  it("GS-20: a call with no handleCall clause crashes the server with undef; the caller rejects with that reason", async () => {
    const pid = await Probe.start(() => ok(0));
    const exit = node.awaitExit(pid);
    const e = await rejection(GenServer.call(pid, "no_such_call"));
    expect(e.reason).toMatchObject({ undef: expect.stringContaining("no_such_call") });
    expect(await exit).toEqual(e.reason);
  });

  it("GS-20: a cast with no handleCast clause crashes the server with undef", async () => {
    const pid = await Probe.start(() => ok(0));
    const exit = node.awaitExit(pid);
    expect(GenServer.cast(pid, "no_such_cast")).toBe("ok");
    expect(await exit).toMatchObject({ undef: expect.stringContaining("no_such_cast") });
  });

  it("GS-20: a call to a module without any handleCall crashes the server with undef", async () => {
    const Bare = GenServer.define({ name: "Bare", init: (_a: void) => ok(0) });
    const pid = await Bare.start(undefined);
    const e = await rejection(GenServer.call(pid, "anything"));
    expect(e.reason).toMatchObject({ undef: expect.stringContaining("anything") });
  });

  it("GS-20: a missing function called inside handleInfo crashes the server (TypeError)", async () => {
    const Broken = GenServer.define({
      name: "Broken",
      init: (_a: void) => ok<Record<string, unknown>>({}),
      handleInfo(_msg, s) {
        (s.missing as () => void)();
        return noreply(s);
      },
    });
    const pid = await Broken.start(undefined);
    const exit = node.awaitExit(pid);
    node.send(pid, "hello");
    expect(await exit).toBeInstanceOf(TypeError);
  });
});

describe("GS-21: sendRequest / waitResponse / receiveResponse / checkResponse / request-id collections", () => {
  /**
   * The API GS-21 asks for (not in GenServer yet). Shapes follow the
   * conformance conventions: `{reply, R}` -> `{ kind: "reply", reply }`,
   * `{error, {Reason, Server}}` -> `{ kind: "error", reason, server }`,
   * `timeout` / `no_reply` / `no_request` -> those strings,
   * `{Result, Label, NewColl}` -> `{ result, label, collection }`.
   */
  interface RequestApi {
    sendRequest(
      server: ServerRef,
      name: string,
      arg?: unknown,
      options?: { caller?: Self },
    ): unknown;
    waitResponse(reqId: unknown, timeout: number): Promise<unknown>;
    receiveResponse(reqId: unknown, timeout: number): Promise<unknown>;
    checkResponse(msg: unknown, reqId: unknown): unknown;
    reqidsNew(): unknown;
    reqidsAdd(reqId: unknown, label: unknown, collection: unknown): unknown;
    reqidsSize(collection: unknown): number;
    reqidsToList(collection: unknown): Array<[unknown, unknown]>;
  }
  const G = GenServer as unknown as RequestApi; // the API as GS-21 describes it

  const Delayed = GenServer.define({
    name: "Delayed",
    init: (delay: number) => ok(delay),
    handleCall: {
      async echo(x: unknown, _f: From, delay: number) {
        await new Promise((r) => setTimeout(r, delay));
        return reply(x, delay);
      },
      die(_a: void, _f: From, delay: number) {
        return stop("died", delay);
      },
    },
  });

  it("GS-21: waitResponse gives 'timeout' and keeps the request, which a later wait answers {reply}", async () => {
    useFakeTimers();
    const pid = await Delayed.start(100);
    const id = G.sendRequest(pid, "echo", "hi");
    const w1 = G.waitResponse(id, 10);
    await jest.advanceTimersByTimeAsync(10);
    expect(await w1).toBe("timeout");
    const w2 = G.waitResponse(id, Infinity); // the request was kept
    await jest.advanceTimersByTimeAsync(90);
    expect(await w2).toMatchObject({ kind: "reply", reply: "hi" });
  });

  it("GS-21: waitResponse gives {error, {Reason, Server}} when the server dies handling the request", async () => {
    const pid = await Delayed.start(0);
    const dead = G.sendRequest(pid, "die");
    expect(await G.waitResponse(dead, Infinity)).toMatchObject({
      kind: "error",
      reason: "died",
      server: pid,
    });
  });

  it("GS-21: waitResponse gives {error, {noproc, Server}} for a request to a dead server", async () => {
    const pid = await Delayed.start(0);
    await GenServer.stop(pid);
    const none = G.sendRequest(pid, "echo", 1);
    expect(await G.waitResponse(none, Infinity)).toMatchObject({
      kind: "error",
      reason: "noproc",
    });
  });

  it("GS-21: receiveResponse abandons the request on timeout", async () => {
    useFakeTimers();
    const pid = await Delayed.start(100);
    const id = G.sendRequest(pid, "echo", "abandoned");
    const r = G.receiveResponse(id, 10);
    await jest.advanceTimersByTimeAsync(10);
    expect(await r).toBe("timeout");
    await jest.advanceTimersByTimeAsync(100);
    expect(await G.waitResponse(id, 0)).toMatchObject({ kind: "error" }); // abandoned: no reply left
  });

  it("GS-21: checkResponse classifies an unrelated message as no_reply", async () => {
    const quick = await Delayed.start(0);
    await run(node, async (self) => {
      const id = G.sendRequest(quick, "echo", "checked", { caller: self });
      expect(G.checkResponse("unrelated", id)).toBe("no_reply");
    });
  });

  it("GS-21: checkResponse classifies the reply message as {reply}", async () => {
    useFakeTimers();
    const quick = await Delayed.start(0);
    await run(node, async (self) => {
      const id = G.sendRequest(quick, "echo", "checked", { caller: self });
      await jest.advanceTimersByTimeAsync(0);
      const msg = await self.receive();
      expect(G.checkResponse(msg, id)).toMatchObject({ kind: "reply", reply: "checked" });
    });
  });

  /** Three requests to servers answering after 400, 1 and 200 ms, labelled req1..req3 (fake clock). */
  async function threeRequests() {
    useFakeTimers();
    const [s1, s2, s3] = await Promise.all([400, 1, 200].map((d) => Delayed.start(d)));
    let coll = G.reqidsNew();
    const ids = [s1, s2, s3].map((s) => G.sendRequest(s, "echo", String(s)));
    ids.forEach((id, i) => (coll = G.reqidsAdd(id, `req${i + 1}`, coll)));
    return { ids, coll };
  }

  it("GS-21: a new request-id collection is empty", () => {
    expect(G.reqidsSize(G.reqidsNew())).toBe(0);
  });

  it("GS-21: a request-id collection holds each added id under its label", async () => {
    const { coll } = await threeRequests();
    expect(G.reqidsSize(coll)).toBe(3);
    expect(
      G.reqidsToList(coll)
        .map(([, label]) => label)
        .sort(),
    ).toEqual(["req1", "req2", "req3"]);
  });

  it("GS-21: adding an id already in a request-id collection throws badarg", async () => {
    const { ids, coll } = await threeRequests();
    expect(() => G.reqidsAdd(ids[0], "again", coll)).toThrow(BadArgError);
  });

  it("GS-21: waitResponse on a collection gives the first completed first (req2, req3, req1)", async () => {
    let { coll } = await threeRequests();
    const labels: unknown[] = [];
    for (const step of [1, 199, 200]) {
      const w = G.waitResponse(coll, Infinity) as Promise<{ label: unknown; collection: unknown }>;
      await jest.advanceTimersByTimeAsync(step);
      const r = await w;
      labels.push(r.label);
      coll = r.collection;
    }
    expect(labels).toEqual(["req2", "req3", "req1"]);
  });

  it("GS-21: waitResponse on an empty collection gives no_request", async () => {
    expect(await G.waitResponse(G.reqidsNew(), Infinity)).toBe("no_request");
  });
});

// ---- 8c. Timeouts and continue ----

describe("GS 8c: timeouts and continue", () => {
  it("GS-22: {reply, R, S, T}: a call within T cancels the timeout", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const pid = await Logger.start({ onInfo: t.onInfo });
    expect(await Logger.call(pid, "arm", { timeout: 100 })).toBe("armed");
    await jest.advanceTimersByTimeAsync(50);
    expect(t.seen).toEqual([]);
    expect(await Logger.call(pid, "log")).toEqual([]); // within T: answered, no timeout
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.seen).toEqual([]); // ...and the pending timeout was cancelled by that call
    expect(await Logger.call(pid, "log")).toEqual([]);
  });

  it("GS-22: {reply, R, S, T}: after T with no message, handleInfo gets 'timeout'", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const pid = await Logger.start({ onInfo: t.onInfo });
    const t0 = Date.now();
    expect(await Logger.call(pid, "arm", { timeout: 100 })).toBe("armed");
    await jest.advanceTimersByTimeAsync(99);
    expect(t.seen).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect((await t.next()) - t0).toBe(100);
    expect(await Logger.call(pid, "log")).toEqual(["timeout"]);
  });

  it("GS-22: {ok, S, T} from init arms the timeout", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const t0 = Date.now();
    const pid = await Logger.start({ next: { timeout: 100 }, onInfo: t.onInfo });
    await jest.advanceTimersByTimeAsync(99);
    expect(t.seen).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect((await t.next()) - t0).toBe(100);
    expect(await Logger.call(pid, "log")).toEqual(["timeout"]);
  });

  it("GS-22: {noreply, S, T} from a cast arms the timeout, T after the cast was handled", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const pid = await Logger.start({ onInfo: t.onInfo });
    const t1 = Date.now();
    Logger.cast(pid, "arm", { timeout: 100 });
    await jest.advanceTimersByTimeAsync(100);
    expect((await t.next()) - t1).toBe(100);
  });

  it("GS-22: an info message within T cancels the timeout", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const infos = channel<unknown>();
    const pid = await Logger.start({
      onInfo: (m, at) => (m === "timeout" ? t.onInfo(m, at) : infos.push(m)),
    });
    Logger.cast(pid, "arm", { timeout: 100 });
    await jest.advanceTimersByTimeAsync(60);
    node.send(pid, "info first");
    expect(await infos.next()).toBe("info first");
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.seen).toEqual([]);
    expect(await Logger.call(pid, "log")).toEqual(["arm", "info first"]);
  });

  it("GS-22: timeout 0 does not fire when a message is already queued; the message is handled instead", async () => {
    const pid = await Logger.start({});
    // Both casts are queued before the server runs: the second one wins over the 0 timeout.
    Logger.cast(pid, "arm", { timeout: 0 });
    Logger.cast(pid, "note", "queued");
    expect(await Logger.call(pid, "log")).toEqual(["arm", "queued"]);
  });

  it("GS-22: timeout 0 fires at once when the mailbox is empty", async () => {
    const timeouts = channel<number>();
    const pid = await Logger.start({ onInfo: (m, at) => m === "timeout" && timeouts.push(at) });
    Logger.cast(pid, "arm", { timeout: 0 });
    await timeouts.next();
    expect(await Logger.call(pid, "log")).toEqual(["arm", "timeout"]);
  });

  it("GS-23: a system message does not cancel a pending timeout; the wait restarts from it", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const pid = await Logger.start({ onInfo: t.onInfo });
    const t0 = Date.now();
    expect(await Logger.call(pid, "arm", { timeout: 500 })).toBe("armed");
    await jest.advanceTimersByTimeAsync(300);
    const status = await sys.getStatus(pid);
    expect(status.sysState).toBe("running");
    await jest.advanceTimersByTimeAsync(499);
    expect(t.seen).toEqual([]); // not at 500 (not restarted), not cancelled either:
    await jest.advanceTimersByTimeAsync(1);
    expect((await t.next()) - t0).toBe(800); // 500 ms after the system message
    expect(await Logger.call(pid, "log")).toEqual(["timeout"]);
  });

  it("GS-24: a continue from init runs before the first message", async () => {
    const pid = await Logger.start({ next: { continue: "from init" } });
    expect(await Logger.call(pid, "log")).toEqual([{ continue: "from init" }]);
  });

  it("GS-24: a continue from a cast runs before a cast and an info already queued behind it", async () => {
    const pid = await Logger.start({});
    Logger.cast(pid, "arm", { continue: "first" });
    Logger.cast(pid, "note", "queued cast");
    node.send(pid, "queued info");
    expect(await Logger.call(pid, "log")).toEqual([
      "arm",
      { continue: "first" },
      "queued cast",
      "queued info",
    ]);
  });

  it("GS-24: continues chain: a continue returned by handleContinue runs before queued messages", async () => {
    const pid = await Logger.start({});
    Logger.cast(pid, "arm", { continue: "chain" });
    Logger.cast(pid, "note", "queued cast");
    expect(await Logger.call(pid, "log")).toEqual([
      "arm",
      { continue: "chain" },
      { continue: "chained" },
      "queued cast",
    ]);
  });

  it("GS-24: a continue from a call reply runs before the next message", async () => {
    const pid = await Logger.start({});
    expect(await Logger.call(pid, "arm", { continue: "from call" })).toBe("armed");
    Logger.cast(pid, "note", "after");
    expect(await Logger.call(pid, "log")).toEqual([{ continue: "from call" }, "after"]);
  });

  it("GS-24: a continue from handleInfo runs before the next message", async () => {
    const pid = await Logger.start({});
    node.send(pid, { reply: { continue: "from info" } });
    Logger.cast(pid, "note", "after");
    expect(await Logger.call(pid, "log")).toEqual([
      { reply: { continue: "from info" } },
      { continue: "from info" },
      "after",
    ]);
  });

  it("GS-24: a continue returned by a handler runs before a message the handler sent to itself (every seed)", async () => {
    await forSeeds(20, async (n) => {
      const done = deferred<string[]>();
      const Selfie = GenServer.define({
        name: "Selfie",
        init: (_a: void) => ok<string[]>([]),
        handleCast: {
          go(this: Self, _a: void, s: string[]) {
            s.push("before_continue");
            this.send(this.pid, "after_continue");
            return noreply(s, { continue: "continue" });
          },
        },
        handleInfo(m, s) {
          s.push(String(m));
          done.resolve([...s]);
          return noreply(s);
        },
        handleContinue(c, s) {
          s.push(String(c));
          return noreply(s);
        },
      });
      const pid = await Selfie.start(undefined, { node: n });
      Selfie.cast(pid, "go");
      expect(await done.promise).toEqual(["before_continue", "continue", "after_continue"]);
    });
  });

  it("GS-25: with {reply, R, S, {continue, C}} the reply is sent before handleContinue runs", async () => {
    const gate = deferred();
    const entered = deferred();
    const Blocker = GenServer.define({
      name: "Blocker",
      init: (_a: void) => ok<string[]>([]),
      handleCall: {
        go: (_a: void, _f: From, s: string[]) => reply("replied", s, { continue: "block" }),
        log: (_a: void, _f: From, s: string[]) => reply([...s], s),
      },
      async handleContinue(c, s) {
        entered.resolve();
        await gate.promise;
        s.push(String(c));
        return noreply(s);
      },
    });
    const pid = await Blocker.start(undefined);
    expect(await Blocker.call(pid, "go")).toBe("replied");
    await entered.promise; // the continue is running, and blocked
    const log = Blocker.call(pid, "log");
    gate.resolve();
    expect(await log).toEqual(["block"]);
  });

  /** A Logger whose handleContinue returns stop("normal"); the reason terminate got and the exit. */
  async function continueStops() {
    const terminated = channel<unknown>();
    const pid = await Logger.start({ onTerminate: (r) => terminated.push(r) });
    const exit = node.awaitExit(pid);
    Logger.cast(pid, "arm", { continue: "stop" });
    return { terminated: await terminated.next(), exit: await exit };
  }

  it("GS-26: handleContinue returning stop runs terminate with the reason", async () => {
    expect((await continueStops()).terminated).toBe("normal");
  });

  it("GS-26: handleContinue returning stop exits with the reason, with no report for normal", async () => {
    expect((await continueStops()).exit).toBe("normal");
    expect(node.logs).toEqual([]);
  });

  it("GS-26: returning a continue without handleContinue crashes with undef", async () => {
    const NoCont = GenServer.define({
      name: "NoCont",
      init: (_a: void) => ok(0),
      handleCast: { go: (_a: void, s: number) => noreply(s, { continue: "x" }) },
    });
    const pid = await NoCont.start(undefined);
    const exit = node.awaitExit(pid);
    NoCont.cast(pid, "go");
    expect(await exit).toMatchObject({ undef: expect.stringContaining("handleContinue") });
  });

  it("GS-27: hibernate returns keep working (wait for the next message, no timeout)", async () => {
    useFakeTimers();
    const t = timeoutWatch();
    const pid = await Logger.start({ next: { timeout: "hibernate" }, onInfo: t.onInfo });
    expect(await Logger.call(pid, "arm", { timeout: "hibernate" })).toBe("armed");
    Logger.cast(pid, "arm", { timeout: "hibernate" });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(await Logger.call(pid, "log")).toEqual(["arm"]);
    node.send(pid, "wake up");
    expect(await Logger.call(pid, "log")).toEqual(["arm", "wake up"]);
    expect(t.seen).toEqual([]);
  });
});

// ---- 8d. Stop and terminate ----

describe("GS 8d: stop and terminate", () => {
  it("GS-28: stop resolves 'ok' only once terminate ran and the server is dead", async () => {
    const reasons: unknown[] = [];
    const pid = await Logger.start({ onTerminate: (r) => reasons.push(r) });
    expect(await GenServer.stop(pid)).toBe("ok");
    expect(reasons).toEqual(["normal"]);
    expect(node.isAlive(pid)).toBe(false);
  });

  it("GS-28: a second stop of the same server rejects noproc", async () => {
    const pid = await Logger.start({});
    await GenServer.stop(pid);
    const e = await rejection(GenServer.stop(pid));
    expect(e.reason).toBe("noproc");
  });

  it("GS-28: stop of an unregistered name rejects noproc", async () => {
    const e = await rejection(GenServer.stop("nobody"));
    expect(e.reason).toBe("noproc");
  });

  it("GS-28: stop(S, R, T) stops with R", async () => {
    const reasons: unknown[] = [];
    const pid = await Logger.start({ onTerminate: (r) => reasons.push(r) }, { name: "gs28" });
    const exit = node.awaitExit(pid);
    expect(await GenServer.stop("gs28", { shutdown: "custom" }, 1000)).toBe("ok");
    expect(reasons).toEqual([{ shutdown: "custom" }]);
    expect(await exit).toEqual({ shutdown: "custom" });
    expect(whereis("gs28")).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ["-1", -1],
    ["NaN", NaN],
    ['"soon"', "soon"],
  ])("GS-28: a stop timeout of %s fails at once with a BadArgError", async (_label, bad) => {
    const pid = await Logger.start({});
    await expect(
      (async () => GenServer.stop(pid, "normal", bad as number))(),
    ).rejects.toBeInstanceOf(BadArgError);
  });

  it("GS-28: a stop with an invalid timeout leaves the server alive and serving", async () => {
    const pid = await Logger.start({});
    await (async () => GenServer.stop(pid, "normal", -1))().catch(() => undefined);
    expect(node.isAlive(pid)).toBe(true);
    expect(await Logger.call(pid, "log")).toEqual([]);
  });

  it("GS-29: terminate throwing during stop: stop rejects with that error and the server dies with it", async () => {
    const bang = new Error("terminate crash");
    const Crashy = GenServer.define({
      name: "Crashy",
      init: (_a: void) => ok(0),
      terminate() {
        throw bang;
      },
    });
    const pid = await Crashy.start(undefined);
    const exit = node.awaitExit(pid);
    const e = await rejection(GenServer.stop(pid));
    expect(e.reason).toBe(bang);
    expect(await exit).toBe(bang);
    expect(node.isAlive(pid)).toBe(false);
  });

  it("GS-29: terminate calling exit(R) during stop: stop rejects with R", async () => {
    const ExitingTerminate = GenServer.define({
      name: "ExitingTerminate",
      init: (_a: void) => ok(0),
      terminate(this: Self) {
        this.exit({ crash: "terminate" });
      },
    });
    const pid = await ExitingTerminate.start(undefined);
    const exit = node.awaitExit(pid);
    const e = await rejection(GenServer.stop(pid, "shutdown"));
    expect(e.reason).toEqual({ crash: "terminate" });
    expect(await exit).toEqual({ crash: "terminate" });
  });

  it("GS-29: a module without terminate stops with the requested reason", async () => {
    const pid = await Probe.start(() => ok(0));
    const exit = node.awaitExit(pid);
    expect(await GenServer.stop(pid, "bye")).toBe("ok");
    expect(await exit).toBe("bye");
  });

  const handlerCrash = new Error("handler crash");
  it.each<[string, (pid: Pid) => unknown, unknown]>([
    ["a stop return", (pid) => Logger.cast(pid, "stopWith", "by_return"), "by_return"],
    ["a crash", (pid) => Logger.cast(pid, "crash", handlerCrash), handlerCrash],
    ["exit(R)", (pid) => Logger.cast(pid, "exitWith", "by_exit"), "by_exit"],
    ["sys.terminate", (pid) => sys.terminate(pid, "by_sys"), "by_sys"],
    ["GenServer.stop", (pid) => GenServer.stop(pid, "by_stop"), "by_stop"],
  ])("GS-30: terminate runs with the reason on %s", async (_cause, end, reason) => {
    const seen: unknown[] = [];
    const pid = await Logger.start({ onTerminate: (r) => seen.push(r) });
    const exit = node.awaitExit(pid);
    await end(pid);
    expect(await exit).toBe(reason);
    expect(seen).toEqual([reason]);
  });

  /** A parent that startLinks a trapping and a non-trapping Logger, then exits shutdown. */
  async function parentExits() {
    const seen: Array<[string, unknown]> = [];
    const pids = deferred<{ trapping: Pid; plain: Pid }>();
    const parent = node.spawn(async (self) => {
      const trapping = await Logger.startLink(self, {
        trap: true,
        onTerminate: (r) => seen.push(["trapping", r]),
      });
      const plain = await Logger.startLink(self, {
        onTerminate: (r) => seen.push(["plain", r]),
      });
      pids.resolve({ trapping, plain });
      await self.receive();
      self.exit("shutdown");
    });
    const { trapping, plain } = await pids.promise;
    const exits = [node.awaitExit(trapping), node.awaitExit(plain)];
    node.send(parent, "go");
    expect(await Promise.all(exits)).toEqual(["shutdown", "shutdown"]);
    return seen;
  }

  it("GS-30: the parent's exit signal runs terminate in a server that traps exits", async () => {
    const seen = await parentExits();
    expect(seen).toContainEqual(["trapping", "shutdown"]);
  });

  it("GS-30: the parent's exit signal kills a server that does not trap exits without terminate", async () => {
    const seen = await parentExits();
    expect(seen.filter(([who]) => who === "plain")).toEqual([]);
  });

  /** A trapping Logger and the EXIT (reason boom) of a process it linked, as handleInfo got it. */
  async function trappedExit() {
    const infos = channel<unknown>();
    const pid = await Logger.start({ trap: true, onInfo: (m) => infos.push(m) });
    Logger.cast(pid, "spawnLinked", "boom");
    return { pid, m: await infos.next() };
  }

  it("GS-31: a trapping server gets EXIT from a non-parent linked process in handleInfo", async () => {
    const { m } = await trappedExit();
    expect(isExit(m)).toBe(true);
    expect((m as { reason: unknown }).reason).toBe("boom");
  });

  it("GS-31: a trapping server keeps running after a non-parent linked process exits", async () => {
    const { pid, m } = await trappedExit();
    expect(node.isAlive(pid)).toBe(true);
    expect(await Logger.call(pid, "log")).toEqual([m]);
  });

  it("GS-32: {stop, R, Reply, S}: terminate runs first, the caller gets the reply, then the server exits R (every seed)", async () => {
    await forSeeds(30, async (n) => {
      const seen: unknown[] = [];
      const pid = await Logger.start({ onTerminate: (r) => seen.push(r) }, { node: n });
      await run(n, async (self) => {
        const ref = self.monitor(pid);
        const r = await Logger.call(
          pid,
          "stopWith",
          { reason: "done", reply: "bye" },
          { caller: self },
        );
        expect(r).toBe("bye");
        expect(seen).toEqual(["done"]); // terminate ran before the reply was sent
        const d = await self.receive((m) => isDown(m, ref));
        expect(d.reason).toBe("done");
      });
    });
  });

  it("GS-32: with an async terminate, the reply is sent only once terminate has finished", async () => {
    const gate = deferred();
    const entered = deferred();
    const AsyncTerm = GenServer.define({
      name: "AsyncTerm",
      init: (_a: void) => ok(0),
      handleCall: {
        quit: (_a: void, _f: From, s: number) => stop("done", s, { reply: "bye" }),
      },
      async terminate() {
        entered.resolve();
        await gate.promise;
      },
    });
    const pid = await AsyncTerm.start(undefined);
    const exit = node.awaitExit(pid);
    let replied = false;
    const call = AsyncTerm.call(pid, "quit").then((v) => ((replied = true), v));
    await entered.promise;
    expect(replied).toBe(false);
    gate.resolve();
    expect(await call).toBe("bye");
    expect(await exit).toBe("done");
  });

  it.each<[string, unknown]>([
    ["normal", "normal"],
    ["shutdown", "shutdown"],
    ["{shutdown, _}", { shutdown: "because" }],
  ])("GS-33: a stop with reason %s produces no error report", async (_label, reason) => {
    const pid = await Logger.start({});
    const exit = node.awaitExit(pid);
    Logger.cast(pid, "stopWith", reason);
    expect(await exit).toEqual(reason);
    expect(node.logs).toEqual([]);
  });

  it("GS-33: GenServer.stop with shutdown produces no error report", async () => {
    await GenServer.stop(await Logger.start({}), "shutdown");
    expect(node.logs).toEqual([]);
  });

  /** A server that stops with "bad_thing" on a call from a process; its pid and the client's. */
  async function reportedStop() {
    const Reported = GenServer.define({
      name: "Reported",
      init: (_a: void) => ok({ secret: "s3cr3t", n: 1 }),
      handleCall: {
        fail: (why: unknown, _f: From, s: { secret: string; n: number }) => stop(why, s),
      },
      formatStatus: (s) => ({ n: s.n, secret: "<hidden>" }),
    });
    const pid = await Reported.start(undefined);
    const exit = node.awaitExit(pid);
    const client = await run(node, async (self) => {
      const e = await rejection(Reported.call(pid, "fail", "bad_thing", { caller: self }));
      expect(e.reason).toBe("bad_thing");
      return self.pid;
    });
    expect(await exit).toBe("bad_thing");
    return { pid, client };
  }

  it("GS-33: any other reason produces one terminate report then one crash report", async () => {
    await reportedStop();
    expect(logKinds()).toEqual(["gen_server_terminate", "crash_report"]);
  });

  it("GS-33: the terminate report is an error naming the server, the reason and the client", async () => {
    const { pid, client } = await reportedStop();
    const report = node.logs[0];
    expect(report.level).toBe("error");
    expect(report.pid).toBe(pid);
    expect(report.data.reason).toBe("bad_thing");
    expect(report.data.client).toBe(client);
    expect(report.text).toContain("terminating");
  });

  it("GS-33: the terminate report holds the last message", async () => {
    await reportedStop();
    const last = node.logs[0].data.lastMsg as CallMessage;
    expect(last).toBeInstanceOf(CallMessage);
    expect(last.request).toEqual({ name: "fail", arg: "bad_thing" });
  });

  it("GS-33: the terminate report shows the state through formatStatus only", async () => {
    await reportedStop();
    const report = node.logs[0];
    expect(report.data.state).toEqual({ n: 1, secret: "<hidden>" });
    expect(report.text).not.toContain("s3cr3t");
  });

  it("GS-33: the crash report is an error naming the server and the reason", async () => {
    const { pid } = await reportedStop();
    const crash = node.logs[1];
    expect(crash.level).toBe("error");
    expect(crash.pid).toBe(pid);
    expect((crash.data.errorInfo as { reason: unknown }).reason).toBe("bad_thing");
  });

  it("GS-33: a crash in a cast handler reports no client", async () => {
    const err = new Error("cast crash");
    const pid = await Logger.start({});
    const exit = node.awaitExit(pid);
    Logger.cast(pid, "crash", err);
    expect(await exit).toBe(err);
    expect(logKinds()).toEqual(["gen_server_terminate", "crash_report"]);
    expect(node.logs[0].data.client).toBeUndefined();
    expect(node.logs[0].data.reason).toBe(err);
  });

  /** A suspended server whose codeChange records its calls and throws when extra is "refuse". */
  async function suspendedVersioned() {
    const calls: unknown[] = [];
    const Versioned = GenServer.define({
      name: "Versioned",
      init: (_a: void) => ok<{ v: number; items: string[] }>({ v: 1, items: ["a"] }),
      handleCall: {
        get: (_a: void, _f: From, s: { v: number; items: string[] }) => reply(s, s),
      },
      codeChange(oldVsn, s, extra) {
        calls.push([oldVsn, extra]);
        if (extra === "refuse") throw { refused: oldVsn };
        return { ...s, v: 2 };
      },
    });
    const pid = await Versioned.start(undefined);
    expect(await sys.suspend(pid)).toBe("ok");
    return { pid, calls, Versioned };
  }

  it("GS-35: sys.changeCode on a suspended server calls codeChange(oldVsn, state, extra) and installs the new state", async () => {
    const { pid, calls, Versioned } = await suspendedVersioned();
    expect(await sys.changeCode(pid, "Versioned", "1", "extra")).toBe("ok");
    expect(calls).toEqual([["1", "extra"]]);
    expect(await sys.getState(pid)).toEqual({ v: 2, items: ["a"] });
    expect(await sys.resume(pid)).toBe("ok");
    expect(await Versioned.call(pid, "get")).toEqual({ v: 2, items: ["a"] });
  });

  it("GS-35: a codeChange that throws makes changeCode return {error} and leaves the state as it was", async () => {
    const { pid, calls } = await suspendedVersioned();
    expect(await sys.changeCode(pid, "Versioned", "2", "refuse")).toEqual({
      error: { refused: "2" },
    });
    expect(calls).toEqual([["2", "refuse"]]);
    expect(await sys.getState(pid)).toEqual({ v: 1, items: ["a"] });
  });

  it("GS-35: changeCode on a running server is refused and codeChange is not called", async () => {
    let called = false;
    const V = GenServer.define({
      name: "V",
      init: (_a: void) => ok(1),
      codeChange: (_o, s) => ((called = true), s),
    });
    const pid = await V.start(undefined);
    const r = await sys.changeCode(pid, "V", "1", undefined);
    expect(r).toHaveProperty("error");
    expect(called).toBe(false);
    expect(await sys.getState(pid)).toBe(1);
  });

  /**
   * A Slow server whose handler is held until `gate`; a call to it from a process times out
   * after 10 ms (fake clock), then the handler is let go. Resolves with the server's `out` event
   * and whether the late reply reached the caller's mailbox.
   */
  async function timedOutCall() {
    useFakeTimers();
    const gate = deferred();
    const entered = deferred();
    const Slow = GenServer.define({
      name: "Slow",
      init: (_a: void) => ok(0),
      handleCall: {
        async slow(_a: void, _f: From, n: number) {
          entered.resolve();
          await gate.promise;
          return reply("slow done", n + 1);
        },
        get: (_a: void, _f: From, n: number) => reply(n, n),
      },
    });
    const pid = await Slow.start(undefined);
    const out = deferred<SysEvent>();
    attachDebug(
      pid,
      (_s, e) => {
        if (e.kind === "out") {
          out.resolve(e);
          return "done";
        }
        return null;
      },
      null,
    );
    const r = await run(node, async (self) => {
      const call = rejection(Slow.call(pid, "slow", undefined, { timeout: 10, caller: self }));
      await entered.promise;
      jest.advanceTimersByTime(10);
      const reason = (await call).reason;
      gate.resolve();
      const e = (await out.promise) as { msg: unknown; to: unknown; state: unknown };
      const leaked = await self.receive(undefined, { timeout: 0 });
      return { reason, e, caller: self.pid, leaked };
    });
    return { ...r, pid, get: () => Slow.call(pid, "get") };
  }

  it("GS-36: a call whose handler outlasts the caller's timeout rejects 'timeout'", async () => {
    const { reason } = await timedOutCall();
    expect(reason).toBe("timeout");
  });

  it("GS-36: after a caller's timeout the server still handles the request and sends the reply", async () => {
    const { e, caller } = await timedOutCall();
    expect(e.msg).toBe("slow done");
    expect(e.to).toBe(caller);
    expect(e.state).toBe(1);
  });

  it("GS-36: the reply sent after a caller's timeout is dropped: it never reaches the caller's mailbox", async () => {
    const { leaked } = await timedOutCall();
    expect(leaked).toBe(TIMEOUT);
  });

  it("GS-36: after a caller's timeout the server stays alive with the request's state", async () => {
    const { pid, get } = await timedOutCall();
    expect(node.isAlive(pid)).toBe(true);
    expect(await get()).toBe(1);
  });
});

// ---- Registered names (REG-05..07) ----

/** A map-backed via registry (as OTP's dummy_via): dead holders count as free, like its monitors would. */
function mapRegistry(): ViaRegistry & { calls: string[]; map: Map<unknown, Pid> } {
  const map = new Map<unknown, Pid>();
  const calls: string[] = [];
  const live = (name: unknown) => {
    const p = map.get(name);
    if (p !== undefined && !node.isAlive(p)) map.delete(name);
    return map.get(name);
  };
  return {
    map,
    calls,
    registerName(name, pid) {
      calls.push("register");
      if (live(name) !== undefined) return false;
      map.set(name, pid);
      return true;
    },
    unregisterName(name) {
      calls.push("unregister");
      map.delete(name);
    },
    whereisName(name) {
      calls.push("whereis");
      return live(name);
    },
  };
}

describe("REG: names for GenServer", () => {
  /** A Probe holding reg05 and a second start under that name, refused. */
  async function takenLocalName() {
    const holder = await Probe.start(() => ok("first"), { name: "reg05" });
    let ran = false;
    const e = await rejection(Probe.start(() => ((ran = true), ok("second")), { name: "reg05" }));
    return { holder, e, ran };
  }

  it("REG-05: starting under a taken local name fails {already_started, holder}", async () => {
    const { holder, e } = await takenLocalName();
    expect(e.reason).toEqual({ already_started: holder });
  });

  it("REG-05: a start refused for a taken local name does not disturb the holder", async () => {
    const { holder } = await takenLocalName();
    expect(whereis("reg05")).toBe(holder);
    expect(node.isAlive(holder)).toBe(true);
    expect(await Probe.call("reg05", "get")).toBe("first");
    expect(node.logs).toEqual([]);
  });

  it("REG-05: a start refused for a taken local name never runs init", async () => {
    const { ran } = await takenLocalName();
    expect(ran).toBe(false);
  });

  /** A Probe started under a via name backed by a map registry. */
  async function viaServer() {
    const via = mapRegistry();
    const name = { via, name: { svc: "reg06" } };
    const pid = await Probe.start(() => ok("v1"), { name });
    return { via, name, pid };
  }

  it("REG-06: starting under a via name registers the pid through the registry", async () => {
    const { via, name, pid } = await viaServer();
    expect(via.calls).toContain("register");
    expect(via.map.get(name.name)).toBe(pid);
  });

  it("REG-06: call and cast reach a server by its via name", async () => {
    const { name } = await viaServer();
    expect(await Probe.call(name, "get")).toBe("v1");
    Probe.cast(name, "set", "v1b");
    expect(await Probe.call(name, "get")).toBe("v1b");
  });

  it("REG-06: starting under a taken via name fails {already_started, holder}", async () => {
    const { name, pid } = await viaServer();
    const e = await rejection(Probe.start(() => ok("dup"), { name }));
    expect(e.reason).toEqual({ already_started: pid });
  });

  it("REG-06: stop by via name stops the server; a call by that name then rejects noproc", async () => {
    const { name, pid } = await viaServer();
    expect(await GenServer.stop(name)).toBe("ok");
    expect(node.isAlive(pid)).toBe(false);
    expect((await rejection(Probe.call(name, "get"))).reason).toBe("noproc");
  });

  it("REG-06: a via name is free for a new server once its holder stopped", async () => {
    const { name, pid } = await viaServer();
    await GenServer.stop(name);
    const again = await Probe.start(() => ok("v2"), { name });
    expect(again).not.toBe(pid);
    expect(await Probe.call(name, "get")).toBe("v2");
  });

  it.each<[string, InitFn]>([
    ["ignore", () => ignore()],
    ["stop", () => stop("nope")],
    ["initError", () => initError("err")],
  ])(
    "REG-06: init returning %s under a via name unregisters it through the registry",
    async (_r, init) => {
      const via = mapRegistry();
      const name = { via, name: "reg06b" };
      await rejection(Probe.start(init, { name }));
      expect(via.calls).toContain("unregister");
      expect(via.map.has("reg06b")).toBe(false);
    },
  );

  const g = { global: "reg07" };

  it("REG-07: a {global: name} is registered globally, not locally", async () => {
    const pid = await Probe.start(() => ok("global"), { name: g });
    expect(node.whereisGlobal("reg07")).toBe(pid);
    expect(whereis("reg07")).toBeUndefined();
  });

  it("REG-07: the same name can be held globally and locally by two servers", async () => {
    await Probe.start(() => ok("global"), { name: g });
    const local = await Probe.start(() => ok("local"), { name: "reg07" });
    expect(await Probe.call(g, "get")).toBe("global");
    expect(await Probe.call("reg07", "get")).toBe("local");
    expect(whereis("reg07")).toBe(local);
  });

  it("REG-07: starting under a taken global name fails {already_started, holder}", async () => {
    const pid = await Probe.start(() => ok("global"), { name: g });
    const e = await rejection(Probe.start(() => ok("dup"), { name: g }));
    expect(e.reason).toEqual({ already_started: pid });
  });

  it("REG-07: stopping a global server frees its name; a call by it then rejects noproc", async () => {
    await Probe.start(() => ok("global"), { name: g });
    await GenServer.stop(g);
    expect(node.whereisGlobal("reg07")).toBeUndefined();
    expect((await rejection(Probe.call(g, "get"))).reason).toBe("noproc");
  });

  it("REG-07: a freed global name can be taken by a new server", async () => {
    await Probe.start(() => ok("global"), { name: g });
    await GenServer.stop(g);
    const again = await Probe.start(() => ok("global again"), { name: g });
    expect(await Probe.call(g, "get")).toBe("global again");
    expect(node.whereisGlobal("reg07")).toBe(again);
  });

  it("REG-07: a failed start frees a global name", async () => {
    await rejection(Probe.start(() => stop("no"), { name: g }));
    expect(node.whereisGlobal("reg07")).toBeUndefined();
  });
});

// ---- PP-12 ----

describe("PP-12: a call's reply does not wait behind the caller's backlog", () => {
  // OTP checks this as a timing ratio (gen_server_SUITE:call_with_huge_message_queue);
  // here it is structural (timings belong in bench/, not in tests).
  it("PP-12: calls made with 10^5 unrelated messages queued never look at one of them", async () => {
    const Echo = GenServer.define({
      name: "Echo",
      init: (_a: void) => ok(0),
      handleCall: { ping: (_a: void, _f: From, n: number) => reply(n + 1, n + 1) },
    });
    const pid = await Echo.start(undefined);
    let looked = 0;
    // Any look at a queued message (a property, its prototype, `in`) is counted.
    const watched = (i: number) =>
      new Proxy(
        { i },
        {
          get: (t, k) => (looked++, Reflect.get(t, k)),
          getPrototypeOf: (t) => (looked++, Reflect.getPrototypeOf(t)),
          has: (t, k) => (looked++, Reflect.has(t, k)),
        },
      );
    await run(node, async (self) => {
      for (let i = 0; i < 100_000; i++) self.send(self.pid, watched(i));
      for (let i = 1; i <= 100; i++)
        expect(await Echo.call(pid, "ping", undefined, { caller: self })).toBe(i);
      expect(looked).toBe(0);
      expect(node.processInfo(self.pid)!.messageQueueLen).toBe(100_000);
    });
  });

  it("PP-12: the backlog is intact and in order after the calls", async () => {
    const Echo = GenServer.define({
      name: "Echo",
      init: (_a: void) => ok(0),
      handleCall: { ping: (_a: void, _f: From, n: number) => reply(n + 1, n + 1) },
    });
    const pid = await Echo.start(undefined);
    await run(node, async (self) => {
      for (let i = 0; i < 1000; i++) self.send(self.pid, i);
      for (let i = 0; i < 10; i++) await Echo.call(pid, "ping", undefined, { caller: self });
      for (let i = 0; i < 1000; i++) expect(await self.receive()).toBe(i);
    });
  });
});
