/**
 * Receivers that are not processes (negative ids): a plain endpoint that
 * hands each message to a callback, and the reply slot of a call, an
 * asynchronous request or a synchronous start, which waits for one reply
 * while watching the process that owes it and settles once: on the reply,
 * on that process's death, or at its deadline.
 */
import type { Deadlines, Expirable } from "./deadlines";
import type { Proc } from "./process";
import { Monitor, Receiver, Watcher, unwatch, watch } from "./signals";

/** @internal A receiver that is not a process, handing each message to a callback while alive (the test helpers' and `stop`'s watchers). */
export class Endpoint implements Receiver {
  alive = true;
  owned: Monitor | null = null;
  constructor(
    /** Negative: unique among the node's endpoints. */
    readonly id: number,
    private readonly onMessage: (m: unknown) => void,
  ) {}
  deliver(m: unknown): void {
    if (this.alive) this.onMessage(m);
  }
}

/**
 * @internal The slot one reply lands in. Once it settles (the reply, the
 * watched process's death, or the deadline) it is closed: later replies are
 * dropped, the watch and the deadline are gone.
 */
export abstract class ReplySlot implements Receiver, Watcher, Expirable {
  alive = true;
  owned: Monitor | null = null;
  /** The process that owes the reply, while watched. */
  target: Proc | null = null;
  prevWatch: Watcher | null = null;
  nextWatch: Watcher | null = null;
  due = 0;
  deadlineIndex = -1;
  /** The node's deadlines while this slot has one pending. */
  private deadlines: Deadlines | null = null;

  constructor(
    /** Negative: unique among the node's endpoints. */
    readonly id: number,
    /** The actor it belongs to (the process waiting on it; 0 outside processes). */
    readonly actor: number,
  ) {}

  /** Watches the live process `target`: its death settles the slot (`onDown`). */
  watch(target: Proc): void {
    this.target = target;
    watch(target, this);
  }

  /** Settles the slot with `onTimeout` after `ms` unless it has settled by then. */
  expireAfter(deadlines: Deadlines, ms: number): void {
    this.deadlines = deadlines;
    deadlines.add(ms, this);
  }

  /** The reply: settles the slot (`onReply`), unless it has settled already. */
  deliver(m: unknown): void {
    if (!this.alive) return;
    this.close();
    this.onReply(m);
  }

  /** The watched process terminated with `reason`. */
  targetDown(reason: unknown): void {
    if (!this.alive) return;
    this.close();
    this.onDown(reason);
  }

  /** The deadline passed. */
  expire(): void {
    if (!this.alive) return;
    this.close();
    this.onTimeout();
  }

  /** Stops taking replies; drops the watch and the deadline. */
  close(): void {
    this.alive = false;
    if (this.target !== null) unwatch(this.target, this);
    if (this.deadlines !== null) {
      this.deadlines.remove(this);
      this.deadlines = null;
    }
  }

  /** The reply (the slot is closed already). */
  protected abstract onReply(m: unknown): void;
  /** The watched process terminated, or did not exist, with `reason` (the slot is closed already). */
  protected abstract onDown(reason: unknown): void;
  /** The deadline passed (the slot is closed already). */
  protected onTimeout(): void {
    this.onDown("timeout");
  }
}
