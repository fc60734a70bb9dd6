/**
 * What the preset prints when Jest times a test out: Jest's own message says
 * only that the test took too long, so the preset adds what the test's
 * processes were doing (the calls still waiting for a reply, each process's
 * status, mailbox and last sys events).
 */
import type { Node } from "otpkit";
import { viewOf } from "otpkit/testing-hooks";
import { describeProcess } from "./describe-process";

/** At most this many processes are described. */
const MAX_PROCESSES = 20;

/** The part of jest-circus's state the preset reads (jest-circus 27 to 30). */
interface CircusState {
  currentlyRunningTest?: { errors?: unknown[] } | null;
}

function circusState(): CircusState | undefined {
  const sym = Object.getOwnPropertySymbols(globalThis).find(
    (s) => s.description === "JEST_STATE_SYMBOL",
  );
  return sym === undefined
    ? undefined
    : ((globalThis as Record<symbol, unknown>)[sym] as CircusState | undefined);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Did Jest time the running test out (its errors include Jest's timeout)? */
export function testTimedOut(): boolean {
  const errors = circusState()?.currentlyRunningTest?.errors ?? [];
  return errors.some((entry) => {
    const e = Array.isArray(entry) ? entry[0] : entry;
    return /^Exceeded timeout of .* for a test/.test(messageOf(e));
  });
}

/** What the node's processes are doing: the text the preset adds to a Jest timeout. */
export function timeoutDiagnostics(node: Node): string {
  const pids = node.processes();
  const lines = [`otpkit: the test timed out; what its ${pids.length} process(es) were doing:`];
  for (const pid of pids.slice(0, MAX_PROCESSES)) {
    for (const c of viewOf(pid)?.pendingCalls ?? []) lines.push(`waiting for a reply: ${c}`);
    lines.push(describeProcess(pid));
  }
  if (pids.length > MAX_PROCESSES) lines.push(`(and ${pids.length - MAX_PROCESSES} more)`);
  return lines.join("\n");
}
