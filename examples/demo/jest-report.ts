/**
 * Jest run as a child process in the project, its `--json` report parsed:
 * each test's status, duration and failure messages.
 */
import { JEST } from "./paths";
import { Ran, runNode } from "./run";

/** One test in Jest's report. */
export interface TestResult {
  fullName: string;
  status: string;
  duration?: number | null;
  failureMessages: string[];
}

/** One test file in Jest's report. */
export interface FileResult {
  /** The file's absolute path. */
  name: string;
  message: string;
  assertionResults: TestResult[];
}

/** Jest's `--json` report (the fields the demo reads). */
export interface Report {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: FileResult[];
}

/** A Jest run: the process, and its report if it wrote one. */
export interface JestRun {
  ran: Ran;
  report: Report | undefined;
}

/** Runs `jest --ci --json ...args` in `dir` with `env`. */
export async function runJest(
  dir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<JestRun> {
  const ran = await runNode([JEST, "--ci", "--json", "--watchman=false", ...args], dir, env);
  let report: Report | undefined;
  try {
    report = JSON.parse(ran.stdout) as Report;
  } catch {
    report = undefined;
  }
  return { ran, report };
}

/** The results of the tests in `file` (a path ending), or [] if it did not run. */
export function testsIn(report: Report | undefined, file: string): TestResult[] {
  const f = report?.testResults.find((r) => r.name.replace(/\\/g, "/").endsWith(file));
  return f?.assertionResults ?? [];
}

/** The test named `fullName`, if it ran. */
export function testNamed(report: Report | undefined, fullName: string): TestResult | undefined {
  for (const f of report?.testResults ?? [])
    for (const t of f.assertionResults) if (t.fullName === fullName) return t;
  return undefined;
}

/** Without terminal colour codes. */
export const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, ""); // eslint-disable-line no-control-regex
