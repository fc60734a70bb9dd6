/**
 * otpkit: Erlang/OTP's process model for TypeScript.
 *
 * The functions exported here act on the *current node*: the default node
 * in scripts, the test's own node under the Jest preset. A process should
 * use its `self` context (`self.send`, `self.link`...), which always acts on
 * its own node and as itself.
 *
 * @module otpkit
 */
import { Node, NodeOptions, createNode, nodeById, nodeFor } from "./node";
import { BadArgError, describe, isInstance } from "./errors";
import type { Body } from "./process";
import type { Handler } from "./handler";
import { Pid, Ref } from "./terms";
import { makeProcLib } from "./proc-lib";
import { makeSys } from "./sys";
import * as gs from "./server-spec";
import { makeGenServer } from "./gen-server";

export { Node, createNode };
export type { NodeOptions, Logger, LogEvent, ProcessInfo } from "./node";
export type { Handler } from "./handler";
export type { Body, Self, SpawnOptions, ReceiveOptions, MonitorOptions } from "./process";
export type { ScheduleMode } from "./scheduler";
export {
  Pid,
  Ref,
  Down,
  Exit,
  TimerMessage,
  TIMEOUT,
  isDown,
  isExit,
  isTimerMessage,
  isPid,
  isRef,
  formatTerm,
  FORMAT_DEPTH,
} from "./terms";
export type { Timeout, MonitorObject } from "./terms";
export { ExitError, BadArgError, formatReason } from "./errors";
export type { Nocatch } from "./errors";

let defaultNode: Node | undefined;
let current: Node | undefined;

/** The node the module-level functions act on. */
export function currentNode(): Node {
  return current ?? (defaultNode ??= createNode());
}

/** Makes `node` the current node (the Jest preset does this per test); `undefined` restores the default. */
export function setCurrentNode(node: Node | undefined): void {
  checkInstanceOrUndefined(node);
  current = node;
}

/** Configures the default node; call before it is first used. */
export function configureDefaultNode(options: NodeOptions): Node {
  if (defaultNode !== undefined)
    throw new Error("configureDefaultNode: the default node is already in use");
  return (defaultNode = createNode(options));
}

function checkInstanceOrUndefined(node: unknown): asserts node is Node | undefined {
  if (node !== undefined && !isInstance(node, Node))
    throw new BadArgError(`setCurrentNode: expected a node or undefined, got ${describe(node)}`);
}

/**
 * The node a pid belongs to (even once its process has gone); null when that
 * node has gone (its pids are all dead); else the current node, which rejects
 * the pid as one of another node.
 */
function nodeOf(pid: unknown): Node | null {
  if (!Pid.is(pid)) return currentNode();
  return nodeFor(pid, () => {
    const n = nodeById(pid.node);
    return n === undefined ? currentNode() : n;
  });
}

/** Spawns a process on the current node; returns its pid at once. */
export function spawn(body: Body): Pid {
  return currentNode().spawn(body);
}

/** Spawns a handler process on the current node: `handler(msg, self)` per message, synchronously. */
export function spawnHandler(handler: Handler): Pid {
  return currentNode().spawnHandler(handler);
}

/** Sends `msg` to a pid, registered name or alias; returns `msg`. */
export function send<M>(to: Pid | string | Ref, msg: M): M {
  const n = nodeOf(to);
  return n === null ? msg : n.send(to, msg);
}

/** Sends an exit signal (`"kill"` cannot be trapped). */
export function exit(pid: Pid, reason: unknown): true {
  const n = nodeOf(pid);
  return n === null ? true : n.exit(pid, reason);
}

/** Is the process alive? */
export function isAlive(pid: Pid): boolean {
  const n = nodeOf(pid);
  return n === null ? false : n.isAlive(pid);
}

/** What a live process is doing (undefined when it is dead). */
export function processInfo(pid: Pid) {
  const n = nodeOf(pid);
  return n === null ? undefined : n.processInfo(pid);
}

/** Registers `pid` under `name`. */
export function register(name: string, pid: Pid): true {
  return currentNode().register(name, pid);
}

/** Frees a registered name. */
export function unregister(name: string): true {
  return currentNode().unregister(name);
}

/** The pid registered as `name`, or undefined. */
export function whereis(name: string): Pid | undefined {
  return currentNode().whereis(name);
}

/** After `ms`, sends `msg` to `dest`; returns a timer ref. */
export function sendAfter(ms: number, dest: Pid | string, msg: unknown): Ref {
  return currentNode().sendAfter(ms, dest, msg);
}

/** After `ms`, sends `{ kind: "timeout", ref, msg }` to `dest`; returns the timer ref. */
export function startTimer(ms: number, dest: Pid | string, msg: unknown): Ref {
  return currentNode().startTimer(ms, dest, msg);
}

/** Cancels a timer: ms left, or false. */
export function cancelTimer(ref: Ref): number | false {
  return currentNode().cancelTimer(ref);
}

/** The ms left on a timer, or false. */
export function readTimer(ref: Ref): number | false {
  return currentNode().readTimer(ref);
}

/** Starting processes the OTP way: synchronous start, initial call and ancestors, crash reports. */
export const procLib = makeProcLib(currentNode);

/** Inspecting and debugging special processes: state, status, suspend/resume, trace, log, statistics, debug functions. */
export const sys = makeSys(currentNode);

/** Typed servers with OTP's semantics: `GenServer.define({...})`, then start, call, cast, stop. */
export const GenServer = makeGenServer(currentNode);

// The result helpers handlers call per message: exported as plain values, not
// re-export getters (a getter call per use shows up in profiles).
/** `{ok, State}`: init succeeded. */
export const ok = gs.ok;
/** `{reply, Reply, State}`. */
export const reply = gs.reply;
/** `{noreply, State}`. */
export const noreply = gs.noreply;
/** `{stop, Reason, State}`, or `{stop, Reason, Reply, State}` with `options.reply`. */
export const stop = gs.stop;
export { ignore, initError, CallMessage, CastMessage } from "./server-spec";
export type {
  ServerSpec,
  ServerModule,
  ServerPid,
  StateOf,
  StartOptions,
  CallOptions,
  CallResult,
  CastResult,
  InitResult,
  ReplyResult,
  NoReplyResult,
  StopResult,
  OkResult,
  Next,
  Request,
  MaybeAsync,
  CallHandler,
  CastHandler,
  ArgOf,
  ArgParams,
  ReplyOf,
  Declared,
} from "./server-spec";
export { From, DEFAULT_TIMEOUT } from "./gen";
export { RequestId, RequestIdCollection, ResponseMessage } from "./requests";
export type { Outcome } from "./requests";
export type { ServerRef, ServerName, ViaRegistry } from "./gen";
export { SystemMessage, isSystemMessage, attachDebug, Debug } from "./sys";
export type {
  SysEvent,
  AnySysEvent,
  GenServerEvent,
  InEvent,
  OutEvent,
  NoreplyEvent,
  ContinueEvent,
  CodeChangeEvent,
  EnterEvent,
  TerminateEvent,
  SysRequest,
  DebugFun,
  DebugOption,
  Statistics,
  Status,
  SpecialProcess,
  EventFormatter,
  SysOptions,
} from "./sys";
export { isQuietReason } from "./proc-lib";
export type { ProcStartOptions } from "./proc-lib";

import { makeSupervisor } from "./supervisor";
/** Supervisors with OTP's semantics: start children, restart them per strategy, shut them down in order. */
export const Supervisor = makeSupervisor(currentNode);
export { SupervisorState, checkChildSpecs } from "./supervisor";
export type {
  Strategy,
  RestartType,
  Shutdown,
  ChildType,
  AutoShutdown,
  SupFlags,
  ChildSpec,
  ChildStartResult,
  SupervisorSpec,
  SupervisorInit,
  SupervisorModule,
  SupervisorDef,
  SupervisorStartOptions,
  SupervisorCallOptions,
  ChildInfo,
  ChildCounts,
  StartedChild,
} from "./supervisor";
