/**
 * Asynchronous requests to a server (OTP's `gen_server:send_request` and
 * friends): send now, collect the reply later, one request or a collection.
 */
import { BadArgError, checkInstance, describe, isInstance } from "./errors";
import { From, ServerRef, whereisServer } from "./gen";
import type { Node } from "./node";
import type { Proc } from "./process";
import { ReplySlot } from "./reply-slot";
import { CallbackSignal } from "./scheduler";
import { Pid, TIMEOUT } from "./terms";

/** How a request ended. */
export type Outcome =
  | {
      /** The server replied. */
      kind: "reply";
      /** The reply. */
      reply: unknown;
    }
  | {
      /** The server terminated (or did not exist) before replying, or the request was abandoned. */
      kind: "error";
      /** The server's exit reason (`noproc` if there was none; `abandoned` for a request `receiveResponse` gave up on). */
      reason: unknown;
      /** The server the request was sent to. */
      server: ServerRef;
    };

/** A reply (or the server's death) for a request sent with `{ caller }`, as it lands in the caller's mailbox. */
export class ResponseMessage {
  /** Tags the message as a response. */
  readonly kind = "$gen_response" as const;
  constructor(
    /** The request it answers. */
    readonly requestId: RequestId,
    /** The reply, or the error if the server terminated first. */
    readonly outcome: Outcome,
  ) {}
}

/** The reply slot of one request; it watches the server for its death (as a call's slot does). */
class RequestSlot extends ReplySlot {
  outcome: Outcome | undefined = undefined;
  abandoned = false;
  waiters: Array<() => void> = [];
  requestId!: RequestId;
  constructor(
    id: number,
    readonly server: ServerRef,
    readonly caller: Proc | null,
  ) {
    super(id, caller?.id ?? 0);
  }
  protected onReply(m: unknown): void {
    this.settle({ kind: "reply", reply: m });
  }
  /** The server terminated (or did not exist) before replying. */
  protected onDown(reason: unknown): void {
    this.settle({ kind: "error", reason, server: this.server });
  }
  private settle(outcome: Outcome): void {
    if (this.caller !== null)
      return this.caller.deliver(new ResponseMessage(this.requestId, outcome));
    this.outcome = outcome;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** The id of a request sent with `sendRequest`. */
export class RequestId {
  #slot: RequestSlot;
  /** @internal Made by `sendRequest`. */
  constructor(
    /** The server the request was sent to. */
    readonly server: ServerRef,
    slot: RequestSlot,
  ) {
    this.#slot = slot;
  }
  /** @internal */
  static slotOf(id: RequestId): RequestSlot {
    return id.#slot;
  }
}

/** A set of request ids with labels (OTP's request-id collection); immutable. */
export class RequestIdCollection {
  constructor(
    /** The request ids, each with its label. */
    readonly entries: ReadonlyMap<RequestId, unknown> = new Map(),
  ) {}
}

/** @internal Sends a request built by `build(from)` to `server`; returns its id at once. */
export function sendRequest(
  node: Node,
  caller: Proc | null,
  server: ServerRef,
  build: (from: From) => unknown,
  fn = "sendRequest",
): RequestId {
  const pid = whereisServer(node, server, fn);
  const slot = new RequestSlot(node.nextEndpointId(), server, caller);
  const id = new RequestId(server, slot);
  slot.requestId = id;
  const target = pid === undefined ? null : Pid.procOf(pid);
  if (target === null || !target.alive) {
    node.scheduler.post(
      pid?.id ?? 0,
      new CallbackSignal(slot.id, () => slot.targetDown("noproc"), {
        signal: "DOWN",
        reason: "noproc",
      }),
      slot.actor,
    );
    return id;
  }
  slot.watch(target);
  node.sendFrom(
    caller?.id ?? node.current?.id ?? 0,
    target.pid,
    build(new From(caller?.pid ?? node.externalPid, node.nextRefId(), slot)),
  );
  return id;
}

function waitSlots(slots: RequestSlot[], timeout: number): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const s of slots) s.waiters = s.waiters.filter((w) => w !== done);
      resolve(true);
    };
    for (const s of slots) s.waiters.push(done);
    if (timeout !== Infinity)
      timer = setTimeout(() => {
        for (const s of slots) s.waiters = s.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeout);
  });
}

function settled(slot: RequestSlot): Outcome | undefined {
  if (slot.abandoned) return { kind: "error", reason: "abandoned", server: slot.server };
  return slot.outcome;
}

/** @internal Waits up to `timeout` ms for the reply; "timeout" keeps the request. A collection gives the first completed, with its label. */
export function waitResponse(
  id: RequestId | RequestIdCollection,
  timeout: number,
  abandonOnTimeout = false,
): ReturnType<typeof waitFor> {
  // Bad arguments throw here, at once (not as a rejection).
  const fn = abandonOnTimeout ? "receiveResponse" : "waitResponse";
  if (!(typeof timeout === "number" && timeout >= 0))
    throw new BadArgError(`${fn}: timeout must be a number >= 0, got ${describe(timeout)}`);
  if (!isInstance(id, RequestIdCollection))
    checkInstance(fn, RequestId, "a request id or a collection", id);
  return waitFor(id, timeout, abandonOnTimeout);
}

async function waitFor(
  id: RequestId | RequestIdCollection,
  timeout: number,
  abandonOnTimeout: boolean,
): Promise<
  | Outcome
  | "timeout"
  | "no_request"
  | {
      /** The outcome of the first request that completed. */
      result: Outcome;
      /** Its label in the collection. */
      label: unknown;
      /** The collection without it. */
      collection: RequestIdCollection;
    }
> {
  if (id instanceof RequestIdCollection) {
    if (id.entries.size === 0) return "no_request";
    const slots = [...id.entries.keys()].map((r) => RequestId.slotOf(r));
    if (slots.some((s) => s.caller !== null))
      throw new BadArgError(
        "waitResponse: a collection of requests sent with { caller } is read with checkResponse",
      );
    for (;;) {
      const i = slots.findIndex((s) => settled(s) !== undefined);
      if (i >= 0) {
        const key = [...id.entries.keys()][i];
        const rest = new Map(id.entries);
        rest.delete(key);
        return {
          result: settled(slots[i])!,
          label: id.entries.get(key),
          collection: new RequestIdCollection(rest),
        };
      }
      if (!(await waitSlots(slots, timeout))) {
        if (abandonOnTimeout) for (const s of slots) abandon(s);
        return "timeout";
      }
    }
  }
  checkInstance("waitResponse", RequestId, "a request id", id);
  const slot = RequestId.slotOf(id);
  if (slot.caller !== null) {
    const p = slot.caller;
    const m = await p.receive((x) => x instanceof ResponseMessage && x.requestId === id, {
      timeout,
    });
    if (m !== TIMEOUT) return (m as ResponseMessage).outcome;
  } else {
    if (settled(slot) !== undefined) return settled(slot)!;
    if (await waitSlots([slot], timeout)) return settled(slot)!;
  }
  if (abandonOnTimeout) abandon(slot);
  return "timeout";
}

function abandon(slot: RequestSlot): void {
  if (slot.outcome !== undefined) return;
  slot.abandoned = true;
  slot.close();
}

/** Classifies one received message: the reply or error of request `id`, or "no_reply". */
export function checkResponse(msg: unknown, id: RequestId): Outcome | "no_reply" {
  checkInstance("checkResponse", RequestId, "a request id", id);
  return msg instanceof ResponseMessage && msg.requestId === id ? msg.outcome : "no_reply";
}

/** Adds `id` with `label` to a collection (a new one); a repeated id is a BadArgError. */
export function reqidsAdd(
  id: RequestId,
  label: unknown,
  collection: RequestIdCollection,
): RequestIdCollection {
  checkInstance("reqidsAdd", RequestId, "a request id", id);
  checkInstance("reqidsAdd", RequestIdCollection, "a request id collection", collection);
  if (collection.entries.has(id))
    throw new BadArgError("reqidsAdd: the request id is already in the collection");
  return new RequestIdCollection(new Map(collection.entries).set(id, label));
}
