/**
 * `GenServer.define<State>()({...})`: the curried form that declares the
 * state for the handlers' types defines the same server as `define({...})`.
 */
import { ExitError, GenServer, noreply, ok, reply, stop } from "otpkit";
import { QuietNode, eachTestNode } from "../support";

let node: QuietNode;
eachTestNode((n) => (node = n));

interface Counter {
  n: number;
}

const Curried = GenServer.define<Counter>()({
  init: (n: number) => ok({ n }),
  handleCall: {
    get: (_arg: void, _from, s) => reply(s.n, s),
    halt: (_arg: void, _from, s) => stop("halted", s),
  },
  handleCast: {
    add: (by: number, s) => noreply({ n: s.n + by }),
  },
});

describe("GenServer.define<State>()", () => {
  it("returns a function that defines the server", () => {
    expect(typeof GenServer.define<Counter>()).toBe("function");
  });

  it("defines a server that starts, is cast to and called", async () => {
    const pid = await Curried.start(1, { node });
    Curried.cast(pid, "add", 2);
    expect(await Curried.call(pid, "get")).toBe(3);
  });

  it("a call whose handler stops without a reply fails with the reason", async () => {
    const pid = await Curried.start(1, { node });
    const e = await Curried.call(pid, "halt").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).reason).toBe("halted");
  });

  it("checks the spec it is then given", () => {
    expect(() => GenServer.define<Counter>()(null as never)).toThrow(/expected a spec object/);
  });
});
