/**
 * Conformance: process primitives (docs/conformance.md, PP-01..PP-11).
 * PP-12 (call reply wait vs. mailbox backlog) is with the GenServer tests (gen-server.test.ts).
 */
import { setImmediate as realSetImmediate } from "timers";
import { isDown, isPid, Pid, Ref, Self, TIMEOUT } from "otpkit";
import { downOf, exitFrom, forSeeds, is, QuietNode, quietNode, run } from "../support";

describe("PP: process primitives", () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("PP-01: spawn returns a live pid at once, while the body waits in receive", async () => {
    const node = quietNode();
    const first = node.spawn(async (self) => {
      self.exit({ unblockedBy: await self.receive() });
    });
    expect(isPid(first)).toBe(true);
    expect(node.isAlive(first)).toBe(true);
    node.shutdown();
  });

  it("PP-01: a body blocked in receive is unblocked by a message", async () => {
    const node = quietNode();
    const first = node.spawn(async (self) => {
      self.exit({ unblockedBy: await self.receive() });
    });
    node.send(first, "go");
    expect(await node.awaitExit(first)).toEqual({ unblockedBy: "go" });
    expect(node.isAlive(first)).toBe(false);
    node.shutdown();
  });

  it("PP-01: a pid is never reused, even after its process has died", async () => {
    const node = quietNode();
    const first = node.spawn(async (self) => {
      self.exit({ unblockedBy: await self.receive() });
    });
    node.send(first, "go");
    await node.awaitExit(first);
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

  /** From a test process: spawns a child that waits for "ping" and reports it; the child's pid. */
  function pingChild(self: Self): Pid {
    const parent = self.pid;
    return self.spawn(async (c) => {
      const m = await c.receive(is("ping"));
      c.send(parent, { from: c.pid, got: m });
    });
  }

  it("PP-01: self.spawn returns a new pid at once, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const child = pingChild(self);
        expect(isPid(child)).toBe(true);
        expect(child).not.toBe(self.pid);
        expect(node.isAlive(child)).toBe(true);
      });
    });
  });

  it("PP-01: a child of self.spawn waiting in receive is unblocked by a message, under many seeds", async () => {
    await forSeeds(100, async (node) => {
      await run(node, async (self) => {
        const child = pingChild(self);
        self.send(child, "ping");
        expect(await self.receive()).toEqual({ from: child, got: "ping" });
      });
    });
  });

  it("PP-02: messages from one sender to one receiver arrive in send order, under many seeds", async () => {
    const N = 200;
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

  it("PP-03: sending to a dead pid returns the message", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { pid: dead, ref } = self.spawnMonitor(() => undefined);
      expect((await self.receive(downOf(ref))).reason).toBe("normal");

      const msg = { hello: "dead" };
      expect(self.send(dead, msg)).toBe(msg);
      expect(node.send(dead, msg)).toBe(msg);
      expect(node.isAlive(dead)).toBe(false);
    });
  });

  it("PP-03: sending to a dead pid leaves the sender's mailbox unchanged", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      const { pid: dead, ref } = self.spawnMonitor(() => undefined);
      await self.receive(downOf(ref));
      self.send(dead, { hello: "dead" });
      node.send(dead, { hello: "dead" });
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

  it("PP-04: selective receive takes the first matching message", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      self.send(self.pid, "a");
      self.send(self.pid, "b");
      self.send(self.pid, "c");
      expect(await self.receive(is("b"))).toBe("b");
    });
  });

  it("PP-04: the messages a selective receive skips stay queued, in order", async () => {
    const node = quietNode();
    await run(node, async (self) => {
      self.send(self.pid, "a");
      self.send(self.pid, "b");
      self.send(self.pid, "c");
      await self.receive(is("b"));
      expect(node.processInfo(self.pid)!.messages).toEqual(["a", "c"]);
      expect(await self.receive()).toBe("a");
      expect(await self.receive()).toBe("c");
    });
  });

  it("PP-04: when several messages match, the first in arrival order wins", async () => {
    const node = quietNode();
    await run(node, async (self) => {
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

  // PP-05 drives time with Jest's fake timers (docs/decisions.md: Jest fake timers drive receive timeouts).
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

  it("PP-06: timeout 0 on an empty mailbox returns TIMEOUT at once, without a timer", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const setTimeoutSpy = jest.spyOn(globalThis, "setTimeout");
        try {
          expect(await self.receive(undefined, { timeout: 0 })).toBe(TIMEOUT);
          expect(await self.receive(is("m"), { timeout: 0 })).toBe(TIMEOUT);
          expect(setTimeoutSpy).not.toHaveBeenCalled();
        } finally {
          setTimeoutSpy.mockRestore();
        }
      });
    });
  });

  it("PP-06: timeout 0 takes a queued match, without a timer", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const setTimeoutSpy = jest.spyOn(globalThis, "setTimeout");
        try {
          // "marker" is sent after "m" by the same sender, so once it is received, "m" is in
          // the mailbox.
          self.send(self.pid, "m");
          self.send(self.pid, "marker");
          await self.receive(is("marker"));
          expect(await self.receive(is("m"), { timeout: 0 })).toBe("m");
          expect(setTimeoutSpy).not.toHaveBeenCalled();
        } finally {
          setTimeoutSpy.mockRestore();
        }
      });
    });
  });

  it("PP-06: timeout 0 with only a queued non-match returns TIMEOUT and the message stays", async () => {
    await forSeeds(50, async (node) => {
      await run(node, async (self) => {
        const setTimeoutSpy = jest.spyOn(globalThis, "setTimeout");
        try {
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

  describe("PP-07: exit reasons", () => {
    const asyncErr = new Error("async boom");
    const syncErr = new TypeError("sync boom");
    const custom = { custom: ["reason", 1] };
    type Body = (s: Self) => unknown;
    /** The exit reason of each body, as its monitor's DOWN reports it. */
    const reasonsOf = (cases: Record<string, Body>) =>
      run(quietNode(), async (self) => {
        const out: Record<string, unknown> = {};
        for (const [name, body] of Object.entries(cases)) {
          const { ref } = self.spawnMonitor(body);
          out[name] = (await self.receive(downOf(ref))).reason;
        }
        return out;
      });

    it("PP-07: a body that returns ends with normal", async () => {
      const got = await reasonsOf({ asyncReturn: async () => 42, syncReturn: () => 42 });
      expect(got.asyncReturn).toBe("normal");
      expect(got.syncReturn).toBe("normal");
    });

    it("PP-07: a thrown Error is the exit reason itself, with its stack", async () => {
      const got = await reasonsOf({
        asyncThrowError: async (s) => {
          await s.receive(undefined, { timeout: 0 });
          throw asyncErr;
        },
        syncThrowError: () => {
          throw syncErr;
        },
      });
      expect(got.asyncThrowError).toBe(asyncErr);
      expect((got.asyncThrowError as Error).stack).toContain("async boom");
      expect(got.syncThrowError).toBe(syncErr);
    });

    it("PP-07: exit(R) ends with R", async () => {
      const got = await reasonsOf({
        exitCustom: async (s) => {
          const deep = () => s.exit(custom);
          deep();
        },
        exitString: (s) => s.exit("shutdown"),
      });
      expect(got.exitCustom).toBe(custom);
      expect(got.exitString).toBe("shutdown");
    });

    it("PP-07: a thrown non-Error value v ends with {nocatch: v}", async () => {
      const got = await reasonsOf({
        throwString: async () => {
          throw "oops";
        },
        throwNumber: () => {
          throw 42;
        },
        throwUndefined: async () => {
          throw undefined;
        },
      });
      expect(got.throwString).toStrictEqual({ nocatch: "oops" });
      expect(got.throwNumber).toStrictEqual({ nocatch: 42 });
      expect(got.throwUndefined).toStrictEqual({ nocatch: undefined });
    });
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

  describe("PP-10: an exception in a process never escapes to the host", () => {
    const asyncErr = new Error("async crash");
    const syncErr = new Error("sync crash");
    const matcherErr = new Error("matcher crash");

    /** Runs `scenario` on a quiet node, collecting the host's unhandled rejections. */
    async function watchingRejections<T>(
      scenario: (node: QuietNode) => Promise<T>,
    ): Promise<{ result: T; node: QuietNode; rejections: unknown[] }> {
      const rejections: unknown[] = [];
      const onRejection = (r: unknown) => {
        rejections.push(r);
      };
      process.on("unhandledRejection", onRejection);
      try {
        const node = quietNode();
        const result = await scenario(node);
        // One event-loop turn so Node runs its unhandled-rejection check.
        await new Promise((r) => realSetImmediate(r));
        node.shutdown();
        return { result, node, rejections };
      } finally {
        process.off("unhandledRejection", onRejection);
      }
    }

    /** Four crashing bodies, each linked and monitored: their EXIT and DOWN reasons. */
    const crashes = (node: QuietNode) =>
      run(node, async (self) => {
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
        return out;
      });

    it("PP-10: the exception becomes the exit reason that links and monitors receive", async () => {
      const { result: reasons } = await watchingRejections(crashes);
      expect(reasons).toEqual([
        { exit: asyncErr, down: asyncErr },
        { exit: syncErr, down: syncErr },
        { exit: { nocatch: "thrown string" }, down: { nocatch: "thrown string" } },
        { exit: matcherErr, down: matcherErr },
      ]);
      expect(reasons[0].exit).toBe(asyncErr);
    });

    it("PP-10: each crashed process is reported once, with its reason", async () => {
      const { node } = await watchingRejections(crashes);
      expect(node.logs.map((l) => [l.kind, l.data.reason])).toEqual([
        ["crash", asyncErr],
        ["crash", syncErr],
        ["crash", { nocatch: "thrown string" }],
        ["crash", matcherErr],
      ]);
    });

    it("PP-10: crashing processes cause no unhandled rejection in the host", async () => {
      const { rejections } = await watchingRejections(crashes);
      expect(rejections).toEqual([]);
    });

    // A process killed while its body awaits something outside the runtime: when the body
    // resumes and calls the runtime, it is unwound, and nothing leaks to the host.
    it("PP-10: a killed body that resumes after an outside await is unwound without effect", async () => {
      let bodyDone!: () => void;
      const killedBodyDone = new Promise<void>((r) => (bodyDone = r));
      let releaseGate!: () => void;
      const gate = new Promise<void>((r) => (releaseGate = r));
      const { node, rejections } = await watchingRejections((node) =>
        run(node, async (self) => {
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
        }),
      );
      // Not reported: it was killed, it did not crash.
      expect(node.logs).toEqual([]);
      expect(rejections).toEqual([]);
    });
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
    });
    node.shutdown();
  });

  it("PP-11: priority combined with link: the link is made, the priority ignored", async () => {
    const node = quietNode();
    await run(node, async (self) => {
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
