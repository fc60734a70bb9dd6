/**
 * explore's strategies: exhaustive (source-set DPOR), pct and random, and the
 * summary `{ strategy, runs, distinct, complete }` each resolves with. The
 * seed scenario (examples/subscribers) is among them.
 */
import { send, spawn } from "otpkit";
import { Subscribers } from "../../examples/subscribers/subscribers";
import {
  fixedWithDownThenSync,
  fixedWithSysEvent,
  naive,
} from "../../examples/subscribers/scenario";

/** n senders each send one message to a collector, which reports the order it got them in. */
function senders(n: number, seen: Set<string>) {
  return async () => {
    const me = testProcess();
    const collector = spawn(async (self) => {
      const got: unknown[] = [];
      for (let i = 0; i < n; i++) got.push(await self.receive());
      send(me.pid, got.join(""));
    });
    for (let i = 0; i < n; i++) spawn((self) => void self.send(collector, String(i)));
    seen.add((await me.receive()) as string);
  };
}

describe("explore, exhaustive", () => {
  const exhaustiveNaive = () => findFailingSchedule(naive, { strategy: "exhaustive" });

  it("finds the naive subscriber test's failing order", async () => {
    const f = await exhaustiveNaive();
    expect(f).toBeDefined();
    expect(f!.summary.strategy).toBe("exhaustive");
  });

  it("the failing order found is the call reaching the server before A's DOWN", async () => {
    const lines = (await exhaustiveNaive())!.chart.split("\n");
    const call = lines.findIndex((l) => l.includes("call subscribers"));
    const down = lines.findIndex((l) => l.includes("DOWN killed"));
    expect(call).toBeGreaterThan(0);
    expect(down === -1 || down > call).toBe(true);
  });

  it("gives a replay command naming the exhaustive strategy", async () => {
    expect((await exhaustiveNaive())!.replay).toMatch(
      /OTPKIT_FOR=explore:1 OTPKIT_SEED=0 OTPKIT_STRATEGY=exhaustive/,
    );
  });

  it("is complete on the fixed test with awaitDown then syncWith, and passes", async () => {
    const s = await explore(fixedWithDownThenSync, { strategy: "exhaustive" });
    expect(s).toEqual({
      strategy: "exhaustive",
      runs: expect.any(Number),
      distinct: s.runs,
      complete: true,
    });
    expect(s.runs).toBeGreaterThan(1);
  });

  it("is complete on the fixed test with awaitSysEvent armed before the kill, and passes", async () => {
    const s = await explore(fixedWithSysEvent, { strategy: "exhaustive" });
    expect(s.complete).toBe(true);
    expect(s.runs).toBeGreaterThan(1);
  });

  it("covers every order of racing deliveries: 3 senders to one receiver give all 6 orders", async () => {
    const seen = new Set<string>();
    const s = await explore(senders(3, seen), { strategy: "exhaustive" });
    expect(s.complete).toBe(true);
    expect([...seen].sort()).toEqual(["012", "021", "102", "120", "201", "210"]);
  });

  it("does not re-order deliveries that do not race: 3 senders to 3 receivers take a handful of runs, not every order of the steps", async () => {
    const s = await explore(
      async () => {
        const me = testProcess();
        const rs = [0, 1, 2].map(() =>
          spawn(async (self) => void send(me.pid, await self.receive())),
        );
        rs.forEach((r, i) => spawn((self) => void self.send(r, i)));
        for (let i = 0; i < 3; i++) await me.receive();
      },
      { strategy: "exhaustive" },
    );
    expect(s.complete).toBe(true);
    // Only the test process's mailbox sees racing deliveries (the three replies: 3! orders);
    // the ~20 steps have millions of orders.
    expect(s.runs).toBeLessThanOrEqual(12);
  });

  it("says complete: false when a bound stops it", async () => {
    const s = await explore(senders(4, new Set()), { strategy: "exhaustive", maxRuns: 3 });
    expect(s).toEqual({ strategy: "exhaustive", runs: 3, distinct: 3, complete: false });
  });
});

describe("explore, pct and random", () => {
  const pctNaive = () => findFailingSchedule(naive, { strategy: "pct", depth: 2, runs: 200 });

  it("pct finds the naive test's failing order", async () => {
    expect(await pctNaive()).toBeDefined();
  });

  it("a pct failure reports its strategy in the summary and the replay command", async () => {
    const f = (await pctNaive())!;
    expect(f.summary.strategy).toBe("pct");
    expect(f.replay).toContain("OTPKIT_STRATEGY=pct");
  });

  it("random resolves with its summary: never complete", async () => {
    const s = await explore(async () => void (await Subscribers.start(undefined)), { runs: 20 });
    expect(s).toEqual({
      strategy: "random",
      runs: 20,
      distinct: expect.any(Number),
      complete: false,
    });
    expect(s.distinct).toBeGreaterThanOrEqual(1);
  });

  /** The error explore rejects with on the naive test, exhaustively. */
  async function exhaustiveFailure(): Promise<Error> {
    let error: Error | undefined;
    await explore(naive, { strategy: "exhaustive" }).catch((e: Error) => (error = e));
    expect(error).toBeInstanceOf(Error);
    return error!;
  }

  it("a failure's message starts with the summary of the exploration", async () => {
    const { message } = await exhaustiveFailure();
    expect(message).toMatch(/^failed under exhaustive exploration \(run 1\)/);
    expect(message).toMatch(/\nExplored: 1 run\(s\), 1 distinct interleaving\(s\)/);
  });

  it("a failure's message keeps the user's assertion", async () => {
    expect((await exhaustiveFailure()).message).toContain("expect(received).toEqual(expected)");
  });

  it("a failure's stack points at the user's expect, not inside the package", async () => {
    // naive's expect is in examples/subscribers/scenario.ts.
    const { stack } = await exhaustiveFailure();
    expect(stack!.split("\n").find((l) => /^\s+at /.test(l))).toMatch(/subscribers\/scenario\.ts/);
  });

  it("rejects an unknown strategy", async () => {
    await expect(explore(() => {}, { strategy: "bfs" as never })).rejects.toThrow(
      /strategy must be "random", "pct" or "exhaustive"/,
    );
  });
});
