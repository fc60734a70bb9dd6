/**
 * The channel allocator, debugged at run time through `sys` exactly as a user
 * would: nothing here reaches into the process; every check goes through its
 * client functions, the `sys` API and the node's logger.
 *
 * Inside a process, sys requests pass `{ caller: self }`: the request is then
 * ordered after the messages this process sent the allocator before it.
 */
import {
  ExitError,
  LogEvent,
  Node,
  Self,
  SysEvent,
  createNode,
  isExit,
  procLib,
  setCurrentNode,
  sys,
} from "otpkit";
import { State, alloc, free, start, startLink } from "./channels";

let node: Node;
/** Everything the node reported: trace lines (`sys_trace`), crash reports... */
let logs: LogEvent[];

beforeEach(() => {
  logs = [];
  node = createNode({ logger: (e) => logs.push(e) });
  setCurrentNode(node);
});

afterEach(() => {
  setCurrentNode(undefined);
  node.shutdown();
});

/**
 * Runs `body` as a process (the client functions are called from one) and
 * resolves with its result; rejects if the process ends any other way.
 */
function inProcess<T>(body: (self: Self) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const pid = node.spawn(async (self) => {
      resolve(await body(self));
      done = true;
    });
    void node.awaitExit(pid).then((reason) => {
      if (!done) reject(reason instanceof Error ? reason : new Error(`exited: ${String(reason)}`));
    });
  });
}

/** The trace lines printed so far. */
const traceLines = () => logs.filter((e) => e.kind === "sys_trace").map((e) => e.text);

describe("channels: the allocator itself", () => {
  it("allocates the lowest free channel, reuses freed ones, and answers null when none is free", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { channels: 2 });
      expect(await alloc(self, ch)).toBe(1);
      expect(await alloc(self, ch)).toBe(2);
      expect(await alloc(self, ch)).toBeNull();
      free(self, ch, 1);
      free(self, ch, 99); // not allocated: ignored
      expect(await alloc(self, ch)).toBe(1);
      expect(await alloc(self, ch)).toBeNull();
    });
  });

  it("is a procLib process: startLink links it, a registered name works, alloc to a dead allocator rejects", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { name: "channels" });
      expect(node.processInfo(self.pid)?.links).toContain(ch);
      expect(node.whereis("channels")).toBe(ch);
      expect(await alloc(self, "channels")).toBe(1);
      expect(await procLib.stop(ch)).toBe("ok");
      const e = await alloc(self, ch).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ExitError);
      expect((e as ExitError).reason).toBe("noproc");
    });
  });
});

describe("channels: debugged through sys", () => {
  it("trace: each event is printed through the node's logger as it happens", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { name: "channels" });
      expect(await sys.trace("channels", true, { caller: self })).toBe("ok");
      expect(await alloc(self, "channels")).toBe(1);
      free(self, "channels", 1);
      await sys.trace("channels", false, { caller: self }); // ordered after the free
      expect(traceLines()).toEqual([
        `*DBG* channels got alloc from ${self.pid}`,
        `*DBG* channels sent 1 to ${self.pid}`,
        `*DBG* channels got { free: 1 }`,
      ]);
      const traced = logs.filter((e) => e.kind === "sys_trace");
      expect(traced.every((e) => e.pid === ch && e.level === "info")).toBe(true);
      // Off: nothing more is printed.
      await alloc(self, "channels");
      expect(traceLines()).toHaveLength(3);
    });
  });

  it("log: a start option; get returns the events oldest first; print prints them; false drops them", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { debug: ["log"] });
      expect(await alloc(self, ch)).toBe(1);
      free(self, ch, 1);
      const events = (await sys.log(ch, "get", { caller: self })) as SysEvent[];
      expect(events).toEqual([
        { kind: "in", msg: "alloc", from: self.pid },
        { kind: "out", msg: 1, to: self.pid },
        { kind: "in", msg: { free: 1 } },
      ]);
      // System requests are not events (SYS-16): the log did not grow.
      await sys.getState(ch, { caller: self });
      expect(await sys.log(ch, "get", { caller: self })).toHaveLength(3);
      expect(await sys.log(ch, "print", { caller: self })).toBe("ok");
      expect(traceLines()).toEqual([
        `*DBG* ${ch} got alloc from ${self.pid}`,
        `*DBG* ${ch} sent 1 to ${self.pid}`,
        `*DBG* ${ch} got { free: 1 }`,
      ]);
      await sys.log(ch, false, { caller: self });
      expect(await sys.log(ch, "get", { caller: self })).toEqual([]);
    });
  });

  it("statistics: an alloc and a free count 2 in, 1 out; system requests do not count", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self);
      expect(await sys.statistics(ch, "get", { caller: self })).toBe("no_statistics");
      await sys.statistics(ch, true, { caller: self });
      await alloc(self, ch);
      free(self, ch, 1);
      await sys.getStatus(ch, { caller: self });
      const stats = await sys.statistics(ch, "get", { caller: self });
      expect(stats).toMatchObject({ messagesIn: 2, messagesOut: 1 });
      expect(stats.startTime).toBeInstanceOf(Date);
      expect(stats.currentTime.getTime()).toBeGreaterThanOrEqual(stats.startTime.getTime());
      await sys.statistics(ch, false, { caller: self });
      expect(await sys.statistics(ch, "get", { caller: self })).toBe("no_statistics");
    });
  });

  it("suspend/resume: messages sent while suspended stay queued, then are handled in order", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { channels: 3 });
      for (const want of [1, 2, 3]) expect(await alloc(self, ch)).toBe(want);
      await sys.log(ch, true, { caller: self });

      expect(await sys.suspend(ch, { caller: self })).toBe("ok");
      free(self, ch, 3);
      free(self, ch, 1);
      free(self, ch, 2);
      let settled = false;
      const pending = alloc(self, ch).finally(() => (settled = true));

      // Still answering system requests, and nothing handled: the frees are queued.
      const suspended = await sys.getStatus(ch, { caller: self });
      expect(suspended.sysState).toBe("suspended");
      expect(await sys.getState<State>(ch, { caller: self })).toEqual({
        allocated: [3, 2, 1],
        free: [],
      });
      expect(settled).toBe(false);

      expect(await sys.resume(ch, { caller: self })).toBe("ok");
      // Handled in the order sent: free 3, 1, 2, so channel 2 is the first free one.
      expect(await pending).toBe(2);
      expect(await sys.getState<State>(ch, { caller: self })).toEqual({
        allocated: [2],
        free: [1, 3],
      });
      expect(await sys.log(ch, "get", { caller: self })).toEqual([
        { kind: "in", msg: { free: 3 } },
        { kind: "in", msg: { free: 1 } },
        { kind: "in", msg: { free: 2 } },
        { kind: "in", msg: "alloc", from: self.pid },
        { kind: "out", msg: 2, to: self.pid },
      ]);
      expect((await sys.getStatus(ch, { caller: self })).sysState).toBe("running");
    });
  });

  it("getState/replaceState: read and change the state inside the process; a throwing fn keeps it", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { channels: 3 });
      expect(await sys.getState<State>(ch)).toEqual({ allocated: [], free: [1, 2, 3] });
      expect(await alloc(self, ch)).toBe(1);
      expect(await sys.getState<State>(ch, { caller: self })).toEqual({
        allocated: [1],
        free: [2, 3],
      });
      const replaced = await sys.replaceState<State>(ch, (s) => ({ ...s, free: [42] }));
      expect(replaced).toEqual({ allocated: [1], free: [42] });
      expect(await alloc(self, ch)).toBe(42);
      expect(await alloc(self, ch)).toBeNull();

      const failed = await sys
        .replaceState<State>(ch, () => {
          throw new Error("fail");
        })
        .catch((x: unknown) => x);
      expect(failed).toBeInstanceOf(ExitError);
      expect((failed as ExitError).reason).toMatchObject({
        callback_failed: { module: "channels", fn: "system_replace_state" },
      });
      expect(await sys.getState<State>(ch)).toEqual({ allocated: [42, 1], free: [] });
    });
  });

  it("getStatus: module, sys state, parent, dictionary (initial call, ancestors), debug flags, state", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self, { channels: 2 });
      await alloc(self, ch);
      await sys.trace(ch, true, { caller: self });
      const status = await sys.getStatus(ch, { caller: self });
      expect(status.pid).toBe(ch);
      expect(status.module).toBe("channels");
      expect(status.sysState).toBe("running");
      expect(status.parent).toBe(self.pid);
      expect(status.processDictionary).toEqual(
        expect.arrayContaining([
          ["$initial_call", "channels"],
          ["$ancestors", [self.pid]],
        ]),
      );
      expect(status.debug).toEqual({ trace: true, log: false, statistics: false, installed: 0 });
      expect(status.misc).toEqual({ allocated: [1], free: [2] });
    });
    // Started with no parent: it is its own parent.
    const lone = await start();
    expect((await sys.getStatus(lone)).parent).toBe(lone);
  });

  it("install: a debug function sees each event, inside the process, until removed", async () => {
    await inProcess(async (self) => {
      const ch = await startLink(self);
      const seen: Array<[string, unknown]> = [];
      const spy = (n: number, e: SysEvent, name: unknown) => {
        seen.push([e.kind, name]);
        return n + 1;
      };
      await sys.install(ch, spy, 0, { caller: self });
      await alloc(self, ch);
      expect(seen).toEqual([
        ["in", ch],
        ["out", ch],
      ]);
      await sys.remove(ch, spy, { caller: self });
      await alloc(self, ch);
      expect(seen).toHaveLength(2);
    });
  });

  it("terminate: the allocator ends with the reason (its parent sees the EXIT), quietly for shutdown", async () => {
    await inProcess(async (self) => {
      self.processFlag("trapExit", true);
      const ch = await startLink(self, { name: "channels" });
      expect(await sys.terminate(ch, "shutdown", { caller: self })).toBe("ok");
      const exit = await self.receive((m) => isExit(m, ch));
      expect(exit.reason).toBe("shutdown");
      expect(node.whereis("channels")).toBeUndefined();
      expect(logs.filter((e) => e.kind === "crash_report")).toEqual([]);
      await expect(sys.getState(ch)).rejects.toMatchObject({ reason: "noproc" });
    });
  });
});
