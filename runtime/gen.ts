/**
 * The call machinery GenServer, Supervisor and sys share (OTP's `gen.erl`):
 * server names, `From`, and a call that monitors the server, sends the
 * request and waits for the reply, the server's DOWN or the timeout.
 *
 * The reply goes to a slot of its own, never to the caller's mailbox, so a
 * call costs the same whatever the caller's backlog (PP-12), and a late reply
 * after a timeout is dropped (GS-11).
 */
import { BadArgError, ExitError, checkMs, describe } from "./errors";
import type { Node } from "./node";
import type { Proc } from "./process";
import { openPromise, promiseParts } from "./open-promise";
import { ReplySlot } from "./reply-slot";
import { inspect } from "util";
import { Pid, Ref, formatTerm } from "./terms";

/** A module that implements a name registry for `{ via, name }` server names (REG-06). */
export interface ViaRegistry {
  /** Registers `pid` under `name`; false if the name is taken. */
  registerName(name: unknown, pid: Pid): boolean;
  /** Frees `name`. */
  unregisterName(name: unknown): void;
  /** The pid registered under `name`, or undefined. */
  whereisName(name: unknown): Pid | undefined;
}

/** A server name: a registered name, a `{ global }` name or a `{ via }` name. */
export type ServerName =
  | string
  | {
      /** A name in the node's `{ global }` namespace. */
      global: string;
    }
  | {
      /** The registry module that resolves (and registers) `name`. */
      via: ViaRegistry;
      /** The name, as the registry understands it. */
      name: unknown;
    };

/** How to address a server: its pid or its name. */
export type ServerRef = Pid | ServerName;

/** @internal The pid behind a server reference, or undefined. */
export function whereisServer(node: Node, ref: ServerRef, fn = "server"): Pid | undefined {
  if (Pid.is(ref)) {
    if (ref.node !== node.id) node.procOf(fn, ref); // BadArgError: a pid of another node
    return ref;
  }
  if (typeof ref === "string") return node.whereis(ref);
  checkServerName(fn, ref, "server");
  if ("global" in ref) return node.whereisGlobal(ref.global);
  return ref.via.whereisName(ref.name);
}

/**
 * @internal Throws a BadArgError naming `fn` and `what` unless `name` is a server name:
 * a non-empty string, `{ global: string }` or `{ via: registry, name }`
 * (reading a hostile object is a BadArgError too, not its own exception).
 */
export function checkServerName(
  fn: string,
  name: unknown,
  what = "name",
): asserts name is ServerName {
  let ok: boolean;
  try {
    ok =
      (typeof name === "string" && name.length > 0 && name !== "undefined") ||
      (name !== null &&
        typeof name === "object" &&
        (("global" in name &&
          typeof name.global === "string" &&
          name.global.length > 0 &&
          name.global !== "undefined") ||
          ("via" in name &&
            "name" in name &&
            name.via !== null &&
            (typeof name.via === "object" || typeof name.via === "function") &&
            typeof (name.via as Partial<ViaRegistry>).registerName === "function" &&
            typeof (name.via as Partial<ViaRegistry>).unregisterName === "function" &&
            typeof (name.via as Partial<ViaRegistry>).whereisName === "function")));
  } catch {
    ok = false;
  }
  if (!ok)
    throw new BadArgError(
      `${fn}: ${what} must be ${what === "server" ? "a pid, " : ""}a non-empty string, { global: string } or { via: registry, name }, got ${describe(name)}`,
    );
}

/** @internal Registers `pid` under `name`; the current holder if taken. */
export function registerServer(node: Node, name: ServerName, pid: Pid): Pid | undefined {
  const holder = whereisServer(node, name);
  if (holder !== undefined && node.isAlive(holder)) return holder;
  if (typeof name === "string") node.register(name, pid);
  else if ("global" in name) node.registerGlobal(name.global, pid);
  else if (!name.via.registerName(name.name, pid)) return name.via.whereisName(name.name) ?? pid;
  return undefined;
}

/** @internal Frees a server name (used when a start fails). */
export function unregisterServer(node: Node, name: ServerName): void {
  if (typeof name === "string") {
    if (node.whereis(name) !== undefined) node.unregister(name);
  } else if ("global" in name) node.unregisterGlobal(name.global);
  else name.via.unregisterName(name.name);
}

/** @internal Checks a call timeout: a number of ms >= 0, or Infinity. */
export function checkTimeout(fn: string, timeout: unknown): asserts timeout is number {
  checkMs(fn, "timeout", timeout, true);
}

/** @internal The reply slot of one pending call; it watches the server for its death. */
export class CallSlot extends ReplySlot {
  constructor(
    id: number,
    /** The caller: the reply keeps its place among the server's other signals to it. */
    actor: number,
    private readonly resolve: (v: unknown) => void,
    readonly op: string,
    readonly server: ServerRef,
    readonly request: unknown,
    readonly timeout: number,
  ) {
    super(id, actor);
  }
  protected onReply(m: unknown): void {
    this.resolve(m);
  }
  /** The server died before replying (or the deadline passed: `timeout`). */
  protected onDown(reason: unknown): void {
    this.resolve(failInCallerContext(this, reason));
  }
  failure(reason: unknown): ExitError {
    const args = this.args();
    return new ExitError(reason, `${this.op}(${showArgs(this.op, args)})`, args);
  }
  /** The pending call as the caller wrote it, for diagnostics (e.g. `GenServer.call(<0.4.0>, "get")`). */
  describeCall(): string {
    return `${this.op}(${showArgs(this.op, this.args())})`;
  }
  private args(): unknown[] {
    const args = [this.server, this.request];
    if (this.timeout !== DEFAULT_TIMEOUT) args.push(this.timeout);
    return args;
  }
}

/**
 * The failure of a call that was pending, created where V8's async stack
 * traces see the caller: the call's promise is resolved with this one, which
 * rejects two microtasks later, once the call's promise follows it, so the
 * error's stack continues with `at async <the caller>`. Calls that succeed
 * pay nothing for it.
 */
async function failInCallerContext(slot: CallSlot, reason: unknown): Promise<never> {
  await undefined; // the call's promise adopts this one...
  await undefined; // ...and is followed from here
  throw slot.failure(reason);
}

/** A call's arguments as the user wrote them: a GenServer request as its name and argument. */
function showArgs(op: string, args: unknown[]): string {
  const [server, request, ...rest] = args;
  const shown =
    op === "GenServer.call" && isRequest(request)
      ? request.arg === undefined
        ? [server, request.name]
        : [server, request.name, request.arg]
      : [server, request];
  return [...shown, ...rest].map(show).join(", ");
}

function isRequest(x: unknown): x is { name: string; arg: unknown } {
  return x !== null && typeof x === "object" && typeof (x as { name?: unknown }).name === "string";
}

function show(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x);
  try {
    return formatTerm(x);
  } catch {
    return describe(x);
  }
}

/** Who made a call: the caller's pid and the call's unique tag. Pass it to `reply`. */
export class From {
  #slot: ReplySlot;
  /** The tag's number (the Ref itself is made when first asked for: most calls never are). */
  #tagId: number;
  #tag: Ref | null = null;
  /** @internal Made by the call machinery. */
  constructor(
    /** The caller (the node's external pid for a call made outside any process). */
    readonly pid: Pid,
    /** The tag's id, from the caller's node (`node.nextRefId()`). */
    tagId: number,
    slot: ReplySlot,
  ) {
    this.#slot = slot;
    this.#tagId = tagId;
  }
  /** Unique per call. */
  get tag(): Ref {
    return (this.#tag ??= new Ref(this.#tagId, this.pid.node));
  }
  /** Shows the pid and the tag in `util.inspect` (reports, Jest diffs), as the fields they were. */
  [inspect.custom](): string {
    return `From { pid: ${this.pid}, tag: ${this.tag} }`;
  }
  /** @internal Is `x` a From? A brand check: it runs no user code. */
  static is(x: unknown): x is From {
    return typeof x === "object" && x !== null && #slot in x;
  }
  /** @internal */
  static slotOf(f: From): ReplySlot {
    return f.#slot;
  }
}

/** The default call timeout, as OTP: 5000 ms. */
export const DEFAULT_TIMEOUT = 5000;

/** @internal
 * Calls `server`: sends `build(from)` and resolves with the reply, or rejects
 * with an ExitError (`noproc`, `timeout`, the server's exit reason,
 * `calling_self`) naming the call.
 */
export function call(
  node: Node,
  caller: Proc | null,
  op: string,
  server: ServerRef,
  request: unknown,
  build: (from: From, request: unknown) => unknown,
  timeout: number = DEFAULT_TIMEOUT,
): Promise<unknown> {
  checkTimeout(op, timeout);
  const pid = whereisServer(node, server, op);
  const promise = openPromise();
  const { resolve, reject } = promiseParts;
  const actor = caller?.id ?? 0;
  const slot = new CallSlot(node.nextEndpointId(), actor, resolve, op, server, request, timeout);
  if (pid === undefined || (caller !== null && pid === caller.pid)) {
    slot.alive = false;
    reject(slot.failure(pid === undefined ? "noproc" : "calling_self"));
    return promise;
  }
  const target = Pid.procOf(pid);
  if (target === null || !target.alive) {
    slot.alive = false;
    reject(slot.failure("noproc"));
    return promise;
  }
  slot.watch(target);
  const from = new From(caller?.pid ?? node.externalPid, node.nextRefId(), slot);
  node.sendFrom(actor, pid, build(from, request));
  if (timeout !== Infinity && slot.alive) slot.expireAfter(node.deadlines, timeout);
  return promise;
}

/** @internal Sends `value` as the reply to the call `from` (from any process; silent if the caller is gone). */
export function reply(
  node: Node,
  from: From,
  value: unknown,
  /** The replying process's id (default: the behaviour running now, else 0): the reply keeps its place among its signals to the caller. */
  sender: number = node.current?.id ?? 0,
): void {
  if (!From.is(from)) throw new BadArgError(`reply: expected a From, got ${describe(from)}`);
  const slot = From.slotOf(from);
  if (!slot.alive) return;
  node.scheduler.deliver(sender, slot, value);
}
