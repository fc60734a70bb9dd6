/**
 * Types for the preset's globals and matchers. Add `"@otpkit/jest"` to
 * `compilerOptions.types` (next to `"jest"`).
 */
import type * as T from "./index";

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

  // eslint-disable-next-line @typescript-eslint/no-namespace -- augmenting @types/jest
  namespace jest {
    interface Matchers<R> {
      /** Syncs with the process, then compares its sys state with `expected`. */
      toHaveState(expected: unknown): Promise<R>;
      /** The process is alive (signals in flight to it land first). */
      toBeAlive(): Promise<R>;
      /** The promise rejects with an ExitError with this reason, or the pid exits with it. */
      toExitWith(reason: unknown): Promise<R>;
    }
  }
}

declare module "expect" {
  interface Matchers<R> {
    toHaveState(expected: unknown): Promise<R>;
    toBeAlive(): Promise<R>;
    toExitWith(reason: unknown): Promise<R>;
  }
}

export {};
