/** Time and heap readings for the workloads. */
import { performance } from "perf_hooks";

/** Milliseconds, high resolution (sub-microsecond), monotonic. */
export function now(): number {
  return performance.now();
}

/**
 * Milliseconds of CPU time (user + system, all threads: GC helpers
 * included) this process has used, at microsecond resolution. Unlike
 * `now`, it does not count the time slices other processes take, so it
 * suits comparisons made on a busy machine.
 */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Is `global.gc` available (node --expose-gc)? */
export function canCollect(): boolean {
  return typeof globalThis.gc === "function";
}

/** Runs full garbage collections until the heap stops shrinking; no-op without --expose-gc. */
export function collectGarbage(): void {
  const gc = globalThis.gc;
  if (typeof gc !== "function") return;
  let before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10; i++) {
    gc();
    const after = process.memoryUsage().heapUsed;
    if (after >= before) return;
    before = after;
  }
}

/** Heap bytes in use after a full collection; throws without --expose-gc. */
export function settledHeap(): number {
  if (!canCollect())
    throw new Error("heap measurements need node --expose-gc (npm run bench passes it)");
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
