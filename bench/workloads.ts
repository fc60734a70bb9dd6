/**
 * The workloads, in the order they run and print. To add one (call_per_s,
 * cast_per_s, genserver_bytes, sys_overhead...), append it here and give the
 * subjects that support it an implementation under the same name.
 */
import type { Workload } from "./types";

export const WORKLOADS: readonly Workload[] = [
  {
    name: "spawn_us",
    description: "spawn processes that each block in receive, until all of them are blocked",
    unit: "µs",
    better: "lower",
    size: 100_000,
    target: 0.5,
  },
  {
    name: "bytes_per_process",
    description: "heap bytes per idle process blocked in receive (gc before and after)",
    unit: "bytes",
    better: "lower",
    size: 100_000,
    target: 1024,
  },
  {
    name: "oneway_msgs_per_s",
    description: "one sender sends, one receiver counts, until it has seen them all",
    unit: "msgs/s",
    better: "higher",
    size: 1_000_000,
    target: 10_000_000,
  },
  {
    name: "roundtrip_per_s",
    description:
      "sequential request/response: the client sends, the server replies, the client awaits",
    unit: "roundtrips/s",
    better: "higher",
    size: 100_000,
    target: 1_500_000,
  },
  {
    name: "down_us",
    description:
      "from a monitored process's exit to its monitor owner receiving the DOWN, one at a time",
    unit: "µs",
    better: "lower",
    size: 10_000,
    target: 1,
  },
];

/** Every subject's ratio to the loop should be at least this (higher is better). */
export const RATIO_TARGET = 0.5;
