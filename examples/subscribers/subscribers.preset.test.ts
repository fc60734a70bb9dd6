/**
 * The seed scenario with the Jest preset: the naive test of the subscriber
 * server races, and exploration shows it; the fixed tests do not.
 */
import { fixedWithDownThenSync, fixedWithSysEvent, naive } from "./scenario";

describe("the subscriber race", () => {
  it("naive: kill a subscriber, then ask at once (fails under some schedules)", async () => {
    const failure = await findFailingSchedule(naive, { runs: 100 });
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
    await explore(fixedWithSysEvent, { runs: 1000 });
  });

  it("fixed with awaitDown then syncWith: passes under 1,000 schedules", async () => {
    await explore(fixedWithDownThenSync, { runs: 1000 });
  });
});
