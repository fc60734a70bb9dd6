/**
 * OTPKIT_SCHEDULE=random runs a whole suite in random mode (seed from
 * OTPKIT_SEED, else from the test's name); OTPKIT_SEED also replays one run
 * of explore. Tested on a fixture suite run by Jest in a subprocess.
 */
import path from "path";
import { hash } from "../../jest-preset/context";
import { naive } from "./fixtures/naive";
import { FIXTURES, JestRun, result, runFixtures } from "./run-jest";

jest.setTimeout(60_000);

describe("OTPKIT_SCHEDULE=random", () => {
  let seed: number;
  let fifo: JestRun;
  let random: JestRun;
  let randomNoSeed: JestRun;
  let replayed: JestRun;
  const SEED_TEST = "schedule has the seed in EXPECT_SEED";
  const seedFromName = hash(`${path.join(FIXTURES, "schedule.fixture.ts")} ${SEED_TEST}`);
  beforeAll(async () => {
    // A seed under which the naive test fails (found in this process, replayed in the subprocess).
    const failure = await findFailingSchedule(naive, { seed: 50, runs: 100, shrink: false });
    if (failure === undefined) throw new Error("no failing schedule for the naive test");
    seed = failure.seed;
    [fifo, random, randomNoSeed, replayed] = await Promise.all([
      runFixtures(["schedule.fixture.ts"]),
      runFixtures(["schedule.fixture.ts"], {
        OTPKIT_SCHEDULE: "random",
        OTPKIT_SEED: String(seed),
        EXPECT_SEED: String(seed),
      }),
      runFixtures(["schedule.fixture.ts"], {
        OTPKIT_SCHEDULE: "random",
        EXPECT_SEED: String(seedFromName),
      }),
      runFixtures(["schedule.fixture.ts"], {
        OTPKIT_FOR: "explore:1",
        OTPKIT_SEED: String(seed),
      }),
    ]);
  });

  it("without it, tests run in fifo mode (not on a random-mode node)", () => {
    expect(result(fifo, "schedule runs on a random-mode node").status).toBe("failed");
  });

  it("without it, the naive test fails too (in fifo mode the kill lands after the call)", () => {
    expect(result(fifo, "schedule the naive subscriber test").status).toBe("failed");
  });

  it("with it, every test runs on a random-mode node", () => {
    expect(result(random, "schedule runs on a random-mode node").status).toBe("passed");
  });

  it("with it, the node's seed is OTPKIT_SEED", () => {
    expect(result(random, SEED_TEST).status).toBe("passed");
  });

  it("with a failing seed, the naive test fails in the suite just as it did under exploration", () => {
    const r = result(random, "schedule the naive subscriber test");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain("expect(received).toEqual(expected)");
  });

  it("a failure under OTPKIT_SCHEDULE=random carries the seed", () => {
    const r = result(random, "schedule the naive subscriber test");
    expect(r.failure).toContain(`failed under OTPKIT_SCHEDULE=random, seed ${seed}.`);
  });

  it("a failure under OTPKIT_SCHEDULE=random carries the replay command", () => {
    const r = result(random, "schedule the naive subscriber test");
    expect(r.failure).toContain(
      `Replay: OTPKIT_SCHEDULE=random OTPKIT_SEED=${seed} npx jest test/preset/fixtures/schedule.fixture.ts -t '^schedule the naive subscriber test$'`,
    );
  });

  it("a failure under OTPKIT_SCHEDULE=random carries the chart", () => {
    const r = result(random, "schedule the naive subscriber test");
    expect(r.failure).toMatch(/Subscribers +test/); // the chart's header
    expect(r.failure).toContain("call subscribers");
  });

  it("OTPKIT_SEED with OTPKIT_FOR=explore:1 makes that explore call replay exactly that seed, as its only run", () => {
    const r = result(replayed, "schedule explore of the naive subscriber test");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain(`failed under schedule seed ${seed} (run 1)`);
    expect(r.failure).toContain(`Replay: OTPKIT_FOR=explore:1 OTPKIT_SEED=${seed}`);
  });

  it("an explore call replaying one seed says it ran that one schedule only", () => {
    const r = result(replayed, "schedule explore of the naive subscriber test");
    expect(r.failure).toContain("ran this one schedule only");
  });

  it("OTPKIT_SEED alone (no OTPKIT_FOR) never shrinks an explore to one schedule", () => {
    const r = result(random, "schedule explore of the naive subscriber test");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/failed under schedule seed 1 \(run 1\)/); // seeds 1, 2, ... as usual
  });

  it("without OTPKIT_SEED, tests still run on a random-mode node", () => {
    expect(result(randomNoSeed, "schedule runs on a random-mode node").status).toBe("passed");
  });

  it("without OTPKIT_SEED, the seed comes from the test's file and name (stable across runs)", () => {
    const r = result(randomNoSeed, SEED_TEST);
    expect(r.failure).toBe("");
    expect(r.status).toBe("passed");
  });
});
