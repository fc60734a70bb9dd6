/**
 * awaitDown(pid): resolves with the exit reason once the process has
 * terminated, at once if it already has; its crash is then expected.
 */
import { GenServer, Pid, exit, send, spawn } from "otpkit";
import { Counter, PID, exitsWithNextMessage, failureOf, idle } from "./servers";

describe("awaitDown", () => {
  it("resolves with normal for a process whose body returned", async () => {
    const done = spawn(() => {});
    expect(await awaitDown(done)).toBe("normal");
  });

  it("resolves with the exit reason of a process that exited", async () => {
    const custom = exitsWithNextMessage();
    send(custom, { shutdown: { code: 7 } });
    expect(await awaitDown(custom)).toEqual({ shutdown: { code: 7 } });
  });

  it("resolves with killed for a killed process", async () => {
    const killed = idle();
    exit(killed, "kill");
    expect(await awaitDown(killed)).toBe("killed");
  });

  it("resolves with a server's stop reason", async () => {
    const server = await Counter.start(undefined);
    await GenServer.stop(server, "shutdown");
    expect(await awaitDown(server)).toBe("shutdown");
  });

  it("resolves with the error of a crash, and the crash does not fail the test", async () => {
    const boom = new Error("boom");
    const p = spawn(() => {
      throw boom;
    });
    expect(await awaitDown(p)).toBe(boom);
  });

  it("armed before the exit, resolves with its reason (500 random schedules)", async () => {
    await explore(
      async () => {
        const p = exitsWithNextMessage();
        const down = awaitDown(p);
        send(p, "the reason");
        expect(await down).toBe("the reason");
      },
      { runs: 500 },
    );
  });

  it("resolves at once for a process that is already dead", async () => {
    const p = idle();
    exit(p, "kill");
    await awaitDown(p);
    // Already settled: it wins a race against a promise that settles one microtask later.
    const later = Promise.resolve().then(() => "later");
    expect(await Promise.race([awaitDown(p), later])).toBe("killed");
  });

  it("resolves for a process that is already dead even with a zero timeout", async () => {
    const p = idle();
    exit(p, "kill");
    await awaitDown(p);
    expect(await awaitDown(p, { timeout: 0 })).toBe("killed");
  });

  it("on timeout says the process is still alive and shows its mailbox", async () => {
    const p = spawn(async (self) => void (await self.receive((m) => m === "never")));
    send(p, "first");
    send(p, { second: 2 });
    const text = await failureOf(awaitDown(p, { timeout: 20 }));
    expect(text).toMatch(
      new RegExp(`^awaitDown\\(${PID}\\) timed out after 20 ms: the process is still alive\\.`),
    );
    expect(text).toMatch(new RegExp(`\n${PID}: waiting, 2 message\\(s\\) queued`));
    expect(text).toContain("mailbox: first | { second: 2 }");
  });

  it("on timeout shows an idle server as waiting, with its last sys events", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 3);
    await syncWith(server);
    const text = await failureOf(awaitDown(server, { timeout: 20 }));
    expect(text).toMatch(/still alive/);
    expect(text).toMatch(new RegExp(`\n${PID}: waiting, 0 message\\(s\\) queued\n`)); // idle: waiting for a message
    expect(text).toContain("last sys events:\n    in cast inc(3)\n    noreply state={ count: 3");
  });

  it("rejects a non-pid at once", () => {
    expect(() => awaitDown({ id: 1 } as unknown as Pid)).toThrow(TypeError);
  });
});
