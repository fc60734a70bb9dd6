/**
 * The deadlock check's quarter second (./deadlock.ts): a wait fails only when
 * "nothing can progress" is seen, and seen again at least `ms` later with no
 * node having done any work in between. A look in between that saw something
 * outside the nodes pending (a timer that came and went without making a
 * node work: Jest's status tick) does not restart it; a node's work does.
 */
export class Settle {
  private since = -1;
  private work = 0;
  constructor(private readonly ms: number) {}

  /** The nodes may progress (one is runnable): start over. */
  reset(): void {
    this.since = -1;
  }

  /**
   * "Nothing can progress" seen at `now`, the nodes' work count being
   * `work`: the ms still to wait before the wait fails (<= 0: fail it now,
   * and start over).
   */
  stuckAt(now: number, work: number): number {
    if (this.since < 0 || this.work !== work) {
      this.since = now;
      this.work = work;
    }
    const left = this.since + this.ms - now;
    if (left <= 0) this.since = -1;
    return left;
  }
}
