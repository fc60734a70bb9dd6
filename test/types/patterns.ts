/**
 * Type tests (checked by `npm run typecheck`, never run): patterns are typed
 * by what they match, so a misspelt key is a compile error; each
 * `@ts-expect-error` is a pattern that must be rejected.
 */
import { Down, From, GenServer, Pid, SysEvent, isDown, ok, reply } from "otpkit";
import type { InEvent, NoreplyEvent, OutEvent } from "otpkit";
import { awaitSysEvent, holdAt, testProcess } from "@otpkit/jest";

interface Subscribers {
  subscribers: Pid[];
  count: number;
}

const Server = GenServer.define<Subscribers>()({
  init: (_: void) => ok({ subscribers: [], count: 0 }),
  handleCall: {
    count: (_arg: void, _from, s) => reply(s.count, s),
  },
});

export async function awaitSysEventPatterns(pid: Pid): Promise<void> {
  // @ts-expect-error a misspelt key: `kidn`
  await awaitSysEvent(pid, { kidn: "in" });
  // @ts-expect-error a field the `in` event does not have
  await awaitSysEvent(pid, { kind: "in", mgs: 1 });
  // @ts-expect-error a kind no sys event has
  await awaitSysEvent(pid, { kind: "inn" });
  // @ts-expect-error the `out` event's `to` misspelt
  await awaitSysEvent(pid, { kind: "out", too: pid });
  // Asymmetric matchers anywhere.
  await awaitSysEvent(pid, { kind: "in", msg: expect.any(Down) });
  await awaitSysEvent(pid, { kind: "in", msg: expect.objectContaining({ kind: "DOWN" }) });
  await awaitSysEvent(pid, expect.objectContaining({ kind: "noreply" }));
  // Nested patterns of an unknown message: anything goes.
  await awaitSysEvent(pid, { kind: "in", msg: { kind: "DOWN", pid } });
  await awaitSysEvent(pid, { msg: { request: { name: "get" } } });
}

export async function awaitSysEventInference(pid: Pid): Promise<void> {
  const inEvent = await awaitSysEvent(pid, { kind: "in" });
  const i: InEvent = inEvent;
  // @ts-expect-error an `in` event has no `to`
  void inEvent.to;
  const out = await awaitSysEvent(pid, { kind: "out", to: pid });
  const o: OutEvent = out;
  const noreply = await awaitSysEvent(pid, { kind: "noreply" });
  const n: NoreplyEvent = noreply;
  // A type guard types the event.
  const guarded = await awaitSysEvent(pid, (e): e is OutEvent => e.kind === "out");
  const g: OutEvent = guarded;
  // Any other predicate: a sys event; its parameter is typed.
  const any = await awaitSysEvent(pid, (e) => e.kind === "in" && isDown(e.msg));
  const a: SysEvent = any;
  void [i, o, n, g, a];
}

type ChannelEvent = { kind: "alloc"; ch: number } | { kind: "free"; ch: number };

export async function customEvents(pid: Pid): Promise<void> {
  // The process's events as the type argument; the pattern is checked against them.
  const alloc = await awaitSysEvent<SysEvent<ChannelEvent>>(pid, { kind: "alloc", ch: 1 });
  const ch: number = alloc.kind === "alloc" ? alloc.ch : 0;
  // A type guard narrows to the custom event itself.
  const free = await awaitSysEvent(
    pid,
    (e: SysEvent<ChannelEvent>): e is { kind: "free"; ch: number } => e.kind === "free",
  );
  const freed: number = free.ch;
  // @ts-expect-error a custom event's field misspelt
  await awaitSysEvent<SysEvent<ChannelEvent>>(pid, { kind: "alloc", chh: 1 });
  // @ts-expect-error a kind the process does not report
  await awaitSysEvent<SysEvent<ChannelEvent>>(pid, { kind: "grab" });
  void [ch, freed];
}

export async function receivePatterns(): Promise<void> {
  const me = testProcess();
  const down = await me.assertReceive(isDown);
  const d: Down = down;
  await me.assertReceive<Down>({ kind: "DOWN", reason: "normal" });
  // @ts-expect-error a misspelt key of a typed message
  await me.assertReceive<Down>({ kidn: "DOWN" });
  await me.assertReceive<Down>({ reason: expect.anything() });
  // @ts-expect-error a misspelt key of a typed message
  await me.refuteReceive<Down>({ resaon: "normal" });
  // Untyped: any pattern.
  await me.assertReceive({ anything: 1 });
  void d;
}

export async function holdAtPatterns(pid: Pid): Promise<void> {
  const hold = holdAt(pid, { kind: "in", msg: { kind: "$gen_call" } });
  const e: InEvent = await hold.reached;
  // @ts-expect-error a misspelt key
  holdAt(pid, { kidn: "in" });
  void e;
}

export async function stateMatchers(): Promise<void> {
  const pid = await Server.start();
  await expect(pid).toHaveState({ count: 1 });
  await expect(pid).toHaveState({ subscribers: [] });
  await expect(pid).toHaveState({ subscribers: expect.arrayContaining([pid]) });
  // @ts-expect-error a misspelt field of the server's state
  await expect(pid).toHaveState({ subscriberz: [] });
  // @ts-expect-error a field of the wrong type
  await expect(pid).toHaveState({ count: "one" });
  // A plain pid: the state's type is not known, any pattern goes.
  const plain: Pid = pid;
  await expect(plain).toHaveState({ whatever: 1 });
}

export function fromIsTyped(from: From): Pid {
  return from.pid;
}
