/** `holdAt(pid, match)`: hold a server right after a matching sys event, until released. */
import { Pid, SysEvent, attachDebug, isPid } from "otpkit";
import { holdableOf, viewOf, withNote } from "otpkit/testing-hooks";
import { atCallSite, callSite } from "./call-site";
import { registerWait } from "./deadlock";
import { short } from "./describe-process";
import { KindPattern, Pattern, matches } from "./match";

/** The handle `holdAt` returns. */
export interface Hold<E extends SysEvent = SysEvent> {
  /**
   * Resolves with the event once the process is held; rejects if the
   * deadlock check finds that nothing can emit it any more.
   */
  readonly reached: Promise<E>;
  /** Lets the process go on where it stopped. */
  release(): void;
}

/**
 * When the GenServer-based process `pid` emits an event matching `match`, it
 * is held right after it: for an `in` event, before its handler runs; for an
 * `out` or `noreply` event, before its next message. It stays held until
 * `release()`. Use it to build one exact interleaving on purpose.
 */
export function holdAt<E extends SysEvent>(
  pid: Pid,
  match: (event: SysEvent) => event is E,
): Hold<E>;
export function holdAt<K extends SysEvent["kind"]>(
  pid: Pid,
  match: KindPattern<SysEvent, K>,
): Hold<Extract<SysEvent, { kind: K }>>;
export function holdAt(pid: Pid, match: Pattern<SysEvent>): Hold;
export function holdAt(pid: Pid, match: unknown): Hold {
  if (!isPid(pid)) throw new TypeError(`holdAt: expected a pid, got ${String(pid)}`);
  const loop = holdableOf(pid);
  if (loop === null) throw new TypeError(`holdAt: ${pid} is not a live GenServer-based process`);
  let released = false;
  let detach: () => void = () => {};
  let unregister = () => {};
  const site = callSite();
  const what = `holdAt(${pid}, ${short(match, 120)}).reached`;
  const reached = new Promise<SysEvent>((resolve, reject) => {
    detach = attachDebug(
      pid,
      (_s, event) => {
        if (released || !matches(event, match)) return null;
        unregister();
        loop.hold();
        resolve(event);
        return "done";
      },
      null,
    );
    // Awaited or not, a hold whose event can no longer come is a wait of the test.
    unregister = registerWait({
      node: viewOf(pid)!.node,
      what,
      on: [pid],
      due: Infinity,
      fail: (note) => {
        detach();
        reject(atCallSite(withNote(new Error(`${what}: the event never came.`), note), site));
      },
    });
  });
  reached.catch(() => {}); // a hold that is never awaited must not fail the test by itself
  return {
    reached,
    release() {
      released = true;
      unregister();
      // Released before the event: the debug function goes now, not with the server.
      detach();
      loop.release();
    },
  };
}
