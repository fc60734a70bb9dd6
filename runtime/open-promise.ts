/**
 * A promise whose resolve and reject functions are handed over without a
 * closure per promise: the runtime's calls and starts make one each, and an
 * executor closure holding the call's arguments was a tenth of a call's
 * allocation.
 */

/** @internal After `openPromise()`, the new promise's functions (until the next call). */
export const promiseParts: {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
} = { resolve: () => {}, reject: () => {} };

function capture(resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
  promiseParts.resolve = resolve;
  promiseParts.reject = reject;
}

/** @internal A new pending promise; take its functions from `promiseParts` at once. */
export function openPromise(): Promise<unknown> {
  return new Promise(capture);
}
