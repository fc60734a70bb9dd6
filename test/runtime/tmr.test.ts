/**
 * Conformance: timers (docs/conformance.md, TMR-01..07).
 *
 * Fake-timer tests keep the native `queueMicrotask` (`doNotFake`): the
 * scheduler drains in microtasks. One test (TMR-01, "default options") checks
 * that plain `jest.useFakeTimers()` works too.
 */
import {
  BadArgError,
  cancelTimer,
  isTimerMessage,
  Pid,
  readTimer,
  Ref,
  Self,
  sendAfter,
  setCurrentNode,
  startTimer,
  TIMEOUT,
  TimerMessage,
} from "otpkit";
import { forSeeds, quietNode, run } from "../support";

function useFakeTimers(): void {
  jest.useFakeTimers({ doNotFake: ["queueMicrotask"] });
}

/** The next message, if one is queued now (else TIMEOUT). */
function poll(self: Self): Promise<unknown> {
  return self.receive(undefined, { timeout: 0 });
}

/** A process that collects messages in its mailbox and never receives. */
function sink(s: Self): Promise<unknown> {
  return s.receive((m) => m === "never");
}

afterEach(() => {
  jest.useRealTimers();
  setCurrentNode(undefined);
});

describe("TMR-01: sendAfter", () => {
  beforeEach(useFakeTimers);

  it("TMR-01: sendAfter returns a timer ref", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    expect(node.sendAfter(100, p, "m")).toBeInstanceOf(Ref);
    node.shutdown();
  });

  it("TMR-01: after T ms the exact term is sent, once, not before", async () => {
    const node = quietNode();
    const msg = { hello: "world" };
    await run(node, async (self) => {
      node.sendAfter(100, self.pid, msg);
      jest.advanceTimersByTime(99);
      expect(await poll(self)).toBe(TIMEOUT);
      jest.advanceTimersByTime(1);
      expect(await poll(self)).toBe(msg); // the same object, unwrapped
      jest.advanceTimersByTime(1000);
      expect(await poll(self)).toBe(TIMEOUT); // sent once
    });
  });

  it("TMR-01: a timer to another process sends to it after T ms", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    node.sendAfter(50, p, "to-pid");
    jest.advanceTimersByTime(49);
    expect(node.processInfo(p)!.messages).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(node.processInfo(p)!.messages).toEqual(["to-pid"]);
    node.shutdown();
  });

  it("TMR-01: a timer to a registered name sends to its holder after T ms", () => {
    const node = quietNode();
    const q = node.spawn(sink);
    node.register("q", q);
    node.sendAfter(50, "q", "to-name");
    jest.advanceTimersByTime(49);
    expect(node.processInfo(q)!.messages).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(node.processInfo(q)!.messages).toEqual(["to-name"]);
    node.shutdown();
  });

  it("TMR-01: with T = 0 the message is sent when the timer runs, not at the call", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    node.sendAfter(0, p, "zero");
    expect(node.processInfo(p)!.messages).toEqual([]);
    jest.advanceTimersByTime(0);
    expect(node.processInfo(p)!.messages).toEqual(["zero"]);
    node.shutdown();
  });

  it("TMR-01: a T = 0 timer fires before a timer started earlier with a later time", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    node.sendAfter(50, p, "to-pid");
    node.sendAfter(0, p, "zero");
    jest.advanceTimersByTime(49);
    expect(node.processInfo(p)!.messages).toEqual(["zero"]);
    jest.advanceTimersByTime(1);
    expect(node.processInfo(p)!.messages).toEqual(["zero", "to-pid"]);
    node.shutdown();
  });

  it("TMR-01: the module-level sendAfter acts on the current node", () => {
    const node = quietNode();
    setCurrentNode(node);
    const p = node.spawn(sink);
    const ref = sendAfter(10, p, "m");
    expect(ref).toBeInstanceOf(Ref);
    expect(readTimer(ref)).toBe(10);
    jest.advanceTimersByTime(10);
    expect(node.processInfo(p)!.messages).toEqual(["m"]);
    node.shutdown();
  });

  it("TMR-01: under many seeds, the message arrives after T and not before", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const ref = node.sendAfter(30, self.pid, "m");
        jest.advanceTimersByTime(29);
        expect(node.readTimer(ref)).toBe(1);
        expect(await poll(self)).toBe(TIMEOUT);
        jest.advanceTimersByTime(1);
        expect(node.readTimer(ref)).toBe(false);
        expect(await self.receive()).toBe("m");
      });
    });
  });

  it("TMR-01: a bad delay or destination throws BadArgError", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    expect(() => node.sendAfter(-1, p, "m")).toThrow(BadArgError);
    expect(() => node.sendAfter(NaN, p, "m")).toThrow(BadArgError);
    expect(() => node.sendAfter(Infinity, p, "m")).toThrow(BadArgError);
    expect(() => node.sendAfter("10" as unknown as number, p, "m")).toThrow(BadArgError);
    expect(() => node.sendAfter(10, 42 as unknown as Pid, "m")).toThrow(BadArgError);
    expect(() => node.startTimer(-1, p, "m")).toThrow(BadArgError);
    expect(() => node.cancelTimer("ref" as unknown as Ref)).toThrow(BadArgError);
    expect(() => node.readTimer("ref" as unknown as Ref)).toThrow(BadArgError);
    node.shutdown();
  });
});

describe("TMR-01 with Jest's default fake timers", () => {
  // Plain jest.useFakeTimers() fakes queueMicrotask too; the runtime must not
  // freeze (docs/decisions.md: Jest fake timers drive sendAfter). A frozen runtime
  // shows up as this test's timeout.
  it("TMR-01: sendAfter to a running process works under plain jest.useFakeTimers()", async () => {
    jest.useFakeTimers();
    const node = quietNode();
    await run(node, async (self) => {
      node.sendAfter(100, self.pid, "m");
      jest.advanceTimersByTime(99);
      expect(await poll(self)).toBe(TIMEOUT);
      jest.advanceTimersByTime(1);
      expect(await poll(self)).toBe("m");
    });
  }, 1000);
});

describe("TMR-02: startTimer", () => {
  beforeEach(useFakeTimers);

  it("TMR-02: the message is {kind: timeout, ref, msg} with the returned ref", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const r1 = node.startTimer(50, self.pid, "tick");
      const r2 = node.startTimer(50, self.pid, "tick");
      expect(r1).toBeInstanceOf(Ref);
      expect(r1).not.toBe(r2);
      jest.advanceTimersByTime(49);
      expect(await poll(self)).toBe(TIMEOUT);
      jest.advanceTimersByTime(1);
      const m2 = await self.receive((m) => isTimerMessage(m, r2), { timeout: 0 });
      const m1 = await self.receive((m) => isTimerMessage(m, r1), { timeout: 0 });
      for (const [m, r] of [
        [m1, r1],
        [m2, r2],
      ] as const) {
        expect(m).toBeInstanceOf(TimerMessage);
        const t = m as TimerMessage;
        expect(t.kind).toBe("timeout");
        expect(t.ref).toBe(r);
        expect(t.msg).toBe("tick");
      }
      expect(await poll(self)).toBe(TIMEOUT);
    });
  });

  it("TMR-02: the module-level startTimer, to a registered name", () => {
    const node = quietNode();
    setCurrentNode(node);
    const p = node.spawn(sink);
    node.register("p", p);
    const payload = { n: 1 };
    const ref = startTimer(20, "p", payload);
    jest.advanceTimersByTime(20);
    const [m] = node.processInfo(p)!.messages;
    expect(isTimerMessage(m, ref)).toBe(true);
    expect((m as TimerMessage).msg).toBe(payload);
    node.shutdown();
  });
});

describe("TMR-03: cancelTimer and readTimer", () => {
  beforeEach(useFakeTimers);

  it("TMR-03: cancelling an active timer returns the ms left, an integer", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    const ref = node.sendAfter(100, p, "m");
    expect(node.readTimer(ref)).toBe(100);
    jest.advanceTimersByTime(30);
    expect(node.readTimer(ref)).toBe(70);
    const left = node.cancelTimer(ref);
    expect(left).toBe(70);
    expect(Number.isInteger(left)).toBe(true);
    node.shutdown();
  });

  it("TMR-03: a cancelled timer's message is never sent", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const ref = node.sendAfter(100, self.pid, "m");
      jest.advanceTimersByTime(30);
      node.cancelTimer(ref);
      jest.advanceTimersByTime(1000);
      expect(await poll(self)).toBe(TIMEOUT);
    });
  });

  it("TMR-03: a cancelled timer: cancelTimer and readTimer give false", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    const ref = node.sendAfter(100, p, "m");
    node.cancelTimer(ref);
    expect(node.readTimer(ref)).toBe(false);
    expect(node.cancelTimer(ref)).toBe(false);
    node.shutdown();
  });

  it("TMR-03: an expired timer: cancelTimer and readTimer give false", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const ref = node.startTimer(10, self.pid, "m");
      jest.advanceTimersByTime(10);
      expect(isTimerMessage(await poll(self), ref)).toBe(true);
      expect(node.readTimer(ref)).toBe(false);
      expect(node.cancelTimer(ref)).toBe(false);
    });
  });

  it("TMR-03: readTimer does not disturb the timer", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const ref = node.sendAfter(40, self.pid, "m");
      jest.advanceTimersByTime(15);
      expect(node.readTimer(ref)).toBe(25);
      expect(node.readTimer(ref)).toBe(25);
      jest.advanceTimersByTime(25);
      expect(await poll(self)).toBe("m");
    });
  });

  it("TMR-03: an unknown ref: cancelTimer and readTimer give false", () => {
    const node = quietNode();
    const unknown = node.makeRef();
    expect(node.readTimer(unknown)).toBe(false);
    expect(node.cancelTimer(unknown)).toBe(false);
    node.shutdown();
  });

  it("TMR-03: the module-level cancelTimer/readTimer act on the current node", () => {
    const node = quietNode();
    setCurrentNode(node);
    const p = node.spawn(sink);
    const ref = node.sendAfter(60, p, "m");
    jest.advanceTimersByTime(20);
    expect(readTimer(ref)).toBe(40);
    expect(cancelTimer(ref)).toBe(40);
    expect(cancelTimer(ref)).toBe(false);
    expect(readTimer(ref)).toBe(false);
    jest.advanceTimersByTime(100);
    expect(node.processInfo(p)!.messages).toEqual([]);
    node.shutdown();
  });
});

describe("TMR-04: cancel after expiry does not unsend", () => {
  beforeEach(useFakeTimers);

  it("TMR-04: a fired timer's message stays in the mailbox after cancelTimer returns false", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const a = node.sendAfter(10, self.pid, "plain");
      const b = node.startTimer(10, self.pid, "wrapped");
      jest.advanceTimersByTime(10);
      expect(node.cancelTimer(a)).toBe(false);
      expect(node.cancelTimer(b)).toBe(false);
      const queued = node.processInfo(self.pid)!.messages;
      expect(queued).toHaveLength(2);
      expect(queued).toContain("plain");
      expect(await self.receive((m) => m === "plain", { timeout: 0 })).toBe("plain");
      expect(isTimerMessage(await poll(self), b)).toBe(true);
    });
  });
});

describe("TMR-05: timers and terminating destinations", () => {
  beforeEach(useFakeTimers);

  it("TMR-05: a timer to a pid is cancelled when that process terminates", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(sink);
      const ref = node.sendAfter(50, p, "m");
      const tref = node.startTimer(50, p, "t");
      expect(node.readTimer(ref)).toBe(50);
      self.exit(p, "kill");
      await node.awaitExit(p);
      expect(node.readTimer(ref)).toBe(false);
      expect(node.readTimer(tref)).toBe(false);
      expect(node.cancelTimer(ref)).toBe(false);
      expect(() => jest.advanceTimersByTime(100)).not.toThrow();
    });
    expect(node.logs).toEqual([]);
  });

  it("TMR-05: a process's timers to itself go with it", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(async (s) => {
        s.send(self.pid, node.sendAfter(50, s.pid, "self-tick"));
        await s.receive((m) => m === "never");
      });
      const ref = (await self.receive()) as Ref;
      expect(node.readTimer(ref)).toBe(50);
      self.exit(p, "kill");
      await node.awaitExit(p);
      expect(node.readTimer(ref)).toBe(false);
      expect(() => jest.advanceTimersByTime(100)).not.toThrow();
    });
    expect(node.logs).toEqual([]);
  });

  it("TMR-05: the setter's death does not cancel its timer to another process", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const setter = self.spawn((s) => {
        s.send(self.pid, node.sendAfter(50, self.pid, "still-sent"));
      });
      const ref = (await self.receive()) as Ref;
      await node.awaitExit(setter);
      expect(node.readTimer(ref)).toBe(50);
      jest.advanceTimersByTime(50);
      expect(await poll(self)).toBe("still-sent");
    });
  });

  it("TMR-05: a timer to a dead pid never fires", () => {
    const node = quietNode();
    const p = node.spawn(sink);
    node.exit(p, "kill");
    expect(node.isAlive(p)).toBe(false);
    const ref = node.sendAfter(10, p, "m");
    expect(ref).toBeInstanceOf(Ref);
    expect(node.readTimer(ref)).toBe(false);
    expect(() => jest.advanceTimersByTime(20)).not.toThrow();
    expect(node.logs).toEqual([]);
    node.shutdown();
  });

  it("TMR-05: a timer to a name that is free when it fires is dropped without error", async () => {
    const node = quietNode();
    const p1 = node.spawn(sink);
    node.register("svc", p1);
    const toFree = node.sendAfter(10, "svc", "dropped");
    // p1 dies: the name is free; the timer to the name stays active.
    node.exit(p1, "kill");
    await node.awaitExit(p1); // the name is released at the end of its termination
    expect(node.whereis("svc")).toBeUndefined();
    expect(node.readTimer(toFree)).toBe(10);
    expect(() => jest.advanceTimersByTime(10)).not.toThrow();
    expect(node.readTimer(toFree)).toBe(false);
    expect(node.logs).toEqual([]);
    node.shutdown();
  });

  it("TMR-05: a timer to a name goes to the process holding the name when it fires", async () => {
    const node = quietNode();
    const p1 = node.spawn(sink);
    const p2 = node.spawn(sink);
    node.register("svc", p1);
    const toNew = node.sendAfter(20, "svc", "to-new-holder");
    node.exit(p1, "kill");
    await node.awaitExit(p1); // the name is released at the end of its termination
    jest.advanceTimersByTime(10);
    // Now p2 holds the name when the timer fires.
    node.register("svc", p2);
    jest.advanceTimersByTime(10);
    expect(node.readTimer(toNew)).toBe(false);
    expect(node.processInfo(p2)!.messages).toEqual(["to-new-holder"]);
    expect(node.logs).toEqual([]);
    node.shutdown();
  });
});

describe("TMR-06: a timer never fires early (real timers)", () => {
  // Measured with Date.now(), the clock the runtime's timer arithmetic uses:
  // an implementation that waits until Date.now() >= start + T passes.
  it("TMR-06: measured elapsed time is >= T for every timer", async () => {
    const node = quietNode();
    const early = await run(node, async (self) => {
      const bad: string[] = [];
      const delays = [20, 1, 2, 3, 5, 8, 13];
      for (let i = 0; i < 70; i++) {
        const T = delays[i % delays.length];
        const start = Date.now();
        const ref = i % 2 === 0 ? node.sendAfter(T, self.pid, i) : node.startTimer(T, self.pid, i);
        await self.receive((m) => m === i || isTimerMessage(m, ref));
        const elapsed = Date.now() - start;
        if (elapsed < T) bad.push(`timer ${i}: T=${T} ms, arrived after ${elapsed} ms`);
      }
      return bad;
    });
    expect(early).toEqual([]);
  });

  it("TMR-06: never early even when the host's setTimeout fires up to 1 ms early (as Node's can)", async () => {
    useFakeTimers();
    const fakeSetTimeout = globalThis.setTimeout;
    // A host timer that fires 1 ms before the requested delay (for delays >= 2 ms):
    // Node's timers can, because libuv rounds the start time down to the ms.
    globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      fakeSetTimeout(
        fn,
        ms !== undefined && ms >= 2 ? ms - 1 : ms,
        ...args,
      )) as unknown as typeof setTimeout;
    try {
      const node = quietNode();
      await run(node, async (self) => {
        node.sendAfter(20, self.pid, "m");
        jest.advanceTimersByTime(19);
        expect(await poll(self)).toBe(TIMEOUT);
        jest.advanceTimersByTime(1);
        expect(await poll(self)).toBe("m");
      });
    } finally {
      globalThis.setTimeout = fakeSetTimeout;
    }
  });
});

describe("TMR-07: no order between timer messages and other senders", () => {
  beforeEach(useFakeTimers);

  type Order = string;
  function record(orders: Map<Order, number>, got: unknown[]): void {
    const k = got.join(",");
    orders.set(k, (orders.get(k) ?? 0) + 1);
  }

  it("TMR-07: two timers with equal expiry arrive in either order across seeds", async () => {
    const orders = new Map<Order, number>();
    await forSeeds(100, async (node) => {
      const got = await run(node, async (self) => {
        node.sendAfter(10, self.pid, "t1");
        node.sendAfter(10, self.pid, "t2");
        jest.advanceTimersByTime(10);
        return [await self.receive(), await self.receive()];
      });
      record(orders, got);
    });
    expect([...orders.keys()].sort()).toEqual(["t1,t2", "t2,t1"]);
  });

  it("TMR-07: a timer's message and another process's message arrive in either order", async () => {
    const orders = new Map<Order, number>();
    await forSeeds(100, async (node) => {
      const got = await run(node, async (self) => {
        const a = self.pid;
        self.spawn((s) => s.send(a, "other"));
        node.sendAfter(10, a, "timer");
        jest.advanceTimersByTime(10);
        return [await self.receive(), await self.receive()];
      });
      record(orders, got);
    });
    expect([...orders.keys()].sort()).toEqual(["other,timer", "timer,other"]);
  });

  it("TMR-07: a timer is not sent by its setter: it is unordered with the setter's later messages", async () => {
    const orders = new Map<Order, number>();
    await forSeeds(100, async (node) => {
      const got = await run(node, async (self) => {
        const r = self.spawn(async (s) => {
          const x = await s.receive();
          const y = await s.receive();
          s.send(self.pid, [x, y]);
        });
        node.sendAfter(10, r, "timer");
        jest.advanceTimersByTime(10); // the timer has fired before the next send
        self.send(r, "direct");
        return (await self.receive()) as unknown[];
      });
      record(orders, got);
    });
    expect([...orders.keys()].sort()).toEqual(["direct,timer", "timer,direct"]);
  });
});
