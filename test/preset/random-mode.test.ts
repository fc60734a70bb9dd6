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
  const SEED_TEST = "schedule has the seed in EXPECT_SEED";
  const seedFromName = hash(`${path.join(FIXTURES, "schedule.fixture.ts")} ${SEED_TEST}`);
  beforeAll(async () => {
    // A seed under which the naive test fails (found in this process, replayed in the subprocess).
    const failure = await findFailingSchedule(naive, { seed: 50, runs: 100, shrink: false });
    if (failure === undefined) throw new Error("no failing schedule for the naive test");
    seed = failure.seed;
    [fifo, random, randomNoSeed] = await Promise.all([
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
    ]);
  });

  it("without it, tests run in fifo mode, where the naive test passes", () => {
    expect(result(fifo, "schedule runs on a random-mode node").status).toBe("failed");
    expect(result(fifo, "schedule the naive subscriber test").status).toBe("passed");
  });

  it("with it, every test runs on a random-mode node with the seed from OTPKIT_SEED", () => {
    expect(result(random, "schedule runs on a random-mode node").status).toBe("passed");
    expect(result(random, SEED_TEST).status).toBe("passed");
  });

  it("with a failing seed, the naive test fails in the suite just as it did under exploration", () => {
    const r = result(random, "schedule the naive subscriber test");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain("expect(received).toEqual(expected)");
  });

  it("OTPKIT_SEED makes explore replay exactly that seed, as its first and only run", () => {
    const r = result(random, "schedule explore of the naive subscriber test");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain(`failed under schedule seed ${seed} (run 1)`);
    expect(r.failure).toContain(`Replay: OTPKIT_SEED=${seed}`);
  });

  it("without OTPKIT_SEED, the seed comes from the test's file and name (stable across runs)", () => {
    expect(result(randomNoSeed, "schedule runs on a random-mode node").status).toBe("passed");
    const r = result(randomNoSeed, SEED_TEST);
    expect(r.failure).toBe("");
    expect(r.status).toBe("passed");
  });
});
