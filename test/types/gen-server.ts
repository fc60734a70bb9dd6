/**
 * Type tests (checked by `npm run typecheck`, never run): GenServer handlers
 * get their types from a declared state; replies, names and arguments are
 * checked; sys events and requests narrow by their `kind`.
 */
import {
  ArgOf,
  From,
  GenServer,
  Pid,
  ReplyOf,
  SysEvent,
  SysRequest,
  noreply,
  ok,
  reply,
  stop,
} from "otpkit";

interface Counter {
  n: number;
  log: string[];
}

/** The curried form: the state declared once, the handlers' parameters typed from it. */
export const Declared = GenServer.define<Counter>()({
  init: (start: number) => ok({ n: start, log: [] }),
  handleCall: {
    get(_arg: void, _from, s) {
      return reply(s.n, s);
    },
    add: (by: number, from, s) => {
      const caller: Pid = from.pid;
      void caller;
      return reply(s.n + by, { ...s, n: s.n + by });
    },
    /** Stops without a reply: the caller's call fails, it never resolves with `undefined`. */
    check(_arg: void, _from, s) {
      if (s.n < 0) return stop("negative", s);
      return reply(true, s);
    },
    wrong(_arg: void, _from, s) {
      // @ts-expect-error the state has no field `m`
      return reply(s.m, s);
    },
  },
  handleCast: {
    push: (line: string, s) => noreply({ ...s, log: [...s.log, line] }),
  },
  handleInfo(_msg, s) {
    return noreply(s);
  },
});

/** A handler whose new state is not the declared state is rejected. */
export const WrongState = GenServer.define<Counter>()({
  init: () => ok({ n: 0, log: [] }),
  handleCast: {
    // @ts-expect-error a new state that is not a Counter
    bad: (_arg: void, s) => noreply({ ...s, n: "one" }),
  },
});

/** No handler tables: no calls or casts to make. */
export const Bare = GenServer.define<Counter>()({ init: () => ok({ n: 0, log: [] }) });

/** The first form still works: the state inferred from `init`. */
export const Inferred = GenServer.define({
  init: (_: void) => ok({ n: 0 }),
  handleCall: {
    get(_arg: void, _from: From, s: { n: number }) {
      return reply(s.n, s);
    },
  },
});

export async function calls(pid: Pid): Promise<void> {
  const n: number = await Declared.call(pid, "get");
  const m: number = await Declared.call(pid, "add", 2);
  // No `undefined` from the `stop` without a reply.
  const ok: boolean = await Declared.call(pid, "check");
  // @ts-expect-error no such call
  await Declared.call(pid, "gett");
  // @ts-expect-error the argument's type
  await Declared.call(pid, "add", "2");
  Declared.cast(pid, "push", "line");
  // @ts-expect-error a cast is not a call
  Declared.cast(pid, "get");
  // @ts-expect-error no calls at all
  await Bare.call(pid, "get");
  const i: number = await Inferred.call(pid, "get");
  const started = await Declared.start(0);
  await expect(started).toHaveState({ n: 0 });
  // @ts-expect-error the start argument's type
  await Declared.start("0");
  void [n, m, ok, i];
}

type Handlers = NonNullable<(typeof Declared.spec)["handleCall"]>;
export const replyOfStop: ReplyOf<Handlers["check"]> = true;
// @ts-expect-error ReplyOf adds no `undefined` for a stop without a reply
export const replyOfStopUndefined: ReplyOf<Handlers["check"]> = undefined;
export const argOf: ArgOf<Handlers["add"]> = 1;

/** Sys events narrow by kind: no casts. */
export function describe(e: SysEvent): string {
  switch (e.kind) {
    case "in":
      return `in ${String(e.msg)}`;
    case "out":
      return `out to ${String(e.to)}`;
    case "noreply":
    case "enter":
      return `state ${String(e.state)}`;
    case "continue":
      return `continue ${String(e.continue)}`;
    case "code_change":
      return `code change ${String(e.event)}`;
    case "terminate":
      return `terminate ${String(e.reason)}`;
  }
}

export function noCatchAll(e: SysEvent): boolean {
  // @ts-expect-error no sys event has this kind (no catch-all member)
  return e.kind === "bogus";
}

/** System requests narrow by kind too. */
export function requestText(r: SysRequest): string {
  if (r.kind === "terminate") return String(r.reason);
  if (r.kind === "change_code") return r.module;
  // @ts-expect-error only `change_code` has a module
  return r.module;
}
