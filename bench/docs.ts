/**
 * docs/performance.md and docs/performance.svg, written by
 * `npm run bench -- --peers` from the run's results: the table (median and
 * min – max per workload and subject), the chart, the machine, the
 * commands, the targets of issues 2, 3 and 4 and the goals of issue 7 with
 * whether each is met, and what each peer's equivalent of each workload is.
 */
import fs from "fs";
import path from "path";
import { chart } from "./chart";
import { leaksSection } from "./leaks-doc";
import type { Machine } from "./machine";
import { WorkloadResult, formatValue, notesByText, ratioOf } from "./report";
import { WARMUP } from "./rounds";
import type { Summary } from "./stats";
import { BASELINE, PEERS, PRIMARY, peerVersions } from "./subjects";
import type { Better, Subject, Workload } from "./types";
import { RATIO_TARGET } from "./workloads";
import { keptScalingSection } from "./scaling-doc";
import { keptExploreSection } from "./explore-speed-doc";

const ROOT = path.join(__dirname, "..", "..");
const DOC = path.join(ROOT, "docs", "performance.md");
const SVG = path.join(ROOT, "docs", "performance.svg");

/**
 * Issue 7: at least twice the BEAM's one-way and call figures measured on
 * the same kind of machine (about 5M msgs/s and 850k calls/s on 2 cores).
 */
const BEAM_ONEWAY = 5_000_000;
const BEAM_CALLS = 850_000;
const ONEWAY_ROWS = [
  "oneway_msgs_per_s",
  "handler_oneway_msgs_per_s",
  "oneway_genserver_msgs_per_s",
];
const CALL_ROWS = ["call_per_s", "call_from_process_per_s"];

/** What the generator needs from the run. */
export interface DocInput {
  machine: Machine;
  results: readonly WorkloadResult[];
  /** The run's subjects, in order (otpkit, loop, then the peers). */
  subjects: readonly Subject[];
  runs: number;
  /** Wall-clock seconds the run took. */
  seconds: number;
  /** Entries results.json carried over (the preset's overhead). */
  keep: Record<string, unknown>;
}

function better(b: Better, x: number, y: number): boolean {
  return b === "higher" ? x > y : x < y;
}

function overlap(a: Summary, b: Summary): boolean {
  return a.min <= b.max && b.min <= a.max;
}

function met(b: Better, v: number, target: number): boolean {
  return b === "higher" ? v >= target : v <= target;
}

function verdict(ok: boolean): string {
  return ok ? "**met**" : "missed";
}

/** `1.76 µs (1.70 – 1.90)`. */
function cell(s: Summary | undefined, unit: string): string {
  if (s === undefined) return "—";
  const short = (v: number) => formatValue(v, unit).split(" ")[0];
  return `${formatValue(s.median, unit)} (${short(s.min)} – ${short(s.max)})`;
}

function goal(w: Workload, target: number): string {
  return `${w.better === "higher" ? "≥" : "≤"} ${formatValue(target, w.unit)}`;
}

function resultsTable(input: DocInput): string[] {
  const names = input.subjects.map((s) => s.name);
  const lines = [
    `| workload | ${names.join(" | ")} | ${PRIMARY} vs ${BASELINE} |`,
    `| --- | ${names.map(() => "---").join(" | ")} | --- |`,
  ];
  for (const { workload: w, bySubject } of input.results) {
    const compare = w.compare ?? "baseline";
    const cells = names.map((n) => {
      const s = bySubject.get(n);
      if (s === undefined && n !== PRIMARY && compare !== "baseline") return "n/a";
      return cell(s, w.unit);
    });
    const q = ratioOf(w, bySubject, PRIMARY, BASELINE);
    lines.push(
      `| \`${w.name}\` | ${cells.join(" | ")} | ${q === undefined ? "—" : q.toFixed(2)} |`,
    );
  }
  return lines;
}

function targetsSection(input: DocInput): string[] {
  const lines = ["| issue | workload | goal | otpkit | |", "| --- | --- | --- | --- | --- |"];
  let total = 0;
  let ok = 0;
  const row = (w: Workload, g: string, v: string, good: boolean) => {
    total++;
    if (good) ok++;
    lines.push(`| ${w.issue ?? "—"} | \`${w.name}\` | ${g} | ${v} | ${verdict(good)} |`);
  };
  for (const { workload: w, bySubject } of input.results) {
    const p = bySubject.get(PRIMARY);
    if (p === undefined) continue;
    const compare = w.compare ?? "baseline";
    if (compare === "self") {
      if (w.target !== undefined)
        row(
          w,
          `with/without ratio ≤ ${w.target.toFixed(2)}`,
          `${p.median.toFixed(3)}×`,
          met(w.better, p.median, w.target),
        );
      continue;
    }
    if (w.target !== undefined)
      row(w, goal(w, w.target), formatValue(p.median, w.unit), met(w.better, p.median, w.target));
    const q = ratioOf(w, bySubject, PRIMARY, BASELINE);
    if (compare === "baseline" && q !== undefined)
      row(w, `≥ ${RATIO_TARGET}× the loop`, `${q.toFixed(2)}×`, q >= RATIO_TARGET);
  }
  return [
    `${ok} of ${total} met. Goals are for otpkit's median on a 2-core machine; "× the loop" is otpkit's` +
      " figure against the hand-written loop's in the same run, oriented so that higher is better." +
      " The `handler_` rows are held to issue 2's goals for processes.",
    "",
    ...lines,
  ];
}

function issue7Section(input: DocInput): string[] {
  const byName = new Map(input.results.map((r) => [r.workload.name, r] as const));
  const peers = input.subjects.map((s) => s.name).filter((n) => n !== PRIMARY && n !== BASELINE);
  const lines = [
    "### Ahead of every JavaScript peer on every workload",
    "",
    "Per workload the peers implement: otpkit's median against each peer's; for the rows that" +
      " have a `handler_` twin, the handler-process figure against the same peers as well.",
    "",
    `| workload | otpkit | ${peers.map((p) => `${p}`).join(" | ")} | ahead of all? |`,
    `| --- | --- | ${peers.map(() => "---").join(" | ")} | --- |`,
  ];
  let rows = 0;
  let ahead = 0;
  for (const { workload: w, bySubject } of input.results) {
    const measured = peers.filter((p) => bySubject.has(p));
    if (measured.length === 0) continue;
    const variants: [string, Summary | undefined][] = [[`\`${w.name}\``, bySubject.get(PRIMARY)]];
    const twin = byName.get(`handler_${w.name}`);
    if (twin !== undefined)
      variants.push([`\`${twin.workload.name}\` (vs the same peers)`, twin.bySubject.get(PRIMARY)]);
    for (const [label, p] of variants) {
      if (p === undefined) continue;
      const behind = measured.filter((n) => !better(w.better, p.median, bySubject.get(n)!.median));
      // Medians this close are not a ranking: say so where the min – max ranges overlap.
      const overlapping = measured.filter((n) => overlap(p, bySubject.get(n)!));
      rows++;
      if (behind.length === 0) ahead++;
      const peerCells = peers.map((n) => {
        const s = bySubject.get(n);
        if (s === undefined) return "—";
        const mark = better(w.better, p.median, s.median) ? "" : " ◀";
        return `${formatValue(s.median, w.unit)}${mark}${overlap(p, s) ? " ≈" : ""}`;
      });
      const result = behind.length === 0 ? verdict(true) : `missed (behind ${behind.join(", ")})`;
      const spread =
        overlapping.length === 0 ? "" : `; min – max overlaps ${overlapping.join(", ")}`;
      lines.push(
        `| ${label} | ${formatValue(p.median, w.unit)} | ${peerCells.join(" | ")} | ${result}${spread} |`,
      );
    }
  }
  lines.push(
    "",
    `${ahead} of ${rows} rows met. ◀: the peer's median is ahead of otpkit's on that row;` +
      " ≈: the two min – max ranges overlap (too close to rank from this run).",
    "",
    "### At least twice the BEAM's one-way and call figures",
    "",
    `Measured on a 2-core machine, the BEAM did about ${formatValue(BEAM_ONEWAY, "msgs/s")}` +
      ` one-way and ${formatValue(BEAM_CALLS, "calls/s")} through gen_server, so the goals are` +
      ` ≥ ${formatValue(2 * BEAM_ONEWAY, "msgs/s")} and ≥ ${formatValue(2 * BEAM_CALLS, "calls/s")}.` +
      " Issue 7 asks for two independent measurements; this page is one run.",
    "",
    "| workload | goal | otpkit | |",
    "| --- | --- | --- | --- |",
  );
  const beam = (rowsOf: string[], target: number) => {
    for (const name of rowsOf) {
      const r = byName.get(name);
      const p = r?.bySubject.get(PRIMARY);
      if (r === undefined || p === undefined) continue;
      lines.push(
        `| \`${name}\` | ${goal(r.workload, target)} | ${formatValue(p.median, r.workload.unit)} | ${verdict(met(r.workload.better, p.median, target))} |`,
      );
    }
  };
  beam(ONEWAY_ROWS, 2 * BEAM_ONEWAY);
  beam(CALL_ROWS, 2 * BEAM_CALLS);
  return lines;
}

function subjectsSection(input: DocInput): string[] {
  const versions = peerVersions();
  const lines: string[] = [];
  for (const s of input.subjects) {
    const peer = PEERS.find((p) => p.name === s.name);
    const title = peer === undefined ? `**${s.name}**` : `**${s.name}** ${versions[peer.name]}`;
    lines.push(`- ${title}: ${s.about ?? ""}`);
    for (const { workload: w } of input.results) {
      const note = s.notes?.[w.name];
      if (note !== undefined) lines.push(`  - \`${w.name}\`: ${note}`);
    }
  }
  return lines;
}

/** What is not equal between the subjects, and could not be made so. */
const FAIRNESS = [
  "XState's `send` handles the event on the sender's stack: its one-way, round-trip, cast and" +
    " DOWN figures are function calls on one stack, with no queue hop and no turn given to" +
    " anything else. otpkit and the loop queue every message and handle it in a later turn" +
    " (a microtask, or the scheduler's run queue); nact in a `setImmediate`; Effect in a" +
    " scheduler batch.",
  "Effect: an offer to a queue wakes a fiber blocked in `Queue.take` through a scheduler task" +
    " (the default scheduler runs them in `setImmediate` batches), while completing a" +
    " `Deferred` resumes its waiter directly; so replies go through a `Deferred` (about 6×" +
    " faster than into the client's queue), and a DOWN is `Fiber.await`. `new" +
    ' MixedScheduler("sync")` would run the batches as microtasks, but never yields to the' +
    " event loop (its documentation warns about that), which otpkit's scheduler must do: the" +
    " default is measured.",
  "Effect 4 states Node.js ≥ 22.19 as its requirement; this project runs on Node.js 20 (the" +
    " version below), where every workload here ran without error.",
  "Effect's one-way figure is one `Queue.take` per message, the equivalent of a receive;" +
    " draining with `Queue.takeAll` is several times faster, as a batch read.",
  "Calls: otpkit and the loop are called from plain awaited code (a promise per call); XState" +
    " likewise (a promise settled by the emitted reply, during the `send`); nact's `query` adds a" +
    " temporary reference and a timeout timer per call; Effect's calls are made from a fiber" +
    " (from plain code each would need an `Effect.runPromise`).",
  "DOWN: nact has no monitors (an `afterStop` hook sends the notification); XState's is the" +
    " done event of a child state machine (a machine is heavier than its other actor logic);" +
    " Effect's is `Fiber.await`.",
  "Heap per process counts whatever each library keeps per actor (its mailbox, its entry in" +
    " a system or parent), measured the same way for all: heap after a full collection, before" +
    " and after, divided by the count.",
];

function preset(keep: Record<string, unknown>): string[] {
  const e = keep["preset_overhead_ms"] as
    { otpkit?: { median?: number }; date?: string } | undefined;
  const v = e?.otpkit?.median;
  if (v === undefined) return [];
  return [
    "",
    `Not run here: \`preset_overhead_ms\` (issue 5, the Jest preset's cost per test; \`npm run` +
      ` bench:preset\`), last measured ${formatValue(v, "ms")} per test (${e?.date ?? "undated"}, goal ≤ 0.5 ms).`,
  ];
}

/**
 * Writes docs/performance.md (formatted by Prettier with the repository's
 * settings, so `npm run lint` passes on it as written) and
 * docs/performance.svg; returns their paths.
 */
export async function performanceDoc(input: DocInput): Promise<string[]> {
  const m = input.machine;
  const names = input.subjects.map((s) => s.name);
  const peers = PEERS.filter((p) => names.includes(p.name));
  const versions = peerVersions();
  const md = [
    "# Performance",
    "",
    "<!-- Written by `npm run bench -- --peers` (bench/docs.ts, bench/chart.ts): edit those, not this file. -->",
    "",
    `otpkit's runtime measured side by side with a hand-written actor loop (the yardstick: the least` +
      ` work an actor system can do) and ${peers.length} JavaScript actor libraries` +
      ` (${peers.map((p) => `${p.name} ${versions[p.name]}`).join(", ")}), on the same workloads at the` +
      " same sizes, in one run on one machine.",
    "",
    "## Results",
    "",
    `Median (min – max) of ${input.runs} timed rounds after ${WARMUP} warm-up rounds. Each workload` +
      " runs in a child process of its own; a round runs every subject once, after a full garbage" +
      ` collection, in the order ${names.join(", ")}. The last column is otpkit's figure against` +
      " the loop's, oriented so that higher is better (otpkit ÷ loop for rates, loop ÷ otpkit for" +
      " times and sizes). —: the subject has no such workload (see the notes).",
    "",
    ...resultsTable(input),
    ...preset(input.keep),
    "",
    "![Each subject relative to the loop, per workload](performance.svg)",
    "",
    "The workloads:",
    "",
    ...input.results.map(
      ({ workload: w }) =>
        `- \`${w.name}\` (${w.unit}, ${w.better} is better; size ${w.size.toLocaleString("en-US")}): ${w.description}.`,
    ),
    "",
    "## The machine",
    "",
    "| cpus | model | memory | Node.js | V8 | platform | date |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| ${m.cpus} | ${m.model} | ${(m.totalMemBytes / 2 ** 30).toFixed(0)} GiB | ${m.node} | ${m.v8} | ${m.platform} ${m.arch} | ${m.date} |`,
    "",
    "## Commands",
    "",
    `- \`npm run bench -- --peers\`: this page (and bench/results.json, with the peers beside` +
      ` otpkit and the loop); it took ${Math.round(input.seconds)} s.`,
    "- `npm run bench`: otpkit and the loop only; prints the table and writes bench/results.json.",
    "- `npm run build && node --expose-gc dist/bench/run.js call_per_s cast_per_s --peers --runs=9`:" +
      " some workloads, any number of timed rounds; results.json and this page are left alone.",
    "- `npm run bench:preset` (or `npm run bench -- --preset`): the Jest preset's overhead per test.",
    "",
    "## Targets (issues 2, 3 and 4)",
    "",
    ...targetsSection(input),
    "",
    "## Issue 7's goals",
    "",
    ...issue7Section(input),
    "",
    "## The subjects, and what each one's equivalent of a workload is",
    "",
    "The code is in bench/subjects/, one file per subject, one commented function per workload.",
    "",
    ...subjectsSection(input),
    "",
    "## What is not equal",
    "",
    ...FAIRNESS.map((f) => `- ${f}`),
    "",
    "## Notes on the workloads",
    "",
    ...notesByText(input.results).map(
      ([names, note]) => `- ${names.map((n) => `\`${n}\``).join(", ")}: ${note}`,
    ),
    "",
    ...leaksSection(),
    "",
    // `npm run bench -- --scaling` writes its own section: carried over as it is.
    keptScalingSection(),
    "",
    // So does `npm run bench -- --explore`.
    keptExploreSection(),
  ];
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  // Loaded here, not at the top: run.ts (and so this module) is loaded by every child process.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(DOC)) ?? {};
  fs.writeFileSync(DOC, await prettier.format(md.join("\n"), { ...options, filepath: DOC }));
  fs.writeFileSync(SVG, chart(input.results, names, BASELINE));
  return [DOC, SVG];
}
