/** The test body as a process: a pid that can be sent to, linked and monitored, with assertions on its mailbox. */
import { Node, Pid, Self, TIMEOUT, currentNode } from "otpkit";
import { type BareProcess, exitReasonOf, spawnBare } from "otpkit/testing-hooks";
import { atCallSite, callSite } from "./call-site";
import { expectExit, testState } from "./context";
import { describeMessage, short } from "./describe-process";
import { Pattern, matches } from "./match";
import { DEFAULT_WAIT, checkWait, scaled, withTimeout } from "./timeouts";

/** What the test can do as a process: everything a process body can, plus mailbox assertions. */
export interface TestProcess extends Self {
  /**
   * Resolves with the first message matching `match` (default: any): a type
   * guard (the message is typed by it), or a pattern with `toMatchObject`
   * semantics, typed by `T` when given (`assertReceive<Msg>({ kind: "in" })`).
   * Fails listing the mailbox if none arrives in time, and at once if the
   * test process is dead (killed by a linked crash), with its exit reason.
   */
  assertReceive<T>(match: (m: unknown) => m is T, options?: ReceiveAssertOptions): Promise<T>;
  assertReceive<T = unknown>(match?: Pattern<T>, options?: ReceiveAssertOptions): Promise<T>;
  /** Resolves if no message matching `match` arrives within the timeout (default 100 ms); fails with the one that did, or at once if the test process is dead. */
  refuteReceive<T = unknown>(match?: Pattern<T>, options?: ReceiveAssertOptions): Promise<void>;
  /** The queued messages, oldest first. */
  messages(): unknown[];
}

/** Options of `assertReceive` and `refuteReceive`. */
export interface ReceiveAssertOptions {
  /** Ms to wait (scaled by `OTPKIT_TIMEOUT_FACTOR`). */
  timeout?: number;
}

/** The default wait of `refuteReceive`, in ms (before scaling). */
export const REFUTE_WAIT = 100;

const probes = new WeakMap<Node, Probe>();

/**
 * The test's own process on the current node (made on first use, stopped
 * with the test). `const me = testProcess(); me.monitor(pid); await
 * me.assertReceive(isDown)`.
 */
export function testProcess(): TestProcess {
  const node = currentNode();
  let p = probes.get(node);
  if (p === undefined || !p.process.alive) {
    p = new Probe(spawnBare(node));
    probes.set(node, p);
    const s = testState();
    s?.testProcesses.set(node, p);
    // The test's own node only: explore's runs shut their nodes down (and their test processes).
    if (s !== null && s.node === node) s.testPids.push(p.pid);
  }
  return p;
}

/** A TestProcess over a bare process: its `Self`, plus assertions on its mailbox. */
class Probe implements TestProcess {
  readonly pid: Pid;
  readonly node: Node;
  readonly receive: Self["receive"];
  readonly send: Self["send"];
  readonly spawn: Self["spawn"];
  readonly spawnLink: Self["spawnLink"];
  readonly spawnHandler: Self["spawnHandler"];
  readonly spawnMonitor: Self["spawnMonitor"];
  readonly link: Self["link"];
  readonly unlink: Self["unlink"];
  readonly monitor: Self["monitor"];
  readonly demonitor: Self["demonitor"];
  readonly processFlag: Self["processFlag"];
  readonly exit: Self["exit"];
  readonly register: Self["register"];
  readonly isAlive: Self["isAlive"];

  constructor(readonly process: BareProcess) {
    const s = process.self;
    this.pid = s.pid;
    this.node = s.node;
    this.receive = s.receive.bind(s) as Self["receive"];
    this.send = s.send.bind(s);
    this.spawn = s.spawn.bind(s);
    this.spawnLink = s.spawnLink.bind(s);
    this.spawnHandler = s.spawnHandler.bind(s);
    this.spawnMonitor = s.spawnMonitor.bind(s);
    this.link = s.link.bind(s);
    this.unlink = s.unlink.bind(s);
    this.monitor = s.monitor.bind(s);
    this.demonitor = s.demonitor.bind(s);
    this.processFlag = s.processFlag.bind(s);
    this.exit = s.exit.bind(s) as Self["exit"];
    this.register = s.register.bind(s);
    this.isAlive = s.isAlive.bind(s);
  }

  assertReceive(match?: Pattern, options: ReceiveAssertOptions = {}): Promise<any> {
    const ms = checkWait("assertReceive", options.timeout ?? DEFAULT_WAIT);
    const site = callSite();
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match);
    const r = this.receiveAlive("assertReceive", match, m, site);
    return withTimeout(
      r.received,
      ms,
      () =>
        atCallSite(
          new Error(
            `assertReceive(${match === undefined ? "" : short(match, 120)}) got no matching message within ${ms} ms.\n${this.mailboxText()}`,
          ),
          site,
        ),
      () => {
        r.stop();
        this.process.cancelReceive();
      },
      {
        node: this.node,
        what: `assertReceive(${match === undefined ? "" : short(match, 120)}) on ${this.pid}`,
        on: [this.pid],
      },
    );
  }

  async refuteReceive(match?: Pattern, options: ReceiveAssertOptions = {}): Promise<void> {
    const ms =
      options.timeout === undefined
        ? scaled(REFUTE_WAIT)
        : checkWait("refuteReceive", options.timeout);
    const site = callSite();
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match);
    const r = this.receiveAlive("refuteReceive", match, m, site);
    const TIMED_OUT = new Error("none");
    const got = await withTimeout(
      r.received,
      ms,
      () => TIMED_OUT,
      () => {
        r.stop();
        this.process.cancelReceive();
      },
    ).catch((e: unknown) => {
      if (e === TIMED_OUT) return TIMEOUT;
      throw e;
    });
    if (got !== TIMEOUT)
      throw atCallSite(
        new Error(
          `refuteReceive(${match === undefined ? "" : short(match, 120)}) received ${describeMessage(got)}.\n${this.mailboxText()}`,
        ),
        site,
      );
  }

  /**
   * Receives, failing at once if the process is dead or dies while it waits
   * (its pending receive would otherwise never settle).
   */
  private receiveAlive(
    fn: string,
    match: unknown,
    m: ((x: unknown) => unknown) | undefined,
    site: Error,
  ): { received: Promise<unknown>; stop(): void } {
    if (!this.process.alive)
      return {
        received: Promise.reject(this.deadError(fn, match, exitReasonOf(this.pid), site)),
        stop() {},
      };
    let unwatch = () => {};
    const died = new Promise<never>((_, reject) => {
      unwatch = this.node.onExit(this.pid, (reason) =>
        reject(this.deadError(fn, match, reason, site)),
      );
    });
    const received = Promise.race([this.receive(m), died]);
    void received.then(unwatch, unwatch);
    return { received, stop: unwatch };
  }

  /** The error of an assertion made by (or waiting in) a test process that is dead. */
  private deadError(fn: string, match: unknown, reason: unknown, site: Error): Error {
    expectExit(this.pid); // reported here: the end of the test does not report it again
    return atCallSite(
      new Error(
        `${fn}(${match === undefined ? "" : short(match, 120)}): the test process ${this.pid} is dead (exit reason: ${short(reason, 200)}); ` +
          `it was linked to a process that exited, or was sent an exit signal. ` +
          `Trap exits (me.processFlag("trapExit", true)) to receive the EXIT as a message instead.\n${this.mailboxText()}`,
      ),
      site,
    );
  }

  messages(): unknown[] {
    return this.process.messages();
  }

  private mailboxText(): string {
    const msgs = this.process.messages(10);
    return msgs.length === 0
      ? "The mailbox is empty."
      : `Mailbox (${this.process.queued}):\n${msgs.map((m) => `  ${describeMessage(m)}`).join("\n")}`;
  }
}
