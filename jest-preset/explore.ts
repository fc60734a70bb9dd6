/**
 * Schedule exploration: run a scenario under many schedules of OTP's space
 * (docs/schedule-model.md), each on a fresh node.
 *
 * - `"random"` (default): a seed per run; a failing run is shrunk (fewest
 *   forced choices that still fail).
 * - `"pct"`: probabilistic concurrency testing with bug depth `depth`.
 * - `"exhaustive"`: stateless source-set DPOR (./dpor.ts): every distinct
 *   interleaving, deliveries that do not race never re-ordered; `complete`
 *   when the search space was exhausted within the bounds.
 *
 * A failure reports the strategy's summary, the replay command (scoped to
 * this explore call of this test) and the message sequence chart.
 */
import { LogEvent, Node, NodeOptions, Pid, createNode, currentNode, setCurrentNode } from "otpkit";
import {
  type Chooser,
  type StepRecord,
  choicesOf,
  createControlledNode,
  prng,
  recordDeliveries,
  traceSteps,
  viewOf,
} from "otpkit/testing-hooks";
import type { Delivery } from "otpkit/testing-hooks";
import { collectingLogger, testState } from "./context";
import { renderChart } from "./chart";
import { watchNode } from "./deadlock";
import { Dpor, traceSignature } from "./dpor";
import { markReplayUsed, replayCommand, replayTarget } from "./replay";

/** The exploration strategies. */
export type Strategy = "random" | "pct" | "exhaustive";

/** Options for `explore` and `findFailingSchedule`. */
export interface ExploreOptions {
  /** `"random"` (default), `"pct"` or `"exhaustive"`. */
  strategy?: Strategy;
  /** random, pct: how many schedules (default 100; `OTPKIT_RUNS` overrides). */
  runs?: number;
  /** The most runs (exhaustive: default 2,000; random, pct: as `runs`). */
  maxRuns?: number;
  /** Stop after this many ms (the summary then says `complete: false`). */
  maxMs?: number;
  /** pct: the bug depth d (default 2): how many ordering constraints the bug needs. */
  depth?: number;
  /** random, pct: the first seed (default 1); run k uses seed + k. */
  seed?: number;
  /** random: shrink a failing schedule before reporting it (default true). */
  shrink?: boolean;
}

/** What an exploration did. */
export interface ExploreSummary {
  strategy: Strategy;
  /** Schedules run. */
  runs: number;
  /** Distinct interleavings among them (by the order of the steps that touch the same state). */
  distinct: number;
  /** Every schedule of the scenario was covered (exhaustive only, within the bounds). */
  complete: boolean;
}

/** A schedule under which the scenario failed. */
export interface FailingSchedule {
  /** The seed of the failing run (0 for exhaustive). */
  seed: number;
  /** The (shrunk) schedule: the choice at each scheduling point (0 = the oldest option). */
  schedule: number[];
  /** How many choices in `schedule` are forced (not 0). */
  forced: number;
  /** Schedules tried up to and including this one. */
  runs: number;
  /** What the scenario threw. */
  error: unknown;
  /** The interleaving that led to it, as a message sequence chart. */
  chart: string;
  /** A command that replays exactly this run. */
  replay: string;
  /** The exploration up to the failure. */
  summary: ExploreSummary;
}

interface Run {
  error: unknown;
  failed: boolean;
  choices: number[];
  recording: Delivery[];
  trace: StepRecord[] | null;
  names: Map<number, string>;
}

const labels = new WeakMap<Node, Map<number, string>>();

/** Names `pid` in charts (default: the server's module name, or `P<id>`). */
export function label(pid: Pid, name: string): Pid {
  const node = currentNode();
  let m = labels.get(node);
  if (m === undefined) labels.set(node, (m = new Map()));
  m.set(pid.id, name);
  return pid;
}

/** Chart column names for the processes of `node`: labels, else server module names, else P<id>. */
export function chartNames(
  node: Node,
  spawned: ReadonlyArray<{ id: number; proc: { initialCall: string | undefined } | null }>,
): Map<number, string> {
  const names = new Map<number, string>();
  const given = labels.get(node);
  const seen = new Map<string, number>();
  for (const { id, proc } of spawned) {
    const call = proc?.initialCall;
    let n =
      given?.get(id) ??
      (typeof call === "string" && call.endsWith(".init") ? call.slice(0, -5) : `P${id}`);
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k > 1) n = `${n}#${k}`;
    names.set(id, n);
  }
  return names;
}

interface RunSetup {
  seed: number;
  schedule?: number[];
  chooser?: (node: Node, trace: StepRecord[]) => Chooser;
  traced?: boolean;
}

/** Runs `fn` once on a fresh controlled node, current for the module-level API. */
export async function runOnce(fn: (node: Node) => unknown, setup: RunSetup): Promise<Run> {
  const logs: LogEvent[] = [];
  const unwatched: LogEvent[] = [];
  const spawned: Array<{ id: number; proc: { initialCall: string | undefined } | null }> = [];
  const made: { node?: Node; trace?: StepRecord[] } = {};
  const options: NodeOptions = {
    mode: "random",
    seed: setup.seed,
    schedule: setup.schedule,
    keepChoices: true,
    logger: collectingLogger(logs, unwatched),
    recentEvents: 10,
    onSpawn: (pid) => spawned.push({ id: pid.id, proc: viewOf(pid) }),
  };
  let c: Chooser | undefined;
  const chooser = setup.chooser;
  const node = (made.node =
    chooser === undefined
      ? createNode(options)
      : createControlledNode(options, {
          choose: (ids, k) => (c ??= chooser(made.node!, made.trace ?? [])).choose(ids, k),
        }));
  watchNode(node);
  const trace = setup.traced ? (made.trace = traceSteps(node)) : null;
  const recording = recordDeliveries(node);
  const previous = testState()?.node;
  setCurrentNode(node);
  let error: unknown = undefined;
  let failed = false;
  try {
    await fn(node);
    if (unwatched.length > 0) {
      failed = true;
      error = new Error(
        `a process crashed and nothing was watching it:\n${unwatched.map((e) => e.text).join("\n")}`,
      );
    }
  } catch (e) {
    failed = true;
    error = e;
  }
  const names = chartNames(node, spawned);
  node.shutdown();
  setCurrentNode(previous);
  return {
    error,
    failed,
    choices: choicesOf(node),
    recording,
    trace,
    names,
  };
}

/** `"12:1,40:2"` ↔ a schedule with those choices forced. */
function parseChoices(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(",").filter(Boolean)) {
    const [i, v] = part.split(":").map(Number);
    out[i] = v;
  }
  return Array.from(out, (v) => v ?? 0);
}
function formatChoices(schedule: number[]): string {
  return schedule.flatMap((v, i) => (v === 0 ? [] : [`${i}:${v}`])).join(",");
}

/** Zeroes forced choices one at a time while the run still fails, pass after pass, until a pass removes none. */
async function shrink(fn: (node: Node) => unknown, setup: RunSetup, run: Run): Promise<Run> {
  let best = run;
  let attempts = 0;
  for (let changed = true; changed && attempts < 300;) {
    changed = false;
    for (let i = 0; i < best.choices.length && attempts < 300; i++) {
      if (best.choices[i] === 0) continue;
      const trial = best.choices.slice();
      trial[i] = 0;
      attempts++;
      const r = await runOnce(fn, { ...setup, schedule: trial });
      if (r.failed) {
        best = r;
        changed = true;
      }
    }
  }
  return best;
}

/** The per-test count of explore calls (a replay names the call it was printed for). */
let callsIn: unknown = null;
let calls = 0;
function nextCall(): number {
  const st = testState();
  if (st !== callsIn) {
    callsIn = st;
    calls = 0;
  }
  return ++calls;
}

/** PCT (Burckhardt et al., ASPLOS 2010): random priorities, d - 1 priority change points. */
function pctChooser(seed: number, depth: number, steps: number): Chooser {
  const rand = prng(seed);
  const prio = new Map<string, number>();
  const changes = new Set<number>();
  for (let i = 0; i < depth - 1; i++) changes.add(Math.floor(rand() * Math.max(1, steps)));
  let low = 0;
  return {
    choose(ids, k) {
      let best = 0;
      let bestP = -Infinity;
      ids.forEach((id, i) => {
        const p = prio.get(id) ?? 1 + rand();
        prio.set(id, p);
        if (p > bestP) {
          bestP = p;
          best = i;
        }
      });
      if (changes.has(k)) prio.set(ids[best]!, low--);
      return best;
    },
  };
}

function recordingSignature(rec: readonly Delivery[]): string {
  const per = new Map<number, number[]>();
  for (const d of rec) {
    let l = per.get(d.to);
    if (l === undefined) per.set(d.to, (l = []));
    l.push(d.from);
  }
  return JSON.stringify([...per].sort((a, b) => a[0] - b[0]));
}

function intOption(name: string, v: unknown, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min)
    throw new TypeError(`explore: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v as number;
}

/**
 * Explores the schedules of `fn` (a fresh node each, current for the
 * module-level API) and returns the first failing one (random: shrunk), or
 * undefined with the summary in `onSummary`. Use it to assert that a
 * known-bad test does fail.
 */
export async function findFailingSchedule(
  fn: (node: Node) => unknown,
  options: ExploreOptions = {},
  onSummary?: (s: ExploreSummary) => void,
): Promise<FailingSchedule | undefined> {
  const strategy = options.strategy ?? "random";
  if (strategy !== "random" && strategy !== "pct" && strategy !== "exhaustive")
    throw new TypeError(
      `explore: strategy must be "random", "pct" or "exhaustive", got ${String(strategy)}`,
    );
  const call = nextCall();
  const started = Date.now();
  const maxMs = options.maxMs ?? Infinity;
  const envRuns = process.env.OTPKIT_RUNS;
  const runs = intOption(
    "runs",
    envRuns !== undefined
      ? Number(envRuns)
      : (options.runs ?? options.maxRuns ?? (strategy === "exhaustive" ? 2000 : 100)),
    1,
  );
  const first = options.seed ?? 1;
  const depth = intOption("depth", options.depth ?? 2, 1);
  const signatures = new Set<string>();
  let done = 0;
  const summary = (complete: boolean): ExploreSummary => ({
    strategy,
    runs: done,
    distinct: signatures.size,
    complete,
  });

  const fail = async (run: Run, setup: RunSetup, env: Record<string, string | number>) => {
    let best = run;
    if (strategy === "random" && options.shrink !== false) best = await shrink(fn, setup, run);
    const sched = best.choices.slice();
    while (sched.length > 0 && sched[sched.length - 1] === 0) sched.pop();
    const choices = formatChoices(sched);
    return {
      seed: setup.seed,
      schedule: sched,
      forced: sched.filter((c) => c !== 0).length,
      runs: done,
      error: best.error,
      chart: renderChart(best.recording, (id) => best.names.get(id) ?? `P${id}`),
      replay: replayCommand({
        OTPKIT_FOR: `explore:${call}`,
        ...env,
        ...(choices ? { OTPKIT_CHOICES: choices } : {}),
      }),
      summary: summary(false),
    };
  };

  // A replay printed for this very call: one schedule, and it says so.
  const target = replayTarget();
  if (target === `explore:${call}` && process.env.OTPKIT_SEED !== undefined) {
    markReplayUsed();
    const seed = Number(process.env.OTPKIT_SEED);
    const choices = process.env.OTPKIT_CHOICES;
    const setup: RunSetup = {
      seed,
      schedule: choices === undefined ? undefined : parseChoices(choices),
      traced: process.env.OTPKIT_STRATEGY === "exhaustive",
    };
    const run = await runOnce(fn, setup);
    done = 1;
    signatures.add(recordingSignature(run.recording));
    if (!run.failed) {
      onSummary?.(summary(false));
      return undefined;
    }
    const f = await fail(
      run,
      { ...setup },
      {
        OTPKIT_SEED: seed,
        ...(setup.traced ? { OTPKIT_STRATEGY: "exhaustive" } : {}),
      },
    );
    f.replay = `${f.replay}   (replayed: OTPKIT_FOR=${target} ran this one schedule only)`;
    return f;
  }
  if (
    process.env.OTPKIT_SEED !== undefined &&
    target !== undefined &&
    target.startsWith("explore:")
  )
    console.warn(
      `explore: OTPKIT_SEED is set for ${target}; this is explore call ${call} of the test, which explores as usual`,
    );

  if (strategy === "exhaustive") {
    const dpor = new Dpor();
    for (;;) {
      if (done >= runs || Date.now() - started > maxMs) {
        onSummary?.(summary(false));
        return undefined;
      }
      const run = await runOnce(fn, {
        seed: 0,
        traced: true,
        chooser: (_node, trace) => ({ choose: (ids, k) => dpor.choose(ids, k, trace) }),
      });
      done++;
      const trace = run.trace ?? [];
      signatures.add(traceSignature(trace));
      if (run.failed) {
        const sched = trace.map((s) => s.enabled.indexOf(s.id));
        run.choices = sched;
        return fail(run, { seed: 0 }, { OTPKIT_SEED: 0, OTPKIT_STRATEGY: "exhaustive" });
      }
      dpor.finish(trace);
      if (!dpor.next()) {
        onSummary?.(summary(!dpor.diverged));
        return undefined;
      }
    }
  }

  let steps = 64;
  for (let k = 0; k < runs; k++) {
    if (Date.now() - started > maxMs) break;
    const seed = first + k;
    const setup: RunSetup =
      strategy === "pct" ? { seed, chooser: () => pctChooser(seed, depth, steps) } : { seed };
    const run = await runOnce(fn, setup);
    done++;
    signatures.add(recordingSignature(run.recording));
    if (strategy === "pct") steps = Math.max(steps, run.recording.length * 2);
    if (run.failed)
      return fail(run, setup, {
        OTPKIT_SEED: seed,
        ...(strategy === "pct" ? { OTPKIT_STRATEGY: "pct" } : {}),
      });
  }
  onSummary?.(summary(false));
  return undefined;
}

/**
 * Explores the schedules of `fn`; resolves with the summary
 * `{ strategy, runs, distinct, complete }`, or fails with it, the replay
 * command and the interleaving of the first schedule that fails.
 */
export async function explore(
  fn: (node: Node) => unknown,
  options: ExploreOptions = {},
): Promise<ExploreSummary> {
  let result: ExploreSummary | undefined;
  const f = await findFailingSchedule(fn, options, (s) => (result = s));
  if (f === undefined) return result!;
  const s = f.summary;
  const head =
    (s.strategy === "random"
      ? `failed under schedule seed ${f.seed} (run ${f.runs}), shrunk to ${f.forced} forced choice(s).\n`
      : `failed under ${s.strategy} exploration (run ${f.runs}), ${f.forced} forced choice(s).\n`) +
    `Explored: ${s.runs} run(s), ${s.distinct} distinct interleaving(s), stopped at the first failure.\n` +
    `Replay: ${f.replay}\n\n${f.chart}\n\n`;
  if (f.error instanceof Error) {
    // The user's own failure, with its stack: its code frame points at the failing expect.
    const e = f.error;
    e.message = head + e.message;
    throw e;
  }
  throw new Error(head + String(f.error));
}
