/**
 * testProcess(): the test body as a process, with a pid that can be sent to,
 * linked and monitored, and receive / assertReceive / refuteReceive.
 */
import {
  Down,
  Exit,
  Pid,
  TIMEOUT,
  exit,
  isDown,
  isExit,
  processInfo,
  send,
  sendAfter,
  spawn,
} from "otpkit";
import { Subscribers, subscribe, subscribers } from "../../examples/subscribers/subscribers";
import { failureOf, idle } from "./servers";

/** Answers `{ from, text }` with the text in upper case. */
const echo = () =>
  spawn(async (self) => {
    for (;;) {
      const { from, text } = (await self.receive()) as { from: Pid; text: string };
      self.send(from, { echo: text.toUpperCase() });
    }
  });

describe("testProcess", () => {
  it("is the same live process for the whole test", async () => {
    const me = testProcess();
    expect(testProcess()).toBe(me);
    await expect(me.pid).toBeAlive();
  });

  it("has a pid that other processes can send to", async () => {
    const me = testProcess();
    const e = echo();
    me.send(e, { from: me.pid, text: "hello" });
    expect(await me.assertReceive()).toEqual({ echo: "HELLO" });
  });

  it("receives what is sent to it from outside any process", async () => {
    const me = testProcess();
    send(me.pid, "from outside");
    expect(await me.receive()).toBe("from outside");
  });

  it("receive with a timeout gives TIMEOUT on an empty mailbox", async () => {
    const me = testProcess();
    expect(await me.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
  });

  it("a selective receive takes the match and leaves the rest in order", async () => {
    const me = testProcess();
    send(me.pid, 1);
    send(me.pid, "x");
    send(me.pid, 2);
    expect(await me.receive((m) => m === "x")).toBe("x");
    await syncWith(me.pid); // 2 may still be in flight: it lands first
    expect(me.messages()).toEqual([1, 2]);
  });

  it("can monitor: the DOWN arrives with the reason", async () => {
    const me = testProcess();
    const a = idle();
    const ref = me.monitor(a);
    me.isAlive(a); // the monitor signal lands before the kill is sent (else: noproc)
    exit(a, "kill");
    const down = await me.assertReceive<Down>((m) => isDown(m, ref));
    expect(down.pid).toBe(a);
    expect(down.reason).toBe("killed");
  });

  it("can be monitored: a server that monitors it sees it as a subscriber", async () => {
    const me = testProcess();
    const server = await Subscribers.start(undefined);
    await subscribe(server, me.pid);
    expect(await subscribers(server)).toEqual([me.pid]);
    // The server's monitor signal to the test process and its replies to the test are
    // different pairs: the monitor may still be in flight. Land it before looking.
    await syncWith(me.pid);
    expect(processInfo(me.pid)!.monitoredBy).toEqual([server]);
  });

  it("can link and trap exits: an EXIT message arrives with the reason", async () => {
    const me = testProcess();
    me.processFlag("trapExit", true);
    const a = spawn((self) => self.receive().then((reason) => self.exit(reason)));
    me.link(a);
    expect(me.isAlive(a)).toBe(true); // lands the link signal (PP-08)
    expect(processInfo(a)!.links).toEqual([me.pid]);
    send(a, "bye");
    const ex = await me.assertReceive<Exit>({ kind: "EXIT", from: a });
    expect(ex).toBeInstanceOf(Exit);
    expect(ex.reason).toBe("bye");
  });

  /** Links the test process, not trapping, to a process that then exits "crash"; the test process's exit reason. */
  async function takenDown() {
    const me = testProcess();
    const a = spawn((self) => self.receive().then(() => self.exit("crash")));
    me.link(a);
    me.isAlive(a); // the link signal lands before "go" is sent (else: EXIT noproc)
    send(a, "go");
    return { me, reason: await awaitDown(me.pid) };
  }

  it("linked without trapping, it is taken down by its peer's crash", async () => {
    const { reason } = await takenDown();
    expect(reason).toBe("crash");
  });

  it("once taken down, a fresh live test process replaces it", async () => {
    const { me } = await takenDown();
    const again = testProcess();
    expect(again.pid).not.toBe(me.pid);
    await expect(again.pid).toBeAlive();
  });

  /** The test process with {n: 1, tag: "a"}, {n: 2, tag: "b"} and "text" in its mailbox. */
  function threeMessages() {
    const me = testProcess();
    send(me.pid, { n: 1, tag: "a" });
    send(me.pid, { n: 2, tag: "b" });
    send(me.pid, "text");
    return me;
  }

  it("assertReceive with a pattern returns the first matching message", async () => {
    const me = threeMessages();
    expect(await me.assertReceive({ tag: "b" })).toEqual({ n: 2, tag: "b" });
  });

  it("assertReceive with a predicate returns the first message it accepts", async () => {
    const me = threeMessages();
    expect(await me.assertReceive((m) => typeof m === "string")).toBe("text");
  });

  it("assertReceive leaves the other messages in the mailbox, in order", async () => {
    const me = threeMessages();
    await me.assertReceive({ tag: "b" });
    expect(me.messages()).toEqual([{ n: 1, tag: "a" }, "text"]);
  });

  it("assertReceive waits for a message that arrives later", async () => {
    jest.useFakeTimers();
    try {
      const me = testProcess();
      let got: unknown = undefined;
      const waiting = me.assertReceive("late").then((m) => (got = m));
      sendAfter(5, me.pid, "late");
      await jest.advanceTimersByTimeAsync(4);
      expect(got).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(got).toBe("late");
      await waiting;
    } finally {
      jest.useRealTimers();
    }
  });

  /** The test process with "a", {n: 1} and a DOWN landed; the order they landed in, as listed. */
  async function mixedMailbox() {
    const me = testProcess();
    send(me.pid, "a");
    send(me.pid, { n: 1 });
    const a = idle();
    me.monitor(a);
    exit(a, "kill");
    // The DOWN (from a) and the test's messages have different senders: land them all, in
    // whatever order the schedule chose, then expect that order in the listing. The monitor
    // (from me) and the kill (from the test) race too: the DOWN says killed or noproc.
    await awaitDown(a);
    await syncWith(me.pid);
    const order = me
      .messages()
      .map((m) => (isDown(m) ? `DOWN ${a} ${String(m.reason)}` : m === "a" ? "a" : "{ n: 1 }"));
    expect(order.filter((l) => l.startsWith("DOWN"))).toHaveLength(1);
    expect(order.filter((l) => !l.startsWith("DOWN")).sort()).toEqual(["a", "{ n: 1 }"]);
    return { me, order };
  }

  it("assertReceive fails listing the mailbox", async () => {
    const { me, order } = await mixedMailbox();
    const text = await failureOf(me.assertReceive("zzz", { timeout: 20 }));
    expect(text).toBe(
      `assertReceive(zzz) got no matching message within 20 ms.\nMailbox (3):\n${order.map((l) => `  ${l}`).join("\n")}`,
    );
  });

  it("after a failed assertReceive the process can receive its messages", async () => {
    const { me } = await mixedMailbox();
    await failureOf(me.assertReceive("zzz", { timeout: 20 }));
    expect(await me.assertReceive("a")).toBe("a");
    expect(await me.assertReceive({ n: 1 })).toEqual({ n: 1 });
    expect(isDown(await me.assertReceive())).toBe(true);
  });

  it("assertReceive with an empty mailbox says so", async () => {
    const me = testProcess();
    const text = await failureOf(me.assertReceive(undefined, { timeout: 10 }));
    expect(text).toMatch(
      /^assertReceive\(\) got no matching message within 10 ms\.\nThe mailbox is empty\.$/,
    );
  });

  it("refuteReceive passes when no matching message arrives (pattern or predicate)", async () => {
    const me = testProcess();
    send(me.pid, "other");
    await expect(me.refuteReceive("bad", { timeout: 20 })).resolves.toBeUndefined();
    await expect(
      me.refuteReceive((m: unknown) => isExit(m), { timeout: 5 }),
    ).resolves.toBeUndefined();
  });

  it("refuteReceive leaves the non-matching messages in the mailbox", async () => {
    const me = testProcess();
    send(me.pid, "other");
    await me.refuteReceive("bad", { timeout: 20 });
    expect(me.messages()).toEqual(["other"]);
  });

  it("refuteReceive without a pattern fails on any message", async () => {
    const me = testProcess();
    send(me.pid, "other");
    await expect(me.refuteReceive(undefined, { timeout: 0 })).rejects.toThrow(/received other/);
  });

  it("refuteReceive with its short default wait passes on an empty mailbox", async () => {
    const me = testProcess();
    await expect(me.refuteReceive()).resolves.toBeUndefined();
  });

  it("refuteReceive fails with the message that arrived, listing the mailbox", async () => {
    const me = testProcess();
    send(me.pid, "keep");
    send(me.pid, "bad");
    const text = await failureOf(me.refuteReceive("bad", { timeout: 20 }));
    expect(text).toBe("refuteReceive(bad) received bad.\nMailbox (1):\n  keep");
  });

  it("refuteReceive fails when the message arrives during its wait", async () => {
    const me = testProcess();
    sendAfter(5, me.pid, { late: true });
    const text = await failureOf(me.refuteReceive({ late: true }, { timeout: 500 }));
    expect(text).toMatch(/^refuteReceive\(\{ late: true \}\) received \{ late: true \}\./);
  });

  it("is the test's own process in random mode too (explore)", async () => {
    await explore(
      async () => {
        const me = testProcess();
        const e = echo();
        me.send(e, { from: me.pid, text: "a" });
        me.send(e, { from: me.pid, text: "b" });
        expect(await me.assertReceive()).toEqual({ echo: "A" });
        expect(await me.assertReceive()).toEqual({ echo: "B" });
      },
      { runs: 200 },
    );
  });
});

describe("a dead test process", () => {
  it("assertReceive fails at once, saying it is dead, with the reason", async () => {
    const me = testProcess();
    const p = spawn((self) => self.receive().then(() => self.exit("linked boom")));
    me.link(p);
    send(p, "go");
    await awaitDown(me.pid);
    const text = await failureOf(me.assertReceive("x", { timeout: 60_000 }));
    expect(text).toMatch(
      /^assertReceive\(x\): the test process <\d+\.\d+\.0> is dead \(exit reason: linked boom\)/,
    );
  });

  it("assertReceive waiting when it is killed fails at once, with the reason", async () => {
    const me = testProcess();
    const p = spawn((self) => self.receive().then(() => self.exit("killed while waiting")));
    me.link(p);
    const waiting = failureOf(me.assertReceive("x", { timeout: 60_000 }));
    send(p, "go");
    expect(await waiting).toMatch(/is dead \(exit reason: killed while waiting\)/);
  });

  it("refuteReceive fails at once, saying it is dead", async () => {
    const me = testProcess();
    exit(me.pid, "kill");
    await awaitDown(me.pid);
    expect(await failureOf(me.refuteReceive("x", { timeout: 60_000 }))).toMatch(
      /^refuteReceive\(x\): the test process <\d+\.\d+\.0> is dead \(exit reason: killed\)/,
    );
  });
});
