/**
 * `npm run bench`: runs each workload in a child process of its own (so one
 * workload's garbage and JIT feedback cannot skew the next), for every
 * subject that implements it; prints the table and writes bench/results.json.
 *
 * `npm run bench -- --peers` also runs the peer libraries (nact, xstate,
 * effect: see subjects/) in the same rounds, side by side with otpkit and
 * the loop, and writes docs/performance.md and docs/performance.svg besides.
 *
 * `npm run bench -- --scaling` runs the scaling series instead (scaling.ts).
 *
 * `npm run bench -- --explore` measures explore's own speed instead
 * (explore-speed.ts: Jest in a subprocess on bench/fixtures/).
 *
 * `npm run bench -- --preset` also runs preset_overhead_ms (Jest on 1,000
 * tiny tests with and without the preset, about 25 s; see
 * preset-overhead.ts), as does `npm run bench:preset` alone. Without it,
 * results.json keeps the last preset_overhead_ms entry (it is dated).
 *
 * `node --expose-gc dist/bench/run.js [workload...] [--runs=N] [--preset] [--peers]`
 * runs a subset (results.json and the docs are then left alone).
 *
 * `npm run bench -- --leaks [workload...]` runs the retained-memory workloads
 * instead (leaks.ts: heap after GC, not time).
 */
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { canCollect } from "./clock";
import { machine } from "./machine";
import { WorkloadResult, formatValue, resultsJson, table } from "./report";
import { PRESET_WORKLOAD, RESULTS, presetEntry, presetOverhead } from "./preset-overhead";
import { Samples, WARMUP, rounds } from "./rounds";
import { summarize } from "./stats";
import { performanceDoc } from "./docs";
import { runLeaks } from "./leaks";
import { BASELINE, PRIMARY, loadSubjects, peerVersions, subjectNames } from "./subjects";
import { RATIO_TARGET, WORKLOADS } from "./workloads";
import { runScaling } from "./scaling";
import { runExploreSpeed } from "./explore-speed";

const CHILD = "--child=";
const PEERS_FLAG = "--peers";

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(name))?.slice(name.length);
}

/** An entry of the existing results.json, if any. */
function previousEntry(name: string): unknown {
  try {
    const doc = JSON.parse(fs.readFileSync(RESULTS, "utf8")) as {
      workloads?: Record<string, unknown>;
    };
    return doc.workloads?.[name];
  } catch {
    return undefined;
  }
}

/** Child mode: run one workload, print its samples as JSON on stdout. */
async function child(name: string, runs: number, peers: boolean): Promise<void> {
  const w = WORKLOADS.find((x) => x.name === name);
  if (w === undefined) throw new Error(`unknown workload ${name}`);
  process.stdout.write(JSON.stringify(await rounds(w, await loadSubjects(peers), runs)));
}

function inChild(name: string, runs: number, peers: boolean): Samples {
  const r = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      __filename,
      `${CHILD}${name}`,
      `--runs=${runs}`,
      ...(peers ? [PEERS_FLAG] : []),
    ],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (r.status !== 0)
    return { samples: {}, details: {}, errors: { "*": `child exited ${r.status ?? r.signal}` } };
  return JSON.parse(r.stdout) as Samples;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const runs = Number(option(args, "--runs=") ?? 5);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs must be a positive integer`);
  const peers = args.includes(PEERS_FLAG);
  if (args.includes("--leaks")) {
    return (await runLeaks(args.filter((a) => !a.startsWith("--")))) === 0 ? 0 : 1;
  }
  const childOf = option(args, CHILD);
  if (childOf !== undefined) {
    await child(childOf, runs, peers);
    return 0;
  }
  if (args.includes("--scaling")) return runScaling(args.filter((a) => a !== "--scaling"));
  if (args.includes("--explore")) return runExploreSpeed(args.filter((a) => a !== "--explore"));
  const withPreset = args.includes("--preset");
  const only = args.filter((a) => !a.startsWith("--"));
  const unknown = only.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length > 0) throw new Error(`unknown workload(s): ${unknown.join(", ")}`);
  const workloads = only.length > 0 ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  if (!canCollect()) console.error("note: without --expose-gc, heap workloads fail");

  const started = Date.now();
  const results: WorkloadResult[] = [];
  let failures = 0;
  for (const w of workloads) {
    const { samples, details: ds, errors } = inChild(w.name, runs, peers);
    for (const [who, why] of Object.entries(errors)) {
      failures++;
      console.error(`FAILED ${w.name} (${who}): ${why}`);
    }
    const bySubject = new Map(
      Object.entries(samples).map(([name, v]) => [name, summarize(v)] as const),
    );
    const details = new Map(
      Object.entries(ds).map(
        ([name, d]) =>
          [
            name,
            Object.fromEntries(Object.entries(d).map(([k, v]) => [k, summarize(v).median])),
          ] as const,
      ),
    );
    results.push({ workload: w, bySubject, details });
    console.error(`${w.name}: done at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const keep: Record<string, unknown> = {};
  if (withPreset) {
    console.error(`${PRESET_WORKLOAD.name}: running Jest...`);
    try {
      const r = presetOverhead((line) => console.error(line));
      results.push(r);
      keep[PRESET_WORKLOAD.name] = presetEntry(r, PRIMARY, BASELINE);
    } catch (e) {
      failures++;
      console.error(
        `FAILED ${PRESET_WORKLOAD.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    console.error(
      `${PRESET_WORKLOAD.name}: done at ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } else if (only.length === 0) {
    const last = previousEntry(PRESET_WORKLOAD.name);
    if (last !== undefined) keep[PRESET_WORKLOAD.name] = last;
  }

  const names = subjectNames(peers);
  console.log(table(results, names, PRIMARY, BASELINE, RATIO_TARGET));
  console.log(
    `\n${runs} timed runs after ${WARMUP} warm-up runs per subject and workload;` +
      ` ratio = ${PRIMARY} vs ${BASELINE}, oriented so that higher is better` +
      ` (except where compare is "self" or there is no ${BASELINE}: see the notes).`,
  );
  if (!withPreset) {
    const last = keep[PRESET_WORKLOAD.name] as
      { [PRIMARY]?: { median?: number }; date?: string } | undefined;
    const figure = last?.[PRIMARY]?.median;
    console.log(
      `${PRESET_WORKLOAD.name} not run (\`npm run bench -- --preset\` or \`npm run bench:preset\`)` +
        (figure !== undefined
          ? `; results.json keeps the last figure: ${formatValue(figure, PRESET_WORKLOAD.unit)} per test (${last?.date ?? "undated"}).`
          : "."),
    );
  }
  if (only.length === 0) {
    const m = machine();
    const doc = resultsJson(m, results, PRIMARY, BASELINE, keep);
    // With the peers: their versions, between the machine and the workloads.
    const out = peers ? { machine: m, peers: peerVersions(), workloads: doc.workloads } : doc;
    fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
    if (peers) {
      const seconds = (Date.now() - started) / 1000;
      const subjects = await loadSubjects(true);
      const written = await performanceDoc({ machine: m, results, subjects, runs, seconds, keep });
      for (const f of written) console.log(`wrote ${path.relative(process.cwd(), f) || f}`);
    }
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
