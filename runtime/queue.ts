/**
 * The one FIFO queue of the runtime (mailboxes, the run queue, the in-flight
 * signals of each sender→receiver pair): O(1) push and take-first, no copy
 * per take and none on growth, and indexed access for selective takes from
 * the middle.
 *
 * Entries live in segments of at most SEGMENT entries: the head segment in
 * the queue itself (all a short queue ever uses), the rest, oldest first, in
 * an overflow list made when the head segment is full. A long queue is thus
 * many small arrays, never one large one: a large array is copied each time
 * it grows and, past V8's regular object size, allocated page by page, which
 * made a million pushes cost about ten times a million pushes into
 * segments (measured on Node 20: 220-370 ms against about 20 ms).
 */

/** Shared by every empty queue (never written): an idle queue costs no array. */
const EMPTY: never[] = [];

/** The most entries one segment holds. */
const SEGMENT = 1024;

/** A head segment emptied after at least this many takes starts over in a fresh array (else it is reused). */
const RESET_AFTER = 256;

/** The segments after the head one, oldest first, and how many entries they hold. */
interface Overflow<T> {
  segments: T[][];
  size: number;
}

/** @internal A FIFO queue with indexed access (0 is the oldest entry). */
export class Queue<T = unknown> {
  /** The head segment; its live entries start at `head`. */
  private q: T[] = EMPTY;
  private head = 0;
  private over: Overflow<T> | null = null;

  /** The number of entries. */
  get length(): number {
    const n = this.q.length - this.head;
    return this.over === null ? n : n + this.over.size;
  }

  /** Appends `x` at the back. */
  push(x: T): void {
    const o = this.over;
    if (o === null) {
      const q = this.q;
      if (q === EMPTY) this.q = [x];
      else if (q.length < SEGMENT) q.push(x);
      else this.over = { segments: [[x]], size: 1 };
      return;
    }
    const last = o.segments[o.segments.length - 1];
    if (last.length < SEGMENT) last.push(x);
    else o.segments.push([x]);
    o.size++;
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
    if (this.head === q.length) this.usedUp();
    return x;
  }

  /**
   * The head segment is used up: the next one takes its place; with none,
   * the array is kept for the next entries unless it has served many already.
   */
  private usedUp(): void {
    const o = this.over;
    if (o === null) {
      if (this.head >= RESET_AFTER) {
        this.q = EMPTY;
        this.head = 0;
      }
      return;
    }
    this.head = 0;
    const q = o.segments.shift()!;
    o.size -= q.length;
    if (o.segments.length === 0) this.over = null;
    this.q = q;
  }

  /** The entry at index `i` (0: the oldest); call only when `0 <= i < length`. */
  at(i: number): T {
    const n = this.q.length - this.head;
    if (i < n) return this.q[this.head + i];
    i -= n;
    for (const s of this.over!.segments) {
      if (i < s.length) return s[i];
      i -= s.length;
    }
    return undefined as T;
  }

  /** Index of the first entry at or after `from` that satisfies `match`, or -1. */
  find(match: (x: T) => unknown, from = 0): number {
    const q = this.q;
    const n = q.length - this.head;
    for (let i = this.head + from; i < q.length; i++) if (match(q[i])) return i - this.head;
    if (this.over === null) return -1;
    let base = n;
    for (const s of this.over.segments) {
      for (let i = Math.max(0, from - base); i < s.length; i++) if (match(s[i])) return base + i;
      base += s.length;
    }
    return -1;
  }

  /** Index of `x` (by identity), or -1. */
  indexOf(x: T): number {
    return this.find((y) => y === x);
  }

  /** Removes and returns the entry at index `i`; call only when `0 <= i < length`. */
  takeAt(i: number): T {
    if (i === 0) return this.shift();
    const q = this.q;
    const n = q.length - this.head;
    if (i < n) {
      const at = this.head + i;
      const x = q[at];
      if (at === q.length - 1) {
        q.pop();
        if (this.head === q.length) this.usedUp();
      } else q.splice(at, 1);
      return x;
    }
    const o = this.over!;
    i -= n;
    for (let k = 0; k < o.segments.length; k++) {
      const s = o.segments[k];
      if (i < s.length) {
        const x = s[i];
        s.splice(i, 1);
        o.size--;
        if (s.length === 0) {
          o.segments.splice(k, 1);
          if (o.segments.length === 0) this.over = null;
        }
        return x;
      }
      i -= s.length;
    }
    return undefined as T;
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
    const out = this.q.slice(this.head, Math.min(this.q.length, this.head + limit));
    if (this.over !== null)
      for (const s of this.over.segments) {
        if (out.length >= limit) break;
        for (const x of s) {
          if (out.length >= limit) break;
          out.push(x);
        }
      }
    return out;
  }

  /** Removes every entry. */
  clear(): void {
    this.q = EMPTY;
    this.head = 0;
    this.over = null;
  }
}
