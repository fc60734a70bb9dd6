/**
 * The explanation of a deadlock: the wait-for graph from the test's wait,
 * each process with its status (in a receive and for what, in a call to
 * whom, idle, held...), the answers it owes and its mailbox; a cycle marked.
 */
import type { Pid } from "otpkit";
import type { ProcessWait } from "otpkit/testing-hooks";
import { describeMessage, short } from "./describe-process";

/** The test's wait at the root of the graph. */
export interface RootWait {
  /** As the test wrote it, e.g. `GenServer.call(<0.4.0>, "get")`. */
  readonly what: string;
  /** The processes it waits on. */
  readonly on: readonly Pid[];
  /** When its own timeout would have ended it (Infinity: never). */
  readonly due: number;
}

/** At most this many processes outside the root's graph are listed. */
const MAX_OTHERS = 10;

/** The note added to a wait failed by the deadlock check. */
export function renderWaitGraph(root: RootWait, graph: readonly ProcessWait[]): string {
  const byId = new Map(graph.map((p) => [p.pid.id, p]));
  const lines: string[] = [];
  const shown = new Set<number>();
  const walk = (pid: Pid, path: number[], depth: number) => {
    const indent = "  ".repeat(depth + 1) + "→ ";
    const p = byId.get(pid.id);
    if (p === undefined) {
      lines.push(`${indent}${pid}: not alive`);
      return;
    }
    const at = path.indexOf(pid.id);
    if (at >= 0) {
      const cycle = [...path.slice(at), pid.id].map((id) => String(byId.get(id)?.pid ?? id));
      lines.push(`${indent}${title(p)}: ↺ cycle ${cycle.join(" → ")}`);
      return;
    }
    lines.push(`${indent}${describe(p)}`);
    if (shown.has(pid.id)) return;
    shown.add(pid.id);
    for (const a of p.waitsOn) walk(a.target, [...path, pid.id], depth + 1);
  };
  lines.push(`  test awaits ${root.what}`);
  for (const pid of root.on) walk(pid, [], 0);
  const others = graph.filter((p) => !shown.has(p.pid.id));
  if (others.length > 0) {
    lines.push("Other processes:");
    for (const p of others.slice(0, MAX_OTHERS)) lines.push(`  ${describe(p)}`);
    if (others.length > MAX_OTHERS) lines.push(`  (and ${others.length - MAX_OTHERS} more)`);
  }
  const left = root.due - Date.now();
  const timeout =
    root.due === Infinity
      ? "This wait has no timeout: it would have hung until Jest's test timeout."
      : `Its own timeout would only have failed it ${Math.max(0, Math.round(left))} ms from now, the same way.`;
  return (
    `\n\notpkit: deadlock. Nothing can progress: no process can run, nothing is in flight, every process ` +
    `is blocked in the runtime, and no timer or outside event is pending. ${timeout} It fails at once instead.\n` +
    `Wait-for graph:\n${lines.join("\n")}\n` +
    `(Turn the check off with noDeadlockCheck(), globals: { otpkit: { deadlockCheck: false } } or OTPKIT_DEADLOCK_CHECK=off.)`
  );
}

function title(p: ProcessWait): string {
  const module = p.initialCall?.endsWith(".init") ? p.initialCall.slice(0, -5) : p.initialCall;
  const names = [p.name, module].filter((x) => x !== undefined);
  return names.length === 0 ? String(p.pid) : `${p.pid} (${names.join(", ")})`;
}

function describe(p: ProcessWait): string {
  let text = `${title(p)}: ${status(p)}`;
  if (p.answers.length > 0)
    text += `; has not answered ${p.answers
      .map((a) => `${a.what} from ${a.caller === null ? "the test" : String(a.caller)}`)
      .join(", ")}`;
  text += `; ${p.queued} message(s) queued`;
  if (p.messages.length > 0)
    text += `: ${p.messages.map(describeMessage).join(" | ")}${p.queued > p.messages.length ? " | …" : ""}`;
  return text;
}

function status(p: ProcessWait): string {
  switch (p.status) {
    case "receive":
      return p.matcher === null
        ? "in receive (any message)"
        : `in receive of ${short(String(p.matcher).replace(/\s+/g, " "), 100)}`;
    case "idle":
      return p.initialCall === undefined && p.waitsOn.length === 0 && p.answers.length === 0
        ? "idle"
        : "idle, waiting for a message";
    case "held":
      return "held by holdAt (not released)";
    case "suspended":
      return "suspended (sys.suspend)";
    case "calling":
      return `in ${p.waitsOn.map((a) => a.what).join(" and ")}`;
    case "runnable":
      return "runnable";
    case "outside":
      return "awaiting something outside the runtime";
  }
}
