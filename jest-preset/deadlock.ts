/**
 * Deadlocks fail at once. When the test awaits a call or a helper and
 * nothing can progress any more, its earliest wait fails now, as its timeout
 * would have failed it (a wait with no timeout: reason `deadlock`), with the
 * wait-for graph (./deadlock-graph.ts) added to its message. Only the
 * earliest: the test may catch it and go on. A wait within MIN_PREEMPT_MS of
 * its timeout is left to time out.
 *
 * "Nothing can progress", checked one macrotask after a node of the test ran
 * out of work (so the microtasks of the last turn have settled), and again
 * while a wait is pending:
 * - the test's nodes are idle: no process to run, no signal in flight;
 * - every live process is blocked in the runtime: in a receive, an idle
 *   behaviour, held by holdAt, suspended, or in a call, start or request of
 *   its own; none is running or awaiting a promise from outside the runtime,
 *   none has a receive or behaviour timeout pending;
 * - no timer the test started (directly or through the runtime: sendAfter,
 *   receive and call timeouts) is pending, except call deadlines that fall
 *   at or after the test's own wait would fail anyway; with Jest's fake
 *   timers, no fake timer is pending (the test may advance the clock);
 * - nothing outside the runtime is pending that was not there when the test
 *   began (Node's active resources: sockets, file requests, child
 *   processes, immediates, timers of `timers`/`timers/promises`), so no
 *   callback can run that sends to a process or settles a promise.
 * When in doubt it does not fire: the wait then ends at its timeout as
 * before. Turn it off with `noDeadlockCheck()` (a test, or a file at its
 * top), `globals: { otpkit: { deadlockCheck: false } }` or
 * OTPKIT_DEADLOCK_CHECK=off.
 */
import type { Node, Pid } from "otpkit";
import {
  type ProcessWait,
  callDeadlineTimer,
  isIdle,
  hasOutsideWaits,
  isShutDown,
  onIdle,
  waitGraph,
} from "otpkit/testing-hooks";
import {
  clearTimeout,
  setImmediate as realSetImmediate,
  setTimeout as realSetTimeout,
} from "timers";
import { RootWait, renderWaitGraph } from "./deadlock-graph";
import { Settle } from "./settle";
import { isFake, pendingTestTimers } from "./leftover-timers";

/** A wait of the test's own through a helper (awaitDown, awaitSysEvent, syncWith, assertReceive...). */
export interface TestWait {
  /** The node of the processes it waits on. */
  readonly node: Node;
  /** The wait as the test wrote it, e.g. `awaitDown(<0.4.0>)`. */
  readonly what: string;
  /** The processes whose progress it waits for. */
  readonly on: readonly Pid[];
  /** When it times out by itself (`Date.now()` time; Infinity: never). */
  readonly due: number;
  /** Fails it now, with `note` (the explanation) added to its timeout's message. */
  fail(note: string): void;
}

interface DeadlockConfig {
  deadlockCheck?: boolean;
}

/** Re-checks while a wait is pending and something outside the nodes may still act (ms, doubling). */
const FIRST_RECHECK = 10;
const MAX_RECHECK = 500;
/**
 * A wait that would time out within this many ms anyway is left to do so
 * (its message stays exactly its timeout's; nothing is gained by failing it sooner).
 */
const MIN_PREEMPT_MS = 200;

const waits = new Set<TestWait>();
/** The running test's nodes (its own, explore's and reruns'). */
const nodes = new Set<Node>();
let armed = false;
let recheck = 0;
let recheckTimer: ReturnType<typeof realSetTimeout> | undefined;
let fileOptOut = false;
let inTest = false;
let testOn = false;
/**
 * How long after "nothing can progress" was first seen it must be seen again,
 * with no node doing any work meanwhile, before a wait fails: something the
 * check cannot see (a timer or I/O it miscounts) gets that long to show itself.
 */
export const SETTLE_MS = 250;
/** Bumped each time a watched node runs out of work (so it did some). */
let work = 0;
/** Since when, and at which `work`, nothing could progress. */
const stuck = new Settle(SETTLE_MS);
/** Node.js's active resources by type when the test began (Jest's own, the user's beforeAll...). */
let baseline = new Map<string, number>();

function configured(): boolean {
  const env = process.env.OTPKIT_DEADLOCK_CHECK;
  if (env !== undefined) return !/^(0|off|false|no)$/i.test(env);
  return (globalThis as { otpkit?: DeadlockConfig }).otpkit?.deadlockCheck !== false;
}

/**
 * Turns off the deadlock check: inside a test, for that test; at the top of
 * a file, for the file's tests. Waits then always last their full timeout.
 * For a test whose progress comes from something the check cannot see (a
 * callback from native code that holds no Node.js resource, an unref'd
 * timer of `timers/promises` started before the test).
 */
export function noDeadlockCheck(): void {
  if (!inTest) fileOptOut = true;
  else testOn = false;
}

/** A test begins: the check's state for it, and the baseline of the outside world. */
export function beginDeadlockCheck(node: Node): void {
  inTest = true;
  testOn = !fileOptOut && configured();
  waits.clear();
  stuck.reset();
  nodes.clear();
  nodes.add(node);
  recheck = 0;
  baseline = testOn ? resourceCounts() : new Map();
}

/** The test ended: no more checks for its waits. */
export function endDeadlockCheck(): void {
  inTest = false;
  testOn = false;
  waits.clear();
  stuck.reset();
  nodes.clear();
  if (recheckTimer !== undefined) clearTimeout(recheckTimer);
  recheckTimer = undefined;
}

/** Checks for deadlocks whenever `node` runs out of work (the test's nodes, explore's nodes). */
export function watchNode(node: Node): void {
  nodes.add(node);
  onIdle(node, () => {
    work++;
    arm();
  });
}

/** A check one macrotask from now (the microtasks of the last turn settle first). */
function arm(): void {
  if (!testOn || armed) return;
  armed = true;
  realSetImmediate(() => {
    armed = false;
    check();
  });
}

/** A helper's own timer that ends a wait which is not judged (refuteReceive's): pending ones. */
let helperTimers = 0;

/**
 * Notes a helper timer that will let the test go on by itself (refuteReceive's
 * quiet period): while one is pending nothing is flagged. Returns its end.
 */
export function helperTimerStarted(): () => void {
  helperTimers++;
  let ended = false;
  return () => {
    if (!ended) {
      ended = true;
      helperTimers--;
    }
  };
}

/** Registers a helper's wait while it is pending; returns its unregistration. */
export function registerWait(w: TestWait): () => void {
  if (!testOn) return () => {};
  waits.add(w);
  if (isIdle(w.node)) arm();
  return () => waits.delete(w);
}

function resourceCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Why the nodes might still progress, or null if they cannot. */
type Verdict = "node" | "outside" | null;

/** A wait of the test: a helper's, or a call (start...) the test made. */
interface Pending {
  due: number;
  fail(note: string): void;
  root: RootWait;
}

function check(): void {
  if (!testOn) return;
  const pending: Pending[] = [];
  const graphs = new Map<Node, ProcessWait[]>();
  for (const node of nodes)
    if (isShutDown(node)) nodes.delete(node);
    else if (!isIdle(node)) return; // its next idle turn checks again
  // The cheap way out, on most idle turns: the test waits for nothing.
  if (waits.size === 0 && ![...nodes].some(hasOutsideWaits)) return;
  for (const node of nodes) {
    const graph = waitGraph(node);
    if (graph.length === 0) continue; // shut down (or empty)
    graphs.set(node, graph);
    for (const p of graph)
      for (const a of p.answers)
        if (a.caller === null && a.fail !== null) {
          const fail = a.fail;
          const root = { what: a.what, on: [a.target], due: a.due };
          pending.push({
            due: a.due,
            root,
            fail: (note) => fail(a.due === Infinity ? "deadlock" : "timeout", note),
          });
        }
  }
  for (const w of waits) {
    // A wait on a node the check does not watch (one the test made itself): never flagged.
    if (!graphs.has(w.node)) return;
    pending.push({ due: w.due, root: w, fail: (note) => (waits.delete(w), w.fail(note)) });
  }
  if (pending.length === 0) return;
  // Only the earliest waits fail: the test may do something once they have (catch, go on).
  const due = Math.min(...pending.map((w) => w.due));
  const verdict = due - Date.now() < MIN_PREEMPT_MS ? "outside" : progress(graphs, due);
  if (verdict === "node") {
    stuck.reset();
    return;
  }
  let wait = 0;
  if (verdict === null) {
    wait = stuck.stuckAt(Date.now(), work);
    if (wait <= 0) {
      for (const w of pending)
        if (w.due === due) {
          const node = [...graphs].find(([n]) => w.root.on.some((pid) => pid.node === n.id));
          w.fail(renderWaitGraph(w.root, node?.[1] ?? []));
        }
    }
  }
  // "outside" leaves `stuck` as it is (./settle.ts).
  // Something outside the nodes may still act (a timer, I/O...), or the test goes on after a
  // failed wait without touching a node: look again later.
  // The back-off restarts after each "nothing can progress" (a settle wait is not a back-off
  // step): looks 10, 20, 40... ms apart do not stay in step with a periodic outside timer.
  if (verdict === null) recheck = 0;
  else recheck = Math.min(MAX_RECHECK, recheck === 0 ? FIRST_RECHECK : recheck * 2);
  if (recheckTimer !== undefined) clearTimeout(recheckTimer);
  recheckTimer = realSetTimeout(
    () => {
      recheckTimer = undefined;
      check();
    },
    wait > 0 ? wait : recheck,
  );
  recheckTimer.unref();
}

/** Can anything still make the nodes progress before the test's earliest wait (`due`) times out? */
function progress(graphs: Map<Node, ProcessWait[]>, due: number): Verdict {
  const deadlineTimers = new Set<unknown>();
  for (const [node, graph] of graphs) {
    // One awaiting something outside the runtime, or with a timeout pending, may act without
    // the node noticing: look again later.
    for (const p of graph) if (p.status === "runnable") return "node";
    for (const p of graph) if (p.status === "outside" || p.timed) return "outside";
    // A call a process made that times out before the test's wait does: its caller wakes then.
    for (const p of graph) for (const a of p.waitsOn) if (a.due < due) return "outside";
    deadlineTimers.add(callDeadlineTimer(node));
  }
  const g = globalThis as { setTimeout: unknown };
  if (isFake(g.setTimeout)) {
    const clock = (g.setTimeout as { clock?: { countTimers?: () => number } }).clock;
    // The test may advance the fake clock; legacy fake timers cannot be counted: never flag.
    if (typeof clock?.countTimers !== "function" || clock.countTimers() > 0) return "outside";
  }
  // The timer of the node's call deadlines wakes nobody before `due` (checked above); any other
  // timer the test started (directly, or through sendAfter, a receive or a start timeout) may.
  let refd = 0;
  for (const t of pendingTestTimers()) {
    if (!deadlineTimers.has(t)) return "outside";
    if (typeof t.hasRef !== "function" || t.hasRef()) refd++;
  }
  // A helper's timer that ends by itself (refuteReceive) is the test's progress.
  if (helperTimers > 0) return "outside";
  // The registered waits' own timers are the waits being judged (the earliest fails now; the
  // others only after it).
  let waitTimers = 0;
  for (const w of waits) if (w.due !== Infinity) waitTimers++;
  // Anything else pending outside the runtime that was not there when the test began. A count
  // below the baseline means some of what was there has gone: the baseline follows it down, so
  // that what is gone cannot hide what is new from then on.
  for (const [type, n] of resourceCounts()) {
    const own = type === "Timeout" ? refd + waitTimers : 0;
    const base = baseline.get(type) ?? 0;
    if (n - own > base) return "outside";
    if (n - own < base) baseline.set(type, Math.max(0, n - own));
  }
  return null;
}
