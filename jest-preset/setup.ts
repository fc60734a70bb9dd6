/**
 * The preset's setup file (`setupFilesAfterEnv`): a fresh node per test,
 * cleanup after it, the helpers as globals and the matchers registered.
 */
import { beginTest, endTest } from "./context";
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
  const problems = endTest();
  if (problems.length > 0) throw new Error(problems.join("\n\n"));
});
