/** `awaitSysEvent(pid, match)`: wait for a special process to emit a matching sys event. */
import { Pid, SysEvent, attachDebug, isPid } from "otpkit";
import { viewOf } from "otpkit/testing-hooks";
import { describeEvent, describeProcess, short } from "./describe-process";
import { Pattern, matches } from "./match";
import { checkWait, withTimeout } from "./timeouts";

/**
 * Armed the moment it is called (its debug function is attached
 * synchronously), so `const seen = awaitSysEvent(server, m); trigger();
 * await seen` cannot miss the event under any schedule. Resolves with the
 * first matching event and detaches. `match` is a predicate or a partial
 * pattern, e.g. `{ kind: "in", msg: { kind: "DOWN", pid } }`.
 */
export function awaitSysEvent<E extends SysEvent = SysEvent>(
  pid: Pid,
  match: Pattern<SysEvent>,
  options: { timeout?: number } = {},
): Promise<E> {
  if (!isPid(pid)) throw new TypeError(`awaitSysEvent: expected a pid, got ${String(pid)}`);
  if (match === null || (typeof match !== "function" && typeof match !== "object"))
    throw new TypeError(
      `awaitSysEvent: match must be a predicate or a pattern object, got ${String(match)}`,
    );
  const ms = checkWait("awaitSysEvent", options.timeout);
  const seen: SysEvent[] = [];
  let detach = () => {};
  let unwatch = () => {};
  const hit = new Promise<E>((resolve, reject) => {
    detach = attachDebug(
      pid,
      (_s, event) => {
        seen.push(event);
        if (seen.length > 20) seen.shift();
        if (matches(event, match)) {
          unwatch();
          resolve(event as E);
          return "done";
        }
        return null;
      },
      null,
    );
    // A process that dies first can never emit it.
    unwatch = viewOf(pid)!.node.onExit(pid, (reason) =>
      reject(
        new Error(
          `awaitSysEvent(${pid}, ${short(match)}): the process exited (${short(reason)}) before a matching event.\n${seenText(seen)}`,
        ),
      ),
    );
  });
  return withTimeout(
    hit,
    ms,
    () =>
      new Error(
        `awaitSysEvent(${pid}, ${short(match)}) timed out after ${ms} ms.\n${seenText(seen)}\n${describeProcess(pid)}`,
      ),
    () => {
      detach();
      unwatch();
    },
  );
}

function seenText(seen: SysEvent[]): string {
  return seen.length === 0
    ? "No sys event was emitted while it waited."
    : `Events seen while it waited:\n${seen.map((e) => `  ${describeEvent(e)}`).join("\n")}`;
}
