/**
 * GenServer: a typed behaviour on the runtime, with OTP's semantics and sys
 * events (OTP's `gen_server.erl`).
 *
 * A server is defined once with `GenServer.define({...})`: `init`, one
 * handler per call name in `handleCall`, one per cast name in `handleCast`,
 * and `handleInfo` for every other message. Handlers return typed results
 * built with `reply`, `noreply` and `stop`. The runtime calls the handler for
 * each message, synchronously: no Promise per message (a handler may still
 * be async; the server then waits for it before its next message).
 */
import {
  BadArgError,
  ProcessExit,
  check,
  checkInstance,
  checkOptions,
  describe,
  isInstance,
} from "./errors";
import {
  DEFAULT_TIMEOUT,
  From,
  ServerName,
  ServerRef,
  call as genCall,
  checkServerName,
  checkTimeout,
  reply as genReply,
  whereisServer,
} from "./gen";
import { Node, nodeFor } from "./node";
import { Proc, Self, checkSelf } from "./process";
import { awaitAck, record, stopProcess } from "./proc-lib";
import { link as linkProcs } from "./signals";
import {
  RequestId,
  RequestIdCollection,
  checkResponse,
  reqidsAdd,
  sendRequest,
  waitResponse,
} from "./requests";
import { debugOf } from "./sys";
import { Pid, Ref } from "./terms";
import { ServerLoop } from "./server-loop";
import {
  CallHandler,
  CallMessage,
  CallOptions,
  CastHandler,
  castMessage,
  Declared,
  Next,
  Request,
  ServerModule,
  ServerSpec,
  StartOptions,
} from "./server-spec";

const NO_OPTIONS: CallOptions = Object.freeze({});

/** Builds a call's message (a plain function: no closure per call). */
const callMessage = (from: From, request: unknown) => new CallMessage(from, request as Request);

/** Throws a BadArgError naming `fn` and the option unless `o` is a valid `StartOptions`. */
function checkStartOptions(fn: string, o: unknown): asserts o is StartOptions {
  checkOptions(fn, o);
  const opts = o as StartOptions;
  if (opts.name !== undefined) checkServerName(fn, opts.name, "options.name");
  if (opts.timeout !== undefined) checkTimeout(fn, opts.timeout);
  if (opts.debug !== undefined && !Array.isArray(opts.debug))
    throw new BadArgError(`${fn}: options.debug must be an array, got ${describe(opts.debug)}`);
  if (opts.node !== undefined && !isInstance(opts.node, Node))
    throw new BadArgError(`${fn}: options.node must be a node, got ${describe(opts.node)}`);
}

// ---- the API ----

/** @internal The GenServer API bound to a way to find the current node. */
export function makeGenServer(currentNode: () => Node) {
  function start<S>(
    spec: ServerSpec<S, any, any, any>,
    parent: Proc | null,
    arg: unknown,
    options: StartOptions = {},
    link = false,
    fn = link ? "GenServer.startLink" : "GenServer.start",
  ): Promise<Pid> {
    if (!(spec !== null && typeof spec === "object" && typeof spec.init === "function"))
      throw new BadArgError(`${fn}: spec must be a definition with an init function`);
    checkStartOptions(fn, options);
    const timeout = options.timeout ?? Infinity;
    const node = parent?.node ?? options.node ?? currentNode();
    const p = node.spawnProc(null);
    const loop = new ServerLoop(p, spec, arg, parent?.pid ?? p.pid, options.name);
    p.behaviour = loop;
    record(p, parent, loop.initialCall);
    p.special = true;
    if (options.debug) {
      const d = debugOf(p);
      for (const o of options.debug) d.apply(o);
    } else if (node.recentEvents > 0) debugOf(p);
    if (link && parent !== null) linkProcs(parent, p);
    const started = awaitAck(
      node,
      parent,
      p,
      link ? "GenServer.startLink" : "GenServer.start",
      spec.name ?? "GenServer",
      timeout,
    );
    p.schedule();
    return started as Promise<Pid>;
  }

  function callOpts(o: unknown): CallOptions {
    if (o === undefined) return NO_OPTIONS;
    if (o === null || typeof o !== "object")
      throw new BadArgError(`GenServer.call: options must be an object, got ${describe(o)}`);
    return o as CallOptions;
  }

  /** The caller's node, else the server's if it is a live pid, else the current one. */
  function nodeOf(server: ServerRef, caller?: Self): Node {
    return caller ? caller.node : nodeFor(server, currentNode);
  }

  /** Starts a server monitored by `parent` (OTP's `gen_server:start_monitor`). */
  function startMonitor<S>(
    spec: ServerSpec<S, any, any, any>,
    parent: Proc,
    arg: unknown,
    options?: StartOptions,
  ): Promise<{ pid: Pid; ref: Ref }> {
    // Not async: bad arguments throw at once.
    return start(spec, parent, arg, options, false, "GenServer.startMonitor").then((pid) => ({
      pid,
      ref: parent.monitor(pid),
    }));
  }

  function defineSpec<
    S,
    A,
    C extends Record<string, CallHandler<S>>,
    K extends Record<string, CastHandler<S>>,
  >(spec: ServerSpec<S, A, C, K>): ServerModule<S, A, C, K> {
    check(spec !== null && typeof spec === "object", "GenServer.define: expected a spec object");
    check(typeof spec.init === "function", "GenServer.define: spec.init must be a function");
    for (const k of ["handleCall", "handleCast"] as const) {
      const hs = spec[k];
      if (hs === undefined) continue;
      if (!(hs !== null && typeof hs === "object"))
        throw new BadArgError(`GenServer.define: spec.${k} must be an object of handlers`);
      for (const [n, h] of Object.entries(hs))
        if (typeof h !== "function")
          throw new BadArgError(`GenServer.define: spec.${k}.${n} must be a function`);
    }
    return {
      spec,
      start: (arg, options) => start(spec, null, arg, options),
      startLink: (parent, arg, options) => {
        checkSelf("GenServer.startLink", "parent", parent);
        return start(spec, parent, arg, options, true);
      },
      startMonitor: (parent, arg, options) => {
        checkSelf("GenServer.startMonitor", "parent", parent);
        return startMonitor(spec, parent, arg, options);
      },
      // Plain parameters, not rest arrays: no allocation per message.
      call: ((server: ServerRef, name: string, arg?: unknown, options?: CallOptions) =>
        api.call(server, name, arg, callOpts(options))) as never,
      cast: ((server: ServerRef, name: string, arg?: unknown, options?: { caller?: Self }) =>
        api.cast(server, name, arg, options)) as never,
    };
  }

  /**
   * Defines a server; returns its typed start/call/cast functions. With no
   * argument, `define<State>()` returns the same function with the state
   * declared, so every handler gets its parameters' types from it:
   * `GenServer.define<Counter>()({ init: () => ok({ n: 0 }), handleCall: { get: (_arg: void, _from, s) => reply(s.n, s) } })`.
   */
  function define<S>(): <
    A,
    C extends Record<string, CallHandler<S>>,
    K extends Record<string, CastHandler<S>>,
  >(
    spec: ServerSpec<S, A, C, K>,
  ) => ServerModule<S, A, Declared<C>, Declared<K>>;
  function define<
    S,
    A,
    C extends Record<string, CallHandler<S>> = Record<never, never>,
    K extends Record<string, CastHandler<S>> = Record<never, never>,
  >(spec: ServerSpec<S, A, C, K>): ServerModule<S, A, C, K>;
  function define(...args: unknown[]): unknown {
    if (args.length === 0) return defineSpec;
    return defineSpec(args[0] as ServerSpec<unknown, unknown, never, never>);
  }

  const api = {
    define,
    /** Starts an unlinked server from a spec. */
    start: <S>(spec: ServerSpec<S, any, any, any>, arg: unknown, options?: StartOptions) =>
      start(spec, null, arg, options),
    /** Starts a server linked to `parent`. */
    startLink: <S>(
      spec: ServerSpec<S, any, any, any>,
      parent: Self,
      arg: unknown,
      options?: StartOptions,
    ) => {
      checkSelf("GenServer.startLink", "parent", parent);
      return start(spec, parent, arg, options, true);
    },
    /** Calls handler `name` of `server` (untyped; prefer the defined module's `call`). */
    call(
      server: ServerRef,
      name: string,
      arg?: unknown,
      options: CallOptions = NO_OPTIONS,
    ): Promise<unknown> {
      if (typeof name !== "string")
        throw new BadArgError(`GenServer.call: name must be a string, got ${describe(name)}`);
      checkOptions("GenServer.call", options);
      checkSelf("GenServer.call", "options.caller", options.caller, true);
      const caller = (options.caller as Proc | undefined) ?? null;
      const node = nodeOf(server, options.caller);
      const request: Request = { name, arg };
      return genCall(
        node,
        caller ?? node.current,
        "GenServer.call",
        server,
        request,
        callMessage,
        options.timeout ?? DEFAULT_TIMEOUT,
      );
    },
    /** Casts to handler `name` of `server`; "ok" at once, even if there is no such server (GS-17). */
    cast(server: ServerRef, name: string, arg?: unknown, options?: { caller?: Self }): "ok" {
      if (typeof name !== "string")
        throw new BadArgError(`GenServer.cast: name must be a string, got ${describe(name)}`);
      if (options !== undefined) checkOptions("GenServer.cast", options);
      const caller = options?.caller as Proc | undefined;
      if (caller === undefined && Pid.is(server)) {
        // The common case, kept short: a pid, from a behaviour or from outside.
        const p = Pid.procOf(server);
        if (p !== null) {
          const from = p.node.current;
          if (from !== null && from.node !== p.node) from.node.procOf("GenServer.cast", server);
          p.node.sendFrom(from?.id ?? 0, server, castMessage(name, arg));
        }
        return "ok";
      }
      checkSelf("GenServer.cast", "options.caller", caller, true);
      const node = nodeOf(server, caller);
      const pid = whereisServer(node, server, "GenServer.cast");
      if (pid === undefined) return "ok";
      node.sendFrom(caller?.id ?? node.current?.id ?? 0, pid, castMessage(name, arg));
      return "ok";
    },
    /** Sends call `name` to `server` without waiting; collect the reply with `waitResponse` / `receiveResponse`. */
    sendRequest(
      server: ServerRef,
      name: string,
      arg?: unknown,
      options: { caller?: Self } = {},
    ): RequestId {
      if (typeof name !== "string")
        throw new BadArgError(
          `GenServer.sendRequest: name must be a string, got ${describe(name)}`,
        );
      checkOptions("GenServer.sendRequest", options);
      checkSelf("GenServer.sendRequest", "options.caller", options.caller, true);
      const caller = (options.caller as Proc | undefined) ?? null;
      const request: Request = { name, arg };
      return sendRequest(
        nodeOf(server, options.caller),
        caller,
        server,
        (from) => new CallMessage(from, request),
        "GenServer.sendRequest",
      );
    },
    /** Waits up to `timeout` ms for a request's reply: the outcome, or "timeout" (the request is kept). */
    waitResponse: (id: RequestId | RequestIdCollection, timeout: number) =>
      waitResponse(id, timeout),
    /** As `waitResponse`, but a timeout abandons the request (a late reply is dropped). */
    receiveResponse: (id: RequestId | RequestIdCollection, timeout: number) =>
      waitResponse(id, timeout, true),
    /** Classifies a message received by a `{ caller }` of `sendRequest`: its outcome, or "no_reply". */
    checkResponse,
    /** An empty request-id collection. */
    reqidsNew: () => new RequestIdCollection(),
    /** A collection with `id` added under `label` (BadArgError if it is there already). */
    reqidsAdd,
    /** How many requests the collection holds. */
    reqidsSize: (c: RequestIdCollection) => {
      checkInstance("GenServer.reqidsSize", RequestIdCollection, "a request id collection", c);
      return c.entries.size;
    },
    /** The collection as `[id, label]` pairs. */
    reqidsToList: (c: RequestIdCollection) => {
      checkInstance("GenServer.reqidsToList", RequestIdCollection, "a request id collection", c);
      return [...c.entries];
    },
    /** Replies to a call whose handler returned `noreply` (from any process). */
    reply(from: From, value: unknown): void {
      if (!isInstance(from, From))
        throw new BadArgError(`GenServer.reply: expected a From, got ${describe(from)}`);
      genReply(currentNode(), from, value);
    },
    /**
     * Stops `server` with `reason` (default "normal"): runs its `terminate`,
     * resolves "ok" once it is dead; rejects `noproc` if there is none (GS-28).
     */
    stop(server: ServerRef, reason: unknown = "normal", timeout = Infinity): Promise<"ok"> {
      return stopProcess(nodeOf(server), server, reason, timeout, "GenServer.stop");
    },
    /**
     * Turns the calling procLib process into a server with `state` (GS-08);
     * the returned promise never settles (the body is over).
     */
    enterLoop<S>(
      self: Self,
      spec: ServerSpec<S, any, any, any>,
      state: S,
      options: { name?: ServerName } & Next = {},
    ): Promise<never> {
      checkSelf("GenServer.enterLoop", "self", self);
      if (!(spec !== null && typeof spec === "object"))
        throw new BadArgError(
          `GenServer.enterLoop: spec must be a definition, got ${describe(spec)}`,
        );
      checkOptions("GenServer.enterLoop", options);
      if (options.name !== undefined) checkServerName("GenServer.enterLoop", options.name);
      const p = self;
      if (p.initialCall === undefined) throw new ProcessExit("process_was_not_started_by_proc_lib");
      if (options.name !== undefined && whereisServer(p.node, options.name) !== p.pid) {
        const n = options.name;
        throw new ProcessExit(
          typeof n === "string"
            ? "process_not_registered"
            : "global" in n
              ? "process_not_registered_globally"
              : { process_not_registered_via: n.via },
        );
      }
      const ancestors = p.ancestors ?? [];
      const parentName = ancestors[0];
      const parent = Pid.is(parentName)
        ? parentName
        : typeof parentName === "string"
          ? (p.node.whereis(parentName) ?? p.pid)
          : p.pid;
      const loop = new ServerLoop(p, spec, undefined, parent, options.name);
      p.special = true;
      p.behaviour = loop;
      loop.enter(state, options);
      p.schedule();
      return new Promise<never>(() => {});
    },
  };
  return api;
}
