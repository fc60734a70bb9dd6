/**
 * Schedule exploration: explore(fn, options) runs fn under many random
 * schedules and fails with the seed, a replay command and a message sequence
 * chart of the (shrunk) failing run; findFailingSchedule returns that run.
 */
import { Node, Pid, currentNode, exit, isAlive, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "../../examples/subscribers/subscribers";
import { idle } from "./servers";

/** The naive subscriber test: kill a subscriber, then ask at once. Races. */
async function naive(): Promise<void> {
  const server = label(await Subscribers.start(undefined), "server");
  const a = label(idle(), "A");
  const b = label(idle(), "B");
  await subscribe(server, a);
  await subscribe(server, b);
  exit(a, "kill");
  expect(await subscribers(server)).toEqual([b]);
}

/** Sets environment variables for the duration of `fn`. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(vars).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("explore", () => {
  /** What each of 5 runs from seed 40 saw: its node's seed and mode, and whether that node was current. */
  async function fiveRuns() {
    const seen: Array<{ seed: number; mode: string; current: boolean }> = [];
    await explore(
      (node: Node) => {
        seen.push({ seed: node.seed, mode: node.mode, current: currentNode() === node });
      },
      { runs: 5, seed: 40 },
    );
    return seen;
  }

  it("runs the scenario once per seed, counting up from the seed option", async () => {
    expect((await fiveRuns()).map((s) => s.seed)).toEqual([40, 41, 42, 43, 44]);
  });

  it("runs each schedule on a random-mode node that is current during the run", async () => {
    for (const s of await fiveRuns()) expect(s).toMatchObject({ mode: "random", current: true });
  });

  it("makes the test's own node current again afterwards", async () => {
    const own = currentNode();
    await fiveRuns();
    expect(currentNode()).toBe(own);
  });

  it("shuts each run's node down: nothing spawned in a run outlives it", async () => {
    const spawned: Pid[] = [];
    await explore(() => void spawned.push(idle()), { runs: 3 });
    expect(spawned).toHaveLength(3);
    for (const pid of spawned) expect(isAlive(pid)).toBe(false);
  });

  it("passes when every schedule passes", async () => {
    let runs = 0;
    await explore(
      async () => {
        runs++;
        const server = await Subscribers.start(undefined);
        const a = idle();
        await subscribe(server, a);
        exit(a, "kill");
        await awaitDown(a);
        await syncWith(server);
        expect(await subscribers(server)).toEqual([]);
      },
      { runs: 200 },
    );
    expect(runs).toBe(200);
  });

  /** The failure message of explore on the naive test (100 runs). */
  async function naiveFailure(): Promise<string> {
    let message = "";
    await explore(naive, { runs: 100 }).catch((e: Error) => (message = e.message));
    return message;
  }

  it("fails with the seed and run of the failing schedule, and its shrunk size", async () => {
    const message = await naiveFailure();
    expect(message).toMatch(
      /^failed under schedule seed (\d+) \(run (\d+)\), shrunk to (\d+) forced choice\(s\)\.\n/,
    );
    const [, seed, run] = /seed (\d+) \(run (\d+)\)/.exec(message)!;
    expect(Number(run)).toBe(Number(seed)); // default first seed 1: run k has seed k
  });

  it("fails with a replay command that selects this test", async () => {
    const message = await naiveFailure();
    const [, seed] = /seed (\d+)/.exec(message)!;
    const title = expect.getState().currentTestName!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(message).toMatch(
      new RegExp(
        `\nReplay: OTPKIT_FOR=explore:1 OTPKIT_SEED=${seed}( OTPKIT_CHOICES=[\\d:,]+)? npx jest test/preset/explore\\.test\\.ts -t '\\^${title}\\$'\n`,
      ),
    );
  });

  it("fails with the chart: a header naming the columns, then the deliveries", async () => {
    const chart = (await naiveFailure()).split("\n\n")[1].split("\n");
    expect(chart[0]).toMatch(/test/);
    expect(chart[0]).toMatch(/server/);
    expect(chart[0]).toMatch(/\bA\b/);
    expect(chart.some((l) => /call subscribers/.test(l))).toBe(true);
  });

  it("fails with the cause: Jest's own assertion message", async () => {
    expect(await naiveFailure()).toContain("expect(received).toEqual(expected)");
  });

  it("counts OTPKIT_RUNS over the runs option", async () => {
    let runs = 0;
    await withEnv({ OTPKIT_RUNS: "7" }, () => explore(() => void runs++, { runs: 100 }));
    expect(runs).toBe(7);
  });

  it("rejects a bad number of runs", async () => {
    await expect(explore(() => {}, { runs: 0 })).rejects.toThrow(/runs must be an integer >= 1/);
  });

  it("fails a run in which a process crashed unwatched", async () => {
    const failure = await findFailingSchedule(
      () => {
        spawn(() => {
          throw new Error("unwatched boom");
        });
        return awaitDown(spawn(() => {}));
      },
      { runs: 3 },
    );
    expect(failure).toBeDefined();
    expect(String((failure!.error as Error).message)).toMatch(
      /a process crashed and nothing was watching it:\nError in process <\d+\.1\.0> with exit value: Error: unwatched boom/,
    );
  });
});

describe("findFailingSchedule", () => {
  it("returns undefined when no schedule fails", async () => {
    expect(
      await findFailingSchedule(async () => void (await Subscribers.start(undefined)), {
        runs: 50,
      }),
    ).toBeUndefined();
  });

  it("finds the naive test's failing schedule within 100 runs (seeds 1, 2, …)", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    expect(failure).toBeDefined();
    expect(failure.runs).toBeGreaterThanOrEqual(1);
    expect(failure.runs).toBeLessThanOrEqual(100);
    expect(failure.seed).toBe(failure.runs);
  });

  it("shrinks the failing schedule: its forced choices only, no trailing defaults", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    expect(failure.forced).toBe(failure.schedule.filter((c) => c !== 0).length);
    expect(failure.schedule.at(-1)).not.toBe(0);
  });

  it("the shrunk schedule forces no more choices than the same seed unshrunk", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    const raw = await findFailingSchedule(naive, { seed: failure.seed, runs: 1, shrink: false });
    expect(raw).toBeDefined();
    expect(raw!.forced).toBeGreaterThanOrEqual(failure.forced);
  });

  it("returns the failing run's chart and error", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    expect(failure.chart).toMatch(/server/);
    expect(failure.error).toBeInstanceOf(Error);
  });

  it("the replay command names the first explore call, the seed and the forced choices", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    const choices = failure.schedule.flatMap((c, i) => (c === 0 ? [] : [`${i}:${c}`])).join(",");
    expect(failure.replay).toContain(`OTPKIT_SEED=${failure.seed}`);
    if (choices) expect(failure.replay).toContain(`OTPKIT_CHOICES=${choices}`);
    expect(failure.replay).toContain("OTPKIT_FOR=explore:1");
  });

  it("replays exactly: OTPKIT_SEED and OTPKIT_CHOICES reproduce the shrunk run and its chart", async () => {
    const failure = (await findFailingSchedule(naive, { runs: 100 }))!;
    const choices = failure.schedule.flatMap((c, i) => (c === 0 ? [] : [`${i}:${c}`])).join(",");
    // Replayed by this test's second explore call: the replay names the call it applies to.
    const replayed = await withEnv(
      { OTPKIT_FOR: "explore:2", OTPKIT_SEED: String(failure.seed), OTPKIT_CHOICES: choices },
      () => findFailingSchedule(naive, { runs: 1000, shrink: false }),
    );
    expect(replayed).toBeDefined();
    expect(replayed!.runs).toBe(1);
    expect(replayed!.seed).toBe(failure.seed);
    expect(replayed!.schedule).toEqual(failure.schedule);
    expect(replayed!.chart).toBe(failure.chart);
  });

  it("shrinks to a minimum: shrinking the shrunk schedule again removes no forced choice", async () => {
    let call = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      call++;
      const failure = await findFailingSchedule(naive, { seed, runs: 1 });
      if (failure === undefined) continue;
      const choices = failure.schedule.flatMap((c, i) => (c === 0 ? [] : [`${i}:${c}`])).join(",");
      call++;
      const again = await withEnv(
        { OTPKIT_FOR: `explore:${call}`, OTPKIT_SEED: String(seed), OTPKIT_CHOICES: choices },
        () => findFailingSchedule(naive),
      );
      expect({ seed, forced: again!.forced, schedule: again!.schedule }).toEqual({
        seed,
        forced: failure.forced,
        schedule: failure.schedule,
      });
    }
  });

  it("the same seed gives the same schedule (runs are deterministic)", async () => {
    const one = await findFailingSchedule(naive, { runs: 100, shrink: false });
    const two = await findFailingSchedule(naive, { runs: 100, shrink: false });
    expect(two!.seed).toBe(one!.seed);
    expect(two!.schedule).toEqual(one!.schedule);
    expect(two!.chart).toBe(one!.chart);
  });

  it("names columns by label, else by the server's module name, else P<id>", async () => {
    const f = await findFailingSchedule(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = label(idle(), "subscriberA");
        const other = idle();
        await subscribe(server, a);
        await subscribe(server, other);
        exit(a, "kill");
        expect(await subscribers(server)).toEqual([other]);
      },
      { runs: 100 },
    );
    const header = f!.chart.split("\n")[0];
    expect(header).toMatch(/Subscribers/);
    expect(header).toMatch(/subscriber/); // cut to the column width
    expect(f!.chart).toMatch(/DOWN|exit/);
  });
});
