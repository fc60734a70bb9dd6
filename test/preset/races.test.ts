/**
 * A plain run catches races: with nothing but the preset, a test whose
 * outcome depends on the order of deliveries from different senders fails
 * on its first run, the same way every time, naming the race; correct tests
 * pass. Run on fixture suites by Jest in a subprocess.
 */
import { exec } from "child_process";
import { mkdtemp, readFile, rm } from "fs/promises";
import { tmpdir } from "os";
import path from "path";
import { FIXTURES, JestRun, result, runFixtures } from "./run-jest";
import { plain } from "./servers";

jest.setTimeout(90_000);

const RACY = "races racy: expects the senders' messages in spawn order";
const AWKWARD =
  "races racy (names with [brackets], $dollars, |pipes|, .dots*, (parens), 'quotes' and \"double\")";

/** Runs a printed replay command (plus the fixtures' Jest config) in a shell; its report and exit code. */
async function runReplay(
  command: string,
): Promise<{ code: number; report: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "otpkit-replay-"));
  const out = path.join(dir, "report.json");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OTPKIT_") && !k.startsWith("JEST_")) env[k] = v;
  try {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
      exec(
        `${command} --config ${path.join(FIXTURES, "jest.config.js")} --ci --json --outputFile ${out}`,
        { cwd: path.join(__dirname, "..", ".."), env, maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stderr: plain(String(stderr)) }),
      ),
    );
    return { code, report: await readFile(out, "utf8").catch(() => ""), stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function replayOf(failure: string): string {
  const line = failure.split("\n").find((l) => l.startsWith("Replay: "));
  if (line === undefined) throw new Error(`no replay command in:\n${failure}`);
  return line.slice("Replay: ".length);
}

describe("the plain run's race check", () => {
  let first: JestRun;
  let second: JestRun;
  let off: JestRun;
  let envOff: JestRun;
  beforeAll(async () => {
    [first, second, off, envOff] = await Promise.all([
      runFixtures(["races.fixture.ts"]),
      runFixtures(["races.fixture.ts"]),
      runFixtures(["races-off.fixture.ts"]),
      runFixtures(["races.fixture.ts"], { OTPKIT_RACE_CHECK: "off" }),
    ]);
  });

  it("fails a test that depends on the order of two senders' messages, on its first plain run", () => {
    const r = result(first, RACY);
    expect(r.status).toBe("failed");
    expect(r.failure).toContain('Expected: "AB"');
    expect(r.failure).toContain('Received: "BA"');
  });

  it("fails a trapping server asked at once after its linked worker was killed", () => {
    expect(
      result(
        first,
        "races racy: a trapping server asked at once after its linked worker was killed",
      ).status,
    ).toBe("failed");
  });

  it("passes a test that accepts the senders' messages in any order", () => {
    expect(result(first, "races correct: accepts the senders' messages in any order").status).toBe(
      "passed",
    );
  });

  it("passes the fixed subscriber test (awaitDown, then syncWith)", () => {
    expect(
      result(first, "races correct: the fixed subscriber test (awaitDown, then syncWith)").status,
    ).toBe("passed");
  });

  it("names the deciding race in the failure", () => {
    const f = result(first, RACY).failure;
    expect(f).toMatch(/depends on the order of two deliveries to P\d+ from different senders/);
    expect(f).toMatch(/ {2}◆ P\d+ → P\d+: "A"\n {2}◆ P\d+ → P\d+: "B"/);
  });

  it("marks the deciding race in the chart", () => {
    const marked = result(first, RACY)
      .failure.split("\n")
      .filter((l) => /[─│●▶◀].*◆ [AB]$/.test(l));
    expect(marked).toHaveLength(2);
  });

  it("gives the coverage of racing pairs", () => {
    expect(result(first, RACY).failure).toContain(
      "Coverage: 1 racing pair(s) seen, 1 tried in both orders.",
    );
  });

  it("fails the same way on every run", () => {
    expect(result(second, RACY).failure).toBe(result(first, RACY).failure);
    expect(result(second, AWKWARD).failure).toBe(result(first, AWKWARD).failure);
  });

  it("is off for a test that calls noRaceCheck()", () => {
    expect(result(first, "races racy but opted out: noRaceCheck()").status).toBe("passed");
  });

  it("is off for a file that calls noRaceCheck() at its top", () => {
    expect(result(off, "racy, in a file that opted out").status).toBe("passed");
  });

  it("is off with OTPKIT_RACE_CHECK=off", () => {
    expect(result(envOff, RACY).status).toBe("passed");
  });

  it("prints a replay command that reproduces the failure alone, even for a name full of regex characters", async () => {
    const replay = replayOf(result(first, AWKWARD).failure);
    expect(replay).toMatch(/^OTPKIT_FOR=race OTPKIT_RACE='[\d>#/]+' npx jest /);
    const run = await runReplay(replay);
    expect(run.code).not.toBe(0);
    const report = JSON.parse(run.report) as {
      testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
    };
    const ran = report.testResults
      .flatMap((f) => f.assertionResults)
      .filter((a) => a.status !== "pending" && a.status !== "skipped");
    expect(ran.map((a) => [a.fullName, a.status])).toEqual([[AWKWARD, "failed"]]);
  });

  it("fails loudly when a replay selects no test", async () => {
    const replay = replayOf(result(first, AWKWARD).failure).replace("(names", "(no such name");
    const run = await runReplay(replay);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("OTPKIT_FOR=race was set, but no test of this file replayed it");
  });
});
