/**
 * The rules for exit signals, links and monitors, in one place (OTP's
 * "Receiving exit signals", `link/1`, `monitor/2`, `demonitor/2`).
 * Every signal goes through the scheduler's `post`, keyed by sender and
 * receiver, so per-pair order holds in every mode.
 */
import { Down, Exit, MonitorObject, Pid, Ref } from "./terms";
import type { Proc } from "./process";
import type { Node } from "./node";
import { CallbackSignal, Signal, actorOf } from "./scheduler";

/** @internal Anything that can receive messages: a process, or an endpoint (a call's reply slot). */
export interface Receiver {
  /** Positive for processes, negative for endpoints. */
  readonly id: number;
  /** For an endpoint: the actor it belongs to (the calling process's id; 0 outside processes). */
  readonly actor?: number;
  readonly alive: boolean;
  /** The monitors this receiver owns: the newest, linked to the older ones (`ownerNext`). */
  owned: Monitor | null;
  /** Puts a message into this receiver (its mailbox, or its callback). */
  deliver(msg: unknown): void;
}

/**
 * @internal One monitor: `owner` watches `target`. It sits in two intrusive
 * lists, its owner's (`Receiver.owned`) and, once the monitor signal has
 * landed, its target's (`Proc.monitoredBy`); while active its ref names it
 * (`Ref.monitorOf`). Setting, firing and removing one touch no map.
 */
export class Monitor {
  /** In its owner's list, its ref naming it: the DOWN is still to come. */
  active = true;
  /** The ref is also an alias of the owner, dropped with the monitor (MON-08). */
  alias = false;
  ownerPrev: Monitor | null = null;
  ownerNext: Monitor | null = null;
  targetPrev: Monitor | null = null;
  targetNext: Monitor | null = null;
  constructor(
    readonly ref: Ref,
    readonly owner: Receiver,
    /** The watched process; null for a monitor that fires `noproc` at once. */
    readonly target: Proc | null,
    readonly object: MonitorObject,
  ) {}
}

/** Puts `m` first in its owner's list; its ref names it from now on. */
function linkOwned(m: Monitor): void {
  const o = m.owner;
  const head = o.owned;
  m.ownerNext = head;
  if (head !== null) head.ownerPrev = m;
  o.owned = m;
  Ref.setMonitor(m.ref, m);
}

/** Takes the active `m` out of its owner's list; its ref no longer names it. */
function unlinkOwned(m: Monitor): void {
  const prev = m.ownerPrev;
  const next = m.ownerNext;
  if (prev !== null) prev.ownerNext = next;
  else m.owner.owned = next;
  if (next !== null) next.ownerPrev = prev;
  m.ownerPrev = m.ownerNext = null;
  Ref.setMonitor(m.ref, null);
}

/** Puts `m` first in its (live) target's list. */
function linkOnTarget(m: Monitor, target: Proc): void {
  const head = target.monitoredBy;
  m.targetNext = head;
  if (head !== null) head.targetPrev = m;
  target.monitoredBy = m;
}

/** Takes `m` out of its target's list, if it is there (not when in flight, nor once the target's DOWNs went out). */
function unlinkOnTarget(m: Monitor): void {
  const t = m.target;
  if (t === null || t.monitoredBy === null) return;
  const prev = m.targetPrev;
  const next = m.targetNext;
  if (prev !== null) prev.targetNext = next;
  else if (t.monitoredBy === m) t.monitoredBy = next;
  else return;
  if (next !== null) next.targetPrev = prev;
  m.targetPrev = m.targetNext = null;
}

/** @internal The monitors `r` owns, oldest first. */
export function ownedMonitors(r: Receiver): Monitor[] {
  const all: Monitor[] = [];
  for (let m = r.owned; m !== null; m = m.ownerNext) all.push(m);
  return all.reverse();
}

/** @internal The monitors on `p` (their signals landed), oldest first. */
export function monitorsOn(p: Proc): Monitor[] {
  const all: Monitor[] = [];
  for (let m = p.monitoredBy; m !== null; m = m.targetNext) all.push(m);
  return all.reverse();
}

/**
 * A light monitor for pending calls: kept in an intrusive list on the target
 * (no map, no record), told when the target terminates.
 */
export interface Watcher {
  readonly id: number;
  /** The actor it belongs to (the calling process's id; 0 outside processes). */
  readonly actor?: number;
  prevWatch: Watcher | null;
  nextWatch: Watcher | null;
  /** The watched process terminated with `reason`. */
  targetDown(reason: unknown): void;
}

/** @internal Starts watching the live process `target`. */
export function watch(target: Proc, w: Watcher): void {
  w.prevWatch = null;
  w.nextWatch = target.watchers;
  if (target.watchers !== null) target.watchers.prevWatch = w;
  target.watchers = w;
}

/** @internal Stops watching `target` (a no-op once it has terminated). */
export function unwatch(target: Proc, w: Watcher): void {
  if (target.alive) {
    if (w.prevWatch !== null) w.prevWatch.nextWatch = w.nextWatch;
    else if (target.watchers === w) target.watchers = w.nextWatch;
    if (w.nextWatch !== null) w.nextWatch.prevWatch = w.prevWatch;
  }
  w.prevWatch = w.nextWatch = null;
}

/** @internal Whether an exit signal came from `exit(pid, reason)` or from a link. */
export const enum Via {
  Exit,
  Link,
}

/** @internal Applies an exit signal that has arrived at `target` (LX-03..08). */
export function receiveExit(target: Proc, from: Pid, reason: unknown, via: Via): void {
  if (!target.alive) return;
  if (via === Via.Exit && reason === "kill") return target.node.terminate(target, "killed");
  if (target.trapExit) return target.deliver(new Exit(from, reason));
  if (reason === "normal") {
    if (via === Via.Exit && from === target.pid) target.node.terminate(target, "normal");
    return;
  }
  target.node.terminate(target, reason);
}

/**
 * An exit signal in flight: from `exit(pid, reason)`, or over a link when its
 * sender terminated (then an unlink done meanwhile cancels it, LX-09).
 */
class ExitSignal extends Signal {
  constructor(
    readonly target: Proc,
    readonly sender: Pid,
    readonly reason: unknown,
    readonly via: Via,
  ) {
    super(target.id);
  }
  fire(): void {
    const t = this.target;
    if (this.via === Via.Link && (!t.alive || t.links === null || !t.links.delete(this.sender)))
      return;
    receiveExit(t, this.sender, this.reason, this.via);
  }
  get what(): unknown {
    return { signal: this.via === Via.Exit ? "exit" : "EXIT", reason: this.reason };
  }
}

/** A monitor's DOWN in flight; a demonitor before it lands cancels it. */
class DownSignal extends Signal {
  constructor(
    readonly node: Node,
    readonly monitor: Monitor,
    readonly reason: unknown,
    readonly pid: Pid | undefined,
  ) {
    super(monitor.owner.id);
  }
  fire(): void {
    fireDown(this.node, this.monitor, this.reason, this.pid);
  }
  get what(): unknown {
    return { signal: "DOWN", reason: this.reason };
  }
}

/** A pending call's news that its server terminated. */
class WatcherDown extends Signal {
  constructor(
    readonly watcher: Watcher,
    readonly reason: unknown,
  ) {
    super(watcher.id);
  }
  fire(): void {
    this.watcher.targetDown(this.reason);
  }
  get what(): unknown {
    return { signal: "DOWN", reason: this.reason };
  }
}

/** @internal Sends an exit signal from `from` (sender id `fromId`) to `target`. */
export function sendExit(fromId: number, from: Pid, target: Proc, reason: unknown): void {
  target.node.scheduler.post(fromId, new ExitSignal(target, from, reason, Via.Exit));
}

/** Links `a` and `b` (both alive) at once: for spawnLink, atomic with the spawn. Idempotent. */
export function link(a: Proc, b: Proc): void {
  (a.links ??= new Set()).add(b.pid);
  (b.links ??= new Set()).add(a.pid);
}

/**
 * `a` links to `b`: `a`'s side at once, `b`'s when the link signal lands. If
 * `b` has terminated by then, `a` gets a `noproc` exit signal from `b`
 * (OTP's `link/1`: the link signal races with `b`'s termination).
 */
export function linkSignal(a: Proc, b: Proc): void {
  (a.links ??= new Set()).add(b.pid);
  a.node.scheduler.post(
    a.id,
    new CallbackSignal(
      b.id,
      () => {
        if (!b.finished) (b.links ??= new Set()).add(a.pid);
        else a.node.scheduler.post(b.id, new ExitSignal(a, b.pid, "noproc", Via.Link));
      },
      { signal: "link", reason: undefined },
    ),
  );
}

/** @internal Removes the link between `a` and the process `pid`, on both sides. */
export function unlink(a: Proc, pid: Pid): void {
  a.links?.delete(pid);
  const b = Pid.procOf(pid);
  b?.links?.delete(a.pid);
}

/** @internal Sets a monitor from `owner` on the live `target`. */
export function addMonitor(
  owner: Receiver,
  target: Proc,
  ref: Ref,
  object: MonitorObject,
): Monitor {
  const m = new Monitor(ref, owner, target, object);
  linkOnTarget(m, target);
  linkOwned(m);
  return m;
}

/**
 * Sets a monitor from `owner` on `target` as OTP does: the owner's side at
 * once, the target's when the monitor signal lands. If the target has
 * terminated by then, the DOWN says `noproc` (the monitor signal lost the
 * race with the termination); otherwise it carries the real reason.
 */
export function monitorSignal(
  owner: Receiver,
  target: Proc,
  ref: Ref,
  object: MonitorObject,
): Monitor {
  const m = new Monitor(ref, owner, target, object);
  linkOwned(m);
  const node = target.node;
  node.scheduler.post(
    actorOf(owner),
    new CallbackSignal(
      target.id,
      () => {
        if (!m.active) return; // demonitored while in flight
        if (!target.finished) linkOnTarget(m, target);
        else
          node.scheduler.post(
            target.id,
            new DownSignal(node, m, "noproc", target.pid),
            actorOf(owner),
          );
      },
      { signal: "monitor", reason: undefined },
    ),
  );
  return m;
}

/**
 * Sets a monitor on something that is not alive: its `DOWN noproc` is on its
 * way (MON-02), sent as if by the target, and a demonitor before it lands
 * cancels it (MON-04).
 */
export function addDeadMonitor(
  node: Node,
  owner: Receiver,
  fromId: number,
  ref: Ref,
  object: MonitorObject,
): Monitor {
  const m = new Monitor(ref, owner, null, object);
  linkOwned(m);
  node.scheduler.post(fromId, new DownSignal(node, m, "noproc", undefined), actorOf(owner));
  return m;
}

/** Delivers the DOWN of monitor `m` unless it was removed meanwhile. */
function fireDown(node: Node, m: Monitor, reason: unknown, pid: Pid | undefined): void {
  if (!m.active) return;
  m.active = false;
  unlinkOwned(m);
  if (m.alias) node.unalias(m.ref, m.owner);
  if (m.owner.alive) m.owner.deliver(new Down(m.ref, m.object, reason, pid));
}

/** Ends the active monitor `m` without a DOWN: out of its owner's list and its target's. */
function dropMonitor(m: Monitor): void {
  m.active = false;
  unlinkOwned(m);
  unlinkOnTarget(m);
}

/** @internal Removes `owner`'s monitor `ref`; true if it was active (MON-04/05). */
export function removeMonitor(owner: Receiver, ref: Ref): boolean {
  const m = Ref.monitorOf(ref) as Monitor | null;
  if (m === null || m.owner !== owner) return false;
  dropMonitor(m);
  return true;
}

/**
 * The signals a terminating process sends: `EXIT` over its links, `DOWN` to
 * its monitors' owners; and it drops the monitors it owned.
 */
export function sendExitSignals(p: Proc, reason: unknown): void {
  const s = p.node.scheduler;
  for (let m = p.owned; m !== null;) {
    const next = m.ownerNext;
    dropMonitor(m);
    m = next;
  }
  if (p.links !== null) {
    const from = p.pid;
    for (const pid of p.links) {
      const peer = Pid.procOf(pid);
      if (peer === null) continue;
      s.post(p.id, new ExitSignal(peer, from, reason, Via.Link));
    }
    p.links = null;
  }
  // In plain fifo a DOWN lands at once when nothing is in flight on its pair,
  // as a message would. EXITs are always posted: one may kill its receiver,
  // whose own EXITs would then recurse down a chain of links.
  // (A signal object is made only when it has to wait its turn.)
  for (let w = p.watchers; w !== null;) {
    const next = w.nextWatch;
    const actor = actorOf(w);
    if (s.landsNow(p.id, actor)) w.targetDown(reason);
    else s.post(p.id, new WatcherDown(w, reason), actor);
    w = next;
  }
  p.watchers = null;
  // Oldest first (the order they were set in): from the list's tail back.
  let m = p.monitoredBy;
  if (m !== null) {
    p.monitoredBy = null;
    while (m.targetNext !== null) m = m.targetNext;
    for (; m !== null; m = m.targetPrev) {
      const actor = actorOf(m.owner);
      if (s.landsNow(p.id, actor)) fireDown(p.node, m, reason, p.pid);
      else s.post(p.id, new DownSignal(p.node, m, reason, p.pid), actor);
    }
  }
}
