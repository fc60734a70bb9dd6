/**
 * End to end: pack the three packages, install them in a fresh TypeScript
 * project (the runtime `otpkit` as a dependency, `@otpkit/jest` as a dev
 * dependency) whose whole Jest set-up is `"jest": { "preset": "otpkit" }`
 * (forwarded to @otpkit/jest), run Jest there
 * and check that the user's tests pass, that deliberately failing ones print
 * the helpers' diagnostics, and that the tests type-check (strict) with
 * `"types": ["node", "jest", "otpkit/jest"]`. A production install of the
 * same project (`--omit=dev`) gets the runtime alone, and it runs.
 *
 * Needs a build (`npm test` runs it in pretest) and the npm registry (or its
 * cache); nothing else from the network.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "fs/promises";
import { tmpdir } from "os";
import path from "path";
import { type Packed, type PackageName, ROOT, type Result, packAll, sh, strip } from "./support";

// ---- the user's project ----

const SERVERS = `
import { From, GenServer, Pid, Ref, isDown, noreply, ok, reply, spawn, stop } from "otpkit";

type State = Map<Ref, Pid>;

/** Monitors its subscribers and drops one when its DOWN arrives. */
export const Subscribers = GenServer.define({
  name: "Subscribers",
  init: (_: void) => ok<State>(new Map()),
  handleCall: {
    subscribe(pid: Pid, _from: From, s: State) {
      s.set(this.monitor(pid), pid);
      return reply("ok" as const, s);
    },
    list(_: void, _from: From, s: State) {
      return reply([...s.values()], s);
    },
  },
  handleInfo(msg, s: State) {
    if (isDown(msg)) s.delete(msg.ref);
    return noreply(s);
  },
});

export const Counter = GenServer.define({
  name: "Counter",
  init: (n: number) => ok(n),
  handleCall: {
    get: (_: void, _from: From, n: number) => reply(n, n),
    stop: (reason: string, _from: From, n: number) => stop(reason, n),
  },
  handleCast: {
    inc: (by: number, n: number) => noreply(n + by),
    arm: (ms: number, n: number) => noreply(n, { timeout: ms }),
    crash: (_: void, _n: number): never => {
      throw new Error("user server boom");
    },
  },
  handleInfo: (msg: unknown, n: number) => noreply(msg === "timeout" ? -n : n),
});

export const idle = () => spawn(async (self) => void (await self.receive(() => false)));
`;

const PASSING = `
import { Node, Pid, currentNode, exit, isAlive, isExit, send } from "otpkit";
import * as testing from "otpkit/testing";
import { Counter, Subscribers, idle } from "./servers";

let earlier: { node: Node; pid: Pid } | undefined;

describe("otpkit in a user's project", () => {
  it("the helpers are globals: awaitSysEvent armed before the kill", async () => {
    const server = await Subscribers.start(undefined);
    const a = idle();
    await Subscribers.call(server, "subscribe", a);
    const handled = awaitSysEvent(server, { kind: "in", msg: { kind: "DOWN", pid: a } });
    exit(a, "kill");
    await handled;
    expect(await Subscribers.call(server, "list")).toEqual([]);
    earlier = { node: currentNode(), pid: server };
  });

  it("each test runs on a fresh node; the earlier test's processes were stopped", async () => {
    expect(earlier).toBeDefined();
    expect(currentNode()).not.toBe(earlier!.node);
    expect(isAlive(earlier!.pid)).toBe(false);
    expect(earlier!.node.processes()).toEqual([]);
  });

  it("awaitDown then syncWith passes under 300 random schedules", async () => {
    await explore(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        const b = idle();
        await Subscribers.call(server, "subscribe", a);
        await Subscribers.call(server, "subscribe", b);
        exit(a, "kill");
        expect(await awaitDown(a)).toBe("killed");
        await syncWith(server);
        expect(await Subscribers.call(server, "list")).toEqual([b]);
      },
      { runs: 300 },
    );
  });

  it("findFailingSchedule finds the naive version's race", async () => {
    const failure = await findFailingSchedule(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        await Subscribers.call(server, "subscribe", a);
        exit(a, "kill");
        expect(await Subscribers.call(server, "list")).toEqual([]);
      },
      { runs: 100 },
    );
    expect(failure).toBeDefined();
    expect(failure!.replay).toMatch(/^OTPKIT_FOR=explore:\\d+ OTPKIT_SEED=\\d+/);
  });

  it("the test as a process: send, monitor, trap exits, assertReceive, refuteReceive", async () => {
    const me = testProcess();
    me.processFlag("trapExit", true);
    const a = idle();
    me.link(a);
    exit(a, "bye");
    const ex = await me.assertReceive((m) => isExit(m, a));
    expect(ex).toMatchObject({ reason: "bye" });
    send(me.pid, { n: 1 });
    expect(await me.assertReceive({ n: 1 })).toEqual({ n: 1 });
    await me.refuteReceive((m) => m === "never", { timeout: 10 });
  });

  it("the matchers: toHaveState, toBeAlive and .not, toExitWith", async () => {
    const server = await Counter.start(1);
    Counter.cast(server, "inc", 2);
    await expect(server).toHaveState(3);
    await expect(server).not.toHaveState(4);
    await expect(server).toBeAlive();
    await expect(Counter.call(server, "stop", "done")).toExitWith("done");
    await expect(server).not.toBeAlive();
    await expect(server).toExitWith("done");
  });

  it("holdAt: a call times out while the server is held; it still replies after release", async () => {
    const server = await Counter.start(5);
    const hold = holdAt(server, { kind: "in", msg: { request: { name: "get" } } });
    const call = Counter.call(server, "get", undefined, { timeout: 10 });
    await hold.reached;
    await expect(call).toExitWith("timeout");
    const out = awaitSysEvent(server, { kind: "out" });
    hold.release();
    const ev = await out;
    expect(ev.kind === "out" && ev.msg).toBe(5);
    await expect(server).toBeAlive();
  });

  it("jest.useFakeTimers(): a server's timeout result, advanced by the test", async () => {
    jest.useFakeTimers();
    try {
      const server = await Counter.start(7);
      Counter.cast(server, "arm", 60_000);
      await awaitSysEvent(server, { kind: "noreply" });
      const timedOut = awaitSysEvent(server, { kind: "in", msg: "timeout" });
      jest.advanceTimersByTime(60_000);
      await timedOut;
      await expect(server).toHaveState(-7);
    } finally {
      jest.useRealTimers();
    }
  });

  it("otpkit/testing exports the very functions the globals are", () => {
    expect(testing.awaitDown).toBe(awaitDown);
    expect(testing.syncWith).toBe(syncWith);
    expect(testing.awaitSysEvent).toBe(awaitSysEvent);
    expect(testing.explore).toBe(explore);
  });

  it("expectCrash() allows a crash", async () => {
    expectCrash();
    const me = testProcess();
    const server = await Counter.start(0);
    me.monitor(server);
    Counter.cast(server, "crash");
    await me.assertReceive({ kind: "DOWN", pid: server });
  });
});
`;

const FAILING = `
import { exit, spawn } from "otpkit";
import { Counter, Subscribers, idle } from "./servers";

describe("diagnostics", () => {
  it("an awaitSysEvent that never matches", async () => {
    const server = await Counter.start(0);
    Counter.cast(server, "inc", 1);
    await awaitSysEvent(server, { kind: "in", msg: "never" }, { timeout: 50 });
  });

  it("a crash nobody watched", async () => {
    const me = testProcess();
    spawn((self) => {
      self.send(me.pid, "crashing");
      throw new Error("unwatched user boom");
    });
    await me.assertReceive("crashing");
  });

  it("a racy test under exploration", async () => {
    await explore(
      async () => {
        const server = await Subscribers.start(undefined);
        const a = idle();
        await Subscribers.call(server, "subscribe", a);
        exit(a, "kill");
        expect(await Subscribers.call(server, "list")).toEqual([]);
      },
      { runs: 100 },
    );
  });

  it("a passing test next to them", async () => {
    await expect(awaitDown(spawn(() => {}))).resolves.toBe("normal");
  });
});
`;

// ---- the run ----

jest.setTimeout(180_000);

let dir = "";
let packed: Record<PackageName, Packed>;
let install: Result;
let jestRun: Result;
let tsc: Result;
/** The Jest 29 the preset is also tested with. */
const JEST_29 = "29.7.0";

/** npm's stderr without its warnings (which depend on the machine's npm config). */
const errorsOf = (r: Result) =>
  r.stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("npm warn"))
    .join("\n");

/** What no package may ship: tests, TypeScript sources (declarations are fine), build info. */
const UNWANTED = /(^|\/)test\/|\.test\.[jt]s$|\.ts$(?<!\.d\.ts)|\.tsbuildinfo$/;

let project = "";
type Assertion = { fullName: string; status: string; failureMessages: string[] };
let report: {
  success: boolean;
  testResults: Array<{ name: string; assertionResults: Assertion[] }>;
};
let seconds = 0;

function testsOf(file: string): Map<string, Assertion> {
  const r = report.testResults.find((t) => t.name.endsWith(file));
  if (r === undefined)
    throw new Error(`no results for ${file}:\n${jestRun.stdout}\n${jestRun.stderr}`);
  return new Map(r.assertionResults.map((a) => [a.fullName, a]));
}

beforeAll(async () => {
  const t0 = Date.now();
  dir = await mkdtemp(path.join(tmpdir(), "otpkit-e2e-"));
  packed = await packAll(dir);

  const own = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
  project = path.join(dir, "project");
  await mkdir(path.join(project, "test"), { recursive: true });
  const dev = own.devDependencies as Record<string, string>;
  await writeFile(
    path.join(project, "package.json"),
    JSON.stringify(
      {
        name: "otpkit-e2e-user",
        version: "1.0.0",
        private: true,
        jest: { preset: "otpkit" },
        dependencies: { otpkit: `file:${packed.otpkit.tarball}` },
        devDependencies: {
          "@otpkit/jest": `file:${packed["@otpkit/jest"].tarball}`,
          jest: dev.jest,
          typescript: dev.typescript,
          "@types/jest": dev["@types/jest"],
          "@types/node": dev["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  await writeFile(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2022",
        module: "node16",
        moduleResolution: "node16",
        strict: true,
        noEmit: true,
        types: ["node", "jest", "otpkit/jest"],
      },
      include: ["test"],
    }),
  );
  await writeFile(path.join(project, "test", "servers.ts"), SERVERS);
  await writeFile(path.join(project, "test", "user.test.ts"), PASSING);
  await writeFile(path.join(project, "test", "diagnostics.test.ts"), FAILING);

  install = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project);
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stderr}`);

  [jestRun, tsc] = await Promise.all([
    sh("npx", ["--no", "--", "jest", "--ci", "--json", "--outputFile=report.json"], project),
    sh("npx", ["--no", "--", "tsc", "-p", "tsconfig.json", "--pretty", "false"], project),
  ]);
  try {
    report = JSON.parse(await readFile(path.join(project, "report.json"), "utf8"));
  } catch {
    throw new Error(`Jest wrote no report:\n${jestRun.stdout}\n${jestRun.stderr}`);
  }
  seconds = (Date.now() - t0) / 1000;
});

afterAll(async () => {
  if (dir && process.env.OTPKIT_E2E_KEEP === undefined)
    await rm(dir, { recursive: true, force: true });
});

describe("the packed package in a fresh TypeScript project with preset: 'otpkit'", () => {
  it("the runtime package ships its code and types, the forwarding entries, no sources or tests", () => {
    const files = packed.otpkit.files;
    for (const f of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/testing-hooks.d.ts",
      "forward/jest-preset.js",
      "forward/jest.d.ts",
      "forward/testing.js",
      "package.json",
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => UNWANTED.test(f))).toEqual([]);
  });

  it("the runtime's published types hold no internals (the process record, the server loop, the scheduler)", async () => {
    const dist = path.join(project, "node_modules", "otpkit", "dist");
    const types = (
      await Promise.all(
        packed.otpkit.files
          .filter((f) => f.endsWith(".d.ts"))
          .map((f) => readFile(path.join(dist, "..", f), "utf8")),
      )
    ).join("\n");
    for (const internal of [
      "class Proc ",
      "class ServerLoop",
      "class Scheduler",
      "class Mailbox",
      "function debugOf",
      "function answerSystem",
      "spawnProc(",
    ])
      expect([internal, types.includes(internal)]).toEqual([internal, false]);
  });

  it("the runtime package is lean: no dependencies, under 500 KB unpacked", async () => {
    const manifest = JSON.parse(
      await readFile(path.join(project, "node_modules", "otpkit", "package.json"), "utf8"),
    );
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(packed.otpkit.unpackedSize).toBeLessThan(500 * 1024);
  });

  it("a production install (--omit=dev) has the runtime alone, and it runs", async () => {
    const prod = path.join(dir, "prod");
    await mkdir(prod);
    await writeFile(
      path.join(prod, "package.json"),
      await readFile(path.join(project, "package.json"), "utf8"),
    );
    await writeFile(
      path.join(prod, "main.js"),
      `const { GenServer, ok, reply } = require("otpkit");
const Echo = GenServer.define({ init: () => ok(0), handleCall: { echo: (x, _f, s) => reply(x, s) } });
Echo.start().then((p) => Echo.call(p, "echo", "pong")).then((r) => console.log(r));
`,
    );
    const install = await sh("npm", ["install", "--omit=dev", "--no-audit", "--no-fund"], prod);
    expect(install.code).toBe(0);
    const modules = await sh("npm", ["ls", "--omit=dev", "--all", "--parseable"], prod);
    const installed = modules.stdout
      .split("\n")
      .filter((l) => l.includes("node_modules"))
      .map((l) => path.relative(path.join(prod, "node_modules"), l));
    expect(installed).toEqual(["otpkit"]);
    const run = await sh("node", ["main.js"], prod);
    expect([run.code, run.stdout.trim()]).toEqual([0, "pong"]);
  });

  it("Jest 29: the user's tests pass with the preset too (the peer range says ^29 || ^30)", async () => {
    const old = path.join(dir, "jest29");
    await mkdir(path.join(old, "test"), { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(project, "package.json"), "utf8"));
    manifest.devDependencies = {
      "@otpkit/jest": manifest.devDependencies["@otpkit/jest"],
      jest: JEST_29,
    };
    await writeFile(path.join(old, "package.json"), JSON.stringify(manifest, null, 2));
    for (const f of ["servers.ts", "user.test.ts"])
      await writeFile(
        path.join(old, "test", f),
        await readFile(path.join(project, "test", f), "utf8"),
      );
    const install = await sh("npm", ["install", "--no-audit", "--no-fund"], old);
    expect([install.code, errorsOf(install)]).toEqual([0, ""]);
    const run = await sh("npx", ["--no", "--", "jest", "--ci"], old);
    expect(strip(run.stderr)).toMatch(/Tests: {7}10 passed, 10 total/);
    expect(run.code).toBe(0);
  });

  it("the preset package ships the preset, the helpers and their types, no sources or tests", () => {
    const files = packed["@otpkit/jest"].files;
    for (const f of ["jest-preset.js", "dist/setup.js", "dist/index.d.ts", "dist/globals.d.ts"])
      expect(files).toContain(f);
    expect(files.filter((f) => UNWANTED.test(f))).toEqual([]);
  });

  it("the generator package ships its CLI and templates, no sources or tests", () => {
    const files = packed["@otpkit/scaffold"].files;
    for (const f of ["dist/cli.js", "templates/genserver.ts.tpl"]) expect(files).toContain(f);
    expect(files.filter((f) => UNWANTED.test(f))).toEqual([]);
  });

  it("the user's tests pass", () => {
    const tests = testsOf("user.test.ts");
    const failed = [...tests.values()].filter((t) => t.status !== "passed");
    expect(failed.map((t) => `${t.fullName}\n${strip(t.failureMessages.join("\n"))}`)).toEqual([]);
    expect(tests.size).toBe(10);
  });

  it("a helper that times out prints its diagnostic: what it expected, what it saw, the process", () => {
    const t = testsOf("diagnostics.test.ts").get(
      "diagnostics an awaitSysEvent that never matches",
    )!;
    expect(t.status).toBe("failed");
    const text = strip(t.failureMessages.join("\n"));
    expect(text).toMatch(
      /awaitSysEvent\(<\d+\.1\.0>, \{ kind: 'in', msg: 'never' \}\) timed out after 50 ms\./,
    );
    expect(text).toContain("Events seen while it waited:");
    expect(text).toMatch(/<\d+\.1\.0>: \w+, 0 message\(s\) queued/);
    expect(text).toContain("last sys events:\n    in cast inc(1)\n    noreply state=1");
  });

  it("a crash nobody watched fails its test, with the crash report", () => {
    const t = testsOf("diagnostics.test.ts").get("diagnostics a crash nobody watched")!;
    expect(t.status).toBe("failed");
    const text = strip(t.failureMessages.join("\n"));
    expect(text).toContain("a process crashed during this test and nothing was watching it");
    expect(text).toContain("Error: unwatched user boom");
    expect(text).toMatch(/test\/diagnostics\.test\.ts:\d+/); // TypeScript line numbers
  });

  it("a failing exploration prints the seed, the replay command and the chart", () => {
    const t = testsOf("diagnostics.test.ts").get("diagnostics a racy test under exploration")!;
    expect(t.status).toBe("failed");
    const text = strip(t.failureMessages.join("\n"));
    expect(text).toMatch(/failed under schedule seed \d+ \(run \d+\)/);
    expect(text).toMatch(
      /Replay: OTPKIT_FOR=explore:\d+ OTPKIT_SEED=\d+.* npx jest test\/diagnostics\.test\.ts -t '\^diagnostics a racy test under exploration\$'/,
    );
    expect(text).toMatch(/Subscribers/); // a chart column
    expect(text).toContain("call list");
  });

  it("only the deliberately failing tests fail", () => {
    const tests = testsOf("diagnostics.test.ts");
    expect(tests.get("diagnostics a passing test next to them")!.status).toBe("passed");
    expect(report.success).toBe(false);
    expect(jestRun.code).toBe(1);
  });

  it("the tests type-check (strict, types node, jest and otpkit/jest)", () => {
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  });

  it("stays fast (pack, install, Jest and tsc)", () => {
    expect(seconds).toBeLessThan(120);
  });
});
