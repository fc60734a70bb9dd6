/**
 * How reasons, states and messages print (util.inspect, depth-limited, one
 * line), and what a failed call's ExitError carries: the call as written,
 * the server's error as `cause`, and a stack that ends at the caller's line
 * with the runtime's own frames left out.
 */
import path from "path";
import { ExitError, From, GenServer, formatReason, formatTerm, noreply, ok, reply } from "otpkit";
import { QuietNode, eachTestNode } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

const RUNTIME_DIR = path.join(__dirname, "..", "..", "runtime") + path.sep;

const Crashy = GenServer.define({
  name: "Crashy",
  init: (_: void) => ok(new Map([["alice", { since: 1 }]])),
  handleCall: {
    boom(_arg: void, _from: From, _s: Map<string, { since: number }>): never {
      throw new Error("kaboom");
    },
    hang(_arg: void, _from: From, s: Map<string, { since: number }>) {
      return noreply(s);
    },
    add(n: number, _from: From, s: Map<string, { since: number }>) {
      return reply(n + 1, s);
    },
  },
  handleCast: {
    boom(_arg: void, _s: Map<string, { since: number }>): never {
      throw new Error("cast kaboom");
    },
  },
});

/** The frames of a stack ("at ..." lines). */
function frames(stack: string | undefined): string[] {
  return (stack ?? "")
    .split("\n")
    .filter((l) => l.trimStart().startsWith("at "))
    .map((l) => l.trim());
}

describe("formatReason", () => {
  it("prints a Map as a Map", () => {
    expect(formatReason(new Map([["a", { b: 1 }]]))).toBe("Map(1) { 'a' => { b: 1 } }");
  });

  it("prints a cycle as [Circular *1]", () => {
    const c: Record<string, unknown> = { a: 1 };
    c.self = c;
    expect(formatReason(c)).toBe("<ref *1> { a: 1, self: [Circular *1] }");
  });

  it("prints pids and refs as Erlang does, inside terms too", () => {
    const pid = node.spawn(() => new Promise(() => {}));
    const ref = node.makeRef();
    expect(formatReason({ pid, ref })).toBe(`{ pid: ${pid}, ref: ${ref} }`);
  });

  it("keeps a string reason as it is", () => {
    expect(formatReason("noproc")).toBe("noproc");
  });

  it("prints an Error as its name and message", () => {
    expect(formatReason(new TypeError("bad"))).toBe("TypeError: bad");
  });

  it("stops at depth 4", () => {
    expect(formatReason({ a: { b: { c: { d: { e: { f: 1 } } } } } })).toBe(
      "{ a: { b: { c: { d: { e: [Object] } } } } }",
    );
  });

  it("prints a large term on one line", () => {
    const big = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, i]));
    expect(formatReason(big)).not.toContain("\n");
  });

  it("formatTerm can wrap a large term over several lines", () => {
    const big = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, i]));
    expect(formatTerm(big, { multiline: true })).toContain("\n");
  });
});

describe("crash reports", () => {
  it("show a Map state as a Map", async () => {
    const pid = await Crashy.start(undefined, { node });
    const down = node.awaitExit(pid);
    Crashy.cast(pid, "boom");
    await down;
    const report = node.logs.find((e) => e.kind === "gen_server_terminate");
    expect(report?.text).toContain("** When Server state == Map(1) { 'alice' => { since: 1 } }");
  });
});

describe("a call to a server that crashes", () => {
  async function failedCall(): Promise<ExitError> {
    const pid = await Crashy.start(undefined, { node });
    try {
      await Crashy.call(pid, "boom");
    } catch (e) {
      return e as ExitError;
    }
    throw new Error("the call did not fail");
  }

  it("names the call as it was written", async () => {
    const e = await failedCall();
    expect(e.message).toMatch(/^GenServer\.call\(<\d+\.\d+\.0>, "boom"\) exited: Error: kaboom$/);
  });

  it("carries the server's error as cause, with its stack", async () => {
    const e = await failedCall();
    expect(e.cause).toBeInstanceOf(Error);
    expect((e.cause as Error).message).toBe("kaboom");
    expect(frames((e.cause as Error).stack)[0]).toContain("reports.test.ts");
  });

  it("has the caller's line at the top of its stack", async () => {
    const e = await failedCall();
    expect(frames(e.stack)[0]).toMatch(/failedCall .*reports\.test\.ts:\d+/);
  });

  it("has no runtime frames in its stack", async () => {
    const e = await failedCall();
    expect(frames(e.stack).filter((l) => l.includes(RUNTIME_DIR))).toEqual([]);
    expect(frames(e.stack).length).toBeGreaterThan(0);
  });

  it("the cause's stack has no runtime frames either", async () => {
    const e = await failedCall();
    expect(frames((e.cause as Error).stack).filter((l) => l.includes(RUNTIME_DIR))).toEqual([]);
  });
});

describe("a call that times out", () => {
  it("has the caller's line in its stack", async () => {
    const pid = await Crashy.start(undefined, { node });
    const e = await Crashy.call(pid, "hang", undefined, { timeout: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("timeout");
    expect(frames((e as ExitError).stack)[0]).toMatch(/reports\.test\.ts:\d+/);
  });

  it("has the caller's line in its stack when another timer is due in the same timers pass", async () => {
    const pid = await Crashy.start(undefined, { node });
    const call = Crashy.call(pid, "hang", undefined, { timeout: 0 }).catch((x: unknown) => x);
    // Due with the call's deadline: Node runs the microtasks between the two callbacks, so the
    // failure is made with Node's timer frames under it.
    const other = new Promise((resolve) => setTimeout(resolve, 0));
    const e = await call;
    await other;
    expect(frames((e as ExitError).stack)[0]).toMatch(/reports\.test\.ts:\d+/);
  });

  it("names the call with its argument and timeout", async () => {
    const pid = await Crashy.start(undefined, { node });
    await Crashy.call(pid, "hang", undefined, { timeout: 0 }).catch(() => {});
    const e = await GenServer.call(pid, "hang", { n: 1 }, { timeout: 0 }).catch((x) => x);
    expect((e as ExitError).message).toBe(
      `GenServer.call(${pid}, "hang", { n: 1 }, 0) exited: timeout`,
    );
  });
});

describe("a call that succeeds", () => {
  it("is unchanged: resolves with the reply", async () => {
    const pid = await Crashy.start(undefined, { node });
    expect(await Crashy.call(pid, "add", 1)).toBe(2);
  });
});
