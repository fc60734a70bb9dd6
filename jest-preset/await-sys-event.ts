/** `awaitSysEvent(pid, match)`: wait for a special process to emit a matching sys event. */
import { AnySysEvent, Pid, SysEvent, attachDebug, isPid } from "otpkit";
import { viewOf } from "otpkit/testing-hooks";
import { atCallSite, callSite } from "./call-site";
import { describeEvent, describeProcess, short } from "./describe-process";
import { KindPattern, NoInference, Pattern, matches } from "./match";
import { checkWait, withTimeout } from "./timeouts";

/** Options of `awaitSysEvent`. */
export interface AwaitSysEventOptions {
  /** Ms to wait (default 1000, scaled by `OTPKIT_TIMEOUT_FACTOR`). */
  timeout?: number;
}

/**
 * Armed the moment it is called (its debug function is attached
 * synchronously), so `const seen = awaitSysEvent(server, m); trigger();
 * await seen` cannot miss the event under any schedule. Resolves with the
 * first matching event and detaches. `match` is a predicate or a pattern
 * with `toMatchObject` semantics (asymmetric matchers welcome), e.g.
 * `{ kind: "in", msg: { kind: "DOWN", pid } }`; the event it resolves with
 * is typed from the pattern's `kind` (or the predicate's type guard).
 * `Ev` is the events the process reports: a GenServer's by default; a
 * hand-written special process's own as `SysEvent<MyEvents>`.
 */
export function awaitSysEvent<Ev extends AnySysEvent = SysEvent, E extends Ev = Ev>(
  pid: Pid,
  match: (event: Ev) => event is E,
  options?: AwaitSysEventOptions,
): Promise<E>;
export function awaitSysEvent<Ev extends AnySysEvent = SysEvent, K extends Ev["kind"] = Ev["kind"]>(
  pid: Pid,
  match: KindPattern<NoInference<Ev>, K>,
  options?: AwaitSysEventOptions,
): Promise<Extract<NoInference<Ev>, { kind: K }>>;
export function awaitSysEvent<Ev extends AnySysEvent = SysEvent>(
  pid: Pid,
  match: Pattern<NoInference<Ev>>,
  options?: AwaitSysEventOptions,
): Promise<NoInference<Ev>>;
export function awaitSysEvent(
  pid: Pid,
  match: unknown,
  options: AwaitSysEventOptions = {},
): Promise<AnySysEvent> {
  if (!isPid(pid)) throw new TypeError(`awaitSysEvent: expected a pid, got ${String(pid)}`);
  if (match === null || (typeof match !== "function" && typeof match !== "object"))
    throw new TypeError(
      `awaitSysEvent: match must be a predicate or a pattern object, got ${String(match)}`,
    );
  const ms = checkWait("awaitSysEvent", options.timeout);
  const site = callSite();
  const seen: AnySysEvent[] = [];
  const node = viewOf(pid)?.node;
  let detach = () => {};
  let unwatch = () => {};
  const hit = new Promise<AnySysEvent>((resolve, reject) => {
    detach = attachDebug<AnySysEvent>(
      pid,
      (_s, event) => {
        seen.push(event);
        if (seen.length > 20) seen.shift();
        if (matches(event, match)) {
          unwatch();
          resolve(event);
          return "done";
        }
        return null;
      },
      null,
    );
    // A process that dies first can never emit it.
    unwatch = viewOf(pid)!.node.onExit(pid, (reason) =>
      reject(
        atCallSite(
          new Error(
            `awaitSysEvent(${pid}, ${short(match, 120)}): the process exited (${short(reason)}) before a matching event.\n${seenText(seen)}`,
          ),
          site,
        ),
      ),
    );
  });
  return withTimeout(
    hit,
    ms,
    () =>
      atCallSite(
        new Error(
          `awaitSysEvent(${pid}, ${short(match, 120)}) timed out after ${ms} ms.\n${seenText(seen)}\n${describeProcess(pid)}`,
        ),
        site,
      ),
    () => {
      detach();
      unwatch();
    },
    node === undefined
      ? undefined
      : { node, what: `awaitSysEvent(${pid}, ${short(match, 120)})`, on: [pid] },
  );
}

function seenText(seen: AnySysEvent[]): string {
  return seen.length === 0
    ? "No sys event was emitted while it waited."
    : `Events seen while it waited:\n${seen.map((e) => `  ${describeEvent(e)}`).join("\n")}`;
}
