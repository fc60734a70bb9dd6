/**
 * The seed scenario with the Jest preset: the naive test of the subscriber
 * server races, and exploration shows it; the fixed tests do not.
 */
import { exit, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "./subscribers";

/** A subscriber that just waits. */
const idle = () => spawn(async (self) => void (await self.receive()));

/** Starts the server with two subscribers. */
async function twoSubscribers() {
  const server = label(await Subscribers.start(undefined), "server");
  const a = label(idle(), "A");
  const b = label(idle(), "B");
  await subscribe(server, a);
  await subscribe(server, b);
  return { server, a, b };
}

describe("the subscriber race", () => {
  it("naive: kill a subscriber, then ask at once (fails under some schedules)", async () => {
    const failure = await findFailingSchedule(
      async () => {
        const { server, a, b } = await twoSubscribers();
        exit(a, "kill");
        expect(await subscribers(server)).toEqual([b]);
      },
      { runs: 100 },
    );
    expect(failure).toBeDefined();
    expect(failure!.seed).toBeGreaterThan(0);
    expect(failure!.replay).toMatch(/^OTPKIT_FOR=explore:1 OTPKIT_SEED=\d+ .*npx jest /);
    // The chart shows the call reaching the server before A's DOWN.
    const lines = failure!.chart.split("\n");
    const call = lines.findIndex((l) => l.includes("call subscribers"));
    const down = lines.findIndex((l) => l.includes("DOWN killed"));
    expect(call).toBeGreaterThan(0);
    expect(down === -1 || down > call).toBe(true);
  });

  it("fixed with awaitSysEvent: armed before the kill, passes under 1,000 schedules", async () => {
    await explore(
      async () => {
        const { server, a, b } = await twoSubscribers();
        const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
        exit(a, "kill");
        await handled;
        expect(await subscribers(server)).toEqual([b]);
      },
      { runs: 1000 },
    );
  });

  it("fixed with awaitDown then syncWith: passes under 1,000 schedules", async () => {
    await explore(
      async () => {
        const { server, a, b } = await twoSubscribers();
        exit(a, "kill");
        await awaitDown(a);
        await syncWith(server);
        expect(await subscribers(server)).toEqual([b]);
      },
      { runs: 1000 },
    );
  });
});
