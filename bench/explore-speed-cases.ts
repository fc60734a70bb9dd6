/**
 * The cases of `npm run bench -- --explore` (explore's own speed on the
 * README's subscriber scenario, examples/subscribers/scenario.ts), shared by
 * the driver (explore-speed.ts) and the Jest fixture that measures them
 * (fixtures/explore-speed.fixture.ts), and the environment they talk through.
 * No runtime import here: the fixture loads it inside Jest.
 */

/** The scenario's test bodies, by their export name. */
export type Body = "naive" | "fixedWithSysEvent" | "fixedWithDownThenSync";

/** One measured exploration. */
export interface ExploreCase {
  /** The case's name in the table and the JSON lines. */
  name: string;
  body: Body;
  strategy: "exhaustive" | "random" | "pct";
  /** random, pct: the schedules each measured exploration must run. */
  runs?: number;
  /** pct: the bug depth. */
  depth?: number;
  /** What the exploration must end with: passed and complete, passed, or a failure found. */
  expect: "complete" | "passed" | "failure";
}

/** random and pct: schedules per measured exploration. */
export const SAMPLED_RUNS = 500;
/** Schedules each case runs to warm up (the JIT, the heap) before it is measured. */
export const WARM_UP_SCHEDULES = 500;
/** A sample repeats its exploration until they have taken this long (wall). */
export const MIN_SAMPLE_MS = 100;
/** pct's bug depth. */
export const PCT_DEPTH = 3;

const FIXED: Body[] = ["fixedWithSysEvent", "fixedWithDownThenSync"];

export const CASES: ExploreCase[] = [
  { name: "exhaustive naive", body: "naive", strategy: "exhaustive", expect: "failure" },
  ...FIXED.map((body): ExploreCase => ({
    name: `exhaustive ${body}`,
    body,
    strategy: "exhaustive",
    expect: "complete",
  })),
  ...FIXED.map((body): ExploreCase => ({
    name: `random ${body}`,
    body,
    strategy: "random",
    runs: SAMPLED_RUNS,
    expect: "passed",
  })),
  ...FIXED.map((body): ExploreCase => ({
    name: `pct ${body}`,
    body,
    strategy: "pct",
    runs: SAMPLED_RUNS,
    depth: PCT_DEPTH,
    expect: "passed",
  })),
];

/** One sample of a case: the mean of `explorations` identical explorations. */
export interface Sample {
  /** Explorations in the sample (repeated until they took MIN_SAMPLE_MS). */
  explorations: number;
  /** Wall time per exploration. */
  wallMs: number;
  /** User + system CPU time of the Jest process per exploration (all threads, GC included). */
  cpuMs: number;
  /** Schedules run (exhaustive naive: up to and including the failing one). */
  runs: number;
  distinct: number;
  complete: boolean;
  /** The exploration found a failing schedule. */
  failed: boolean;
}

/** One JSON line of the fixture's output: a case's samples. */
export interface CaseLine {
  name: string;
  samples: Sample[];
}

/** The file the fixture appends its JSON lines to. */
export const OUT_ENV = "OTPKIT_EXPLORE_BENCH_OUT";
/** How many samples per case (after the warm-up). */
export const REPS_ENV = "OTPKIT_EXPLORE_BENCH_REPS";
/** Samples per case by default. */
export const DEFAULT_REPS = 9;
