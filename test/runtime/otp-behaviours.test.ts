/**
 * Issue 12, point 9: OTP behaviours that were missing or wrong.
 * - `procLib.startMonitor` (OTP 23's `proc_lib:start_monitor`);
 * - after a failed `procLib.startLink`, a trapping caller is left no `EXIT`
 *   from the child (OTP's `flush_EXIT` in `proc_lib:sync_start`);
 * - a crashing `formatStatus` makes `getStatus` show OTP's placeholder
 *   (`gen_server_SUITE:crash_in_format_status`), never the raw state;
 * - `holdAt` keeps its detach function: a `release()` before the event
 *   removes its debug function.
 */
import {
  ExitError,
  GenServer,
  Pid,
  Ref,
  SpecialProcess,
  TIMEOUT,
  isDown,
  isExit,
  noreply,
  ok,
  procLib,
  sys,
} from "otpkit";
import { holdAt } from "../../jest-preset/hold-at";
import { QuietNode, eachTestNode, forSeeds, rejection, run } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

describe("procLib.startMonitor (OTP 23 proc_lib:start_monitor)", () => {
  it("procLib.startMonitor resolves with the initAck value, the pid and a monitor ref", async () => {
    await run(node, async (self) => {
      const { value, pid, ref } = await procLib.startMonitor(self, async (s) => {
        procLib.initAck(s, "ready");
        await s.receive();
      });
      expect(value).toBe("ready");
      expect(pid).toBeInstanceOf(Pid);
      expect(node.isAlive(pid)).toBe(true);
      expect(ref).toBeInstanceOf(Ref);
    });
  });

  it("procLib.startMonitor: the DOWN for its ref comes when the child ends", async () => {
    const r = await run(node, async (self) => {
      const { pid, ref } = await procLib.startMonitor(self, async (s) => {
        procLib.initAck(s, "ready");
        await s.receive();
      });
      self.send(pid, "stop");
      const down = await self.receive((m) => isDown(m, ref));
      return { pidMatches: down.pid === pid, reason: down.reason };
    });
    expect(r).toEqual({ pidMatches: true, reason: "normal" });
  });

  it("procLib.startMonitor of a child that dies before initAck rejects with its reason", async () => {
    const reason = await run(node, async (self) => {
      const e = await rejection(procLib.startMonitor(self, (s) => s.exit("no_config")));
      return e.reason;
    });
    expect(reason).toBe("no_config");
  });

  it("procLib.startMonitor of a child that dies before initAck still delivers the DOWN to the caller", async () => {
    const down = await run(node, async (self) => {
      await rejection(procLib.startMonitor(self, (s) => s.exit("no_config")));
      const d = await self.receive((m) => isDown(m), { timeout: 0 });
      return d === TIMEOUT ? "none" : (d as { reason: unknown }).reason;
    });
    expect(down).toBe("no_config");
  });

  it("procLib.startMonitor does not link: the caller survives a crashing child", async () => {
    const r = await run(node, async (self) => {
      const e = await rejection(
        procLib.startMonitor(self, () => {
          throw new Error("bad_init");
        }),
      );
      return { alive: self.node.isAlive(self.pid), reason: e.reason };
    });
    expect(r.alive).toBe(true);
    expect(r.reason).toBeInstanceOf(Error);
  });

  it("procLib.startMonitor with a timeout kills the child and rejects timeout", async () => {
    const r = await run(node, async (self) => {
      let child: Pid | undefined;
      const e = await rejection(
        procLib.startMonitor(self, (s) => ((child = s.pid), s.receive()), { timeout: 0 }),
      );
      return { reason: e.reason, exit: await self.node.awaitExit(child!) };
    });
    expect(r).toEqual({ reason: "timeout", exit: "killed" });
  });
});

describe("procLib.startLink failure consumes the trapping caller's EXIT (OTP's flush_EXIT)", () => {
  it("PL-02 a trapping caller is left no EXIT from a child that crashed before initAck, under many schedules", async () => {
    await forSeeds(30, async (n) => {
      const r = await run(n, async (self) => {
        self.processFlag("trapExit", true);
        let child: Pid | undefined;
        await rejection(
          procLib.startLink(self, (s) => {
            child = s.pid;
            throw new Error("bad_init");
          }),
        );
        const ref = self.monitor(child!); // a DOWN sent now lands after anything the child sent
        await self.receive((m) => isDown(m, ref));
        return self.receive((m) => isExit(m, child), { timeout: 0 });
      });
      expect(r).toBe(TIMEOUT);
    });
  });

  it("PL-04 a trapping caller is left no EXIT after initFail", async () => {
    const r = await run(node, async (self) => {
      self.processFlag("trapExit", true);
      let child: Pid | undefined;
      const e = await rejection(
        procLib.startLink(self, (s) => {
          child = s.pid;
          procLib.initFail(s, { error: "x" }, "x");
        }),
      );
      const ref = self.monitor(child!);
      await self.receive((m) => isDown(m, ref));
      return {
        reason: e.reason,
        exit: await self.receive((m) => isExit(m, child), { timeout: 0 }),
      };
    });
    expect(r).toEqual({ reason: { error: "x" }, exit: TIMEOUT });
  });

  it("PL-02 a non-trapping caller is not unlinked early: a crashing child still takes it down", async () => {
    const parent = node.spawn(async (self) => {
      await procLib.startLink(self, () => {
        throw new Error("bad_init");
      });
    });
    expect(await node.awaitExit(parent)).toBeInstanceOf(Error);
  });
});

describe("a crashing formatStatus shows OTP's placeholder", () => {
  const Secret = GenServer.define({
    name: "Secret",
    init: (_a: void) => ok({ password: "s3cret" }),
    handleCast: {
      boom: () => {
        throw new Error("boom");
      },
    },
    formatStatus: () => {
      throw new Error("formatStatus broke");
    },
  });

  it("SYS-08 a GenServer whose formatStatus throws: getStatus shows the placeholder, never the state", async () => {
    const pid = await Secret.start(undefined);
    const status = await sys.getStatus(pid);
    expect((status.misc as unknown[])[2]).toEqual({
      data: [["State", "Secret.formatStatus crashed"]],
    });
    expect(JSON.stringify(status)).not.toContain("s3cret");
  });

  it("SYS-08 a GenServer whose formatStatus throws: the crash report shows the placeholder, never the state", async () => {
    const pid = await Secret.start(undefined);
    Secret.cast(pid, "boom");
    await node.awaitExit(pid);
    const report = node.logs.find((l) => l.kind === "gen_server_terminate")!;
    expect(report.text).toContain("Secret.formatStatus crashed");
    expect(report.text).not.toContain("s3cret");
  });

  it("SYS-27 a hand-written special process whose formatStatus throws: getStatus shows the placeholder", async () => {
    const module: SpecialProcess<{ password: string }> = {
      module: "Vault",
      formatStatus: () => {
        throw new Error("nope");
      },
    };
    const pid = (await procLib.start(null, async (self) => {
      const debug = sys.debugOptions(self);
      procLib.initAck(self);
      for (;;) {
        const m = await self.receive();
        if (sys.isSystemMessage(m))
          await sys.handleSystemMsg(self, m, self.pid, module, debug, { password: "s3cret" });
      }
    })) as Pid;
    const status = await sys.getStatus(pid);
    expect(status.misc).toBe("Vault.formatStatus crashed");
    expect(node.isAlive(pid)).toBe(true);
  });
});

describe("holdAt keeps its detach function", () => {
  const Idle = GenServer.define({
    name: "Idle",
    init: (_a: void) => ok(0),
    handleCast: { poke: (_a: void, s: number) => noreply(s + 1) },
  });

  it("a release() before the event removes holdAt's debug function at once", async () => {
    const pid = await Idle.start(undefined);
    const hold = holdAt(pid, { kind: "in", msg: "never sent" } as never);
    expect((await sys.getStatus(pid)).debug.installed).toBe(1);
    hold.release();
    expect((await sys.getStatus(pid)).debug.installed).toBe(0);
    Idle.cast(pid, "poke");
    expect(await sys.getState(pid)).toBe(1);
  });

  it("a hold that was reached removes its debug function itself", async () => {
    const pid = await Idle.start(undefined);
    const hold = holdAt(pid, { kind: "noreply" });
    Idle.cast(pid, "poke");
    await hold.reached;
    hold.release();
    expect((await sys.getStatus(pid)).debug.installed).toBe(0);
  });
});

describe("failures are ExitErrors", () => {
  it("procLib.startMonitor's rejection is an ExitError naming the start", async () => {
    const e = await run(node, (self) => rejection(procLib.startMonitor(self, (s) => s.exit("x"))));
    expect(e).toBeInstanceOf(ExitError);
    expect(e.operation).toMatch(/^procLib\.startMonitor/);
  });
});
