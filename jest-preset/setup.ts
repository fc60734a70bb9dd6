/**
 * The preset's setup file (`setupFilesAfterEnv`): a fresh node per test,
 * cleanup after it, the helpers as globals and the matchers registered.
 */
import { beginTest, endTest, testState } from "./context";
import { testTimedOut, timeoutDiagnostics } from "./diagnostics";
import * as helpers from "./index";
import { raceCheckEnabled, wrapTestFunctions } from "./races";
import { replayTarget, replayWasUsed } from "./replay";

const g = globalThis as Record<string, unknown>;
Object.assign(g, helpers.globals);

// Each test body gets the plain run's race check (see races.ts).
wrapTestFunctions(g);

expect.extend(helpers.matchers as never);

beforeEach(() => {
  beginTest(
    `${expect.getState().testPath ?? ""} ${expect.getState().currentTestName ?? ""}`,
    raceCheckEnabled(),
  );
});

// A replay command (OTPKIT_FOR) that selected no test must not pass silently: when the file's
// run ends (jest-circus's run_finish event; hooks do not run when -t filtered every test out),
// the error thrown fails the file (exit code 1).
const handlers = (globalThis as Record<symbol, unknown>)[Symbol.for("EVENT_HANDLERS")];
if (replayTarget() !== undefined && Array.isArray(handlers))
  handlers.push((event: { name: string }) => {
    if (event.name !== "run_finish" || replayWasUsed()) return;
    throw new Error(
      `OTPKIT_FOR=${replayTarget()} was set, but no test of this file replayed it: the -t ` +
        `pattern selected no test (or another one). Copy the replay command exactly as printed.`,
    );
  });

afterEach(() => {
  const s = testState();
  const timedOut = s !== null && testTimedOut() ? timeoutDiagnostics(s.node) : null;
  const problems = endTest();
  if (timedOut !== null) problems.unshift(timedOut);
  if (problems.length > 0) throw new Error(problems.join("\n\n"));
});
