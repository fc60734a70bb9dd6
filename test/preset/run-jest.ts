/**
 * Runs Jest in a subprocess on fixture suites (test/preset/fixtures/*.fixture.ts)
 * and returns its JSON report: the way to test that a test fails, and how.
 */
import { execFile } from "child_process";
import { mkdtemp, readFile, rm } from "fs/promises";
import { tmpdir } from "os";
import path from "path";
import { plain } from "./servers";

/** One test of the report. */
export interface TestResult {
  fullName: string;
  status: "passed" | "failed" | "pending" | "todo" | "skipped" | "disabled" | "focused";
  /** The failure messages, without colour codes. */
  failure: string;
}

/** What a Jest run reported. */
export interface JestRun {
  exitCode: number;
  /** The tests by full name (describe + title). */
  tests: Map<string, TestResult>;
  /** Jest's stderr, for diagnosing a run that did not produce a report. */
  stderr: string;
}

const root = path.join(__dirname, "..", "..");
export const FIXTURES = path.join(__dirname, "fixtures");

/**
 * Runs the given fixture files (names in test/preset/fixtures) with Jest,
 * with `env` on top of a clean environment (no inherited OTPKIT_* variables).
 */
export async function runFixtures(
  files: string[],
  env: Record<string, string> = {},
): Promise<JestRun> {
  const dir = await mkdtemp(path.join(tmpdir(), "otpkit-fixture-"));
  const out = path.join(dir, "report.json");
  const cleanEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OTPKIT_") && !k.startsWith("JEST_")) cleanEnv[k] = v;
  try {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          require.resolve("jest/bin/jest"),
          "--config",
          path.join(FIXTURES, "jest.config.js"),
          "--runInBand",
          "--ci",
          "--json",
          "--outputFile",
          out,
          "--runTestsByPath",
          ...files.map((f) => path.join(FIXTURES, f)),
        ],
        { cwd: root, env: { ...cleanEnv, ...env }, maxBuffer: 16 * 1024 * 1024 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stderr: String(stderr) }),
      );
    });
    let report: { testResults: Array<{ assertionResults: Array<Record<string, unknown>> }> };
    try {
      report = JSON.parse(await readFile(out, "utf8"));
    } catch {
      throw new Error(`Jest produced no report (exit code ${code}):\n${stderr}`);
    }
    const tests = new Map<string, TestResult>();
    for (const file of report.testResults)
      for (const a of file.assertionResults)
        tests.set(String(a.fullName), {
          fullName: String(a.fullName),
          status: a.status as TestResult["status"],
          failure: plain((a.failureMessages as string[]).join("\n")),
        });
    return { exitCode: code, tests, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The result of the test named `name`, failing clearly if the run has no such test. */
export function result(run: JestRun, name: string): TestResult {
  const r = run.tests.get(name);
  if (r === undefined)
    throw new Error(
      `no test named ${JSON.stringify(name)} in the run; it has:\n${[...run.tests.keys()].join("\n")}\n${run.stderr}`,
    );
  return r;
}
