/**
 * The per-test state the preset keeps: the test's node, the crashes nobody
 * was watching, the exits the test awaited, and the test's own process.
 */
import { LogEvent, Node, NodeOptions, Pid, createNode, formatReason, setCurrentNode } from "otpkit";
import {
  type Delivery,
  type Hold,
  exitReasonOf,
  recordDeliveries,
  trackRaces,
  viewOf,
} from "otpkit/testing-hooks";
import { beginDeadlockCheck, endDeadlockCheck, watchNode } from "./deadlock";
import { clearTestTimers, trackTestTimers } from "./leftover-timers";
import { RaceTracker } from "./race-tracker";

/** Kinds of log events that report a crash. */
const CRASH_KINDS = new Set(["crash", "crash_report", "gen_server_terminate"]);

export interface TestState {
  node: Node;
  /** Every report of the test's processes. */
  logs: LogEvent[];
  /** Crash reports of processes that had no link and no monitor when they crashed. */
  unwatched: LogEvent[];
  /** Processes whose exit the test awaited or declared expected. */
  expected: Set<Pid>;
  allowCrashes: boolean;
  failOnLeftovers: boolean;
  /** Where each process was spawned (when leftovers are tracked). */
  spawnedAt: Map<Pid, string> | null;
  /** The test's own process, per node. */
  testProcesses: Map<Node, { readonly pid: Pid }>;
  /** Every test process the test had (a killed one is replaced): their deaths fail the test. */
  testPids: Pid[];
  /** Plain runs: the race tracker of the test's node (null: no race check). */
  tracker: RaceTracker | null;
  /** The processes spawned on the test's node, for charts. */
  spawned: Array<{ id: number; proc: { initialCall: string | undefined } | null }>;
  /** OTPKIT_SCHEDULE=random: the landed signals, for the failure's chart. */
  recording: Delivery[] | null;
  /** The test opted out of the race check (`noRaceCheck()`). */
  raceCheck: boolean;
}

let state: TestState | null = null;

/** The running test's state, or null outside a test run by the preset. */
export function testState(): TestState | null {
  return state;
}

/** Is a crash of `pid` being watched (someone linked or monitoring)? Checked when it is reported. */
function watched(pid: Pid): boolean {
  return viewOf(pid)?.watched ?? false;
}

/** A logger that keeps the test's reports and notes unwatched crashes. */
export function collectingLogger(logs: LogEvent[], unwatched: LogEvent[]) {
  return (e: LogEvent) => {
    logs.push(e);
    if (e.level === "error" && CRASH_KINDS.has(e.kind) && !watched(e.pid)) unwatched.push(e);
  };
}

/** Node options for a test: `OTPKIT_SCHEDULE=random` runs it on a random schedule (seed: `OTPKIT_SEED`, else from the test's name). */
export function nodeOptionsFor(testName: string): NodeOptions {
  const random = process.env.OTPKIT_SCHEDULE === "random";
  const seedEnv = process.env.OTPKIT_SEED;
  return random
    ? { mode: "random", seed: seedEnv !== undefined ? Number(seedEnv) : hash(testName) }
    : {};
}

/** A stable 31-bit hash of a string (FNV-1a). */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** A fresh node for a test (or a rerun of it): its logs, and race tracking in plain runs. */
function testNode(
  testName: string,
  sink: () => Pick<TestState, "spawnedAt" | "spawned">,
  logs: LogEvent[],
  unwatched: LogEvent[],
  race: boolean,
  hold: Hold | null,
): { node: Node; tracker: RaceTracker | null; recording: Delivery[] | null } {
  // Spawn sites are recorded once leftovers are tracked (env, or failOnLeftovers() from then on).
  const onSpawn = (pid: Pid) => {
    const s = sink();
    s.spawned.push({ id: pid.id, proc: viewOf(pid) });
    s.spawnedAt?.set(pid, new Error().stack?.split("\n").slice(3, 8).join("\n") ?? "");
  };
  const options = nodeOptionsFor(testName);
  const node = createNode({
    ...options,
    keepChoices: false,
    logger: collectingLogger(logs, unwatched),
    recentEvents: 10,
    onSpawn,
  });
  watchNode(node);
  let tracker: RaceTracker | null = null;
  let recording: Delivery[] | null = null;
  if (options.mode === "random") recording = recordDeliveries(node);
  else if (race) trackRaces(node, (tracker = new RaceTracker()), hold);
  return { node, tracker, recording };
}

/** Starts a test: a fresh node, current for the module-level API. */
export function beginTest(testName: string, raceCheck = false): TestState {
  const logs: LogEvent[] = [];
  const unwatched: LogEvent[] = [];
  const track = process.env.OTPKIT_FAIL_ON_LEFTOVERS === "1";
  const base = { spawnedAt: track ? new Map<Pid, string>() : null, spawned: [] };
  const { node, tracker, recording } = testNode(
    testName,
    () => s,
    logs,
    unwatched,
    raceCheck,
    null,
  );
  const s: TestState = {
    node,
    logs,
    unwatched,
    expected: new Set(),
    allowCrashes: false,
    failOnLeftovers: track,
    ...base,
    testProcesses: new Map(),
    testPids: [],
    tracker,
    recording,
    raceCheck,
  };
  state = s;
  trackTestTimers();
  beginDeadlockCheck(node);
  setCurrentNode(node);
  return state;
}

/** What a rerun of the test body on a fresh node did. */
export interface Rerun {
  failed: boolean;
  error: unknown;
  tracker: RaceTracker;
  names: TestState["spawned"];
  node: Node;
}

/**
 * Runs `body` again on a fresh race-tracked node (with `hold`: one race
 * reversed), in place of the test's node for the time of the run.
 */
export async function rerunOnFreshNode(
  testName: string,
  body: () => unknown,
  hold: Hold | null,
): Promise<Rerun> {
  const s = state!;
  const saved = { ...s };
  const logs: LogEvent[] = [];
  const unwatched: LogEvent[] = [];
  const spawned: TestState["spawned"] = [];
  const { node, tracker } = testNode(
    testName,
    () => ({ spawnedAt: null, spawned }),
    logs,
    unwatched,
    true,
    hold,
  );
  Object.assign(s, {
    node,
    logs,
    unwatched,
    spawned,
    spawnedAt: null,
    testProcesses: new Map(),
    testPids: [],
  });
  setCurrentNode(node);
  let failed = false;
  let error: unknown;
  try {
    await body();
  } catch (e) {
    failed = true;
    error = e;
  }
  const crashes = unwatched.filter((e) => !s.expected.has(e.pid));
  if (!failed && !s.allowCrashes && crashes.length > 0) {
    failed = true;
    error = new Error(
      `a process crashed and nothing was watching it:\n${crashes.map((e) => e.text).join("\n")}`,
    );
  }
  node.shutdown();
  Object.assign(s, {
    node: saved.node,
    logs: saved.logs,
    unwatched: saved.unwatched,
    spawned: saved.spawned,
    spawnedAt: saved.spawnedAt,
    testProcesses: saved.testProcesses,
    testPids: saved.testPids,
  });
  setCurrentNode(saved.node);
  return { failed, error, tracker: tracker!, names: spawned, node };
}

/**
 * Ends a test: every process it started is stopped and its timers cancelled.
 * Returns the problems to fail the test with (unwatched crashes, leftovers).
 */
export function endTest(): string[] {
  const s = state;
  state = null;
  endDeadlockCheck();
  setCurrentNode(undefined);
  if (s === null) return [];
  const problems: string[] = [];
  const timers = clearTestTimers();
  if (s.failOnLeftovers && timers > 0)
    problems.push(`${timers} timer(s) left pending at the end of the test (cleared)`);
  if (s.failOnLeftovers) {
    const own = new Set([...s.testProcesses.values()].map((p) => (p as { pid: Pid }).pid));
    const left = s.node.processes().filter((pid) => !own.has(pid));
    if (left.length > 0)
      problems.push(
        `${left.length} process(es) left running at the end of the test:\n` +
          left
            .map((pid) => `  ${pid} spawned at\n${s.spawnedAt?.get(pid) ?? "    (unknown)"}`)
            .join("\n"),
      );
  }
  const killed = s.testPids.filter((pid) => !s.node.isAlive(pid) && !s.expected.has(pid));
  s.node.shutdown();
  if (!s.allowCrashes) {
    for (const pid of killed) {
      const reason = exitReasonOf(pid);
      if (reason !== "normal")
        problems.push(
          `the test process ${pid} was killed during this test (exit reason: ${formatReason(reason)}): ` +
            `it was linked to a process that exited, or was sent an exit signal ` +
            `(trap exits, or await awaitDown(me.pid), if that is intended)`,
        );
    }
    const crashes = s.unwatched.filter((e) => !s.expected.has(e.pid));
    if (crashes.length > 0)
      problems.push(
        `a process crashed during this test and nothing was watching it (call expectCrash() if that is intended):\n` +
          crashes.map((e) => e.text).join("\n\n"),
      );
  }
  return problems;
}

/** Marks the exit of `pid` as expected by the test (its crash does not fail the test). */
export function expectExit(pid: Pid): void {
  state?.expected.add(pid);
}

/**
 * Declares that processes may crash in this test without failing it (all of
 * them, or only `pids`).
 */
export function expectCrash(...pids: Pid[]): void {
  if (state === null) return;
  if (pids.length === 0) state.allowCrashes = true;
  for (const p of pids) state.expected.add(p);
}

/** Makes this test fail if processes it started are still running at its end. */
export function failOnLeftovers(): void {
  if (state === null) return;
  state.failOnLeftovers = true;
  state.spawnedAt ??= new Map();
}
