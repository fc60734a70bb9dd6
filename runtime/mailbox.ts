/**
 * A process's message queue: arrival order, O(1) append and take-first, and
 * selective take of the first message that matches (others stay in order).
 */
/** Shared by every empty mailbox (never written): an idle process costs no array. */
const EMPTY: unknown[] = [];

/** @internal */
export class Mailbox {
  private q: unknown[] = EMPTY;
  private head = 0;

  get length(): number {
    return this.q.length - this.head;
  }

  push(m: unknown): void {
    if (this.q === EMPTY) this.q = [m];
    else this.q.push(m);
  }

  /** Puts `m` back at the front. */
  unshift(m: unknown): void {
    if (this.head > 0) this.q[--this.head] = m;
    else if (this.q === EMPTY) this.q = [m];
    else this.q.unshift(m);
  }

  /** Removes and returns the first message; call only when `length > 0`. */
  shift(): unknown {
    const m = this.q[this.head];
    this.q[this.head++] = undefined;
    if (this.head === this.q.length) {
      // Emptied: start over in a fresh array now and then (cheaper than truncating each time).
      if (this.head >= 256) {
        this.q = EMPTY;
        this.head = 0;
      }
    } else if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  /**
   * Index (0-based, from the front) of the first message at or after `from`
   * that satisfies `match`, or -1.
   */
  find(match: (m: unknown) => unknown, from = 0): number {
    const q = this.q;
    for (let i = this.head + from; i < q.length; i++) if (match(q[i])) return i - this.head;
    return -1;
  }

  /** Removes and returns the message at index `i` (from the front). */
  takeAt(i: number): unknown {
    if (i === 0) return this.shift();
    const at = this.head + i;
    const m = this.q[at];
    if (at === this.q.length - 1) this.q.pop();
    else this.q.splice(at, 1);
    return m;
  }

  /** Removes every message that satisfies `match`; returns how many. */
  removeAll(match: (m: unknown) => unknown): number {
    let n = 0;
    for (let i = this.find(match); i >= 0; i = this.find(match, i)) {
      this.takeAt(i);
      n++;
    }
    return n;
  }

  /** A copy of the queued messages, oldest first (at most `limit`). */
  toArray(limit = Infinity): unknown[] {
    return this.q.slice(this.head, Math.min(this.q.length, this.head + limit));
  }
}
