/**
 * `npm run demo` works: the built demo (`node dist/examples/demo.js`) exits
 * with 0 and tells the whole story — the scaffold commands, the generated
 * tests passing, the naive test failing under exploration with a seed, a
 * replay command and a chart, the replay failing the same way, the fixed
 * test passing under 1,000 schedules, the figures. Then the project it made
 * type-checks (strict), so the story's tests, kept as text in the demo, stay
 * honest.
 *
 * Needs a build (`npm test` runs it in pretest). The project goes to its own
 * folder under `.scratch/` (not the demo's default), removed after.
 */
import { spawnSync } from "child_process";
import { rmSync } from "fs";
import path from "path";

import { ROOT, assertBuilt } from "./support";
const DEMO = path.join(ROOT, "dist", "examples", "demo.js");
const DIR = path.join(".scratch", `demo-e2e-${process.pid}`);

/** The environment without OTPKIT_* and JEST_* variables. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OTPKIT_") && !k.startsWith("JEST_")) env[k] = v;
  return env;
}

let demo: { code: number | null; stdout: string; stderr: string; ms: number };
let lines: string[];

beforeAll(async () => {
  await assertBuilt(["examples", "runtime", "jest-preset", "generator"]);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [DEMO, "--dir", DIR], {
    cwd: ROOT,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 80_000,
  });
  demo = { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  lines = demo.stdout.split("\n");
}, 90_000);

afterAll(() => rmSync(path.join(ROOT, DIR), { recursive: true, force: true }));

/** The first line of stdout matching `re`, or a message showing the whole output. */
function line(re: RegExp): string {
  const l = lines.find((s) => re.test(s));
  if (l === undefined) throw new Error(`no line matches ${re} in:\n${demo.stdout}\n${demo.stderr}`);
  return l;
}

describe("npm run demo", () => {
  it("exits with 0, in under a minute", () => {
    expect([demo.code, demo.stderr.includes("demo:") ? demo.stderr : ""]).toEqual([0, ""]);
    expect(demo.ms).toBeLessThan(60_000);
  });

  it("opens with a title and the story", () => {
    expect(lines[0]).toBe("otpkit demo · the subscriber race");
    line(/^A server monitors its subscribers and drops one when its DOWN$/);
    line(/^A monitor is one process watching another/);
    line(/^DOWN is that message/);
  });

  it("act 1: scaffolds the server with the generator; its generated tests pass", () => {
    line(/^Act 1 · Scaffold the server {2}\d+\.\d+ s$/);
    line(/^ {2}\$ npx scaffold init$/);
    line(
      /^ {2}\$ npx scaffold genserver Subscribers --call subscribe:Pid --call subscribers --info down$/,
    );
    line(/^ {4}created src\/subscribers\.ts, test\/subscribers\.test\.ts$/);
    line(/^ {2}✓ Jest runs the 4 generated tests: all pass, unedited$/);
    line(/^ {4}return reply\(\[\.\.\.state\.watching\.values\(\)\], state\);$/);
  });

  it("act 2: the naive test fails on a plain run", () => {
    line(/^Act 2 · The naive test: kill A, then ask at once$/);
    line(/^ {2}✗ On a plain run it fails, as on the BEAM/);
  });

  it("act 2: the naive test fails under exploration: seed, replay command, chart; the replay fails the same way", () => {
    line(/^ {2}✗ Under explore\(\) it fails, at .+ of 1,000 schedules:$/);
    line(/^ {4}seed \d+.*\. To replay it, in \.scratch\/demo-e2e-\d+\/:$/);
    line(
      /^ {4}OTPKIT_FOR=explore:\d+ OTPKIT_SEED=\d+ (OTPKIT_CHOICES=\S+ )?npx jest test\/race\.test\.ts -t '\^a subscriber dies naive: under 1,000 schedules\$'$/,
    );
    const header = lines.findIndex((l) => /^\s+server\s+test\s+A(\s+B)?$/.test(l));
    expect(header).toBeGreaterThan(0);
    const chart = lines.slice(header, lines.indexOf("", header));
    expect(chart.some((l) => /call subscribers$/.test(l))).toBe(true);
    expect(chart.some((l) => /DOWN killed$/.test(l))).toBe(true);
    expect(chart.some((l) => /reply \[ A, B \]$/.test(l))).toBe(true);
    line(/^ {2}↻ Replayed: it fails again, with the same chart\. {2}\d+\.\d+ s$/);
  });

  it("act 3: the fixed test passes under 1,000 schedules", () => {
    line(/^Act 3 · The fixed test: wait for the server to take A's DOWN$/);
    line(/awaitSysEvent\(server, \{ kind: "in", msg: \{ kind: "DOWN", pid: a \} \}\);$/);
    line(/^ {2}✓ Under explore\(\) it passes, in all 1,000 schedules\./);
  });

  it("gives the figures, the checklist all ticked, and the verdict", () => {
    line(/^Figures$/);
    line(/^ {2}Jest: the 4 generated tests \.+ \d+\.\d+ s$/);
    line(/^ {2}Jest: 1 file, 3 tests \.+ \d+\.\d+ s$/);
    line(/^ {4}fixed, 1,000 schedules \.+ \d+\.\d+ s \(\d+\.\d+ ms each\)$/);
    line(/^ {2}demo, in all \.+ \d+(\.\d+)? s/);
    const checks = lines.slice(
      lines.indexOf("Expected") + 1,
      lines.indexOf("", lines.indexOf("Expected")),
    );
    expect(checks).toHaveLength(6);
    expect(checks.filter((l) => !l.startsWith("  ✓ "))).toEqual([]);
    line(/^As expected: /);
  });

  it("writes plain text when not on a terminal: no colours, no spinner; progress as lines on stderr", () => {
    expect(demo.stdout).not.toMatch(/\u001b|\r/); // eslint-disable-line no-control-regex
    expect(demo.stderr).toContain("… running Jest");
  });

  it("the project it made type-checks under tsc --strict, the story's tests included", () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(
      process.execPath,
      [tsc, "-p", ".", "--strict", "--noEmit", "--pretty", "false"],
      {
        cwd: path.join(ROOT, DIR),
        encoding: "utf8",
      },
    );
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 30_000);
});
