/**
 * The test helpers' waits: a bounded default, one factor to scale them all
 * (`OTPKIT_TIMEOUT_FACTOR`, for slow CI), and real timers so that Jest's fake
 * timers never freeze a helper's own timeout.
 */
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from "timers";

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

/**
 * Races `promise` against a real timer of `ms`; on expiry calls `onTimeout`
 * (cleanup) and rejects with the error `describe()` builds.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  describe: () => Error,
  onTimeout?: () => void,
): Promise<T> {
  if (ms === Infinity) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => {
      onTimeout?.();
      reject(describe());
    }, ms);
    promise.then(
      (v) => {
        realClearTimeout(timer);
        resolve(v);
      },
      (e) => {
        realClearTimeout(timer);
        reject(e);
      },
    );
  });
}
