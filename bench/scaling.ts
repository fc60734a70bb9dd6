/**
 * `npm run bench -- --scaling`: the scaling series (scaling-workloads.ts),
 * each size in a child process of its own (a fresh heap and fresh JIT
 * feedback, and a bigger heap limit where a series needs it); prints the
 * table and writes the Scaling section of docs/performance.md and
 * docs/performance-scaling.svg.
 *
 * `node --expose-gc dist/bench/run.js --scaling [series...] [--runs=N]` runs
 * some series (the docs are then left alone). One size alone, e.g. to
 * profile it: `node --expose-gc --cpu-prof dist/bench/scaling.js
 * --series=spawn --n=1000000 --runs=1`.
 */
import { spawnSync } from "child_process";
import path from "path";
import { collectGarbage } from "./clock";
import { machine } from "./machine";
import { ScalingResult, scalingTable, writeScalingDoc } from "./scaling-doc";
import { Point, SERIES, Series } from "./scaling-workloads";
import { summarize } from "./stats";

const SERIES_FLAG = "--series=";
const N_FLAG = "--n=";
const RUNS_FLAG = "--runs=";

function option(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(name))?.slice(name.length);
}

/** Warm-up runs (at the size, or at 10,000 if bigger) before the timed ones. */
const WARMUP = 3;

/** The mean of `reps` measurements at `n` (each on a fresh node). */
async function meanOf(s: Series, n: number, reps: number): Promise<Point> {
  const ps: Point[] = [];
  for (let i = 0; i < reps; i++) ps.push(await s.measure(n));
  const mean = (f: (p: Point) => number | undefined) => {
    const xs = ps.map(f).filter((x): x is number => x !== undefined);
    return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return {
    wallNs: mean((p) => p.wallNs)!,
    cpuNs: mean((p) => p.cpuNs)!,
    bytes: mean((p) => p.bytes),
    latencyNs: mean((p) => p.latencyNs),
  };
}

/** Child mode: warm-up runs, then `runs` runs at `n`; prints the points as JSON. */
async function child(name: string, n: number, runs: number): Promise<void> {
  const s = SERIES.find((x) => x.name === name);
  if (s === undefined) throw new Error(`unknown series ${name}`);
  for (let i = 0; i < WARMUP; i++) await s.measure(Math.min(n, 10_000));
  const reps = Math.max(1, Math.ceil((s.minUnits ?? 1) / n));
  const points: Point[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    points.push(await meanOf(s, n, reps));
  }
  process.stdout.write(JSON.stringify(points));
}

function inChild(name: string, n: number, runs: number, heapMiB?: number): Point[] {
  const r = spawnSync(
    process.execPath,
    [
      "--expose-gc",
      ...(heapMiB === undefined ? [] : [`--max-old-space-size=${heapMiB}`]),
      path.join(__dirname, "scaling.js"),
      `${SERIES_FLAG}${name}`,
      `${N_FLAG}${n}`,
      `${RUNS_FLAG}${runs}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`${name} at ${n}: child exited ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout) as Point[];
}

const median = (xs: readonly number[]) => summarize(xs).median;

/** Parent mode: runs the series named in `args` (all without names); returns the exit code. */
export async function runScaling(args: readonly string[]): Promise<number> {
  const runs = Number(option(args, RUNS_FLAG) ?? 3);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs must be a positive integer`);
  const only = args.filter((a) => !a.startsWith("--"));
  const unknown = only.filter((n) => !SERIES.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown series: ${unknown.join(", ")}`);
  const chosen = only.length > 0 ? SERIES.filter((s) => only.includes(s.name)) : SERIES;
  const started = Date.now();
  const results: ScalingResult[] = [];
  for (const s of chosen) {
    const rows = s.sizes.map((n) => {
      const points = inChild(s.name, n, runs, s.heapMiB);
      const pick = (f: (p: Point) => number | undefined) => {
        const xs = points.map(f).filter((x): x is number => x !== undefined);
        return xs.length === 0 ? undefined : median(xs);
      };
      console.error(`${s.name} N=${n}: done at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return {
        n,
        wallNs: pick((p) => p.wallNs)!,
        cpuNs: pick((p) => p.cpuNs)!,
        bytes: pick((p) => p.bytes),
        latencyNs: pick((p) => p.latencyNs),
      };
    });
    results.push({ series: s, rows });
  }
  console.log(scalingTable(results).join("\n"));
  if (only.length === 0) {
    const seconds = (Date.now() - started) / 1000;
    for (const f of await writeScalingDoc({ machine: machine(), results, runs, seconds }))
      console.log(`wrote ${path.relative(process.cwd(), f) || f}`);
  }
  return 0;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const name = option(args, SERIES_FLAG);
  const n = Number(option(args, N_FLAG));
  const runs = Number(option(args, RUNS_FLAG) ?? 1);
  if (name === undefined || !Number.isInteger(n) || n <= 0)
    throw new Error(`usage: scaling.js ${SERIES_FLAG}NAME ${N_FLAG}SIZE [${RUNS_FLAG}R]`);
  child(name, n, runs).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
