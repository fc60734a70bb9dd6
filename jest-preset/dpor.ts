/**
 * Stateless source-set DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal
 * Dynamic Partial Order Reduction", POPL 2014, Algorithm 1 "Source-DPOR",
 * with sleep sets), over the steps of a controlled run.
 *
 * A step is named by a stable identity: `R<pid>` (run process <pid>: a turn,
 * or its termination) or `L<from>><to>` (land the head of that pair). A run
 * replays a prefix of identities, then takes the oldest enabled step not in
 * the sleep set. After each run the trace (what each step touched) gives the
 * races: two steps that touch the same state (`w:`/`r:` keys: a mailbox, a
 * process's liveness and link/monitor sets, a registered name) with at least
 * one write, of different identities, not ordered through a third step. For
 * each race, one step of the reversed order's "initials" is added to the
 * backtrack set where the first of the two was taken. The search is complete
 * when no backtrack point is left.
 */
import type { StepRecord } from "otpkit/testing-hooks";

interface TreeNode {
  enabled: readonly string[];
  chosen: string;
  backtrack: Set<string>;
  done: Map<string, readonly string[]>;
  /** Sleeping identities and what they touch (explored elsewhere, independent of the path since). */
  sleep: Map<string, readonly string[]>;
}

/** Do two steps (by the keys they touched) race on some state? */
export function conflict(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a)
    for (const y of b)
      if (x.slice(2) === y.slice(2) && (x.charCodeAt(0) === 119 || y.charCodeAt(0) === 119))
        return true;
  return false;
}

/** The exhaustive explorer's state across runs. */
export class Dpor {
  private stack: TreeNode[] = [];
  private prefix: string[] = [];
  /** The run being made: set when it hits a state whose every enabled step sleeps. */
  private blockedAt = -1;
  /** The prefix could not be replayed (the scenario is not deterministic). */
  diverged = false;
  /** Races seen (pairs of steps), and how many were tried the other way round. */
  racesSeen = 0;
  racesReversed = 0;

  /** Picks the next step of the current run (the `Chooser` of a controlled node). */
  choose(ids: readonly string[], k: number, trace: readonly StepRecord[]): number {
    if (k < this.prefix.length) {
      const i = ids.indexOf(this.prefix[k]);
      if (i >= 0) return i;
      this.diverged = true;
      this.prefix.length = k;
      this.stack.length = k;
    }
    // A new state: its sleep set comes from the parent's, and the parent's explored siblings.
    const sleep = new Map<string, readonly string[]>();
    if (k > 0 && this.blockedAt < 0) {
      const parent = this.stack[k - 1];
      const took = trace[k - 1];
      for (const [id, keys] of [...parent.sleep, ...parent.done])
        if (id !== took.id && !conflict(keys, took.keys)) sleep.set(id, keys);
    }
    let i = ids.findIndex((id) => !sleep.has(id));
    if (i < 0) {
      if (this.blockedAt < 0) this.blockedAt = k;
      i = 0;
    }
    if (this.blockedAt < 0 || k < this.blockedAt)
      this.stack[k] = {
        enabled: ids,
        chosen: ids[i],
        backtrack: new Set([ids[i]]),
        done: new Map(),
        sleep,
      };
    return i;
  }

  /** A run has ended: records what its steps touched and adds backtrack points for its races. */
  finish(trace: readonly StepRecord[]): void {
    const n = this.blockedAt >= 0 ? this.blockedAt : Math.min(trace.length, this.stack.length);
    for (let k = 0; k < n; k++) {
      const node = this.stack[k];
      if (node !== undefined && node.chosen === trace[k].id)
        node.done.set(trace[k].id, trace[k].keys);
    }
    this.addRaces(trace.slice(0, n));
  }

  /** Sets up the next run; false when the search space is exhausted. */
  next(): boolean {
    this.blockedAt = -1;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const node = this.stack[i];
      for (const id of node.backtrack) {
        if (node.done.has(id) || node.sleep.has(id)) continue;
        this.stack.length = i + 1;
        node.chosen = id;
        this.prefix = this.stack.map((s) => s.chosen);
        return true;
      }
    }
    return false;
  }

  /** The current run's forced prefix (identities). */
  get forcedPrefix(): readonly string[] {
    return this.prefix;
  }

  private addRaces(trace: readonly StepRecord[]): void {
    const n = trace.length;
    const words = (n >> 5) + 1;
    const hb: Uint32Array[] = [];
    const lastOf = new Map<string, number>();
    const writes = new Map<string, number>();
    const reads = new Map<string, number[]>();
    const races: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      const s = trace[j];
      const preds = new Set<number>();
      const conflicting = new Set<number>();
      const same = lastOf.get(s.id);
      if (same !== undefined) preds.add(same);
      if (s.created >= 0 && s.created < j) preds.add(s.created);
      for (const key of s.keys) {
        const k = key.slice(2);
        const w = writes.get(k);
        if (w !== undefined) conflicting.add(w);
        if (key.charCodeAt(0) === 119) for (const r of reads.get(k) ?? []) conflicting.add(r);
      }
      conflicting.delete(j);
      const mine = new Uint32Array(words);
      for (const p of [...preds, ...conflicting]) {
        const h = hb[p];
        for (let w = 0; w < words; w++) mine[w] |= h[w];
        mine[p >> 5] |= 1 << (p & 31);
      }
      hb.push(mine);
      for (const i of conflicting) {
        if (trace[i].id === s.id || preds.has(i)) continue;
        // A race only if no other direct predecessor already orders i before j.
        let ordered = false;
        for (const p of [...preds, ...conflicting])
          if (p !== i && (hb[p][i >> 5] & (1 << (i & 31))) !== 0) ordered = true;
        if (!ordered) races.push([i, j]);
      }
      lastOf.set(s.id, j);
      for (const key of s.keys) {
        const k = key.slice(2);
        if (key.charCodeAt(0) === 119) {
          writes.set(k, j);
          reads.set(k, []);
        } else (reads.get(k) ?? reads.set(k, []).get(k)!).push(j);
      }
    }
    for (const [i, j] of races) {
      this.racesSeen++;
      const node = this.stack[i];
      if (node === undefined) continue;
      // v: the steps after i that do not happen after it, then j; its initials can go first at i.
      const v: number[] = [];
      for (let k = i + 1; k < j; k++) if ((hb[k][i >> 5] & (1 << (i & 31))) === 0) v.push(k);
      v.push(j);
      const initials: string[] = [];
      for (const k of v) {
        let first = true;
        for (const e of v) {
          if (e >= k) break;
          if ((hb[k][e >> 5] & (1 << (e & 31))) !== 0) first = false;
        }
        if (first && node.enabled.includes(trace[k].id)) initials.push(trace[k].id);
      }
      if (initials.some((id) => node.backtrack.has(id))) continue;
      this.racesReversed++;
      if (initials.length === 0) {
        for (const id of node.enabled) node.backtrack.add(id);
      } else node.backtrack.add(initials.includes(trace[j].id) ? trace[j].id : initials[0]);
    }
  }
}

/** A signature of a trace's equivalence class: for each piece of state, the order of the steps that touched it. */
export function traceSignature(trace: readonly StepRecord[]): string {
  const occ = new Map<string, number>();
  const byKey = new Map<string, string[]>();
  for (const s of trace) {
    const o = (occ.get(s.id) ?? 0) + 1;
    occ.set(s.id, o);
    for (const key of s.keys) {
      const k = key.slice(2);
      let l = byKey.get(k);
      if (l === undefined) byKey.set(k, (l = []));
      const tag = `${s.id}#${o}`;
      if (l[l.length - 1] !== tag) l.push(tag);
    }
  }
  return JSON.stringify([[...occ].sort(), [...byKey].sort()]);
}
