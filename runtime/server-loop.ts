/**
 * The server loop: the behaviour object that runs one GenServer's callbacks
 * per message, synchronously (no Promise per message), reports its sys
 * events, answers system messages, and terminates as OTP's `gen_server`
 * does. The API (gen-server.ts) starts it; holdAt's hold points live here,
 * reached through the testing hooks.
 */
import { ProcessExit, formatReason, isInstance, isThenable, reasonOf, stackSuffix } from "./errors";
import { From, ServerName, reply as genReply, registerServer, unregisterServer } from "./gen";
import { Proc } from "./process";
import { ackStart, crashReport, failStart, isQuietReason } from "./proc-lib";
import {
  Debug,
  GenServerEvent,
  SystemHost,
  SystemMessage,
  answerSystem,
  formatStatusCrashed,
  reportEvent,
} from "./sys";
import { Exit, Pid } from "./terms";
import {
  CallMessage,
  CallResult,
  CastMessage,
  CastResult,
  InitResult,
  Next,
  ServerSpec,
  StopResult,
} from "./server-spec";

const TIMEOUT_MSG = "timeout";

/** Formats GenServer events for trace and log (SYS-14). */
function formatEvent(e: GenServerEvent, name: unknown): string {
  const n = String(name);
  switch (e.kind) {
    case "in": {
      const m = e.msg;
      if (m instanceof CallMessage)
        return `*DBG* ${n} got call ${formatReason(m.request)} from ${m.from.pid}`;
      if (m instanceof CastMessage) return `*DBG* ${n} got cast ${formatReason(m.request)}`;
      return `*DBG* ${n} got ${formatReason(m)}`;
    }
    case "out":
      return `*DBG* ${n} sent ${formatReason(e.msg)} to ${String(e.to)}, new state ${formatReason(e.state)}`;
    case "noreply":
      return `*DBG* ${n} new state ${formatReason(e.state)}`;
    case "continue":
      return `*DBG* ${n} continue ${formatReason(e.continue)}`;
  }
}

/** Bits of `ServerLoop.flags`. */
const STARTED = 1;
const ACKED = 2;
const TERMINATING = 4;
const SUSPENDED = 8;
const BLOCKED = 16;
const HAS_CONT = 32;
const TIMEOUT_DUE = 64;
const HOLD_NEXT = 128;
const HELD = 256;

/** `Name.init`, made once per definition (not a string per server). */
const initialCalls = new WeakMap<object, string>();
function initialCallOf(spec: { name?: string }): string {
  let s = initialCalls.get(spec);
  if (s === undefined) initialCalls.set(spec, (s = `${spec.name ?? "GenServer"}.init`));
  return s;
}

/** @internal The behaviour object of one running server. */
export class ServerLoop<S> implements SystemHost {
  state!: S;
  /** Its nine booleans in one field (a started server is smaller by eight fields). */
  private flags = 0;
  private cont: unknown = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timeoutMs = 0;
  private lastMsg: unknown = undefined;
  /** holdAt: what to do on release. */
  private parked: (() => void) | null = null;

  constructor(
    readonly p: Proc,
    readonly spec: ServerSpec<S, any, any, any>,
    private arg: unknown,
    readonly parent: Pid,
    private readonly serverName: ServerName | undefined,
  ) {}

  get module(): string {
    return this.spec.name ?? "GenServer";
  }
  /** procLib's initial call, `Name.init` (the process shows it without storing it). */
  get initialCall(): string {
    return initialCallOf(this.spec);
  }
  get behaviour(): string {
    return "gen_server";
  }

  private flag(bit: number): boolean {
    return (this.flags & bit) !== 0;
  }
  private setFlag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }
  private get started(): boolean {
    return this.flag(STARTED);
  }
  private set started(v: boolean) {
    this.setFlag(STARTED, v);
  }
  /** init returned ok and the starter was told. */
  private get acked(): boolean {
    return this.flag(ACKED);
  }
  private set acked(v: boolean) {
    this.setFlag(ACKED, v);
  }
  /** terminate() has begun: a crash now ends the process at once. */
  private get terminating(): boolean {
    return this.flag(TERMINATING);
  }
  private set terminating(v: boolean) {
    this.setFlag(TERMINATING, v);
  }
  private get suspended(): boolean {
    return this.flag(SUSPENDED);
  }
  private set suspended(v: boolean) {
    this.setFlag(SUSPENDED, v);
  }
  private get blocked(): boolean {
    return this.flag(BLOCKED);
  }
  private set blocked(v: boolean) {
    this.setFlag(BLOCKED, v);
  }
  private get hasCont(): boolean {
    return this.flag(HAS_CONT);
  }
  private set hasCont(v: boolean) {
    this.setFlag(HAS_CONT, v);
  }
  /** @internal A timeout result has fired and waits for its turn (read by the deadlock check). */
  get timeoutDue(): boolean {
    return this.flag(TIMEOUT_DUE);
  }
  private set timeoutDue(v: boolean) {
    this.setFlag(TIMEOUT_DUE, v);
  }
  /** holdAt: hold after the next event. */
  private get holdNext(): boolean {
    return this.flag(HOLD_NEXT);
  }
  private set holdNext(v: boolean) {
    this.setFlag(HOLD_NEXT, v);
  }
  /** holdAt: held. */
  private get held(): boolean {
    return this.flag(HELD);
  }
  private set held(v: boolean) {
    this.setFlag(HELD, v);
  }

  /** The name in debug events: the registered name, else the pid. */
  get name(): unknown {
    const n = this.serverName;
    return n ?? this.p.pid;
  }

  run(p: Proc): void {
    const node = p.node;
    const prev = node.current;
    node.current = p;
    try {
      if (!this.started) return this.init();
      let budget = node.scheduler.random ? 1 : 1024;
      const mb = p.mailbox;
      while (budget-- > 0 && p.alive && !this.blocked) {
        if (this.hasCont) {
          this.runContinue();
          continue;
        }
        let m: unknown;
        if (this.suspended) {
          const i = mb.find(
            (x) => x instanceof SystemMessage || (x instanceof Exit && x.from === this.parent),
          );
          if (i < 0) break;
          m = mb.takeAt(i);
        } else if (mb.length > 0) m = mb.shift();
        else if (this.timeoutDue) {
          this.timeoutDue = false;
          m = TIMEOUT_MSG;
        } else break;
        this.dispatch(m);
      }
    } finally {
      node.current = prev;
    }
    if (
      p.alive &&
      !this.blocked &&
      (this.hasCont || this.timeoutDue || (p.mailbox.length > 0 && !this.suspended))
    )
      p.schedule();
    else if (p.alive && this.suspended && p.mailbox.find((x) => x instanceof SystemMessage) >= 0)
      p.schedule();
  }

  // -- init --

  private init(): void {
    this.started = true;
    const p = this.p;
    if (this.serverName !== undefined) {
      let holder: Pid | undefined;
      try {
        holder = registerServer(p.node, this.serverName, p.pid);
      } catch (e) {
        // A via registry that throws: the start fails with what it threw.
        failStart(p, reasonOf(e));
        return p.node.terminate(p, "normal");
      }
      if (holder !== undefined) {
        failStart(p, { already_started: holder });
        return p.node.terminate(p, "normal");
      }
    }
    let r: unknown;
    const arg = this.arg;
    this.arg = undefined; // not kept for the server's life
    try {
      r = this.spec.init.call(p, arg as never);
    } catch (e) {
      if (isInstance(e, Error) || isInstance(e, ProcessExit))
        return this.initFailed(reasonOf(e), reasonOf(e));
      r = e; // a thrown value is the return value (GS-05)
    }
    if (!isThenable(r)) return this.initResult(r);
    // An async init that rejects fails the start as a synchronous throw would (GS-05).
    this.settle(
      r,
      (v) => this.initResult(v),
      (e) =>
        isInstance(e, Error) || isInstance(e, ProcessExit)
          ? this.initFailed(reasonOf(e), reasonOf(e))
          : this.initResult(e),
    );
  }

  private initResult(r: unknown): void {
    const p = this.p;
    const res = r as InitResult<S>;
    switch (res?.type) {
      case "ok":
        this.state = res.state;
        this.acked = true;
        ackStart(p, p.pid);
        return this.next(res);
      case "ignore":
        return this.initFailed("ignore", "normal");
      case "stop":
        return this.initFailed(res.reason, res.reason);
      case "error":
        return this.initFailed(res.error, "normal");
      default:
        return this.initFailed({ bad_return_value: r }, { bad_return_value: r });
    }
  }

  private initFailed(startReason: unknown, exitReason: unknown): void {
    const p = this.p;
    if (
      this.serverName !== undefined &&
      typeof this.serverName === "object" &&
      "via" in this.serverName
    )
      unregisterServer(p.node, this.serverName);
    if (!isQuietReason(exitReason))
      crashReport(p, exitReason, isInstance(exitReason, Error) ? "error" : "exit");
    // The start fails once the process is gone, so the name is free when it returns (GS-02, GS-03).
    failStart(p, startReason);
    p.node.terminate(p, exitReason);
  }

  // -- messages --

  private dispatch(m: unknown): void {
    if (m instanceof SystemMessage) return this.system(m);
    const p = this.p;
    if (m instanceof Exit && m.from === this.parent && p.trapExit)
      return this.terminate(m.reason, m);
    this.cancelTimeout();
    this.lastMsg = m;
    if (this.p.debug !== null) this.emit({ kind: "in", msg: m });
    if (this.held) {
      this.parked = () => this.handle(m);
      return;
    }
    this.handle(m);
  }

  private handle(m: unknown): void {
    const p = this.p;
    if (m instanceof CallMessage) return this.handleCall(m);
    const spec = this.spec;
    let r: unknown;
    try {
      if (m instanceof CastMessage) {
        const h = spec.handleCast?.[m.name];
        if (h === undefined) throw undef("handleCast", m.name);
        r = h.call(p, m.arg, this.state);
      } else if (spec.handleInfo === undefined) {
        p.node.log({
          level: "warning",
          kind: "undefined_handle_info",
          pid: p.pid,
          text: `** Undefined handleInfo in ${this.module}\n** Unhandled message: ${formatReason(m)}`,
          data: { msg: m },
        });
        return;
      } else r = spec.handleInfo.call(p, m, this.state);
    } catch (e) {
      return this.crash(e);
    }
    if (!isThenable(r)) return this.noreplyResult(r);
    this.settle(r, (v) => this.noreplyResult(v));
  }

  private handleCall(m: CallMessage): void {
    const p = this.p;
    let r: unknown;
    try {
      const h = this.spec.handleCall?.[m.request.name];
      if (h === undefined) throw undef("handleCall", m.request.name);
      r = h.call(p, m.request.arg, m.from, this.state);
    } catch (e) {
      return this.crash(e);
    }
    if (!isThenable(r)) return this.callResult(r, m.from);
    this.settle(r, (v) => this.callResult(v, m.from));
  }

  private callResult(r: unknown, from: From): void {
    const res = r as CallResult<S, unknown>;
    if (res?.type === "reply") {
      this.state = res.state;
      genReply(this.p.node, from, res.reply);
      if (this.p.debug !== null)
        this.emit({ kind: "out", msg: res.reply, to: from.pid, state: res.state });
      return this.next(res);
    }
    if (res?.type === "stop" && "reply" in res) {
      if (res.state !== undefined) this.state = res.state;
      return this.terminate(res.reason, this.lastMsg, res, from);
    }
    this.noreplyResult(r);
  }

  private noreplyResult(r: unknown): void {
    const res = r as CastResult<S>;
    if (res?.type === "noreply") {
      this.state = res.state;
      if (this.p.debug !== null) this.emit({ kind: "noreply", state: res.state });
      return this.next(res);
    }
    if (res?.type === "stop") {
      if ("state" in res && res.state !== undefined) this.state = res.state;
      return this.terminate(res.reason, this.lastMsg);
    }
    this.crash(new ProcessExit({ bad_return_value: r }));
  }

  /**
   * Runs `then` on a handler's result, now if it is a value, later if it is a
   * promise (`fail` on a rejection; default: the server crashes). The message
   * handlers test for a promise first, so a plain result costs no closure.
   */
  private settle(r: unknown, then: (v: unknown) => void, fail?: (e: unknown) => void): void {
    if (!isThenable(r)) return then(r);
    this.blocked = true;
    r.then(
      (v) => this.resume(() => then(v)),
      (e) => this.resume(() => (fail === undefined ? this.crash(e) : fail(e))),
    );
  }

  private resume(f: () => void): void {
    const p = this.p;
    if (!p.alive) return;
    this.blocked = false;
    const node = p.node;
    const prev = node.current;
    node.current = p;
    p.contain(() => {
      try {
        f();
      } finally {
        node.current = prev;
      }
    });
    if (p.alive && !this.blocked) p.schedule();
  }

  /** `enterLoop`: runs as if `init` had returned `state` with `next`. */
  enter(state: S, next: Next): void {
    this.started = true;
    this.state = state;
    this.next(next);
  }

  private next(r: Next): void {
    if (r.continue !== undefined) {
      this.hasCont = true;
      this.cont = r.continue;
    } else if (typeof r.timeout === "number") this.armTimeout(r.timeout);
  }

  private runContinue(): void {
    const p = this.p;
    const c = this.cont;
    this.hasCont = false;
    this.cont = undefined;
    let r: unknown;
    try {
      if (this.spec.handleContinue === undefined) throw undef("handleContinue", "");
      r = this.spec.handleContinue.call(p, c, this.state);
    } catch (e) {
      return this.crash(e);
    }
    this.settle(r, (v) => {
      this.emit({ kind: "continue", continue: c });
      this.noreplyResult(v);
    });
  }

  /** Reports an event to the debug state; a pending hold (holdAt) takes effect right after it. */
  private emit(event: GenServerEvent): void {
    const debug = this.p.debug;
    if (debug === null || !debug.active) return;
    reportEvent(debug, formatEvent, this.name, event);
    if (this.holdNext) {
      this.holdNext = false;
      this.held = true;
      this.blocked = true;
    }
  }

  /** @internal The process terminated: its pending timeout goes too. */
  stop(): void {
    this.cancelTimeout();
  }

  /** @internal Holds the server right after its next event (called from a debug function). */
  hold(): void {
    this.holdNext = true;
  }

  /** @internal Lets a held server go on where it stopped. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const f = this.parked;
    this.parked = null;
    this.resume(f ?? (() => {}));
  }

  // -- timeouts (GS-22, GS-23) --

  private armTimeout(ms: number): void {
    this.timeoutMs = ms;
    if (ms === 0) {
      if (this.p.mailbox.length === 0) this.timeoutDue = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.p.alive) return;
      this.timeoutDue = true;
      this.p.schedule();
    }, ms);
  }

  private cancelTimeout(): void {
    this.timeoutDue = false;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  // -- sys --

  private system(m: SystemMessage): void {
    const restart = this.timer !== undefined;
    const action = answerSystem(this.p, this, this.parent, this.suspended, m);
    if (action === "suspend") this.suspended = true;
    else if (action === "resume") this.suspended = false;
    else if (typeof action === "object") return this.terminate(action.terminate, m);
    if (restart) {
      // The wait restarts from the system message (GS-23).
      clearTimeout(this.timer);
      this.armTimeout(this.timeoutMs);
    }
  }

  getState(): unknown {
    return this.state;
  }

  replaceState(fn: (state: any) => unknown): unknown {
    this.state = fn(this.state) as S;
    return this.state;
  }

  statusMisc(sysState: "running" | "suspended", parent: Pid, debug: Debug): unknown {
    return [
      { header: `Status for generic server ${String(this.name)}` },
      {
        data: [
          ["Status", sysState],
          ["Parent", parent],
          ["Logged events", (debug.log?.entries ?? []).map((e) => e.event)],
        ],
      },
      { data: [["State", this.formattedState()]] },
    ];
  }

  codeChange(oldVsn: unknown, extra: unknown): void {
    if (this.spec.codeChange === undefined) throw { undef: `${this.module}.codeChange` };
    this.state = this.spec.codeChange(oldVsn, this.state, extra);
  }

  private formattedState(): unknown {
    if (this.spec.formatStatus === undefined) return this.state;
    try {
      return this.spec.formatStatus(this.state);
    } catch {
      // OTP's placeholder, never the raw state formatStatus was written to hide (gen_server_SUITE:crash_in_format_status).
      return formatStatusCrashed(this.module);
    }
  }

  // -- termination --

  /** @internal An exception escaped a callback (or the loop itself): before the ack the start fails with it, after it the server terminates. */
  crash(e: unknown): void {
    if (this.terminating) return this.p.node.terminate(this.p, reasonOf(e));
    if (!this.acked) return this.initFailed(reasonOf(e), reasonOf(e));
    this.terminate(reasonOf(e), this.lastMsg);
  }

  /** Runs `terminate`, reports, replies for `{stop, R, Reply, S}`, then exits (GS-30, GS-32, GS-33). */
  private terminate(
    reason: unknown,
    lastMsg: unknown,
    stopReply?: StopResult<S, unknown>,
    from?: From,
  ): void {
    const p = this.p;
    this.terminating = true;
    this.cancelTimeout();
    let r: unknown = undefined;
    let final = reason;
    if (this.spec.terminate !== undefined) {
      try {
        r = this.spec.terminate.call(p, reason, this.state);
      } catch (e) {
        final = reasonOf(e);
      }
    }
    const finish = () => {
      if (stopReply !== undefined && from !== undefined) {
        genReply(p.node, from, stopReply.reply);
        const debug = p.debug;
        if (debug !== null && debug.active)
          reportEvent(debug, formatEvent, this.name, {
            kind: "out",
            msg: stopReply.reply,
            to: from.pid,
            state: this.state,
          });
      }
      if (!isQuietReason(final)) this.report(final, lastMsg);
      p.node.terminate(p, final);
    };
    if (isThenable(r)) {
      this.blocked = true;
      r.then(
        () => this.resume(finish),
        (e) => {
          final = reasonOf(e);
          this.resume(finish);
        },
      );
    } else finish();
  }

  private report(reason: unknown, lastMsg: unknown): void {
    const p = this.p;
    const client = lastMsg instanceof CallMessage ? lastMsg.from.pid : undefined;
    const text =
      `** Generic server ${String(this.name)} terminating\n** Last message in was ${formatReason(lastMsg)}\n` +
      `** When Server state == ${formatReason(this.formattedState())}\n** Reason for termination ==\n** ${formatReason(reason)}` +
      (client ? `\n** Client ${client}` : "") +
      stackSuffix(reason);
    p.node.log({
      level: "error",
      kind: "gen_server_terminate",
      pid: p.pid,
      text,
      data: { name: this.name, lastMsg, state: this.formattedState(), reason, client },
    });
    crashReport(p, reason, isInstance(reason, Error) ? "error" : "exit");
  }
}

function undef(callback: string, name: string): ProcessExit {
  return new ProcessExit({ undef: name ? `${callback}.${name}` : callback });
}
