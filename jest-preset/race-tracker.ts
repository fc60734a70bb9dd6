/**
 * Happens-before during a plain (fifo) run: a vector clock per actor
 * (process, or 0 for the test's own code), carried by every signal. Two
 * deliveries to one receiver from different senders race when the second
 * was sent without knowledge of the first's landing: a schedule OTP allows
 * lands them the other way round.
 */
import type { InFlight, RaceObserver } from "otpkit/testing-hooks";

type Clock = Map<number, number>;

/** One landed signal, named stably (pair and place on it) for reruns. */
export interface Landing {
  key: string;
  index: number;
  from: number;
  actor: number;
  to: number;
  what: unknown;
  /** Position in the run's landing order. */
  at: number;
  /** The receiver's own clock entry after the landing. */
  tick: number;
}

/** At most this many racing pairs are kept per run (the reruns try the first ones). */
const MAX_RACES = 256;

export class RaceTracker implements RaceObserver {
  private clocks = new Map<number, Clock>();
  /** Every landing, in order (the chart of the run). */
  readonly landings: Landing[] = [];
  private perActor = new Map<number, number[]>();
  /** Racing pairs: [landed first, landed second]. */
  readonly races: Array<[Landing, Landing]> = [];

  private clock(actor: number): Clock {
    let c = this.clocks.get(actor);
    if (c === undefined) this.clocks.set(actor, (c = new Map()));
    return c;
  }

  posted(s: InFlight): void {
    const c = this.clock(s.from);
    c.set(s.from, (c.get(s.from) ?? 0) + 1);
    s.note = new Map(c);
  }

  landed(s: InFlight): void {
    const sent = s.note as Clock;
    const c = this.clock(s.actor);
    for (const [k, v] of sent) if ((c.get(k) ?? 0) < v) c.set(k, v);
    const tick = (c.get(s.actor) ?? 0) + 1;
    c.set(s.actor, tick);
    const l: Landing = {
      key: s.key,
      index: s.index,
      from: s.from,
      actor: s.actor,
      to: s.to,
      what: s.what,
      at: this.landings.length,
      tick,
    };
    let before = this.perActor.get(s.actor);
    if (before === undefined) this.perActor.set(s.actor, (before = []));
    const known = sent.get(s.actor) ?? 0;
    for (let i = before.length - 1; i >= 0 && this.races.length < MAX_RACES; i--) {
      const p = this.landings[before[i]];
      if (known >= p.tick) break; // the sender knew of p: ordered, and so is everything before it
      if (p.from !== s.from) this.races.push([p, l]);
    }
    before.push(l.at);
    this.landings.push(l);
  }

  spawned(parent: number, child: number): void {
    const c = this.clock(parent);
    c.set(parent, (c.get(parent) ?? 0) + 1);
    this.clocks.set(child, new Map(c));
  }
}
