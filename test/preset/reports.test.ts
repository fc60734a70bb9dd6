/**
 * What the preset reports across tests, on fixture suites run by Jest in a
 * subprocess: a Jest timeout shows the test's processes; a test's leftover
 * timer never fails the next test; a killed test process fails its test.
 */
import { JestRun, result, runFixtures } from "./run-jest";

jest.setTimeout(60_000);

let run: JestRun;
beforeAll(async () => {
  run = await runFixtures(["reports.fixture.ts"]);
});
const test = (name: string) => result(run, `reports ${name}`);

describe("a Jest timeout", () => {
  it("shows the call still waiting for a reply, as written", () => {
    const r = test("a call that hangs until Jest's timeout");
    expect(r.status).toBe("failed");
    expect(r.failure).toContain("Exceeded timeout of 300 ms");
    expect(r.failure).toMatch(
      /waiting for a reply: GenServer\.call\(<\d+\.\d+\.0>, "hang", Infinity\)/,
    );
  });

  it("shows the server's status, mailbox and last sys events", () => {
    const r = test("a call that hangs until Jest's timeout");
    expect(r.failure).toMatch(/<\d+\.\d+\.0>: waiting, 0 message\(s\) queued/);
    expect(r.failure).toContain("last sys events:");
    expect(r.failure).toContain("in call hang");
    expect(r.failure).toContain("noreply state=Map(1) { 'alice' => 1 }");
  });
});

describe("a timer left by a test", () => {
  it("does not fail the test that left it", () => {
    expect(test("a test that leaves a real timer behind").status).toBe("passed");
  });

  it("never fires in the next test", () => {
    expect(test("the next test runs while that timer would fire").status).toBe("passed");
  });
});

describe("a test process killed by a linked crash", () => {
  it("fails its test with the exit reason, even if nothing else failed", () => {
    const r = test("a test whose test process is killed by a linked crash");
    expect(r.status).toBe("failed");
    expect(r.failure).toMatch(/the test process <\d+\.\d+\.0> was killed during this test/);
    expect(r.failure).toContain("exit reason: linked boom");
  });
});
