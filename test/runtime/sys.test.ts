/**
 * Conformance: sys (docs/conformance.md, SYS-01..SYS-27).
 *
 * GenServers are defined in this file; SYS-18 and SYS-27 use hand-written
 * special processes (procLib + sys.handleSystemMsg / sys.handleDebug), the
 * latter being the channel allocator of OTP's sys docs (`ch4`).
 *
 * Synchronisation follows the ordering rules (docs/conformance.md,
 * "Ordering"): a sys request or a call from the same sender as earlier casts
 * is handled after them (these runtime tests do not use the preset's
 * `syncWith`); events are awaited through a debug function attached to the
 * server.
 */
import {
  CallMessage,
  CastMessage,
  DebugFun,
  DebugOption,
  EventFormatter,
  Exit,
  ExitError,
  From,
  GenServer,
  LogEvent,
  Node,
  Pid,
  Self,
  SpecialProcess,
  Status,
  SysEvent,
  SystemMessage,
  TIMEOUT,
  attachDebug,
  formatReason,
  isDown,
  isExit,
  noreply,
  ok,
  procLib,
  reply,
  stop,
  sys,
} from "otpkit";
// SYS-11 sends a system request the sys API has no function for: the raw call.
import { call as genCall } from "../../runtime/gen";
import { QuietNode, eachTestNode, forSeeds, run, rejection } from "../support";

// ---- helpers ----

/** One notification of a debug function. */
interface Notification {
  state: unknown;
  event: SysEvent;
  name: unknown;
}

/** A debug function that records every notification and returns its state + 1. */
function spy(): { calls: Notification[]; fn: DebugFun<number> } {
  const calls: Notification[] = [];
  const fn: DebugFun<number> = (state, event, name) => {
    calls.push({ state, event, name });
    return state + 1;
  };
  return { calls, fn };
}

/**
 * Resolves with the first event of `pid` that `pred` accepts from now on
 * (a debug function attached from the same heap sees every later event).
 */
function nextEvent(pid: Pid, pred: (e: SysEvent) => boolean): Promise<SysEvent> {
  return new Promise((resolve) => {
    attachDebug(
      pid,
      (_s, e) => {
        if (!pred(e)) return null;
        resolve(e);
        return "done";
      },
      null,
    );
  });
}

/** The `msg` of an `in` / `out` event. */
const msgOf = (e: SysEvent): unknown => (e as { msg: unknown }).msg;

/** The trace lines printed so far (for `pid`, if given). */
function traceLines(node: Node & { logs: LogEvent[] }, pid?: Pid): string[] {
  return node.logs
    .filter((l) => l.kind === "sys_trace" && (pid === undefined || l.pid === pid))
    .map((l) => l.text);
}

const callIn = (name: string, arg: unknown, from: Pid) =>
  expect.objectContaining({
    kind: "in",
    msg: expect.objectContaining({
      kind: "$gen_call",
      request: { name, arg },
      from: expect.objectContaining({ pid: from }),
    }),
  });

const castIn = (name: string, arg: unknown) => ({
  kind: "in",
  msg: new CastMessage(name, arg),
});

// ---- servers ----

/** A counter: state is a number. */
const Counter = GenServer.define({
  name: "Counter",
  init: (n: number) => ok<number>(n),
  handleCall: {
    get: (_a: undefined, _f: From, s: number) => reply(s, s),
    add: (n: number, _f: From, s: number) => reply(s + n, s + n),
  },
  handleCast: {
    add: (n: number, s: number) => noreply(s + n),
  },
  handleInfo: (_m: unknown, s: number) => noreply(s),
});

/** Collects what it is sent, in the order it handles it. */
const Collector = GenServer.define({
  name: "Collector",
  init: (_a: undefined) => ok<unknown[]>([]),
  handleCall: {
    seen: (_a: undefined, _f: From, s: unknown[]) => reply(s, s),
  },
  handleCast: {
    push: (x: unknown, s: unknown[]) => noreply([...s, x]),
  },
  handleInfo: (m: unknown, s: unknown[]) => noreply([...s, { info: m }]),
});

// ---- the node ----

let node: QuietNode;
eachTestNode((n) => (node = n));

// ---- 7a. Requests and suspension ----

describe("SYS 7a: requests and suspension", () => {
  /** A process that never reads its mailbox (it waits for a message nobody sends). */
  const deaf = () => node.spawn(async (s) => void (await s.receive((m) => m === "never")));

  it("SYS-01: a request to a target that never answers rejects with timeout, naming sys.getState", async () => {
    const p = deaf();
    const err = await rejection(sys.getState(p, 50));
    expect(err.reason).toBe("timeout");
    expect(err.operation).toMatch(/^sys\.getState\(/);
    expect(err.operation).toContain(String(p));
  });

  it("SYS-01: an unanswered request stays in the target's mailbox as an ordinary {system, From, Req} message", async () => {
    const p = deaf();
    await rejection(sys.getState(p, 50));
    const queued = node.processInfo(p)!.messages;
    expect(queued).toHaveLength(1);
    expect(queued[0]).toBeInstanceOf(SystemMessage);
    expect((queued[0] as SystemMessage).request).toEqual({ kind: "get_state" });
  });

  it("SYS-01: the default timeout is 5000 ms (fake timers)", async () => {
    jest.useFakeTimers();
    const p = deaf();
    let settled = false;
    const req = sys.getStatus(p).finally(() => {
      settled = true;
    });
    req.catch(() => {});
    await jest.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const err = await rejection(req);
    expect(err.reason).toBe("timeout");
    expect(err.operation).toMatch(/^sys\.getStatus\(/);
  });

  it("SYS-01: the timeout error carries the sys function's own arguments ({sys, get_state, [Pid, 50]})", async () => {
    const p = deaf();
    const err = await rejection(sys.getState(p, 50));
    expect(err.reason).toBe("timeout");
    expect(err.args).toEqual([p, 50]);
    expect(err.operation).toBe(`sys.getState(${p}, 50)`);
  });

  /** A pid whose process has ended. */
  async function deadPid(): Promise<Pid> {
    const p = node.spawn(() => undefined);
    await node.awaitExit(p);
    return p;
  }

  it.each<[string, string, (p: Pid) => Promise<unknown>]>([
    ["getState", "a dead pid", (p) => sys.getState(p)],
    ["getStatus", "a dead pid", (p) => sys.getStatus(p)],
    ["suspend", "a dead pid", (p) => sys.suspend(p)],
    ["statistics", "a dead pid", (p) => sys.statistics(p, "get")],
    ["terminate", "a dead pid", (p) => sys.terminate(p, "bye")],
    ["getState", "an unknown name", () => sys.getState("nobody")],
    ["log", "an unknown name", () => sys.log("nobody", "get")],
  ])("SYS-02: sys.%s to %s rejects with noproc", async (fn, _target, req) => {
    const err = await rejection(req(await deadPid()));
    expect(err.reason).toBe("noproc");
    expect(err.operation).toMatch(new RegExp(`^sys\\.${fn}\\(`));
  });

  it("SYS-02: the noproc error carries the sys function's own arguments ({sys, F, Args})", async () => {
    const p = await deadPid();
    expect((await rejection(sys.getState(p))).args).toEqual([p]);
    expect((await rejection(sys.terminate(p, "bye"))).args).toEqual([p, "bye"]);
    expect((await rejection(sys.getState("nobody"))).args).toEqual(["nobody"]);
  });

  /** A Collector suspended (fake clock) with a cast, an info and a 100 ms call sent to it. */
  async function suspendedCollector() {
    jest.useFakeTimers();
    const s = await Collector.start(undefined);
    expect(await sys.suspend(s)).toBe("ok");
    Collector.cast(s, "push", 1);
    node.send(s, "info");
    const call = Collector.call(s, "seen", undefined, { timeout: 100 });
    call.catch(() => {});
    return { s, call };
  }

  it("SYS-03: suspending a suspended server again is not an error", async () => {
    const { s } = await suspendedCollector();
    expect(await sys.suspend(s)).toBe("ok");
    expect((await sys.getStatus(s)).sysState).toBe("suspended");
  });

  it("SYS-03: a call to a suspended server times out", async () => {
    const { call } = await suspendedCollector();
    await jest.advanceTimersByTimeAsync(100);
    const err = await rejection(call);
    expect(err.reason).toBe("timeout");
  });

  it("SYS-03: a suspended server leaves ordinary messages queued, in arrival order", async () => {
    const { s } = await suspendedCollector();
    expect(await sys.getState(s)).toEqual([]);
    const queued = node.processInfo(s)!.messages;
    expect(queued[0]).toEqual(new CastMessage("push", 1));
    expect(queued[1]).toBe("info");
    expect(queued[2]).toBeInstanceOf(CallMessage);
  });

  it("SYS-03: a suspended server answers system requests and stays suspended", async () => {
    const { s } = await suspendedCollector();
    const status = await sys.getStatus(s);
    expect(status.sysState).toBe("suspended");
    expect(await sys.getState(s)).toEqual([]);
    expect((await sys.getStatus(s)).sysState).toBe("suspended");
  });

  it("SYS-03: resume makes the server running; resuming it again is not an error", async () => {
    const { s } = await suspendedCollector();
    expect(await sys.resume(s)).toBe("ok");
    expect(await sys.resume(s)).toBe("ok");
    expect((await sys.getStatus(s)).sysState).toBe("running");
  });

  it("SYS-04: after resume the queued messages are handled in their original order (every seed)", async () => {
    await forSeeds(40, async (n) => {
      const s = await Collector.start(undefined, { node: n });
      await sys.suspend(s);
      Collector.cast(s, "push", 1);
      n.send(s, "two");
      Collector.cast(s, "push", 3);
      const seen = Collector.call(s, "seen"); // queued too: answered after resume
      expect(await sys.getState(s)).toEqual([]); // nothing handled while suspended
      await sys.resume(s);
      expect(await seen).toEqual([1, { info: "two" }, 3]);
      Collector.cast(s, "push", 4);
      expect(await Collector.call(s, "seen")).toEqual([1, { info: "two" }, 3, 4]);
    });
  });

  it("SYS-05: while suspended, the parent's EXIT still terminates a trapping server through terminate", async () => {
    const terminated: unknown[] = [];
    const Trapper = GenServer.define({
      name: "Trapper",
      init(_a: undefined) {
        this.processFlag("trapExit", true);
        return ok<number>(0);
      },
      handleCast: { add: (n: number, s: number) => noreply(s + n) },
      terminate(reason: unknown, state: number) {
        terminated.push({ reason, state });
      },
    });
    await run(node, async (self) => {
      const parent = self.spawn(async (ps) => {
        const server = await Trapper.startLink(ps, undefined);
        ps.send(self.pid, { server });
        await ps.receive((m) => m === "die");
        ps.exit("shutdown");
      });
      const { server } = (await self.receive()) as { server: Pid };
      expect(await sys.suspend(server, { caller: self })).toBe("ok");
      Trapper.cast(server, "add", 5); // stays queued: never handled
      const ref = self.monitor(server);
      self.send(parent, "die");
      const down = await self.receive((m) => isDown(m, ref));
      expect(down.reason).toBe("shutdown");
      expect(terminated).toEqual([{ reason: "shutdown", state: 0 }]);
    });
  });

  /** A suspended Counter (state 1) with a cast of +10 queued behind the suspension. */
  async function suspendedCounter() {
    const s = await Counter.start(1);
    await sys.suspend(s);
    Counter.cast(s, "add", 10); // queued until resume
    return s;
  }

  it("SYS-06: replaceState works while suspended and returns the new state", async () => {
    const s = await suspendedCounter();
    expect(await sys.replaceState<number>(s, (x) => x + 100)).toBe(101);
    expect(await sys.getState(s)).toBe(101);
  });

  it("SYS-06: getState, replaceState and getStatus leave the server suspended, its queue unhandled", async () => {
    const s = await suspendedCounter();
    await sys.replaceState<number>(s, (x) => x + 100);
    const status = await sys.getStatus(s);
    expect(status.sysState).toBe("suspended");
    expect(await sys.getState(s)).toBe(101); // the cast is still not handled
    expect((await sys.getStatus(s)).sysState).toBe("suspended");
  });

  it("SYS-06: after resume, a cast queued while suspended applies to the replaced state", async () => {
    const s = await suspendedCounter();
    await sys.replaceState<number>(s, (x) => x + 100);
    await sys.resume(s);
    expect(await Counter.call(s, "get")).toBe(111);
  });

  it("SYS-06: terminate works while suspended (and ends the process)", async () => {
    const reasons: unknown[] = [];
    const Srv = GenServer.define({
      init: (_a: undefined) => ok<string>("st"),
      terminate: (reason: unknown, state: string) => void reasons.push([reason, state]),
    });
    const s = await Srv.start(undefined);
    await sys.suspend(s);
    expect(await sys.terminate(s, "bye")).toBe("ok");
    expect(await node.awaitExit(s)).toBe("bye");
    expect(reasons).toEqual([["bye", "st"]]);
  });

  it("SYS-07: getStatus of a server started with startLink: pid, module, running, parent = the starter, debug, pdict", async () => {
    await run(node, async (self) => {
      const s = await Counter.startLink(self, 3);
      const status: Status = await sys.getStatus(s, { caller: self });
      expect(status.pid).toBe(s);
      expect(typeof status.module).toBe("string");
      expect(status.sysState).toBe("running");
      expect(status.parent).toBe(self.pid);
      expect(status.debug).toEqual({ trace: false, log: false, statistics: false, installed: 0 });
      expect(status.processDictionary).toEqual(
        expect.arrayContaining([["$ancestors", [self.pid]]]),
      );
      expect(status.processDictionary.map(([k]) => k)).toContain("$initial_call");
    });
  });

  it("SYS-07: getStatus of a suspended server says suspended", async () => {
    await run(node, async (self) => {
      const s = await Counter.startLink(self, 3);
      await sys.suspend(s, { caller: self });
      expect((await sys.getStatus(s, { caller: self })).sysState).toBe("suspended");
    });
  });

  it("SYS-07: the parent of a server started without a link is the server itself", async () => {
    const s = await Counter.start(0);
    const status = await sys.getStatus(s);
    expect(status.parent).toBe(s);
  });

  it("SYS-07: getStatus's debug shows the options turned on (log)", async () => {
    const s = await Counter.start(0);
    await sys.log(s, true);
    expect((await sys.getStatus(s)).debug).toEqual({
      trace: false,
      log: true,
      statistics: false,
      installed: 0,
    });
  });

  it("SYS-08: a GenServer's misc is [header, data(Status, Parent, Logged events), data(State)]", async () => {
    const s = await Counter.start(7, { name: "misc8", debug: ["log"] });
    await Counter.call(s, "get");
    const status = await sys.getStatus("misc8");
    const logged = await sys.log(s, "get");
    expect(logged).toHaveLength(2);
    expect(status.misc).toEqual([
      { header: "Status for generic server misc8" },
      {
        data: [
          ["Status", "running"],
          ["Parent", s],
          ["Logged events", logged],
        ],
      },
      { data: [["State", 7]] },
    ]);
  });

  it("SYS-08: the misc header of an unnamed GenServer names its pid", async () => {
    const anon = await Counter.start(1);
    expect(((await sys.getStatus(anon)).misc as unknown[])[0]).toEqual({
      header: `Status for generic server ${anon}`,
    });
  });

  it("SYS-08: the misc Status of a suspended GenServer is suspended", async () => {
    const s = await Counter.start(7);
    await sys.suspend(s);
    expect(((await sys.getStatus(s)).misc as any)[1].data[0]).toEqual(["Status", "suspended"]);
  });

  interface Secret {
    user: string;
    password: string;
  }
  const Secretive = GenServer.define({
    name: "Secretive",
    init: (a: { crashFormat: boolean }) =>
      ok<Secret & { crashFormat: boolean }>({ user: "ann", password: "s3cret", ...a }),
    handleCast: {
      boom: () => {
        throw new Error("boom");
      },
    },
    formatStatus: (s) => {
      if (s.crashFormat) throw new Error("formatStatus crashed");
      return { user: s.user, password: "***" };
    },
  });

  it("SYS-08: formatStatus replaces the state part of misc", async () => {
    const s = await Secretive.start({ crashFormat: false });
    const misc = (await sys.getStatus(s)).misc as unknown[];
    expect(misc[2]).toEqual({ data: [["State", { user: "ann", password: "***" }]] });
    expect(misc).toHaveLength(3);
  });

  it("SYS-08: a crashing formatStatus shows OTP's placeholder, never the raw state, and the server lives", async () => {
    const c = await Secretive.start({ crashFormat: true });
    const misc = (await sys.getStatus(c)).misc as unknown[];
    expect(misc[2]).toEqual({ data: [["State", "Secretive.formatStatus crashed"]] });
    expect(JSON.stringify(misc)).not.toContain("s3cret");
    expect(node.isAlive(c)).toBe(true);
  });

  it("SYS-08: formatStatus also formats the state in the GenServer error report", async () => {
    const s = await Secretive.start({ crashFormat: false });
    Secretive.cast(s, "boom");
    const reason = await node.awaitExit(s);
    expect((reason as Error).message).toBe("boom");
    const report = node.logs.find((l) => l.kind === "gen_server_terminate" && l.pid === s);
    expect(report).toBeDefined();
    expect(report!.data.state).toEqual({ user: "ann", password: "***" });
    expect(report!.text).toContain("***");
    expect(report!.text).not.toContain("s3cret");
  });

  it("SYS-09: replaceState applies fn in the process (after earlier casts) and returns the new state", async () => {
    const s = await Counter.start(1);
    expect(await sys.getState(s)).toBe(1); // the callback state
    Counter.cast(s, "add", 1);
    const seen: unknown[] = [];
    const r = await sys.replaceState<number>(s, (x) => {
      seen.push(x);
      return x * 10;
    });
    expect(seen).toEqual([2]);
    expect(r).toBe(20);
    expect(await sys.getState(s)).toBe(20);
    expect(await Counter.call(s, "get")).toBe(20);
  });

  /** A Counter (state 5) and the rejection of a replaceState whose fn throws `thrown`. */
  async function failedReplace(thrown: Error) {
    const s = await Counter.start(5);
    const err = await rejection(
      sys.replaceState<number>(s, () => {
        throw thrown;
      }),
    );
    return { s, err };
  }

  it("SYS-09: a throwing replaceState fn rejects the caller with callback_failed", async () => {
    const thrown = new Error("nope");
    const { err } = await failedReplace(thrown);
    expect(err.reason).toEqual({
      callback_failed: { module: "gen_server", fn: "system_replace_state" },
      error: thrown,
    });
    expect(err.operation).toMatch(/^sys\.replaceState\(/);
  });

  it("SYS-09: a throwing replaceState fn leaves the state and the server alone", async () => {
    const { s } = await failedReplace(new Error("nope"));
    expect(node.isAlive(s)).toBe(true);
    expect(await sys.getState(s)).toBe(5);
    expect(await Counter.call(s, "add", 1)).toBe(6);
  });

  /** A named server (state 4 after a cast) ended by sys.terminate with a custom reason, from a monitoring process. */
  async function sysTerminated() {
    const calls: unknown[] = [];
    const Srv = GenServer.define({
      init: (_a: undefined) => ok<number>(0),
      handleCast: { add: (n: number, s: number) => noreply(s + n) },
      terminate: (reason: unknown, state: number) => void calls.push([reason, state]),
    });
    return run(node, async (self) => {
      const s = await Srv.start(undefined, { name: "srv10" });
      const ref = self.monitor(s);
      Srv.cast(s, "add", 4);
      const result = await sys.terminate("srv10", { custom: "reason" }, { caller: self });
      const down = await self.receive((m) => isDown(m, ref));
      return { result, down, calls };
    });
  }

  it("SYS-10: sys.terminate returns ok and the server exits with the reason", async () => {
    const { result, down } = await sysTerminated();
    expect(result).toBe("ok");
    expect(down.reason).toEqual({ custom: "reason" });
  });

  it("SYS-10: sys.terminate runs terminate(R, State) on the current state", async () => {
    const { calls } = await sysTerminated();
    expect(calls).toEqual([[{ custom: "reason" }, 4]]);
  });

  it("SYS-10: a server ended by sys.terminate releases its name", async () => {
    await sysTerminated();
    expect(node.whereis("srv10")).toBeUndefined();
    expect((await rejection(sys.getState("srv10"))).reason).toBe("noproc");
  });

  const Versioned = GenServer.define({
    name: "Versioned",
    init: (_a: undefined) => ok<{ v: number; data: string }>({ v: 1, data: "d" }),
    handleCall: { get: (_a: undefined, _f: From, s: { v: number; data: string }) => reply(s, s) },
    codeChange(oldVsn, state, extra) {
      if (extra === "refuse") throw { refused: oldVsn };
      return { ...state, v: 2, data: `${state.data}+${String(extra)}` };
    },
  });

  it("SYS-11: changeCode on a running server is refused as an unknown system message, the state kept", async () => {
    const s = await Versioned.start(undefined);
    const refused = await sys.changeCode(s, "Versioned", 1, "x");
    expect(refused).toEqual({
      error: {
        unknown_system_msg: { kind: "change_code", module: "Versioned", oldVsn: 1, extra: "x" },
      },
    });
    expect(await sys.getState(s)).toEqual({ v: 1, data: "d" });
  });

  it("SYS-11: changeCode on a suspended server calls codeChange and the new state stays after resume", async () => {
    const s = await Versioned.start(undefined);
    await sys.suspend(s);
    expect(await sys.changeCode(s, "Versioned", 1, "x")).toBe("ok");
    expect(await sys.getState(s)).toEqual({ v: 2, data: "d+x" });
    await sys.resume(s);
    expect(await Versioned.call(s, "get")).toEqual({ v: 2, data: "d+x" });
  });

  it("SYS-11: a refusing codeChange gives an error and leaves the server alive, suspended, with its state", async () => {
    const s = await Versioned.start(undefined);
    await sys.suspend(s);
    expect(await sys.changeCode(s, "Versioned", 2, "refuse")).toEqual({ error: { refused: 2 } });
    expect(await sys.getState(s)).toEqual({ v: 1, data: "d" });
    expect((await sys.getStatus(s)).sysState).toBe("suspended");
  });

  /** A suspended Counter (state 3) without codeChange, and the result of a changeCode on it. */
  async function changeCodeWithoutCallback() {
    const s = await Counter.start(3);
    await sys.suspend(s);
    return { s, r: await sys.changeCode(s, "Counter", 1, null) };
  }

  it("SYS-11: without a codeChange callback changeCode returns an error", async () => {
    const { r } = await changeCodeWithoutCallback();
    expect(r).not.toBe("ok");
    expect(r).toEqual({ error: expect.anything() });
  });

  it("SYS-11: a server refused a changeCode for lack of codeChange lives on with its state", async () => {
    const { s } = await changeCodeWithoutCallback();
    expect(node.isAlive(s)).toBe(true);
    expect(await sys.getState(s)).toBe(3);
    await sys.resume(s);
    expect(await Counter.call(s, "add", 1)).toBe(4);
  });

  /** A Counter (state 1) sent a system request sys has no function for; the answer. */
  async function unknownSystemRequest() {
    const s = await Counter.start(1);
    const req = { kind: "frobnicate", level: 3 };
    const r = await genCall(
      node,
      null,
      "test.system",
      s,
      req,
      (from) => new SystemMessage(from, req as never), // not a SysRequest: the point of the test
    );
    return { s, req, r };
  }

  it("SYS-11: an unknown system request is answered {error, {unknown_system_msg, Req}}", async () => {
    const { req, r } = await unknownSystemRequest();
    expect(r).toEqual({ error: { unknown_system_msg: req } });
  });

  it("SYS-11: a server answering an unknown system request continues", async () => {
    const { s } = await unknownSystemRequest();
    expect(await Counter.call(s, "add", 1)).toBe(2);
  });
});

// ---- 7b. Debug options and events ----

describe("SYS 7b: debug options and events", () => {
  it("SYS-12: statistics are off by default: get returns no_statistics", async () => {
    const s = await Counter.start(0);
    expect(await sys.statistics(s, "get")).toBe("no_statistics");
  });

  it("SYS-12: with statistics on, a call counts one in and one out; get returns the counts", async () => {
    const s = await Counter.start(0);
    expect(await sys.statistics(s, true)).toBe("ok");
    expect(await Counter.call(s, "add", 2)).toBe(2);
    const st = await sys.statistics(s, "get");
    expect(st).toEqual({
      startTime: expect.any(Date),
      currentTime: expect.any(Date),
      reductions: expect.any(Number),
      messagesIn: 1,
      messagesOut: 1,
    });
    expect(st.currentTime.getTime()).toBeGreaterThanOrEqual(st.startTime.getTime());
  });

  it("SYS-12: a cast and an info count one in each, no out, and add reductions", async () => {
    const s = await Counter.start(0);
    await sys.statistics(s, true);
    await Counter.call(s, "add", 2);
    const st = await sys.statistics(s, "get");
    Counter.cast(s, "add", 1); // in + noreply: one more in, no out
    node.send(s, "info"); // in + noreply
    const st2 = await sys.statistics(s, "get");
    expect(st2.messagesIn).toBe(3);
    expect(st2.messagesOut).toBe(1);
    expect(st2.reductions).toBeGreaterThan(st.reductions);
  });

  it("SYS-12: statistics(false) turns them off", async () => {
    const s = await Counter.start(0);
    await sys.statistics(s, true);
    await Counter.call(s, "add", 2);
    expect(await sys.statistics(s, false)).toBe("ok");
    expect(await sys.statistics(s, "get")).toBe("no_statistics");
  });

  it("SYS-13: log(true) keeps the last 10 events, oldest first", async () => {
    const s = await Collector.start(undefined);
    expect(await sys.log(s, true)).toBe("ok");
    for (let i = 1; i <= 12; i++) Collector.cast(s, "push", i);
    const events = await sys.log(s, "get");
    const expected: unknown[] = [];
    for (let i = 8; i <= 12; i++) {
      expected.push(castIn("push", i));
      expected.push({ kind: "noreply", state: Array.from({ length: i }, (_, k) => k + 1) });
    }
    expect(events).toEqual(expected);
  });

  /** A Collector with log(3) that has handled casts "a" and "b". */
  async function loggedCollector() {
    const s = await Collector.start(undefined);
    await sys.log(s, 3);
    Collector.cast(s, "push", "a");
    Collector.cast(s, "push", "b");
    return s;
  }

  it("SYS-13: log(N) keeps the last N events", async () => {
    const s = await loggedCollector();
    expect(await sys.log(s, "get")).toEqual([
      { kind: "noreply", state: ["a"] },
      castIn("push", "b"),
      { kind: "noreply", state: ["a", "b"] },
    ]);
  });

  it("SYS-13: log(print) prints the logged events, and only then", async () => {
    const s = await loggedCollector();
    await sys.getState(s);
    expect(traceLines(node)).toEqual([]);
    expect(await sys.log(s, "print")).toBe("ok");
    expect(traceLines(node, s)).toEqual([
      `*DBG* ${s} new state [ 'a' ]`,
      `*DBG* ${s} got cast { name: 'push', arg: 'b' }`,
      `*DBG* ${s} new state [ 'a', 'b' ]`,
    ]);
  });

  it("SYS-13: log(print) does not empty the log", async () => {
    const s = await loggedCollector();
    await sys.log(s, "print");
    expect(await sys.log(s, "get")).toHaveLength(3);
  });

  it("SYS-13: log(false) discards the log and stops logging until turned on again", async () => {
    const s = await loggedCollector();
    expect(await sys.log(s, false)).toBe("ok");
    expect(await sys.log(s, "get")).toEqual([]);
    Collector.cast(s, "push", "c"); // not logged
    await sys.log(s, true);
    Collector.cast(s, "push", "d");
    expect(await sys.log(s, "get")).toEqual([
      castIn("push", "d"),
      { kind: "noreply", state: ["a", "b", "c", "d"] },
    ]);
  });

  /** A Counter named "traced" with trace on. */
  async function tracedCounter() {
    const s = await Counter.start(0, { name: "traced" });
    expect(await sys.trace(s, true)).toBe("ok");
    return s;
  }

  it("SYS-14: trace prints a call as two lines (got call ... from, sent ... to, new state)", async () => {
    const s = await tracedCounter();
    expect(await Counter.call(s, "add", 2)).toBe(2);
    const ext = String(node.externalPid);
    expect(traceLines(node, s)).toEqual([
      `*DBG* traced got call { name: 'add', arg: 2 } from ${ext}`,
      `*DBG* traced sent 2 to ${ext}, new state 2`,
    ]);
  });

  it("SYS-14: trace prints a cast, an info and their noreply as they happen", async () => {
    const s = await tracedCounter();
    Counter.cast(s, "add", 3);
    node.send(s, { hello: 1 });
    await sys.getState(s); // after the cast and the info (same sender)
    expect(traceLines(node, s)).toEqual([
      `*DBG* traced got cast { name: 'add', arg: 3 }`,
      `*DBG* traced new state 3`,
      `*DBG* traced got { hello: 1 }`,
      `*DBG* traced new state 3`,
    ]);
  });

  it("SYS-14: trace lines are logged at level info", async () => {
    const s = await tracedCounter();
    await Counter.call(s, "add", 2);
    const traced = node.logs.filter((l) => l.kind === "sys_trace");
    expect(traced).toHaveLength(2);
    expect(traced.every((l) => l.level === "info")).toBe(true);
  });

  it("SYS-14: trace(false) stops the printing", async () => {
    const s = await tracedCounter();
    await Counter.call(s, "add", 2);
    await sys.trace(s, false);
    Counter.cast(s, "add", 1);
    await sys.getState(s);
    expect(traceLines(node, s)).toHaveLength(2);
  });

  /** A Counter started with every debug option (log: 2) plus two unknown ones, after one call add(1). */
  async function debuggedFromStart() {
    const a = spy();
    const b = spy();
    const s = await Counter.start(0, {
      name: "dbg15",
      debug: [
        "trace",
        { log: 2 },
        "statistics",
        { install: { fn: a.fn, state: 0 } },
        { install: { id: "b", fn: b.fn, state: 100 } },
        "bogus" as unknown as DebugOption,
        { nonsense: true } as unknown as DebugOption,
      ],
    });
    expect(await Counter.call(s, "add", 1)).toBe(1);
    return { s, a, b, ext: node.externalPid };
  }

  it("SYS-15: log, statistics and trace given at start record the first message", async () => {
    const { s, ext } = await debuggedFromStart();
    expect(await sys.log(s, "get")).toEqual([
      callIn("add", 1, ext),
      { kind: "out", msg: 1, to: ext, state: 1 },
    ]);
    const st = await sys.statistics(s, "get");
    expect([st.messagesIn, st.messagesOut]).toEqual([1, 1]);
    expect(traceLines(node, s)).toHaveLength(2);
  });

  it("SYS-15: functions installed at start (with and without id) see the first message", async () => {
    const { a, b, ext } = await debuggedFromStart();
    expect(a.calls.map((c) => c.state)).toEqual([0, 1]);
    expect(b.calls.map((c) => c.state)).toEqual([100, 101]);
    expect(a.calls[0].event).toEqual(callIn("add", 1, ext));
  });

  it("SYS-15: unknown debug options at start are ignored (the server starts and serves)", async () => {
    const { s } = await debuggedFromStart();
    expect(node.isAlive(s)).toBe(true);
    expect(await Counter.call(s, "get")).toBe(1);
  });

  it("SYS-15: {log: N} at start keeps the last N events only", async () => {
    const { s, ext } = await debuggedFromStart();
    await Counter.call(s, "add", 5);
    expect(await sys.log(s, "get")).toEqual([
      callIn("add", 5, ext),
      { kind: "out", msg: 6, to: ext, state: 6 },
    ]);
  });

  it("SYS-15: start with debug: ['log'], one call, log(get) shows it", async () => {
    const s = await Counter.start(0, { debug: ["log"] });
    await Counter.call(s, "get");
    const events = await sys.log(s, "get");
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual(callIn("get", undefined, node.externalPid));
    expect(events[1]).toEqual({ kind: "out", msg: 0, to: node.externalPid, state: 0 });
  });

  it("SYS-16: system messages are not events and do not count in statistics", async () => {
    const s = await Counter.start(0);
    await sys.log(s, true);
    await sys.statistics(s, true);
    const rec = spy();
    await sys.install(s, rec.fn, 0);
    await sys.getState(s);
    await sys.getState(s);
    await sys.getStatus(s);
    await sys.replaceState<number>(s, (x) => x + 1);
    await sys.suspend(s);
    await sys.resume(s);
    expect(await sys.log(s, "get")).toEqual([]);
    const st = await sys.statistics(s, "get");
    expect([st.messagesIn, st.messagesOut, st.reductions]).toEqual([0, 0, 0]);
    expect(rec.calls).toEqual([]);
    // Control: an ordinary message is an event.
    node.send(s, "x");
    expect((await sys.log(s, "get")).map((e: SysEvent) => e.kind)).toEqual(["in", "noreply"]);
  });

  it("SYS-16: the parent's EXIT is not an event (a trapping server terminating on it)", async () => {
    const Trapper = GenServer.define({
      init(_a: undefined) {
        this.processFlag("trapExit", true);
        return ok<number>(0);
      },
    });
    const rec = spy();
    await run(node, async (self) => {
      const parent = self.spawn(async (ps) => {
        const server = await Trapper.startLink(ps, undefined, { debug: ["statistics"] });
        ps.send(self.pid, { server });
        await ps.receive((m) => m === "die");
        ps.exit("shutdown");
      });
      const { server } = (await self.receive()) as { server: Pid };
      await sys.install(server, rec.fn, 0, { caller: self });
      // Control: an EXIT from a non-parent is an ordinary info message, hence an event.
      const sawIn = nextEvent(server, (e) => e.kind === "in");
      const other = self.spawn(async (o) => {
        o.link(server);
        o.exit("other");
      });
      await sawIn;
      expect(rec.calls.map((c) => c.event.kind)).toEqual(["in"]);
      expect(msgOf(rec.calls[0].event)).toEqual(new Exit(other, "other"));
      const before = await sys.statistics(server, "get", { caller: self });
      expect(before.messagesIn).toBe(1);
      const ref = self.monitor(server);
      self.send(parent, "die");
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("shutdown");
      expect(rec.calls).toHaveLength(1);
    });
  });
});

// ---- SYS-17: the exact GenServer events ----

describe("SYS-17: GenServer events", () => {
  type Trail = Array<{ ev: SysEvent } | { mark: string }>;

  /** A server that marks each callback in `trail`; a recorder adds its events to the same trail. */
  function probe(trail: Trail) {
    const mark = (m: string) => trail.push({ mark: m });
    return GenServer.define({
      name: "Probe",
      init: (_a: undefined) => ok<{ n: number; pending?: From }>({ n: 0 }),
      handleCall: {
        get(_a: undefined, _f: From, s: { n: number; pending?: From }) {
          mark("call get");
          return reply(s.n, s);
        },
        defer(_a: undefined, from: From, s: { n: number; pending?: From }) {
          mark("call defer");
          return noreply({ ...s, pending: from });
        },
        cont(_a: undefined, _f: From, s: { n: number; pending?: From }) {
          mark("call cont");
          return reply("c", s, { continue: "more" });
        },
        idle(_a: undefined, _f: From, s: { n: number; pending?: From }) {
          mark("call idle");
          return reply("idle", s, { timeout: 0 });
        },
        quit(_a: undefined, _f: From, _s: { n: number; pending?: From }) {
          mark("call quit");
          return stop("normal", { n: 99 }, { reply: "bye" });
        },
      },
      handleCast: {
        add(k: number, s: { n: number; pending?: From }) {
          mark("cast add");
          return noreply({ ...s, n: s.n + k });
        },
        release(_a: undefined, s: { n: number; pending?: From }) {
          mark("cast release");
          GenServer.reply(s.pending!, "late");
          return noreply({ n: s.n });
        },
        halt(_a: undefined, s: { n: number; pending?: From }) {
          mark("cast halt");
          return stop("normal", s);
        },
      },
      handleInfo(m: unknown, s: { n: number; pending?: From }) {
        mark(`info ${String(m)}`);
        return noreply({ ...s, n: s.n + 1 });
      },
      handleContinue(c: unknown, s: { n: number; pending?: From }) {
        mark(`continue ${String(c)}`);
        return noreply({ ...s, n: s.n + 10 });
      },
      terminate(reason: unknown, s: { n: number; pending?: From }) {
        mark(`terminate ${String(reason)} ${s.n}`);
      },
    });
  }

  async function start(trail: Trail): Promise<{ s: Pid; mod: ReturnType<typeof probe> }> {
    const mod = probe(trail);
    const s = await mod.start(undefined);
    const record: DebugFun<null> = (st, ev) => {
      trail.push({ ev });
      return st;
    };
    await sys.install(s, record, null);
    return { s, mod };
  }

  const events = (trail: Trail) =>
    trail.filter((t): t is { ev: SysEvent } => "ev" in t).map((t) => t.ev);

  it("SYS-17: call, cast and info give the raw in events, then out / noreply", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    const ext = node.externalPid;
    expect(await mod.call(s, "get")).toBe(0);
    mod.cast(s, "add", 2);
    node.send(s, "ping");
    await sys.getState(s); // ordered after the cast and the info; no event of its own
    const evs = events(trail);
    expect(evs).toEqual([
      callIn("get", undefined, ext),
      { kind: "out", msg: 0, to: ext, state: { n: 0 } },
      castIn("add", 2),
      { kind: "noreply", state: { n: 2 } },
      { kind: "in", msg: "ping" },
      { kind: "noreply", state: { n: 3 } },
    ]);
    expect(msgOf(evs[0])).toBeInstanceOf(CallMessage);
    expect(msgOf(evs[2])).toBeInstanceOf(CastMessage);
  });

  it("SYS-17: a deferred call gives in + noreply; GenServer.reply emits no event", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    const deferred = mod.call(s, "defer");
    mod.cast(s, "release");
    expect(await deferred).toBe("late");
    await sys.getState(s);
    const evs = events(trail);
    expect(evs).toEqual([
      callIn("defer", undefined, node.externalPid),
      { kind: "noreply", state: { n: 0, pending: expect.any(From) } },
      castIn("release", undefined),
      { kind: "noreply", state: { n: 0 } },
    ]);
  });

  it("SYS-17: a continuation gives {continue, C} then its own noreply", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    expect(await mod.call(s, "cont")).toBe("c");
    await sys.getState(s);
    expect(events(trail)).toEqual([
      callIn("cont", undefined, node.externalPid),
      { kind: "out", msg: "c", to: node.externalPid, state: { n: 0 } },
      { kind: "continue", continue: "more" },
      { kind: "noreply", state: { n: 10 } },
    ]);
  });

  it("SYS-17: a timeout gives {in, timeout}", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    const handled = nextEvent(s, (e) => e.kind === "noreply");
    expect(await mod.call(s, "idle")).toBe("idle");
    expect(await handled).toEqual({ kind: "noreply", state: { n: 1 } });
    expect(events(trail)).toEqual([
      callIn("idle", undefined, node.externalPid),
      { kind: "out", msg: "idle", to: node.externalPid, state: { n: 0 } },
      { kind: "in", msg: "timeout" },
      { kind: "noreply", state: { n: 1 } },
    ]);
    expect(trail).toContainEqual({ mark: "info timeout" });
  });

  it("SYS-17: {stop, R, Reply, S}: terminate runs, then {out, Reply, From, S}", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    expect(await mod.call(s, "quit")).toBe("bye");
    expect(await node.awaitExit(s)).toBe("normal");
    expect(trail).toEqual([
      { ev: callIn("quit", undefined, node.externalPid) },
      { mark: "call quit" },
      { mark: "terminate normal 99" },
      { ev: { kind: "out", msg: "bye", to: node.externalPid, state: { n: 99 } } },
    ]);
  });

  it("SYS-17: {stop, R, S} without a reply emits no event after the in", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    mod.cast(s, "halt");
    expect(await node.awaitExit(s)).toBe("normal");
    expect(trail).toEqual([
      { ev: castIn("halt", undefined) },
      { mark: "cast halt" },
      { mark: "terminate normal 0" },
    ]);
  });

  it("SYS-17: in is emitted before the callback runs, out / noreply after it", async () => {
    const trail: Trail = [];
    const { s, mod } = await start(trail);
    await mod.call(s, "get");
    mod.cast(s, "add", 1);
    node.send(s, "tick");
    await sys.getState(s);
    expect(trail.map((t) => ("mark" in t ? t.mark : t.ev.kind))).toEqual([
      "in",
      "call get",
      "out",
      "in",
      "cast add",
      "noreply",
      "in",
      "info tick",
      "noreply",
    ]);
  });

  it("SYS-17: an in event for a DOWN precedes its handling; a message sent after seeing it is handled after", async () => {
    const Mon = GenServer.define({
      init: (_a: undefined) => ok<string[]>([]),
      handleCall: {
        watch(pid: Pid, _f: From, st: string[]) {
          this.monitor(pid);
          return reply("ok", st);
        },
        seen: (_a: undefined, _f: From, st: string[]) => reply(st, st),
      },
      handleInfo: (m: unknown, st: string[]) =>
        noreply(isDown(m) ? [...st, "down"] : [...st, String(m)]),
    });
    const victim = node.spawn(async (v) => void (await v.receive()));
    const m = await Mon.start(undefined);
    await Mon.call(m, "watch", victim);
    const sawDown = nextEvent(m, (e) => e.kind === "in" && isDown(msgOf(e)));
    node.exit(victim, "kill");
    const e = await sawDown;
    expect((msgOf(e) as { pid: Pid }).pid).toBe(victim);
    expect(await Mon.call(m, "seen")).toEqual(["down"]);
  });
});

// ---- SYS-18 and SYS-27: hand-written special processes ----

/** A special process that answers `{from, req}` with `{reply: req}` and reports every event shape. */
function echoProcess(parent: Pid) {
  return async function echo(self: Self): Promise<void> {
    const deb = sys.debugOptions(self, ["statistics"]);
    procLib.initAck(self, self.pid);
    let n = 0;
    for (;;) {
      const m = await self.receive();
      if (m instanceof SystemMessage) {
        n = await sys.handleSystemMsg(self, m, parent, { module: "echo" }, deb, n);
        continue;
      }
      const { from, req } = m as { from: Pid; req: unknown };
      sys.handleDebug(deb, sys.defaultFormat, "echo", { kind: "in", msg: req, from });
      sys.handleDebug(deb, sys.defaultFormat, "echo", { kind: "in", msg: req, state: n });
      n++;
      self.send(from, { reply: req });
      sys.handleDebug(deb, sys.defaultFormat, "echo", {
        kind: "out",
        msg: { reply: req },
        to: from,
      });
      sys.handleDebug(deb, sys.defaultFormat, "echo", {
        kind: "out",
        msg: { reply: req },
        to: from,
        state: n,
      });
      sys.handleDebug(deb, sys.defaultFormat, "echo", { kind: "noreply", state: n });
      sys.handleDebug(deb, sys.defaultFormat, "echo", { kind: "enter", state: n });
      sys.handleDebug(deb, sys.defaultFormat, "echo", { kind: "my_event", anything: [1, 2] });
    }
  };
}

describe("SYS-18: generic event shapes", () => {
  /** One in + one out: the minimal shapes of the spec, in a special process linked to `self`. */
  async function minimalProcess(self: Self) {
    const minimal = async (s: Self) => {
      const deb = sys.debugOptions(s, ["statistics"]);
      procLib.initAck(s, s.pid);
      for (;;) {
        const m = await s.receive();
        if (m instanceof SystemMessage) {
          await sys.handleSystemMsg(s, m, self.pid, { module: "min" }, deb, null);
          continue;
        }
        const { from } = m as { from: Pid };
        sys.handleDebug(deb, sys.defaultFormat, "min", { kind: "in", msg: "m", from });
        s.send(from, "r");
        sys.handleDebug(deb, sys.defaultFormat, "min", { kind: "out", msg: "r", to: from });
      }
    };
    const p = (await procLib.startLink(self, minimal)) as Pid;
    const rec = spy();
    await sys.install(p, rec.fn, 0, { caller: self });
    self.send(p, { from: self.pid });
    expect(await self.receive()).toBe("r");
    return { p, rec };
  }

  it("SYS-18: a special process reports {in, m, from} and {out, r, to} to debug functions under its name", async () => {
    await run(node, async (self) => {
      const { rec } = await minimalProcess(self);
      expect(rec.calls.map((c) => c.event)).toEqual([
        { kind: "in", msg: "m", from: self.pid },
        { kind: "out", msg: "r", to: self.pid },
      ]);
      expect(rec.calls.map((c) => c.name)).toEqual(["min", "min"]);
    });
  });

  it("SYS-18: a special process's {in} and {out} count 1 in, 1 out in statistics", async () => {
    await run(node, async (self) => {
      const { p } = await minimalProcess(self);
      const st = await sys.statistics(p, "get", { caller: self });
      expect([st.messagesIn, st.messagesOut]).toEqual([1, 1]);
    });
  });

  /** The echo process (every event shape) with a spy and trace on, after one request "hi". */
  async function echoed(self: Self) {
    const p = (await procLib.startLink(self, echoProcess(self.pid))) as Pid;
    const rec = spy();
    await sys.install(p, rec.fn, 0, { caller: self });
    await sys.trace(p, true, { caller: self });
    self.send(p, { from: self.pid, req: "hi" });
    expect(await self.receive()).toEqual({ reply: "hi" });
    return { p, rec };
  }

  it("SYS-18: every event shape reaches debug functions unchanged", async () => {
    await run(node, async (self) => {
      const { rec } = await echoed(self);
      expect(rec.calls.map((c) => c.event)).toEqual([
        { kind: "in", msg: "hi", from: self.pid },
        { kind: "in", msg: "hi", state: 0 },
        { kind: "out", msg: { reply: "hi" }, to: self.pid },
        { kind: "out", msg: { reply: "hi" }, to: self.pid, state: 1 },
        { kind: "noreply", state: 1 },
        { kind: "enter", state: 1 },
        { kind: "my_event", anything: [1, 2] },
      ]);
    });
  });

  it("SYS-18: only in and out events count in statistics", async () => {
    await run(node, async (self) => {
      const { p } = await echoed(self);
      const st = await sys.statistics(p, "get", { caller: self });
      expect([st.messagesIn, st.messagesOut]).toEqual([2, 2]);
    });
  });

  it("SYS-18: trace prints every event shape through the formatter the process passed", async () => {
    await run(node, async (self) => {
      const { p } = await echoed(self);
      const lines = traceLines(node, p);
      expect(lines).toHaveLength(7);
      expect(lines[0]).toMatch(/^\*DBG\* echo in /);
      expect(lines[6]).toMatch(/^\*DBG\* echo my_event /);
    });
  });
});

// ---- 7c. Custom debug functions ----

describe("SYS 7c: install / remove", () => {
  it("SYS-19: an installed function gets (funcState, event, name) for every event; its return is the next state", async () => {
    const s = await Counter.start(0, { name: "spied" });
    const rec = spy();
    expect(await sys.install(s, rec.fn, 0)).toBe("ok");
    for (const k of [-1, -2, -3]) expect(await Counter.call("spied", "add", k)).toBeLessThan(0);
    expect(rec.calls.map((c) => c.state)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rec.calls.every((c) => c.name === "spied")).toBe(true);
    const callsIn = rec.calls.filter((c) => c.event.kind === "in");
    expect(callsIn.map((c) => (msgOf(c.event) as CallMessage).request)).toEqual([
      { name: "add", arg: -1 },
      { name: "add", arg: -2 },
      { name: "add", arg: -3 },
    ]);
  });

  it("SYS-19: the name an installed function gets for an unnamed server is its pid", async () => {
    const anon = await Counter.start(0);
    const rec = spy();
    await sys.install(anon, rec.fn, 0);
    await Counter.call(anon, "get");
    expect(rec.calls.map((c) => c.name)).toEqual([anon, anon]);
  });

  it("SYS-20: a function returning done is removed and never called again", async () => {
    const s = await Counter.start(0);
    const seen: SysEvent[] = [];
    await sys.install(
      s,
      (_st: null, e) => {
        seen.push(e);
        return "done";
      },
      null,
    );
    expect((await sys.getStatus(s)).debug.installed).toBe(1);
    await Counter.call(s, "get");
    await Counter.call(s, "get");
    expect(seen).toHaveLength(1);
    expect(seen[0].kind).toBe("in");
    expect((await sys.getStatus(s)).debug.installed).toBe(0);
  });

  /** Installs a debug function built from `body` (state: a number starting at 0) and makes two calls add(1). */
  async function twoCallsWith(body: (st: number) => number) {
    const s = await Counter.start(0);
    const states: number[] = [];
    await sys.install(
      s,
      (st: number) => {
        states.push(st);
        return body(st);
      },
      0,
    );
    expect(await Counter.call(s, "add", 1)).toBe(1);
    expect(await Counter.call(s, "add", 1)).toBe(2);
    return { s, states };
  }

  it("SYS-21: a raising function is removed silently and the server lives on", async () => {
    const { s, states } = await twoCallsWith(() => {
      throw new Error("debug fun crashed");
    });
    expect(states).toEqual([0]);
    expect(node.isAlive(s)).toBe(true);
    expect((await sys.getStatus(s)).debug.installed).toBe(0);
    expect(node.logs).toEqual([]); // silently
  });

  it("SYS-21: a function throwing done is removed", async () => {
    const { s, states } = await twoCallsWith(() => {
      throw "done";
    });
    expect(states).toEqual([0]);
    expect((await sys.getStatus(s)).debug.installed).toBe(0);
  });

  it("SYS-21: another value thrown by a function is its new state", async () => {
    const { s, states } = await twoCallsWith((st) => {
      throw st + 1;
    });
    expect(states).toEqual([0, 1, 2, 3]);
    expect((await sys.getStatus(s)).debug.installed).toBe(1);
    expect(node.logs).toEqual([]);
  });

  /** A Counter with `fn` (recording its state into `states`) installed as "first". */
  async function installedOnce() {
    const s = await Counter.start(0);
    const states: unknown[] = [];
    const fn: DebugFun<string> = (st) => {
      states.push(st);
      return st;
    };
    expect(await sys.install(s, fn, "first")).toBe("ok");
    return { s, fn, states };
  }

  it("SYS-22: install is keyed by the function: a second install is a no-op (state kept)", async () => {
    const { s, fn, states } = await installedOnce();
    expect(await sys.install(s, fn, "second")).toBe("ok");
    await Counter.call(s, "get");
    expect(states).toEqual(["first", "first"]); // one notification per event, the first state
  });

  it("SYS-22: remove(fn) removes the function", async () => {
    const { s, fn, states } = await installedOnce();
    expect(await sys.remove(s, fn)).toBe("ok");
    await Counter.call(s, "get");
    expect(states).toEqual([]);
  });

  /** One function installed under id1 (twice: "one", then "one-again") and id2 ("two"). */
  async function installedWithIds() {
    const s = await Counter.start(0);
    const seen: string[] = [];
    const fn: DebugFun<string> = (st) => {
      seen.push(st);
      return st;
    };
    await sys.install(s, fn, "one", { id: "id1" });
    await sys.install(s, fn, "one-again", { id: "id1" });
    await sys.install(s, fn, "two", { id: "id2" });
    return { s, seen };
  }

  it("SYS-23: install with ids: one function runs once per id; a repeated id is a no-op", async () => {
    const { s, seen } = await installedWithIds();
    node.send(s, "x"); // in + noreply
    await sys.getState(s);
    expect(seen.sort()).toEqual(["one", "one", "two", "two"]);
  });

  it("SYS-23: remove(id) removes the function under that id only", async () => {
    const { s, seen } = await installedWithIds();
    expect(await sys.remove(s, "id1")).toBe("ok");
    node.send(s, "y");
    await sys.getState(s);
    expect(seen).toEqual(["two", "two"]);
  });

  it("SYS-24: noDebug removes every option and function", async () => {
    const s = await Counter.start(0);
    const rec = spy();
    await sys.install(s, rec.fn, 0);
    await sys.statistics(s, true);
    await sys.log(s, true);
    await sys.trace(s, true);
    await Counter.call(s, "get");
    expect(rec.calls).toHaveLength(2);
    expect(traceLines(node, s)).toHaveLength(2);
    expect(await sys.noDebug(s)).toBe("ok");
    await Counter.call(s, "get");
    expect(rec.calls).toHaveLength(2);
    expect(traceLines(node, s)).toHaveLength(2);
    expect(await sys.statistics(s, "get")).toBe("no_statistics");
    expect(await sys.log(s, "get")).toEqual([]);
    expect((await sys.getStatus(s)).debug).toEqual({
      trace: false,
      log: false,
      statistics: false,
      installed: 0,
    });
  });

  /** Functions A then B installed on a Counter, which then handles one call; what each saw, in order. */
  async function twoFunctionsOneCall() {
    const s = await Counter.start(0);
    const order: Array<[string, SysEvent]> = [];
    const a: DebugFun<null> = (st, e) => (order.push(["A", e]), st);
    const b: DebugFun<null> = (st, e) => (order.push(["B", e]), st);
    await sys.install(s, a, null);
    await sys.install(s, b, null);
    await Counter.call(s, "get");
    return order;
  }

  it("SYS-25: debug functions run most recent first", async () => {
    const order = await twoFunctionsOneCall();
    expect(order.map(([w]) => w)).toEqual(["B", "A", "B", "A"]);
  });

  it("SYS-25: every debug function sees the same event object", async () => {
    const order = await twoFunctionsOneCall();
    expect(order).toHaveLength(4);
    expect(order[0][1]).toBe(order[1][1]);
    expect(order[2][1]).toBe(order[3][1]);
  });

  it("SYS-25: options and functions interleave by installation order (fun A, trace, fun B → B, trace, A)", async () => {
    const s = await Counter.start(0);
    const marker =
      (text: string): DebugFun<null> =>
      (st) => {
        node.logs.push({ level: "info", kind: "marker", pid: s, text, data: {} });
        return st;
      };
    await sys.install(s, marker("A"), null);
    await sys.trace(s, true);
    await sys.install(s, marker("B"), null);
    node.send(s, "x");
    await sys.getState(s);
    const seq = node.logs
      .filter((l) => l.kind === "marker" || l.kind === "sys_trace")
      .map((l) => (l.kind === "marker" ? l.text : "trace"));
    expect(seq).toEqual(["B", "trace", "A", "B", "trace", "A"]);
  });

  /** A Counter sent add(1), then given a function recording [kind, ran in the server], then add(2) and a call. */
  async function installedMidway() {
    const s = await Counter.start(0);
    const trail: unknown[] = [];
    Counter.cast(s, "add", 1); // before install: never seen
    await sys.install(
      s,
      (st: null, e) => {
        trail.push([e.kind, node.current?.pid === s]);
        return st;
      },
      null,
    );
    Counter.cast(s, "add", 2);
    const r = await Counter.call(s, "get");
    trail.push(["reply", r]);
    return trail;
  }

  it("SYS-26: an installed function sees every event after install and none before", async () => {
    const trail = await installedMidway();
    expect(trail.map((t) => (t as unknown[])[0])).toEqual(["in", "noreply", "in", "out", "reply"]);
    expect(trail[4]).toEqual(["reply", 3]);
  });

  it("SYS-26: an installed function runs in the server process", async () => {
    const trail = await installedMidway();
    expect(trail.slice(0, 4).map((t) => (t as unknown[])[1])).toEqual([true, true, true, true]);
  });

  it("SYS-26: attachDebug (same heap) sees every event after the attach", async () => {
    const s = await Counter.start(0);
    const seen: string[] = [];
    attachDebug(s, (st: null, e) => (seen.push(e.kind), st), null);
    Counter.cast(s, "add", 1);
    await sys.getState(s);
    expect(seen).toEqual(["in", "noreply"]);
  });

  it("SYS-26: calling the detach returned by attachDebug stops the notifications", async () => {
    const s = await Counter.start(0);
    const seen: string[] = [];
    const detach = attachDebug(s, (st: null, e) => (seen.push(e.kind), st), null);
    Counter.cast(s, "add", 1);
    await sys.getState(s);
    detach();
    Counter.cast(s, "add", 1);
    await sys.getState(s);
    expect(seen).toHaveLength(2);
  });

  it("SYS-26: attachDebug to a process that is not special throws", async () => {
    const plain = node.spawn(async (p) => void (await p.receive()));
    expect(() => attachDebug(plain, (st) => st, null)).toThrow(/not a special process/);
  });

  it("SYS-26: attachDebug to a dead process throws an ExitError", async () => {
    const plain = node.spawn(async (p) => void (await p.receive()));
    node.exit(plain, "kill");
    await node.awaitExit(plain);
    expect(() => attachDebug(plain, (st) => st, null)).toThrow(ExitError);
  });
});

// ---- SYS-27: the channel allocator (OTP's sys docs, ch4) ----

interface Channels {
  allocated: number[];
  free: number[];
}

type ChMsg = { alloc: Pid } | { free: number };
const isAlloc = (m: unknown): m is { alloc: Pid } =>
  m !== null && typeof m === "object" && "alloc" in m;
const isFree = (m: unknown): m is { free: number } =>
  m !== null && typeof m === "object" && "free" in m;
const isCh4Reply = (m: unknown): m is { ch4: number } =>
  m !== null && typeof m === "object" && "ch4" in m;

/** ch4's write_debug/3. */
const writeDebug: EventFormatter = (event, name) =>
  `${String(name)} event = ${formatReason(event)}`;

/** ch4: registers as "ch4", allocates the first free channel, frees to the end of the list. */
function ch4(parent: Pid, module: SpecialProcess<Channels>, opts: { trapExit?: boolean } = {}) {
  return async function ch4Init(self: Self): Promise<void> {
    if (opts.trapExit) self.processFlag("trapExit", true);
    self.register("ch4");
    let chs: Channels = { allocated: [], free: [1, 2, 3, 4, 5] };
    const deb = sys.debugOptions(self, []);
    procLib.initAck(self, self.pid);
    for (;;) {
      const m = await self.receive();
      if (m instanceof SystemMessage) {
        chs = await sys.handleSystemMsg(self, m, parent, module, deb, chs);
      } else if (isExit(m, parent)) {
        self.exit(m.reason);
      } else if (isAlloc(m)) {
        sys.handleDebug(deb, writeDebug, "ch4", { kind: "in", msg: "alloc", from: m.alloc });
        const [ch, ...rest] = chs.free;
        chs = { allocated: [...chs.allocated, ch], free: rest };
        self.send(m.alloc, { ch4: ch });
        sys.handleDebug(deb, writeDebug, "ch4", { kind: "out", msg: { ch4: ch }, to: m.alloc });
      } else if (isFree(m)) {
        sys.handleDebug(deb, writeDebug, "ch4", { kind: "in", msg: { free: m.free } });
        chs = {
          allocated: chs.allocated.filter((c) => c !== m.free),
          free: [...chs.free, m.free],
        };
      }
    }
  };
}

async function alloc(self: Self): Promise<number> {
  self.send("ch4", { alloc: self.pid } satisfies ChMsg);
  return (await self.receive(isCh4Reply)).ch4;
}

function free(self: Self, ch: number): void {
  self.send("ch4", { free: ch } satisfies ChMsg);
}

describe("SYS-27: writing special processes", () => {
  /** ch4 with no callbacks, statistics on, after one alloc (1) and one free (1). */
  async function plainCh4(self: Self) {
    const o = { caller: self };
    const pid = (await procLib.startLink(self, ch4(self.pid, { module: "ch4" }))) as Pid;
    expect(node.whereis("ch4")).toBe(pid);
    expect(await sys.statistics("ch4", true, o)).toBe("ok");
    expect(await alloc(self)).toBe(1);
    free(self, 1);
    return { pid, o };
  }

  it("SYS-27: ch4 gets getState for free (Misc itself as state)", async () => {
    await run(node, async (self) => {
      const { o } = await plainCh4(self);
      expect(await sys.getState("ch4", o)).toEqual({ allocated: [], free: [2, 3, 4, 5, 1] });
    });
  });

  it("SYS-27: ch4 gets replaceState for free; its loop continues with the replaced state", async () => {
    await run(node, async (self) => {
      const { o } = await plainCh4(self);
      expect(
        await sys.replaceState<Channels>("ch4", (c) => ({ ...c, free: [9, ...c.free] }), o),
      ).toEqual({ allocated: [], free: [9, 2, 3, 4, 5, 1] });
      expect(await sys.getState("ch4", o)).toEqual({ allocated: [], free: [9, 2, 3, 4, 5, 1] });
      expect(await alloc(self)).toBe(9);
    });
  });

  it("SYS-27: ch4 gets statistics for free, counting its in and out events", async () => {
    await run(node, async (self) => {
      const { o } = await plainCh4(self);
      const st = await sys.statistics("ch4", "get", o);
      expect([st.messagesIn, st.messagesOut]).toEqual([2, 1]);
    });
  });

  it("SYS-27: ch4 gets getStatus for free (pid, module, running, parent, Misc)", async () => {
    await run(node, async (self) => {
      const { pid, o } = await plainCh4(self);
      const status = await sys.getStatus("ch4", o);
      expect(status).toMatchObject({
        pid,
        module: "ch4",
        sysState: "running",
        parent: self.pid,
        misc: { allocated: [], free: [2, 3, 4, 5, 1] },
      });
    });
  });

  const withCallbacks: SpecialProcess<Channels> = {
    module: "ch4",
    systemGetState: (c) => ({ channels: c }),
    systemReplaceState: (fn, c) => {
      const next = fn(c) as Channels;
      return [{ replaced: next }, next];
    },
    formatStatus: (c) => ({ freeCount: c.free.length }),
  };

  it("SYS-27: ch4's systemGetState answers getState", async () => {
    await run(node, async (self) => {
      await procLib.startLink(self, ch4(self.pid, withCallbacks));
      expect(await sys.getState("ch4", { caller: self })).toEqual({
        channels: { allocated: [], free: [1, 2, 3, 4, 5] },
      });
    });
  });

  it("SYS-27: ch4's systemReplaceState answers replaceState and sets the loop's state", async () => {
    await run(node, async (self) => {
      const o = { caller: self };
      await procLib.startLink(self, ch4(self.pid, withCallbacks));
      expect(await sys.replaceState<Channels>("ch4", (c) => ({ ...c, free: [7] }), o)).toEqual({
        replaced: { allocated: [], free: [7] },
      });
      expect(await alloc(self)).toBe(7);
    });
  });

  it("SYS-27: ch4's formatStatus gives getStatus's misc", async () => {
    await run(node, async (self) => {
      await procLib.startLink(self, ch4(self.pid, withCallbacks));
      expect((await sys.getStatus("ch4", { caller: self })).misc).toEqual({ freeCount: 5 });
    });
  });

  /** A trapping `self` that started ch4 with a recording systemTerminate and suspended it with an alloc queued. */
  async function suspendedCh4(self: Self) {
    const terminated: unknown[] = [];
    const mod: SpecialProcess<Channels> = {
      module: "ch4",
      systemTerminate: (reason, parent, _debug, state) => {
        terminated.push({ reason, parent, state });
      },
    };
    self.processFlag("trapExit", true); // ch4 is linked and will exit
    const o = { caller: self };
    const pid = (await procLib.startLink(self, ch4(self.pid, mod))) as Pid;
    expect(await sys.suspend("ch4", o)).toBe("ok");
    self.send("ch4", { alloc: self.pid });
    return { pid, o, terminated };
  }

  it("SYS-27: ch4 gets suspend for free: a suspended ch4 leaves its messages unhandled", async () => {
    await run(node, async (self) => {
      const { o } = await suspendedCh4(self);
      // The alloc (sent before the request) is not handled while suspended.
      expect(await sys.getState("ch4", o)).toEqual({ allocated: [], free: [1, 2, 3, 4, 5] });
      expect((await sys.getStatus("ch4", o)).sysState).toBe("suspended");
      expect(await self.receive(isCh4Reply, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("SYS-27: ch4 gets resume for free: the queued messages are then handled", async () => {
    await run(node, async (self) => {
      const { o } = await suspendedCh4(self);
      expect(await sys.resume("ch4", o)).toBe("ok");
      expect((await self.receive(isCh4Reply)).ch4).toBe(1);
    });
  });

  it("SYS-27: ch4 gets trace for free, through its own formatter", async () => {
    await run(node, async (self) => {
      const { pid, o } = await suspendedCh4(self);
      expect(await sys.trace("ch4", true, o)).toBe("ok");
      await sys.resume("ch4", o);
      await self.receive(isCh4Reply);
      expect(traceLines(node, pid)).toEqual([
        `ch4 event = { kind: 'in', msg: 'alloc', from: ${self.pid} }`,
        `ch4 event = { kind: 'out', msg: { ch4: 1 }, to: ${self.pid} }`,
      ]);
    });
  });

  it("SYS-27: sys.terminate ends ch4 through systemTerminate(reason, parent, debug, state) and frees its name", async () => {
    await run(node, async (self) => {
      const { pid, o, terminated } = await suspendedCh4(self);
      await sys.resume("ch4", o);
      await self.receive(isCh4Reply);
      const ref = self.monitor(pid);
      expect(await sys.terminate("ch4", "bye", o)).toBe("ok");
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("bye");
      expect(terminated).toEqual([
        { reason: "bye", parent: self.pid, state: { allocated: [1], free: [2, 3, 4, 5] } },
      ]);
      expect(node.whereis("ch4")).toBeUndefined();
    });
  });

  it("SYS-27: a suspended special process ends through systemTerminate when its parent exits", async () => {
    const terminated: unknown[] = [];
    const mod: SpecialProcess<Channels> = {
      module: "ch4",
      systemTerminate: (reason) => void terminated.push(reason),
    };
    await run(node, async (self) => {
      const parent = self.spawn(async (ps) => {
        const child = await procLib.startLink(ps, ch4(ps.pid, mod, { trapExit: true }));
        ps.send(self.pid, { child });
        await ps.receive((m) => m === "die");
        ps.exit("shutdown");
      });
      const { child } = (await self.receive()) as { child: Pid };
      await sys.suspend(child, { caller: self });
      const ref = self.monitor(child);
      self.send(parent, "die");
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("shutdown");
      expect(terminated).toEqual(["shutdown"]);
    });
  });

  /** ch4 whose systemGetState throws when `failGet` and whose systemReplaceState always throws. */
  const failing = (failGet: boolean): SpecialProcess<Channels> => ({
    module: "ch4",
    systemGetState: (c) => {
      if (failGet) throw "fail";
      return c;
    },
    systemReplaceState: () => {
      throw "fail";
    },
  });

  it("SYS-27: a throwing systemReplaceState: callback_failed, state kept, process alive", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const o = { caller: self };
      await procLib.startLink(self, ch4(self.pid, failing(false)));
      const err = await rejection(
        sys.replaceState<Channels>("ch4", () => ({ allocated: [], free: [] }), o),
      );
      expect(err.reason).toEqual({
        callback_failed: { module: "ch4", fn: "system_replace_state" },
        error: "fail",
      });
      expect(await sys.getState("ch4", o)).toEqual({ allocated: [], free: [1, 2, 3, 4, 5] });
      expect(await alloc(self)).toBe(1);
    });
  });

  it("SYS-27: a throwing systemGetState: callback_failed, process alive", async () => {
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      await procLib.startLink(self, ch4(self.pid, failing(true)));
      const err = await rejection(sys.getState("ch4", { caller: self }));
      expect(err.reason).toEqual({
        callback_failed: { module: "ch4", fn: "system_get_state" },
        error: "fail",
      });
      expect(await alloc(self)).toBe(1);
    });
  });
});
