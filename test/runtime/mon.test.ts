/**
 * Conformance: monitors (docs/conformance.md, MON-01..08; MON-09 is N/A).
 */
import { Down, isDown, Node, Pid, Ref, Self, TIMEOUT } from "otpkit";
import { downOf, forSeeds, quietNode, run } from "../support";

/** Is a DOWN for `ref` queued in `pid`'s mailbox right now? */
function downQueued(node: Node, pid: Pid, ref: Ref): boolean {
  return node.processInfo(pid)!.messages.some((m) => isDown(m, ref));
}

/**
 * Waits until every signal `pid` sent to `self` so far has landed: a fresh
 * monitor's DOWN (or its `noproc` DOWN if `pid` is already dead) comes from
 * `pid` too, so per-pair order puts it after them. Returns that DOWN's reason.
 */
async function barrierFrom(self: Self, pid: Pid): Promise<unknown> {
  const ref = self.monitor(pid);
  const d = await self.receive((m) => isDown(m, ref));
  return d.reason;
}

/** A process that waits for one message and then exits with that message as its reason. */
function exitOnMessage(s: Self): Promise<never> {
  return s.receive().then((r) => s.exit(r));
}

describe("MON-01: DOWN on termination", () => {
  it("MON-01: monitor(P); P exits bye -> exactly one DOWN {ref, process, P, bye}", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      const ref = self.monitor(p);
      expect(ref).toBeInstanceOf(Ref);
      self.send(p, "bye");
      const d = await self.receive((m) => isDown(m, ref));
      expect(d).toBeInstanceOf(Down);
      expect(d.kind).toBe("DOWN");
      expect(d.type).toBe("process");
      expect(d.ref).toBe(ref);
      expect(d.object).toBe(p);
      expect(d.pid).toBe(p);
      expect(d.reason).toBe("bye");
      // Exactly one: no second DOWN for ref, after every signal from p has landed.
      await barrierFrom(self, p);
      expect(await self.receive((m) => isDown(m, ref), { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("MON-01: spawnMonitor returns {pid, ref}", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const a = self.spawnMonitor(() => undefined);
      const b = self.spawnMonitor((s) => s.exit("early"));
      const c = self.spawnMonitor(() => {
        throw new Error("at once");
      });
      for (const x of [a, b, c]) {
        expect(x.pid).toBeInstanceOf(Pid);
        expect(x.ref).toBeInstanceOf(Ref);
      }
    });
  });

  it("MON-01: a spawnMonitor'd body that exits at once still yields its DOWN", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const a = self.spawnMonitor(() => undefined);
      const b = self.spawnMonitor((s) => s.exit("early"));
      const c = self.spawnMonitor(() => {
        throw new Error("at once");
      });
      expect((await self.receive((m) => isDown(m, a.ref))).reason).toBe("normal");
      expect((await self.receive((m) => isDown(m, b.ref))).reason).toBe("early");
      const dc = await self.receive((m) => isDown(m, c.ref));
      expect(dc.pid).toBe(c.pid);
      expect(dc.reason).toBeInstanceOf(Error);
      expect((dc.reason as Error).message).toBe("at once");
    });
  });

  it("MON-01: under many seeds, spawnMonitor's monitor is in place before the body runs", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const { pid, ref } = self.spawnMonitor((s) => s.exit("quick"));
        const d = await self.receive((m) => isDown(m, ref));
        expect(d.pid).toBe(pid);
        expect(d.reason).toBe("quick");
        await barrierFrom(self, pid);
        expect(downQueued(node, self.pid, ref)).toBe(false);
      });
    });
  });
});

describe("MON-02: monitoring a dead pid", () => {
  it("MON-02: monitoring a dead pid gives DOWN noproc, without throwing", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(() => undefined);
      expect(await node.awaitExit(p)).toBe("normal");
      let ref!: Ref;
      expect(() => (ref = self.monitor(p))).not.toThrow();
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.object).toBe(p);
      expect(d.pid).toBe(p);
      expect(d.reason).toBe("noproc");
      // The monitor is not left behind.
      expect(node.processInfo(self.pid)!.monitors).toEqual([]);
    });
  });

  it("MON-02: monitoring a pid that never existed gives DOWN noproc", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const ghost = new Pid(999_999, node.id);
      const ref = self.monitor(ghost);
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.object).toBe(ghost);
      expect(d.reason).toBe("noproc");
    });
  });

  it("MON-02: under many seeds, a dead pid's monitor gives DOWN noproc", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(() => undefined);
        await node.awaitExit(p);
        const ref = self.monitor(p);
        expect((await self.receive((m) => isDown(m, ref))).reason).toBe("noproc");
      });
    });
  });
});

describe("MON-03: monitors are unidirectional and independent", () => {
  it("MON-03: two monitors on one process give two DOWNs with distinct refs", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      const r1 = self.monitor(p);
      const r2 = self.monitor(p);
      expect(r1).not.toBe(r2);
      expect(r1).not.toEqual(r2);
      self.send(p, "bye");
      const d2 = await self.receive((m) => isDown(m, r2));
      const d1 = await self.receive((m) => isDown(m, r1));
      expect([d1.reason, d2.reason]).toEqual(["bye", "bye"]);
      await barrierFrom(self, p);
      expect(await self.receive((m) => isDown(m), { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("MON-03: the monitor owner's death does not affect the target", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const target = self.spawn(async (s) => {
        for (;;) {
          const m = (await s.receive()) as { from: Pid };
          s.send(m.from, "pong");
        }
      });
      const owner = self.spawn(async (s) => {
        s.monitor(target);
        s.send(self.pid, "monitoring");
        await s.receive((m) => m === "never");
      });
      await self.receive((m) => m === "monitoring");
      expect(node.processInfo(target)!.monitoredBy).toEqual([owner]);
      const ownerRef = self.monitor(owner);
      self.exit(owner, "kill");
      expect((await self.receive((m) => isDown(m, ownerRef))).reason).toBe("killed");
      expect(node.isAlive(target)).toBe(true);
      expect(node.processInfo(target)!.monitoredBy).toEqual([]);
      self.send(target, { from: self.pid });
      expect(await self.receive((m) => m === "pong")).toBe("pong");
    });
    node.shutdown();
  });

  it.each([
    ["a non-trapping", false],
    ["a trapping", true],
  ])("MON-03: a DOWN never kills or affects %s receiver", async (_label, trap) => {
    const node = quietNode();
    await run(node, async (self) => {
      const t = self.spawn(exitOnMessage);
      // w monitors t and then never receives: the DOWN just sits in its mailbox.
      const w = self.spawn(async (s) => {
        s.processFlag("trapExit", trap);
        s.send(self.pid, { ref: s.monitor(t) });
        await s.receive((m) => m === "never");
      });
      const { ref } = (await self.receive()) as { ref: Ref };
      self.send(t, { crashed: true });
      await node.awaitExit(t);
      // fifo mode: the DOWN landed with the death.
      expect(node.isAlive(w)).toBe(true);
      const info = node.processInfo(w)!;
      expect(info.messages).toHaveLength(1);
      expect(info.messages[0]).toBeInstanceOf(Down);
      expect(isDown(info.messages[0], ref)).toBe(true);
      expect((info.messages[0] as Down).reason).toEqual({ crashed: true });
      expect(info.trapExit).toBe(trap);
    });
    node.shutdown();
  });

  it("MON-03: under many seeds, a receiver handles an abnormal DOWN as a plain message and lives on", async () => {
    await forSeeds(100, async (node, seed) => {
      await run(node, async (self) => {
        const t = self.spawn(exitOnMessage);
        const w = self.spawn(async (s) => {
          s.processFlag("trapExit", seed % 2 === 0);
          const ref = s.monitor(t);
          s.isAlive(t); // the monitor signal has landed (PP-08) before "ready" goes out
          s.send(self.pid, "ready");
          const d = await s.receive((m) => isDown(m, ref));
          s.send(self.pid, { got: d.reason });
          const ping = (await s.receive()) as { from: Pid };
          s.send(ping.from, "pong");
        });
        const wref = self.monitor(w);
        await self.receive((m) => m === "ready");
        self.send(t, "boom");
        expect(await self.receive()).toEqual({ got: "boom" });
        self.send(w, { from: self.pid });
        expect(await self.receive()).toBe("pong");
        expect((await self.receive((m) => isDown(m, wref))).reason).toBe("normal");
      });
    });
  });
});

describe("MON-04: demonitor", () => {
  it("MON-04: after demonitor returns, a later death delivers no DOWN", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(exitOnMessage);
        const ref = self.monitor(p);
        expect(self.demonitor(ref)).toBe(true);
        // A second monitor, set before the death (one set after it could say noproc).
        const watch = self.monitor(p);
        self.send(p, "bye");
        expect((await self.receive(downOf(watch))).reason).toBe("bye");
        await barrierFrom(self, p);
        expect(downQueued(node, self.pid, ref)).toBe(false);
        expect(node.processInfo(self.pid)!.monitors).toEqual([]);
      });
    });
  });

  it("MON-04: a DOWN already queued stays in the mailbox after demonitor (fifo: DOWN lands with the death)", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      const ref = self.monitor(p);
      self.send(p, "bye");
      await node.awaitExit(p);
      expect(downQueued(node, self.pid, ref)).toBe(true);
      self.demonitor(ref);
      expect(downQueued(node, self.pid, ref)).toBe(true);
      const d = await self.receive((m) => isDown(m, ref), { timeout: 0 });
      expect(isDown(d, ref) && d.reason).toBe("bye");
    });
  });

  it("MON-04: under many seeds, demonitor keeps a queued DOWN and stops one in flight", async () => {
    let queuedCases = 0;
    let inFlightCases = 0;
    await forSeeds(150, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(exitOnMessage);
        const ref = self.monitor(p);
        self.send(p, "bye");
        await node.awaitExit(p);
        // p is dead; its DOWN to us has landed or is in flight, as the seed decides.
        const queued = downQueued(node, self.pid, ref);
        if (queued) queuedCases++;
        else inFlightCases++;
        self.demonitor(ref);
        await barrierFrom(self, p);
        expect(downQueued(node, self.pid, ref)).toBe(queued);
      });
    });
    expect(queuedCases).toBeGreaterThan(0);
    expect(inFlightCases).toBeGreaterThan(0);
  });

  it("MON-04: under many seeds, demonitor right after monitoring a dead pid: no noproc DOWN arrives later", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(() => undefined);
        await node.awaitExit(p);
        const ref = self.monitor(p);
        const queued = downQueued(node, self.pid, ref);
        self.demonitor(ref);
        await barrierFrom(self, p);
        expect(downQueued(node, self.pid, ref)).toBe(queued);
      });
    });
  });
});

describe("MON-05: demonitor with flush and info", () => {
  it("MON-05: flush removes the queued DOWN for ref and nothing else", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      const q = self.spawn(exitOnMessage);
      const ref = self.monitor(p);
      const other = self.monitor(q);
      self.send(self.pid, "a");
      self.send(p, "bye");
      await node.awaitExit(p);
      self.send(q, "bye-q");
      await node.awaitExit(q);
      self.send(self.pid, "b");
      expect(downQueued(node, self.pid, ref)).toBe(true);
      expect(self.demonitor(ref, { flush: true })).toBe(true);
      const msgs = node.processInfo(self.pid)!.messages;
      expect(msgs).toHaveLength(3);
      expect(msgs[0]).toBe("a");
      expect(isDown(msgs[1], other)).toBe(true);
      expect(msgs[2]).toBe("b");
    });
  });

  it("MON-05: under many seeds, after demonitor with flush no DOWN for ref is ever in the mailbox", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(exitOnMessage);
        const ref = self.monitor(p);
        self.send(p, "bye");
        await node.awaitExit(p);
        self.demonitor(ref, { flush: true });
        expect(downQueued(node, self.pid, ref)).toBe(false);
        await barrierFrom(self, p);
        expect(downQueued(node, self.pid, ref)).toBe(false);
      });
    });
  });

  it("MON-05: info: true when demonitor removes a live monitor", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const live = self.spawn(exitOnMessage);
      const r1 = self.monitor(live);
      expect(self.demonitor(r1, { info: true })).toBe(true);
    });
    node.shutdown();
  });

  it("MON-05: info: false for a monitor already removed", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const live = self.spawn(exitOnMessage);
      const r1 = self.monitor(live);
      self.demonitor(r1, { info: true });
      expect(self.demonitor(r1, { info: true })).toBe(false);
    });
    node.shutdown();
  });

  /** A monitor of a process that has exited; its DOWN is queued (fifo). */
  async function firedMonitor(node: Node, self: Self): Promise<Ref> {
    const p = self.spawn(exitOnMessage);
    const ref = self.monitor(p);
    self.send(p, "bye");
    await node.awaitExit(p);
    return ref;
  }

  it("MON-05: info: false for a fired monitor whose DOWN is queued, which stays queued", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const r2 = await firedMonitor(node, self);
      expect(self.demonitor(r2, { info: true })).toBe(false);
      expect(downQueued(node, self.pid, r2)).toBe(true);
    });
    node.shutdown();
  });

  it("MON-05: flush + info on a fired monitor gives false and removes the queued DOWN", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const r2 = await firedMonitor(node, self);
      expect(self.demonitor(r2, { flush: true, info: true })).toBe(false);
      expect(downQueued(node, self.pid, r2)).toBe(false);
    });
    node.shutdown();
  });

  it("MON-05: info: false for a fired monitor whose DOWN was received", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const q = self.spawn(exitOnMessage);
      const r3 = self.monitor(q);
      self.send(q, "bye");
      await self.receive((m) => isDown(m, r3));
      expect(self.demonitor(r3, { info: true })).toBe(false);
    });
    node.shutdown();
  });

  it("MON-05: info: false for a monitor that never existed", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      expect(self.demonitor(node.makeRef(), { info: true })).toBe(false);
    });
    node.shutdown();
  });

  it("MON-05: without info, demonitor returns true in every case", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      expect(self.demonitor(node.makeRef())).toBe(true);
    });
    node.shutdown();
  });

  it("MON-05: under many seeds, info is true exactly when no DOWN was queued, and then none arrives", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(exitOnMessage);
        const ref = self.monitor(p);
        self.send(p, "bye");
        await node.awaitExit(p);
        const queued = downQueued(node, self.pid, ref);
        expect(self.demonitor(ref, { info: true })).toBe(!queued);
        await barrierFrom(self, p);
        expect(downQueued(node, self.pid, ref)).toBe(queued);
      });
    });
  });

  it("MON-05: demonitor with a non-ref throws BadArgError", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      expect(() => self.demonitor("nope" as unknown as Ref)).toThrow(
        expect.objectContaining({ name: "BadArgError" }),
      );
    });
  });
});

describe("MON-06: monitoring a registered name", () => {
  it("MON-06: monitor by name: DOWN object is {name, node}", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p = self.spawn(exitOnMessage);
      node.register("svc", p);
      const ref = self.monitor("svc");
      expect(node.processInfo(self.pid)!.monitors).toEqual([{ name: "svc", node: node.id }]);
      self.exit(p, "kill");
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.object).toEqual({ name: "svc", node: node.id });
      expect(d.pid).toBe(p);
      expect(d.reason).toBe("killed");
    });
  });

  it("MON-06: the monitor follows the holder at call time, not later holders of the name", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const p1 = self.spawn(exitOnMessage);
      const p2 = self.spawn(exitOnMessage);
      node.register("svc", p1);
      const ref = self.monitor("svc");
      node.unregister("svc");
      node.register("svc", p2);
      const watch = self.monitor(p2);
      self.send(p2, "bye2");
      expect((await self.receive(downOf(watch))).reason).toBe("bye2");
      await barrierFrom(self, p2);
      expect(downQueued(node, self.pid, ref)).toBe(false);
      self.send(p1, "bye1");
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.pid).toBe(p1);
      expect(d.object).toEqual({ name: "svc", node: node.id });
      expect(d.reason).toBe("bye1");
    });
  });

  it("MON-06: monitoring an unregistered name gives DOWN noproc at once, without throwing", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      let ref!: Ref;
      expect(() => (ref = self.monitor("nobody"))).not.toThrow();
      const d = await self.receive((m) => isDown(m, ref));
      expect(d.object).toEqual({ name: "nobody", node: node.id });
      expect(d.reason).toBe("noproc");
    });
  });

  it("MON-06: under many seeds, monitor by name gives the {name, node} DOWN", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const p = self.spawn(exitOnMessage);
        node.register("svc", p);
        const ref = self.monitor("svc");
        self.send(p, "bye");
        const d = await self.receive((m) => isDown(m, ref));
        expect(d.object).toEqual({ name: "svc", node: node.id });
        expect(d.reason).toBe("bye");
        const none = self.monitor("nobody");
        expect((await self.receive((m) => isDown(m, none))).reason).toBe("noproc");
      });
    });
  });
});

describe("MON-07: DOWN after the dying process's messages", () => {
  it("MON-07: under many seeds, messages P sent before exiting arrive before its DOWN", async () => {
    await forSeeds(200, async (node, seed) => {
      await run(node, async (self) => {
        const a = self.pid;
        const { ref } = self.spawnMonitor((s) => {
          s.send(a, 1);
          s.send(a, 2);
          s.send(a, 3);
          if (seed % 2 === 0) throw new Error("crash after sending");
        });
        const got: unknown[] = [];
        for (;;) {
          const m = await self.receive();
          got.push(isDown(m) ? "DOWN" : m);
          if (isDown(m, ref)) break;
        }
        expect(got).toEqual([1, 2, 3, "DOWN"]);
      });
    });
  });

  it("MON-07: under many seeds, messages P sent before being killed by a third process arrive before its DOWN", async () => {
    await forSeeds(150, async (node) => {
      await run(node, async (self) => {
        const a = self.pid;
        const killer = self.spawn(async (s) => {
          const victim = (await s.receive()) as Pid;
          s.exit(victim, "kill");
        });
        const { ref } = self.spawnMonitor(async (s) => {
          s.send(a, "m1");
          s.send(a, "m2");
          s.send(killer, s.pid);
          await s.receive((m) => m === "never");
        });
        const got: unknown[] = [];
        for (;;) {
          const m = await self.receive();
          got.push(isDown(m) ? m.reason : m);
          if (isDown(m, ref)) break;
        }
        expect(got).toEqual(["m1", "m2", "killed"]);
      });
    });
  });
});

describe("MON-08: monitor aliases", () => {
  /** A demonitor alias of `self`'s monitor and a process that, for each message m, sends via-alias:m to it then direct:m to self. */
  function aliasAndSender(self: Self) {
    const target = self.spawn(exitOnMessage);
    const ref = self.monitor(target, { alias: "demonitor" });
    const sender = self.spawn(async (s) => {
      for (;;) {
        const m = (await s.receive()) as string;
        s.send(ref, `via-alias:${m}`);
        s.send(self.pid, `direct:${m}`); // same sender: lands after the alias message
      }
    });
    return { ref, sender };
  }

  it("MON-08: a demonitor alias routes messages from any process, the owner included, to the owner", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { ref, sender } = aliasAndSender(self);
      self.send(sender, "1");
      expect(await self.receive()).toBe("via-alias:1");
      expect(await self.receive()).toBe("direct:1");
      self.send(ref, "from-owner");
      expect(await self.receive()).toBe("from-owner");
    });
    node.shutdown();
  });

  it("MON-08: after demonitor, a demonitor alias drops messages from anyone", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { ref, sender } = aliasAndSender(self);
      self.demonitor(ref);
      self.send(sender, "2");
      expect(await self.receive((m) => m === "direct:2")).toBe("direct:2");
      expect(node.processInfo(self.pid)!.messages).toEqual([]);
      node.send(ref, "from-outside");
      self.send(ref, "from-owner-again");
      expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
    node.shutdown();
  });

  it("MON-08: under many seeds, a message sent to an alias after demonitor never arrives", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const target = self.spawn(exitOnMessage);
        const ref = self.monitor(target, { alias: "demonitor" });
        self.demonitor(ref);
        const sender = self.spawn((s) => {
          s.send(ref, "late");
          s.send(self.pid, "marker");
        });
        await self.receive((m) => m === "marker");
        await barrierFrom(self, sender);
        expect(node.processInfo(self.pid)!.messages).toEqual([]);
      });
    });
  });

  /** A server that sends two replies to a `replyDemonitor` alias, then a marker to `self`. */
  async function twoReplies(self: Self): Promise<{ server: Pid; ref: Ref }> {
    const server = self.spawn(async (s) => {
      const req = (await s.receive()) as { alias: Ref; from: Pid };
      s.send(req.alias, "reply1");
      s.send(req.alias, "reply2");
      s.send(req.from, "marker");
      await s.receive((m) => m === "never");
    });
    const ref = self.monitor(server, { alias: "replyDemonitor" });
    self.send(server, { alias: ref, from: self.pid });
    expect(await self.receive()).toBe("reply1");
    expect(await self.receive()).toBe("marker");
    return { server, ref };
  }

  it("MON-08: under many seeds, a replyDemonitor alias is deactivated by the first reply", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const { ref } = await twoReplies(self);
        expect(node.processInfo(self.pid)!.messages).toEqual([]);
        self.send(ref, "after");
        node.send(ref, "after");
        expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      });
    });
  });

  it("MON-08: under many seeds, a replyDemonitor alias's first reply removes its monitor", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const { server, ref } = await twoReplies(self);
        expect(node.processInfo(self.pid)!.monitors).toEqual([]);
        // The monitor went with the alias: the server's death sends no DOWN for ref.
        const watch = self.monitor(server);
        self.exit(server, "kill");
        expect((await self.receive(downOf(watch))).reason).toBe("killed");
        await barrierFrom(self, server);
        expect(downQueued(node, self.pid, ref)).toBe(false);
      });
    });
  });

  it("MON-08: a replyDemonitor alias demonitored before any reply drops the reply", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const server = self.spawn(async (s) => {
        const req = (await s.receive()) as { alias: Ref; from: Pid };
        s.send(req.alias, "reply");
        s.send(req.from, "marker");
      });
      const ref = self.monitor(server, { alias: "replyDemonitor" });
      self.demonitor(ref);
      self.send(server, { alias: ref, from: self.pid });
      await self.receive((m) => m === "marker");
      expect(node.processInfo(self.pid)!.messages).toEqual([]);
    });
  });

  it("MON-08: an alias is deactivated when its monitor's DOWN is delivered", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      for (const alias of ["demonitor", "replyDemonitor"] as const) {
        const target = self.spawn(exitOnMessage);
        const ref = self.monitor(target, { alias });
        self.send(target, "bye");
        await self.receive((m) => isDown(m, ref));
        const sender = self.spawn((s) => {
          s.send(ref, `late-${alias}`);
          s.send(self.pid, "marker");
        });
        await self.receive((m) => m === "marker");
        await barrierFrom(self, sender);
        expect(node.processInfo(self.pid)!.messages).toEqual([]);
      }
    });
  });
});

describe("monitor bookkeeping: many monitors per owner and per target", () => {
  it("demonitoring one of three monitors on a target leaves the other two, in the order they were set", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const target = self.spawn(exitOnMessage);
      const owners: Pid[] = [];
      const refs: Ref[] = [];
      for (let i = 0; i < 3; i++) {
        const owner = self.spawn(async (s) => {
          const ref = s.monitor(target);
          s.send(self.pid, { ref });
          const m = await s.receive((x) => x === "demonitor" || isDown(x));
          if (m === "demonitor") {
            s.send(self.pid, { demonitored: s.demonitor(ref, { info: true }) });
            await s.receive(isDown, { timeout: 0 }).then((d) => s.send(self.pid, { late: d }));
          } else s.send(self.pid, { down: (m as Down).ref });
        });
        owners.push(owner);
        refs.push(
          ((await self.receive((m) => (m as { ref?: Ref }).ref !== undefined)) as { ref: Ref }).ref,
        );
      }
      expect(node.processInfo(target)!.monitoredBy).toEqual(owners);
      self.send(owners[1], "demonitor");
      expect(
        await self.receive((m) => (m as { demonitored?: boolean }).demonitored !== undefined),
      ).toEqual({ demonitored: true });
      expect(node.processInfo(target)!.monitoredBy).toEqual([owners[0], owners[2]]);
      self.send(target, "bye");
      const downs = [
        await self.receive((m) => (m as { down?: Ref }).down !== undefined),
        await self.receive((m) => (m as { down?: Ref }).down !== undefined),
      ];
      expect(downs).toEqual([{ down: refs[0] }, { down: refs[2] }]);
      expect(await self.receive((m) => (m as { late?: unknown }).late !== undefined)).toEqual({
        late: TIMEOUT,
      });
    });
    node.shutdown();
  });

  it("an owner's monitors: demonitoring the middle one of three leaves the others, and only their DOWNs come", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const targets = [0, 1, 2].map(() => self.spawn(exitOnMessage));
      const refs = targets.map((t) => self.monitor(t));
      expect(self.demonitor(refs[1], { info: true })).toBe(true);
      expect(self.demonitor(refs[1], { info: true })).toBe(false);
      expect(node.processInfo(self.pid)!.monitors).toEqual([targets[0], targets[2]]);
      for (const t of targets) self.send(t, "bye");
      // Each target's DOWNs have landed once a fresh monitor's DOWN from it arrives.
      for (const t of targets) await barrierFrom(self, t);
      const got = node
        .processInfo(self.pid)!
        .messages.filter((m) => isDown(m))
        .map((d) => d.ref);
      expect(got).toEqual([refs[0], refs[2]]);
      expect(node.processInfo(self.pid)!.monitors).toEqual([]);
    });
    node.shutdown();
  });

  it("demonitor with an object that only looks like a ref (its prototype) removes nothing and does not throw", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const target = self.spawn(exitOnMessage);
      const ref = self.monitor(target);
      const forged = Object.create(Ref.prototype) as Ref;
      expect(self.demonitor(forged, { info: true })).toBe(false);
      self.send(target, "bye");
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("bye");
    });
    node.shutdown();
  });

  it("a ref is demonitored only by its owner: another process's demonitor with it removes nothing", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const target = self.spawn(exitOnMessage);
      const ref = self.monitor(target);
      const other = self.spawn(async (s) => {
        s.send(self.pid, { removed: s.demonitor(ref, { info: true }) });
      });
      expect(await self.receive((m) => (m as { removed?: boolean }).removed !== undefined)).toEqual(
        { removed: false },
      );
      expect(await barrierFrom(self, other)).toBe("normal");
      self.send(target, "bye");
      expect((await self.receive((m) => isDown(m, ref))).reason).toBe("bye");
    });
    node.shutdown();
  });

  it("an owner monitoring many targets dies: every target's list is empty and the others' monitors stay", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const targets = Array.from({ length: 50 }, () => self.spawn(exitOnMessage));
      const mine = targets.map((t) => self.monitor(t));
      const owner = self.spawn(async (s) => {
        for (const t of targets) s.monitor(t);
        s.send(self.pid, "monitoring");
        await s.receive((m) => m === "never");
      });
      await self.receive((m) => m === "monitoring");
      expect(node.processInfo(targets[7])!.monitoredBy).toEqual([self.pid, owner]);
      self.exit(owner, "kill");
      expect(await barrierFrom(self, owner)).toBe("killed");
      for (const t of targets) expect(node.processInfo(t)!.monitoredBy).toEqual([self.pid]);
      for (const t of targets) self.send(t, "bye");
      for (const ref of mine)
        expect((await self.receive((m) => isDown(m, ref))).reason).toBe("bye");
    });
    node.shutdown();
  });
});
