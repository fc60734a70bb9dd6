/**
 * Issue 12, point 8: every public function names a bad argument at once with
 * a BadArgError (the inputs the issue found confusing, hanging or silently
 * accepted). The property test beside this file throws arbitrary values at
 * the whole API; these are the named cases.
 */
import {
  BadArgError,
  GenServer,
  Pid,
  attachDebug,
  createNode,
  exit,
  isAlive,
  isPid,
  ok,
  procLib,
  processInfo,
  reply,
  sendAfter,
  setCurrentNode,
  spawn,
  sys,
} from "otpkit";
import { QuietNode, eachTestNode } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

const Echo = GenServer.define({
  name: "Echo",
  init: (_a: void) => ok(0),
  handleCall: { get: (_a: void, _f: unknown, s: number) => reply(s, s) },
});

/** The BadArgError `f` throws (fails the test if it throws anything else, or nothing). */
function badArg(f: () => unknown): BadArgError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadArgError);
    return e as BadArgError;
  }
  throw new Error("expected a BadArgError, got none");
}

describe("no confusing errors", () => {
  for (const [name, f] of [
    ["exit", (x: unknown) => exit(x as Pid, "r")],
    ["isAlive", (x: unknown) => isAlive(x as Pid)],
    ["processInfo", (x: unknown) => processInfo(x as Pid)],
  ] as const)
    it(`module-level ${name}({}) names the pid, not a private field`, () => {
      const e = badArg(() => f({}));
      expect(e.message).toMatch(new RegExp(`^${name}: expected a pid`));
      expect(e.message).not.toContain("#state");
    });

  it("attachDebug({}) names the pid", () => {
    expect(badArg(() => attachDebug({} as Pid, () => null, null)).message).toMatch(
      /^attachDebug: expected a pid/,
    );
  });

  it("GenServer.startLink(undefined, ...) names the parent, not an internal TypeError", () => {
    expect(badArg(() => Echo.startLink(undefined as never, undefined)).message).toMatch(
      /^GenServer\.startLink: parent must be a process context/,
    );
    expect(node.processes()).toEqual([]);
  });

  it("GenServer.call with { caller: {} } names options.caller", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => Echo.call(pid, "get", undefined, { caller: {} as never })).message).toMatch(
      /^GenServer\.call: options\.caller must be a process context/,
    );
  });

  it("sys.getState with { caller: {} } names options.caller", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => sys.getState(pid, { caller: {} as never })).message).toMatch(
      /^sys\.getState: options\.caller/,
    );
  });

  it("procLib.startLink(undefined, body) names the parent", () => {
    expect(badArg(() => procLib.startLink(undefined as never, () => {})).message).toMatch(
      /^procLib\.startLink: parent/,
    );
  });

  it("a revoked proxy as a pid is a BadArgError, not a proxy TypeError", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(badArg(() => node.send(proxy as never, "x")).message).toMatch(/^send: expected/);
    expect(badArg(() => isAlive(proxy as never)).message).toMatch(/^isAlive: expected a pid/);
  });

  it("a revoked proxy as GenServer.cast's server is a BadArgError naming the server", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(badArg(() => GenServer.cast(proxy as never, "x")).message).toMatch(
      /^GenServer\.cast: server must be/,
    );
  });

  it("a proxy of a pid is not taken for the pid", () => {
    const pid = spawn(async (self) => void (await self.receive()));
    expect(isPid(new Proxy(pid, {}))).toBe(false);
    expect(isPid(pid)).toBe(true);
  });
});

describe("nothing bad is silently accepted", () => {
  it("spawn(null) throws instead of making a process that never runs", () => {
    expect(badArg(() => spawn(null as never)).message).toMatch(/^spawn: body must be a function/);
    expect(node.processes()).toEqual([]);
  });

  it("sys.log(pid, NaN) throws instead of never trimming the log", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => sys.log(pid, NaN)).message).toMatch(/^sys\.log: flag/);
    expect(badArg(() => sys.log(pid, -1)).message).toMatch(/^sys\.log: flag/);
    expect(badArg(() => sys.log(pid, 1.5)).message).toMatch(/^sys\.log: flag/);
  });

  it("sys.trace rejects a flag that is not a boolean", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => sys.trace(pid, "yes" as never)).message).toMatch(/^sys\.trace: on/);
  });

  it("sys.statistics rejects a flag that is not its own", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => sys.statistics(pid, 1 as never)).message).toMatch(/^sys\.statistics/);
  });

  it("a sys timeout that is not a number of ms is rejected at once", async () => {
    const pid = await Echo.start(undefined);
    expect(badArg(() => sys.getState(pid, { timeout: -5 })).message).toMatch(
      /^sys\.getState: timeout/,
    );
    expect(badArg(() => sys.getState(pid, "soon" as never)).message).toMatch(
      /^sys\.getState: options/,
    );
  });

  it.each([
    ["options that are not an object", 5],
    ["a NaN timeout", { timeout: NaN }],
  ])("receive with %s throws a BadArgError", async (_label, o) => {
    const errors: unknown[] = [];
    const pid = node.spawn(async (self) => {
      try {
        await self.receive(undefined, o as never);
      } catch (e) {
        errors.push(e);
      }
    });
    await node.awaitExit(pid);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BadArgError);
  });

  it("sendAfter with an infinite or negative time throws", () => {
    const pid = node.spawn((self) => self.receive());
    expect(badArg(() => sendAfter(Infinity, pid, "x")).message).toMatch(/^sendAfter: ms/);
    expect(badArg(() => sendAfter(-1, pid, "x")).message).toMatch(/^sendAfter: ms/);
  });

  it("createNode rejects options that are not an object", () => {
    expect(badArg(() => createNode(5 as never)).message).toMatch(/^createNode: options/);
  });

  it("createNode rejects a negative recentEvents", () => {
    expect(badArg(() => createNode({ recentEvents: -1 })).message).toMatch(
      /^createNode: recentEvents/,
    );
  });

  it("setCurrentNode rejects what is not a node", () => {
    expect(badArg(() => setCurrentNode({} as never)).message).toMatch(/^setCurrentNode/);
  });

  it("whereis rejects a name that is not a string", () => {
    expect(badArg(() => node.whereis(5 as never)).message).toMatch(/^whereis: name/);
  });

  it("unregister rejects a name that is not a string", () => {
    expect(badArg(() => node.unregister({} as never)).message).toMatch(/^unregister: name/);
  });
});
