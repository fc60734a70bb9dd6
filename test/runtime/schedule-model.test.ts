/**
 * The schedule space is OTP's (docs/schedule-model.md): each case below is an
 * order OTP allows that the runtime must be able to produce, or one it forbids
 * that the runtime must never produce, with a program whose bug needs it.
 */
import { From, GenServer, Pid, Self, Supervisor, TIMEOUT, isDown, isExit, ok, reply } from "otpkit";
import { downOf, forSeeds, quietNode, run } from "../support";

const SEEDS = 150;

/** A server whose handler sends the caller a note, then replies. */
const Noter = GenServer.define({
  name: "Noter",
  init: (_: void) => ok(0),
  handleCall: {
    ask(_arg: void, from: From, n: number) {
      this.send(from.pid, "note");
      return reply("answer", n + 1);
    },
  },
});

/** A worker for the supervisor cases. */
const Child = GenServer.define({ name: "Child", init: (_: void) => ok(0) });

/** Counts the seeds (of SEEDS) for which `scenario` returns true. */
async function count(scenario: (node: import("otpkit").Node) => Promise<boolean>) {
  let yes = 0;
  await forSeeds(SEEDS, async (node) => {
    if (await scenario(node)) yes++;
  });
  return yes;
}

describe("the schedule space is OTP's", () => {
  it("a reply keeps its place behind the server's earlier message to the caller, under every seed", async () => {
    await forSeeds(SEEDS, async (node) => {
      await run(node, async (self) => {
        const server = await Noter.start(undefined, { node });
        expect(await Noter.call(server, "ask", undefined, { caller: self })).toBe("answer");
        // The note was sent before the reply, on the same pair: it has landed.
        expect(await self.receive((m) => m === "note", { timeout: 0 })).toBe("note");
      });
    });
  });

  it("a dead child's EXIT can still be in flight to its supervisor when a caller that saw the child's DOWN asks", async () => {
    // The bug: trusting the DOWN and asking the supervisor at once.
    const stale = await count(async (node) =>
      run(node, async (self) => {
        const sup = await Supervisor.start(
          { children: [{ id: "c", start: (s: Self) => Child.startLink(s, undefined) }] },
          undefined,
          { node },
        );
        const [c] = await Supervisor.whichChildren(sup, { caller: self });
        const ref = self.monitor(c.pid as Pid);
        self.exit(c.pid as Pid, "kill");
        await self.receive(downOf(ref));
        const [after] = await Supervisor.whichChildren(sup, { caller: self });
        return after.pid === c.pid;
      }),
    );
    expect(stale).toBeGreaterThan(0); // some schedules still list the dead child
    expect(stale).toBeLessThan(SEEDS); // others have restarted it
  });

  it("exit(b, kill) on a linked b returns to its caller; the kill lands later (fifo mode too)", async () => {
    for (const node of [quietNode(), quietNode({ mode: "random", seed: 7 })]) {
      const log: string[] = [];
      const a = node.spawn(async (self) => {
        const b = self.spawn(async (s) => void (await s.receive()));
        self.link(b);
        self.isAlive(b); // the link is in place on both sides
        self.exit(b, "kill");
        log.push("exit returned");
        await self.receive();
      });
      expect(await node.awaitExit(a)).toBe("killed");
      expect(log).toEqual(["exit returned"]);
      node.shutdown();
    }
  });

  it("termination is a step of its own: after the owner's last message its name can still be taken", async () => {
    // The bug: re-registering the name as soon as the old owner said goodbye.
    const taken = await count(async (node) =>
      run(node, async (self) => {
        const owner = self.spawn((s) => {
          s.register("svc");
          s.send(self.pid, "bye");
        });
        await self.receive((m) => m === "bye");
        const holder = node.whereis("svc");
        const ref = self.monitor(owner);
        await self.receive(downOf(ref));
        return holder === owner;
      }),
    );
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(SEEDS);
  });

  it("a monitor is a signal: on a dying process its DOWN says the real reason or noproc, whichever wins", async () => {
    const reasons = new Set<unknown>();
    await forSeeds(SEEDS, async (node) => {
      reasons.add(
        await run(node, async (self) => {
          const p = self.spawn(async (s) => void (await s.receive()));
          self.send(p, "go"); // p ends normally once this lands
          const ref = self.monitor(p);
          return (await self.receive(downOf(ref))).reason;
        }),
      );
    });
    expect(reasons).toEqual(new Set(["normal", "noproc"]));
  });

  it("a link is a signal: linking to a process that ends before it lands gives an EXIT noproc", async () => {
    const reasons = new Set<unknown>();
    await forSeeds(SEEDS, async (node) => {
      reasons.add(
        await run(node, async (self) => {
          self.processFlag("trapExit", true);
          const p = self.spawn((s) => s.receive((m) => m === "go").then(() => s.exit("bye")));
          self.send(p, "go");
          self.link(p);
          return ((await self.receive((m) => isExit(m, p))) as { reason: unknown }).reason;
        }),
      );
    });
    expect(reasons).toEqual(new Set(["bye", "noproc"]));
  });

  it("a receive with timeout 0 is a recorded choice: a signal in flight may or may not have landed, and the seed replays it", async () => {
    const outcome = (seed: number) => {
      const node = quietNode({ mode: "random", seed });
      return run(node, async (self) => {
        // p sends hello, then has q tell us so: hello may still be in flight (another pair).
        const q = self.spawn(async (s) => void s.send(self.pid, await s.receive()));
        self.spawn((s) => {
          s.send(self.pid, "hello");
          s.send(q, "p has sent");
        });
        await self.receive((m) => m === "p has sent");
        return self.receive((m) => m === "hello", { timeout: 0 });
      }).finally(() => node.shutdown());
    };
    const seen = new Map<number, unknown>();
    for (let seed = 1; seed <= 60; seed++) seen.set(seed, await outcome(seed));
    const outcomes = [...seen.values()];
    expect(outcomes).toContain("hello");
    expect(outcomes).toContain(TIMEOUT);
    for (const seed of [1, 2, 3, 4, 5]) expect(await outcome(seed)).toBe(seen.get(seed));
  });

  it("DOWN and EXIT of one death are signals like others: a monitor's DOWN can overtake nothing from the same sender", async () => {
    await forSeeds(SEEDS, async (node) => {
      await run(node, async (self) => {
        const { pid, ref } = self.spawnMonitor((s) => {
          s.send(self.pid, "last words");
          s.exit("done");
        });
        const first = await self.receive((m) => m === "last words" || isDown(m, ref));
        expect(first).toBe("last words");
        void pid;
      });
    });
  });

  it("processInfo is a signal too: it sees every message its caller sent the process before asking, under every seed", async () => {
    await forSeeds(SEEDS, async (node) => {
      const idle = node.spawn(async (s) => {
        await s.receive((m) => m === "never");
      });
      node.send(idle, "one");
      node.send(idle, "two");
      expect(node.processInfo(idle)?.messages).toEqual(["one", "two"]);
      node.exit(idle, "kill");
    });
  });
});
