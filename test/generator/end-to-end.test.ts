/**
 * End to end: in a fresh project, `scaffold init`, every generator command
 * with typed arguments and handler additions, and tests in every module
 * format the preset finds (`.mts`, `.cts`, `.mjs`, `.cjs`, importing with
 * `.js` specifiers); then `tsc --strict --noEmit` and the tests with Jest
 * and the preset, unedited, on the default schedule and on random ones
 * (`OTPKIT_SCHEDULE=random`).
 *
 * The project resolves `otpkit`, `@otpkit/jest` and `@otpkit/scaffold`
 * through symlinks to this repo's packages (their built `dist/`), so
 * `preset: "otpkit"` as `init` writes it works as-is; TypeScript, Jest and @types come from the repo's
 * node_modules by the usual upward lookup (the project is under `.scratch/`),
 * so there is one copy of each (no duplicate `expect` types).
 */
import { spawnSync } from "child_process";
import { mkdirSync, symlinkSync } from "fs";
import { join } from "path";
import { REPO, project, read, scaffold, write } from "./support";

const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
const jestBin = join(REPO, "node_modules", "jest", "bin", "jest.js");

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("OTPKIT_") && !k.startsWith("JEST_")),
  );
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...clean, ...env } });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe("generated code, end to end", () => {
  it("compiles under tsc --strict and its tests pass with the preset, unedited, under any schedule", () => {
    const dir = project({ "package.json": '{ "name": "app", "private": true }\n' });
    mkdirSync(join(dir, "node_modules", "@otpkit"), { recursive: true });
    symlinkSync(join(REPO, "runtime"), join(dir, "node_modules", "otpkit"));
    symlinkSync(join(REPO, "jest-preset"), join(dir, "node_modules", "@otpkit", "jest"));
    const ok = (args: string[]) => {
      const r = scaffold(dir, ...args);
      expect([args.join(" "), r.code, r.stderr]).toEqual([args.join(" "), 0, ""]);
    };
    ok(["init"]);
    ok("genserver Subscribers --call subscribe:Pid --call subscribers --info down".split(" "));
    ok(
      "genserver Cache --call get:string --cast put:string|null --cast touch --info tick".split(
        " ",
      ),
    );
    ok("genserver Watcher --cast watch:Pid? --call many:Pid[] --info down".split(" "));
    ok(["special", "Channels"]);
    ok([
      "supervisor",
      "AppSup",
      "--child",
      "Subscribers",
      "--child",
      "Cache",
      "--child",
      "Channels",
    ]);
    // Handlers added to generated and hand-written modules must compile too.
    write(dir, {
      "src/plain.ts": read(REPO, "examples/subscribers/subscribers.ts").replace(
        '"../../runtime"',
        '"otpkit"',
      ),
    });
    ok(["handler", "src/cache.ts", "--call", "size"]);
    ok(["handler", "src/cache.ts", "--cast", "drop:ServerRef"]);
    ok(["handler", "src/subscribers.ts", "--cast", "reset"]);
    ok(["handler", "src/subscribers.ts", "--info", "ping"]);
    ok(["handler", "src/plain.ts", "--cast", "clear"]);
    ok(["handler", "src/plain.ts", "--info", "tick"]);
    // Tests in every module format the preset finds, importing with `.js` specifiers.
    const body = (imp: string) =>
      `${imp}\n\nit("runs", async () => {\n  expect(await get(await Cache.start(undefined), "text")).toBe(0);\n});\n`;
    write(dir, {
      "test/format.test.mts": body('import { Cache, get } from "../src/cache.js";'),
      "test/format.test.cts": body('import { Cache, get } from "../src/cache.js";'),
      "test/format.test.mjs": body('import { Cache, get } from "../src/cache.js";'),
      "test/format.test.cjs": body('const { Cache, get } = require("../src/cache.js");'),
    });

    const typecheck = run(dir, [tsc, "-p", ".", "--strict", "--noEmit"]);
    expect(typecheck.out.trim()).toBe("");
    expect(typecheck.code).toBe(0);

    const tests = run(dir, [jestBin, "--ci"]);
    expect(tests.out).toMatch(/Tests: {7}\d+ passed, \d+ total/);
    expect(tests.out).toMatch(/Test Suites: 9 passed, 9 total/);
    expect(tests.code).toBe(0);

    for (const seed of ["1", "2"]) {
      const random = run(dir, [jestBin, "--ci"], { OTPKIT_SCHEDULE: "random", OTPKIT_SEED: seed });
      expect([seed, random.code]).toEqual([seed, 0]);
      expect(random.out).toMatch(/Test Suites: 9 passed, 9 total/);
    }
  });
});
