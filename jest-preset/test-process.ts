/** The test body as a process: a pid that can be sent to, linked and monitored, with assertions on its mailbox. */
import { Node, Pid, Self, TIMEOUT, currentNode } from "otpkit";
import { type BareProcess, spawnBare } from "otpkit/testing-hooks";
import { testState } from "./context";
import { describeMessage, short } from "./describe-process";
import { Pattern, matches } from "./match";
import { DEFAULT_WAIT, checkWait, scaled, withTimeout } from "./timeouts";

/** What the test can do as a process: everything a process body can, plus mailbox assertions. */
export interface TestProcess extends Self {
  /** Resolves with the first message matching `match` (default: any); fails listing the mailbox if none arrives in time. */
  assertReceive<T = unknown>(match?: Pattern<T>, options?: { timeout?: number }): Promise<T>;
  /** Resolves if no message matching `match` arrives within the timeout (default 100 ms); fails with the one that did. */
  refuteReceive(match?: Pattern, options?: { timeout?: number }): Promise<void>;
  /** The queued messages, oldest first. */
  messages(): unknown[];
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
    testState()?.testProcesses.set(node, p);
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

  assertReceive<T = unknown>(match?: Pattern<T>, options: { timeout?: number } = {}): Promise<T> {
    const ms = checkWait("assertReceive", options.timeout ?? DEFAULT_WAIT);
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match as Pattern);
    return withTimeout(
      this.receive(m) as Promise<T>,
      ms,
      () =>
        new Error(
          `assertReceive(${match === undefined ? "" : short(match)}) got no matching message within ${ms} ms.\n${this.mailboxText()}`,
        ),
      () => this.process.cancelReceive(),
    );
  }

  async refuteReceive(match?: Pattern, options: { timeout?: number } = {}): Promise<void> {
    const ms =
      options.timeout === undefined
        ? scaled(REFUTE_WAIT)
        : checkWait("refuteReceive", options.timeout);
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match);
    const got = await withTimeout(
      this.receive(m),
      ms,
      () => new Error("none"),
      () => this.process.cancelReceive(),
    ).catch(() => TIMEOUT);
    if (got !== TIMEOUT)
      throw new Error(
        `refuteReceive(${match === undefined ? "" : short(match)}) received ${describeMessage(got)}.\n${this.mailboxText()}`,
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
