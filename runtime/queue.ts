/**
 * The one FIFO queue of the runtime (mailboxes, the run queue, the in-flight
 * signals of each sender→receiver pair): O(1) amortised push and take-first,
 * no copy per take, and indexed access for selective takes from the middle.
 *
 * An array and the index of its first live entry: taking the first entry
 * moves the index (no `Array.shift`), and the used-up front is dropped once
 * it is most of the array, so each entry is copied O(1) times on average.
 */

/** Shared by every empty queue (never written): an idle queue costs no array. */
const EMPTY: never[] = [];

/** A queue emptied after at least this many takes starts over in a fresh array. */
const RESET_AFTER = 256;

/** The used-up front is dropped once it is longer than this and than the live part. */
const COMPACT_AFTER = 1024;

/** @internal A FIFO queue with indexed access (0 is the oldest entry). */
export class Queue<T = unknown> {
  private q: T[] = EMPTY;
  private head = 0;

  /** The number of entries. */
  get length(): number {
    return this.q.length - this.head;
  }

  /** Appends `x` at the back. */
  push(x: T): void {
    if (this.q === EMPTY) this.q = [x];
    else this.q.push(x);
  }

  /** Puts `x` back at the front. */
  unshift(x: T): void {
    if (this.head > 0) this.q[--this.head] = x;
    else if (this.q === EMPTY) this.q = [x];
    else this.q.unshift(x);
  }

  /** Removes and returns the oldest entry; call only when `length > 0`. */
  shift(): T {
    const q = this.q;
    const x = q[this.head];
    q[this.head++] = undefined as T; // not kept alive by the queue
    if (this.head === q.length) {
      // Emptied: start over in a fresh array now and then (cheaper than truncating each time).
      if (this.head >= RESET_AFTER) this.clear();
    } else if (this.head > COMPACT_AFTER && this.head * 2 > q.length) {
      this.q = q.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  /** The entry at index `i` (0: the oldest); call only when `0 <= i < length`. */
  at(i: number): T {
    return this.q[this.head + i];
  }

  /** Index of the first entry at or after `from` that satisfies `match`, or -1. */
  find(match: (x: T) => unknown, from = 0): number {
    const q = this.q;
    for (let i = this.head + from; i < q.length; i++) if (match(q[i])) return i - this.head;
    return -1;
  }

  /** Index of `x` (by identity), or -1. */
  indexOf(x: T): number {
    const i = this.q.indexOf(x, this.head);
    return i < 0 ? -1 : i - this.head;
  }

  /** Removes and returns the entry at index `i`; call only when `0 <= i < length`. */
  takeAt(i: number): T {
    if (i === 0) return this.shift();
    const at = this.head + i;
    const q = this.q;
    const x = q[at];
    if (at === q.length - 1) q.pop();
    else q.splice(at, 1);
    return x;
  }

  /** Removes every entry that satisfies `match`; returns how many. */
  removeAll(match: (x: T) => unknown): number {
    let n = 0;
    for (let i = this.find(match); i >= 0; i = this.find(match, i)) {
      this.takeAt(i);
      n++;
    }
    return n;
  }

  /** A copy of the entries, oldest first (at most `limit`). */
  toArray(limit = Infinity): T[] {
    return this.q.slice(this.head, Math.min(this.q.length, this.head + limit));
  }

  /** Removes every entry. */
  clear(): void {
    this.q = EMPTY;
    this.head = 0;
  }
}
