/**
 * The seed scenario as test bodies for the Jest preset: the server watches
 * subscribers A and B; A is killed; who is left? `naive` asks at once and
 * races A's DOWN; the two fixed versions first wait for the server to take
 * it. Shared by the example tests and the explorer's own tests.
 */
import { exit, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "./subscribers";

/** A subscriber that just waits. */
const idle = () => spawn(async (self) => void (await self.receive()));

/** Starts the server with two subscribers, named in charts. */
export async function twoSubscribers() {
  const server = label(await Subscribers.start(undefined), "server");
  const a = label(idle(), "A");
  const b = label(idle(), "B");
  await subscribe(server, a);
  await subscribe(server, b);
  return { server, a, b };
}

/** Kills A, then asks at once: the question can overtake A's DOWN. */
export async function naive() {
  const { server, a, b } = await twoSubscribers();
  exit(a, "kill");
  expect(await subscribers(server)).toEqual([b]);
}

/** Arms awaitSysEvent before the kill, waits for the server's "in DOWN", then asks. */
export async function fixedWithSysEvent() {
  const { server, a, b } = await twoSubscribers();
  const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
  exit(a, "kill");
  await handled;
  expect(await subscribers(server)).toEqual([b]);
}

/** Waits for A to be gone, then for the server to have handled what was sent before, then asks. */
export async function fixedWithDownThenSync() {
  const { server, a, b } = await twoSubscribers();
  exit(a, "kill");
  await awaitDown(a);
  await syncWith(server);
  expect(await subscribers(server)).toEqual([b]);
}
