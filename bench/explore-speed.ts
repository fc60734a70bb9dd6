/**
 * `npm run bench -- --explore`: explore's own speed on the README's
 * subscriber scenario (the cases in explore-speed-cases.ts). explore needs
 * the Jest preset (it reads the test's context), so this runs Jest in a
 * subprocess, with the compiled preset (`npm run build` first) as a user's
 * project would (`preset: "@otpkit/jest"`), on fixtures/explore-speed.fixture.ts;
 * the fixture appends one JSON line per case to a file, read back here.
 * Prints the table and writes the "Exploration speed" section of
 * docs/performance.md (explore-speed-doc.ts).
 *
 * `node dist/bench/run.js --explore --reps=N` takes N samples of each case
 * (default 9); the section is written either way. `--cpu-prof-dir=DIR`
 * profiles the Jest process (node --cpu-prof) into DIR; the docs are then
 * left alone.
 */
import { spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { CASES, CaseLine, DEFAULT_REPS, OUT_ENV, REPS_ENV } from "./explore-speed-cases";
import { ExploreResult, exploreTable, writeExploreDoc } from "./explore-speed-doc";
import { machine } from "./machine";

const ROOT = path.join(__dirname, "..", "..");
const PRESET = path.join(ROOT, "jest-preset", "jest-preset.js");
const SETUP = path.join(ROOT, "jest-preset", "dist", "setup.js");
const FIXTURE = path.join(ROOT, "bench", "fixtures", "explore-speed.fixture.ts");
const REPS_FLAG = "--reps=";
const PROF_FLAG = "--cpu-prof-dir=";

/**
 * A directory holding the Jest config: the preset's own config plus the
 * fixture (Jest 30.5 also looks for a config in its working directory, so
 * it runs there, not in the repository with its jest.config.js).
 */
function writeConfig(dir: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the preset is a CommonJS config object
  const preset = require(PRESET) as Record<string, unknown>;
  const config = {
    ...preset,
    rootDir: ROOT,
    roots: [path.dirname(FIXTURE)],
    testMatch: [`**/${path.basename(FIXTURE)}`],
    cacheDirectory: path.join(dir, "cache"),
    testTimeout: 30 * 60_000,
  };
  fs.writeFileSync(path.join(dir, "jest.config.json"), JSON.stringify(config, null, 2));
}

/** Runs the fixture under Jest; returns its lines, or throws if Jest or a case failed. */
function runFixture(reps: number, profDir?: string): { lines: CaseLine[]; seconds: number } {
  if (!fs.existsSync(SETUP)) throw new Error(`${SETUP} is missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "otpkit-explore-bench-"));
  try {
    writeConfig(dir);
    const out = path.join(dir, "cases.jsonl");
    const json = path.join(dir, "result.json");
    // No OTPKIT_* variable from the caller's shell: OTPKIT_RUNS, OTPKIT_SEED... change what explore does.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("OTPKIT_")),
    );
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        ...(profDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profDir)}`]),
        require.resolve("jest/bin/jest"),
        "--runInBand",
        "--ci",
        "--json",
        `--outputFile=${json}`,
      ],
      {
        cwd: dir,
        env: { ...env, [OUT_ENV]: out, [REPS_ENV]: String(reps) },
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 1 << 26,
      },
    );
    const seconds = (Date.now() - t0) / 1000;
    if (r.status !== 0)
      throw new Error(
        `jest on the fixture exited ${r.status ?? r.signal}:\n${r.stderr.slice(-6000)}`,
      );
    const result = JSON.parse(fs.readFileSync(json, "utf8")) as { numPassedTests: number };
    if (result.numPassedTests !== CASES.length)
      throw new Error(`jest: ${result.numPassedTests} of ${CASES.length} cases passed`);
    const lines = fs
      .readFileSync(out, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as CaseLine);
    const missing = CASES.filter(
      (c) => !lines.some((l) => l.name === c.name && l.samples.length === reps),
    );
    if (missing.length > 0)
      throw new Error(`no ${reps} samples for: ${missing.map((c) => c.name).join(", ")}`);
    return { lines, seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parent mode (run.ts `--explore`): returns the exit code. */
export async function runExploreSpeed(args: readonly string[]): Promise<number> {
  const unknown = args.filter((a) => !a.startsWith(REPS_FLAG) && !a.startsWith(PROF_FLAG));
  if (unknown.length > 0) throw new Error(`--explore: unknown argument(s): ${unknown.join(" ")}`);
  const reps = Number(
    args.find((a) => a.startsWith(REPS_FLAG))?.slice(REPS_FLAG.length) ?? DEFAULT_REPS,
  );
  if (!(Number.isInteger(reps) && reps > 0)) throw new Error(`--reps must be a positive integer`);
  const loadBefore = os.loadavg();
  console.error(`explore speed: Jest on ${CASES.length} cases, ${reps} samples each...`);
  const profDir = args.find((a) => a.startsWith(PROF_FLAG))?.slice(PROF_FLAG.length);
  const { lines, seconds } = runFixture(reps, profDir);
  const loadAfter = os.loadavg();
  const results: ExploreResult[] = CASES.map((c) => ({
    case: c,
    samples: lines.find((l) => l.name === c.name)!.samples,
  }));
  console.log(exploreTable(results).join("\n"));
  console.log(
    `\nload average (1, 5, 15 min): ${loadBefore.map((x) => x.toFixed(2)).join(", ")} before,` +
      ` ${loadAfter.map((x) => x.toFixed(2)).join(", ")} after; ${os.cpus().length} cpus; ${Math.round(seconds)} s`,
  );
  if (profDir !== undefined) {
    console.log(`profiles in ${profDir}; the docs are left alone (profiling slows the figures)`);
    return 0;
  }
  const written = await writeExploreDoc({
    machine: machine(),
    results,
    reps,
    seconds,
    loadBefore,
    loadAfter,
  });
  console.log(`wrote ${path.relative(process.cwd(), written) || written}`);
  return 0;
}
