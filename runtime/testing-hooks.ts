/**
 * `otpkit/testing-hooks`: the one place where development tooling (the Jest
 * preset, `@otpkit/jest`) reaches inside the runtime. Everything else the
 * tooling uses is the public API (`otpkit`). Not a stable API for
 * applications: it changes with the runtime, in step with `@otpkit/jest`.
 *
 * @module otpkit/testing-hooks
 */
export type { Proc } from "./process";
export type { Delivery } from "./scheduler";
export { InitAck } from "./proc-lib";
export { call } from "./gen";
