/**
 * awaitSysEvent(pid, match): armed the moment it is called; resolves with
 * the first matching sys event and detaches; on timeout it fails with what
 * was expected and what was seen.
 */
import {
  CastMessage,
  Down,
  ExitError,
  From,
  GenServer,
  Pid,
  SysEvent,
  exit,
  isDown,
  noreply,
  ok,
  reply,
  send,
  spawn,
} from "otpkit";
import { Counter, PID, failureOf, idle } from "./servers";

/** A server that monitors its workers and notes, outside itself, which DOWNs it has handled. */
const handled = new Set<Pid>();
const Watcher = GenServer.define({
  name: "Watcher",
  init: (_: void) => ok(0),
  handleCall: {
    watch(pid: Pid, _from: From, n: number) {
      this.monitor(pid);
      this.isAlive(pid); // the monitor is in place before the reply (else a kill can win: noproc)
      return reply("ok" as const, n + 1);
    },
  },
  handleInfo(msg, n: number) {
    if (isDown(msg) && msg.pid) handled.add(msg.pid);
    return noreply(n - 1);
  },
});

describe("awaitSysEvent", () => {
  it("armed before the trigger never misses the event (1,000 random schedules)", async () => {
    let handledBeforeAwait = 0;
    await explore(
      async () => {
        const server = await Watcher.start(undefined);
        const workers = [idle(), idle(), idle()];
        for (const w of workers) await Watcher.call(server, "watch", w);
        const target = workers[1];
        const seen = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: target } });
        for (const w of workers) exit(w, "kill");
        await awaitDown(target); // lets the schedule run on: the event may happen right here
        if (handled.has(target)) handledBeforeAwait++;
        const event = (await seen) as { kind: string; msg: Down };
        expect(event.kind).toBe("in");
        expect(event.msg).toBeInstanceOf(Down);
        expect(event.msg.pid).toBe(target);
        expect(event.msg.reason).toBe("killed");
      },
      { runs: 1000 },
    );
    // In some runs the server handled the DOWN before the test awaited it: armed late, it would have missed it.
    expect(handledBeforeAwait).toBeGreaterThan(0);
  });

  it("armed after the event, it does not see it (the event is not replayed)", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 1);
    await syncWith(server);
    const text = await failureOf(
      awaitSysEvent(server, { kind: "in", msg: { request: { name: "inc" } } }, { timeout: 20 }),
    );
    expect(text).toContain("timed out after 20 ms");
  });

  it("resolves with the first matching event (partial nested patterns)", async () => {
    const server = await Counter.start(undefined);
    const second = awaitSysEvent(server, { kind: "in", msg: { request: { arg: 2 } } });
    const state3 = awaitSysEvent(server, { kind: "noreply", state: { count: 3 } });
    const anyIn = awaitSysEvent(server, { kind: "in" });
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 2);
    Counter.cast(server, "inc", 0);
    const e = (await second) as { kind: "in"; msg: CastMessage };
    expect(e.msg).toBeInstanceOf(CastMessage);
    expect(e.msg.request).toEqual({ name: "inc", arg: 2 });
    const s = (await state3) as { kind: "noreply"; state: { count: number; log: unknown[] } };
    expect(s.state.count).toBe(3);
    expect((await anyIn).kind).toBe("in");
    expect(((await anyIn) as { msg: CastMessage }).msg.request.arg).toBe(1);
  });

  /** A Counter monitoring two idle processes a and b. */
  async function monitoringTwo() {
    const server = await Counter.start(undefined);
    const a = idle();
    const b = idle();
    await Counter.call(server, "monitor", a);
    await Counter.call(server, "monitor", b);
    return { server, a, b };
  }

  it("matches pids by identity", async () => {
    const { server, a, b } = await monitoringTwo();
    const downB = awaitSysEvent(server, { kind: "in", msg: { pid: b } });
    const downA = awaitSysEvent(server, { kind: "in", msg: { pid: a } });
    exit(a, "kill");
    expect(((await downA) as { msg: Down }).msg.pid).toBe(a);
    exit(b, "kill");
    expect(((await downB) as { msg: Down }).msg.pid).toBe(b);
  });

  it("matches arrays element by element", async () => {
    const { server, a, b } = await monitoringTwo();
    const logged = awaitSysEvent(server, {
      kind: "noreply",
      state: {
        log: [
          ["DOWN", a, "killed"],
          ["DOWN", b, "killed"],
        ],
      },
    });
    const downA = awaitSysEvent(server, { kind: "in", msg: { pid: a } });
    exit(a, "kill");
    await downA; // a's DOWN first, so the log's order is known under any schedule
    exit(b, "kill");
    expect(((await logged) as { state: { log: unknown[] } }).state.log).toHaveLength(2);
  });

  it("matches other values with Object.is (NaN matches NaN)", async () => {
    const server = await Counter.start(undefined);
    const nan = awaitSysEvent(server, { kind: "in", msg: NaN });
    send(server, NaN);
    expect(((await nan) as { msg: unknown }).msg).toBeNaN();
  });

  it("takes a predicate, called with each event until one matches", async () => {
    const server = await Counter.start(undefined);
    const calls: string[] = [];
    const over4 = awaitSysEvent(server, (e: SysEvent) => {
      const count = e.kind === "noreply" ? (e.state as { count: number }).count : undefined;
      calls.push(count === undefined ? e.kind : `${e.kind} ${count}`);
      return count !== undefined && count > 4;
    });
    for (let i = 0; i < 4; i++) Counter.cast(server, "inc", 2);
    const e = await over4;
    expect(e.kind).toBe("noreply");
    expect(calls).toEqual(["in", "noreply 2", "in", "noreply 4", "in", "noreply 6"]);
  });

  it("detaches once it resolves: later events no longer reach it", async () => {
    const server = await Counter.start(undefined);
    const predicate = jest.fn((e: SysEvent) => e.kind === "noreply");
    const first = awaitSysEvent(server, predicate);
    Counter.cast(server, "inc", 1);
    await first;
    expect(predicate).toHaveBeenCalledTimes(2); // in, noreply
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 1);
    await syncWith(server);
    expect(predicate).toHaveBeenCalledTimes(2);
  });

  it("detaches on timeout too", async () => {
    const server = await Counter.start(undefined);
    const predicate = jest.fn(() => false);
    await expect(awaitSysEvent(server, predicate, { timeout: 10 })).rejects.toThrow(/timed out/);
    Counter.cast(server, "inc", 1);
    await syncWith(server);
    expect(predicate).not.toHaveBeenCalled();
  });

  it("on timeout says what it expected, the events it saw, and what the process is doing", async () => {
    const server = await Counter.start(undefined);
    const waiting = awaitSysEvent(
      server,
      { kind: "in", msg: { request: { name: "never" } } },
      { timeout: 30 },
    );
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "block");
    Counter.cast(server, "inc", 2);
    const text = await failureOf(waiting);
    expect(text).toMatch(
      new RegExp(
        `^awaitSysEvent\\(${PID}, \\{ kind: 'in', msg: \\{ request: \\{ name: 'never' \\} \\} \\}\\) timed out after 30 ms\\.`,
      ),
    );
    expect(text).toContain(
      "Events seen while it waited:\n  in cast inc(1)\n  noreply state={ count: 1, log: [ [ 'inc', 1 ] ] }\n  in cast block",
    );
    expect(text).toContain("1 message(s) queued\n  mailbox: cast inc(2)");
    expect(text).toMatch(/last sys events:\n {4}in cast inc\(1\)\n/);
  });

  it("on timeout with nothing emitted, says so", async () => {
    const server = await Counter.start(undefined);
    const text = await failureOf(awaitSysEvent(server, { kind: "out" }, { timeout: 10 }));
    expect(text).toContain("No sys event was emitted while it waited.");
  });

  it("fails early, with the exit reason, when the process exits before a matching event", async () => {
    const server = await Counter.start(undefined);
    const waiting = awaitSysEvent(server, { kind: "out", msg: "never" });
    Counter.cast(server, "inc", 1);
    await syncWith(server);
    exit(server, "kill");
    const text = await failureOf(waiting);
    expect(text).toMatch(/the process exited \(killed\) before a matching event/);
    expect(text).toContain("in cast inc(1)");
  });

  it("rejects for a process that is not special", async () => {
    const plainProcess = spawn((self) => self.receive());
    await expect(awaitSysEvent(plainProcess, { kind: "in" })).rejects.toThrow(
      /not a special process/,
    );
    send(plainProcess, "go");
    await awaitDown(plainProcess);
  });

  it("rejects with noproc for a dead process", async () => {
    const done = spawn(() => {});
    await awaitDown(done);
    const e = await awaitSysEvent(done, { kind: "in" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("noproc");
  });

  it("rejects a bad pattern at once", () => {
    expect(() =>
      awaitSysEvent(
        spawn(() => {}),
        "in" as never,
      ),
    ).toThrow(TypeError);
  });
});
