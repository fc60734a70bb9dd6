/**
 * Supervisor: a GenServer-based behaviour that starts, watches and restarts
 * child processes (OTP's `supervisor.erl`).
 *
 * ```ts
 * const sup = await Supervisor.startLink(self, () => ({
 *   flags: { strategy: "one_for_one", intensity: 3, period: 5 },
 *   children: [{ id: "db", start: (sup) => Db.startLink(sup, opts) }],
 * }));
 * ```
 *
 * `init` (or a static `{ flags, children }` object) gives the flags and the
 * child specs; static children are started in order, each synchronously,
 * before `start` resolves. The supervisor traps exits, restarts children per
 * their restart type and the strategy, and gives up (terminating every child
 * in reverse start order, then exiting `shutdown`) when more than `intensity`
 * restarts happen within `period` seconds. Shutdown waits are done with a
 * monitor and a selective receive inside async callbacks, so they never block
 * the JS thread (the supervisor just handles no other message meanwhile, as
 * in OTP).
 *
 * **Result convention** (the same as GenServer's): every API function
 * resolves with the success value and rejects with an `ExitError` whose
 * `reason` is OTP's error term for an `{error, Reason}` outcome.
 *
 * - `startChild` / `restartChild` resolve with the child's pid; with
 *   `{ pid, info }` when the child's `start` resolved with one (OTP's
 *   `{ok, Pid, Info}`); with `undefined` when the child ignored its start.
 *   They reject with reason `{ already_started: pid }`, `"already_present"`,
 *   `"running"`, `"restarting"`, `"not_found"`, `"simple_one_for_one"`, a
 *   child-spec error (`{ invalid_restart_type: x }`, ...), or the child's own
 *   start failure reason.
 * - `terminateChild` / `deleteChild` resolve `"ok"`; reject `"not_found"`,
 *   `"running"`, `"restarting"`, `"simple_one_for_one"`.
 * - A call to a supervisor that does not exist rejects as a GenServer call
 *   does (reason `"noproc"`); calls wait forever otherwise (SUP-26).
 * - A failed `start`/`startLink` rejects with an `ExitError` whose reason is
 *   OTP's (`"ignore"`, `{ supervisor_data: ... }`, `{ start_spec: ... }`,
 *   `{ bad_start_spec: specs }`, `{ bad_return: ... }`,
 *   `{ shutdown: { failed_to_start_child: [id, reason] } }`, or the Error
 *   `init` threw); a trapping `startLink` caller gets no `EXIT` afterwards.
 * - `checkChildSpecs(specs)` is synchronous: `"ok"` or `{ error: reason }`.
 *
 * Children's termination and start errors are reported through the node's
 * logger with kind `"supervisor_report"` (`data.errorContext` is
 * `child_terminated`, `start_error`, `shutdown_error` or `shutdown`).
 */
import { BadArgError, ExitError, checkOptions, describe, formatReason, reasonOf } from "./errors";
import { ServerName, ServerRef, checkServerName } from "./gen";
import { makeGenServer } from "./gen-server";
import {
  InitResult,
  MaybeAsync,
  ServerSpec,
  ignore,
  noreply,
  ok,
  reply,
  stop,
} from "./server-spec";
import type { Node } from "./node";
import { Proc, Self, checkSelf } from "./process";
import { isQuietReason } from "./proc-lib";
import { Down, Exit, Pid, TIMEOUT } from "./terms";

// ---- specs ----

/** How children are restarted. */
export type Strategy = "one_for_one" | "one_for_all" | "rest_for_one" | "simple_one_for_one";
/** When a child is restarted: always, after an abnormal exit only, or never. */
export type RestartType = "permanent" | "transient" | "temporary";
/** How a child is stopped: `kill` at once, `shutdown` then `kill` after N ms, or `shutdown` and wait. */
export type Shutdown = "brutal_kill" | "infinity" | number;
/** A child's type. */
export type ChildType = "worker" | "supervisor";
/** When the supervisor stops by itself after significant children exit (OTP 24). */
export type AutoShutdown = "never" | "any_significant" | "all_significant";

/** Supervisor flags; unknown keys are ignored. */
export interface SupFlags {
  /** Default `one_for_one`. */
  strategy?: Strategy;
  /** Max restarts within `period` (default 1). */
  intensity?: number;
  /** Seconds (default 5). */
  period?: number;
  /** Default `never`. */
  autoShutdown?: AutoShutdown;
}

/** What a child's `start` resolves with: its pid, `{ pid, info }`, or `"ignore"`. */
export type ChildStartResult =
  | Pid
  | {
      pid: Pid;
      /** Extra information, returned by `startChild` / `restartChild` (OTP's `{ok, Pid, Info}`). */
      info: unknown;
    }
  | "ignore";

/** A child specification. */
export interface ChildSpec {
  /** Unique among the supervisor's children. */
  id: string;
  /**
   * Starts the child linked to the supervisor, e.g. `(sup) => Worker.startLink(sup, arg)`;
   * a rejection with an `ExitError` is a start failure with its reason (`"ignore"`: ignored).
   * Under `simple_one_for_one`, `startChild(sup, extraArgs)` appends `extraArgs`.
   */
  start: (sup: Self, ...extraArgs: any[]) => Promise<ChildStartResult> | ChildStartResult;
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default 5000 (ms) for workers, `infinity` for supervisors. */
  shutdown?: Shutdown;
  /** Default `worker`. */
  type?: ChildType;
  /** Allowed for transient and temporary children with `autoShutdown` other than `never`. */
  significant?: boolean;
  /** Default `[id]`. */
  modules?: string[] | "dynamic";
}

/** What `init` returns: flags and child specs. */
export interface SupervisorSpec {
  /** The supervisor flags (default: `one_for_one`, at most 1 restart in 5 seconds). */
  flags?: SupFlags;
  /** The child specs, started in order; under `simple_one_for_one`, exactly one: the template. */
  children: ChildSpec[];
}

/** A supervisor's `init`: runs in the supervisor (`this`), returns its spec or `"ignore"`. */
export type SupervisorInit<A = unknown> = (
  this: Self,
  arg: A,
) => MaybeAsync<SupervisorSpec | "ignore">;

/** A named supervisor module. */
export interface SupervisorModule<A = unknown> {
  /** The name in statuses and reports (default "Supervisor"). */
  name?: string;
  /** Returns the supervisor's flags and child specs (or `"ignore"`). */
  init: SupervisorInit<A>;
}

/** Options for starting a supervisor. */
export interface SupervisorStartOptions {
  /** Register under this name (local, `{ global }` or `{ via, name }`). */
  name?: ServerName;
  /** The node to start on when starting from outside any process. */
  node?: Node;
}

/** Options for the API calls. */
export interface SupervisorCallOptions {
  /** The calling process, when calling from a function process. */
  caller?: Self;
}

/** One entry of `whichChildren`. */
export interface ChildInfo {
  /** `undefined` for the children of a `simple_one_for_one` supervisor. */
  id: string | undefined;
  /** The child's pid; `undefined` if it is not running, `"restarting"` while a restart is pending. */
  pid: Pid | undefined | "restarting";
  /** `worker` or `supervisor`. */
  type: ChildType;
  /** Its spec's `modules`. */
  modules: string[] | "dynamic";
}

/** `countChildren`. */
export interface ChildCounts {
  /** The number of child specs (1 under `simple_one_for_one`). */
  specs: number;
  /** The number of running children. */
  active: number;
  /** The number of children of type `supervisor`. */
  supervisors: number;
  /** The number of children of type `worker`. */
  workers: number;
}

/** What `startChild` / `restartChild` resolve with. */
export type StartedChild =
  | Pid
  | {
      pid: Pid;
      /** The `info` its `start` resolved with. */
      info: unknown;
    }
  | undefined;

// ---- validation ----

interface NormSpec {
  id: string;
  start: ChildSpec["start"];
  restart: RestartType;
  shutdown: Shutdown;
  type: ChildType;
  significant: boolean;
  modules: string[] | "dynamic";
}

const STRATEGIES = ["one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one"];
const RESTARTS = ["permanent", "transient", "temporary"];
const AUTO = ["never", "any_significant", "all_significant"];

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

interface Flags {
  strategy: Strategy;
  intensity: number;
  period: number;
  autoShutdown: AutoShutdown;
}

function checkFlags(f: unknown): Flags | { error: unknown } {
  if (!isObject(f)) return { error: { invalid_type: f } };
  const strategy = f.strategy ?? "one_for_one";
  if (!STRATEGIES.includes(strategy as string)) return { error: { invalid_strategy: strategy } };
  const intensity = f.intensity ?? 1;
  if (!Number.isInteger(intensity) || (intensity as number) < 0)
    return { error: { invalid_intensity: intensity } };
  const period = f.period ?? 5;
  if (typeof period !== "number" || !Number.isFinite(period) || period <= 0)
    return { error: { invalid_period: period } };
  const autoShutdown = f.autoShutdown ?? "never";
  if (!AUTO.includes(autoShutdown as string))
    return { error: { invalid_auto_shutdown: autoShutdown } };
  return {
    strategy: strategy as Strategy,
    intensity: intensity as number,
    period,
    autoShutdown: autoShutdown as AutoShutdown,
  };
}

function checkSpec(s: unknown, auto: AutoShutdown): NormSpec | { error: unknown } {
  if (!isObject(s)) return { error: { invalid_child_spec: s } };
  if (s.id === undefined) return { error: "missing_id" };
  if (s.start === undefined) return { error: "missing_start" };
  if (typeof s.start !== "function") return { error: { invalid_mfa: s.start } };
  const restart = s.restart ?? "permanent";
  if (!RESTARTS.includes(restart as string)) return { error: { invalid_restart_type: restart } };
  const type = s.type ?? "worker";
  if (type !== "worker" && type !== "supervisor") return { error: { invalid_child_type: type } };
  const shutdown = s.shutdown ?? (type === "supervisor" ? "infinity" : 5000);
  if (
    shutdown !== "brutal_kill" &&
    shutdown !== "infinity" &&
    !(Number.isInteger(shutdown) && (shutdown as number) >= 0)
  )
    return { error: { invalid_shutdown: shutdown } };
  const modules = s.modules ?? [String(s.id)];
  if (modules !== "dynamic") {
    if (!Array.isArray(modules)) return { error: { invalid_modules: modules } };
    for (const m of modules) if (typeof m !== "string") return { error: { invalid_module: m } };
  }
  const significant = s.significant ?? false;
  if (typeof significant !== "boolean") return { error: { invalid_significant: significant } };
  if (significant && auto === "never")
    return { error: { bad_combination: { autoShutdown: "never", significant: true } } };
  if (significant && restart === "permanent")
    return { error: { bad_combination: { restart: "permanent", significant: true } } };
  return {
    id: s.id as string,
    start: s.start as ChildSpec["start"],
    restart: restart as RestartType,
    shutdown: shutdown as Shutdown,
    type,
    significant,
    modules: Array.isArray(modules) ? [...modules] : modules,
  };
}

function checkSpecs(specs: unknown, auto: AutoShutdown): NormSpec[] | { error: unknown } {
  if (!Array.isArray(specs)) return { error: { badarg: specs } };
  const out: NormSpec[] = [];
  const ids = new Set<unknown>();
  for (const s of specs) {
    const c = checkSpec(s, auto);
    if ("error" in c) return c;
    if (ids.has(c.id)) return { error: { duplicate_child_name: c.id } };
    ids.add(c.id);
    out.push(c);
  }
  return out;
}

/** Validates child specs as `init` and `startChild` do: `"ok"`, or `{ error: reason }` (SUP-05). */
export function checkChildSpecs(
  specs: readonly ChildSpec[],
  autoShutdown: AutoShutdown = "never",
):
  | "ok"
  | {
      /** Why the specs are invalid, e.g. `{ invalid_restart_type: x }` or `{ duplicate_child_name: id }`. */
      error: unknown;
    } {
  const r = checkSpecs(specs, autoShutdown);
  return Array.isArray(r) ? "ok" : r;
}

// ---- state ----

interface Child {
  id: string | undefined;
  spec: NormSpec;
  /** Extra start arguments (simple_one_for_one children). */
  args: unknown[];
  pid: Pid | undefined;
  restarting: boolean;
}

/** The supervisor's state (what `sys.getState` shows). */
export class SupervisorState {
  /** @internal Children in start order (simple_one_for_one: the dynamic children); see `whichChildren`. */
  readonly children: Child[] = [];
  /** Restart times (ms, monotonic), oldest first. */
  restarts: number[] = [];
  /** @internal The checked child spec of a `simple_one_for_one` supervisor; see `getChildspec`. */
  template: NormSpec | undefined = undefined;
  /** @internal */
  readonly byPid = new Map<Pid, Child>();
  /** @internal Made by the supervisor's `init`. */
  constructor(
    /** The name it was started with (`options.name`), or its pid if it has none. */
    readonly name: unknown,
    readonly strategy: Strategy,
    /** The maximum number of restarts within `period`. */
    readonly intensity: number,
    /** The period of `intensity`, in seconds. */
    readonly period: number,
    /** When the supervisor stops by itself after significant children exit. */
    readonly autoShutdown: AutoShutdown,
  ) {}
  /** Is the strategy `simple_one_for_one`? */
  get simple(): boolean {
    return this.strategy === "simple_one_for_one";
  }
}

type St = SupervisorState;

function setPid(st: St, c: Child, pid: Pid | undefined): void {
  if (c.pid !== undefined) st.byPid.delete(c.pid);
  c.pid = pid;
  c.restarting = false;
  if (pid !== undefined) st.byPid.set(pid, c);
}

function remove(st: St, c: Child): void {
  if (c.pid !== undefined) st.byPid.delete(c.pid);
  const i = st.children.indexOf(c);
  if (i >= 0) st.children.splice(i, 1);
}

/** OTP's `del_child`: a temporary or dynamic child goes; others stay with no pid. */
function delChild(st: St, c: Child): void {
  if (c.spec.restart === "temporary" || st.simple) remove(st, c);
  else setPid(st, c, undefined);
}

/** A message the supervisor sends itself to retry a failed restart (OTP's `try_again_restart`). */
class TryAgain {
  constructor(readonly child: Child) {}
}

// ---- reports ----

function report(p: Proc, st: St, context: string, reason: unknown, c: Child | undefined): void {
  const offender = c && {
    pid: c.pid,
    id: c.id,
    restartType: c.spec.restart,
    shutdown: c.spec.shutdown,
    childType: c.spec.type,
    significant: c.spec.significant,
  };
  p.node.log({
    level: "error",
    kind: "supervisor_report",
    pid: p.pid,
    text:
      `=SUPERVISOR REPORT==== supervisor: ${String(st.name)}\n  errorContext: ${context}\n` +
      `  reason: ${formatReason(reason)}\n  offender: ${formatReason(offender)}`,
    data: { supervisor: st.name, errorContext: context, reason, offender },
  });
}

// ---- starting and stopping children ----

type StartOutcome =
  { pid: Pid | undefined; info?: unknown; hasInfo?: boolean } | { error: unknown };

async function startProc(p: Proc, spec: NormSpec, args: unknown[]): Promise<StartOutcome> {
  let r: unknown;
  try {
    r = await spec.start(p, ...args);
  } catch (e) {
    if (e instanceof ExitError)
      return e.reason === "ignore" ? { pid: undefined } : { error: e.reason };
    return { error: reasonOf(e) };
  }
  if (Pid.is(r)) return { pid: r };
  if (r === "ignore") return { pid: undefined };
  if (isObject(r) && Pid.is(r.pid)) return { pid: r.pid, info: r.info, hasInfo: true };
  return { error: r }; // OTP: What -> {error, What}
}

function started(o: { pid: Pid | undefined; info?: unknown; hasInfo?: boolean }): StartedChild {
  return o.hasInfo ? { pid: o.pid!, info: o.info } : o.pid;
}

/** Waits for the DOWN of monitor `ref` (up to `timeout` ms). */
function awaitDown(
  p: Proc,
  ref: import("./terms").Ref,
  timeout?: number,
): Promise<Down | typeof TIMEOUT> {
  const match = (m: unknown): m is Down => m instanceof Down && m.ref === ref;
  return timeout === undefined ? p.receive(match) : p.receive(match, { timeout });
}

/** OTP's `unlink_flush`: unlinks `pid` and takes its queued EXIT's reason, if any. */
function unlinkFlush(p: Proc, pid: Pid, dflt: unknown): unknown {
  p.unlink(pid);
  const i = p.mailbox.find((m) => m instanceof Exit && m.from === pid);
  return i < 0 ? dflt : (p.mailbox.takeAt(i) as Exit).reason;
}

/** OTP's `shutdown/1`: stops one child; resolves with `undefined` (fine) or the unexpected reason. */
async function shutdown(p: Proc, c: Child): Promise<{ error: unknown } | undefined> {
  const pid = c.pid!;
  const permanent = c.spec.restart === "permanent";
  const ref = p.monitor(pid);
  const sd = c.spec.shutdown;
  if (sd === "brutal_kill") {
    p.exit(pid, "kill");
    const d = (await awaitDown(p, ref)) as Down;
    const r = unlinkFlush(p, pid, d.reason);
    if (r === "killed" || (r === "shutdown" && !permanent)) return undefined;
    return { error: r };
  }
  p.exit(pid, "shutdown");
  const d = await awaitDown(p, ref, sd === "infinity" ? undefined : sd);
  if (d === TIMEOUT) {
    p.exit(pid, "kill");
    const d2 = (await awaitDown(p, ref)) as Down;
    return { error: unlinkFlush(p, pid, d2.reason) };
  }
  const r = unlinkFlush(p, pid, d.reason);
  if (r === "shutdown" || (!permanent && isQuietReason(r))) return undefined;
  return { error: r };
}

/** OTP's `do_terminate`: stops a running child and reports an unexpected exit reason. */
async function doTerminate(p: Proc, st: St, c: Child): Promise<void> {
  if (c.pid === undefined) return;
  const r = await shutdown(p, c);
  if (r !== undefined && !(r.error === "normal" && c.spec.restart !== "permanent"))
    report(p, st, "shutdown_error", r.error, c);
}

/** OTP's `terminate_children`: one by one, in reverse start order; temporary children go. */
async function terminateChildren(p: Proc, st: St, list: Child[]): Promise<void> {
  for (const c of [...list].reverse()) {
    await doTerminate(p, st, c);
    if (c.spec.restart === "temporary") remove(st, c);
    else setPid(st, c, undefined);
  }
}

/** OTP's `terminate_dynamic_children`: all at once, with the template's shutdown (SUP-25). */
async function terminateDynamic(p: Proc, st: St): Promise<void> {
  const running = st.children.filter((c) => c.pid !== undefined);
  const spec = st.template!;
  const refs = new Map<import("./terms").Ref, Child>();
  for (const c of running) refs.set(p.monitor(c.pid!), c);
  const sd = spec.shutdown;
  for (const c of running) p.exit(c.pid!, sd === "brutal_kill" ? "kill" : "shutdown");
  const deadline = typeof sd === "number" ? performance.now() + sd : Infinity;
  let killed = false;
  const match = (m: unknown): m is Down => m instanceof Down && refs.has(m.ref);
  while (refs.size > 0) {
    let d: Down | typeof TIMEOUT;
    if (killed || deadline === Infinity) d = await p.receive(match);
    else d = await p.receive(match, { timeout: Math.max(0, deadline - performance.now()) });
    if (d === TIMEOUT) {
      killed = true;
      for (const c of refs.values()) p.exit(c.pid!, "kill");
      continue;
    }
    const c = refs.get(d.ref)!;
    refs.delete(d.ref);
    const r = unlinkFlush(p, c.pid!, d.reason);
    const fine =
      sd === "brutal_kill"
        ? r === "killed" || (r === "shutdown" && c.spec.restart !== "permanent")
        : r === "shutdown" || (c.spec.restart !== "permanent" && isQuietReason(r));
    if (!fine && !(r === "normal" && c.spec.restart !== "permanent"))
      report(p, st, "shutdown_error", r, c);
  }
  for (const c of [...st.children]) remove(st, c);
}

/** Starts `list` in order (OTP's `start_children`); the child that failed, if any. */
async function startChildren(p: Proc, st: St, list: Child[]): Promise<Child | undefined> {
  for (const c of list) {
    if (!st.children.includes(c)) continue;
    const r = await startProc(p, c.spec, c.args);
    if ("error" in r) {
      report(p, st, "start_error", r.error, c);
      return c;
    }
    if (r.pid === undefined && c.spec.restart === "temporary") remove(st, c);
    else setPid(st, c, r.pid);
  }
  return undefined;
}

/** OTP's `add_restart`: false when the intensity is exceeded. */
function addRestart(st: St): boolean {
  const now = performance.now();
  const threshold = now - st.period * 1000;
  st.restarts = st.restarts.filter((t) => t >= threshold);
  st.restarts.push(now);
  return st.restarts.length <= st.intensity;
}

type Outcome = "ok" | "shutdown";

/** OTP's `restart/2`: counts the restart, then restarts per strategy; a failure is retried later. */
async function restart(p: Proc, st: St, c: Child): Promise<Outcome> {
  if (!addRestart(st)) {
    report(p, st, "shutdown", "reached_max_restart_intensity", c);
    return "shutdown";
  }
  let failed: Child | undefined;
  setPid(st, c, undefined);
  switch (st.strategy) {
    case "one_for_one":
    case "simple_one_for_one": {
      const r = await startProc(p, c.spec, c.args);
      if ("error" in r) {
        report(p, st, "start_error", r.error, c);
        failed = c;
      } else if (r.pid === undefined && (st.simple || c.spec.restart === "temporary"))
        remove(st, c);
      else setPid(st, c, r.pid);
      break;
    }
    case "one_for_all":
      await terminateChildren(p, st, st.children);
      failed = await startChildren(p, st, [...st.children]);
      break;
    case "rest_for_one": {
      const after = st.children.slice(st.children.indexOf(c) + 1);
      await terminateChildren(p, st, after);
      failed = await startChildren(p, st, [c, ...after]);
      break;
    }
  }
  if (failed !== undefined) {
    failed.restarting = true;
    p.send(p.pid, new TryAgain(failed));
  }
  return "ok";
}

/** OTP's `do_auto_shutdown` after a significant child exited without restart (SUP-27). */
function autoShutdown(st: St, c: Child): Outcome {
  if (st.autoShutdown === "never" || !c.spec.significant) return "ok";
  if (st.autoShutdown === "any_significant") return "shutdown";
  return st.children.some((x) => x.spec.significant && x.pid !== undefined) ? "ok" : "shutdown";
}

/** OTP's `restart_child/3` + `do_restart/3`: a child's EXIT. */
async function childExited(p: Proc, st: St, pid: Pid, reason: unknown): Promise<Outcome> {
  const c = st.byPid.get(pid);
  if (c === undefined) return "ok";
  const r = c.spec.restart;
  if (r === "permanent" || (r === "transient" && !isQuietReason(reason))) {
    report(p, st, "child_terminated", reason, c);
    return restart(p, st, c);
  }
  if (!isQuietReason(reason)) report(p, st, "child_terminated", reason, c);
  delChild(st, c);
  return autoShutdown(st, c);
}

// ---- the GenServer ----

interface InitArg {
  init: SupervisorInit<any>;
  arg: unknown;
  parent: Pid | undefined;
  name: unknown;
  module: string;
}

type Answer = { ok: unknown } | { error: unknown };

async function supInit(p: Proc, a: InitArg): Promise<InitResult<St>> {
  p.processFlag("trapExit", true);
  // A failed start leaves the trapping caller no EXIT (SUP-03).
  const fail = (reason: unknown) => {
    if (a.parent !== undefined && p.alive) p.unlink(a.parent);
    return stop<St>(reason);
  };
  let r: unknown;
  try {
    r = await a.init.call(p, a.arg);
  } catch (e) {
    return fail(reasonOf(e));
  }
  if (r === "ignore") {
    if (a.parent !== undefined) p.unlink(a.parent);
    return ignore();
  }
  if (!isObject(r) || !Array.isArray(r.children))
    return fail({ bad_return: { module: a.module, fn: "init", value: r } });
  const flags = checkFlags(r.flags ?? {});
  if ("error" in flags) return fail({ supervisor_data: flags.error });
  const st = new SupervisorState(
    a.name ?? p.pid,
    flags.strategy,
    flags.intensity,
    flags.period,
    flags.autoShutdown,
  );
  if (st.simple) {
    if (r.children.length !== 1) return fail({ bad_start_spec: r.children });
    const t = checkSpec(r.children[0], st.autoShutdown);
    if ("error" in t) return fail({ start_spec: t.error });
    st.template = t;
    return ok(st);
  }
  const specs = checkSpecs(r.children, st.autoShutdown);
  if (!Array.isArray(specs)) return fail({ start_spec: specs.error });
  for (const spec of specs) {
    const c: Child = { id: spec.id, spec, args: [], pid: undefined, restarting: false };
    const o = await startProc(p, spec, []);
    if ("error" in o) {
      report(p, st, "start_error", o.error, c);
      await terminateChildren(p, st, st.children);
      return fail({ shutdown: { failed_to_start_child: [spec.id, o.error] } });
    }
    if (o.pid === undefined && spec.restart === "temporary") continue;
    st.children.push(c);
    setPid(st, c, o.pid);
  }
  return ok(st);
}

function find(st: St, id: unknown): Child | undefined {
  return st.children.find((c) => c.id === id);
}

/**
 * A call's handler. A child's EXIT still in flight (or queued behind the
 * call) is handled after the call, as in OTP: a test that saw the child's
 * DOWN syncs with the supervisor before asking it (SUP-29).
 */
function handled(body: (p: Proc, st: St, arg: any) => Promise<Answer> | Answer) {
  return async function (this: Self, arg: unknown, _from: unknown, st: St) {
    return reply(await body(this as Proc, st, arg), st);
  };
}

const handleCall = {
  start_child: handled(async (p, st, arg: unknown) => {
    if (st.simple) {
      const args = Array.isArray(arg) ? arg : [arg];
      const o = await startProc(p, st.template!, args);
      if ("error" in o) return o;
      if (o.pid !== undefined) {
        const c: Child = {
          id: undefined,
          spec: st.template!,
          args,
          pid: undefined,
          restarting: false,
        };
        st.children.push(c);
        setPid(st, c, o.pid);
      }
      return { ok: started(o) };
    }
    const spec = checkSpec(arg, st.autoShutdown);
    if ("error" in spec) return spec;
    const old = find(st, spec.id);
    if (old !== undefined)
      return { error: old.pid !== undefined ? { already_started: old.pid } : "already_present" };
    const o = await startProc(p, spec, []);
    if ("error" in o) return o;
    if (o.pid !== undefined || spec.restart !== "temporary") {
      const c: Child = { id: spec.id, spec, args: [], pid: undefined, restarting: false };
      st.children.push(c);
      setPid(st, c, o.pid);
    }
    return { ok: started(o) };
  }),
  terminate_child: handled(async (p, st, ref: unknown) => {
    if (st.simple) {
      if (!Pid.is(ref)) return { error: "simple_one_for_one" };
      const c = st.byPid.get(ref);
      if (c === undefined) return Pid.procOf(ref) === null ? { ok: "ok" } : { error: "not_found" };
      await doTerminate(p, st, c);
      remove(st, c);
      return { ok: "ok" };
    }
    const c = Pid.is(ref) ? undefined : find(st, ref);
    if (c === undefined) return { error: "not_found" };
    await doTerminate(p, st, c);
    delChild(st, c);
    return { ok: "ok" };
  }),
  restart_child: handled(async (p, st, id: unknown) => {
    if (st.simple) return { error: "simple_one_for_one" };
    const c = find(st, id);
    if (c === undefined) return { error: "not_found" };
    if (c.restarting) return { error: "restarting" };
    if (c.pid !== undefined) return { error: "running" };
    const o = await startProc(p, c.spec, []);
    if ("error" in o) return o;
    setPid(st, c, o.pid);
    return { ok: started(o) };
  }),
  delete_child: handled((_p, st, id: unknown) => {
    if (st.simple) return { error: "simple_one_for_one" };
    const c = find(st, id);
    if (c === undefined) return { error: "not_found" };
    if (c.restarting) return { error: "restarting" };
    if (c.pid !== undefined) return { error: "running" };
    remove(st, c);
    return { ok: "ok" };
  }),
  get_childspec: handled((_p, st, ref: unknown) => {
    const c = Pid.is(ref) ? st.byPid.get(ref) : st.simple ? undefined : find(st, ref);
    if (c === undefined) return { error: "not_found" };
    const { id, start, restart: r, shutdown: s, type, significant, modules } = c.spec;
    return { ok: { id, start, restart: r, shutdown: s, type, significant, modules } };
  }),
  which_children: handled((_p, st) => ({
    ok: st.children
      .map((c): ChildInfo => ({
        id: c.id,
        pid: c.restarting ? "restarting" : c.pid,
        type: c.spec.type,
        modules: Array.isArray(c.spec.modules) ? [...c.spec.modules] : c.spec.modules,
      }))
      .reverse(),
  })),
  count_children: handled((_p, st) => {
    const active = st.children.filter((c) => c.pid !== undefined).length;
    if (st.simple) {
      const n = st.children.length;
      const sup = st.template!.type === "supervisor";
      return { ok: { specs: 1, active, supervisors: sup ? n : 0, workers: sup ? 0 : n } };
    }
    const supervisors = st.children.filter((c) => c.spec.type === "supervisor").length;
    return {
      ok: {
        specs: st.children.length,
        active,
        supervisors,
        workers: st.children.length - supervisors,
      },
    };
  }),
};

function serverSpec(module: string): ServerSpec<St, InitArg, any, any> {
  return {
    name: module,
    init(a) {
      return supInit(this as Proc, a);
    },
    handleCall,
    async handleInfo(msg, st) {
      const p = this as Proc;
      let o: Outcome = "ok";
      if (msg instanceof Exit) o = await childExited(p, st, msg.from, msg.reason);
      else if (msg instanceof TryAgain) {
        const c = msg.child;
        if (c.restarting && st.children.includes(c)) o = await restart(p, st, c);
      } else
        p.node.log({
          level: "error",
          kind: "supervisor_unexpected_message",
          pid: p.pid,
          text: `Supervisor ${String(st.name)} received unexpected message: ${formatReason(msg)}`,
          data: { msg },
        });
      return o === "shutdown" ? stop("shutdown", st) : noreply(st);
    },
    terminate(_reason, st) {
      if (st === undefined) return;
      const p = this as Proc;
      return st.simple ? terminateDynamic(p, st) : terminateChildren(p, st, st.children);
    },
  };
}

// ---- the API ----

/** What `start` / `startLink` take: an init function, a module `{ name, init }`, or a static spec. */
export type SupervisorDef<A> = SupervisorInit<A> | SupervisorModule<A> | SupervisorSpec;

function toModule<A>(
  fn: string,
  def: SupervisorDef<A>,
): { module: string; init: SupervisorInit<A> } {
  if (typeof def === "function") return { module: "Supervisor", init: def };
  if (!isObject(def))
    throw new BadArgError(
      `${fn}: expected an init function, a module or a spec, got ${describe(def)}`,
    );
  if (typeof def.init === "function")
    return {
      module: (def as SupervisorModule<A>).name ?? "Supervisor",
      init: (def as SupervisorModule<A>).init,
    };
  // A static spec is checked as init's result would be, but at once: it must list its children.
  if (!Array.isArray((def as SupervisorSpec).children))
    throw new BadArgError(
      `${fn}: a spec (no init function) must have a children array, got ${describe(def)}`,
    );
  return { module: "Supervisor", init: () => def as SupervisorSpec };
}

/** @internal The Supervisor API bound to a way to find the current node. */
export function makeSupervisor(currentNode: () => Node) {
  const gs = makeGenServer(currentNode);

  function start<A>(
    parent: Self | null,
    def: SupervisorDef<A>,
    arg: A | undefined,
    options: SupervisorStartOptions = {},
  ): Promise<Pid> {
    const fn = parent === null ? "Supervisor.start" : "Supervisor.startLink";
    if (parent !== null) checkSelf(fn, "parent", parent);
    checkOptions(fn, options);
    if (options.name !== undefined) checkServerName(fn, options.name, "options.name");
    const { module, init } = toModule(fn, def);
    const a: InitArg = { init, arg, parent: parent?.pid, name: options.name, module };
    const spec = serverSpec(module);
    return parent === null
      ? gs.start(spec, a, { name: options.name, node: options.node })
      : gs.startLink(spec, parent, a, { name: options.name });
  }

  function call(
    fn: string,
    sup: ServerRef,
    name: string,
    arg: unknown,
    options: SupervisorCallOptions | undefined,
  ): Promise<any> {
    // Bad arguments throw here, at once (gs.call checks the server and the caller).
    checkOptions(`Supervisor.${fn}`, options);
    return gs
      .call(sup, name, arg, {
        timeout: Infinity,
        caller: options?.caller,
      })
      .then((r) => {
        const a = r as Answer;
        if ("error" in a)
          throw new ExitError(a.error, `Supervisor.${fn}(${describe(sup)}, ${formatReason(arg)})`, [
            sup,
            arg,
          ]);
        return a.ok;
      });
  }

  return {
    /** Starts an unlinked supervisor; resolves with its pid once every static child has started. */
    start: <A = unknown>(def: SupervisorDef<A>, arg?: A, options?: SupervisorStartOptions) =>
      start(null, def, arg, options),
    /** Starts a supervisor linked to `parent`. */
    startLink: <A = unknown>(
      parent: Self,
      def: SupervisorDef<A>,
      arg?: A,
      options?: SupervisorStartOptions,
    ) => start(parent, def, arg, options),
    /**
     * Adds and starts a child from `spec`; under `simple_one_for_one`, starts
     * one from the template with `extraArgs` appended.
     */
    startChild: (
      sup: ServerRef,
      specOrExtraArgs: ChildSpec | unknown[],
      options?: SupervisorCallOptions,
    ): Promise<StartedChild> => call("startChild", sup, "start_child", specOrExtraArgs, options),
    /** Stops a child (by id; by pid under `simple_one_for_one`); keeps its spec unless temporary. */
    terminateChild: (
      sup: ServerRef,
      idOrPid: string | Pid,
      options?: SupervisorCallOptions,
    ): Promise<"ok"> => call("terminateChild", sup, "terminate_child", idOrPid, options),
    /** Starts a stopped child again from its kept spec. */
    restartChild: (
      sup: ServerRef,
      id: string,
      options?: SupervisorCallOptions,
    ): Promise<StartedChild> => call("restartChild", sup, "restart_child", id, options),
    /** Removes the spec of a stopped child. */
    deleteChild: (sup: ServerRef, id: string, options?: SupervisorCallOptions): Promise<"ok"> =>
      call("deleteChild", sup, "delete_child", id, options),
    /** The spec of a child (by id, or by pid). */
    getChildspec: (
      sup: ServerRef,
      idOrPid: string | Pid,
      options?: SupervisorCallOptions,
    ): Promise<Required<ChildSpec>> => call("getChildspec", sup, "get_childspec", idOrPid, options),
    /** The children, most recently started first. */
    whichChildren: (sup: ServerRef, options?: SupervisorCallOptions): Promise<ChildInfo[]> =>
      call("whichChildren", sup, "which_children", undefined, options),
    /** Counts of specs, running children, supervisors and workers. */
    countChildren: (sup: ServerRef, options?: SupervisorCallOptions): Promise<ChildCounts> =>
      call("countChildren", sup, "count_children", undefined, options),
    /** Validates child specs as `init` and `startChild` do: `"ok"`, or `{ error: reason }`. */
    checkChildSpecs: checkChildSpecs,
  };
}
