/** Readable descriptions of processes, messages and sys events for failure messages and charts. */
import { InitAck, exitReasonOf, viewOf } from "otpkit/testing-hooks";
import {
  CallMessage,
  CastMessage,
  Down,
  Exit,
  Pid,
  SysEvent,
  SystemMessage,
  formatReason,
  isPid,
} from "otpkit";

/** A short rendering of a message (calls, casts, DOWN, EXIT and sys requests by their tags). */
export function describeMessage(m: unknown): string {
  if (m instanceof InitAck) return `started`;
  if (m instanceof CallMessage) return `call ${m.request.name}${argText(m.request.arg)}`;
  if (m instanceof CastMessage) return `cast ${m.request.name}${argText(m.request.arg)}`;
  if (m instanceof SystemMessage) return `sys ${m.request.kind}`;
  if (m instanceof Down)
    return `DOWN ${m.object instanceof Pid ? m.object : m.object.name} ${short(m.reason)}`;
  if (m instanceof Exit) return `EXIT ${m.from} ${short(m.reason)}`;
  if (m !== null && typeof m === "object" && "signal" in m) {
    const s = m as { signal: string; reason: unknown };
    return `${s.signal} ${short(s.reason)}`;
  }
  return short(m);
}

function argText(arg: unknown): string {
  return arg === undefined ? "" : `(${short(arg)})`;
}

/** `formatReason`, cut to `max` characters. */
export function short(x: unknown, max = 60): string {
  const s = isPid(x) ? x.toString() : formatReason(x);
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

/** A sys event in one line. */
export function describeEvent(e: SysEvent): string {
  const { kind, ...rest } = e as { kind: string } & Record<string, unknown>;
  if ("msg" in rest)
    return `${kind} ${describeMessage(rest.msg)}${rest.to ? ` to ${String(rest.to)}` : ""}`;
  if ("state" in rest) return `${kind} state=${short(rest.state)}`;
  return `${kind} ${short(rest)}`;
}

/** What a process is doing: status, mailbox and its last sys events (for timeouts). */
export function describeProcess(pid: Pid): string {
  const p = viewOf(pid);
  if (p === null || !p.alive) return `${pid} is dead (exit reason: ${short(exitReasonOf(pid))})`;
  const info = p.node.processInfo(pid)!;
  const lines = [
    `${pid}${p.name ? ` (${p.name})` : ""}: ${info.status}, ${info.messageQueueLen} message(s) queued`,
  ];
  if (info.messages.length > 0)
    lines.push(`  mailbox: ${info.messages.map(describeMessage).join(" | ")}`);
  const recent = p.recentEvents;
  if (recent.length > 0)
    lines.push(`  last sys events:\n${recent.map((e) => `    ${describeEvent(e)}`).join("\n")}`);
  return lines.join("\n");
}
