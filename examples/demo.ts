/**
 * `npm run demo`: the story otpkit exists for, told end to end as a
 * newcomer would live it.
 *
 * A server monitors its subscribers and drops one when its DOWN arrives. A
 * test kills a subscriber and at once asks the server who is left. The DOWN
 * and the question come from different senders, so either may arrive first.
 *
 * In a fresh project under `.scratch/demo/` (ignored by git, recreated each
 * run) the demo scaffolds the server with the generator and runs its
 * generated tests; fills in the one line of logic left to the user and adds
 * the naive test and the fixed one; runs them with Jest and the preset as a
 * child process (`--json`) and tells what happened: the naive test fails
 * under exploration, with a seed, a replay command (run again to show it
 * fails the same way) and the interleaving; the test that waits for the
 * server's own `in DOWN` sys event passes under every schedule. Exit code 0
 * when all of that holds, 1 otherwise.
 *
 * `--dir <folder>` (inside `.scratch/`) puts the project elsewhere.
 */
import { readFile } from "fs/promises";
import { join, relative } from "path";
import { ExploreFailure, parseExploreFailure, parseReplay } from "./demo/explore-failure";
import { JestRun, TestResult, runJest, testNamed, testsIn } from "./demo/jest-report";
import { REPO, withProgress } from "./demo/paths";
import { SCAFFOLD, addFile, createProject, fillIn, scaffold, scratchDir } from "./demo/project";
import { FILE, FILL_IN, FIXED_LINES, NAIVE_LINES, RUNS, TESTS, text } from "./demo/story-tests";
import { bold, count, cyan, dim, leader, mark, red, seconds } from "./demo/style";

const GENERATED_TESTS = "test/subscribers.test.ts";

const say = (line = "") => process.stdout.write(line + "\n");
const code = (lines: string[]) => lines.forEach((l) => say(`    ${cyan(l)}`));
const act = (n: number, title: string, ms?: number) => {
  say();
  const head = `Act ${n} · ${title}`;
  say(ms === undefined ? bold(head) : `${bold(head)}  ${dim(seconds(ms))}`);
};

/** What must hold for the demo to succeed; each is checked as the story goes. */
const expected = {
  scaffold: "the generator scaffolds the server and its tests; one line to fill in",
  generated: "the generated tests pass, unedited",
  plain: "the naive test fails on a plain run (npx jest, no options)",
  naive: "the naive test fails under exploration: seed, replay, chart",
  replay: "its replay command fails the same way",
  fixed: `the fixed test passes under all ${count(RUNS)} schedules`,
};
const seen = new Map<keyof typeof expected, boolean>();

function intro(where: string): void {
  const title = "otpkit demo · the subscriber race";
  say(bold(title));
  say(dim("═".repeat(title.length)));
  say();
  say("A server monitors its subscribers and drops one when its DOWN");
  say("arrives. A test kills subscriber A, then at once asks the server");
  say("who is left. The DOWN (sent on A's behalf) and the question (sent");
  say("by the test) come from different senders: either may arrive first.");
  say();
  say(`Below, in a fresh project (${where}), we scaffold the server,`);
  say("add a naive test and a fixed one, and run them with Jest.");
  say(dim("A monitor is one process watching another: when the watched one"));
  say(dim("ends, for any reason, the watcher is told with a message."));
  say(dim('DOWN is that message ({ kind: "DOWN", ref, pid, reason }), sent'));
  say(dim("by the runtime on behalf of the process that ended."));
}

/** Act 1: the project and the scaffold commands. */
async function actScaffold(dir: string): Promise<boolean> {
  const t0 = performance.now();
  const steps = await withProgress("scaffolding the server", async () => {
    await createProject(dir);
    return scaffold(dir);
  });
  act(1, "Scaffold the server", performance.now() - t0);
  for (const s of steps) {
    say(`  ${dim("$")} npx scaffold ${s.args.join(" ")}`);
    if (s.created.length > 0) say(dim(`    created ${s.created.join(", ")}`));
  }
  const failed = steps.find((s) => s.ran.code !== 0);
  const ok = failed === undefined && steps.length === SCAFFOLD.length;
  seen.set("scaffold", ok);
  if (failed !== undefined) {
    say(red(`  scaffold exited with ${failed.ran.code}:`));
    for (const l of (failed.ran.stderr || failed.ran.stdout).trim().split("\n").slice(0, 15))
      say(`    ${l}`);
  }
  say(dim("    subscribe(server, pid) makes the server monitor pid; its DOWN"));
  say(dim("    handler drops the pid; subscribers(server) is left to us."));
  return ok;
}

/** The line of logic the generated server leaves to the user, and the story's tests. */
async function addOurs(dir: string): Promise<boolean> {
  const filled = await fillIn(dir, FILL_IN.file, FILL_IN.generated, FILL_IN.mine);
  if (!filled) {
    seen.set("scaffold", false);
    say(red(`  ${FILL_IN.file} has no line ${FILL_IN.generated}`));
    return false;
  }
  // The import of the server as the generated test writes it (the project's tsconfig decides).
  const generated = await readFile(join(dir, GENERATED_TESTS), "utf8");
  const specifier =
    /from "(\.\.\/src\/subscribers[^"]*)"/.exec(generated)?.[1] ?? "../src/subscribers";
  await addFile(dir, FILE, text(specifier));
  say(`  ${dim("+")} we fill in subscribers' one line in ${FILL_IN.file}:`);
  code([FILL_IN.mine]);
  say(`  ${dim("+")} we add ${FILE}: the naive test and the fixed one`);
  return true;
}

/** The generated tests' results, under Act 1. */
function generatedTests(jest: JestRun): void {
  const tests = testsIn(jest.report, GENERATED_TESTS);
  const passed = tests.filter((t) => t.status === "passed").length;
  const ok = tests.length > 0 && passed === tests.length;
  seen.set("generated", ok);
  say(
    `  ${mark(ok)} Jest runs the ${tests.length} generated tests: ` +
      (ok ? "all pass, unedited" : `${passed} pass`),
  );
  if (!ok) failureDetails(tests);
}

/** The first lines of the failure messages of `tests`. */
function failureDetails(tests: TestResult[]): void {
  for (const t of tests.filter((t) => t.status !== "passed")) {
    say(red(`    ${t.status}: ${t.fullName}`));
    for (const l of t.failureMessages.join("\n").split("\n").slice(0, 12)) say(`      ${l}`);
  }
}

/** Act 2: the naive test, on the default schedule and explored; then its replay. */
async function actNaive(
  dir: string,
  where: string,
  jest: JestRun,
): Promise<{ failure?: ExploreFailure; replayMs?: number }> {
  act(2, "The naive test: kill A, then ask at once");
  code(NAIVE_LINES);
  say();
  const plain = testNamed(jest.report, TESTS.naiveDefault);
  const caught = plain?.status === "failed";
  seen.set("plain", caught);
  if (caught) {
    say(`  ${mark(false)} On a plain run it fails, as on the BEAM: the kill is a signal`);
    say("    that lands after exit() returns, so the question reaches the server");
    say("    before A's DOWN. (Where a plain run's order happens to pass, the");
    say("    preset re-runs the test with racing deliveries swapped.)");
  } else
    say(
      `  ${mark(false)} On a plain run it ${plain?.status ?? "did not run"}: the race went unseen.`,
    );

  const explored = testNamed(jest.report, TESTS.naiveExplored);
  const failure =
    explored?.status === "failed"
      ? parseExploreFailure(explored.failureMessages.join("\n"))
      : undefined;
  seen.set("naive", failure !== undefined);
  if (failure === undefined) {
    say(
      `  ${mark(true)} Under explore() it ${explored?.status ?? "did not run"}: the race went unseen.`,
    );
    if (explored !== undefined) failureDetails([explored]);
    return {};
  }
  const at = failure.run === 1 ? "the first" : `schedule ${count(failure.run)}`;
  say(`  ${mark(false)} Under explore() it fails, at ${at} of ${count(RUNS)} schedules:`);
  const forced = failure.forced === 0 ? "" : `, shrunk to ${failure.forced} forced choice(s)`;
  say(`    seed ${failure.seed}${forced}. To replay it, in ${where}:`);
  say(`    ${cyan(failure.replay)}`);
  say();
  const indent = Math.min(...failure.chart.filter((l) => l.trim()).map((l) => l.search(/\S/)));
  for (const l of failure.chart) say(`    ${l.slice(indent)}`);
  say();
  const question = failure.chart.findIndex((l) => l.includes("call subscribers"));
  const down = failure.chart.findIndex((l) => l.includes("DOWN"));
  if (question !== -1 && (down === -1 || question < down)) {
    say("    The question overtook A's DOWN: the server answered first,");
    say("    and its reply still lists A.");
  }

  const replay = parseReplay(failure.replay);
  const again =
    replay &&
    (await withProgress("replaying the failing schedule", () =>
      runJest(dir, [replay.file, "-t", replay.pattern], replay.env),
    ));
  const rerun = again ? testNamed(again.report, TESTS.naiveExplored) : undefined;
  const second =
    rerun?.status === "failed" ? parseExploreFailure(rerun.failureMessages.join("\n")) : undefined;
  const same =
    second !== undefined &&
    second.seed === failure.seed &&
    second.chart.join("\n") === failure.chart.join("\n");
  seen.set("replay", same);
  const ms = again ? `  ${dim(seconds(again.ran.ms))}` : "";
  say(
    same
      ? `  ${cyan("↻")} Replayed: it fails again, with the same chart.${ms}`
      : `  ${red("Replayed: it did not fail the same way")} (${rerun?.status ?? "did not run"}).${ms}`,
  );
  return { failure, replayMs: again ? again.ran.ms : undefined };
}

/** Act 3: the fixed test, explored. */
function actFixed(jest: JestRun): void {
  act(3, "The fixed test: wait for the server to take A's DOWN");
  code(FIXED_LINES);
  say();
  const fixed = testNamed(jest.report, TESTS.fixedExplored);
  const ok = fixed?.status === "passed";
  seen.set("fixed", ok);
  const ms = fixed?.duration ? `  ${dim(seconds(fixed.duration))}` : "";
  if (ok) {
    say(`  ${mark(true)} Under explore() it passes, in all ${count(RUNS)} schedules.${ms}`);
    say("    awaitSysEvent hooks into the server (through sys) before the");
    say("    kill, so no schedule can slip the DOWN past it. No sleeping.");
  } else {
    say(`  ${mark(false)} Under explore() it ${fixed?.status ?? "did not run"}.${ms}`);
    if (fixed !== undefined) failureDetails([fixed]);
  }
}

/** Whether Jest wrote its report; if not, says so with the end of its stderr. */
function reported(jest: JestRun): boolean {
  if (jest.report !== undefined) return true;
  say(red(`  Jest wrote no report (exit code ${jest.ran.code}):`));
  for (const l of jest.ran.stderr.trim().split("\n").slice(-20)) say(`    ${l}`);
  return false;
}

/** The timings. */
function figures(
  scaffoldMs: number,
  generated: JestRun | undefined,
  jest: JestRun | undefined,
  replayMs: number | undefined,
  totalMs: number,
): void {
  say();
  say(bold("Figures"));
  say(`  ${leader("scaffold init + genserver", seconds(scaffoldMs))}`);
  if (generated !== undefined) {
    const n = generated.report?.numTotalTests ?? 0;
    say(`  ${leader(`Jest: the ${n} generated tests`, seconds(generated.ran.ms))}`);
  }
  if (jest !== undefined) {
    const n = jest.report?.numTotalTests ?? 0;
    const files = jest.report?.testResults.length ?? 0;
    say(`  ${leader(`Jest: ${files} file, ${n} tests`, seconds(jest.ran.ms))}`);
    const d = (name: string) => testNamed(jest.report, name)?.duration ?? undefined;
    const fixed = d(TESTS.fixedExplored);
    const naive = d(TESTS.naiveExplored);
    if (naive !== undefined)
      say(`    ${leader("naive, explored until it failed", seconds(naive), 38)}`);
    if (fixed !== undefined && seen.get("fixed") === true)
      say(
        `    ${leader(`fixed, ${count(RUNS)} schedules`, seconds(fixed), 38)} ${dim(`(${(fixed / RUNS).toFixed(2)} ms each)`)}`,
      );
    else if (fixed !== undefined) say(`    ${leader("fixed, explored", seconds(fixed), 38)}`);
  }
  if (replayMs !== undefined) say(`  ${leader("replay", seconds(replayMs))}`);
  say(`  ${leader("demo, in all", seconds(totalMs))} ${dim("(after the build)")}`);
}

/** The checklist and the verdict; the exit code. */
function verdict(): number {
  say();
  say(bold("Expected"));
  const keys = Object.keys(expected) as Array<keyof typeof expected>;
  for (const k of keys) say(`  ${mark(seen.get(k) === true)} ${expected[k]}`);
  const ok = keys.every((k) => seen.get(k) === true);
  say();
  if (ok) {
    say("As expected: the naive test races, a plain run catches it, and");
    say("exploration shows it with a seed to replay; the test that watches");
    say("the server passes always.");
    say(dim("Next: README.md, docs/testing.md, examples/subscribers/."));
  } else say(red("UNEXPECTED: see the ✗ above. The demo exits with code 1."));
  return ok ? 0 : 1;
}

function dirArgument(): string {
  const i = process.argv.indexOf("--dir");
  return i === -1 ? ".scratch/demo" : (process.argv[i + 1] ?? "");
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const dir = scratchDir(dirArgument());
  const where = `${relative(REPO, dir).replace(/\\/g, "/")}/`;
  intro(where);

  const scaffolded = await actScaffold(dir);
  const scaffoldMs = performance.now() - t0;
  let generated: JestRun | undefined;
  let jest: JestRun | undefined;
  let replayMs: number | undefined;
  if (scaffolded) {
    generated = await withProgress("running Jest: the generated tests", () =>
      runJest(dir, [GENERATED_TESTS]),
    );
    if (reported(generated)) generatedTests(generated);
  }
  if (scaffolded && (await addOurs(dir))) {
    jest = await withProgress("running Jest: the story's tests", () => runJest(dir, [FILE]));
    if (reported(jest)) {
      replayMs = (await actNaive(dir, where, jest)).replayMs;
      actFixed(jest);
    }
  }
  figures(scaffoldMs, generated, jest, replayMs, performance.now() - t0);
  return verdict();
}

main().then(
  (exitCode) => (process.exitCode = exitCode),
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
