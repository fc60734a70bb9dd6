/**
 * The workloads, in the order they run and print. To add one, append it
 * here and give the subjects that support it an implementation under the
 * same name. (preset_overhead_ms is not here: it runs Jest, see
 * preset-overhead.ts.)
 */
import type { Workload } from "./types";

const HANDLER_NOTE =
  "otpkit's handler processes (spawnHandler: a callback per message, no Promise), the same" +
  " workload as the row without `handler_`; the loop runs its code for that row (its actors are" +
  " callback actors already). Peers: their one kind of actor is in the row without `handler_`.";

export const WORKLOADS: readonly Workload[] = [
  {
    name: "spawn_us",
    issue: 2,
    description: "spawn processes that each block in receive, until all of them are blocked",
    unit: "µs",
    better: "lower",
    size: 100_000,
    target: 0.5,
  },
  {
    name: "bytes_per_process",
    issue: 2,
    description: "heap bytes per idle process blocked in receive (gc before and after)",
    unit: "bytes",
    better: "lower",
    size: 100_000,
    target: 1024,
  },
  {
    name: "oneway_msgs_per_s",
    issue: 2,
    description: "one sender sends, one receiver counts, until it has seen them all",
    unit: "msgs/s",
    better: "higher",
    size: 1_000_000,
    target: 10_000_000,
  },
  {
    name: "roundtrip_per_s",
    issue: 2,
    description:
      "sequential request/response: the client sends, the server replies, the client awaits",
    unit: "roundtrips/s",
    better: "higher",
    size: 100_000,
    target: 1_500_000,
  },
  {
    name: "down_us",
    issue: 2,
    description:
      "from a monitored process's exit to its monitor owner receiving the DOWN, one at a time",
    unit: "µs",
    better: "lower",
    size: 10_000,
    target: 1,
  },
  {
    name: "handler_spawn_us",
    issue: 2,
    description:
      "spawn handler processes (spawnHandler) and send each one message, until all have handled it",
    unit: "µs",
    better: "lower",
    size: 100_000,
    target: 0.5,
    note: HANDLER_NOTE,
  },
  {
    name: "handler_bytes_per_process",
    issue: 2,
    description:
      "heap bytes per idle handler process, after its first message (gc before and after)",
    unit: "bytes",
    better: "lower",
    size: 100_000,
    target: 1024,
    note: HANDLER_NOTE,
  },
  {
    name: "handler_oneway_msgs_per_s",
    issue: 2,
    description:
      "one handler process sends, one handler process counts, until it has seen them all",
    unit: "msgs/s",
    better: "higher",
    size: 1_000_000,
    target: 10_000_000,
    note: HANDLER_NOTE,
  },
  {
    name: "handler_down_us",
    issue: 2,
    description:
      "a handler process monitors handler processes; one at a time, from a target's exit to the DOWN",
    unit: "µs",
    better: "lower",
    size: 10_000,
    target: 1,
    note:
      HANDLER_NOTE +
      ' As in down_us, each target exits itself on STOP (`self.exit("normal")`): in a handler' +
      " that is a throw the handler loop catches, dearer than the owner killing the target" +
      ' (`exit(pid, "kill")`).',
  },
  {
    name: "oneway_genserver_msgs_per_s",
    issue: 4,
    description:
      "plain code sends with node.send to a GenServer whose handleInfo counts, until it has seen them all",
    unit: "msgs/s",
    better: "higher",
    size: 1_000_000,
    target: 10_000_000,
    note:
      "a behaviour process runs a callback per message with no Promise: the runtime's fast path" +
      " for one-way traffic (oneway_msgs_per_s is the function-process path, awaiting receive)." +
      " loop: a hand-written server whose handleInfo counts.",
  },
  {
    name: "call_per_s",
    issue: 4,
    description: "sequential GenServer calls from plain awaited code (not a process)",
    unit: "calls/s",
    better: "higher",
    size: 200_000,
    target: 1_500_000,
    note:
      "loop: a hand-written server (a handler object, a promise per call resolved by the server)" +
      " called from the same plain awaited code.",
  },
  {
    name: "call_from_process_per_s",
    issue: 4,
    description: "sequential GenServer calls from inside a function process ({ caller: self })",
    unit: "calls/s",
    better: "higher",
    size: 200_000,
    target: 1_500_000,
    note:
      "loop: the calls are made from inside an actor's handler; a hand-written loop has no" +
      " process context, so this is the same path as call_per_s.",
  },
  {
    name: "cast_per_s",
    issue: 4,
    description: "casts from plain code, then one call as a barrier (all casts handled)",
    unit: "casts/s",
    better: "higher",
    size: 1_000_000,
    target: 5_000_000,
  },
  {
    name: "genserver_start_us",
    issue: 4,
    description: "GenServer.start, each awaited (init run and acknowledged) before the next",
    unit: "µs",
    better: "lower",
    size: 20_000,
  },
  {
    name: "genserver_bytes",
    issue: 4,
    description: "heap bytes per idle started GenServer (gc before and after)",
    unit: "bytes",
    better: "lower",
    size: 50_000,
    target: 1024,
  },
  {
    name: "sys_overhead",
    issue: 3,
    description:
      "CPU time for a GenServer to handle N casts (then one call) and N/4 sequential calls, with" +
      " one debug function installed by sys.install (returning its state) / without:" +
      " 10 alternating pairs of segments, median of the pairs' ratios",
    unit: "×",
    better: "lower",
    size: 500_000,
    target: 1.1,
    compare: "self",
    note:
      "the value and the ratio are otpkit's own with/without ratio (the BEAM's is 1.09), casts" +
      " and calls together, in CPU time (each alone, and CPU ns per message with and without, in results.json" +
      " detail). The loop is not applicable: it has no debug machinery, and a" +
      " bare hook call in it would measure something else, so a ratio of ratios would mean" +
      " nothing.",
  },
];

/** Every subject's ratio to the loop should be at least this (higher is better). */
export const RATIO_TARGET = 0.5;
