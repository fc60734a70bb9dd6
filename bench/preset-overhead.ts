/**
 * preset_overhead_ms: what the Jest preset's setup (a fresh runtime node
 * per test, the cleanup after it, the helpers and matchers registered) adds
 * to each test.
 *
 * It writes 1,000 tiny tests (`it("t", () => { expect(1).toBe(1) })`, plain
 * JS, no transform) in FILES files to a temporary directory and runs Jest
 * on them (in band) with and without the preset's `setupFilesAfterEnv`
 * (the compiled jest-preset/dist/setup.js, so `npm run build` first);
 * nothing else differs. One warm-up run of each, then RUNS runs of each,
 * alternating. A run's time is the sum of Jest's own per-file times (setup
 * files and tests; Jest's start-up and reporting, the same in both, are
 * left out); wall-clock times are kept as detail. The overhead per test is
 * (median with − median without) / 1,000.
 *
 * That figure includes the preset's per-file cost (loading it into each
 * test file's module registry) spread over TESTS_PER_FILE tests, so it
 * depends on the layout; a second, small layout (one test in each of
 * LOAD_FILES files) measures the per-file cost alone, kept as detail.
 *
 * `npm run bench:preset` runs it alone and updates its entry in
 * bench/results.json; `npm run bench -- --preset` runs it after the other
 * workloads.
 */
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { machine } from "./machine";
import { WorkloadResult, resultEntry, table } from "./report";
import { summarize } from "./stats";
import type { Workload } from "./types";

const FILES = 10;
const TESTS_PER_FILE = 100;
const TESTS = FILES * TESTS_PER_FILE;
/** Files of one test each, for the per-file cost. */
const LOAD_FILES = 20;
const RUNS = 3;

/** The subject the figure belongs to (the preset has no loop equivalent). */
const SUBJECT = "otpkit";

export const PRESET_WORKLOAD: Workload = {
  name: "preset_overhead_ms",
  description: `Jest on ${TESTS} tiny tests (${FILES} files) with and without the preset's setup file`,
  unit: "ms",
  better: "lower",
  size: TESTS,
  target: 0.5,
  compare: "none",
  note:
    `per test: (median with − median without of ${RUNS} Jest runs each) / ${TESTS}, from Jest's` +
    ` per-file times (${FILES} files of ${TESTS_PER_FILE} tests, --runInBand), so the preset's` +
    ` per-file load counts 1/${TESTS_PER_FILE} per test (detail: perFileLoadMs, measured on` +
    ` ${LOAD_FILES} one-test files, and perTestHooksMs); min – max: the alternating pairs.` +
    " Runs only with `npm run bench -- --preset` or `npm run bench:preset`; otherwise" +
    " results.json keeps the last figure (dated).",
};

const ROOT = path.join(__dirname, "..", "..");
const SETUP = path.join(ROOT, "jest-preset", "dist", "setup.js");
export const RESULTS = path.join(ROOT, "bench", "results.json");

interface JestRun {
  /** Sum of the test files' times (ms). */
  filesMs: number;
  /** The whole Jest process (ms). */
  wallMs: number;
}

/** `files` test files of `perFile` tests under `dir`/tests. */
function writeTests(dir: string, files: number, perFile: number): void {
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  const body = 'it("t", () => {\n  expect(1).toBe(1);\n});\n'.repeat(perFile);
  for (let i = 0; i < files; i++)
    fs.writeFileSync(path.join(dir, "tests", `tiny${String(i).padStart(3, "0")}.test.js`), body);
}

/**
 * A directory with a jest.config.json for one configuration, found by Jest
 * from the working directory (Jest 30.5 with `--config` pointing elsewhere
 * also looks for a config in the working directory, and fails).
 */
function writeConfig(dir: string, name: string, withPreset: boolean): string {
  const home = path.join(dir, name);
  fs.mkdirSync(home);
  const config = {
    rootDir: home,
    roots: [path.join(dir, "tests")],
    testEnvironment: require.resolve("jest-environment-node"),
    transform: {},
    cacheDirectory: path.join(home, "cache"),
    setupFilesAfterEnv: withPreset ? [SETUP] : [],
  };
  fs.writeFileSync(path.join(home, "jest.config.json"), JSON.stringify(config, null, 2));
  return home;
}

/** Runs Jest in `home` (a directory from writeConfig); all `tests` must pass. */
function runJest(home: string, tests: number): JestRun {
  const out = path.join(home, "result.json");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [require.resolve("jest/bin/jest"), "--runInBand", "--ci", "--json", `--outputFile=${out}`],
    { cwd: home, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 24 },
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const what = `jest (${path.relative(path.dirname(path.dirname(home)), home)})`;
  if (r.status !== 0)
    throw new Error(`${what} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-2000)}`);
  const json = JSON.parse(fs.readFileSync(out, "utf8")) as {
    numPassedTests: number;
    testResults: { startTime: number; endTime: number }[];
  };
  if (json.numPassedTests !== tests)
    throw new Error(`${what}: ${json.numPassedTests} of ${tests} tests passed`);
  const filesMs = json.testResults.reduce((sum, f) => sum + (f.endTime - f.startTime), 0);
  return { filesMs, wallMs };
}

/** One layout's runs with and without the preset. */
interface Layout {
  with: JestRun[];
  without: JestRun[];
}

function measureLayout(
  dir: string,
  files: number,
  perFile: number,
  log: (line: string) => void,
): Layout {
  writeTests(dir, files, perFile);
  const withCfg = writeConfig(dir, "with", true);
  const withoutCfg = writeConfig(dir, "without", false);
  const tests = files * perFile;
  runJest(withoutCfg, tests); // warm-up: caches, file system, haste map
  runJest(withCfg, tests);
  const runs: Layout = { with: [], without: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so drift hits both alike.
    for (const withPreset of i % 2 === 0 ? [false, true] : [true, false]) {
      const r = runJest(withPreset ? withCfg : withoutCfg, tests);
      (withPreset ? runs.with : runs.without).push(r);
      log(
        `  ${files} × ${perFile} tests, ${withPreset ? "with   " : "without"} preset:` +
          ` ${r.filesMs} ms in test files, ${r.wallMs.toFixed(0)} ms wall`,
      );
    }
  }
  return runs;
}

const med = (rs: JestRun[], k: keyof JestRun) => summarize(rs.map((r) => r[k])).median;

/** Runs the benchmark (about 20–30 s); throws if Jest fails or a test does not pass. */
export function presetOverhead(log: (line: string) => void = () => {}): WorkloadResult {
  if (!fs.existsSync(SETUP)) throw new Error(`${SETUP} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "otpkit-preset-bench-"));
  try {
    const main = measureLayout(path.join(dir, "main"), FILES, TESTS_PER_FILE, log);
    const load = measureLayout(path.join(dir, "load"), LOAD_FILES, 1, log);
    const pairs = main.with.map((w, i) => (w.filesMs - main.without[i].filesMs) / TESTS);
    const spread = summarize(pairs);
    const median = (med(main.with, "filesMs") - med(main.without, "filesMs")) / TESTS;
    const perFileLoadMs = (med(load.with, "filesMs") - med(load.without, "filesMs")) / LOAD_FILES;
    return {
      workload: PRESET_WORKLOAD,
      bySubject: new Map([[SUBJECT, { median, min: spread.min, max: spread.max }]]),
      details: new Map([
        [
          SUBJECT,
          {
            tests: TESTS,
            files: FILES,
            withFilesMs: med(main.with, "filesMs"),
            withoutFilesMs: med(main.without, "filesMs"),
            withWallMs: med(main.with, "wallMs"),
            withoutWallMs: med(main.without, "wallMs"),
            perTestWallMs: (med(main.with, "wallMs") - med(main.without, "wallMs")) / TESTS,
            perFileLoadMs,
            perTestHooksMs: median - perFileLoadMs / TESTS_PER_FILE,
          },
        ],
      ]),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The preset's results.json entry, dated (it may outlive the run that wrote the rest). */
export function presetEntry(r: WorkloadResult, primary: string, baseline: string): unknown {
  return { ...resultEntry(r, primary, baseline), date: new Date().toISOString() };
}

/** `npm run bench:preset`: run it, print its row, update its entry in results.json. */
function main(): void {
  const r = presetOverhead((line) => console.error(line));
  console.log(table([r], [SUBJECT], SUBJECT, "loop", 0.5));
  let doc: { machine?: unknown; workloads?: Record<string, unknown> } = {};
  if (fs.existsSync(RESULTS)) doc = JSON.parse(fs.readFileSync(RESULTS, "utf8")) as typeof doc;
  doc.machine ??= machine();
  doc.workloads = { ...doc.workloads, [PRESET_WORKLOAD.name]: presetEntry(r, SUBJECT, "loop") };
  fs.writeFileSync(RESULTS, JSON.stringify(doc, null, 2) + "\n");
  console.log(
    `updated ${PRESET_WORKLOAD.name} in ${path.relative(process.cwd(), RESULTS) || RESULTS}`,
  );
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  }
}
