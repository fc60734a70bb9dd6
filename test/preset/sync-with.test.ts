/**
 * syncWith(pid): resolves once the process has handled every message and
 * signal sent to it before the call, from any sender, including the DOWN and
 * EXIT signals of processes that already died.
 */
import { ExitError, Pid, exit, isAlive, isDown, send, spawn, sys } from "otpkit";
import { Subscribers, subscribe, subscribers } from "../../examples/subscribers/subscribers";
import { Counter, CounterState, PID, exitsWithNextMessage, failureOf, idle } from "./servers";

/** Three processes that each send two messages to `to`, then end. */
function senders(to: Pid): Pid[] {
  return ["a", "b", "c"].map((tag) =>
    spawn((self) => {
      self.send(to, tag + "1");
      self.send(to, tag + "2");
    }),
  );
}

describe("syncWith", () => {
  it("waits for the messages of several senders, sent before the call (1,000 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Counter.start(undefined);
        const from = senders(server);
        send(server, "from the test");
        const me = testProcess();
        me.send(server, "from the test process");
        for (const pid of from) await awaitDown(pid); // sent, but maybe still in flight
        await syncWith(server);
        const { log } = (await sys.getState(server)) as CounterState;
        expect([...log].sort()).toEqual(
          ["a1", "a2", "b1", "b2", "c1", "c2", "from the test", "from the test process"].sort(),
        );
        for (const tag of ["a", "b", "c"])
          expect(log.indexOf(tag + "1")).toBeLessThan(log.indexOf(tag + "2"));
      },
      { runs: 1000 },
    );
  });

  it("(the same scenario without syncWith misses messages under some schedule)", async () => {
    const failure = await findFailingSchedule(
      async () => {
        const server = await Counter.start(undefined);
        for (const pid of senders(server)) await awaitDown(pid);
        const { log } = (await sys.getState(server)) as CounterState;
        expect(log).toHaveLength(6);
      },
      { runs: 200, shrink: false },
    );
    expect(failure).toBeDefined();
  });

  it("covers the DOWN of a process that already died (1,000 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        const b = idle();
        await subscribe(server, a);
        await subscribe(server, b);
        exit(a, "kill");
        expect(await awaitDown(a)).toBe("killed");
        expect(isAlive(a)).toBe(false); // dead; its DOWN to the server may still be in flight
        await syncWith(server);
        expect(await subscribers(server)).toEqual([b]);
      },
      { runs: 1000 },
    );
  });

  it("(without syncWith, the server has not handled that DOWN under some schedule)", async () => {
    const failure = await findFailingSchedule(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        await subscribe(server, a);
        exit(a, "kill");
        await awaitDown(a);
        expect(await subscribers(server)).toEqual([]);
      },
      { runs: 200, shrink: false },
    );
    expect(failure).toBeDefined();
  });

  it("covers the EXIT signal of a linked process that already died (500 random schedules)", async () => {
    await explore(
      async () => {
        const server = await Counter.start(undefined);
        const worker = spawn((self) => self.receive());
        await Counter.call(server, "link", worker);
        send(worker, "go");
        expect(await awaitDown(worker)).toBe("normal");
        exit(server, "bye"); // trapped: an EXIT message from the test's external pid
        const dead = exitsWithNextMessage();
        await Counter.call(server, "monitor", dead);
        send(dead, "dead on arrival");
        await awaitDown(dead);
        await syncWith(server);
        const { log } = (await sys.getState(server)) as CounterState;
        expect(log).toContainEqual(["EXIT", worker, "normal"]);
        expect(log).toContainEqual(["DOWN", dead, "dead on arrival"]);
        expect(log.filter((e) => Array.isArray(e) && e[0] === "EXIT")).toHaveLength(2);
      },
      { runs: 500 },
    );
  });

  it("for a process that is not special, waits until the signals sent to it have landed in its mailbox (500 random schedules)", async () => {
    await explore(
      async () => {
        const me = testProcess();
        const a = idle();
        me.monitor(a);
        exit(a, "kill");
        await awaitDown(a);
        await syncWith(me.pid);
        expect(me.messages().filter((m) => isDown(m) && m.pid === a)).toHaveLength(1);
      },
      { runs: 500 },
    );
  });

  it("rejects with noproc for a dead process", async () => {
    const a = idle();
    exit(a, "kill");
    await awaitDown(a);
    const e = await syncWith(a).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("noproc");
  });

  it("on timeout says what it waited for and shows the mailbox and the last sys events", async () => {
    const server = await Counter.start(undefined);
    Counter.cast(server, "inc", 5);
    Counter.cast(server, "block");
    Counter.cast(server, "inc", 1);
    Counter.cast(server, "inc", 2);
    const text = await failureOf(syncWith(server, { timeout: 30 }));
    expect(text).toMatch(
      new RegExp(
        `^syncWith\\(${PID}\\) timed out after 30 ms: the process has not handled its earlier messages\\.`,
      ),
    );
    expect(text).toMatch(new RegExp(`${PID}: (running|runnable|waiting), 3 message\\(s\\) queued`));
    expect(text).toContain("mailbox: cast inc(1) | cast inc(2) | sys get_state");
    expect(text).toContain("last sys events:\n    in cast inc(5)\n    noreply state=");
    expect(text).toMatch(/ {4}in cast block$/);
  });

  it("rejects a non-pid at once", async () => {
    await expect(syncWith("server" as unknown as Pid)).rejects.toThrow(TypeError);
  });

  it("rejects a bad timeout at once", async () => {
    const server = await Counter.start(undefined);
    await expect(syncWith(server, { timeout: -1 })).rejects.toThrow(/timeout must be a number/);
  });
});
