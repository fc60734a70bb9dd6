/**
 * Small servers and processes shared by the preset's tests (not a test file:
 * the preset project only runs `*.test.ts`).
 */
import {
  From,
  GenServer,
  Next,
  Pid,
  Self,
  isDown,
  isExit,
  noreply,
  ok,
  reply,
  spawn,
  stop,
} from "otpkit";

/** What the Counter keeps: its count and a log of what it handled, in order. */
export interface CounterState {
  count: number;
  log: unknown[];
}

/**
 * A counter that logs every message it handles. `block` never finishes (the
 * server stays busy, its mailbox fills up); `arm` returns a timeout result.
 */
export const Counter = GenServer.define({
  name: "Counter",
  init(next: Next | undefined) {
    return ok<CounterState>({ count: 0, log: [] }, next);
  },
  handleCall: {
    get(_arg: void, _from: From, s: CounterState) {
      return reply(s.count, s);
    },
    bump(_arg: void, _from: From, s: CounterState) {
      s.count++;
      s.log.push("bump");
      return reply(s.count, s);
    },
    log(_arg: void, _from: From, s: CounterState) {
      return reply(s.log.slice(), s);
    },
    /** Links the server to `pid` (the server traps exits). */
    link(pid: Pid, _from: From, s: CounterState) {
      this.processFlag("trapExit", true);
      this.link(pid);
      // The link signal lands before the reply goes out (isAlive lands this sender's signals
      // first, PP-08); without it, a caller that ends `pid` at once races with the link (noproc).
      this.isAlive(pid);
      return reply("ok" as const, s);
    },
    /** Monitors `pid`. */
    monitor(pid: Pid, _from: From, s: CounterState) {
      this.monitor(pid);
      this.isAlive(pid); // in place before the reply (see link)
      return reply("ok" as const, s);
    },
    /** Stops the server with `reason`, without replying. */
    stop(reason: unknown, _from: From, s: CounterState) {
      return stop(reason, s);
    },
  },
  handleCast: {
    inc(by: number | undefined, s: CounterState) {
      s.count += by ?? 1;
      s.log.push(["inc", by ?? 1]);
      return noreply(s);
    },
    block(_arg: void, _s: CounterState) {
      return new Promise<never>(() => {});
    },
    arm(ms: number, s: CounterState) {
      s.log.push(["arm", ms]);
      return noreply(s, { timeout: ms });
    },
    crash(_arg: void, _s: CounterState): never {
      throw new Error("boom in a cast");
    },
  },
  handleInfo(msg: unknown, s: CounterState) {
    if (isDown(msg)) s.log.push(["DOWN", msg.pid, msg.reason]);
    else if (isExit(msg)) s.log.push(["EXIT", msg.from, msg.reason]);
    else s.log.push(msg);
    return noreply(s);
  },
});

/** A process that waits until it gets a message, then exits with that message as its reason. */
export function exitsWithNextMessage(): Pid {
  return spawn(async (self: Self) => self.exit(await self.receive()));
}

/** A process that waits forever. */
export function idle(): Pid {
  return spawn(async (self: Self) => void (await self.receive(() => false)));
}

/** Strips ANSI colour codes (matcher messages). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** The message of a rejection, for assertions on failure texts. */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return plain(e instanceof Error ? e.message : String(e));
  }
  throw new Error("expected a failure, but it succeeded");
}

/** A pid pattern for failure texts: `<node.id.0>`. */
export const PID = String.raw`<\d+\.\d+\.0>`;
