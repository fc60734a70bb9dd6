/**
 * `@otpkit/jest`: the Jest helpers, for users who prefer imports or their
 * own Jest config. With `preset: "@otpkit/jest"` they are also globals;
 * listing `"@otpkit/jest"` in `compilerOptions.types` types those globals
 * and the matchers.
 *
 * @module @otpkit/jest
 */
import "./globals";
import { awaitDown } from "./await-down";
import { awaitSysEvent } from "./await-sys-event";
import { expectCrash, failOnLeftovers } from "./context";
import { explore, findFailingSchedule, label } from "./explore";
import { holdAt } from "./hold-at";
import { noDeadlockCheck } from "./deadlock";
import { noRaceCheck } from "./races";
import { syncWith } from "./sync-with";
import { testProcess } from "./test-process";

export {
  syncWith,
  awaitDown,
  awaitSysEvent,
  holdAt,
  testProcess,
  explore,
  findFailingSchedule,
  label,
  expectCrash,
  failOnLeftovers,
  noRaceCheck,
  noDeadlockCheck,
};

export type { AwaitSysEventOptions } from "./await-sys-event";
export type { Hold } from "./hold-at";
export { REFUTE_WAIT } from "./test-process";
export type { TestProcess, ReceiveAssertOptions } from "./test-process";
export type { ExploreOptions, FailingSchedule } from "./explore";
export { matchers } from "./matchers";
export type { MatcherContext, MatcherResult } from "./matchers";
export type { ExploreSummary, Strategy } from "./explore";
export { matches } from "./match";
export type {
  Pattern,
  PatternOf,
  FieldsOf,
  KindPattern,
  NonFunction,
  AsymmetricMatcherLike,
  NoInference,
} from "./match";
export { DEFAULT_WAIT } from "./timeouts";
export { renderChart } from "./chart";
export type { Delivery } from "otpkit/testing-hooks";

/** The helpers `preset: "otpkit"` installs as globals (the one list; globals.ts types them). */
export const globals = {
  syncWith,
  awaitDown,
  awaitSysEvent,
  holdAt,
  testProcess,
  explore,
  findFailingSchedule,
  label,
  expectCrash,
  failOnLeftovers,
  noRaceCheck,
  noDeadlockCheck,
};
