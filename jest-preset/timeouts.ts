/**
 * The test helpers' waits: a bounded default, one factor to scale them all
 * (`OTPKIT_TIMEOUT_FACTOR`, for slow CI), and real timers so that Jest's fake
 * timers never freeze a helper's own timeout.
 */
import type { Node, Pid } from "otpkit";
import { withNote } from "otpkit/testing-hooks";
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from "timers";
import { helperTimerStarted, registerWait } from "./deadlock";

/** The default wait of every helper, in ms (before scaling). */
export const DEFAULT_WAIT = 1000;

/** `ms` scaled by `OTPKIT_TIMEOUT_FACTOR` (default 1). */
export function scaled(ms: number): number {
  const f = Number(process.env.OTPKIT_TIMEOUT_FACTOR ?? "1");
  return Number.isFinite(f) && f > 0 ? ms * f : ms;
}

/** Checks a helper's timeout option. */
export function checkWait(fn: string, timeout: unknown): number {
  if (timeout === undefined) return scaled(DEFAULT_WAIT);
  if (typeof timeout !== "number" || !(timeout >= 0))
    throw new TypeError(`${fn}: timeout must be a number of ms >= 0, got ${String(timeout)}`);
  return scaled(timeout);
}

/** What a helper waits for, for the deadlock check (./deadlock.ts). */
export interface WaitFor {
  /** The node of the processes it waits on. */
  node: Node;
  /** The wait as the test wrote it, e.g. `awaitDown(<0.4.0>)`. */
  what: string;
  /** The processes whose progress it waits for. */
  on: Pid[];
}

/**
 * Races `promise` against a real timer of `ms`; on expiry calls `onTimeout`
 * (cleanup) and rejects with the error `describe()` builds. With `wait`, a
 * deadlock fails it the same way at once (the deadlock's explanation added).
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  describe: () => Error,
  onTimeout?: () => void,
  wait?: WaitFor,
): Promise<T> {
  if (ms === Infinity && wait === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let unregister = () => {};
    let timer: ReturnType<typeof realSetTimeout> | undefined;
    // A timer that is not a judged wait ends by itself and lets the test go on: the deadlock
    // check must see it as progress.
    const ended = ms !== Infinity && wait === undefined ? helperTimerStarted() : () => {};
    const settle = () => {
      ended();
      unregister();
      if (timer !== undefined) {
        realClearTimeout(timer);
        timer = undefined;
      }
    };
    const expire = (note: string) => {
      settle();
      onTimeout?.();
      reject(note === "" ? describe() : withNote(describe(), note));
    };
    if (ms !== Infinity) timer = realSetTimeout(() => expire(""), ms);
    if (wait !== undefined)
      unregister = registerWait({ ...wait, due: Date.now() + ms, fail: expire });
    promise.then(
      (v) => {
        settle();
        resolve(v);
      },
      (e) => {
        settle();
        reject(e);
      },
    );
  });
}
