/**
 * `@otpkit/jest`: the Jest helpers, for users who prefer imports or their
 * own Jest config. With `preset: "@otpkit/jest"` they are also globals;
 * listing `"@otpkit/jest"` in `compilerOptions.types` types those globals
 * and the matchers.
 *
 * @module @otpkit/jest
 */
import "./globals";
export { syncWith } from "./sync-with";
export { awaitDown } from "./await-down";
export { awaitSysEvent } from "./await-sys-event";
export type { AwaitSysEventOptions } from "./await-sys-event";
export { holdAt } from "./hold-at";
export type { Hold } from "./hold-at";
export { testProcess, REFUTE_WAIT } from "./test-process";
export type { TestProcess, ReceiveAssertOptions } from "./test-process";
export { explore, findFailingSchedule, label } from "./explore";
export type { ExploreOptions, FailingSchedule } from "./explore";
export { matchers } from "./matchers";
export type { MatcherContext, MatcherResult } from "./matchers";
export { expectCrash, failOnLeftovers } from "./context";
export { noRaceCheck } from "./races";
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
