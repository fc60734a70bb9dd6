/**
 * Conformance: process primitives (OTP_CONFORMANCE.md section 1, PP-01..PP-11).
 * PP-12 (call reply wait vs. mailbox backlog) is with the GenServer tests (gen-server.test.ts).
 */
import { setImmediate as realSetImmediate } from "timers";
import { isDown, isPid, Pid, Ref, TIMEOUT } from "otpkit";
import { downOf, exitFrom, forSeeds, is, quietNode, run } from "../support";

describe("PP: process primitives", () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("PP-01: spawn returns a fresh pid at once; the body blocks in receive until a message unblocks it", async () => {
    const node = quietNode();
    const first = node.spawn(async (self) => {
      self.exit({ unblockedBy: await self.receive() });
    });
    expect(isPid(first)).toBe(true);
    expect(node.isAlive(first)).toBe(true);
    node.send(first, "go");
    expect(await node.awaitExit(first)).toEqual({ unblockedBy: "go" });
    expect(node.isAlive(first)).toBe(false);

    // Fresh and never reused, even after a process has died.
    const later = Array.from({ length: 200 }, () =>
      node.spawn(async (self) => {
        await self.receive();
      }),
    );
    const ids = new Set([first.id, ...later.map((p) => p.id)]);
    expect(ids.size).toBe(201);
    expect(later.map(String)).not.toContain(String(first));
    node.shutdown();
  });

  it("PP-01: self.spawn returns at once under many seeds; a message then unblocks the child", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const parent = self.pid;
        const child = self.spawn(async (c) => {
          const m = await c.receive(is("ping"));
          c.send(parent, { from: c.pid, got: m });
        });
        expect(isPid(child)).toBe(true);
        expect(child).not.toBe(self.pid);
        self.send(child, "ping");
        expect(await self.receive()).toEqual({ from: child, got: "ping" });
      });
    });
  });

  it("PP-02: messages from one sender to one receiver arrive in send order, under many seeds", async () => {
    const N = 1000;
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const b = self.pid;
        // Two senders, so the schedule has real choices to make; each one's stream must stay ordered.
        for (const tag of ["a", "c"]) {
          self.spawn(async (s) => {
            for (let i = 1; i <= N; i++) s.send(b, { tag, i });
          });
        }
        const seen: Record<string, number[]> = { a: [], c: [] };
        for (let k = 0; k < 2 * N; k++) {
          const m = (await self.receive()) as { tag: string; i: number };
          seen[m.tag].push(m.i);
        }
        const expected = Array.from({ length: N }, (_, i) => i + 1);
        expect(seen.a).toEqual(expected);
        expect(seen.c).toEqual(expected);
      });
    });
  });

  it("PP-03: sending to a dead pid is silent, returns the message and leaves the sender's mailbox unchanged", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { pid: dead, ref } = self.spawnMonitor(() => undefined);
      expect((await self.receive(downOf(ref))).reason).toBe("normal");

      const msg = { hello: "dead" };
      expect(self.send(dead, msg)).toBe(msg);
      expect(node.send(dead, msg)).toBe(msg);
      expect(node.isAlive(dead)).toBe(false);
      expect(node.processInfo(self.pid)!.messageQueueLen).toBe(0);
      expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
    });
  });

  it("PP-03: sending to a dead pid has no effect, under many seeds", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const { pid: dead, ref } = self.spawnMonitor(async () => undefined);
        await self.receive(downOf(ref));
        expect(() => self.send(dead, "lost")).not.toThrow();
        // A marker through a pair that is ordered after the send: nothing came back before it.
        self.send(self.pid, "marker");
        expect(await self.receive()).toBe("marker");
        expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
      });
    });
  });

  it("PP-04: selective receive takes the first matching message; the others stay queued, in order", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      self.send(self.pid, "a");
      self.send(self.pid, "b");
      self.send(self.pid, "c");
      expect(await self.receive(is("b"))).toBe("b");
      expect(node.processInfo(self.pid)!.messages).toEqual(["a", "c"]);
      expect(await self.receive()).toBe("a");
      expect(await self.receive()).toBe("c");

      // Several messages match: the first in arrival order wins, not the first clause.
      for (const m of ["x1", "y1", "x2", "y2"]) self.send(self.pid, m);
      expect(await self.receive((m) => m === "y2" || m === "y1")).toBe("y1");
      expect(await self.receive((m) => m === "x2" || m === "x1")).toBe("x1");
      expect(node.processInfo(self.pid)!.messages).toEqual(["x2", "y2"]);
    });
  });

  it("PP-04: selective receive, messages from another sender, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const me = self.pid;
        self.spawn(async (s) => {
          for (const m of ["a", "b", "c"]) s.send(me, m);
        });
        expect(await self.receive(is("b"))).toBe("b");
        // "a" arrived before "b" (same sender), so it is queued now; "c" may still be on its way.
        expect(await self.receive(undefined, { timeout: 0 })).toBe("a");
        expect(await self.receive()).toBe("c");
      });
    });
  });

  // PP-05 drives time with Jest's fake timers (DESIGN: `jest.useFakeTimers()` drives receive timeouts).
  it("PP-05: a matching message arriving during a receive with timeout ends the wait (fake timers)", async () => {
    jest.useFakeTimers();
    const node = quietNode();
    await run(node, async (self) => {
      const parent = self.pid;
      const t0 = Date.now();
      const waiter = self.spawn(async (w) => {
        w.send(parent, "ready");
        const r = await w.receive(is("hit"), { timeout: 100 });
        w.send(parent, { r, at: Date.now() - t0 });
      });
      // The waiter sends "ready" and enters receive in the same turn: it is waiting now.
      await self.receive(is("ready"));
      jest.advanceTimersByTime(50);
      self.send(waiter, "hit");
      expect(await self.receive()).toEqual({ r: "hit", at: 50 });
      // The receive's timer was cancelled when the message arrived.
      expect(jest.getTimerCount()).toBe(0);
    });
    node.shutdown();
  }, 1000);

  it("PP-05: with no matching message, receive returns TIMEOUT exactly when the timeout expires (fake timers)", async () => {
    jest.useFakeTimers();
    const node = quietNode();
    await run(node, async (self) => {
      const parent = self.pid;
      const t0 = Date.now();
      const waiter = self.spawn(async (w) => {
        w.send(parent, "ready");
        const r = await w.receive(is("hit"), { timeout: 100 });
        // A non-matching message does not end the wait and stays queued.
        const rest = await w.receive(undefined, { timeout: 0 });
        w.send(parent, { r, rest, at: Date.now() - t0 });
      });
      await self.receive(is("ready"));
      jest.advanceTimersByTime(50);
      self.send(waiter, "other");
      jest.advanceTimersByTime(49);
      expect(node.processInfo(waiter)!.status).toBe("waiting");
      jest.advanceTimersByTime(1);
      expect(await self.receive()).toEqual({ r: TIMEOUT, rest: "other", at: 100 });
    });
    node.shutdown();
  }, 1000);

  it("PP-06: timeout 0 takes a queued match, and on an empty mailbox returns TIMEOUT without a timer", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const setTimeoutSpy = jest.spyOn(globalThis, "setTimeout");
        try {
          // Empty mailbox: TIMEOUT at once, no timer is set.
          expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
          expect(await self.receive(is("m"), { timeout: 0 })).toBe(TIMEOUT);

          // A queued match wins over the timeout. "marker" is sent after "m" by the same
          // sender, so once it is received, "m" is in the mailbox.
          self.send(self.pid, "m");
          self.send(self.pid, "marker");
          await self.receive(is("marker"));
          expect(await self.receive(is("m"), { timeout: 0 })).toBe("m");

          // A queued non-match: TIMEOUT, and the message stays.
          self.send(self.pid, "x");
          self.send(self.pid, "marker");
          await self.receive(is("marker"));
          expect(await self.receive(is("y"), { timeout: 0 })).toBe(TIMEOUT);
          expect(await self.receive(undefined, { timeout: 0 })).toBe("x");

          expect(setTimeoutSpy).not.toHaveBeenCalled();
        } finally {
          setTimeoutSpy.mockRestore();
        }
      });
    });
  });

  it("PP-07: exit reasons: return -> normal, thrown Error -> that Error, exit(R) -> R, thrown value v -> {nocatch: v}", async () => {
    const node = quietNode();
    const asyncErr = new Error("async boom");
    const syncErr = new TypeError("sync boom");
    const custom = { custom: ["reason", 1] };
    const got = await run(node, async (self) => {
      const cases: Record<string, (s: typeof self) => unknown> = {
        asyncReturn: async () => 42,
        syncReturn: () => 42,
        asyncThrowError: async (s) => {
          await s.receive(undefined, { timeout: 0 });
          throw asyncErr;
        },
        syncThrowError: () => {
          throw syncErr;
        },
        exitCustom: async (s) => {
          const deep = () => s.exit(custom);
          deep();
        },
        exitString: (s) => s.exit("shutdown"),
        throwString: async () => {
          throw "oops";
        },
        throwNumber: () => {
          throw 42;
        },
        throwUndefined: async () => {
          throw undefined;
        },
      };
      const out: Record<string, unknown> = {};
      for (const [name, body] of Object.entries(cases)) {
        const { ref } = self.spawnMonitor(body);
        out[name] = (await self.receive(downOf(ref))).reason;
      }
      return out;
    });
    expect(got.asyncReturn).toBe("normal");
    expect(got.syncReturn).toBe("normal");
    expect(got.asyncThrowError).toBe(asyncErr);
    expect((got.asyncThrowError as Error).stack).toContain("async boom");
    expect(got.syncThrowError).toBe(syncErr);
    expect(got.exitCustom).toBe(custom);
    expect(got.exitString).toBe("shutdown");
    expect(got.throwString).toStrictEqual({ nocatch: "oops" });
    expect(got.throwNumber).toStrictEqual({ nocatch: 42 });
    expect(got.throwUndefined).toStrictEqual({ nocatch: undefined });
  });

  it("PP-07: processFlag('trapExit', b) returns the previous value", async () => {
    const node = quietNode();
    const flags = await run(node, async (self) => [
      self.processFlag("trapExit", true),
      self.processFlag("trapExit", true),
      self.processFlag("trapExit", false),
      self.processFlag("trapExit", false),
    ]);
    expect(flags).toEqual([false, true, true, false]);
  });

  it("PP-08: exit(P, kill) then isAlive(P) from the same (outside) sender is false, under many seeds", async () => {
    await forSeeds(200, async (node) => {
      const p = node.spawn(async (s) => {
        s.processFlag("trapExit", true);
        for (;;) await s.receive();
      });
      const exited = node.awaitExit(p);
      node.exit(p, "kill");
      expect(node.isAlive(p)).toBe(false);
      expect(await exited).toBe("killed");
    });
  });

  it("PP-08: exit(P2, kill) then isAlive(P2) from process P1 is false, under many seeds", async () => {
    await forSeeds(200, async (node) => {
      await run(node, async (self) => {
        const p2 = self.spawn(async (s) => {
          await s.receive(is("never"));
        });
        self.exit(p2, "kill");
        expect(self.isAlive(p2)).toBe(false);
      });
    });
  });

  it("PP-09: every message to a live process is delivered exactly once (N senders x M messages), under many seeds", async () => {
    const N = 5;
    const M = 200;
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const me = self.pid;
        const refs = new Set<Ref>();
        for (let s = 0; s < N; s++) {
          const { ref } = self.spawnMonitor(async (p) => {
            for (let i = 0; i < M; i++) p.send(me, `${s}:${i}`);
          });
          refs.add(ref);
        }
        // Each sender's DOWN comes after all its messages (same sender), so once all N DOWNs
        // are in, every message sent is in too.
        const got: string[] = [];
        while (refs.size > 0) {
          const m = await self.receive();
          if (isDown(m)) {
            expect(m.reason).toBe("normal");
            expect(refs.delete(m.ref)).toBe(true);
          } else got.push(m as string);
        }
        expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
        const expected: string[] = [];
        for (let s = 0; s < N; s++) for (let i = 0; i < M; i++) expected.push(`${s}:${i}`);
        expect(got.length).toBe(N * M);
        expect([...got].sort()).toEqual(expected.sort());
      });
    });
  });

  it("PP-10: an exception in a process never escapes to the host: it becomes the exit reason, reaches links and monitors, and is reported", async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => {
      rejections.push(r);
    };
    process.on("unhandledRejection", onRejection);
    try {
      const node = quietNode();
      const asyncErr = new Error("async crash");
      const syncErr = new Error("sync crash");
      const matcherErr = new Error("matcher crash");
      let bodyDone!: () => void;
      const killedBodyDone = new Promise<void>((r) => (bodyDone = r));
      let releaseGate!: () => void;
      const gate = new Promise<void>((r) => (releaseGate = r));

      const reasons = await run(node, async (self) => {
        self.processFlag("trapExit", true);
        const bodies: Array<(s: typeof self) => unknown> = [
          async (s) => {
            await s.receive(is("go"));
            throw asyncErr;
          },
          () => {
            throw syncErr;
          },
          async () => {
            throw "thrown string";
          },
          async (s) => {
            await s.receive(() => {
              throw matcherErr;
            });
          },
        ];
        const out: Array<{ exit: unknown; down: unknown }> = [];
        for (const body of bodies) {
          const pid = self.spawnLink(body);
          const ref = self.monitor(pid);
          self.send(pid, "go");
          const exit = await self.receive(exitFrom(pid));
          const down = await self.receive(downOf(ref));
          out.push({ exit: exit.reason, down: down.reason });
        }

        // A process killed while its body awaits something outside the runtime: when the body
        // resumes and calls the runtime, it is unwound, and nothing leaks to the host.
        const parent = self.pid;
        const { pid: k, ref: kref } = self.spawnMonitor(async (s) => {
          try {
            s.send(parent, "waiting for gate");
            await gate;
            s.send(parent, "after kill");
          } finally {
            bodyDone();
          }
        });
        await self.receive(is("waiting for gate"));
        self.exit(k, "kill");
        expect((await self.receive(downOf(kref))).reason).toBe("killed");
        releaseGate();
        await killedBodyDone;
        expect(await self.receive(is("after kill"), { timeout: 0 })).toBe(TIMEOUT);
        return out;
      });

      expect(reasons).toEqual([
        { exit: asyncErr, down: asyncErr },
        { exit: syncErr, down: syncErr },
        { exit: { nocatch: "thrown string" }, down: { nocatch: "thrown string" } },
        { exit: matcherErr, down: matcherErr },
      ]);
      expect(reasons[0].exit).toBe(asyncErr);
      // Reported: one crash report per crashed process, none for the killed one.
      expect(node.logs.map((l) => [l.kind, l.data.reason])).toEqual([
        ["crash", asyncErr],
        ["crash", syncErr],
        ["crash", { nocatch: "thrown string" }],
        ["crash", matcherErr],
      ]);
      // One event-loop turn so Node runs its unhandled-rejection check.
      await new Promise((r) => realSetImmediate(r));
      expect(rejections).toEqual([]);
      node.shutdown();
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  it("PP-11: spawn with { priority } is accepted and ignored: the process behaves like a plain spawn", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      for (const priority of ["low", "normal", "high", "max"] as const) {
        const child = self.spawn(
          async (s) => {
            const m = (await s.receive()) as { from: Pid; n: number };
            s.send(m.from, { echo: m.n, priority });
          },
          { priority },
        );
        expect(isPid(child)).toBe(true);
        const ref = self.monitor(child);
        self.send(child, { from: self.pid, n: 7 });
        expect(await self.receive((m) => !isDown(m))).toEqual({ echo: 7, priority });
        expect((await self.receive(downOf(ref))).reason).toBe("normal");
        // Not linked (priority is not link).
        expect(node.processInfo(self.pid)!.links).toEqual([]);
      }
      // Combined with link: the link is made, the priority ignored.
      const linked = self.spawn(
        async (s) => {
          await s.receive(is("never"));
        },
        { priority: "high", link: true },
      );
      expect(node.processInfo(self.pid)!.links).toEqual([linked]);
      self.unlink(linked);
    });
    node.shutdown();
  });
});
