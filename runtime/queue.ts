/**
 * The one FIFO queue of the runtime (mailboxes, the run queue, the in-flight
 * signals of each sender→receiver pair): O(1) push and take-first, and
 * indexed access for selective takes from the middle.
 *
 * A ring buffer: a power-of-two array, the index of the oldest entry and the
 * number of entries. A queue at a steady depth, however deep, allocates and
 * copies nothing; it grows by doubling (one copy of the entries), and gives
 * memory back when mostly empty.
 */

/** Shared by every empty queue (never written): an idle queue costs no array. */
const EMPTY: never[] = [];

/** The first array's size (a power of two). */
const MIN_CAPACITY = 8;

/** A queue with at least this capacity halves it once it is less than a quarter full. */
const SHRINK_FROM = 1024;

/** @internal A FIFO queue with indexed access (0 is the oldest entry). */
export class Queue<T = unknown> {
  /** The ring: its length is 0 or a power of two. */
  private ring: T[] = EMPTY;
  /** Index in `ring` of the oldest entry. */
  private first = 0;
  private size = 0;

  /** The number of entries. */
  get length(): number {
    return this.size;
  }

  /** Appends `x` at the back. */
  push(x: T): void {
    if (this.size === this.ring.length) this.resize(this.size === 0 ? MIN_CAPACITY : this.size * 2);
    const ring = this.ring;
    ring[(this.first + this.size++) & (ring.length - 1)] = x;
  }

  /** Puts `x` back at the front. */
  unshift(x: T): void {
    if (this.size === this.ring.length) this.resize(this.size === 0 ? MIN_CAPACITY : this.size * 2);
    const ring = this.ring;
    this.first = (this.first - 1) & (ring.length - 1);
    ring[this.first] = x;
    this.size++;
  }

  /** Removes and returns the oldest entry; call only when `length > 0`. */
  shift(): T {
    const ring = this.ring;
    const i = this.first;
    const x = ring[i];
    ring[i] = undefined as T; // not kept alive by the queue
    this.first = (i + 1) & (ring.length - 1);
    if (--this.size < ring.length >> 2 && ring.length >= SHRINK_FROM) this.resize(ring.length >> 1);
    return x;
  }

  /** The entry at index `i` (0: the oldest); call only when `0 <= i < length`. */
  at(i: number): T {
    const ring = this.ring;
    return ring[(this.first + i) & (ring.length - 1)];
  }

  /** Index of the first entry at or after `from` that satisfies `match`, or -1. */
  find(match: (x: T) => unknown, from = 0): number {
    const ring = this.ring;
    const mask = ring.length - 1;
    for (let i = from; i < this.size; i++) if (match(ring[(this.first + i) & mask])) return i;
    return -1;
  }

  /** Index of `x` (by identity), or -1. */
  indexOf(x: T): number {
    return this.find((y) => y === x);
  }

  /** Removes and returns the entry at index `i`; call only when `0 <= i < length`. */
  takeAt(i: number): T {
    if (i === 0) return this.shift();
    const ring = this.ring;
    const mask = ring.length - 1;
    const first = this.first;
    const x = ring[(first + i) & mask];
    // Close the gap from the nearer end.
    const last = this.size - 1;
    if (i > last >> 1) {
      for (let k = i; k < last; k++) ring[(first + k) & mask] = ring[(first + k + 1) & mask];
      ring[(first + last) & mask] = undefined as T;
    } else {
      for (let k = i; k > 0; k--) ring[(first + k) & mask] = ring[(first + k - 1) & mask];
      ring[first] = undefined as T;
      this.first = (first + 1) & mask;
    }
    this.size = last;
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
    const n = Math.min(this.size, limit);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(i);
    return out;
  }

  /** Removes every entry. */
  clear(): void {
    this.ring = EMPTY;
    this.first = 0;
    this.size = 0;
  }

  /** Moves the entries to a new ring of `capacity` slots (a power of two, at least `size`). */
  private resize(capacity: number): void {
    const old = this.ring;
    const mask = old.length - 1;
    const ring = new Array<T>(capacity);
    for (let i = 0; i < this.size; i++) ring[i] = old[(this.first + i) & mask];
    this.ring = ring;
    this.first = 0;
  }
}
