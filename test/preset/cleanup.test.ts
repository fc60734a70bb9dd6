/**
 * Isolation: each test gets its own node; after it, every process it started
 * is stopped and its timers are cancelled, so a later test sees nothing of
 * an earlier one. (The tests in each describe run in order and depend on it.)
 */
import { Node, Pid, Ref, currentNode, isAlive, register, sendAfter, spawn, whereis } from "otpkit";
import { Counter, idle } from "./servers";

describe("cleanup after each test", () => {
  let earlier: { node: Node; pids: Pid[]; timer: Ref } | undefined;

  it("(1) spawns processes, a server, a linked pair, a registered name, its own process and a timer", async () => {
    const node = currentNode();
    const server = await Counter.start(undefined, { name: "cleanup-server" });
    const a = idle();
    const linked = spawn(async (self) => {
      self.spawnLink(async (inner) => void (await inner.receive(() => false)));
      await self.receive(() => false);
    });
    register("cleanup-idle", a);
    const waitingWithTimeout = spawn((self) => self.receive(() => false, { timeout: 60_000 }));
    const me = testProcess();
    const timer = sendAfter(60_000, a, "much later");
    await syncWith(server);
    const pids = [server, a, linked, waitingWithTimeout, me.pid];
    for (const pid of pids) await expect(pid).toBeAlive();
    expect(node.processes()).toHaveLength(6); // the five, and the process linked to `linked`
    expect(node.readTimer(timer)).toBeGreaterThan(0);
    earlier = { node, pids, timer };
  });

  it("(2) runs on a fresh node, with no process", () => {
    expect(earlier).toBeDefined();
    expect(currentNode()).not.toBe(earlier!.node);
    expect(currentNode().processes()).toEqual([]);
  });

  it("(3) sees every process of the earlier test dead, killed", async () => {
    const { node, pids } = earlier!;
    expect(node.processes()).toEqual([]);
    for (const pid of pids) {
      expect(isAlive(pid)).toBe(false);
      expect(await awaitDown(pid)).toBe("killed");
    }
  });

  it("(4) sees the earlier test's timer cancelled", () => {
    const { node, timer } = earlier!;
    expect(node.readTimer(timer)).toBe(false);
  });

  it("(5) finds the earlier test's names free", async () => {
    const { node } = earlier!;
    expect(node.whereis("cleanup-server")).toBeUndefined();
    expect(whereis("cleanup-server")).toBeUndefined();
    // The name is free: a new server can take it.
    await Counter.start(undefined, { name: "cleanup-server" });
  });
});

/**
 * For each kind of timer a process can have pending: test (1) leaves one
 * pending at its end (a fake timer, so it can be counted), test (2) checks
 * the cleanup cancelled it.
 */
const pendingTimers: Record<string, () => Promise<void>> = {
  "a GenServer timeout ({noreply, S, T})": async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "arm", 10_000);
    await syncWith(server);
  },
  "a receive timeout": async () => {
    const me = testProcess();
    spawn((self) => {
      self.send(me.pid, "receiving");
      return self.receive(() => false, { timeout: 10_000 });
    });
    await me.assertReceive("receiving");
  },
  "a sendAfter timer": async () => {
    sendAfter(10_000, idle(), "later");
  },
  "a call's deadline": async () => {
    const busy = await Counter.start(undefined);
    Counter.cast(busy, "block");
    Counter.call(busy, "get", undefined, { timeout: 10_000 }).catch(() => undefined);
  },
};

describe.each(Object.keys(pendingTimers))("cleanup with fake timers: %s", (kind) => {
  beforeAll(() => jest.useFakeTimers());
  afterAll(() => jest.useRealTimers());

  it("(1) is pending at the end of the test", async () => {
    await pendingTimers[kind]();
    expect(jest.getTimerCount()).toBe(1);
  });

  it("(2) is cancelled by the cleanup", () => {
    expect(jest.getTimerCount()).toBe(0);
  });
});
