/**
 * holdAt(pid, match): the server is held right after a matching sys event
 * until `release()`, so a test can build one exact interleaving.
 */
import { Down, ExitError, Pid, SysEvent, exit, processInfo, spawn, sys } from "otpkit";
import { Subscribers, subscribe, subscribers } from "../../examples/subscribers/subscribers";
import { Counter, CounterState, idle } from "./servers";

const isCall = (name: string) =>
  ({ kind: "in", msg: { kind: "$gen_call", request: { name } } }) as const;

describe("holdAt", () => {
  it("GS-36: a call times out while its handler is held; after release the server still replies, stays alive and correct", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, isCall("bump"));
    const call = Counter.call(server, "bump", undefined, { timeout: 20 });
    const reached = await hold.reached;
    expect(reached.kind).toBe("in");

    const e = await call.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("timeout");
    const out = awaitSysEvent(server, { kind: "out" });
    hold.release();
    const reply = (await out) as { kind: "out"; msg: unknown; state: CounterState };
    expect(reply.msg).toBe(1); // the late reply was still sent (and dropped)
    await expect(server).toBeAlive();
    expect(await Counter.call(server, "bump")).toBe(2); // the first call was handled exactly once
    await expect(server).toHaveState({ count: 2, log: ["bump", "bump"] });
  });

  it("held at an `in` event, the handler has not run and later messages queue up behind it", async () => {
    const server = await Counter.start(undefined);
    const state = (await sys.getState(server)) as CounterState; // the live (mutable) state
    const hold = holdAt(server, { kind: "in", msg: { request: { name: "inc", arg: 1 } } });
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 10);
    await hold.reached;
    const info = processInfo(server)!;
    expect(info.messageQueueLen).toBe(1);
    await expect(syncWith(server, { timeout: 20 })).rejects.toThrow(/has not handled/);
    expect(state.count).toBe(0);
    hold.release();
    await expect(server).toHaveState({
      count: 11,
      log: [
        ["inc", 1],
        ["inc", 10],
      ],
    });
  });

  it("held at an `out` event, the caller has its reply and the server waits before its next message", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "out" });
    expect(await Counter.call(server, "bump")).toBe(1);
    await hold.reached;
    Counter.cast(server, "inc", 5);
    await expect(syncWith(server, { timeout: 20 })).rejects.toThrow(/timed out/);
    hold.release();
    await expect(server).toHaveState({ count: 6, log: ["bump", ["inc", 5]] });
  });

  it("builds an exact interleaving: a subscriber dies while its subscription is being handled (300 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        const hold = holdAt(server, isCall("subscribe"));
        const subscribing = subscribe(server, a);
        await hold.reached; // the server has the request, its handler has not run
        exit(a, "kill");
        await awaitDown(a);
        const down = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
        hold.release();
        expect(await subscribing).toBe("ok");
        // It monitored a process that was already dead: the DOWN says noproc, whatever the schedule.
        expect(((await down) as { msg: Down }).msg.reason).toBe("noproc");
        expect(await subscribers(server)).toEqual([]);
      },
      { runs: 300 },
    );
  });

  it("holds only once; release before the event means no hold at all", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "in" });
    hold.release();
    expect(await Counter.call(server, "bump", undefined, { timeout: 100 })).toBe(1);
    const again = holdAt(server, { kind: "in" });
    Counter.cast(server, "inc", 1);
    const seen = (await again.reached) as SysEvent & { msg: unknown };
    expect(seen.kind).toBe("in");
    again.release();
    Counter.cast(server, "inc", 1);
    await expect(server).toHaveState({ count: 3, log: ["bump", ["inc", 1], ["inc", 1]] });
  });

  it("refuses a process that is not a live GenServer", async () => {
    expect(() =>
      holdAt(
        spawn(() => {}),
        { kind: "in" },
      ),
    ).toThrow(/not a live GenServer/);
    const server = await Counter.start(undefined);
    exit(server, "kill");
    await awaitDown(server);
    expect(() => holdAt(server, { kind: "in" })).toThrow(TypeError);
    expect(() => holdAt("server" as unknown as Pid, { kind: "in" })).toThrow(TypeError);
  });
});
