/**
 * Schedule exploration: run a scenario under many random schedules; on a
 * failure, shrink the schedule (fewest forced choices that still fail) and
 * report the seed, a replay command and the message sequence chart.
 */
import { relative } from "path";
import { LogEvent, Node, Pid, createNode, currentNode, setCurrentNode } from "otpkit";
import {
  type Delivery,
  type ProcessView,
  choicesOf,
  recordDeliveries,
  viewOf,
} from "otpkit/testing-hooks";
import { collectingLogger, testState } from "./context";
import { renderChart } from "./chart";

/** Options for `explore` and `findFailingSchedule`. */
export interface ExploreOptions {
  /** How many schedules (default 100; `OTPKIT_RUNS` overrides). */
  runs?: number;
  /** The first seed (default 1); run k uses seed + k. */
  seed?: number;
  /** Shrink a failing schedule before reporting it (default true). */
  shrink?: boolean;
}

/** A schedule under which the scenario failed. */
export interface FailingSchedule {
  /** The seed of the first failing run. */
  seed: number;
  /** The shrunk schedule: the choice at each scheduling point (0 = the first option). */
  schedule: number[];
  /** How many choices in `schedule` are forced (not 0). */
  forced: number;
  /** Schedules tried before this one failed. */
  runs: number;
  /** What the scenario threw. */
  error: unknown;
  /** The interleaving that led to it, as a message sequence chart. */
  chart: string;
  /** A command that replays exactly this run. */
  replay: string;
}

interface Run {
  error: unknown;
  failed: boolean;
  choices: number[];
  recording: Delivery[];
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

async function runOnce(
  fn: (node: Node) => unknown,
  seed: number,
  schedule?: number[],
): Promise<Run> {
  const logs: LogEvent[] = [];
  const unwatched: LogEvent[] = [];
  const spawned: Array<{ id: number; view: ProcessView | null }> = [];
  const node = createNode({
    mode: "random",
    seed,
    schedule,
    logger: collectingLogger(logs, unwatched),
    recentEvents: 10,
    onSpawn: (pid) => spawned.push({ id: pid.id, view: viewOf(pid) }),
  });
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
  const names = new Map<number, string>();
  const given = labels.get(node);
  const seen = new Map<string, number>();
  for (const { id, view } of spawned) {
    const call = view?.initialCall;
    let n =
      given?.get(id) ??
      (typeof call === "string" && call.endsWith(".init") ? call.slice(0, -5) : `P${id}`);
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k > 1) n = `${n}#${k}`;
    names.set(id, n);
  }
  node.shutdown();
  setCurrentNode(previous);
  return { error, failed, choices: choicesOf(node), recording, names };
}

function runsFromEnv(options: ExploreOptions): { seeds: number[]; schedule?: number[] } {
  const seedEnv = process.env.OTPKIT_SEED;
  if (seedEnv !== undefined) {
    const choices = process.env.OTPKIT_CHOICES;
    return {
      seeds: [Number(seedEnv)],
      schedule: choices === undefined ? undefined : parseChoices(choices),
    };
  }
  const runs = Number(process.env.OTPKIT_RUNS ?? options.runs ?? 100);
  if (!Number.isInteger(runs) || runs < 1)
    throw new TypeError(`explore: runs must be an integer >= 1, got ${runs}`);
  const first = options.seed ?? 1;
  return { seeds: Array.from({ length: runs }, (_, i) => first + i) };
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
async function shrink(fn: (node: Node) => unknown, seed: number, run: Run): Promise<Run> {
  let best = run;
  let attempts = 0;
  for (let changed = true; changed && attempts < 300;) {
    changed = false;
    for (let i = 0; i < best.choices.length && attempts < 300; i++) {
      if (best.choices[i] === 0) continue;
      const trial = best.choices.slice();
      trial[i] = 0;
      attempts++;
      const r = await runOnce(fn, seed, trial);
      if (r.failed) {
        best = r;
        changed = true;
      }
    }
  }
  return best;
}

function replayCommand(seed: number, schedule: number[]): string {
  const st = expect.getState();
  const file = st.testPath ? relative(process.cwd(), st.testPath) : "<test file>";
  const choices = formatChoices(schedule);
  return `OTPKIT_SEED=${seed}${choices ? ` OTPKIT_CHOICES=${choices}` : ""} npx jest ${file} -t ${JSON.stringify(st.currentTestName ?? "")}`;
}

/**
 * Runs `fn` under many random schedules (a fresh node each, current for the
 * module-level API) and returns the first failing one, shrunk; undefined if
 * every run passed. Use it to assert that a known-bad test does fail.
 */
export async function findFailingSchedule(
  fn: (node: Node) => unknown,
  options: ExploreOptions = {},
): Promise<FailingSchedule | undefined> {
  const { seeds, schedule } = runsFromEnv(options);
  for (let k = 0; k < seeds.length; k++) {
    const run = await runOnce(fn, seeds[k], schedule);
    if (!run.failed) continue;
    const best = options.shrink === false ? run : await shrink(fn, seeds[k], run);
    const sched = best.choices.slice();
    while (sched.length > 0 && sched[sched.length - 1] === 0) sched.pop();
    return {
      seed: seeds[k],
      schedule: sched,
      forced: sched.filter((c) => c !== 0).length,
      runs: k + 1,
      error: best.error,
      chart: renderChart(best.recording, (id) => best.names.get(id) ?? `P${id}`),
      replay: replayCommand(seeds[k], sched),
    };
  }
  return undefined;
}

/**
 * Runs `fn` under many random schedules; fails with the seed, the replay
 * command and the interleaving (shrunk) of the first schedule that fails.
 */
export async function explore(
  fn: (node: Node) => unknown,
  options: ExploreOptions = {},
): Promise<void> {
  const f = await findFailingSchedule(fn, options);
  if (f === undefined) return;
  const cause = f.error instanceof Error ? f.error.message : String(f.error);
  const err = new Error(
    `failed under schedule seed ${f.seed} (run ${f.runs}), shrunk to ${f.forced} forced choice(s).\n` +
      `Replay: ${f.replay}\n\n${f.chart}\n\n${cause}`,
  );
  throw err;
}
