/**
 * jest.useFakeTimers() works with the runtime and the helpers: the runtime's
 * timers (server timeouts, call deadlines, sendAfter, receive timeouts)
 * follow the fake clock, while the helpers' own waits stay on real time so a
 * failing wait still fails.
 */
import { SysEvent, TIMEOUT, exit, sendAfter, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "../../examples/subscribers/subscribers";
import { Counter, failureOf, idle } from "./servers";

describe("with jest.useFakeTimers()", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("a GenServer's timeout result fires when the fake clock reaches it, and not before", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "arm", 500); // {noreply, S, 500}
    await awaitSysEvent(server, { kind: "noreply" });
    const t0 = Date.now();
    let firedAt = -1;
    const timedOut = awaitSysEvent(server, (e: SysEvent) => {
      if (e.kind === "in" && (e as { msg: unknown }).msg === "timeout") firedAt = Date.now();
      return firedAt >= 0;
    });
    jest.advanceTimersByTime(499);
    expect(jest.getTimerCount()).toBe(1); // still pending
    jest.advanceTimersByTime(1);
    await timedOut;
    expect(firedAt - t0).toBe(500);
    await expect(server).toHaveState({ count: 0, log: [["arm", 500], "timeout"] });
  });

  it("a message within the timeout cancels it", async () => {
    const server = await Counter.start({ timeout: 1000 }); // {ok, S, 1000}
    jest.advanceTimersByTime(600);
    Counter.cast(server, "inc", 1);
    await awaitSysEvent(server, { kind: "noreply" });
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    await syncWith(server);
    await expect(server).toHaveState({ count: 1, log: [["inc", 1]] });
  });

  it("a call's timeout follows the fake clock (a minute passes at once)", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "block");
    const call = Counter.call(server, "get", undefined, { timeout: 60_000 });
    jest.advanceTimersByTime(60_000);
    await expect(call).toExitWith("timeout");
  });

  it("sendAfter follows the fake clock: nothing in a real 10 ms wait, the message once the clock reaches it", async () => {
    const me = testProcess();
    sendAfter(30_000, me.pid, "tick");
    await me.refuteReceive("tick", { timeout: 10 }); // a real 10 ms: the fake clock has not moved
    jest.advanceTimersByTime(30_000);
    expect(await me.assertReceive("tick")).toBe("tick");
  });

  it("a receive timeout follows the fake clock", async () => {
    const me = testProcess();
    spawn(async (self) => {
      self.send(me.pid, "receiving");
      const r = await self.receive(() => false, { timeout: 5000 });
      self.send(me.pid, r === TIMEOUT ? "timed out" : "got a message");
    });
    await me.assertReceive("receiving");
    jest.advanceTimersByTime(5000);
    expect(await me.assertReceive((m) => typeof m === "string")).toBe("timed out");
  });

  it("awaitSysEvent's timeout still fails on real time, with its diagnostics", async () => {
    const server = await Counter.start(undefined);
    const text = await failureOf(awaitSysEvent(server, { kind: "out" }, { timeout: 20 }));
    expect(text).toMatch(/timed out after 20 ms/);
  });

  it("awaitDown's timeout still fails on real time, with its diagnostics", async () => {
    await expect(awaitDown(idle(), { timeout: 20 })).rejects.toThrow(/still alive/);
  });

  it("exploration runs under fake timers (300 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        await subscribe(server, a);
        const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
        jest.advanceTimersByTime(1000);
        exit(a, "kill");
        await handled;
        expect(await subscribers(server)).toEqual([]);
      },
      { runs: 300 },
    );
  });
});
