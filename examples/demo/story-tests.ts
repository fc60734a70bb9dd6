/**
 * What the demo adds to the scaffolded project, as a user would: the one
 * line of logic the generated server leaves to fill in (`subscribers`
 * replies with the pids it watches), and the seed story's two tests,
 * written against the generated client functions (`subscribe` makes the
 * server monitor a process, `subscribers` asks who is left).
 */

/** The line to fill in: the generated placeholder and what replaces it. */
export const FILL_IN = {
  file: "src/subscribers.ts",
  generated: 'return reply(state.handled.length, record(state, "subscribers"));',
  mine: "return reply([...state.watching.values()], state);",
};

/** Where the tests go in the project. */
export const FILE = "test/race.test.ts";
/** Schedules each explored test runs under. */
export const RUNS = 1000;

/** The lines that differ between the two tests, for the narrative. */
export const NAIVE_LINES = [`exit(a, "kill");`, `expect(await subscribers(server)).toEqual([b]);`];
export const FIXED_LINES = [
  `const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });`,
  `exit(a, "kill");`,
  `await handled;`,
  `expect(await subscribers(server)).toEqual([b]);`,
];

/** The tests' names, as Jest reports them (`describe` then `it`). */
export const TESTS = {
  naiveDefault: "a subscriber dies naive: on the default schedule",
  naiveExplored: `a subscriber dies naive: under ${RUNS.toLocaleString("en")} schedules`,
  fixedExplored: `a subscriber dies fixed: under ${RUNS.toLocaleString("en")} schedules`,
};

const body = (lines: string[]) => lines.map((l) => `  ${l}`).join("\n");

/**
 * The test file's text. `specifier` is the import of the server module as
 * the project's tsconfig wants it (`../src/subscribers.js` under nodenext).
 */
export const text = (specifier: string) => `/**
 * A subscriber dies: does the server drop it? The naive test asks at once;
 * the fixed one first waits for the server to take the DOWN.
 */
import { exit, spawn } from "otpkit";
import { Subscribers, subscribe, subscribers } from "${specifier}";

/** A subscriber: a process that just waits, named in charts. */
const subscriber = (name: string) =>
  label(spawn(async (self) => void (await self.receive())), name);

/** The server, with subscribers A and B (it monitors each). */
async function start() {
  const server = label(await Subscribers.start(undefined), "server");
  const a = subscriber("A");
  const b = subscriber("B");
  await subscribe(server, a);
  await subscribe(server, b);
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
