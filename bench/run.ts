/**
 * `npm run bench`: runs each workload in a child process of its own (so one
 * workload's garbage and JIT feedback cannot skew the next), for every
 * subject that implements it; prints the table and writes bench/results.json.
 *
 * `node --expose-gc dist/bench/run.js [workload...] [--runs=N]` runs a subset
 * (results.json is then left alone).
 */
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { canCollect } from "./clock";
import { machine } from "./machine";
import { WorkloadResult, resultsJson, table } from "./report";
import { Samples, WARMUP, rounds } from "./rounds";
import { summarize } from "./stats";
import { BASELINE, PRIMARY, SUBJECTS } from "./subjects";
import { RATIO_TARGET, WORKLOADS } from "./workloads";

const RESULTS = path.join(__dirname, "..", "..", "bench", "results.json");
const CHILD = "--child=";

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(name))?.slice(name.length);
}

/** Child mode: run one workload, print its samples as JSON on stdout. */
async function child(name: string, runs: number): Promise<void> {
  const w = WORKLOADS.find((x) => x.name === name);
  if (w === undefined) throw new Error(`unknown workload ${name}`);
  process.stdout.write(JSON.stringify(await rounds(w, SUBJECTS, runs)));
}

function inChild(name: string, runs: number): Samples {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, __filename, `${CHILD}${name}`, `--runs=${runs}`],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (r.status !== 0)
    return { samples: {}, errors: { "*": `child exited ${r.status ?? r.signal}` } };
  return JSON.parse(r.stdout) as Samples;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const runs = Number(option(args, "--runs=") ?? 5);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs must be a positive integer`);
  const childOf = option(args, CHILD);
  if (childOf !== undefined) {
    await child(childOf, runs);
    return 0;
  }
  const only = args.filter((a) => !a.startsWith("--"));
  const unknown = only.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length > 0) throw new Error(`unknown workload(s): ${unknown.join(", ")}`);
  const workloads = only.length > 0 ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  if (!canCollect()) console.error("note: without --expose-gc, heap workloads fail");

  const started = Date.now();
  const results: WorkloadResult[] = [];
  let failures = 0;
  for (const w of workloads) {
    const { samples, errors } = inChild(w.name, runs);
    for (const [who, why] of Object.entries(errors)) {
      failures++;
      console.error(`FAILED ${w.name} (${who}): ${why}`);
    }
    const bySubject = new Map(
      Object.entries(samples).map(([name, v]) => [name, summarize(v)] as const),
    );
    results.push({ workload: w, bySubject });
    console.error(`${w.name}: done at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const names = SUBJECTS.map((s) => s.name);
  console.log(table(results, names, PRIMARY, BASELINE, RATIO_TARGET));
  console.log(
    `\n${runs} timed runs after ${WARMUP} warm-up runs per subject and workload;` +
      ` ratio = ${PRIMARY} vs ${BASELINE}, oriented so that higher is better.`,
  );
  if (only.length === 0) {
    fs.writeFileSync(
      RESULTS,
      JSON.stringify(resultsJson(machine(), results, PRIMARY, BASELINE), null, 2) + "\n",
    );
    console.log(`wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
