/**
 * The test file the demo adds to the scaffolded project: the seed story's
 * two tests, written as a user would against the generated server. That
 * server monitors the pids given to `start({ watch })` and drops one from
 * `state.watching` when its DOWN arrives, so the tests start it watching
 * two subscribers and read who is left with `sys.getState`.
 */

/** Where it goes in the project. */
export const FILE = "test/race.test.ts";
/** Schedules each explored test runs under. */
export const RUNS = 1000;

/** The lines that differ between the two tests, for the narrative. */
export const NAIVE_LINES = [
  `exit(a, "kill");`,
  `const { watching } = await sys.getState<State>(server);`,
  `expect(watching).toEqual([b]);`,
];
export const FIXED_LINES = [
  `const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });`,
  `exit(a, "kill");`,
  `await handled;`,
  `const { watching } = await sys.getState<State>(server);`,
  `expect(watching).toEqual([b]);`,
];

/** The tests' names, as Jest reports them (`describe` then `it`). */
export const TESTS = {
  naiveDefault: "a subscriber dies naive: on the default schedule",
  naiveExplored: `a subscriber dies naive: under ${RUNS.toLocaleString("en")} schedules`,
  fixedExplored: `a subscriber dies fixed: under ${RUNS.toLocaleString("en")} schedules`,
};

const body = (lines: string[]) => lines.map((l) => `  ${l}`).join("\n");

/** The file's text. */
export const TEXT = `/**
 * A subscriber dies: does the server drop it? The naive test asks at once;
 * the fixed one first waits for the server to take the DOWN.
 */
import { exit, spawn, sys } from "otpkit";
import { State, Subscribers } from "../src/subscribers";

/** A subscriber: a process that just waits, named in charts. */
const subscriber = (name: string) =>
  label(spawn(async (self) => void (await self.receive())), name);

/** The server, watching subscribers A and B. */
async function start() {
  const a = subscriber("A");
  const b = subscriber("B");
  const server = label(await Subscribers.start({ watch: [a, b] }), "server");
  return { server, a, b };
}

/** Kill A, then ask at once. */
async function naive() {
  const { server, a, b } = await start();
${body(NAIVE_LINES)}
}

/** Wait for the server to take A's DOWN (armed before the kill), then ask. */
async function fixed() {
  const { server, a, b } = await start();
${body(FIXED_LINES)}
}

describe("a subscriber dies", () => {
  it("naive: on the default schedule", naive);
  it("naive: under ${RUNS.toLocaleString("en")} schedules", () => explore(naive, { runs: ${RUNS} }));
  it("fixed: under ${RUNS.toLocaleString("en")} schedules", () => explore(fixed, { runs: ${RUNS} }));
});
`;
