/**
 * Types for the preset's globals and matchers. Add `"@otpkit/jest"` to
 * `compilerOptions.types` (next to `"jest"`).
 */
import type * as T from "./index";
import type { StateOf } from "otpkit";
import type { PatternOf } from "./match";

declare global {
  const syncWith: typeof T.syncWith;
  const awaitDown: typeof T.awaitDown;
  const awaitSysEvent: typeof T.awaitSysEvent;
  const holdAt: typeof T.holdAt;
  const testProcess: typeof T.testProcess;
  const explore: typeof T.explore;
  const findFailingSchedule: typeof T.findFailingSchedule;
  const label: typeof T.label;
  const expectCrash: typeof T.expectCrash;
  const failOnLeftovers: typeof T.failOnLeftovers;
  const noRaceCheck: typeof T.noRaceCheck;

  // eslint-disable-next-line @typescript-eslint/no-namespace -- augmenting @types/jest
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the same type parameters as @types/jest
    interface Matchers<R, T = {}> {
      /**
       * Syncs with the process, then matches its sys state against `expected`
       * as `toMatchObject` does; typed by the server's state for a pid its
       * module's `start` returned.
       */
      toHaveState(expected: PatternOf<StateOf<T>>): Promise<R>;
      /** The process is alive (signals in flight to it land first). */
      toBeAlive(): Promise<R>;
      /** The promise rejects with an ExitError with this reason, or the pid exits with it. */
      toExitWith(reason: unknown): Promise<R>;
    }
  }
}

declare module "expect" {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    toHaveState(expected: PatternOf<StateOf<T>>): Promise<R>;
    toBeAlive(): Promise<R>;
    toExitWith(reason: unknown): Promise<R>;
  }
}

export {};
