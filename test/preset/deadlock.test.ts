/**
 * Deadlocks fail at once: a test that awaits a call or a helper while
 * nothing can progress fails now, with the wait-for graph, instead of at the
 * timeout; tests that can still progress (timers, I/O, the test's own
 * timers, fake timers, busy processes) are never flagged.
 */
import { From, GenServer, Pid, noreply, ok, reply, send, sendAfter, spawn } from "otpkit";
import { readFile } from "fs/promises";
import { setImmediate as realSetImmediate } from "timers";
import { setTimeout as sleep } from "timers/promises";
import { Settle } from "../../jest-preset/settle";
import { JestRun, result, runFixtures } from "./run-jest";
import { PID, failureOf, idle } from "./servers";

/** Lets a few macrotasks pass (the deadlock check runs one macrotask after the node goes idle). */
async function macrotasks(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => realSetImmediate(r));
}

/** `get` replies once the server has received "go" (from anyone, at any time). */
const Gate = GenServer.define({
  name: "Gate",
  init: (_: void) => ok<{ open: boolean; waiting: From[] }>({ open: false, waiting: [] }),
  handleCall: {
    get(_arg: void, from: From, s: { open: boolean; waiting: From[] }) {
      if (s.open) return reply("open", s);
      return noreply({ ...s, waiting: [...s.waiting, from] });
    },
    /** Replies itself after `ms` (a sendAfter to itself). */
    later(ms: number, from: From, s: { open: boolean; waiting: From[] }) {
      sendAfter(ms, this.pid, "go");
      return noreply({ ...s, waiting: [...s.waiting, from] });
    },
    /** Replies after waiting in a receive that times out. */
    async afterReceiveTimeout(ms: number, _from: From, s: { open: boolean; waiting: From[] }) {
      await this.receive(() => false, { timeout: ms });
      return reply("timed out", s);
    },
    /** Replies after real I/O. */
    async afterIo(_arg: void, _from: From, s: { open: boolean; waiting: From[] }) {
      const text = await readFile(__filename, "utf8");
      return reply(text.length > 0 ? "read" : "empty", s);
    },
    /** Replies once `gate` settles (a promise outside the runtime). */
    async afterPromise(gate: Promise<string>, _from: From, s: { open: boolean; waiting: From[] }) {
      return reply(await gate, s);
    },
  },
  handleInfo(msg: unknown, s: { open: boolean; waiting: From[] }) {
    if (msg !== "go") return noreply(s);
    for (const from of s.waiting) GenServer.reply(from, "open");
    return noreply({ open: true, waiting: [] });
  },
});

describe("deadlocks fail at once", () => {
  let run: JestRun;
  let off: JestRun;
  beforeAll(async () => {
    [run, off] = await Promise.all([
      runFixtures(["deadlock.fixture.ts", "deadlock-file-off.fixture.ts"]),
      runFixtures(["deadlock-short.fixture.ts"], { OTPKIT_DEADLOCK_CHECK: "off" }),
    ]);
  }, 60_000);

  it("a call to a server that never replies fails with the graph: the test's call, the server idle owing it", () => {
    const r = result(run, "a call to a server that returns noreply and never replies");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(
      new RegExp(
        `GenServer\\.call\\(${PID}, "get"\\) exited: timeout\\s+otpkit: deadlock\\. Nothing can progress`,
      ),
    );
    expect(r.failure).toMatch(new RegExp(`test awaits GenServer\\.call\\(${PID}, "get"\\)`));
    expect(r.failure).toMatch(
      new RegExp(
        `→ ${PID} \\(Silent\\): idle, waiting for a message; has not answered GenServer\\.call\\(${PID}, "get"\\) from the test; 0 message\\(s\\) queued`,
      ),
    );
  });

  it("two servers calling each other: the cycle is marked", () => {
    const r = result(run, "two servers calling each other");
    expect(r.status).toBe("failed");
    const [, a, b] = /→ (<[\d.]+>) \(Peer\): in GenServer\.call\((<[\d.]+>), "ask"\)/.exec(
      r.failure,
    )!;
    expect(r.failure).toContain(`↺ cycle ${a} → ${b} → ${a}`);
    expect(r.failure).toContain(`${b} (Peer): in GenServer.call(${a}, "ask")`);
  });

  it("awaitDown on a process that never dies fails with the process in its receive", () => {
    const r = result(run, "awaitDown on a process that never dies");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(
      /awaitDown\(<[\d.]+>\) timed out after 4000 ms: the process is still alive/,
    );
    expect(r.failure).toMatch(
      /test awaits awaitDown\(<[\d.]+>\)\n\s+→ <[\d.]+>: in receive of .*"stop"/,
    );
  });

  it("awaitSysEvent for an event that never comes fails with the idle server", () => {
    const r = result(run, "awaitSysEvent for an event that never comes");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/test awaits awaitSysEvent\(<[\d.]+>, \{ kind: 'out' \}\)/);
    expect(r.failure).toMatch(/→ <[\d.]+> \(Silent\): idle, waiting for a message/);
  });

  it("a call to a server blocked in a selective receive shows what it waits for", () => {
    const r = result(run, "a call to a server blocked in a selective receive");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/→ <[\d.]+> \(Selective\): in receive of .*"go"; has not answered/);
  });

  it("a start with no timeout whose init waits on a call that is never answered fails with reason deadlock", () => {
    const r = result(run, "a start whose init calls a server that never replies");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/GenServer\.start\(Dependent\) exited: deadlock/);
    expect(r.failure).toMatch(
      /→ <[\d.]+> \(Dependent\): in GenServer\.call\((<[\d.]+>), "get", Infinity\)[^\n]*\n\s+→ \1 \(Silent\): idle/,
    );
  });

  it("holdAt's reached for an event that never comes fails, with the server idle", () => {
    const r = result(run, "holdAt's reached for an event that never comes");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(
      /holdAt\(<[\d.]+>, \{ kind: 'out' \}\)\.reached: the event never came\.\s+otpkit: deadlock/,
    );
    expect(r.failure).toMatch(/→ <[\d.]+> \(Silent\): idle, waiting for a message/);
  });

  it("noDeadlockCheck() at the top of a file turns the check off for its tests", () => {
    const r = result(run, "awaitDown on a process that never dies, for 300 ms");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/timed out after 300 ms/);
    expect(r.failure).not.toContain("otpkit: deadlock");
  });

  it("OTPKIT_DEADLOCK_CHECK=off turns the check off", () => {
    const r = result(off, "awaitDown on a process that never dies, for 300 ms");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/timed out after 300 ms/);
    expect(r.failure).not.toContain("otpkit: deadlock");
  });
});

describe("the deadlock check does not flag tests that can still progress", () => {
  it("a server that replies after its own sendAfter", async () => {
    const s = await Gate.start();
    expect(await Gate.call(s, "later", 50)).toBe("open");
  });

  it("a server that replies after a receive timeout", async () => {
    const s = await Gate.start();
    expect(await Gate.call(s, "afterReceiveTimeout", 50)).toBe("timed out");
  });

  it("a server whose handler awaits real I/O", async () => {
    const s = await Gate.start();
    expect(await Gate.call(s, "afterIo")).toBe("read");
  });

  it("a server whose handler awaits a promise the test's timer settles later", async () => {
    const s = await Gate.start();
    const gate = new Promise<string>((resolve) => setTimeout(() => resolve("settled"), 50));
    expect(await Gate.call(s, "afterPromise", gate)).toBe("settled");
  });

  it("the test's own setTimeout sends the missing message while it awaits the call", async () => {
    const s = await Gate.start();
    setTimeout(() => send(s, "go"), 50);
    expect(await Gate.call(s, "get")).toBe("open");
  });

  it("a timers/promises sleep of the test sends the missing message while it awaits the call", async () => {
    const s = await Gate.start();
    const [answer] = await Promise.all([Gate.call(s, "get"), sleep(50).then(() => send(s, "go"))]);
    expect(answer).toBe("open");
  });

  it("a call from the test while another process is busy across many turns", async () => {
    const s = await Gate.start();
    spawn(async () => {
      for (let i = 0; i < 50; i++) await new Promise((r) => realSetImmediate(r));
      send(s, "go");
    });
    expect(await Gate.call(s, "get")).toBe("open");
  });

  it("only the earliest wait fails: a later call survives and the test goes on", async () => {
    const s = await Gate.start();
    const later = Gate.call(s, "get"); // 5000 ms
    const text = await failureOf(awaitDown(idle(), { timeout: 1000 }));
    expect(text).toContain("otpkit: deadlock");
    send(s, "go");
    expect(await later).toBe("open");
  });

  it("a call pending while the test waits in refuteReceive is not failed (the test goes on after it)", async () => {
    const s = await Gate.start();
    const call = Gate.call(s, "get");
    await testProcess().refuteReceive("never", { timeout: 300 });
    send(s, "go");
    expect(await call).toBe("open");
  });

  it("noDeadlockCheck() in a test lets a deadlocked wait last its timeout", async () => {
    noDeadlockCheck();
    const text = await failureOf(awaitDown(idle(), { timeout: 250 }));
    expect(text).toMatch(/timed out after 250 ms/);
    expect(text).not.toContain("otpkit: deadlock");
  });

  it("a wait that times out within 200 ms anyway keeps its timeout's exact message", async () => {
    const text = await failureOf(awaitDown(idle(), { timeout: 50 }));
    expect(text).toMatch(
      /^awaitDown\(<[\d.]+>\) timed out after 50 ms: the process is still alive\.\n[^\n]*$/,
    );
  });
});

describe("the quarter second before a wait fails (Settle)", () => {
  it("'nothing can progress' seen again 250 ms later, no node having worked, fails the wait", () => {
    const s = new Settle(250);
    expect(s.stuckAt(1000, 7)).toBe(250);
    expect(s.stuckAt(1250, 7)).toBe(0);
  });

  it("a look in between that saw something outside pending does not restart it (Jest's status tick)", () => {
    // deadlock.ts calls nothing on an "outside" verdict: only the two stuck looks count.
    const s = new Settle(250);
    s.stuckAt(1000, 7);
    expect(s.stuckAt(1300, 7)).toBeLessThanOrEqual(0);
  });

  it("a node's work in between restarts it", () => {
    const s = new Settle(250);
    s.stuckAt(1000, 7);
    expect(s.stuckAt(1300, 8)).toBe(250);
    expect(s.stuckAt(1550, 8)).toBe(0);
  });

  it("a runnable process in between (reset) restarts it, and so does a failure", () => {
    const s = new Settle(250);
    s.stuckAt(1000, 7);
    s.reset();
    expect(s.stuckAt(1300, 7)).toBe(250);
    expect(s.stuckAt(1550, 7)).toBe(0);
    expect(s.stuckAt(1600, 7)).toBe(250);
  });
});

describe("with jest.useFakeTimers()", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("a pending fake timer the test advances later is not a deadlock", async () => {
    const s = await Gate.start();
    const call = Gate.call(s, "later", 1000, { timeout: 60_000 });
    await macrotasks(); // the check has looked at the idle node, with the fake timer pending
    jest.advanceTimersByTime(1000);
    expect(await call).toBe("open");
  });
});

describe("explore", () => {
  /** `get` answers only a caller already waiting when "go" arrives (a lost wake-up). */
  const Lossy = GenServer.define({
    name: "Lossy",
    init: (_: void) => ok<From | null>(null),
    handleCall: {
      get(_arg: void, from: From, _waiting: From | null) {
        return noreply(from);
      },
    },
    handleInfo(msg: unknown, waiting: From | null) {
      if (msg === "go" && waiting !== null) GenServer.reply(waiting, "open");
      return noreply(null);
    },
  });

  it("a schedule in which the test deadlocks fails that schedule at once with the graph", async () => {
    const found = await findFailingSchedule(
      async () => {
        const s: Pid = await Lossy.start();
        spawn((self) => void self.send(s, "go"));
        await Lossy.call(s, "get");
      },
      { runs: 50 },
    );
    expect(found).toBeDefined();
    expect(String((found!.error as Error).message)).toMatch(
      /exited: timeout\s+otpkit: deadlock[^]*test awaits GenServer\.call\(<[\d.]+>, "get"\)/,
    );
  });

  it("explore runs of a correct test are not flagged", async () => {
    const summary = await explore(
      async () => {
        const s: Pid = await Gate.start();
        spawn((self) => void self.send(s, "go"));
        expect(await Gate.call(s, "get")).toBe("open");
      },
      { runs: 20 },
    );
    expect(summary.runs).toBe(20);
  });
});
