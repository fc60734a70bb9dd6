/** `awaitDown(pid)`: wait for a process to terminate. */
import { Pid, isPid } from "otpkit";
import { exitReasonOf, viewOf } from "otpkit/testing-hooks";
import { atCallSite, callSite } from "./call-site";
import { expectExit } from "./context";
import { describeProcess } from "./describe-process";
import { checkWait, withTimeout } from "./timeouts";

/**
 * Resolves with the exit reason once `pid` has terminated (at once if it
 * already has). Its crash, if it crashes, is then expected by the test.
 */
export function awaitDown(pid: Pid, options: { timeout?: number } = {}): Promise<unknown> {
  if (!isPid(pid)) throw new TypeError(`awaitDown: expected a pid, got ${String(pid)}`);
  const ms = checkWait("awaitDown", options.timeout);
  const site = callSite();
  expectExit(pid);
  const p = viewOf(pid);
  if (p === null) return Promise.resolve(exitReasonOf(pid));
  return withTimeout(
    p.node.awaitExit(pid),
    ms,
    () =>
      atCallSite(
        new Error(
          `awaitDown(${pid}) timed out after ${ms} ms: the process is still alive.\n${describeProcess(pid)}`,
        ),
        site,
      ),
    undefined,
    { node: p.node, what: `awaitDown(${pid})`, on: [pid] },
  );
}
