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
  /** A Counter held at a "bump" call whose 20 ms timeout has expired; the call's outcome. */
  async function heldPastTimeout() {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, isCall("bump"));
    const call = Counter.call(server, "bump", undefined, { timeout: 20 });
    const reached = await hold.reached;
    const outcome = await call.catch((x: unknown) => x);
    return { server, hold, reached, outcome };
  }

  it("GS-36: a call times out while its handler is held", async () => {
    const { reached, outcome } = await heldPastTimeout();
    expect(reached.kind).toBe("in");
    expect(outcome).toBeInstanceOf(ExitError);
    expect((outcome as ExitError).reason).toBe("timeout");
  });

  it("GS-36: after release the server still sends the timed-out call's reply (dropped)", async () => {
    const { server, hold } = await heldPastTimeout();
    const out = awaitSysEvent(server, { kind: "out" });
    hold.release();
    const reply = (await out) as { kind: "out"; msg: unknown; state: CounterState };
    expect(reply.msg).toBe(1);
  });

  it("GS-36: after release the server stays alive and correct: the timed-out call was handled exactly once", async () => {
    const { server, hold } = await heldPastTimeout();
    hold.release();
    await expect(server).toBeAlive();
    expect(await Counter.call(server, "bump")).toBe(2);
    await expect(server).toHaveState({ count: 2, log: ["bump", "bump"] });
  });

  /** A Counter held at the `in` of a cast inc(1), with inc(10) sent behind it; its live state. */
  async function heldAtIn() {
    const server = await Counter.start(undefined);
    const state = (await sys.getState(server)) as CounterState; // the live (mutable) state
    const hold = holdAt(server, { kind: "in", msg: { request: { name: "inc", arg: 1 } } });
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 10);
    await hold.reached;
    return { server, state, hold };
  }

  it("held at an `in` event, the handler has not run", async () => {
    const { state, hold } = await heldAtIn();
    expect(state.count).toBe(0);
    hold.release();
  });

  it("held at an `in` event, later messages queue up behind it, unhandled", async () => {
    const { server, hold } = await heldAtIn();
    expect(processInfo(server)!.messageQueueLen).toBe(1);
    await expect(syncWith(server, { timeout: 20 })).rejects.toThrow(/has not handled/);
    hold.release();
  });

  it("released from an `in` event, the server handles the held message then the queued ones", async () => {
    const { server, hold } = await heldAtIn();
    hold.release();
    await expect(server).toHaveState({
      count: 11,
      log: [
        ["inc", 1],
        ["inc", 10],
      ],
    });
  });

  /** A Counter held at the `out` of a call bump; the call's reply. */
  async function heldAtOut() {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "out" });
    const replied = await Counter.call(server, "bump");
    await hold.reached;
    return { server, hold, replied };
  }

  it("held at an `out` event, the caller has its reply", async () => {
    const { hold, replied } = await heldAtOut();
    expect(replied).toBe(1);
    hold.release();
  });

  it("held at an `out` event, the server waits before its next message until release", async () => {
    const { server, hold } = await heldAtOut();
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

  it("release before the event means no hold at all", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "in" });
    hold.release();
    expect(await Counter.call(server, "bump", undefined, { timeout: 100 })).toBe(1);
  });

  it("holds only once: after release, later matching events pass", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "in" });
    Counter.cast(server, "inc", 1);
    const seen = (await hold.reached) as SysEvent & { msg: unknown };
    expect(seen.kind).toBe("in");
    hold.release();
    Counter.cast(server, "inc", 1);
    await expect(server).toHaveState({
      count: 2,
      log: [
        ["inc", 1],
        ["inc", 1],
      ],
    });
  });

  it("refuses a process that is not a GenServer", () => {
    expect(() =>
      holdAt(
        spawn(() => {}),
        { kind: "in" },
      ),
    ).toThrow(/not a live GenServer/);
  });

  it("refuses a GenServer that is dead", async () => {
    const server = await Counter.start(undefined);
    exit(server, "kill");
    await awaitDown(server);
    expect(() => holdAt(server, { kind: "in" })).toThrow(TypeError);
  });

  it("refuses what is not a pid", () => {
    expect(() => holdAt("server" as unknown as Pid, { kind: "in" })).toThrow(TypeError);
  });
});
