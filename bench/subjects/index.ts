/**
 * The subjects, in the order they run and print. `otpkit` is the one the
 * targets are for; `loop` is the baseline every ratio is taken against. To
 * add a peer library, write its subject file beside these and list it here.
 */
import type { Subject } from "../types";
import { loop } from "./loop";
import { otpkit } from "./otpkit";

export const SUBJECTS: readonly Subject[] = [otpkit, loop];

/** The subject the targets apply to. */
export const PRIMARY = "otpkit";

/** The subject ratios are taken against. */
export const BASELINE = "loop";
