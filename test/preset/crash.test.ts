/**
 * A process that crashed during a test with nothing watching it fails that
 * test (and no other); expectCrash() allows it; leftovers can be made to
 * fail a test. Tested on fixture suites run by Jest in a subprocess.
 */
import { JestRun, result, runFixtures } from "./run-jest";

jest.setTimeout(60_000);

const PID = String.raw`<\d+\.\d+\.0>`;

describe("a crash nobody watched", () => {
  let run: JestRun;
  beforeAll(async () => {
    run = await runFixtures(["crash.fixture.ts"]);
  });
  const test = (name: string) => result(run, `crashes ${name}`);

  it("fails the test that caused it, with the reason and the crash report", () => {
    const r = test("an unwatched crash fails the test that caused it");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain(
      "a process crashed during this test and nothing was watching it (call expectCrash() if that is intended):",
    );
    expect(r.failure).toMatch(
      new RegExp(`Error in process ${PID} with exit value: Error: unwatched boom`),
    );
    expect(r.failure).toMatch(/crash\.fixture\.ts:\d+/); // the crash's stack, in the TypeScript source
  });

  it("does not fail the next test", () => {
    expect(test("the next test is not blamed for it").status).toBe("passed");
  });

  it("is allowed by expectCrash()", () => {
    expect(test("expectCrash() allows any crash").status).toBe("passed");
  });

  it("is allowed by expectCrash(pid) for that pid", () => {
    expect(test("expectCrash(pid) allows that process's crash").status).toBe("passed");
  });

  it("is not allowed by expectCrash(pid) of another process", () => {
    const other = test("expectCrash(other) does not allow another process's crash");
    expect(other.status).toBe("failed");
    expect(other.failure).toContain("other boom");
  });

  it("is not a failure when the test monitored the process", () => {
    expect(test("a crash the test monitored is watched: it does not fail the test").status).toBe(
      "passed",
    );
  });

  it("is not a failure when the test awaited its exit with awaitDown", () => {
    expect(test("a crash awaited with awaitDown is expected").status).toBe("passed");
  });

  it("fails the test for a GenServer too, with the server's termination report", () => {
    const r = test("an unwatched GenServer crash fails the test");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/\*\* Generic server <\d+\.\d+\.0> terminating/);
    expect(r.failure).toContain("server boom");
  });

  it("fails the test for a GenServer even after an awaitSysEvent on it has resolved", () => {
    const r = test(
      "an unwatched GenServer crash fails the test, after an awaitSysEvent on it resolved",
    );
    expect(r.status).toBe("failed");
    expect(r.failure).toContain("server boom");
  });

  it("fails exactly the tests that caused one", () => {
    const failed = [...run.tests.values()]
      .filter((t) => t.status === "failed")
      .map((t) => t.fullName);
    expect(failed.sort()).toEqual(
      [
        "crashes an unwatched crash fails the test that caused it",
        "crashes expectCrash(other) does not allow another process's crash",
        "crashes an unwatched GenServer crash fails the test",
        "crashes an unwatched GenServer crash fails the test, after an awaitSysEvent on it resolved",
      ].sort(),
    );
    expect(run.exitCode).toBe(1);
  });
});

describe("leftovers", () => {
  let called: JestRun;
  let env: JestRun;
  beforeAll(async () => {
    [called, env] = await Promise.all([
      runFixtures(["leftovers.fixture.ts"]),
      runFixtures(["leftovers.fixture.ts"], { OTPKIT_FAIL_ON_LEFTOVERS: "1" }),
    ]);
  });
  const LEFT =
    "leftovers a test that leaves a process running fails, naming it and where it was spawned";

  it("failOnLeftovers() fails a test that leaves a process running, naming it and where it was spawned", () => {
    const r = result(called, LEFT);
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(
      new RegExp(`1 process\\(es\\) left running at the end of the test:\n  ${PID} spawned at\n`),
    );
    expect(r.failure).toMatch(/leftovers\.fixture\.ts:\d+/);
  });

  it("failOnLeftovers() passes a test that stopped what it started", () => {
    expect(result(called, "leftovers a test that stops what it started passes").status).toBe(
      "passed",
    );
  });

  it("failOnLeftovers() does not count the test's own process", () => {
    expect(result(called, "leftovers the test's own process is not a leftover").status).toBe(
      "passed",
    );
  });

  it("without failOnLeftovers() or the variable, leftovers are just stopped", () => {
    expect(
      result(called, "leftovers without failOnLeftovers() leaves a process running").status,
    ).toBe("passed");
  });

  it("OTPKIT_FAIL_ON_LEFTOVERS=1 fails a test that leaves processes without calling failOnLeftovers(), with where they were spawned", () => {
    const r = result(env, "leftovers without failOnLeftovers() leaves a process running");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(
      new RegExp(`1 process\\(es\\) left running at the end of the test:\n  ${PID} spawned at\n`),
    );
    expect(r.failure).toMatch(/leftovers\.fixture\.ts:\d+/);
  });

  it("OTPKIT_FAIL_ON_LEFTOVERS=1 still fails a test that calls failOnLeftovers(), with where they were spawned", () => {
    expect(result(env, LEFT).failure).toMatch(/leftovers\.fixture\.ts:\d+/);
  });

  it("OTPKIT_FAIL_ON_LEFTOVERS=1 passes a test that stopped what it started", () => {
    expect(result(env, "leftovers a test that stops what it started passes").status).toBe("passed");
  });
});
