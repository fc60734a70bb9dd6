/**
 * Issue 12, points 2, 3 and 5: call deadlines cost memory per *pending* call
 * only, keep Node alive while pending, and follow the earliest deadline when
 * the global timer functions change; a process killed while awaiting
 * something outside the runtime is released when it next calls `receive`
 * or `procLib.hibernate`.
 */
import { From, GenServer, noreply, ok, procLib, reply, sys } from "otpkit";
import { QuietNode, eachTestNode, rejection, useFakeTimers } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

/** A server that answers `get` at once and never answers `hang`. */
const Server = GenServer.define({
  name: "Server",
  init: (_a: void) => ok(0),
  handleCall: {
    get: (_a: void, _f: From, s: number) => reply(s, s),
    hang: (_a: void, _f: From, s: number) => noreply(s),
  },
});

/** Lets queued microtasks run (works under fake timers too). */
async function microtasks(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** How many timers are keeping Node alive right now. */
function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

describe("one deadline structure whose memory is the number of pending calls", () => {
  it("one hung 1-hour call, then 1,000 completed calls: one deadline is kept, not 1,001", async () => {
    const pid = await Server.start(undefined);
    const hung = rejection(Server.call(pid, "hang", undefined, { timeout: 3_600_000 }));
    for (let i = 0; i < 1000; i++) await Server.call(pid, "get", undefined, { timeout: 3_600_000 });
    expect(node.deadlines.size).toBe(1);
    node.exit(pid, "kill");
    expect((await hung).reason).toBe("killed");
    expect(node.deadlines.size).toBe(0);
  });

  it("calls with many different timeouts leave nothing behind once settled", async () => {
    const pid = await Server.start(undefined);
    for (let i = 0; i < 200; i++) await Server.call(pid, "get", undefined, { timeout: 1000 + i });
    expect(node.deadlines.size).toBe(0);
  });

  it("a call answered in the pass that sent it never starts its deadline: no clock read, no timer", async () => {
    const pid = await Server.start(undefined);
    const before = liveTimers();
    const clock = jest.spyOn(Date, "now");
    try {
      for (let i = 0; i < 100; i++) await Server.call(pid, "get", undefined);
      expect(clock).not.toHaveBeenCalled();
    } finally {
      clock.mockRestore();
    }
    expect([node.deadlines.size, liveTimers()]).toEqual([0, before]);
  });

  it("a call whose request a plain process takes (no pass follows the send) still times out", async () => {
    // The request wakes the process's receive directly: the deadline's start must arrange a pass.
    const pid = node.spawn(async (self) => {
      await self.receive();
      await self.receive((m) => m === "never");
    });
    await Server.start(undefined); // by then the process waits in its first receive, all passes over
    const failed = await rejection(Server.call(pid, "get", undefined, { timeout: 30 }));
    expect(failed.reason).toBe("timeout");
  });

  it("deadlines expire in due order whatever order they were added in", async () => {
    useFakeTimers();
    const pid = await Server.start(undefined);
    const order: number[] = [];
    const calls = [300, 100, 200].map((t) =>
      Server.call(pid, "hang", undefined, { timeout: t }).catch(() => order.push(t)),
    );
    jest.advanceTimersByTime(100);
    await microtasks();
    expect(order).toEqual([100]);
    jest.advanceTimersByTime(200);
    await Promise.all(calls);
    expect(order).toEqual([100, 200, 300]);
  });
});

describe("call and sys timeouts keep Node alive while pending", () => {
  // A deadline starts at the end of the scheduler pass that sent the call
  // (until then a microtask is pending, which keeps Node alive anyway).
  it("a pending call's deadline is a live timer once the pass that sent it has ended", async () => {
    const pid = await Server.start(undefined);
    const before = liveTimers();
    const hung = rejection(Server.call(pid, "hang", undefined, { timeout: 60_000 }));
    await microtasks();
    expect(liveTimers()).toBe(before + 1);
    node.exit(pid, "kill");
    await hung;
  });

  it("once a call settles, its deadline no longer holds Node", async () => {
    const pid = await Server.start(undefined);
    const before = liveTimers();
    const hung = rejection(Server.call(pid, "hang", undefined, { timeout: 60_000 }));
    node.exit(pid, "kill");
    await hung;
    expect(liveTimers()).toBe(before);
  });

  it("a pending sys request's deadline keeps Node alive too", async () => {
    // A plain process never answers system messages: the request stays pending.
    const pid = node.spawn(async (self) => {
      await self.receive((m) => m === "never");
    });
    const before = liveTimers();
    const state = rejection(sys.getState(pid, { timeout: 60_000 }));
    await microtasks();
    expect(liveTimers()).toBe(before + 1);
    node.exit(pid, "kill");
    expect((await state).reason).toBe("killed");
    expect(liveTimers()).toBe(before);
  });
});

describe("the deadline timer follows the earliest deadline", () => {
  it("when the global setTimeout changes between two calls (real, then fake timers), the earlier deadline still fires first", async () => {
    const pid = await Server.start(undefined);
    let early = "pending";
    let late = "pending";
    Server.call(pid, "hang", undefined, { timeout: 100 }).catch((e) => (early = e.reason));
    useFakeTimers();
    Server.call(pid, "hang", undefined, { timeout: 2000 }).catch((e) => (late = e.reason));
    jest.advanceTimersByTime(150);
    await microtasks();
    expect(early).toBe("timeout");
    expect(late).toBe("pending");
    jest.advanceTimersByTime(2000);
    await microtasks();
    expect(late).toBe("timeout");
  });
});

describe("a deadline beyond setTimeout's limit (2^31 - 1 ms)", () => {
  const far = 2 ** 31 + 1000;

  it("arms one timer for it, not a 1 ms timer over and over", async () => {
    useFakeTimers();
    const pid = await Server.start(undefined);
    const arms = jest.spyOn(globalThis, "setTimeout");
    try {
      void Server.call(pid, "hang", undefined, { timeout: far }).catch(() => {});
      await jest.advanceTimersByTimeAsync(100);
      expect(arms).toHaveBeenCalledTimes(1);
    } finally {
      arms.mockRestore();
    }
  });

  it("expires when due, not before", async () => {
    useFakeTimers();
    const pid = await Server.start(undefined);
    let outcome = "pending";
    Server.call(pid, "hang", undefined, { timeout: far }).catch((e) => (outcome = e.reason));
    await jest.advanceTimersByTimeAsync(far - 1);
    const before = outcome;
    await jest.advanceTimersByTimeAsync(1);
    expect([before, outcome]).toEqual(["pending", "timeout"]);
  });
});

describe("a process killed while awaiting something outside the runtime is released", () => {
  /** A promise settled from outside, standing for I/O. */
  function external(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  it("its next receive unwinds the body (finally runs) instead of awaiting forever", async () => {
    const io = external();
    let unwound = false;
    const pid = node.spawn(async (self) => {
      try {
        await io.promise;
        await self.receive();
      } finally {
        unwound = true;
      }
    });
    await microtasks();
    node.exit(pid, "kill");
    expect(await node.awaitExit(pid)).toBe("killed");
    io.resolve();
    await microtasks();
    expect(unwound).toBe(true);
    expect(node.logs).toEqual([]); // unwinding a dead process reports nothing
  });

  it("its next procLib.hibernate unwinds the body too", async () => {
    const io = external();
    let unwound = false;
    let woke = false;
    const pid = procLib.spawn(null, async (self) => {
      try {
        await io.promise;
        await procLib.hibernate(self, () => (woke = true));
      } finally {
        unwound = true;
      }
    });
    await microtasks();
    node.exit(pid, "kill");
    expect(await node.awaitExit(pid)).toBe("killed");
    io.resolve();
    await microtasks();
    expect(unwound).toBe(true);
    expect(woke).toBe(false);
  });
});
