/** The preset's matchers: `toHaveState`, `toBeAlive`, `toExitWith`. */
import { ExitError, isPid, sys } from "otpkit";
import { exitReasonOf, landSignalsTo, viewOf } from "otpkit/testing-hooks";
import { getObjectSubset } from "@jest/expect-utils";
import { awaitDown } from "./await-down";
import { matches } from "./match";
import { short } from "./describe-process";
import { syncWith } from "./sync-with";

/** The part of Jest's matcher context (`this` in a matcher) the preset's matchers use. */
export interface MatcherContext {
  /** True under `.not`. */
  isNot?: boolean;
  /** Jest's recursive equality (as `toEqual`). */
  equals(a: unknown, b: unknown): boolean;
  /** Jest's printing helpers for failure messages. */
  utils: {
    /** Renders the expected value (green in Jest's output). */
    printExpected(v: unknown): string;
    /** Renders the received value (red in Jest's output). */
    printReceived(v: unknown): string;
    /** Jest's diff of expected and received (as `toMatchObject` prints it). */
    printDiffOrStringify?(
      expected: unknown,
      received: unknown,
      expectedLabel: string,
      receivedLabel: string,
      expand: boolean,
    ): string;
  };
  /** Is `--expand` on? */
  expand?: boolean;
}

/** What a matcher resolves with, as Jest expects it. */
export type MatcherResult = {
  /** Did the assertion hold (before `.not` is applied)? */
  pass: boolean;
  /** The failure message, built only when needed. */
  message: () => string;
};

/**
 * `await expect(pid).toHaveState(expected)`: syncs with the process, then
 * matches its sys state against `expected` as `toMatchObject` does (a
 * subset of its fields; asymmetric matchers welcome); a failure shows Jest's
 * diff of the state's relevant part.
 */
async function toHaveState(
  this: MatcherContext,
  pid: unknown,
  expected: unknown,
): Promise<MatcherResult> {
  if (!isPid(pid)) throw new TypeError(`toHaveState: expected a pid, got ${String(pid)}`);
  await syncWith(pid);
  const state = await sys.getState(pid);
  const pass = matches(state, expected);
  const diff = () =>
    pass || this.utils.printDiffOrStringify === undefined
      ? `it has ${this.utils.printReceived(state)}`
      : this.utils.printDiffOrStringify(
          expected,
          getObjectSubset(state, expected),
          "Expected state",
          "Received state",
          this.expand ?? false,
        );
  return {
    pass,
    message: () =>
      `expected ${pid} ${pass ? "not " : ""}to have state ${this.utils.printExpected(expected)}\n${diff()}`,
  };
}

/** `await expect(pid).toBeAlive()`: signals in flight to it land first. */
async function toBeAlive(this: MatcherContext, pid: unknown): Promise<MatcherResult> {
  if (!isPid(pid)) throw new TypeError(`toBeAlive: expected a pid, got ${String(pid)}`);
  landSignalsTo(pid);
  const pass = viewOf(pid)?.alive ?? false;
  return {
    pass,
    message: () =>
      pass
        ? `expected ${pid} not to be alive, it is`
        : `expected ${pid} to be alive, it exited with ${short(exitReasonOf(pid))}`,
  };
}

/**
 * `await expect(promise).toExitWith(reason)`: the promise rejects with an
 * ExitError whose reason equals `reason`; or, for a pid, the process
 * terminates with `reason`.
 */
async function toExitWith(
  this: MatcherContext,
  received: unknown,
  expected: unknown,
): Promise<MatcherResult> {
  let reason: unknown;
  let how: string;
  if (isPid(received)) {
    reason = await awaitDown(received);
    how = `${received} exited with ${this.utils.printReceived(reason)}`;
  } else if (received !== null && typeof (received as PromiseLike<unknown>)?.then === "function") {
    try {
      const v = await received;
      return {
        pass: false,
        message: () =>
          `expected an exit with ${this.utils.printExpected(expected)}, it resolved with ${this.utils.printReceived(v)}`,
      };
    } catch (e) {
      if (!(e instanceof ExitError))
        return {
          pass: false,
          message: () =>
            `expected an ExitError with reason ${this.utils.printExpected(expected)}, it rejected with ${this.utils.printReceived(e)}`,
        };
      reason = e.reason;
      how = `it exited with ${this.utils.printReceived(reason)} (${e.message})`;
    }
  } else throw new TypeError(`toExitWith: expected a promise or a pid, got ${String(received)}`);
  const pass = this.equals(reason, expected);
  return {
    pass,
    message: () =>
      `expected ${pass ? "no " : ""}exit with ${this.utils.printExpected(expected)}; ${how}`,
  };
}

/** The matchers, for `expect.extend`. */
export const matchers = {
  /** `await expect(pid).toHaveState(expected)`: syncs with the process, then compares its sys state. */
  toHaveState: toHaveState,
  /** `await expect(pid).toBeAlive()`: signals in flight to it land first. */
  toBeAlive: toBeAlive,
  /** `await expect(promise).toExitWith(reason)`: an ExitError with `reason`; for a pid, its exit reason. */
  toExitWith: toExitWith,
};
