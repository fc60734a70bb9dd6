/**
 * Types for the preset's globals and matchers. Add `"@otpkit/jest"` to
 * `compilerOptions.types` (next to `"jest"`).
 */
import type * as T from "./index";
import type { StateOf } from "otpkit";
import type { PatternOf } from "./match";

/** The preset's matchers, declared once for both `expect` typings. */
interface OtpkitMatchers<R, T> {
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

/** The helpers the preset installs as globals (`globals` in index.ts). */
type G = typeof T.globals;

declare global {
  const syncWith: G["syncWith"];
  const awaitDown: G["awaitDown"];
  const awaitSysEvent: G["awaitSysEvent"];
  const holdAt: G["holdAt"];
  const testProcess: G["testProcess"];
  const explore: G["explore"];
  const findFailingSchedule: G["findFailingSchedule"];
  const label: G["label"];
  const expectCrash: G["expectCrash"];
  const failOnLeftovers: G["failOnLeftovers"];
  const noRaceCheck: G["noRaceCheck"];
  const noDeadlockCheck: G["noDeadlockCheck"];

  // eslint-disable-next-line @typescript-eslint/no-namespace -- augmenting @types/jest
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the same type parameters as @types/jest
    interface Matchers<R, T = {}> extends OtpkitMatchers<R, T> {}
  }
}

declare module "expect" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the preset's matchers
  interface Matchers<R extends void | Promise<void>, T = unknown> extends OtpkitMatchers<R, T> {}
}

export {};
