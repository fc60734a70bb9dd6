/**
 * The "Exploration speed" section of docs/performance.md, written by
 * `npm run bench -- --explore` (explore-speed.ts): between two marker
 * comments, replaced in place (or appended), so the rest of the page is
 * left as it is; `keptExploreSection` lets the `--peers` writer carry it over.
 */
import type { ExploreCase, Sample } from "./explore-speed-cases";
import { MIN_SAMPLE_MS, PCT_DEPTH, SAMPLED_RUNS, WARM_UP_SCHEDULES } from "./explore-speed-cases";
import { keptSection, writeSection } from "./doc-section";
import type { Machine } from "./machine";
import { summarize } from "./stats";

const START =
  "<!-- explore:start (written by `npm run bench -- --explore`: bench/explore-speed*.ts) -->";
const END = "<!-- explore:end -->";

/** One case's samples. */
export interface ExploreResult {
  case: ExploreCase;
  samples: Sample[];
}

export interface ExploreInput {
  machine: Machine;
  results: readonly ExploreResult[];
  reps: number;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
}

const med = (xs: readonly number[]) => summarize(xs).median;
const int = (x: number) => Math.round(x).toLocaleString("en-US");
/** `12.3 ms`, `1.23 s`. */
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toPrecision(3)} s` : `${x.toPrecision(3)} ms`);

/** A count that is the same in every sample, else its median and range. */
function count(xs: readonly number[]): string {
  const s = summarize(xs);
  return s.min === s.max ? int(s.min) : `${int(s.median)} (${int(s.min)} – ${int(s.max)})`;
}

function outcome(c: ExploreCase, samples: readonly Sample[]): string {
  const complete = samples.every((s) => s.complete);
  if (c.expect === "failure") return "failure found";
  return complete ? "passed, complete" : "passed";
}

/** The table, as Markdown lines. */
export function exploreTable(results: readonly ExploreResult[]): string[] {
  const lines = [
    "| strategy | body | schedules run | distinct | outcome | per sample | wall | schedules/s | CPU per schedule |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const { case: c, samples } of results) {
    const wall = summarize(samples.map((s) => s.wallMs));
    const rate = med(samples.map((s) => (s.runs * 1000) / s.wallMs));
    const cpu = med(samples.map((s) => s.cpuMs / s.runs));
    const strategy = c.strategy === "pct" ? `pct (depth ${c.depth})` : c.strategy;
    lines.push(
      `| ${strategy} | \`${c.body}\` | ${count(samples.map((s) => s.runs))} | ${count(samples.map((s) => s.distinct))}` +
        ` | ${outcome(c, samples)} | ${count(samples.map((s) => s.explorations))} | ${ms(wall.median)} (${ms(wall.min)} – ${ms(wall.max)})` +
        ` | ${int(rate)} | ${ms(cpu)} |`,
    );
  }
  return lines;
}

/**
 * Where a schedule's time goes (kept by hand: the figures above are the
 * bench's, this is the analysis of a profile of them).
 */
const READING = [
  "**A schedule costs a few tenths of a millisecond of CPU once warm.** The scenario is small" +
    " (a GenServer, two subscribers, two subscribe calls, a kill, a call: 14 to 20" +
    " interleavings), so each schedule's fixed costs weigh: a fresh node, the delivery" +
    " recording, the Jest assertion. Exhaustive's CPU per schedule was 2–3× random's and pct's" +
    " in the runs of 2026-12-05: it traces every step and runs the DPOR bookkeeping after each" +
    " schedule. A profile of exhaustive on `fixedWithDownThenSync` alone (30 samples) puts" +
    " dpor.ts at 12% of the Jest process's CPU time (`addRaces` 4.1%, `traceSignature` 4.1%," +
    " `choose` 2.3%; start-up and idle time included) and garbage collection at 21%. With a" +
    " warm-up of one exploration instead of 500 schedules, exhaustive's few schedules ran on" +
    " cold code and looked five times dearer than random's.",
  "**About a fifth of a schedule is Jest's, not otpkit's.** A CPU profile of random on" +
    " `fixedWithDownThenSync` (2026-12-05, shared machine, `node --cpu-prof` on the Jest" +
    " process, 20 explorations of 500 schedules) gave, by self time: Jest's `expect` and" +
    " `@jest/expect-utils` 14% (the body's one `expect(...).toEqual(...)` per schedule: Jest 30" +
    " builds a `JestAssertionError` for its stack on every `expect` call, 1.6% alone); Node's" +
    " promise hooks 6.5% (jest-circus keeps the running test in an `AsyncLocalStorage`, which" +
    " on Node 20 turns on async hooks for every promise); garbage collection 21% (everyone's);" +
    " otpkit's scheduler 9%; explore.ts itself 4.3%; the preset's `callSite` (a stack captured" +
    " by each `awaitDown`, `awaitSysEvent` and `testProcess` call, for error messages) 2.6%.",
  "**`distinct` for random and pct stays at 2 in 500 schedules** of either fixed body, while" +
    " exhaustive counts 14 and 20: the keys differ (see above), so these numbers do not say" +
    " that random or pct missed interleavings. What the table does say is that exhaustive" +
    " finishes this scenario, with its guarantee of covering every interleaving, in 14 to 20" +
    " schedules, far fewer than a sampled run of 500.",
];

function section(input: ExploreInput): string[] {
  const load = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(", ");
  const m = input.machine;
  return [
    START,
    "",
    "## Exploration speed",
    "",
    "How fast `explore` (jest-preset/explore.ts) runs the README's subscriber scenario" +
      " (examples/subscribers/scenario.ts: `naive` asks the server at once after killing A;" +
      " `fixedWithSysEvent` and `fixedWithDownThenSync` first wait for the server to take A's DOWN)." +
      " It runs inside Jest with the compiled preset, as in a user's project: the bench writes a" +
      ' Jest config (the preset\'s own, `preset: "@otpkit/jest"`) and runs' +
      " bench/fixtures/explore-speed.fixture.ts in a subprocess (`--runInBand`), which writes" +
      " one JSON line per case. Each case explores until it has run" +
      ` ${int(WARM_UP_SCHEDULES)} schedules (warm-up), then takes ${input.reps} samples: a sample repeats` +
      ` the exploration until the repeats have taken ${MIN_SAMPLE_MS} ms (each doing the same: schedules,` +
      " distinct, outcome) and gives the mean per exploration (the `per sample` column: how many)." +
      " The table gives the medians of the samples (wall per exploration: median, min – max)." +
      " A schedule is one run of the test body on a fresh node. Exhaustive runs until the search" +
      " is complete (source-set DPOR: one schedule per distinct interleaving), or, on `naive`, to" +
      " the first failing schedule (its time includes building the failure's report and chart);" +
      ` random and pct run ${int(SAMPLED_RUNS)} schedules each (pct with bug depth ${PCT_DEPTH}).` +
      " CPU per schedule is the Jest process's user + system time (all threads, garbage" +
      " collection included) divided by the schedules.",
    "",
    "`distinct` is each strategy's own count and not comparable across them: exhaustive counts" +
      " traces that differ in the order of dependent steps (dpor.ts `traceSignature`), random and" +
      " pct count runs that differ in the order of deliveries each process received" +
      " (explore.ts `recordingSignature`), a coarser key.",
    "",
    "Every figure is checked by the fixture before it is written (the bench fails otherwise):" +
      " exhaustive on each fixed body resolved and said `complete: true`; on `naive` it found the" +
      " failing schedule; random and pct resolved (passed) after exactly the schedules claimed.",
    "",
    `Measured ${m.date} on ${m.cpus} × ${m.model}, Node.js ${m.node}; load average` +
      ` (1, 5, 15 min) ${load(input.loadBefore)} before the run and ${load(input.loadAfter)} after` +
      ` it: the machine ${Math.max(...input.loadBefore, ...input.loadAfter) > m.cpus * 0.5 ? "was shared, so the figures are noisy" : "was quiet"}.`,
    "",
    ...exploreTable(input.results),
    "",
    "### Reading the figures",
    "",
    ...READING.flatMap((p) => [p, ""]),
    "### Commands",
    "",
    `- \`npm run bench -- --explore\`: this section; it took ${Math.round(input.seconds)} s` +
      ` (Jest included).`,
    "- `npm run build && npm run build:bench && node dist/bench/run.js --explore --reps=9`:" +
      " more samples per case (this section is rewritten).",
    "- `node dist/bench/run.js --explore --reps=20 --cpu-prof-dir=prof`: the same, with a CPU" +
      " profile of the Jest process in prof/ (this section is left alone).",
    "",
    END,
  ];
}

/** The section now in docs/performance.md (markers included), or "" if there is none. */
export function keptExploreSection(): string {
  return keptSection(START, END);
}

/** Writes the section into docs/performance.md (in place of the last one, or at the end); returns the file's path. */
export function writeExploreDoc(input: ExploreInput): Promise<string> {
  return writeSection(START, END, section(input).join("\n"));
}
