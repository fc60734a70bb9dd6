/**
 * The preset's matchers: toHaveState (sync, then compare), toBeAlive and
 * .not (signals in flight land first), toExitWith (a promise or a pid).
 */
import { GenServer, exit, send, spawn } from "otpkit";
import { Counter, exitsWithNextMessage, failureOf, idle } from "./servers";

describe("toHaveState", () => {
  it("syncs first: casts sent just before are reflected", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 2);
    await expect(server).toHaveState({
      count: 3,
      log: [
        ["inc", 1],
        ["inc", 2],
      ],
    });
    await expect(server).not.toHaveState({
      count: 4,
      log: [
        ["inc", 1],
        ["inc", 2],
      ],
    });
  });

  it("syncs with messages from other processes too (300 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Counter.start(undefined);
        const senders = ["a", "b", "c"].map((tag) => spawn((self) => void self.send(server, tag)));
        for (const pid of senders) await awaitDown(pid); // sent, maybe still in flight
        await expect(server).toHaveState({
          count: 0,
          log: expect.arrayContaining(["a", "b", "c"]),
        });
      },
      { runs: 300 },
    );
  });

  it("fails with Jest's diff of the expected and the actual state", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    const text = await failureOf(expect(server).toHaveState({ count: 2, log: [] }));
    expect(text).toMatch(/^expected <\d+\.\d+\.0> to have state/);
    expect(text).toContain("- Expected state");
    expect(text).toContain('-   "count": 2,');
    expect(text).toContain('+   "count": 1,');
  });

  it("matches a part of the state, as toMatchObject does", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    await expect(server).toHaveState({ count: 1 });
    await expect(server).not.toHaveState({ count: 2 });
  });

  it("diffs only the part of the state the pattern names", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    const text = await failureOf(expect(server).toHaveState({ count: 2 }));
    expect(text).toContain('+   "count": 1,');
    expect(text).not.toContain('"log"');
  });

  it("accepts asymmetric matchers inside the pattern", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 5);
    await expect(server).toHaveState({ count: expect.any(Number), log: [["inc", 5]] });
    await expect(server).toHaveState(expect.objectContaining({ count: 5 }));
  });

  it("fails .not when the state matches", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    const notText = await failureOf(
      expect(server).not.toHaveState({ count: 1, log: [["inc", 1]] }),
    );
    expect(notText).toMatch(/not to have state/);
  });

  it("fails for a dead process", async () => {
    const server = await Counter.start(undefined);
    exit(server, "kill");
    await expect(expect(server).toHaveState({ count: 0, log: [] })).rejects.toThrow(/noproc/);
  });
});

describe("toBeAlive", () => {
  it("passes for a live process", async () => {
    await expect(idle()).toBeAlive();
  });

  it("passes .not for a dead process", async () => {
    const a = idle();
    exit(a, "kill");
    await expect(a).not.toBeAlive();
  });

  it("fails for a dead process, saying how it exited", async () => {
    const a = idle();
    exit(a, "kill");
    await awaitDown(a);
    const text = await failureOf(expect(a).toBeAlive());
    expect(text).toBe(`expected ${a} to be alive, it exited with killed`);
  });

  it("fails .not for a live process, saying it is", async () => {
    const b = idle();
    const notText = await failureOf(expect(b).not.toBeAlive());
    expect(notText).toBe(`expected ${b} not to be alive, it is`);
  });

  it("lets exit signals in flight land first (300 random schedules)", async () => {
    await explore(
      async () => {
        const a = idle();
        const b = idle();
        exit(a, "kill"); // in flight in random mode
        await expect(a).not.toBeAlive();
        await expect(b).toBeAlive();
      },
      { runs: 300 },
    );
  });
});

describe("toExitWith", () => {
  it("passes for a promise that rejects with an ExitError with that reason (a call to a server that stops)", async () => {
    const server = await Counter.start(undefined);
    await expect(Counter.call(server, "stop", { shutdown: "bye" })).toExitWith({ shutdown: "bye" });
  });

  it("passes for a call to a dead server with noproc", async () => {
    const server = await Counter.start(undefined);
    await Counter.call(server, "stop", { shutdown: "bye" }).catch(() => undefined);
    await expect(Counter.call(server, "get")).toExitWith("noproc");
  });

  it("passes for a pid that terminates with that reason later", async () => {
    const p = exitsWithNextMessage();
    const exited = expect(p).toExitWith({ code: 42 });
    send(p, { code: 42 });
    await exited;
  });

  it("passes for a pid that has already terminated with that reason", async () => {
    const p = exitsWithNextMessage();
    send(p, { code: 42 });
    await awaitDown(p);
    await expect(p).toExitWith({ code: 42 });
  });

  it("passes .not for a pid that terminated with another reason", async () => {
    const p = exitsWithNextMessage();
    send(p, { code: 42 });
    await expect(p).not.toExitWith("normal");
  });

  it("fails on another reason, saying both", async () => {
    const p = exitsWithNextMessage();
    send(p, "actual");
    const wrong = await failureOf(expect(p).toExitWith("expected"));
    expect(wrong).toBe(`expected exit with "expected"; ${p} exited with "actual"`);
  });

  it("fails on a resolved promise, with its value", async () => {
    const resolved = await failureOf(expect(Promise.resolve(7)).toExitWith("x"));
    expect(resolved).toBe('expected an exit with "x", it resolved with 7');
  });

  it("fails on a rejection that is not an exit, with the error", async () => {
    const notExit = await failureOf(expect(Promise.reject(new Error("plain"))).toExitWith("x"));
    expect(notExit).toMatch(
      /^expected an ExitError with reason "x", it rejected with \[Error: plain\]/,
    );
  });

  it("fails .not on an exit with that reason", async () => {
    const dead = idle();
    exit(dead, "kill");
    await awaitDown(dead);
    const negated = await failureOf(expect(GenServer.stop(dead)).not.toExitWith("noproc"));
    expect(negated).toMatch(/^expected no exit with "noproc"; it exited with "noproc"/);
  });

  it("rejects what is neither a promise nor a pid", async () => {
    await expect(expect(42).toExitWith("x")).rejects.toThrow(/expected a promise or a pid/);
  });
});
