/**
 * A plain run catches races. Each test's body runs first on a fifo node that
 * records happens-before (./race-tracker.ts); every pair of deliveries to one
 * receiver from different senders that happens-before leaves unordered is a
 * race. The body is then rerun (fresh node, same fifo schedule) with one race
 * reversed at a time (the first delivery held back until the second has
 * landed), within a small budget. A reversal that fails the test is a real
 * failure under a schedule OTP allows: the test fails, naming the race,
 * marking it in the chart and printing the replay. The same race fails the
 * same way on every run (the schedule is deterministic).
 *
 * Opt out (for a test that touches the outside world and cannot be rerun):
 * `noRaceCheck()` in the test (that test) or at the top of a file (its
 * tests), or `globals: { otpkit: { raceCheck: false } }` in the Jest config,
 * or OTPKIT_RACE_CHECK=off.
 */
import { Node } from "otpkit";
import { type Hold, TIMER_SENDER } from "otpkit/testing-hooks";
import { renderChart } from "./chart";
import { Rerun, rerunOnFreshNode, testState } from "./context";
import { chartNames } from "./explore";
import type { Landing } from "./race-tracker";
import { markReplayUsed, replayCommand } from "./replay";

/** Reruns per test at most (each reverses one race). */
const DEFAULT_BUDGET = 8;
/** Stop rerunning after this long (ms). */
const DEFAULT_MAX_MS = 1000;

interface RaceConfig {
  raceCheck?: boolean | { runs?: number; maxMs?: number };
}

function config(): { on: boolean; runs: number; maxMs: number } {
  const env = process.env.OTPKIT_RACE_CHECK;
  const g = (globalThis as { otpkit?: RaceConfig }).otpkit?.raceCheck;
  const on = env !== undefined ? !/^(0|off|false|no)$/i.test(env) : g !== false;
  const o = typeof g === "object" ? g : {};
  return { on, runs: o.runs ?? DEFAULT_BUDGET, maxMs: o.maxMs ?? DEFAULT_MAX_MS };
}

let fileOptOut = false;

/** Is the race check on for tests starting now (config, and this file's opt-out)? */
export function raceCheckEnabled(): boolean {
  return !fileOptOut && config().on && process.env.OTPKIT_SCHEDULE !== "random";
}

/**
 * Turns off the plain run's race check: inside a test, for that test; at the
 * top of a file, for the file's tests. For tests that touch the outside
 * world (files, network, clocks, shared state outside the node) and so
 * cannot be rerun; every other test should keep it.
 */
export function noRaceCheck(): void {
  const s = testState();
  if (s === null) fileOptOut = true;
  else s.raceCheck = false;
}

function stable(l: Landing): string {
  return `${l.key}#${l.index}`;
}
function parseStable(s: string): { key: string; index: number } {
  const at = s.lastIndexOf("#");
  return { key: s.slice(0, at), index: Number(s.slice(at + 1)) };
}

function nameIn(names: Map<number, string>, id: number): string {
  if (id >= TIMER_SENDER) return "timer";
  if (id <= 0) return "test";
  return names.get(id) ?? `P${id}`;
}

function explain(
  r: Rerun,
  first: Landing,
  second: Landing,
  seen: number,
  tried: number,
  replay: string,
): string {
  const names = chartNames(r.node, r.names);
  const marks = new Set<number>();
  for (const l of r.tracker.landings)
    if (
      (l.key === first.key && l.index === first.index) ||
      (l.key === second.key && l.index === second.index)
    )
      marks.add(l.at);
  const chart = renderChart(r.tracker.landings, (id) => nameIn(names, id), marks);
  const d = (l: Landing) =>
    `${nameIn(names, l.from)} → ${nameIn(names, l.actor)}: ${short(l.what)}`;
  return (
    `This test depends on the order of two deliveries to ${nameIn(names, first.actor)} from different senders (a race):\n` +
    `  ◆ ${d(first)}\n  ◆ ${d(second)}\n` +
    `In the plain run the first landed first and the test passed; landing the second first (an order OTP allows) fails it.\n` +
    `Coverage: ${seen} racing pair(s) seen, ${tried} tried in both orders.\n` +
    `Replay: ${replay}\n\n${chart}\n\n`
  );
}

function short(what: unknown): string {
  if (what !== null && typeof what === "object" && "signal" in what)
    return `${String(what.signal)} ${String((what as unknown as { reason: unknown }).reason)}`;
  try {
    const s = JSON.stringify(what) ?? String(what);
    return s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return String(what);
  }
}

function fail(error: unknown, head: string): never {
  if (error instanceof Error) {
    error.message = head + error.message;
    throw error;
  }
  throw new Error(head + String(error));
}

/** Adds the seed, the replay command and the chart to a failure under OTPKIT_SCHEDULE=random. */
function randomFailure(error: unknown, node: Node): never {
  const s = testState()!;
  const names = chartNames(node, s.spawned);
  const chart = renderChart(s.recording ?? [], (id) => nameIn(names, id));
  fail(
    error,
    `failed under OTPKIT_SCHEDULE=random, seed ${node.seed}.\n` +
      `Replay: ${replayCommand({ OTPKIT_SCHEDULE: "random", OTPKIT_SEED: node.seed })}\n\n${chart}\n\n`,
  );
}

/** Wraps a test body: the plain run's race check (and random-mode failure reports). */
export function raceChecked<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== "function" || fn.length > 0) return fn; // done-callback tests: as they are
  const wrapped = async function (this: unknown) {
    const s = testState();
    const body = () => fn.call(this);
    if (s === null) return body();
    if (s.node.mode === "random") {
      try {
        return await body();
      } catch (e) {
        randomFailure(e, s.node);
      }
    }
    const name = expect.getState().currentTestName ?? "";
    if (s.tracker === null) return body();
    // A replay printed by a race failure: that reversal, as the only run.
    const target = process.env.OTPKIT_FOR;
    const race = process.env.OTPKIT_RACE;
    if (target === "race" && race !== undefined) {
      markReplayUsed();
      const [a, b] = race.split("/");
      const r = await rerunOnFreshNode(name, body, { held: parseStable(a), until: parseStable(b) });
      if (!r.failed) return;
      const first = {
        ...parseStable(a),
        from: 0,
        actor: 0,
        to: 0,
        what: undefined,
        at: -1,
        tick: 0,
      };
      const l1 = r.tracker.landings.find((l) => stable(l) === a) ?? first;
      const l2 = r.tracker.landings.find((l) => stable(l) === b) ?? first;
      fail(r.error, explain(r, l1, l2, 1, 1, `(replayed) OTPKIT_FOR=race OTPKIT_RACE=${race}`));
    }
    const rerunnable = s.node.processes().length === 0; // nothing set up by hooks on this node
    const tracker = s.tracker;
    await body();
    if (!rerunnable || !s.raceCheck || tracker.races.length === 0) return;
    const { runs, maxMs } = config();
    const started = Date.now();
    const seen = new Set<string>();
    const races = tracker.races.filter(([a, b]) => {
      const k = `${stable(a)}/${stable(b)}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    let tried = 0;
    // Latest races first: the ones closest to the test's assertions.
    for (const [a, b] of races.slice().reverse()) {
      if (tried >= runs || Date.now() - started > maxMs) break;
      tried++;
      const hold: Hold = {
        held: { key: a.key, index: a.index },
        until: { key: b.key, index: b.index },
      };
      const r = await rerunOnFreshNode(name, body, hold);
      if (!r.failed) continue;
      // A control rerun, nothing reversed: if it fails too, the body cannot be rerun (it depends
      // on state outside the node), and no verdict is given.
      const control = await rerunOnFreshNode(name, body, null);
      if (control.failed) return;
      const replay = replayCommand({
        OTPKIT_FOR: "race",
        OTPKIT_RACE: `${stable(a)}/${stable(b)}`,
      });
      fail(r.error, explain(r, a, b, races.length, tried, replay));
    }
  };
  return wrapped as unknown as F;
}

/** Wraps Jest's `it`/`test` (and `.only`) so that each body gets the race check. */
export function wrapTestFunctions(g: Record<string, unknown>): void {
  for (const name of ["it", "test"]) {
    const orig = g[name] as ((...a: unknown[]) => unknown) & Record<string, unknown>;
    if (typeof orig !== "function") continue;
    const wrap = (f: (...a: unknown[]) => unknown) =>
      Object.assign(
        (title: unknown, fn: unknown, timeout?: unknown) =>
          f(title, typeof fn === "function" ? raceChecked(fn as () => unknown) : fn, timeout),
        f,
      );
    const w = wrap(orig) as unknown as Record<string, unknown>;
    if (typeof orig.only === "function") w.only = wrap(orig.only as (...a: unknown[]) => unknown);
    g[name] = w;
  }
}
