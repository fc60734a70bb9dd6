/**
 * Issue 12, point 7: nodes are isolated runtimes (no distribution), so a pid
 * of another node is API misuse: send, exit, link, unlink, monitor, call,
 * cast, register and the timers reject it with a BadArgError naming both
 * nodes (OTP gives badarg for register, process_info and is_process_alive of
 * a remote pid; we choose badarg for the signal functions too, rather than
 * OTP's noconnection, as nothing can ever connect). Registering one never
 * leaves the name taken.
 */
import {
  BadArgError,
  GenServer,
  Node,
  Pid,
  Self,
  createNode,
  isAlive,
  ok,
  reply,
  send,
} from "otpkit";
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
  it("node.send rejects it with a BadArgError naming both nodes", () => {
    expect(() => node.send(theirs, "hi")).toThrow(BadArgError);
    expect(() => node.send(theirs, "hi")).toThrow(FOREIGN);
  });

  it("node.send to it delivers nothing", () => {
    expect(() => node.send(theirs, "hi")).toThrow();
    expect(other.processInfo(theirs)?.messageQueueLen).toBe(0);
  });

  it.each<[string, (self: Self) => unknown]>([
    ["self.send", (self) => self.send(theirs, "hi")],
    ["self.exit", (self) => self.exit(theirs, "bye")],
    ["self.link", (self) => self.link(theirs)],
    ["self.unlink", (self) => self.unlink(theirs)],
    ["self.monitor", (self) => self.monitor(theirs)],
  ])("%s rejects it with a BadArgError naming both nodes", async (_f, f) => {
    const caught = await run(node, (self) => {
      try {
        f(self);
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect(caught).toBeInstanceOf(BadArgError);
    expect((caught as Error).message).toMatch(FOREIGN);
    expect(other.isAlive(theirs)).toBe(true);
  });

  it.each<[string, () => unknown]>([
    ["node.exit", () => node.exit(theirs, "kill")],
    ["node.isAlive", () => node.isAlive(theirs)],
    ["node.processInfo", () => node.processInfo(theirs)],
    ["node.registerGlobal", () => node.registerGlobal("g", theirs)],
    ["node.sendAfter", () => node.sendAfter(10, theirs, "tick")],
    ["node.onExit", () => node.onExit(theirs, () => {})],
  ])("%s rejects it", (_f, f) => {
    expect(f).toThrow(FOREIGN);
    expect(other.isAlive(theirs)).toBe(true);
  });

  it.each<[string, (server: Pid, self: Self) => unknown]>([
    [
      "GenServer.call",
      (server, self) => void Echo.call(server, "get", undefined, { caller: self }),
    ],
    ["GenServer.cast", (server, self) => GenServer.cast(server, "x", undefined, { caller: self })],
  ])("%s from a process of this node to a server of another node rejects it", async (_f, f) => {
    const server = await Echo.start(undefined, { node: other });
    const caught = await run(node, (self) => {
      try {
        f(server, self);
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect((caught as Error | undefined)?.message).toMatch(FOREIGN);
  });

  it("register rejects it and leaves the name free", () => {
    expect(() => node.register("svc", theirs)).toThrow(FOREIGN);
    expect(node.whereis("svc")).toBeUndefined();
  });

  it("a name refused for a foreign pid can be registered to a local process", async () => {
    expect(() => node.register("svc", theirs)).toThrow(FOREIGN);
    other.send(theirs, "go");
    await other.awaitExit(theirs);
    const mine = node.spawn((self) => self.receive());
    expect(node.register("svc", mine)).toBe(true);
    expect(node.whereis("svc")).toBe(mine);
  });

  it("module-level functions act on the pid's own node", () => {
    const idle = other.spawn(() => new Promise(() => {}));
    expect(send(idle, "hi")).toBe("hi");
    expect(other.processInfo(idle)?.messageQueueLen).toBe(1);
  });

  it("module-level functions reject a made-up pid of no node", () => {
    expect(() => send(new Pid(1, 1_000_000), "hi")).toThrow(FOREIGN);
  });

  it("module-level functions treat a pid of a node that was shut down as dead", () => {
    other.shutdown();
    expect(isAlive(theirs)).toBe(false);
    expect(send(theirs, "hi")).toBe("hi");
  });
});
