/**
 * Issue 12, point 6: `calling_self` is detected, as OTP's gen.erl does, for
 * every request a process makes to itself: a call, a sys request (from a
 * handler, or with `{ caller: self }`), `GenServer.stop`, and a sys request
 * made by a debug function running inside its own process. Each rejects at
 * once (never a timeout, never a deadlock) and the process runs on.
 */
import { ExitError, From, GenServer, Self, SpecialProcess, ok, procLib, reply, sys } from "otpkit";
import { QuietNode, eachTestNode, rejection, run } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

/** What a rejected promise's ExitError says (reason and operation). */
async function why(p: Promise<unknown>): Promise<{ reason: unknown; op: string | undefined }> {
  const e = await rejection(p);
  return { reason: e.reason, op: e.operation };
}

const Selfish = GenServer.define({
  name: "Selfish",
  init: (_a: void) => ok(0),
  handleCall: {
    async call(this: Self, _a: void, _f: From, s: number) {
      return reply(await why(GenServer.call(this.pid, "call")), s);
    },
    async getState(this: Self, _a: void, _f: From, s: number) {
      return reply(await why(sys.getState(this.pid, { timeout: Infinity })), s);
    },
    async suspend(this: Self, _a: void, _f: From, s: number) {
      return reply(await why(sys.suspend(this.pid)), s);
    },
    async stop(this: Self, _a: void, _f: From, s: number) {
      return reply(await why(GenServer.stop(this.pid)), s);
    },
    ping: (_a: void, _f: From, s: number) => reply("pong", s),
  },
});

describe("calling_self", () => {
  it("GS-13 a GenServer.call to itself rejects calling_self at once", async () => {
    const pid = await Selfish.start(undefined);
    expect(await Selfish.call(pid, "call")).toMatchObject({ reason: "calling_self" });
  });

  it("a sys request to itself from a handler (sys.getState(this.pid), even with timeout Infinity) rejects calling_self at once", async () => {
    const pid = await Selfish.start(undefined);
    const r = await Selfish.call(pid, "getState");
    expect(r).toEqual({ reason: "calling_self", op: `sys.getState(${pid}, Infinity)` });
  });

  it("a server whose sys request to itself was refused keeps serving", async () => {
    const pid = await Selfish.start(undefined);
    await Selfish.call(pid, "getState");
    expect(await Selfish.call(pid, "ping")).toBe("pong");
  });

  it("sys.suspend of itself from a handler rejects calling_self", async () => {
    const pid = await Selfish.start(undefined);
    expect(await Selfish.call(pid, "suspend")).toMatchObject({ reason: "calling_self" });
  });

  it("a refused sys.suspend of itself leaves the server running", async () => {
    const pid = await Selfish.start(undefined);
    await Selfish.call(pid, "suspend");
    expect((await sys.getStatus(pid)).sysState).toBe("running");
  });

  it("GenServer.stop(this.pid) from a handler rejects calling_self instead of deadlocking", async () => {
    const pid = await Selfish.start(undefined);
    expect(await Selfish.call(pid, "stop")).toMatchObject({ reason: "calling_self" });
  });

  it("a refused GenServer.stop(this.pid) leaves the server alive and serving", async () => {
    const pid = await Selfish.start(undefined);
    await Selfish.call(pid, "stop");
    expect(node.isAlive(pid)).toBe(true);
    expect(await Selfish.call(pid, "ping")).toBe("pong");
  });

  it("a function process's sys request to itself with { caller: self } rejects calling_self", async () => {
    const r = await run(node, (self) => why(sys.getState(self.pid, { caller: self })));
    expect(r.reason).toBe("calling_self");
  });

  it("a debug function making a sys request to its own GenServer gets calling_self at once", async () => {
    const pid = await Selfish.start(undefined);
    const seen: Array<Promise<unknown>> = [];
    await sys.install(
      pid,
      (st: null) => {
        seen.push(sys.getState(pid).catch((e: ExitError) => e.reason));
        return st;
      },
      null,
    );
    await Selfish.call(pid, "ping");
    expect(seen.length).toBeGreaterThan(0);
    expect(await Promise.all(seen)).toEqual(seen.map(() => "calling_self"));
  });

  it("a debug function making a sys request to its own hand-written special process gets calling_self at once", async () => {
    const module: SpecialProcess<number> = { module: "Loop" };
    const seen: Array<Promise<unknown>> = [];
    const pid = await procLib.start(null, async (self) => {
      const debug = sys.debugOptions(self);
      procLib.initAck(self);
      for (;;) {
        const m = await self.receive();
        if (sys.isSystemMessage(m)) await sys.handleSystemMsg(self, m, self.pid, module, debug, 0);
        else sys.handleDebug(debug, sys.defaultFormat, "Loop", { kind: "in", msg: m });
      }
    });
    await sys.install(
      pid as never,
      (st: null) => {
        seen.push(sys.getState(pid as never).catch((e: ExitError) => e.reason));
        return st;
      },
      null,
    );
    node.send(pid as never, "hello");
    await sys.getState(pid as never); // the event has been handled by now
    expect(await Promise.all(seen)).toEqual(["calling_self"]);
  });
});
