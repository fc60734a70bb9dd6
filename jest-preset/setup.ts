/**
 * The preset's setup file (`setupFilesAfterEnv`): a fresh node per test,
 * cleanup after it, the helpers as globals and the matchers registered.
 */
import { beginTest, endTest, testState } from "./context";
import { testTimedOut, timeoutDiagnostics } from "./diagnostics";
import * as helpers from "./index";

const g = globalThis as Record<string, unknown>;
for (const name of [
  "syncWith",
  "awaitDown",
  "awaitSysEvent",
  "holdAt",
  "testProcess",
  "explore",
  "findFailingSchedule",
  "label",
  "expectCrash",
  "failOnLeftovers",
] as const)
  g[name] = helpers[name];

expect.extend(helpers.matchers as never);

beforeEach(() => {
  beginTest(`${expect.getState().testPath ?? ""} ${expect.getState().currentTestName ?? ""}`);
});

afterEach(() => {
  const s = testState();
  const timedOut = s !== null && testTimedOut() ? timeoutDiagnostics(s.node) : null;
  const problems = endTest();
  if (timedOut !== null) problems.unshift(timedOut);
  if (problems.length > 0) throw new Error(problems.join("\n\n"));
});
