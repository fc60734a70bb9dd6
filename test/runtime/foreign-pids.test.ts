/**
 * Issue 12, point 7: nodes are isolated runtimes (no distribution), so a pid
 * of another node is API misuse: send, exit, link, unlink, monitor, call,
 * cast, register and the timers reject it with a BadArgError naming both
 * nodes (OTP gives badarg for register, process_info and is_process_alive of
 * a remote pid; we choose badarg for the signal functions too, rather than
 * OTP's noconnection, as nothing can ever connect). Registering one never
 * leaves the name taken.
 */
import { BadArgError, GenServer, Node, Pid, createNode, isAlive, ok, reply, send } from "otpkit";
import { QuietNode, eachTestNode, run } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

let other: Node;
let theirs: Pid;
beforeEach(() => {
  other = createNode({ logger: () => {} });
  theirs = other.spawn((self) => self.receive());
});
afterEach(() => other.shutdown());

const FOREIGN = /is a pid of node \d+, not of this node \(\d+\)/;

const Echo = GenServer.define({
  name: "Echo",
  init: (_a: void) => ok(0),
  handleCall: { get: (_a: void, _f: unknown, s: number) => reply(s, s) },
});

describe("a pid of another node is a BadArgError", () => {
  it("node.send rejects it; nothing is delivered", () => {
    expect(() => node.send(theirs, "hi")).toThrow(BadArgError);
    expect(() => node.send(theirs, "hi")).toThrow(FOREIGN);
    expect(other.processInfo(theirs)?.messageQueueLen).toBe(0);
  });

  it("self.send, self.exit, self.link, self.unlink and self.monitor reject it", async () => {
    const errors = await run(node, (self) => {
      const caught: unknown[] = [];
      for (const f of [
        () => self.send(theirs, "hi"),
        () => self.exit(theirs, "bye"),
        () => self.link(theirs),
        () => self.unlink(theirs),
        () => self.monitor(theirs),
      ]) {
        try {
          f();
        } catch (e) {
          caught.push(e);
        }
      }
      return caught;
    });
    expect(errors).toHaveLength(5);
    for (const e of errors) {
      expect(e).toBeInstanceOf(BadArgError);
      expect((e as Error).message).toMatch(FOREIGN);
    }
    expect(other.isAlive(theirs)).toBe(true);
  });

  it("node.exit, node.isAlive and node.processInfo reject it", () => {
    expect(() => node.exit(theirs, "kill")).toThrow(FOREIGN);
    expect(() => node.isAlive(theirs)).toThrow(FOREIGN);
    expect(() => node.processInfo(theirs)).toThrow(FOREIGN);
    expect(other.isAlive(theirs)).toBe(true);
  });

  it("GenServer.call and cast from a process of this node to a server of another node reject it", async () => {
    const server = await Echo.start(undefined, { node: other });
    const r = await run(node, (self) => {
      const out: unknown[] = [];
      try {
        void Echo.call(server, "get", undefined, { caller: self });
      } catch (e) {
        out.push(e);
      }
      try {
        GenServer.cast(server, "x", undefined, { caller: self });
      } catch (e) {
        out.push(e);
      }
      return out;
    });
    expect(r).toHaveLength(2);
    for (const e of r) expect((e as Error).message).toMatch(FOREIGN);
  });

  it("register rejects it, and the name is never left taken", async () => {
    expect(() => node.register("svc", theirs)).toThrow(FOREIGN);
    expect(node.whereis("svc")).toBeUndefined();
    other.send(theirs, "go");
    await other.awaitExit(theirs);
    const mine = node.spawn((self) => self.receive());
    expect(node.register("svc", mine)).toBe(true);
    expect(node.whereis("svc")).toBe(mine);
  });

  it("registerGlobal, sendAfter and onExit reject it", () => {
    expect(() => node.registerGlobal("g", theirs)).toThrow(FOREIGN);
    expect(() => node.sendAfter(10, theirs, "tick")).toThrow(FOREIGN);
    expect(() => node.onExit(theirs, () => {})).toThrow(FOREIGN);
  });

  it("module-level functions act on the pid's own node; a made-up pid of no node is rejected", () => {
    const idle = other.spawn(() => new Promise(() => {}));
    expect(send(idle, "hi")).toBe("hi");
    expect(other.processInfo(idle)?.messageQueueLen).toBe(1);
    expect(() => send(new Pid(1, 1_000_000), "hi")).toThrow(FOREIGN);
  });

  it("module-level functions treat a pid of a node that was shut down as dead", () => {
    other.shutdown();
    expect(isAlive(theirs)).toBe(false);
    expect(send(theirs, "hi")).toBe("hi");
  });
});
