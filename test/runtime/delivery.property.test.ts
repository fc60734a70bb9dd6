/**
 * Property: message delivery under random schedules. Many senders send
 * bursts to several receivers; whatever the seed, every message sent to a
 * live receiver is received exactly once, and each sender's messages reach
 * each receiver in send order.
 *
 * Completeness without sleeping: each receiver monitors every sender. The
 * `DOWN` comes from the sender (at its exit, or as `noproc` if it is gone
 * already), so per-pair order lands it after everything that sender sent to
 * that receiver. Once a receiver holds all the `DOWN`s, nothing more can
 * arrive, and its mailbox must be empty.
 */
import fc from "fast-check";
import { Down, isDown, Pid, Self, TIMEOUT } from "otpkit";
import { quietNode } from "../support";

/** A sender's message: sender index `s`, `k`-th message to this receiver, or END (the last). */
interface Msg {
  s: number;
  k: number;
}
const END = -1;

/** A burst: `n` messages in a row to receiver `to` (taken modulo the receiver count). */
interface Burst {
  to: number;
  n: number;
}

interface Scenario {
  mode: "random" | "fifo";
  seed: number;
  /** One entry per receiver: does it receive selectively (one sender at a time)? */
  receivers: boolean[];
  /** One plan per sender: its bursts, in order. */
  senders: Burst[][];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  mode: fc.oneof(
    { weight: 4, arbitrary: fc.constant("random" as const) },
    { weight: 1, arbitrary: fc.constant("fifo" as const) },
  ),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  receivers: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
  senders: fc.array(
    fc.array(fc.record({ to: fc.nat({ max: 1000 }), n: fc.integer({ min: 1, max: 40 }) }), {
      maxLength: 10,
    }),
    { minLength: 5, maxLength: 20 },
  ),
});

/** 20 senders x 12 bursts x 50 messages over 4 receivers: 12,000 messages in one node. */
const large: Scenario = {
  mode: "random",
  seed: 20240607,
  receivers: [false, true, false, true],
  senders: Array.from({ length: 20 }, (_, s) =>
    Array.from({ length: 12 }, (_, b) => ({ to: s + b, n: 50 })),
  ),
};

/** A watchdog for a lost DOWN: a run normally takes milliseconds. */
const RUN_LIMIT_MS = 3_000;

/** Received, per receiver and sender: the `k`s in arrival order. */
type Logs = number[][][];

/**
 * Runs `sc` on a fresh node; resolves with the number of data messages sent,
 * or rejects with every discrepancy found.
 */
async function deliver(sc: Scenario): Promise<number> {
  const node = quietNode({ mode: sc.mode, seed: sc.seed });
  const R = sc.receivers.length;
  const S = sc.senders.length;
  const plans = sc.senders.map((bursts) => bursts.map(({ to, n }) => ({ to: to % R, n })));
  const expected = plans.map((plan) => {
    const perReceiver = new Array<number>(R).fill(0);
    for (const { to, n } of plan) perReceiver[to] += n;
    return perReceiver;
  });
  const logs: Logs = sc.receivers.map(() => sc.senders.map(() => []));
  const downs: unknown[][] = sc.receivers.map(() => []);
  const leftovers: unknown[][] = sc.receivers.map(() => []);
  const senderPids: Pid[] = [];

  /** After the barriers: anything still queued was delivered more than once (or never sent). */
  async function drain(self: Self, r: number): Promise<void> {
    let m = await self.receive(undefined, { timeout: 0 });
    while (m !== TIMEOUT) {
      leftovers[r].push(m);
      m = await self.receive(undefined, { timeout: 0 });
    }
  }

  /** Receives in arrival order until every sender's DOWN is in. */
  const plain = (r: number) => async (self: Self) => {
    for (const pid of senderPids) self.monitor(pid);
    while (downs[r].length < S) {
      const m = await self.receive();
      if (m instanceof Down) downs[r].push(m.reason);
      else logs[r][(m as Msg).s].push((m as Msg).k);
    }
    await drain(self, r);
  };

  /**
   * Selective receive: takes one message from each sender in turn, or that
   * sender's DOWN, which (landing after all its messages) closes it.
   */
  const selective = (r: number) => async (self: Self) => {
    const refs = senderPids.map((pid) => self.monitor(pid));
    const open = senderPids.map(() => true);
    for (let s = 0, left = S; left > 0; s = (s + 1) % S) {
      if (!open[s]) continue;
      const from = s;
      const m = await self.receive(
        (x) => isDown(x, refs[from]) || (!(x instanceof Down) && (x as Msg).s === from),
      );
      if (m instanceof Down) {
        downs[r].push(m.reason);
        open[s] = false;
        left--;
      } else logs[r][s].push((m as Msg).k);
    }
    await drain(self, r);
  };

  const receivers = sc.receivers.map((sel, r) => node.spawn(sel ? selective(r) : plain(r)));
  for (const [s, plan] of plans.entries())
    senderPids.push(
      node.spawn((self) => {
        const next = new Array<number>(R).fill(0);
        for (const { to, n } of plan)
          for (let i = 0; i < n; i++) self.send(receivers[to], { s, k: next[to]++ } satisfies Msg);
        for (const pid of receivers) self.send(pid, { s, k: END } satisfies Msg);
      }),
    );

  let watchdog: ReturnType<typeof setTimeout> | undefined;
  try {
    const exits = await Promise.race([
      Promise.all([...receivers, ...senderPids].map((pid) => node.awaitExit(pid))),
      new Promise<never>((_, reject) => {
        watchdog = setTimeout(() => reject(new Error(stuck())), RUN_LIMIT_MS);
      }),
    ]);
    const problems: string[] = [];
    exits.forEach((reason, i) => {
      if (reason !== "normal")
        problems.push(`${i < R ? `receiver ${i}` : `sender ${i - R}`} exited: ${String(reason)}`);
    });
    for (let r = 0; r < R; r++) {
      for (let s = 0; s < S; s++) {
        const got = logs[r][s];
        const want = [...Array(expected[s][r]).keys(), END];
        const at = want.findIndex((k, i) => got[i] !== k);
        if (at >= 0 || got.length !== want.length)
          problems.push(
            `receiver ${r} from sender ${s}: ${got.length} received, ${want.length} sent (END included);` +
              ` first difference at #${at >= 0 ? at : want.length}:` +
              ` got ${JSON.stringify(got.slice(Math.max(0, at - 2), at + 3))}`,
          );
      }
      // noproc: the sender had exited before the receiver monitored it.
      if (downs[r].some((reason) => reason !== "normal" && reason !== "noproc"))
        problems.push(`receiver ${r}: DOWN reasons ${JSON.stringify(downs[r])}`);
      if (leftovers[r].length > 0)
        problems.push(
          `receiver ${r}: ${leftovers[r].length} extra, e.g. ${JSON.stringify(leftovers[r].slice(0, 3))}`,
        );
    }
    problems.push(...node.logs.map((e) => e.text));
    expect(problems.slice(0, 10)).toEqual([]);
    return expected.flat().reduce((a, b) => a + b, 0);
  } finally {
    clearTimeout(watchdog);
    node.shutdown();
  }

  function stuck(): string {
    const counts = logs.map((perSender) => perSender.map((ks) => ks.length));
    return `no completion after ${RUN_LIMIT_MS} ms; received per receiver/sender ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`;
  }
}

describe("message delivery under random schedules (property)", () => {
  it("every message to a live receiver arrives exactly once, in per-sender order", async () => {
    let total = 0;
    let largest = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const sent = await deliver(sc);
        total += sent;
        largest = Math.max(largest, sent);
      }),
      { numRuns: 100, examples: [[large]] },
    );
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(largest).toBeGreaterThanOrEqual(10_000);
  }, 60_000); // passing takes 1-2 s; the margin is for shrinking a failure
});
