/** Readable descriptions of processes, messages and sys events for failure messages and charts. */
import { InitAck, exitReasonOf, viewOf } from "otpkit/testing-hooks";
import {
  AnySysEvent,
  CallMessage,
  CastMessage,
  Down,
  Exit,
  Pid,
  SysEvent,
  SystemMessage,
  FORMAT_DEPTH,
  formatReason,
  formatTerm,
  isPid,
} from "otpkit";
import { inspect } from "util";

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
    // link and monitor set-up signals carry no reason.
    return s.reason === undefined ? s.signal : `${s.signal} ${short(s.reason)}`;
  }
  return short(m);
}

function argText(arg: unknown): string {
  return arg === undefined ? "" : `(${short(arg)})`;
}

/** `formatReason`, cut to `max` characters (asymmetric matchers as Jest prints them). */
export function short(x: unknown, max = 60): string {
  const s = isPid(x) ? x.toString() : formatReason(printable(x));
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

interface AsymmetricLike {
  asymmetricMatch(x: unknown): boolean;
  toAsymmetricMatcher?(): string;
  sample?: unknown;
}

function isAsymmetric(x: unknown): x is AsymmetricLike {
  return (
    x !== null &&
    typeof x === "object" &&
    typeof (x as AsymmetricLike).asymmetricMatch === "function"
  );
}

/** Does `x` hold a Jest asymmetric matcher (in plain objects and arrays, up to the print depth)? */
function holdsAsymmetric(x: unknown, depth = 0): boolean {
  if (isAsymmetric(x)) return true;
  if (depth > FORMAT_DEPTH || x === null || typeof x !== "object") return false;
  if (!Array.isArray(x) && !isPlainObject(x)) return false;
  return Object.values(x).some((v) => holdsAsymmetric(v, depth + 1));
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * `x` with Jest's asymmetric matchers in it replaced by how Jest prints them
 * (`Any<Down>`, `ObjectContaining {...}`); `x` itself when it holds none
 * (so that a cycle still prints as `[Circular *1]`).
 */
function printable(x: unknown, depth = 0): unknown {
  if (!holdsAsymmetric(x, depth)) return x;
  if (isAsymmetric(x)) {
    const text =
      typeof x.toAsymmetricMatcher === "function"
        ? x.toAsymmetricMatcher()
        : `${String(x)} ${formatTerm(printable(x.sample, depth + 1))}`;
    return { [inspect.custom]: () => text };
  }
  if (Array.isArray(x)) return x.map((v) => printable(v, depth + 1));
  return Object.fromEntries(
    Object.entries(x as object).map(([k, v]) => [k, printable(v, depth + 1)]),
  );
}

/** A sys event in one line (a special process's own events by their fields). */
export function describeEvent(e: SysEvent<AnySysEvent>): string {
  if (isStandard(e))
    switch (e.kind) {
      case "in":
        return `in ${describeMessage(e.msg)}`;
      case "out":
        return `out ${describeMessage(e.msg)} to ${short(e.to)}`;
      case "noreply":
      case "enter":
        return `${e.kind} state=${short(e.state)}`;
      case "continue":
        return `continue ${short(e.continue)}`;
      case "code_change":
        return `code_change ${short(e.event)} state=${short(e.state)}`;
      case "terminate":
        return `terminate ${short(e.reason)} state=${short(e.state)}`;
    }
  const { kind, ...rest } = e;
  return `${kind} ${short(rest)}`;
}

const STANDARD = new Set(["in", "out", "noreply", "continue", "code_change", "enter", "terminate"]);

function isStandard(e: AnySysEvent): e is SysEvent {
  return STANDARD.has(e.kind);
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
