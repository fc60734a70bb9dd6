/** `syncWith(pid)`: wait until a process has handled everything sent to it before the call. */
import { ExitError, Pid, isPid } from "otpkit";
import { landSignalsTo, sysRoundTrip, viewOf } from "otpkit/testing-hooks";
import { describeProcess } from "./describe-process";
import { checkWait, withTimeout } from "./timeouts";

/**
 * Resolves once `pid` has handled every message and signal sent to it before
 * this call, from any sender, including the DOWN and EXIT signals of
 * processes that already died: signals still in flight land first, then a
 * sys round trip goes through the process's mailbox behind them. For a
 * process that is not special (no sys), it resolves once those signals have
 * landed in its mailbox.
 */
export async function syncWith(pid: Pid, options: { timeout?: number } = {}): Promise<void> {
  if (!isPid(pid)) throw new TypeError(`syncWith: expected a pid, got ${String(pid)}`);
  const ms = checkWait("syncWith", options.timeout);
  const p = viewOf(pid);
  if (p === null || !p.alive) throw new ExitError("noproc", `syncWith(${pid})`);
  landSignalsTo(pid);
  if (!p.special || !p.alive) return;
  await withTimeout(
    sysRoundTrip(pid, "syncWith"),
    ms,
    () =>
      new Error(
        `syncWith(${pid}) timed out after ${ms} ms: the process has not handled its earlier messages.\n${describeProcess(pid)}`,
      ),
    undefined,
    { node: p.node, what: `syncWith(${pid})`, on: [pid] },
  );
}
