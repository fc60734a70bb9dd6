/**
 * Handler processes: a process whose body is a message handler, called once
 * per message, synchronously — the runtime's lightest process (no Promise
 * per message, no async frame while idle). A handler that returns a promise
 * holds the next message until it settles.
 */
import { isThenable } from "./errors";
import type { Proc, Self } from "./process";

/** Handles one message; `this` and `self` are the process context. */
export type Handler = (this: Self, msg: unknown, self: Self) => void | PromiseLike<void>;

/** Messages handled per turn before the process yields (fifo mode). */
const BUDGET = 256;

/** @internal The behaviour of a handler process. */
export class HandlerLoop {
  private blocked = false;
  constructor(private readonly fn: Handler) {}

  run(p: Proc): void {
    const node = p.node;
    const mb = p.mailbox;
    const prev = node.current;
    node.current = p;
    let budget = node.scheduler.random ? 1 : BUDGET;
    try {
      while (budget-- > 0 && mb.length > 0 && p.alive && !this.blocked) {
        const r = this.fn.call(p, mb.shift(), p);
        if (isThenable(r)) this.wait(p, r as PromiseLike<void>);
      }
    } catch (e) {
      p.crash(e);
    } finally {
      node.current = prev;
    }
    if (p.alive && !this.blocked && mb.length > 0) p.schedule();
  }

  private wait(p: Proc, r: PromiseLike<void>): void {
    this.blocked = true;
    r.then(
      () => {
        this.blocked = false;
        if (p.mailbox.length > 0) p.schedule();
      },
      (e) => p.crash(e),
    );
  }
}
