/**
 * Every wait has a bounded default timeout, and OTPKIT_TIMEOUT_FACTOR scales
 * all of them (for slow CI).
 */
import { send } from "otpkit";
import { Counter, failureOf, idle } from "./servers";

/** Runs `fn` with OTPKIT_TIMEOUT_FACTOR set to `factor`. */
async function withFactor<T>(factor: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.OTPKIT_TIMEOUT_FACTOR;
  process.env.OTPKIT_TIMEOUT_FACTOR = factor;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.OTPKIT_TIMEOUT_FACTOR;
    else process.env.OTPKIT_TIMEOUT_FACTOR = saved;
  }
}

describe("timeouts", () => {
  it("every helper's default wait is bounded: 1,000 ms times the factor", async () => {
    await withFactor("0.01", async () => {
      const server = await Counter.start(undefined);
      Counter.cast(server, "block");
      Counter.cast(server, "inc", 1);
      const me = testProcess();
      const texts = await Promise.all([
        failureOf(awaitDown(idle())),
        failureOf(awaitSysEvent(server, { kind: "out" })),
        failureOf(syncWith(server)),
        failureOf(me.assertReceive("never")),
        failureOf(expect(server).toHaveState({ count: 0 })),
      ]);
      for (const t of texts) expect(t).toMatch(/(timed out after|within) 10 ms/);
    });
  });

  it("the factor scales explicit timeouts", async () => {
    await withFactor("3", async () => {
      expect(await failureOf(awaitDown(idle(), { timeout: 5 }))).toMatch(/timed out after 15 ms/);
    });
  });

  it("the factor scales refuteReceive's short default", async () => {
    const me = testProcess();
    // Real timers fire in due order: scaled to 10 ms the refutation is over before the message
    // is sent at 50 ms; left at its 100 ms it would receive the message and fail.
    const quiet = withFactor("0.1", () => me.refuteReceive());
    const later = setTimeout(() => send(me.pid, "at 50 ms"), 50);
    try {
      await expect(quiet).resolves.toBeUndefined();
    } finally {
      clearTimeout(later);
    }
  });

  it("ignores a factor that is not a positive number", async () => {
    await withFactor("fast", async () => {
      expect(await failureOf(awaitDown(idle(), { timeout: 7 }))).toMatch(/after 7 ms/);
    });
  });
});
