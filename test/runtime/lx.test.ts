/**
 * Conformance: links and exit signals (docs/conformance.md, LX-01..LX-12).
 * LX-13 (noconnection / node disconnect) is N/A on a single node and has no test.
 */
import { Down, Exit, ExitError, isDown, isExit, isPid, Pid, Ref, TIMEOUT } from "otpkit";
import type { Self } from "otpkit";
import { downOf, exitFrom, forSeeds, is, quietNode, run } from "../support";

/** A body that blocks forever. */
const blockForever = async (s: Self) => {
  await s.receive(is("never"));
};

describe("LX: links and exit signals", () => {
  it("LX-01: linking twice makes one link: a trapping linker gets exactly one EXIT, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const b = self.spawn(async (s) => {
          await s.receive(is("die"));
          s.exit("boom");
        });
        expect(self.link(b)).toBe(true);
        expect(self.link(b)).toBe(true);
        expect(node.processInfo(self.pid)!.links).toEqual([b]);
        // b's side is set when the link signal lands; isAlive lands this sender's signals first (PP-08).
        expect(self.isAlive(b)).toBe(true);
        expect(node.processInfo(b)!.links).toEqual([self.pid]);
        const ref = self.monitor(b);
        self.send(b, "die");
        // Wait for b's DOWN and at least one EXIT; every signal b sends on exit is sent at its
        // termination, so any second EXIT would be queued by then.
        const exits: unknown[] = [];
        let down = false;
        while (!down || exits.length === 0) {
          const m = await self.receive((x) => isExit(x, b) || isDown(x, ref));
          if (isDown(m)) down = true;
          else exits.push((m as Exit).reason);
        }
        for (;;) {
          const more = await self.receive(exitFrom(b), { timeout: 0 });
          if (more === TIMEOUT) break;
          exits.push(more.reason);
        }
        expect(exits).toEqual(["boom"]);
      });
    });
  });

  it("LX-01: links are bidirectional: the link made by A also carries A's exit to its peer", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const me = self.pid;
        const a = self.spawn(async (s) => {
          s.link(me);
          s.send(me, "linked");
          await s.receive(is("die"));
          s.exit({ a: "died" });
        });
        await self.receive(is("linked"));
        expect(node.processInfo(self.pid)!.links).toEqual([a]);
        self.send(a, "die");
        const e = await self.receive(exitFrom(a));
        expect(e.reason).toEqual({ a: "died" });
        expect(node.processInfo(self.pid)!.links).toEqual([]);
      });
    });
  });

  it("LX-01: linking to self is a no-op", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      expect(self.link(self.pid)).toBe(true);
      expect(node.processInfo(self.pid)!.links).toEqual([]);
      self.processFlag("trapExit", true);
      expect(self.link(self.pid)).toBe(true);
      expect(node.processInfo(self.pid)!.links).toEqual([]);
      expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("LX-02: spawnLink is atomic: a child that crashes at once still sends EXIT to its trapping parent, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      const syncErr = new Error("sync crash at start");
      const asyncErr = new Error("async crash at start");
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const c1 = self.spawnLink(() => {
          throw syncErr;
        });
        const c2 = self.spawnLink(async () => {
          throw asyncErr;
        });
        const e1 = await self.receive(exitFrom(c1));
        const e2 = await self.receive(exitFrom(c2));
        expect(e1).toBeInstanceOf(Exit);
        expect(e1.from).toBe(c1);
        expect(e1.reason).toBe(syncErr);
        expect(e2.from).toBe(c2);
        expect(e2.reason).toBe(asyncErr);
      });
      expect(node.logs.map((l) => l.data.reason).sort()).toEqual([syncErr, asyncErr].sort());
    });
  });

  it("LX-03: a non-trapping process receiving a non-normal exit signal terminates with the same reason, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      const reasons = ["boom", { why: "boom" }, new Error("linked crash")];
      await run(node, async (t) => {
        for (const reason of reasons) {
          // Monitored from the spawn: a monitor set later could lose the race with a's death.
          const { ref: ra } = t.spawnMonitor(async (s) => {
            const b = s.spawnLink(async (sb) => {
              await sb.receive(is("go"));
              if (reason instanceof Error) throw reason;
              sb.exit(reason);
            });
            s.send(t.pid, b);
            await s.receive(is("never"));
          });
          const b = await t.receive(isPid);
          const rb = t.monitor(b);
          t.send(b, "go");
          expect((await t.receive(downOf(rb))).reason).toBe(reason);
          expect((await t.receive(downOf(ra))).reason).toBe(reason);
        }
      });
      // Only the process that crashed is reported, not the one its exit signal killed.
      expect(node.logs.map((l) => l.data.reason)).toEqual([reasons[2]]);
    });
  });

  it("LX-03: an exit signal to a dead pid is silent", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { pid: dead, ref } = self.spawnMonitor(() => undefined);
      await self.receive(downOf(ref));
      expect(() => self.exit(dead, "boom")).not.toThrow();
      expect(() => self.exit(dead, "kill")).not.toThrow();
      expect(node.exit(dead, "boom")).toBe(true);
      expect(node.isAlive(dead)).toBe(false);
      expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
    expect(node.logs).toEqual([]);
  });

  it("LX-04: a link exit signal with reason normal does not terminate a non-trapping process, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const b = self.spawnLink(async (s) => {
          await s.receive(is("go"));
        });
        const ref = self.monitor(b);
        self.send(b, "go");
        expect((await self.receive(downOf(ref))).reason).toBe("normal");
        // b's link signal was sent before its DOWN (same sender): it has been handled, the link
        // is gone, and this process is still running, with no EXIT message (not trapping).
        expect(node.processInfo(self.pid)!.links).toEqual([]);
        expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      });
    });
  });

  it("LX-04: exit(A, normal) from another process does not terminate non-trapping A, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const a = self.spawn(async (s) => {
          for (;;) {
            const m = (await s.receive()) as { ping: Pid };
            s.send(m.ping, "pong");
          }
        });
        const ref = self.monitor(a);
        self.exit(a, "normal");
        // Sent after the exit signal by the same sender: handled after it.
        self.send(a, { ping: self.pid });
        expect(await self.receive((m) => m === "pong" || isDown(m, ref))).toBe("pong");
        // Also from outside any process.
        node.exit(a, "normal");
        node.send(a, { ping: self.pid });
        expect(await self.receive((m) => m === "pong" || isDown(m, ref))).toBe("pong");
      });
      node.shutdown();
    });
  });

  it("LX-05: a trapping process turns exit(A, R) signals (normal included) into EXIT messages, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (a) => {
        expect(a.processFlag("trapExit", true)).toBe(false);
        const custom = { custom: 1 };
        const c = a.spawn(async (s) => {
          s.exit(a.pid, "shutdown");
          s.exit(a.pid, "normal");
          s.exit(a.pid, custom);
        });
        const got: Exit[] = [];
        for (let i = 0; i < 3; i++) got.push(await a.receive(exitFrom(c)));
        expect(got.every((e) => e instanceof Exit && e.kind === "EXIT" && e.from === c)).toBe(true);
        expect(got.map((e) => e.reason)).toEqual(["shutdown", "normal", custom]);
      });
    });
  });

  it("LX-05: a trapping process gets a linked process's normal exit as an EXIT message, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (a) => {
        a.processFlag("trapExit", true);
        const b = a.spawnLink(async () => undefined);
        const e = await a.receive(exitFrom(b));
        expect(e.reason).toBe("normal");
      });
    });
  });

  it("LX-05: an exit signal from outside any process reaches a trapping process as an EXIT from the node's external pid, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (a) => {
        a.processFlag("trapExit", true);
        node.exit(a.pid, "shutdown");
        const ext = await a.receive(exitFrom(node.externalPid));
        expect(ext.reason).toBe("shutdown");
      });
    });
  });

  it("LX-05: a trapping process keeps running after an exit signal from outside any process, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (a) => {
        a.processFlag("trapExit", true);
        node.exit(a.pid, "shutdown");
        await a.receive(exitFrom(node.externalPid));
        expect(node.isAlive(a.pid)).toBe(true);
      });
    });
  });

  it("LX-06: exit(self, normal) terminates a non-trapping caller with reason normal, before the call returns, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        const { ref } = t.spawnMonitor(async (s) => {
          s.exit(s.pid, "normal");
          s.send(t.pid, "continued after exit(self, normal)");
          await s.receive(is("never"));
        });
        expect((await t.receive(downOf(ref))).reason).toBe("normal");
        // Anything it sent after the call would have arrived before its DOWN (same sender).
        expect(await t.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      });
    });
  });

  it("LX-06: exit(self, normal) in a trapping process is an EXIT message like any other, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        const { pid, ref } = t.spawnMonitor(async (s) => {
          s.processFlag("trapExit", true);
          s.exit(s.pid, "normal");
          const m = await s.receive(isExit);
          s.send(t.pid, { from: m.from, reason: m.reason });
          s.exit("done");
        });
        expect(await t.receive((m) => !isDown(m))).toEqual({ from: pid, reason: "normal" });
        expect((await t.receive(downOf(ref))).reason).toBe("done");
      });
    });
  });

  it("LX-07: exit(P, kill) cannot be trapped: P terminates with killed, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        for (const from of ["process", "outside"]) {
          const { pid: p, ref } = t.spawnMonitor(async (s) => {
            s.processFlag("trapExit", true);
            s.send(t.pid, "trapping");
            for (;;) {
              const m = await s.receive();
              s.send(t.pid, { trapped: m });
            }
          });
          await t.receive(is("trapping"));
          if (from === "process") t.exit(p, "kill");
          else node.exit(p, "kill");
          // If the kill were trapped, p would report it as { trapped } instead of dying.
          const m = await t.receive(
            (x) => isDown(x, ref) || (typeof x === "object" && x !== null && "trapped" in x),
          );
          expect(m).toBeInstanceOf(Down);
          expect((m as Down).reason).toBe("killed");
        }
      });
    });
  });

  it("LX-08: killed propagates over links as an ordinary reason (A-P-B chain, exit(P, kill)), under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        const { p, a, b, refs } = await chain(t, async (s) => {
          await s.receive(is("never"));
        });
        t.exit(p, "kill");
        expect((await t.receive(downOf(refs.p))).reason).toBe("killed");
        const report = (await t.receive((m) => (m as { b?: unknown }).b !== undefined)) as {
          b: unknown;
        };
        expect(report.b).toBeInstanceOf(Exit);
        expect(report.b).toEqual(new Exit(p, "killed"));
        expect((await t.receive(downOf(refs.a))).reason).toBe("killed");
        expect(node.isAlive(b)).toBe(true);
        expect(await t.receive(downOf(refs.b), { timeout: 0 })).toBe(TIMEOUT);
        void a;
      });
      node.shutdown();
    });
  });

  it("LX-08: a process that itself exits with kill sends kill as an ordinary, trappable reason, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        const { p, b, refs } = await chain(t, async (s) => {
          await s.receive(is("go"));
          s.exit("kill");
        });
        t.send(p, "go");
        expect((await t.receive(downOf(refs.p))).reason).toBe("kill");
        const report = (await t.receive((m) => (m as { b?: unknown }).b !== undefined)) as {
          b: unknown;
        };
        expect(report.b).toEqual(new Exit(p, "kill"));
        // The non-trapping neighbour dies with kill (not killed).
        expect((await t.receive(downOf(refs.a))).reason).toBe("kill");
        expect(node.isAlive(b)).toBe(true);
      });
      node.shutdown();
    });
  });

  it("LX-09: after unlink returns, the peer's death has no effect on a non-trapping caller, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        // The peer is killed.
        const b1 = self.spawnLink(blockForever);
        expect(self.unlink(b1)).toBe(true);
        expect(node.processInfo(self.pid)!.links).toEqual([]);
        expect(node.processInfo(b1)!.links).toEqual([]);
        const r1 = self.monitor(b1);
        self.exit(b1, "kill");
        expect((await self.receive(downOf(r1))).reason).toBe("killed");

        // The peer exits abnormally by itself.
        const b2 = self.spawnLink(async (s) => {
          await s.receive(is("go"));
          s.exit("boom");
        });
        const r2 = self.monitor(b2);
        self.unlink(b2);
        self.send(b2, "go");
        expect((await self.receive(downOf(r2))).reason).toBe("boom");

        // Still running, no EXIT queued.
        expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      });
    });
  });

  it("LX-09: an EXIT already queued when unlink is called stays queued and must be flushed", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      self.processFlag("trapExit", true);
      const b = self.spawnLink(async (s) => s.exit("boom"));
      const ref = self.monitor(b);
      await self.receive(downOf(ref));
      // In fifo mode b's link signal (sent before its DOWN) is already in the mailbox.
      expect(node.processInfo(self.pid)!.messages).toEqual([new Exit(b, "boom")]);
      self.unlink(b);
      const e = await self.receive(exitFrom(b), { timeout: 0 });
      expect(e).toEqual(new Exit(b, "boom"));
    });
  });

  it("LX-09: unlink racing the peer's exit: an EXIT appears iff it was queued before unlink, under many seeds", async () => {
    const outcomes = new Set<boolean>();
    await forSeeds(200, async (node) => {
      await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const b = self.spawnLink(async (s) => s.exit("boom"));
        const ref = self.monitor(b);
        // Let the schedule decide how far b's exit has got: a self-send lands at a seeded point.
        self.send(self.pid, "tick");
        await self.receive(is("tick"));
        const queuedAtUnlink = node.processInfo(self.pid)!.messages.some((m) => isExit(m, b));
        self.unlink(b);
        await self.receive(downOf(ref));
        const e = await self.receive(exitFrom(b), { timeout: 0 });
        expect(e !== TIMEOUT).toBe(queuedAtUnlink);
        outcomes.add(queuedAtUnlink);
      });
    });
    // Both orders actually occurred, so both halves of the rule were checked.
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  /** From a test process: a pid whose process has ended (its DOWN received). */
  async function deadPid(self: Self): Promise<Pid> {
    const { pid: dead, ref } = self.spawnMonitor(async () => undefined);
    await self.receive(downOf(ref));
    return dead;
  }

  /** Links a non-trapping `self` to a dead pid; what link threw. */
  async function linkToDead(self: Self): Promise<unknown> {
    const dead = await deadPid(self);
    try {
      self.link(dead);
      return undefined;
    } catch (e) {
      return e;
    }
  }

  it("LX-10: linking to a dead pid from a non-trapping caller raises noproc, under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const caught = await linkToDead(self);
        expect(caught).toBeInstanceOf(ExitError);
        expect((caught as ExitError).reason).toBe("noproc");
      });
    });
  });

  it("LX-10: linking to a dead pid from a non-trapping caller makes no link, under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        await linkToDead(self);
        expect(node.processInfo(self.pid)!.links).toEqual([]);
      });
    });
  });

  it("LX-10: an uncaught noproc from linking to a dead pid ends the caller with that error, under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const dead = await deadPid(self);
        const { ref: r2 } = self.spawnMonitor((s) => {
          s.link(dead);
        });
        const d = await self.receive(downOf(r2));
        expect(d.reason).toBeInstanceOf(ExitError);
        expect((d.reason as ExitError).reason).toBe("noproc");
      });
    });
  });

  it("LX-10: linking to a dead pid from a trapping caller returns true and gives EXIT(pid, noproc), under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const dead = await deadPid(self);
        self.processFlag("trapExit", true);
        expect(self.link(dead)).toBe(true);
        const e = await self.receive(exitFrom(dead));
        expect(e.reason).toBe("noproc");
      });
    });
  });

  it("LX-10: linking to a dead pid from a trapping caller makes no link, under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const dead = await deadPid(self);
        self.processFlag("trapExit", true);
        self.link(dead);
        await self.receive(exitFrom(dead));
        expect(node.processInfo(self.pid)!.links).toEqual([]);
      });
    });
  });

  it("LX-11: a terminating process's EXIT arrives after every message it sent before, under many seeds", async () => {
    await forSeeds(200, async (node) => {
      const err = new Error("crash after sends");
      await run(node, async (a) => {
        a.processFlag("trapExit", true);
        const b = a.spawnLink(async (s) => {
          for (let i = 1; i <= 20; i++) s.send(a.pid, i);
          throw err;
        });
        // Plain receive: arrival order.
        const got: unknown[] = [];
        for (;;) {
          const m = await a.receive();
          got.push(m);
          if (isExit(m)) break;
        }
        expect(got.slice(0, -1)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const last = got[got.length - 1] as Exit;
        expect(last.from).toBe(b);
        expect(last.reason).toBe(err);
      });
    });
  });

  it("LX-12: shutdown and {shutdown, Term} are ordinary reasons: they kill a non-trapping linked process, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (t) => {
        for (const reason of ["shutdown", { shutdown: "some term" }]) {
          // Monitored from the spawn: a monitor set later could lose the race with a's death.
          const { ref: ra } = t.spawnMonitor(async (s) => {
            const b = s.spawnLink(async (sb) => {
              await sb.receive(is("go"));
              sb.exit(reason);
            });
            s.send(t.pid, b);
            await s.receive(is("never"));
          });
          const b = await t.receive(isPid);
          t.send(b, "go");
          expect((await t.receive(downOf(ra))).reason).toBe(reason);
        }
      });
      expect(node.logs).toEqual([]);
    });
  });
});

/**
 * Builds the chain A - P - B: A (not trapping) and B (trapping, reports each message to `t` as
 * `{ b: msg }`) both linked to P, which runs `pBody`. `t` monitors all three.
 */
async function chain(
  t: Self,
  pBody: (s: Self) => Promise<void>,
): Promise<{ p: Pid; a: Pid; b: Pid; refs: { p: Ref; a: Ref; b: Ref } }> {
  // Monitored from the spawn (a monitor set later could lose the race with a death: noproc).
  const { pid: p, ref: rp } = t.spawnMonitor(pBody);
  const { pid: a, ref: ra } = t.spawnMonitor(async (s) => {
    s.link(p);
    s.isAlive(p); // lands the link signal first (PP-08): linked before t hears of it
    s.send(t.pid, "a linked");
    await s.receive(is("never"));
  });
  const { pid: b, ref: rb } = t.spawnMonitor(async (s) => {
    s.processFlag("trapExit", true);
    s.link(p);
    s.isAlive(p);
    s.send(t.pid, "b linked");
    for (;;) s.send(t.pid, { b: await s.receive() });
  });
  const refs = { p: rp, a: ra, b: rb };
  await t.receive(is("a linked"));
  await t.receive(is("b linked"));
  return { p, a, b, refs };
}
