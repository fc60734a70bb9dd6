/**
 * A hand-written special process: the channel allocator from OTP's sys docs
 * ("Writing special processes", `ch4`), in TypeScript.
 *
 * It is a plain receive loop, not a behaviour. Three things make it special:
 * it is started through `procLib` (synchronous start, initial call,
 * ancestors, crash reports); it hands every system message to
 * `sys.handleSystemMsg`, so `sys` can inspect, suspend and stop it; and it
 * reports its own events with `sys.handleDebug`, so trace, log, statistics
 * and installed debug functions see them.
 */
import {
  Debug,
  DebugOption,
  Down,
  EventFormatter,
  ExitError,
  Pid,
  Ref,
  Self,
  SpecialProcess,
  formatReason,
  isDown,
  isSystemMessage,
  procLib,
  sys,
} from "otpkit";

/** The allocator's state: channels handed out, and free ones (next first). */
export interface State {
  allocated: number[];
  free: number[];
}

/** How to start it. */
export interface StartOptions {
  /** Register the allocator under this name. */
  name?: string;
  /** Number of channels, 1..n (default 100, as OTP's example). */
  channels?: number;
  /** Debug options active from the first message (`"trace"`, `"log"`, `"statistics"`...). */
  debug?: DebugOption[];
}

/** The allocator as a client addresses it. */
export type Server = Pid | string;

// ---- messages ----

interface AllocRequest {
  kind: "alloc";
  from: Pid;
  ref: Ref;
}
interface FreeRequest {
  kind: "free";
  ch: number;
}
interface AllocReply {
  kind: "channel";
  ref: Ref;
  ch: number | null;
}

function isAllocRequest(m: unknown): m is AllocRequest {
  return (m as AllocRequest)?.kind === "alloc";
}
function isFreeRequest(m: unknown): m is FreeRequest {
  return (m as FreeRequest)?.kind === "free";
}

// ---- client functions ----

/**
 * Allocates a channel for the calling process: resolves with its number, or
 * `null` when none is free. Rejects with an `ExitError` if the allocator is
 * not running or dies before it answers.
 */
export async function alloc(self: Self, server: Server): Promise<number | null> {
  // The monitor's ref tags the request, and its DOWN ends the wait.
  const ref = self.monitor(server);
  self.send(server, { kind: "alloc", from: self.pid, ref } satisfies AllocRequest);
  const m = await self.receive(
    (x): x is AllocReply | Down =>
      ((x as AllocReply)?.kind === "channel" && (x as AllocReply).ref === ref) || isDown(x, ref),
  );
  if (isDown(m)) throw new ExitError(m.reason, `channels.alloc(${String(server)})`);
  self.demonitor(ref, { flush: true });
  return m.ch;
}

/** Frees channel `ch` (no reply; unknown channels are ignored). */
export function free(self: Self, server: Server, ch: number): void {
  self.send(server, { kind: "free", ch } satisfies FreeRequest);
}

// ---- starting ----

/** Starts an allocator linked to `parent`; resolves with its pid once it is ready. */
export function startLink(parent: Self, options: StartOptions = {}): Promise<Pid> {
  const parentPid = parent.pid;
  return procLib.startLink(parent, function channels(self) {
    return init(self, parentPid, options);
  }) as Promise<Pid>;
}

/** Starts an allocator with no parent (it is its own parent for `sys`). */
export function start(options: StartOptions = {}): Promise<Pid> {
  return procLib.start(null, function channels(self) {
    return init(self, self.pid, options);
  }) as Promise<Pid>;
}

// ---- the process ----

/** What `sys.handleSystemMsg` needs: a name, and (all defaulted here) the system callbacks. */
const Channels: SpecialProcess<State> = { module: "channels" };

/** Renders the allocator's events for `sys.trace` and `sys.log(pid, "print")`. */
export const format: EventFormatter = (event, name) => {
  const e = event as { kind: string; msg?: unknown; from?: unknown; to?: unknown };
  if (e.kind === "in")
    return (
      `*DBG* ${String(name)} got ${formatReason(e.msg)}` +
      (e.from === undefined ? "" : ` from ${String(e.from)}`)
    );
  if (e.kind === "out")
    return `*DBG* ${String(name)} sent ${formatReason(e.msg)} to ${String(e.to)}`;
  return sys.defaultFormat(event, name);
};

async function init(self: Self, parent: Pid, options: StartOptions): Promise<never> {
  if (options.name !== undefined) self.register(options.name);
  const n = options.channels ?? 100;
  const state: State = { allocated: [], free: Array.from({ length: n }, (_, i) => i + 1) };
  // Marks the process special and applies the start debug options.
  const debug = sys.debugOptions(self, options.debug);
  procLib.initAck(self, self.pid);
  return loop(self, parent, debug, state, options.name ?? self.pid);
}

async function loop(
  self: Self,
  parent: Pid,
  debug: Debug,
  initial: State,
  name: unknown,
): Promise<never> {
  let state = initial;
  for (;;) {
    const m = await self.receive();
    if (isSystemMessage(m)) {
      // Answers the request; resolves with the state to go on with (after a
      // resume, if it was a suspend), or ends the process (terminate).
      state = await sys.handleSystemMsg(self, m, parent, Channels, debug, state);
    } else if (isAllocRequest(m)) {
      sys.handleDebug(debug, format, name, { kind: "in", msg: "alloc", from: m.from });
      const [ch, next] = allocate(state);
      self.send(m.from, { kind: "channel", ref: m.ref, ch } satisfies AllocReply);
      sys.handleDebug(debug, format, name, { kind: "out", msg: ch, to: m.from });
      state = next;
    } else if (isFreeRequest(m)) {
      sys.handleDebug(debug, format, name, { kind: "in", msg: { free: m.ch } });
      state = release(state, m.ch);
    }
    // Anything else is dropped.
  }
}

function allocate(s: State): [number | null, State] {
  if (s.free.length === 0) return [null, s];
  const [ch, ...rest] = s.free;
  return [ch, { allocated: [ch, ...s.allocated], free: rest }];
}

function release(s: State, ch: number): State {
  if (!s.allocated.includes(ch)) return s;
  return { allocated: s.allocated.filter((c) => c !== ch), free: [ch, ...s.free] };
}
