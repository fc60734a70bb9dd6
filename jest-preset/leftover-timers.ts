/**
 * A test's leftover real timers: a `setTimeout` a test started and left
 * pending would fire during a later test (and spawn, send or crash on that
 * test's node). The preset tracks the real timers each test starts and clears
 * those still pending when the test ends, so one test's leftovers never fail
 * another. Jest's fake timers are left alone (they never fire by themselves).
 */
import { promisify } from "util";

type AnyFn = (...args: any[]) => unknown;

/** The pending timers of the running test, or null between tests. */
let pending: Set<NodeJS.Timeout> | null = null;
let wrapped: { setTimeout: AnyFn; setInterval: AnyFn } | null = null;

/** Is `f` one of Jest's fake timer functions? */
export function isFake(f: unknown): boolean {
  return (
    typeof f === "function" &&
    ("clock" in f || (f as { _isMockFunction?: boolean })._isMockFunction === true)
  );
}

/** Wraps the global timer functions (again, if Jest's `useRealTimers` restored the originals). */
function install(): void {
  const g = globalThis as unknown as Record<string, AnyFn>;
  if (wrapped !== null && g.setTimeout === wrapped.setTimeout) return;
  if (isFake(g.setTimeout)) return;
  const realSetTimeout = g.setTimeout;
  const realSetInterval = g.setInterval;
  const realClearTimeout = g.clearTimeout;
  const realClearInterval = g.clearInterval;
  const setTimeoutTracked = function (this: unknown, fn: AnyFn, ...rest: unknown[]) {
    const set = pending;
    if (set === null || typeof fn !== "function") return realSetTimeout.call(this, fn, ...rest);
    const t = realSetTimeout.call(
      this,
      function (this: unknown, ...args: unknown[]) {
        set.delete(t);
        return fn.apply(this, args);
      },
      ...rest,
    ) as NodeJS.Timeout;
    set.add(t);
    return t;
  };
  const setIntervalTracked = function (this: unknown, ...args: unknown[]) {
    const t = realSetInterval.apply(this, args) as NodeJS.Timeout;
    pending?.add(t);
    return t;
  };
  Object.defineProperty(setTimeoutTracked, promisify.custom, {
    value: (realSetTimeout as unknown as Record<symbol, unknown>)[promisify.custom],
  });
  g.setTimeout = setTimeoutTracked;
  g.setInterval = setIntervalTracked;
  g.clearTimeout = function (this: unknown, t: unknown) {
    pending?.delete(t as NodeJS.Timeout);
    return realClearTimeout.call(this, t);
  };
  g.clearInterval = function (this: unknown, t: unknown) {
    pending?.delete(t as NodeJS.Timeout);
    return realClearInterval.call(this, t);
  };
  wrapped = { setTimeout: setTimeoutTracked, setInterval: setIntervalTracked };
}

/** From now on, real timers started are the running test's. */
export function trackTestTimers(): void {
  install();
  pending = new Set();
}

/** The running test's real timers still pending (empty between tests): the deadlock check's "a timer may still act". */
export function pendingTestTimers(): ReadonlySet<NodeJS.Timeout> {
  return pending ?? NONE;
}

const NONE: ReadonlySet<NodeJS.Timeout> = new Set();

/** Clears the running test's timers still pending; returns how many there were. */
export function clearTestTimers(): number {
  const set = pending;
  pending = null;
  if (set === null) return 0;
  for (const t of set) clearTimeout(t);
  return set.size;
}
