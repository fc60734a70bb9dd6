/**
 * Patterns are Jest's own: every helper that takes one (awaitSysEvent,
 * holdAt, assertReceive, refuteReceive) matches as toMatchObject does, with
 * asymmetric matchers anywhere in it.
 */
import { CastMessage, Down, exit, send, spawn } from "otpkit";
import { Counter, idle } from "./servers";

describe("patterns", () => {
  it("awaitSysEvent matches expect.any(Down) inside a pattern", async () => {
    const server = await Counter.start(undefined);
    const a = idle();
    await Counter.call(server, "monitor", a);
    const seen = awaitSysEvent(server, { kind: "in", msg: expect.any(Down) });
    exit(a, "kill");
    expect((await seen).msg).toBeInstanceOf(Down);
  });

  it("awaitSysEvent matches expect.objectContaining as the whole pattern", async () => {
    const server = await Counter.start(undefined);
    const seen = awaitSysEvent(server, expect.objectContaining({ kind: "noreply" }));
    Counter.cast(server, "inc", 2);
    expect(await seen).toEqual({ kind: "noreply", state: { count: 2, log: [["inc", 2]] } });
  });

  it("awaitSysEvent matches class instances by a subset of their fields", async () => {
    const server = await Counter.start(undefined);
    const seen = awaitSysEvent(server, { kind: "in", msg: { name: "inc", arg: 3 } });
    Counter.cast(server, "inc", 3);
    expect((await seen).msg).toBeInstanceOf(CastMessage);
  });

  it("holdAt matches asymmetric matchers", async () => {
    const server = await Counter.start(undefined);
    const hold = holdAt(server, { kind: "in", msg: expect.objectContaining({ name: "inc" }) });
    Counter.cast(server, "inc", 1);
    await hold.reached;
    hold.release();
    await expect(server).toHaveState({ count: 1 });
  });

  it("assertReceive matches expect.objectContaining", async () => {
    const me = testProcess();
    const p = spawn(() => {});
    me.monitor(p);
    const down = await me.assertReceive(expect.objectContaining({ kind: "DOWN", pid: p }));
    expect(down).toBeInstanceOf(Down);
  });

  it("assertReceive matches expect.any inside a pattern", async () => {
    const me = testProcess();
    send(me.pid, { n: "x" });
    send(me.pid, { n: 1 });
    expect(await me.assertReceive({ n: expect.any(Number) })).toEqual({ n: 1 });
  });

  it("arrays match element by element, with the same length", async () => {
    const me = testProcess();
    send(me.pid, [1, 2, 3]);
    send(me.pid, [1, 2]);
    expect(await me.assertReceive([1, 2])).toEqual([1, 2]);
  });

  it("refuteReceive fails on a message an asymmetric matcher matches", async () => {
    const me = testProcess();
    send(me.pid, { tag: "late" });
    await expect(
      me.refuteReceive(expect.objectContaining({ tag: "late" }), { timeout: 0 }),
    ).rejects.toThrow(/received \{ tag: 'late' \}/);
  });
});

describe("failure messages", () => {
  it("print asymmetric matchers as Jest prints them", async () => {
    const me = testProcess();
    const text = await me
      .assertReceive(
        { pid: expect.any(Object), x: expect.objectContaining({ a: 1 }) },
        { timeout: 0 },
      )
      .catch((e: Error) => e.message);
    expect(text).toMatch(
      /^assertReceive\(\{ pid: Any<Object>, x: ObjectContaining \{ a: 1 \} \}\)/,
    );
  });
});

describe("a helper's failure", () => {
  const firstFrame = (e: unknown) =>
    ((e as Error).stack ?? "").split("\n").find((l) => l.trimStart().startsWith("at ")) ?? "";

  it("assertReceive's stack starts at the test's line", async () => {
    const e = await testProcess()
      .assertReceive("never", { timeout: 0 })
      .catch((x: Error) => x);
    expect(firstFrame(e)).toMatch(/patterns\.test\.ts:\d+/);
  });

  it("awaitSysEvent's stack starts at the test's line", async () => {
    const server = await Counter.start(undefined);
    const e = await awaitSysEvent(server, { kind: "out" }, { timeout: 0 }).catch((x: Error) => x);
    expect(firstFrame(e)).toMatch(/patterns\.test\.ts:\d+/);
  });

  it("awaitDown's stack starts at the test's line", async () => {
    const e = await awaitDown(idle(), { timeout: 0 }).catch((x: Error) => x);
    expect(firstFrame(e)).toMatch(/patterns\.test\.ts:\d+/);
  });
});
