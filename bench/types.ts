/**
 * The bench's two registries, as types: workloads (what is measured) and
 * subjects (who is measured: otpkit, the hand-written loop, peer
 * libraries). A subject implements any subset of the workloads.
 */

/** Whether a bigger number is better (rates) or a smaller one (times, sizes). */
export type Better = "higher" | "lower";

/** One workload: what it measures, in which unit, at which size, and otpkit's goal. */
export interface Workload {
  /** The key in results.json, e.g. `oneway_msgs_per_s`. */
  readonly name: string;
  /** One line: what one run does. */
  readonly description: string;
  /** The unit of a measurement, e.g. `msgs/s`, `µs`, `bytes`. */
  readonly unit: string;
  readonly better: Better;
  /** The problem size handed to every subject (processes, messages, round trips...). */
  readonly size: number;
  /** The goal for otpkit's median, in `unit` (at least for rates, at most otherwise); none: only the ratio. */
  readonly target?: number;
  /**
   * What the ratio column holds. `baseline` (the default): the primary
   * subject against the baseline, oriented so that higher is better, with
   * the common ratio target. `self`: the measurement is itself a ratio (with
   * vs without something, in the same run), so the ratio column repeats the
   * primary's median and is held to `target`; the baseline does not take part.
   * `none`: no ratio (only the primary is measured, e.g. the preset's overhead).
   */
  readonly compare?: "baseline" | "self" | "none";
  /** Printed under the table: how to read this row (a choice made, what is left out and why). */
  readonly note?: string;
  /** The issue that set `target` (for docs/performance.md). */
  readonly issue?: number;
}

/** A measurement with the figures behind it (e.g. the two timings a ratio is made of). */
export interface Sample {
  value: number;
  /** Named side figures; results.json keeps the median of each. */
  detail?: Record<string, number>;
}

/** One run of a workload by a subject: resolves with the measurement, in the workload's unit. */
export type Measure = (size: number) => Promise<number | Sample>;

/** Something measured. */
export interface Subject {
  /** The key in results.json, e.g. `otpkit`, `loop`. */
  readonly name: string;
  /** For docs/performance.md: what it is, and what a process is in it (peers). */
  readonly about?: string;
  /** For docs/performance.md: per workload name, what the subject's equivalent is (peers). */
  readonly notes?: Readonly<Record<string, string>>;
  /** Its implementation of each workload it supports, by workload name. */
  readonly workloads: Readonly<Record<string, Measure>>;
}
