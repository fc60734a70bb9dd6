/** The test body as a process: a pid that can be sent to, linked and monitored, with assertions on its mailbox. */
import { Node, Self, TIMEOUT, currentNode } from "otpkit";
import type { Proc } from "otpkit/testing-hooks";
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

const procs = new WeakMap<Node, Proc>();

/**
 * The test's own process on the current node (made on first use, stopped
 * with the test). `const me = testProcess(); me.monitor(pid); await
 * me.assertReceive(isDown)`.
 */
export function testProcess(): TestProcess {
  const node = currentNode();
  let p = procs.get(node);
  if (p === undefined || !p.alive) {
    p = node.spawnProc(null);
    procs.set(node, p);
    testState()?.testProcesses.set(node, p);
    Object.assign(p, methods);
  }
  return p as unknown as TestProcess;
}

function mailboxText(p: Proc): string {
  const msgs = p.mailbox.toArray(10);
  return msgs.length === 0
    ? "The mailbox is empty."
    : `Mailbox (${p.mailbox.length}):\n${msgs.map((m) => `  ${describeMessage(m)}`).join("\n")}`;
}

const methods = {
  assertReceive(this: Proc, match?: Pattern, options: { timeout?: number } = {}): Promise<unknown> {
    const ms = checkWait("assertReceive", options.timeout ?? DEFAULT_WAIT);
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match);
    return withTimeout(
      this.receive(m),
      ms,
      () =>
        new Error(
          `assertReceive(${match === undefined ? "" : short(match)}) got no matching message within ${ms} ms.\n${mailboxText(this)}`,
        ),
      () => this.cancelReceive(),
    );
  },
  async refuteReceive(
    this: Proc,
    match?: Pattern,
    options: { timeout?: number } = {},
  ): Promise<void> {
    const ms =
      options.timeout === undefined
        ? scaled(REFUTE_WAIT)
        : checkWait("refuteReceive", options.timeout);
    const m = match === undefined ? undefined : (x: unknown) => matches(x, match);
    const got = await withTimeout(
      this.receive(m),
      ms,
      () => new Error("none"),
      () => this.cancelReceive(),
    ).catch(() => TIMEOUT);
    if (got !== TIMEOUT)
      throw new Error(
        `refuteReceive(${match === undefined ? "" : short(match)}) received ${describeMessage(got)}.\n${mailboxText(this)}`,
      );
  },
  messages(this: Proc): unknown[] {
    return this.mailbox.toArray();
  },
};
